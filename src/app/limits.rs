//! `max_memory`: when an app's memory counts as over its limit. Pure: samples come in as
//! figures with the time they were taken. One sample above the limit may be a spike (a build
//! step, a burst of requests); [`SAMPLES`] in a row, at least [`SPACING`] apart, is a trend,
//! and only then is the app restarted, as a failure. Samples taken sooner after the last one
//! counted (an `ls` asking, a sidebar sampling fast) are not counted, so the grace is the same
//! however often figures are asked for.

use std::time::{Duration, Instant};

/// Samples in a row above the limit that restart the app.
pub const SAMPLES: u8 = 2;
/// The least time between two counted samples: a little under the limit sampler's period, so
/// its own samples always count.
pub const SPACING: Duration = Duration::from_millis(900);

/// The samples in a row so far above the limit, in the current run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryGuard {
    over: u8,
    last: Option<Instant>,
}

impl MemoryGuard {
    /// Takes a sample of the tree's RSS taken at `at`; true when it is the [`SAMPLES`]th in a
    /// row above `limit` (and the count starts again).
    pub fn sample(&mut self, rss: u64, limit: u64, at: Instant) -> bool {
        if self
            .last
            .is_some_and(|last| at.saturating_duration_since(last) < SPACING)
        {
            return false;
        }
        self.last = Some(at);
        if rss <= limit {
            self.over = 0;
            return false;
        }
        self.over = self.over.saturating_add(1);
        if self.over < SAMPLES {
            return false;
        }
        self.over = 0;
        true
    }

    /// A new run starts with no history.
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

/// Bytes as whole megabytes (10^6), the unit people write limits in: `612 MB`.
pub fn megabytes(bytes: u64) -> String {
    format!("{} MB", (bytes + 500_000) / 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: u64 = 500_000_000;

    /// Sample times a second apart.
    fn second(n: u64) -> Instant {
        *START + Duration::from_secs(n)
    }

    static START: std::sync::LazyLock<Instant> = std::sync::LazyLock::new(Instant::now);

    #[test]
    fn two_samples_in_a_row_above_the_limit_trip_it() {
        let mut g = MemoryGuard::default();
        assert!(!g.sample(600_000_000, LIMIT, second(0)));
        assert!(g.sample(612_000_000, LIMIT, second(1)));
        // The count starts again after a trip.
        assert!(!g.sample(612_000_000, LIMIT, second(2)));
    }

    #[test]
    fn samples_asked_for_in_between_do_not_shorten_the_grace() {
        let mut g = MemoryGuard::default();
        assert!(!g.sample(600_000_000, LIMIT, second(0)));
        // An `ls` a moment later: not counted.
        let soon = second(0) + Duration::from_millis(50);
        assert!(!g.sample(600_000_000, LIMIT, soon));
        assert!(g.sample(600_000_000, LIMIT, second(1)));
    }

    #[test]
    fn a_spike_is_forgiven() {
        let mut g = MemoryGuard::default();
        let mut t = 0;
        let mut next = || {
            t += 1;
            second(t)
        };
        for _ in 0..10 {
            assert!(!g.sample(900_000_000, LIMIT, next()));
            assert!(!g.sample(100_000_000, LIMIT, next()));
        }
        // At the limit is not above it.
        assert!(!g.sample(LIMIT, LIMIT, next()));
        assert!(!g.sample(LIMIT, LIMIT, next()));
        g.sample(900_000_000, LIMIT, next());
        g.reset();
        assert!(!g.sample(900_000_000, LIMIT, next()));
    }

    #[test]
    fn figures_read_in_megabytes() {
        assert_eq!(megabytes(612_300_000), "612 MB");
        assert_eq!(megabytes(500_000_000), "500 MB");
        assert_eq!(megabytes(1 << 20), "1 MB");
    }
}
