//! The app's readiness and health: its two probe schedules, the dependency gate it waits at,
//! and what each probe result or timer means for the app. Attempts leave as [`ProbeJob`]s for
//! the server to run; results come back through [`App::probe_result`]; a `log` probe reads the
//! output as it is fed, line by line, with no second copy of the stream.

use std::time::Instant;

use super::App;
use crate::app::deps::{DepStatus, Gate};
use crate::app::lifecycle::{Effect, State};
use crate::app::probe::{Attempt, Outcome, ProbeKind, ProbeSchedule, ProbeState, Role, Transition};
use crate::ids::AppId;
use crate::render::overlay::strip_escapes;

/// The longest partial line kept for a `log` probe; a longer line is matched by its start.
const MAX_LINE: usize = 8 * 1024;

/// What a terminal shows of a line: the text after its last carriage return (a progress bar
/// redraws itself that way), the line's own CR LF ending left out.
fn last_overwrite(line: &str) -> &str {
    let line = line.trim_end_matches('\r');
    line.rsplit('\r').next().unwrap_or(line)
}

/// One probe attempt for the server to run, and to answer with [`App::probe_result`].
#[derive(Debug, Clone)]
pub struct ProbeJob {
    pub app: AppId,
    /// The run it probes: a result for an older run is ignored.
    pub run: u32,
    pub role: Role,
    pub attempt: Attempt,
    pub kind: ProbeKind,
    pub timeout: std::time::Duration,
    pub cwd: std::path::PathBuf,
    pub env: Vec<(String, String)>,
}

/// A change of readiness or health, for the log, the event stream and the dependents' gates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeChange {
    pub role: Role,
    pub transition: Transition,
    /// What the server must apply: a failed health probe stops the app as a failure.
    pub effect: Effect,
}

/// The app's probes: built from its spec, started with each run.
#[derive(Debug, Clone, Default)]
pub struct Probes {
    ready: Option<ProbeSchedule>,
    health: Option<ProbeSchedule>,
    /// The output line being assembled for a `log` readiness probe.
    line: Vec<u8>,
}

impl Probes {
    pub fn new(spec: &crate::config::AppSpec) -> Self {
        Self {
            ready: spec
                .ready
                .as_ref()
                .map(|p| ProbeSchedule::new(Role::Ready, p)),
            health: spec
                .health
                .as_ref()
                .map(|p| ProbeSchedule::new(Role::Health, p)),
            line: Vec::new(),
        }
    }

    fn get(&self, role: Role) -> Option<&ProbeSchedule> {
        match role {
            Role::Ready => self.ready.as_ref(),
            Role::Health => self.health.as_ref(),
        }
    }

    fn get_mut(&mut self, role: Role) -> Option<&mut ProbeSchedule> {
        match role {
            Role::Ready => self.ready.as_mut(),
            Role::Health => self.health.as_mut(),
        }
    }

    /// A run started: readiness first; health at once when there is no readiness probe.
    pub(super) fn run_started(&mut self, now: Instant) {
        self.line.clear();
        match &mut self.ready {
            Some(ready) => ready.start(now),
            None => {
                if let Some(health) = &mut self.health {
                    health.start(now);
                }
            }
        }
    }

    /// The run ended: no more attempts; verdicts stay for `why`.
    pub(super) fn run_ended(&mut self) {
        self.line.clear();
        for s in [&mut self.ready, &mut self.health].into_iter().flatten() {
            s.stop();
        }
    }
}

impl App {
    /// The schedule of one probe, for `why` and `describe`.
    pub fn probe(&self, role: Role) -> Option<&ProbeSchedule> {
        self.probes.get(role)
    }

    /// `ls --json`'s `ready`: `None` without a readiness probe, else whether it passed in the
    /// current run.
    pub fn readiness(&self) -> Option<bool> {
        let ready = self.probes.ready.as_ref()?;
        Some(self.life.state == State::Running && ready.state() == ProbeState::Ready)
    }

