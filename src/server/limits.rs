//! `max_memory` in the server: the apps with a memory limit are sampled every
//! [`LIMIT_INTERVAL`], whether or not a client is attached (`usage` puts them in the metrics
//! thread's order, reported after every sample), and each sample is handed to the app, whose
//! trip is applied here. Apps without a limit cost nothing: with none running and nothing
//! shown, no sample is ever taken.

use std::time::{Duration, Instant};

use crate::app::lifecycle::Effect;
use crate::metrics::Usage;
use crate::server::Server;
use crate::server::model::AppId;

/// How often the apps with a memory limit are sampled: two samples in a row above it restart
/// an app, so a leak is caught within about two of these.
pub const LIMIT_INTERVAL: Duration = Duration::from_secs(1);

impl Server {
    /// A sample of one app, against its limit.
    pub(super) fn memory_sampled(&mut self, id: AppId, usage: Usage, now: Instant) {
        let Some(app) = self.apps.get_mut(&id) else {
            return;
        };
        let effect = app.check_memory(usage, now);
        if effect == Effect::None {
            return;
        }
        self.apply(id, effect);
        self.app_changed(id);
        self.notify_state(id);
    }
}
