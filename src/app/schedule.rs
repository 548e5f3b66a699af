//! An app's clock: when its `cron_restart` and `schedule` are next due, and what a due one
//! means for the app as it stands. Pure: the wall clock and the monotonic clock are passed in.
//!
//! Cron times are wall-clock times, but the server sleeps on the monotonic clock. So each
//! timer keeps its next run as a wall-clock time and the app one monotonic deadline: the
//! earliest next run, at most [`MAX_SLEEP`] away. When the deadline passes, the wall clock is
//! read again: a run whose time has come fires (once, however many were skipped by a clock
//! jump or a suspend) and the next is computed from the clock as it reads now; a clock that
//! went back makes the next run be computed again from the earlier time.

use std::time::{Duration, Instant};

use chrono::{DateTime, Local};

use crate::config::AppSpec;
use crate::cron::CronExpr;

/// The longest the server sleeps on an app's timers without reading the wall clock again: a
/// clock stepped forward, or a machine resumed from suspend, delays a run by at most this.
/// Cron's own granularity, so a scheduled app costs at most one wake-up a minute.
pub const MAX_SLEEP: Duration = Duration::from_secs(60);

/// Which key a timer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// `cron_restart`: restart the app if it runs.
    CronRestart,
    /// `schedule`: start the app unless it still runs.
    Schedule,
}

impl Trigger {
    pub fn key(self) -> &'static str {
        match self {
            Self::CronRestart => "cron_restart",
            Self::Schedule => "schedule",
        }
    }
}

/// What a due timer asks of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Restart,
    Start,
    /// Nothing, and the log says why.
    Skip,
    /// Nothing to say: `cron_restart` of an app that is not running.
    Leave,
}

/// What a due timer means for an app that is `running` (its process up in state running) or
/// `busy` (a process, a restart due, or waiting for its dependencies). A schedule never starts
/// a second copy; a restart is only for a running app.
pub fn decide(trigger: Trigger, running: bool, busy: bool) -> Action {
    match trigger {
        Trigger::CronRestart if running => Action::Restart,
        Trigger::CronRestart => Action::Leave,
        Trigger::Schedule if busy || running => Action::Skip,
        Trigger::Schedule => Action::Start,
    }
}

/// A wall-clock time as `ls --json` and `describe` give it: RFC 3339 to the second, with the
/// local offset.
pub fn rfc3339(t: &DateTime<Local>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

#[derive(Debug, Clone)]
struct Timer {
    trigger: Trigger,
    expr: CronExpr,
    next: Option<DateTime<Local>>,
    /// The wall-clock time `next` was computed at.
    computed_at: DateTime<Local>,
}

impl Timer {
    fn new(trigger: Trigger, expr: CronExpr, now: DateTime<Local>) -> Self {
        Self {
            trigger,
            next: expr.next_after(&now),
            expr,
            computed_at: now,
        }
    }

    fn recompute(&mut self, now: DateTime<Local>) {
        self.next = self.expr.next_after(&now);
        self.computed_at = now;
    }
}

/// A due timer: which key, and its expression for the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub trigger: Trigger,
    pub expr: CronExpr,
}

/// An app's timers and the monotonic instant the server should look at them again.
#[derive(Debug, Clone, Default)]
pub struct Timers {
    list: Vec<Timer>,
    wake: Option<Instant>,
}