    /// `ls --json`'s `health`: `healthy` or `unhealthy` once a health probe has a verdict.
    pub fn health(&self) -> Option<&'static str> {
        let health = self.probes.health.as_ref()?;
        match health.state() {
            ProbeState::Healthy | ProbeState::Unhealthy => Some(health.state().as_str()),
            _ => None,
        }
    }

    /// Running, and ready by its probe if it has one.
    pub fn is_ready(&self) -> bool {
        self.life.state == State::Running && self.readiness().unwrap_or(true)
    }

    /// Its readiness probe gave up in this run (`not ready`).
    pub fn gave_up(&self) -> bool {
        self.probes
            .ready
            .as_ref()
            .is_some_and(|r| r.state() == ProbeState::GaveUp)
            && self.life.has_process()
    }

    /// Where it stands for the apps that depend on it.
    pub fn dep_status(&self) -> DepStatus {
        let state = self.life.state;
        DepStatus {
            live: self.life.has_process(),
            ready: self.is_ready(),
            finished: match state {
                State::Exited(status) => Some(status),
                _ => None,
            },
            errored: matches!(state, State::Errored(_)),
            gave_up: self.gave_up(),
            stopped: state == State::Stopped,
        }
    }

    /// Holds the app for its dependencies, with what it waits for.
    pub fn hold(&mut self, gate: Gate) {
        self.life.wait();
        self.gate = Some(gate);
    }

    /// What a waiting app waits for; `None` unless it is held.
    pub fn gate(&self) -> Option<&Gate> {
        self.gate
            .as_ref()
            .filter(|_| self.life.state == State::Waiting)
    }

    /// Attempts due now, as jobs for the server to run.
    pub fn due_probes(&mut self, now: Instant) -> Vec<ProbeJob> {
        let mut jobs = Vec::new();
        for role in [Role::Ready, Role::Health] {
            let Some(schedule) = self.probes.get_mut(role) else {
                continue;
            };
            if !schedule.due(now) {
                continue;
            }
            let attempt = schedule.attempt_started(now);
            let spec = match role {
                Role::Ready => self.spec.ready.as_ref(),
                Role::Health => self.spec.health.as_ref(),
            };
            let Some(spec) = spec else { continue };
            jobs.push(ProbeJob {
                app: self.id,
                run: self.run,
                role,
                attempt,
                kind: spec.kind.clone(),
                timeout: spec.timeout,
                cwd: self.spec.cwd.clone(),
                env: self.env.clone(),
            });
        }
        jobs
    }

    /// When a probe next needs the loop: an attempt to start or time out, a readiness limit.
    pub fn probe_deadline(&self) -> Option<Instant> {
        [&self.probes.ready, &self.probes.health]
            .into_iter()
            .flatten()
            .filter_map(ProbeSchedule::deadline)
            .min()
    }

    /// An attempt's result; ignored when it belongs to an older run or attempt.
    pub fn probe_result(
        &mut self,
        run: u32,
        role: Role,
        attempt: Attempt,
        outcome: Outcome,
        now: Instant,
    ) -> Option<ProbeChange> {
        if run != self.run {
            return None;
        }
        let transition = self.probes.get_mut(role)?.result(attempt, now, outcome);
        self.on_transition(role, transition, now)
    }

    /// Probe timers: attempts past their timeout fail, readiness past its limit gives up.
    pub fn probe_tick(&mut self, now: Instant) -> Vec<ProbeChange> {
        let mut changes = Vec::new();
        for role in [Role::Ready, Role::Health] {
            let Some(schedule) = self.probes.get_mut(role) else {
                continue;
            };
            let transition = schedule.tick(now);
            changes.extend(self.on_transition(role, transition, now));
        }
        changes
    }

    /// Output of the current run, for a `log` readiness probe still waiting for its line.
    pub(super) fn scan_output(&mut self, bytes: &[u8], now: Instant) -> Option<ProbeChange> {
        let ready = self.probes.ready.as_ref()?;
        if !ready.is_active() || ready.state() != ProbeState::Pending {
            return None;
        }
        let Some(ProbeKind::Log(pattern)) = self.spec.ready.as_ref().map(|p| &p.kind) else {
            return None;
        };
        let mut matched = false;
        for chunk in bytes.split_inclusive(|&b| b == b'\n') {
            let room = MAX_LINE.saturating_sub(self.probes.line.len());
            let body = chunk.strip_suffix(b"\n").unwrap_or(chunk);
            self.probes
                .line
                .extend_from_slice(&body[..body.len().min(room)]);
            if chunk.ends_with(b"\n") {
                let text = String::from_utf8_lossy(&self.probes.line);
                let line = strip_escapes(last_overwrite(&text));
                matched |= pattern.is_match(&line);
                self.probes.line.clear();
                if matched {
                    break;
                }
            }
        }
        // A prompt without a newline ("ready> ") counts too.
        if !matched && !self.probes.line.is_empty() {
            let text = String::from_utf8_lossy(&self.probes.line);
            matched = pattern.is_match(&strip_escapes(last_overwrite(&text)));
        }
        if !matched {
            return None;
        }
        self.probes.line.clear();
        let transition = self.probes.ready.as_mut()?.log_matched(now);
        self.on_transition(Role::Ready, transition, now)
    }

    /// What a verdict means for the app: health probing begins once it is ready; a failed
    /// health probe stops it, to be judged by its restart policy.
    fn on_transition(
        &mut self,
        role: Role,
        transition: Transition,
        now: Instant,
    ) -> Option<ProbeChange> {
        let mut effect = Effect::None;
        match &transition {
            Transition::None => return None,
            Transition::Ready => {
                self.log_marker(&format!("ready (run {})", self.run));
                if let Some(health) = &mut self.probes.health {
                    health.start(now);
                }
            }
            Transition::GaveUp { last_failure } => {
                let last = last_failure
                    .as_deref()
                    .map_or_else(String::new, |f| format!("; last attempt: {f}"));
                let probe = self.spec.ready.as_ref().map(|p| p.kind.to_string());
                self.log_marker(&format!(
                    "not ready: readiness probe {} gave up (run {}){last}",
                    probe.unwrap_or_default(),
                    self.run
                ));
            }
            Transition::Healthy => {}
            Transition::Unhealthy { failures, reason } => {
                let probe = self.spec.health.as_ref().map(|p| p.kind.to_string());
                self.log_marker(&format!(
                    "unhealthy: health probe {} failed {failures} times in a row ({reason}); restarting (run {})",
                    probe.unwrap_or_default(),
                    self.run
                ));
                effect = self.life.fail(now, self.spec.stop_timeout);
            }
        }
        Some(ProbeChange {
            role,
            transition,
            effect,
        })
    }
}
