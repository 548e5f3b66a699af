//! One app's lifecycle state machine. Every way an app can be started, stopped, restarted,
//! killed or can exit goes through here, and each transition returns the one [`Effect`] the
//! server must carry out. Because the server applies transitions one at a time, two requests
//! racing (a key and a CLI command) can never produce two processes: `start` of a running app is
//! a no-op and `restart` of a stopping app only remembers to start once it is gone.
//! Pure: time is passed in.

use std::time::{Duration, Instant};

use crate::app::policy::{Decision, RestartRule, RestartTracker};
use crate::pane::process::ExitStatus;

/// Where an app is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Never started, or stopped on request.
    Stopped,
    Running,
    /// Asked to start; held until its dependencies meet their conditions (the server holds
    /// the gate and starts it).
    Waiting,
    /// Asked to stop; SIGKILL follows at `kill_at` unless it exits first.
    Stopping {
        kill_at: Option<Instant>,
        then: AfterStop,
    },
    /// Exited on its own and the policy does not restart it.
    Exited(ExitStatus),
    /// Exited; a restart is due at `until`.
    Backoff {
        until: Instant,
        last: ExitStatus,
    },
    /// Died young too often; waits for a manual start.
    Errored(ExitStatus),
}

/// What follows a stop once the process is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterStop {
    /// Stay stopped.
    Stay,
    /// Start again (a restart).
    Start,
    /// Judge the exit by the restart policy, as a failure of the app's own (a failed health
    /// probe stopped it).
    Judge,
}

/// What a user asks of an app (from a key, the sidebar, the command line or the control API);
/// [`Lifecycle`] turns it into an [`Effect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Start,
    Stop,
    Restart,
    Kill,
}

/// What the server must do after a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    None,
    /// Start a new run.
    Spawn,
    /// Send the configured stop signal to the app's processes.
    Signal,
    /// SIGKILL the app's processes.
    Kill,
}

#[derive(Debug, Clone)]
pub struct Lifecycle {
    pub state: State,
    pub tracker: RestartTracker,
    /// Restarts so far (automatic and manual), as pm2 counts them.
    pub restarts: u32,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self {
            state: State::Stopped,
            tracker: RestartTracker::default(),
            restarts: 0,
        }
    }
}

impl Lifecycle {
    /// True while a process exists (running or on its way out).
    pub fn has_process(&self) -> bool {
        matches!(self.state, State::Running | State::Stopping { .. })
    }

    /// A manual start. Running or stopping apps are left alone.
    pub fn start(&mut self) -> Effect {
        match self.state {
            State::Running | State::Stopping { .. } => Effect::None,
            _ => {
                self.tracker.reset();
                Effect::Spawn
            }
        }
    }

    /// A manual stop: signal now, SIGKILL after `timeout`.
    pub fn stop(&mut self, now: Instant, timeout: Duration) -> Effect {
        match self.state {
            State::Running => {
                self.state = State::Stopping {
                    kill_at: Some(super::deadline_after(now, timeout)),
                    then: AfterStop::Stay,
                };
                Effect::Signal
            }
            State::Stopping { kill_at, .. } => {
                self.state = State::Stopping {
                    kill_at,
                    then: AfterStop::Stay,
                };
                Effect::None
            }
            _ => {
                self.state = State::Stopped;
                Effect::None
            }
        }
    }

    /// A manual restart: stop (if running) and start again once the process is gone.
    pub fn restart(&mut self, now: Instant, timeout: Duration) -> Effect {
        self.tracker.reset();
        match self.state {
            State::Running => {
                self.state = State::Stopping {
                    kill_at: Some(super::deadline_after(now, timeout)),
                    then: AfterStop::Start,
                };
                Effect::Signal
            }
            State::Stopping { kill_at, .. } => {
                self.state = State::Stopping {
                    kill_at,
                    then: AfterStop::Start,
                };
                Effect::None
            }
            _ => {
                self.restarts += 1;
                Effect::Spawn
            }
        }
    }

    /// Held for its dependencies: from any state without a process. A running or stopping
    /// app is left alone.
    pub fn wait(&mut self) {
        if !self.has_process() {
            self.state = State::Waiting;
        }
    }

