//! Apps as the supervisor sees them: the lifecycle state machine, the restart policy, the
//! dependency graph and the probes. Pure logic with time passed in; the server applies the
//! effects. The config layer builds this module's vocabulary (`Dependency`, `ProbeSpec`) from
//! files, so nothing here may use `config`; shared spellings live in leaves (`command`,
//! `units`).

pub mod deps;
pub mod lifecycle;
pub mod policy;
pub mod probe;

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
