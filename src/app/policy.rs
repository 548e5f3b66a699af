//! The one place that decides restarts, in the manner of pm2: exponential backoff
//! (`initial × factor^n`, capped at `max`), reset once a run has stayed up for `min_uptime`;
//! only exits before `min_uptime` count against `max_restarts`, and past it the app is errored
//! until someone starts it by hand. Pure: time comes in as durations, so tests need no clock.

use std::time::Duration;

use crate::command::{Backoff, RestartPolicy};
use crate::pane::process::ExitStatus;

/// The rule an app was configured with.
#[derive(Debug, Clone, PartialEq)]
pub struct RestartRule {
    pub policy: RestartPolicy,
    pub backoff: Backoff,
    pub min_uptime: Duration,
    pub max_restarts: u32,
}

/// What to do after an exit that nobody asked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// Leave it exited (policy `never`, or `on-failure` after a clean exit).
    Stay,
    /// Start it again after this delay.
    RestartAfter(Duration),
    /// It keeps dying young: stop trying until a manual start.
    Errored,
}

/// The memory the rule needs between exits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestartTracker {
    /// Consecutive exits before `min_uptime`.
    pub quick_exits: u32,
    /// The backoff exponent: how many automatic restarts in a row so far.
    pub attempt: u32,
}

impl RestartTracker {
    /// Decides what follows an unrequested exit after `uptime`.
    pub fn on_exit(
        &mut self,
        rule: &RestartRule,
        status: ExitStatus,
        uptime: Duration,
    ) -> Decision {
        if uptime >= rule.min_uptime {
            // A healthy run: whatever happened before is forgiven.
            *self = Self::default();
        }
        let wanted = match rule.policy {
            RestartPolicy::Never => false,
            RestartPolicy::OnFailure => status != ExitStatus::Code(0),
            RestartPolicy::Always => true,
        };
        if !wanted {
            return Decision::Stay;
        }
        if uptime < rule.min_uptime {
            self.quick_exits += 1;
            if self.quick_exits > rule.max_restarts {
                return Decision::Errored;
            }
        }
        let delay = backoff_delay(&rule.backoff, self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        Decision::RestartAfter(delay)
    }

    /// A manual start or restart begins with a clean slate.
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

/// `initial × factor^attempt`, capped at `max`.
pub fn backoff_delay(b: &Backoff, attempt: u32) -> Duration {
    let factor = b.factor.max(1.0);
    let exp = factor.powi(attempt.min(1000) as i32);
    let secs = b.initial.as_secs_f64() * exp;
    if !secs.is_finite() || secs >= b.max.as_secs_f64() {
        b.max
    } else {
        Duration::from_secs_f64(secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(policy: RestartPolicy) -> RestartRule {
        RestartRule {
            policy,
            backoff: Backoff {
                initial: Duration::from_millis(100),
                max: Duration::from_secs(15),
                factor: 1.5,
            },
            min_uptime: Duration::from_secs(1),
            max_restarts: 3,
        }
    }

    const QUICK: Duration = Duration::from_millis(10);
    const LONG: Duration = Duration::from_secs(60);

    fn ms(d: Decision) -> u128 {
        match d {
            Decision::RestartAfter(d) => d.as_millis(),
            other => panic!("expected a restart, got {other:?}"),
        }
    }

    #[test]
    fn backoff_grows_geometrically_and_caps() {
        let r = rule(RestartPolicy::Always);
        let delays: Vec<u128> = (0..4)
            .map(|n| backoff_delay(&r.backoff, n).as_millis())
            .collect();
        assert_eq!(delays, [100, 150, 225, 337]);
        assert_eq!(backoff_delay(&r.backoff, 100), Duration::from_secs(15));
    }

    #[test]
    fn quick_exits_count_against_max_restarts_then_error() {
        let r = rule(RestartPolicy::Always);
        let mut t = RestartTracker::default();
        let code0 = ExitStatus::Code(0);
        assert_eq!(ms(t.on_exit(&r, code0, QUICK)), 100);
        assert_eq!(ms(t.on_exit(&r, code0, QUICK)), 150);
        assert_eq!(ms(t.on_exit(&r, code0, QUICK)), 225);
        assert_eq!(t.on_exit(&r, code0, QUICK), Decision::Errored);
    }

    #[test]
    fn a_run_past_min_uptime_resets_backoff_and_count() {
        let r = rule(RestartPolicy::OnFailure);
        let mut t = RestartTracker::default();
        let fail = ExitStatus::Code(1);
        for _ in 0..3 {
            t.on_exit(&r, fail, QUICK);
        }
        assert_eq!(ms(t.on_exit(&r, fail, LONG)), 100);
        assert_eq!(t.quick_exits, 0);
        // Long runs never count, however many there are.
        for _ in 0..20 {
            assert!(matches!(
                t.on_exit(&r, fail, LONG),
                Decision::RestartAfter(_)
            ));
        }
    }

    #[test]
    fn policies_choose_which_exits_restart() {
        let mut t = RestartTracker::default();
        let never = rule(RestartPolicy::Never);
        assert_eq!(t.on_exit(&never, ExitStatus::Code(1), LONG), Decision::Stay);
        let on_failure = rule(RestartPolicy::OnFailure);
        assert_eq!(
            t.on_exit(&on_failure, ExitStatus::Code(0), LONG),
            Decision::Stay
        );
        assert!(matches!(
            t.on_exit(&on_failure, ExitStatus::Signal(9), LONG),
            Decision::RestartAfter(_)
        ));
        let always = rule(RestartPolicy::Always);
        assert!(matches!(
            t.on_exit(&always, ExitStatus::Code(0), LONG),
            Decision::RestartAfter(_)
        ));
    }

    #[test]
    fn clean_exits_under_on_failure_do_not_count() {
        let r = rule(RestartPolicy::OnFailure);
        let mut t = RestartTracker::default();
        for _ in 0..10 {
            assert_eq!(t.on_exit(&r, ExitStatus::Code(0), QUICK), Decision::Stay);
        }
        assert_eq!(t.quick_exits, 0);
    }

    proptest::proptest! {
        #[test]
        fn delays_never_exceed_max_and_never_shrink(attempts in 0u32..200, factor in 1.0f64..10.0) {
            let b = Backoff { initial: Duration::from_millis(100), max: Duration::from_secs(15), factor };
            let mut prev = Duration::ZERO;
            for n in 0..attempts {
                let d = backoff_delay(&b, n);
                proptest::prop_assert!(d <= b.max);
                proptest::prop_assert!(d >= prev);
                prev = d;
            }
        }
    }
}