    /// A failed health probe: stop it, and judge its exit by the restart policy as a failure.
    pub fn fail(&mut self, now: Instant, timeout: Duration) -> Effect {
        match self.state {
            State::Running => {
                self.state = State::Stopping {
                    kill_at: Some(super::deadline_after(now, timeout)),
                    then: AfterStop::Judge,
                };
                Effect::Signal
            }
            _ => Effect::None,
        }
    }

    /// SIGKILL now; the app then counts as stopped on request.
    pub fn kill(&mut self) -> Effect {
        match self.state {
            State::Running | State::Stopping { .. } => {
                self.state = State::Stopping {
                    kill_at: None,
                    then: AfterStop::Stay,
                };
                Effect::Kill
            }
            State::Waiting => {
                self.state = State::Stopped;
                Effect::None
            }
            _ => Effect::None,
        }
    }

    /// A new run has started.
    pub fn spawned(&mut self) {
        self.state = State::Running;
    }

    /// The process of the current run is gone (after `uptime`).
    pub fn exited(
        &mut self,
        status: ExitStatus,
        uptime: Duration,
        rule: &RestartRule,
        now: Instant,
    ) -> Effect {
        match self.state {
            State::Stopping {
                then: AfterStop::Stay,
                ..
            } => {
                self.state = State::Stopped;
                return Effect::None;
            }
            State::Stopping {
                then: AfterStop::Start,
                ..
            } => {
                self.state = State::Stopped;
                self.restarts += 1;
                return Effect::Spawn;
            }
            _ => {}
        }
        self.state = match self.tracker.on_exit(rule, status, uptime) {
            Decision::Stay => State::Exited(status),
            Decision::RestartAfter(d) => State::Backoff {
                until: super::deadline_after(now, d),
                last: status,
            },
            Decision::Errored => State::Errored(status),
        };
        Effect::None
    }

    /// When [`Lifecycle::tick`] next has something to do.
    pub fn deadline(&self) -> Option<Instant> {
        match self.state {
            State::Backoff { until, .. } => Some(until),
            State::Stopping { kill_at, .. } => kill_at,
            _ => None,
        }
    }

    /// Timers: a due backoff restarts, a due stop timeout kills.
    pub fn tick(&mut self, now: Instant) -> Effect {
        match self.state {
            State::Backoff { until, .. } if until <= now => {
                self.restarts += 1;
                Effect::Spawn
            }
            State::Stopping {
                kill_at: Some(t),
                then,
            } if t <= now => {
                self.state = State::Stopping {
                    kill_at: None,
                    then,
                };
                Effect::Kill
            }
            _ => Effect::None,
        }
    }

