//! Apps as the supervisor sees them: the app model (`model`: spec, terminal, process, log), and
//! the pure logic that decides for it (lifecycle, restart policy, dependencies, probes, schedules, limits) with
//! time passed in. The server routes events to apps and applies the effects they return. The
//! vocabulary that project files share with it lives in leaves (`command`, `dependency`,
//! `probe_spec`, `units`), re-exported where it was, so the config layer never depends on
//! the supervisor.

pub mod deps;
pub mod lifecycle;
pub mod limits;
pub mod model;
pub mod policy;
pub mod probe;
pub mod schedule;
pub mod watch;

use std::time::{Duration, Instant};

/// `now + d`, saturating: a duration too long to add gives an instant far enough away to mean
/// "never" instead of a panic. Every deadline computed from a configured duration goes
/// through here.
pub fn deadline_after(now: Instant, d: Duration) -> Instant {
    const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);
    now.checked_add(d)
        .or_else(|| {
            [100 * YEAR, YEAR]
                .iter()
                .find_map(|far| now.checked_add(*far))
        })
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_saturate_instead_of_panicking() {
        let now = Instant::now();
        assert_eq!(
            deadline_after(now, Duration::from_secs(5)),
            now + Duration::from_secs(5)
        );
        let far = deadline_after(now, Duration::MAX);
        assert!(far > now + Duration::from_secs(3600 * 24 * 365));
        let max = Duration::from_secs(u64::MAX);
        assert!(deadline_after(now, max) >= far);
    }
}
