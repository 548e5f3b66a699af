//! Readiness and health probes as data, and the schedule that decides when each one runs and
//! what its results mean.
//!
//! This module owns the per-run `ProbeSchedule` state machine and the wire format of HTTP
//! probes (`http`); the probe vocabulary (`ProbeKind`, `ProbeSpec` and their validation) is
//! the `probe_spec` leaf's, which the config layer shares, re-exported here. It does
//! not connect, spawn or read output: the runner does that on the server's event loop and
//! reports each attempt's `Outcome`. Pure: time comes in as `Instant` arguments, and
//! `deadline` says when the event loop must next call `tick` or start an attempt, so nothing
//! here polls.

pub mod http;

use std::time::{Duration, Instant};

pub use crate::probe_spec::{
    KINDS, LogPattern, MAX_DURATION, MAX_FAILURES, MIN_INTERVAL, ProbeError, ProbeKind, ProbeSpec,
    Role,
};
use crate::units::format_duration;

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Failed, and how: "connection refused", "HTTP status 503", "exited with code 1".
    Fail(String),
}

/// The probe's verdict for the current run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeState {
    /// No verdict yet (not started, or no result yet).
    Pending,
    Ready,
    /// Readiness ran past `timeout_total` without a pass.
    GaveUp,
    Healthy,
    Unhealthy,
}

impl ProbeState {
    /// The spelling in listings and `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Ready => "ready",
            Self::GaveUp => "not ready",
            Self::Healthy => "healthy",
            Self::Unhealthy => "unhealthy",
        }
    }
}

/// A change of verdict, for the event stream; `None` when the verdict stays as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    None,
    /// The readiness probe passed; it stops probing.
    Ready,
    /// The readiness probe gave up; it stops probing. Carries the last failure, if any.
    GaveUp {
        last_failure: Option<String>,
    },
    /// A health probe passed after failing or before any verdict.
    Healthy,
    /// A health probe failed `failures` times in a row: restart the app as a failure. It
    /// stops probing until the next `start`.
    Unhealthy {
        failures: u32,
        reason: String,
    },
}

/// Identifies one attempt, so a result that arrives after a restart or a timeout is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt(u64);

/// The last result, for `why` and `describe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastResult {
    pub at: Instant,
    pub outcome: Outcome,
    /// Failures in a row up to and including this result.
    pub consecutive_failures: u32,
}

/// One probe of one app: when to run it and what its results mean. Made once per probe and
/// started at each run (`start`); `stop` when the run ends.
#[derive(Debug, Clone)]
pub struct ProbeSchedule {
    role: Role,
    polled: bool,
    interval: Duration,
    timeout: Duration,
    initial_delay: Duration,
    timeout_total: Option<Duration>,
    failures: u32,
    active: bool,
    state: ProbeState,
    next: Option<Instant>,
    in_flight: Option<(Attempt, Instant)>,
    give_up_at: Option<Instant>,
    attempts: u64,
    consecutive: u32,
    last: Option<LastResult>,
}

impl ProbeSchedule {
    /// A schedule for `spec` in `role`. Out-of-range values are clamped, so even an unchecked
    /// spec can neither spin nor overflow.
    pub fn new(role: Role, spec: &ProbeSpec) -> Self {
        let clamp = |d: Duration, min: Duration| d.clamp(min, MAX_DURATION);
        Self {
            role,
            polled: spec.kind.is_polled(),
            interval: clamp(spec.interval, MIN_INTERVAL),
            timeout: clamp(spec.timeout, MIN_INTERVAL),
            initial_delay: clamp(spec.initial_delay, Duration::ZERO),
            timeout_total: spec.timeout_total.map(|t| clamp(t, Duration::ZERO)),
            failures: spec.failures.clamp(1, MAX_FAILURES),
            active: false,
            state: ProbeState::Pending,
            next: None,
            in_flight: None,
            give_up_at: None,
            attempts: 0,
            consecutive: 0,
            last: None,
        }
    }

    /// A run starts (health: the app became ready): first attempt after `initial_delay`.
    /// The last result is kept, with its time, for `why`.
    pub fn start(&mut self, now: Instant) {
        self.active = true;
        self.state = ProbeState::Pending;
        self.consecutive = 0;
        self.in_flight = None;
        self.next = self.polled.then(|| now + self.initial_delay);
        self.give_up_at = match self.role {
            Role::Ready => self.timeout_total.map(|total| now + total),
            Role::Health => None,
        };
    }

    /// The run ended: no more attempts, and a late result is ignored. The verdict stays.
    pub fn stop(&mut self) {
        self.active = false;
        self.next = None;
        self.in_flight = None;
        self.give_up_at = None;
    }