    /// The stable name used in `ls --json` and the sidebar.
    pub fn label(&self) -> &'static str {
        match self.state {
            State::Stopped => "stopped",
            State::Waiting => "waiting",
            State::Running => "running",
            State::Stopping { .. } => "stopping",
            State::Exited(_) => "exited",
            State::Backoff { .. } => "waiting",
            State::Errored(_) => "errored",
        }
    }

    /// The exit that put the app where it is, if any.
    pub fn last_exit(&self) -> Option<ExitStatus> {
        match self.state {
            State::Exited(s) | State::Errored(s) | State::Backoff { last: s, .. } => Some(s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Backoff, RestartPolicy};

    fn rule(policy: RestartPolicy, max_restarts: u32) -> RestartRule {
        RestartRule {
            policy,
            backoff: Backoff {
                initial: Duration::from_millis(100),
                max: Duration::from_secs(15),
                factor: 2.0,
            },
            min_uptime: Duration::from_secs(1),
            max_restarts,
        }
    }

    const T: Duration = Duration::from_secs(5);

    #[test]
    fn start_of_a_running_app_never_spawns_twice() {
        let mut l = Lifecycle::default();
        assert_eq!(l.start(), Effect::Spawn);
        l.spawned();
        assert_eq!(l.start(), Effect::None);
        let now = Instant::now();
        assert_eq!(l.restart(now, T), Effect::Signal);
        // A second restart and a start while stopping are absorbed.
        assert_eq!(l.restart(now, T), Effect::None);
        assert_eq!(l.start(), Effect::None);
        let r = rule(RestartPolicy::Never, 3);
        assert_eq!(l.exited(ExitStatus::Signal(15), T, &r, now), Effect::Spawn);
        assert_eq!(l.restarts, 1);
    }

    #[test]
    fn stop_signals_then_kills_after_the_timeout() {
        let mut l = Lifecycle::default();
        l.start();
        l.spawned();
        let now = Instant::now();
        assert_eq!(l.stop(now, T), Effect::Signal);
        assert_eq!(l.deadline(), Some(now + T));
        assert_eq!(l.tick(now + Duration::from_secs(1)), Effect::None);
        assert_eq!(l.tick(now + T), Effect::Kill);
        assert_eq!(l.tick(now + T + T), Effect::None, "killed only once");
        let r = rule(RestartPolicy::Always, 3);
        assert_eq!(l.exited(ExitStatus::Signal(9), T, &r, now), Effect::None);
        assert_eq!(l.state, State::Stopped, "a requested stop is not restarted");
    }

    #[test]
    fn crashes_back_off_then_error_and_a_manual_start_recovers() {
        let r = rule(RestartPolicy::Always, 2);
        let mut l = Lifecycle::default();
        let mut now = Instant::now();
        l.start();
        l.spawned();
        for expected in [100, 200] {
            assert_eq!(
                l.exited(ExitStatus::Code(1), Duration::ZERO, &r, now),
                Effect::None
            );
            let until = l.deadline().unwrap();
            assert_eq!((until - now).as_millis(), expected);
            assert_eq!(l.tick(until), Effect::Spawn);
            l.spawned();
            now = until;
        }
        l.exited(ExitStatus::Code(1), Duration::ZERO, &r, now);
        assert_eq!(l.state, State::Errored(ExitStatus::Code(1)));
        assert_eq!(l.label(), "errored");
        assert_eq!(l.tick(now + Duration::from_secs(100)), Effect::None);
        assert_eq!(l.start(), Effect::Spawn);
        assert_eq!(l.restarts, 2);
    }

    #[test]
    fn stopping_a_waiting_app_cancels_the_restart() {
        let r = rule(RestartPolicy::Always, 5);
        let mut l = Lifecycle::default();
        l.start();
        l.spawned();
        let now = Instant::now();
        l.exited(ExitStatus::Code(2), Duration::ZERO, &r, now);
        assert_eq!(l.label(), "waiting");
        assert_eq!(l.stop(now, T), Effect::None);
        assert_eq!(l.state, State::Stopped);
        assert_eq!(l.tick(now + Duration::from_secs(60)), Effect::None);
    }

    #[test]
    fn the_longest_durations_never_overflow() {
        let huge = Duration::MAX;
        let mut r = rule(RestartPolicy::Always, 5);
        r.backoff = Backoff {
            initial: huge,
            max: huge,
            factor: 2.0,
        };
        let mut l = Lifecycle::default();
        l.start();
        l.spawned();
        let now = Instant::now();
        assert_eq!(l.stop(now, huge), Effect::Signal);
        assert!(l.deadline().is_some_and(|t| t > now));
        assert_eq!(l.tick(now), Effect::None);
        l.exited(ExitStatus::Code(1), Duration::ZERO, &r, now);
        l.start();
        l.spawned();
        l.exited(ExitStatus::Code(1), Duration::ZERO, &r, now);
        assert_eq!(l.label(), "waiting");
        assert!(l.deadline().is_some_and(|t| t > now));
        assert_eq!(l.restart(now, huge), Effect::Spawn);
    }

    #[test]
    fn kill_is_immediate_and_counts_as_a_stop() {
        let r = rule(RestartPolicy::Always, 5);
        let mut l = Lifecycle::default();
        l.start();
        l.spawned();
        assert_eq!(l.kill(), Effect::Kill);
        let now = Instant::now();
        assert_eq!(l.exited(ExitStatus::Signal(9), T, &r, now), Effect::None);
        assert_eq!(l.state, State::Stopped);
    }
}
