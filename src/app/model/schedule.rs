//! An app's `cron_restart` and `schedule` timers as the app model carries them out: a due
//! timer is decided by `crate::app::schedule`, written to the log as a marker (a skip too,
//! so a user sees why a scheduled run did not happen), and handed to the server as the
//! request to make of the app.

use std::time::Instant;

use chrono::{DateTime, Local};

use super::App;
use crate::app::lifecycle::{Control, State};
use crate::app::schedule::{Action, Trigger, decide};

impl App {
    /// When its timers need the loop.
    pub fn schedule_deadline(&self) -> Option<Instant> {
        self.timers.deadline()
    }

    /// The next time a timer of its fires.
    pub fn next_run(&self) -> Option<DateTime<Local>> {
        self.timers.earliest()
    }

    /// The next time the timer from `trigger` fires.
    pub fn next_run_of(&self, trigger: Trigger) -> Option<DateTime<Local>> {
        self.timers.next_run(trigger)
    }

    /// The timers due at `now` (wall clock, read at `mono`): each is logged, and the requests
    /// they make of the app are returned in order for the server to carry out.
    pub fn schedule_tick(&mut self, now: DateTime<Local>, mono: Instant) -> Vec<Control> {
        let mut ops = Vec::new();
        for due in self.timers.due(now, mono) {
            let running = self.life.state == State::Running;
            let busy = self.is_up() || self.life.has_process();
            let (key, expr) = (due.trigger.key(), due.expr.as_str());
            let pid = self
                .pid()
                .map_or_else(String::new, |p| format!(", pid {p}"));
            match decide(due.trigger, running, busy) {
                Action::Restart => {
                    tracing::info!(app = %self.name(), expr, "cron_restart is due");
                    self.log_marker(&format!(
                        "restarting by {key} {expr:?} (run {}{pid})",
                        self.run
                    ));
                    ops.push(Control::Restart);
                }
                Action::Start => {
                    tracing::info!(app = %self.name(), expr, "schedule is due");
                    self.log_marker(&format!("starting by {key} {expr:?}"));
                    ops.push(Control::Start);
                }
                Action::Skip => {
                    let what = self.life.label();
                    tracing::info!(app = %self.name(), expr, what, "schedule skipped");
                    self.log_marker(&format!(
                        "skipped {key} {expr:?}: run {} is still {what}{pid}",
                        self.run
                    ));
                }
                Action::Leave => {
                    tracing::debug!(app = %self.name(), expr, "cron_restart: not running");
                }
            }
        }
        ops.dedup();
        ops
    }
}