    /// Whether an attempt should start now.
    pub fn due(&self, now: Instant) -> bool {
        self.active && self.in_flight.is_none() && self.next.is_some_and(|at| at <= now)
    }

    /// When the event loop must next look: an attempt to start, one to time out, or the
    /// readiness limit. `None` while there is nothing to wait for.
    pub fn deadline(&self) -> Option<Instant> {
        if !self.active {
            return None;
        }
        let attempt = match self.in_flight {
            Some((_, started)) => Some(started + self.timeout),
            None => self.next,
        };
        [attempt, self.give_up_at].into_iter().flatten().min()
    }

    /// An attempt starts; pass the returned id with its result.
    pub fn attempt_started(&mut self, now: Instant) -> Attempt {
        self.attempts += 1;
        let attempt = Attempt(self.attempts);
        self.in_flight = Some((attempt, now));
        self.next = None;
        attempt
    }

    /// The attempt in flight, if any: a runner whose attempt is no longer this one drops it.
    pub fn in_flight(&self) -> Option<Attempt> {
        self.in_flight.map(|(attempt, _)| attempt)
    }

    /// An attempt's result. Ignored unless `attempt` is the one in flight.
    pub fn result(&mut self, attempt: Attempt, now: Instant, outcome: Outcome) -> Transition {
        match self.in_flight {
            Some((current, started)) if current == attempt && self.active => {
                self.in_flight = None;
                self.record(now, started, outcome)
            }
            _ => Transition::None,
        }
    }

    /// A `log` probe saw a matching line. Ignored once a verdict is in or the run is over.
    pub fn log_matched(&mut self, now: Instant) -> Transition {
        if !self.active || self.state != ProbeState::Pending {
            return Transition::None;
        }
        self.record(now, now, Outcome::Ok)
    }

    /// Timers: an attempt past its timeout fails, and readiness past `timeout_total` gives up.
    pub fn tick(&mut self, now: Instant) -> Transition {
        if let Some((_, started)) = self.in_flight
            && started + self.timeout <= now
            && self.active
        {
            self.in_flight = None;
            let why = format!("timed out after {}", format_duration(self.timeout));
            let transition = self.record(now, started, Outcome::Fail(why));
            if transition != Transition::None {
                return transition;
            }
        }
        match self.give_up_at {
            Some(at) if at <= now && self.active && self.state == ProbeState::Pending => {
                self.give_up()
            }
            _ => Transition::None,
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn state(&self) -> ProbeState {
        self.state
    }

    /// Whether a run is being probed (started and not stopped).
    pub fn is_active(&self) -> bool {
        self.active
    }

    pub fn last(&self) -> Option<&LastResult> {
        self.last.as_ref()
    }

    pub fn consecutive_failures(&self) -> u32 {
        self.consecutive
    }

    fn record(&mut self, now: Instant, started: Instant, outcome: Outcome) -> Transition {
        self.consecutive = match outcome {
            Outcome::Ok => 0,
            Outcome::Fail(_) => self.consecutive.saturating_add(1),
        };
        self.last = Some(LastResult {
            at: now,
            outcome: outcome.clone(),
            consecutive_failures: self.consecutive,
        });
        // Attempts start `interval` apart, but never overlap and never start in the past.
        let next = (started + self.interval).max(now);
        match (self.role, outcome) {
            (Role::Ready, Outcome::Ok) => {
                self.state = ProbeState::Ready;
                self.quiet();
                Transition::Ready
            }
            (Role::Ready, Outcome::Fail(_)) => {
                if self.give_up_at.is_some_and(|at| at <= now) {
                    return self.give_up();
                }
                self.next = self.polled.then_some(next);
                Transition::None
            }
            (Role::Health, Outcome::Ok) => {
                self.next = Some(next);
                let changed = self.state != ProbeState::Healthy;
                self.state = ProbeState::Healthy;
                if changed {
                    Transition::Healthy
                } else {
                    Transition::None
                }
            }
            (Role::Health, Outcome::Fail(reason)) => {
                if self.consecutive < self.failures {
                    self.next = Some(next);
                    return Transition::None;
                }
                self.state = ProbeState::Unhealthy;
                self.quiet();
                Transition::Unhealthy {
                    failures: self.consecutive,
                    reason,
                }
            }
        }
    }

    fn give_up(&mut self) -> Transition {
        self.state = ProbeState::GaveUp;
        self.quiet();
        let last_failure = match &self.last {
            Some(LastResult {
                outcome: Outcome::Fail(why),
                ..
            }) => Some(why.clone()),
            _ => None,
        };
        Transition::GaveUp { last_failure }
    }

    /// A verdict that ends this run's probing: no further attempts or deadlines.
    fn quiet(&mut self) {
        self.next = None;
        self.in_flight = None;
        self.give_up_at = None;
    }
}

#[cfg(test)]
mod tests;