impl Timers {
    /// The timers of `spec`, their next runs computed from `now` (wall) at `mono`.
    pub fn new(spec: &AppSpec, now: DateTime<Local>, mono: Instant) -> Self {
        let list: Vec<Timer> = [
            (Trigger::CronRestart, &spec.cron_restart),
            (Trigger::Schedule, &spec.schedule),
        ]
        .into_iter()
        .filter_map(|(trigger, expr)| Some(Timer::new(trigger, expr.clone()?, now)))
        .collect();
        let mut timers = Self { list, wake: None };
        timers.arm(now, mono);
        timers
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// When the server should call [`Timers::due`] next.
    pub fn deadline(&self) -> Option<Instant> {
        self.wake
    }

    /// The next run of the timer from `trigger`, if there is one.
    pub fn next_run(&self, trigger: Trigger) -> Option<DateTime<Local>> {
        self.list
            .iter()
            .find(|t| t.trigger == trigger)
            .and_then(|t| t.next)
    }

    /// The earliest next run of any timer.
    pub fn earliest(&self) -> Option<DateTime<Local>> {
        self.list.iter().filter_map(|t| t.next).min()
    }

    /// The timers whose time has come by `now` (wall), each fired once, with their next runs
    /// computed from `now`; the deadline is set again from `mono`.
    pub fn due(&mut self, now: DateTime<Local>, mono: Instant) -> Vec<Due> {
        let mut fired = Vec::new();
        for t in &mut self.list {
            if now < t.computed_at {
                // The clock went back: the run computed before might now be far away.
                t.recompute(now);
            } else if t.next.is_some_and(|next| next <= now) {
                fired.push(Due {
                    trigger: t.trigger,
                    expr: t.expr.clone(),
                });
                t.recompute(now);
            }
        }
        self.arm(now, mono);
        fired
    }

    fn arm(&mut self, now: DateTime<Local>, mono: Instant) {
        self.wake = self.earliest().map(|next| {
            let until = (next - now).to_std().unwrap_or(Duration::ZERO);
            crate::app::deadline_after(mono, until.min(MAX_SLEEP))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::CommandSpec;
    use chrono::TimeZone;

    /// A January day, so no daylight-saving change falls in the tests whatever the zone.
    fn at(h: u32, m: u32, s: u32) -> DateTime<Local> {
        Local
            .with_ymd_and_hms(2026, 1, 14, h, m, s)
            .single()
            .unwrap()
    }

    fn spec(cron_restart: Option<&str>, schedule: Option<&str>) -> AppSpec {
        let mut spec = AppSpec::ad_hoc("job".into(), CommandSpec::Shell("true".into()), "/".into());
        spec.cron_restart = cron_restart.map(|c| CronExpr::parse(c).unwrap());
        spec.schedule = schedule.map(|c| CronExpr::parse(c).unwrap());
        spec
    }

    #[test]
    fn no_keys_no_timer() {
        let t = Timers::new(&spec(None, None), at(10, 0, 0), Instant::now());
        assert!(t.is_empty());
        assert_eq!(t.deadline(), None);
        assert_eq!(t.earliest(), None);
    }

    #[test]
    fn the_deadline_is_the_earliest_run_capped_at_a_minute() {
        let mono = Instant::now();
        let t = Timers::new(&spec(None, Some("*/5 * * * *")), at(10, 2, 30), mono);
        assert_eq!(t.next_run(Trigger::Schedule), Some(at(10, 5, 0)));
        // 2.5 minutes away: the server looks again after one.
        assert_eq!(t.deadline(), Some(mono + MAX_SLEEP));
        let t = Timers::new(&spec(None, Some("*/5 * * * *")), at(10, 4, 50), mono);
        assert_eq!(t.deadline(), Some(mono + Duration::from_secs(10)));
        let both = Timers::new(
            &spec(Some("0 3 * * *"), Some("@hourly")),
            at(2, 30, 0),
            mono,
        );
        assert_eq!(both.earliest(), Some(at(3, 0, 0)));
        assert_eq!(both.next_run(Trigger::CronRestart), Some(at(3, 0, 0)));
        assert_eq!(both.next_run(Trigger::Schedule), Some(at(3, 0, 0)));
    }

    #[test]
    fn a_timer_fires_once_when_due_and_then_looks_ahead() {
        let mono = Instant::now();
        let mut t = Timers::new(&spec(Some("0 3 * * *"), None), at(2, 59, 0), mono);
        assert!(t.due(at(2, 59, 59), mono).is_empty(), "not yet");
        let fired = t.due(at(3, 0, 0), mono);
        assert_eq!(fired.len(), 1);
        assert_eq!(fired[0].trigger, Trigger::CronRestart);
        assert_eq!(fired[0].expr.as_str(), "0 3 * * *");
        assert!(t.due(at(3, 0, 1), mono).is_empty(), "fired once");
        let tomorrow = Local.with_ymd_and_hms(2026, 1, 15, 3, 0, 0).single();
        assert_eq!(t.earliest(), tomorrow);
    }

    #[test]
    fn a_clock_jump_forward_fires_once_and_back_recomputes() {
        let mono = Instant::now();
        let mut t = Timers::new(&spec(None, Some("*/5 * * * *")), at(10, 0, 0), mono);
        // Forward past many runs: one firing, the next from the new time.
        let fired = t.due(at(13, 2, 0), mono);
        assert_eq!(fired.len(), 1);
        assert_eq!(t.earliest(), Some(at(13, 5, 0)));
        // Back an hour: nothing fires, and the next run is computed from the earlier time.
        assert!(t.due(at(12, 1, 0), mono).is_empty());
        assert_eq!(t.earliest(), Some(at(12, 5, 0)));
    }

    #[test]
    fn a_schedule_never_starts_a_second_copy() {
        use Action::*;
        assert_eq!(decide(Trigger::Schedule, false, false), Start);
        assert_eq!(decide(Trigger::Schedule, true, true), Skip);
        // Waiting out a backoff or for its dependencies counts as still running.
        assert_eq!(decide(Trigger::Schedule, false, true), Skip);
        assert_eq!(decide(Trigger::CronRestart, true, true), Restart);
        assert_eq!(decide(Trigger::CronRestart, false, true), Leave);
        assert_eq!(decide(Trigger::CronRestart, false, false), Leave);
    }
}
