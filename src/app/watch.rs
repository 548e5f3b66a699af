//! What a file change does to an app, as pure logic with time passed in: a trailing
//! [`Debounce`] that turns a burst of changes into one restart once the burst has been quiet
//! for the app's `watch_debounce`, naming the first path that changed, and
//! [`restarts_on_change`], which says which states a change restarts. The server feeds it the
//! changes its watcher reports (`server::watch`) and restarts the app when it says so.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::app::lifecycle::{AfterStop, State};

/// One app's burst of changes in progress.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Debounce {
    /// The first path of the burst, as the restart marker names it.
    first: Option<PathBuf>,
    /// When the burst counts as over: the last change plus the quiet period.
    due: Option<Instant>,
}

impl Debounce {
    /// A change at `path`: the first of a burst is remembered, and every one pushes the end
    /// of the burst to `quiet` after it.
    pub fn note(&mut self, path: PathBuf, now: Instant, quiet: Duration) {
        if self.first.is_none() {
            self.first = Some(path);
        }
        self.due = Some(crate::app::deadline_after(now, quiet));
    }

    /// When the burst ends, if one is in progress.
    pub fn deadline(&self) -> Option<Instant> {
        self.due
    }

    /// The burst's first path once it has been quiet long enough; the debounce is then idle
    /// again, ready for the next burst.
    pub fn take_due(&mut self, now: Instant) -> Option<PathBuf> {
        if self.due.is_none_or(|due| due > now) {
            return None;
        }
        self.due = None;
        self.first.take()
    }
}

/// Whether a change restarts an app in `state`. A running app restarts, and so does one that
/// exited, crashed or gave up (as pm2 does: the change may be the fix) or waits in backoff. An
/// app the user stopped, or on its way to stopped, stays so; one already restarting or
/// waiting for its dependencies needs nothing more.
pub fn restarts_on_change(state: &State) -> bool {
    match state {
        State::Running
        | State::Exited(_)
        | State::Errored(_)
        | State::Backoff { .. }
        | State::Stopping {
            then: AfterStop::Judge,
            ..
        } => true,
        State::Stopped
        | State::Waiting
        | State::Stopping {
            then: AfterStop::Stay | AfterStop::Start,
            ..
        } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pane::process::ExitStatus;

    const QUIET: Duration = Duration::from_millis(300);

    #[test]
    fn a_burst_restarts_once_after_it_is_quiet_naming_its_first_path() {
        let t0 = Instant::now();
        let mut d = Debounce::default();
        assert_eq!(d.deadline(), None);
        for i in 0..10_000u64 {
            let at = t0 + Duration::from_micros(i * 10);
            d.note(format!("src/{i}.rs").into(), at, QUIET);
            assert_eq!(d.take_due(at), None);
        }
        let last = t0 + Duration::from_micros(99_990);
        assert_eq!(d.deadline(), Some(last + QUIET));
        assert_eq!(d.take_due(last + QUIET - Duration::from_millis(1)), None);
        assert_eq!(d.take_due(last + QUIET), Some(PathBuf::from("src/0.rs")));
        assert_eq!(d.take_due(last + QUIET * 10), None, "one restart per burst");
        assert_eq!(d.deadline(), None);
    }

    #[test]
    fn a_change_after_the_restart_starts_a_new_burst() {
        let t0 = Instant::now();
        let mut d = Debounce::default();
        d.note("a".into(), t0, QUIET);
        assert_eq!(d.take_due(t0 + QUIET), Some(PathBuf::from("a")));
        d.note("b".into(), t0 + QUIET * 2, QUIET);
        d.note("c".into(), t0 + QUIET * 2, QUIET);
        assert_eq!(d.take_due(t0 + QUIET * 3), Some(PathBuf::from("b")));
    }

    #[test]
    fn a_huge_quiet_period_saturates() {
        let t0 = Instant::now();
        let mut d = Debounce::default();
        d.note("a".into(), t0, Duration::MAX);
        assert!(d.deadline().is_some_and(|t| t > t0));
    }

    #[test]
    fn stopped_apps_stay_stopped_and_crashed_ones_restart() {
        let now = Instant::now();
        assert!(restarts_on_change(&State::Running));
        assert!(restarts_on_change(&State::Exited(ExitStatus::Code(1))));
        assert!(restarts_on_change(&State::Errored(ExitStatus::Code(1))));
        let last = ExitStatus::Code(1);
        assert!(restarts_on_change(&State::Backoff { until: now, last }));
        assert!(!restarts_on_change(&State::Stopped));
        assert!(!restarts_on_change(&State::Waiting));
        let stopping = |then| State::Stopping {
            kill_at: None,
            then,
        };
        assert!(!restarts_on_change(&stopping(AfterStop::Stay)));
        assert!(!restarts_on_change(&stopping(AfterStop::Start)));
    }
}
