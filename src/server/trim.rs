//! Giving memory back after a flood. Output arrives in 64 KiB pieces allocated on the PTY
//! reader threads and freed on the server's thread; glibc keeps what was freed in per-thread
//! arenas, so after many apps printed a lot at once the server's resident size stayed at its
//! peak long after the pieces were parsed. Once output has been quiet for a moment after a
//! large amount of it, the free memory is handed back (`malloc_trim`). This wakes the server
//! once per flood, never while it idles.

use std::time::{Duration, Instant};

/// Output bytes after which a trim is worth its cost.
const WORTH: usize = 4 << 20;
/// How long output must be quiet first.
const QUIET: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub struct Trim {
    /// Output bytes parsed since the last trim.
    since: usize,
    /// When to trim, if output stays quiet until then.
    at: Option<Instant>,
}

impl Trim {
    /// Notes `n` bytes of output parsed at `now`.
    pub fn output(&mut self, n: usize, now: Instant) {
        self.since = self.since.saturating_add(n);
        if self.since >= WORTH {
            self.at = Some(now + QUIET);
        }
    }

    /// When the server must wake for a trim.
    pub fn deadline(&self) -> Option<Instant> {
        self.at
    }

    /// Trims if one is due at `now`.
    pub fn run_due(&mut self, now: Instant) {
        if self.at.is_some_and(|at| at <= now) {
            self.at = None;
            self.since = 0;
            release_free_memory();
        }
    }
}

/// Keeps the allocator to two arenas. glibc otherwise gives each thread that allocates one of
/// its own (up to eight per core), and each PTY reader thread allocates the pieces it reads:
/// with dozens of apps, memory freed in one arena could not serve another and the server's
/// resident size grew with the number of apps that were ever busy. Called once, first thing
/// in the server, before its threads start.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn limit_arenas() {
    // SAFETY: mallopt takes plain integers and only sets the allocator's own parameters.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn limit_arenas() {}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_free_memory() {
    // SAFETY: malloc_trim only walks the allocator's own free lists; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_memory() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trim_follows_a_large_amount_of_output_once_it_goes_quiet() {
        let t0 = Instant::now();
        let mut trim = Trim::default();
        trim.output(1000, t0);
        assert_eq!(
            trim.deadline(),
            None,
            "a little output never wakes the server"
        );
        trim.output(WORTH, t0);
        assert_eq!(trim.deadline(), Some(t0 + QUIET));
        // More output pushes it back.
        trim.output(10, t0 + QUIET / 2);
        assert_eq!(trim.deadline(), Some(t0 + QUIET / 2 + QUIET));
        trim.run_due(t0 + QUIET);
        assert!(trim.deadline().is_some());
        trim.run_due(t0 + 2 * QUIET);
        assert_eq!(trim.deadline(), None);
        assert_eq!(trim.since, 0);
    }
}
