//! `cron_restart` and `schedule` in the server: one wake-up for the earliest due timer of any
//! app (recomputed every turn of the loop from the apps, so a changed set is seen at once),
//! and the requests a due timer makes carried out through the same path as a user's, so
//! dependencies gate a scheduled start as they gate any other. The decisions are the app
//! model's (`crate::app::schedule`).

use std::time::Instant;

use crate::server::Server;
use crate::server::model::{App, AppId};

impl Server {
    /// The earliest timer of any app.
    pub(super) fn schedule_deadline(&self) -> Option<Instant> {
        self.apps.values().filter_map(App::schedule_deadline).min()
    }

    /// Fires the due timers, reading the wall clock once.
    pub(super) fn tick_schedules(&mut self, now: Instant) {
        let due: Vec<AppId> = self
            .apps
            .values()
            .filter(|a| a.schedule_deadline().is_some_and(|t| t <= now))
            .map(App::id)
            .collect();
        if due.is_empty() {
            return;
        }
        let wall = chrono::Local::now();
        for id in due {
            let Some(app) = self.apps.get_mut(&id) else {
                continue;
            };
            let ops = app.schedule_tick(wall, now);
            for op in ops {
                self.app_op(id, op);
            }
            // The next run shown in listings moved.
            self.app_changed(id);
        }
    }
}
