//! `max_memory`: when an app's memory counts as over its limit. Pure: samples come in as
//! figures. One sample above the limit may be a spike (a build step, a burst of requests);
//! [`SAMPLES`] in a row is a trend, and only then is the app restarted, as a failure.

/// Samples in a row above the limit that restart the app.
pub const SAMPLES: u8 = 2;

/// The samples in a row so far above the limit, in the current run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryGuard {
    over: u8,
}

impl MemoryGuard {
    /// Takes a sample of the tree's RSS; true when it is the [`SAMPLES`]th in a row above
    /// `limit` (and the count starts again).
    pub fn sample(&mut self, rss: u64, limit: u64) -> bool {
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
        self.over = 0;
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

    #[test]
    fn two_samples_in_a_row_above_the_limit_trip_it() {
        let mut g = MemoryGuard::default();
        assert!(!g.sample(600_000_000, LIMIT));
        assert!(g.sample(612_000_000, LIMIT));
        // The count starts again after a trip.
        assert!(!g.sample(612_000_000, LIMIT));
    }

    #[test]
    fn a_spike_is_forgiven() {
        let mut g = MemoryGuard::default();
        for _ in 0..10 {
            assert!(!g.sample(900_000_000, LIMIT));
            assert!(!g.sample(100_000_000, LIMIT));
        }
        // At the limit is not above it.
        assert!(!g.sample(LIMIT, LIMIT));
        assert!(!g.sample(LIMIT, LIMIT));
        g.sample(900_000_000, LIMIT);
        g.reset();
        assert!(!g.sample(900_000_000, LIMIT), "a new run starts afresh");
    }

    #[test]
    fn figures_read_in_megabytes() {
        assert_eq!(megabytes(612_300_000), "612 MB");
        assert_eq!(megabytes(500_000_000), "500 MB");
        assert_eq!(megabytes(1 << 20), "1 MB");
    }
}
