//! `max_memory` in the server: the apps with a memory limit are sampled on their own, every
//! [`LIMIT_INTERVAL`], whether or not a client is attached (a full sample for clients and
//! `ls` covers them too), and each sample is handed to the app, whose trip is applied here.
//! Apps without a limit cost nothing: with none running, no sample is ever asked for.

use std::time::{Duration, Instant};

use crate::app::lifecycle::{Effect, State};
use crate::metrics::{self, Usage};
use crate::server::Server;
use crate::server::model::AppId;

/// How often the apps with a memory limit are sampled: two samples in a row above it restart
/// an app, so a leak is caught within about two of these.
pub const LIMIT_INTERVAL: Duration = Duration::from_secs(1);

impl Server {
    /// The running apps with a memory limit, by id and pid.
    fn limited_apps(&self) -> Vec<(u64, u32)> {
        self.apps
            .values()
            .filter(|a| a.spec().max_memory.is_some() && a.life().state == State::Running)
            .filter_map(|a| Some((a.id().0, a.pid()?)))
            .collect()
    }

    /// When the limited apps are next sampled; none while none runs.
    pub(super) fn next_limit_sample(&self) -> Option<Instant> {
        let any = self.apps.values().any(|a| {
            a.spec().max_memory.is_some() && a.life().state == State::Running && a.pid().is_some()
        });
        if self.sampler.is_none() || !any {
            return None;
        }
        Some(match self.last_limit_sample {
            Some(t) => crate::app::deadline_after(t, LIMIT_INTERVAL),
            None => Instant::now(),
        })
    }

    /// Asks for a sample of the limited apps alone.
    pub(super) fn request_limit_sample(&mut self, now: Instant) {
        let apps = self.limited_apps();
        let Some(sampler) = &self.sampler else { return };
        self.last_limit_sample = Some(now);
        sampler.request(metrics::Request { apps, full: false });
    }

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
