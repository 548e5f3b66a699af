//! `max_memory` as the app model carries it out: each sample of its tree's RSS goes to the
//! guard in `crate::app::limits`, and a trip stops the run as a failure (the restart policy
//! and backoff judge it, as for a failed health probe), with a marker giving the figure.

use std::time::Instant;

use super::App;
use crate::app::lifecycle::{Effect, State};
use crate::app::limits::{SAMPLES, megabytes};
use crate::metrics::Usage;

impl App {
    /// A sample of its memory against `max_memory`; the effect to apply when it trips.
    pub fn check_memory(&mut self, usage: Usage, now: Instant) -> Effect {
        let Some(limit) = self.spec.max_memory else {
            return Effect::None;
        };
        if self.life.state != State::Running || self.process.is_none() {
            return Effect::None;
        }
        if !self.memory.sample(usage.rss_bytes, limit, now) {
            return Effect::None;
        }
        let (rss, max) = (megabytes(usage.rss_bytes), megabytes(limit));
        tracing::warn!(app = %self.name(), rss = usage.rss_bytes, limit, "memory above max_memory");
        self.log_marker(&format!(
            "restarting: memory {rss} above max_memory {max} ({SAMPLES} samples in a row, run {})",
            self.run
        ));
        self.life.fail(now, self.spec.stop_timeout)
    }
}
