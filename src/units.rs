//! Human-readable durations (`"250ms"`, `"1.5s"`, `"2m"`) and byte sizes (`"10MB"`, `"4KiB"`).
//!
//! This module owns parsing and formatting of those strings and the serde adapters for them. It
//! knows nothing about which config key holds a value; callers add the key to the message. A
//! leaf with no dependencies in the crate, so that config files and the supervisor (which
//! formats durations in its messages) spell them alike without depending on each other.
//! Arithmetic is exact integer arithmetic on the decimal digits (no floating point), so
//! `"1.1s"` is exactly 1.1 seconds and formatting then parsing gives back the same value.

use std::fmt;
use std::ops::RangeInclusive;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Why a duration or size string was rejected; the message names the input and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnitError(String);

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// Duration units, largest first so formatting can pick the largest exact one.
const DURATION_UNITS: &[(&str, u128)] = &[
    ("h", 3_600 * NANOS_PER_SEC),
    ("m", 60 * NANOS_PER_SEC),
    ("s", NANOS_PER_SEC),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("µs", 1_000),
];

const DURATION_HINT: &str = "expected a number followed by us, ms, s, m or h";

/// What a duration looks like, for messages about values of the wrong type.
pub const DURATION_EXAMPLE: &str = "a duration like \"250ms\" or \"5s\"";

/// Size units, matched case-insensitively. Formatting tries them from the largest factor down.
const SIZE_UNITS: &[(&str, u128)] = &[
    ("TiB", 1 << 40),
    ("TB", 1_000_000_000_000),
    ("GiB", 1 << 30),
    ("GB", 1_000_000_000),
    ("MiB", 1 << 20),
    ("MB", 1_000_000),
    ("KiB", 1 << 10),
    ("KB", 1_000),
    ("B", 1),
    // pm2's spelling (`max_memory_restart = "200M"`), read as the decimal unit; after `B`, so
    // formatting never picks them.
    ("K", 1_000),
    ("M", 1_000_000),
    ("G", 1_000_000_000),
];

const SIZE_HINT: &str = "expected a number followed by B, KB, MB, GB, TB, KiB, MiB, GiB or TiB";

/// Parses `"250ms"`, `"5s"`, `"1.5s"`, `"2m"`, `"1h"`, `"100us"`. A unit is required.
pub fn parse_duration(text: &str) -> Result<Duration, UnitError> {
    let invalid = || UnitError(format!("invalid duration {text:?}: {DURATION_HINT}"));
    let (number, unit) = split_number(text).ok_or_else(invalid)?;
    let factor = DURATION_UNITS
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|(_, factor)| *factor)
        .ok_or_else(invalid)?;
    let too_large = || UnitError(format!("duration {text:?} is too large"));
    let nanos = number.scale(factor).ok_or_else(too_large)?;
    let secs = u64::try_from(nanos / NANOS_PER_SEC).map_err(|_| too_large())?;
    let subsec = u32::try_from(nanos % NANOS_PER_SEC).map_err(|_| too_large())?;
    Ok(Duration::new(secs, subsec))
}

/// Formats a duration so that [`parse_duration`] gives it back exactly: the largest unit that
/// divides it, or fractional seconds when it is not a whole number of microseconds.
pub fn format_duration(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    if nanos == 0 {
        return "0s".to_owned();
    }
    if !nanos.is_multiple_of(1_000) {
        let frac = format!("{:09}", duration.subsec_nanos());
        return format!("{}.{}s", duration.as_secs(), frac.trim_end_matches('0'));
    }
    DURATION_UNITS
        .iter()
        .find(|(_, factor)| nanos.is_multiple_of(*factor))
        .map_or_else(
            || format!("{nanos}ns"),
            |(name, factor)| format!("{}{name}", nanos / factor),
        )
}

/// Parses `"10MB"`, `"512KB"`, `"1GB"`, `"100B"`, `"10MiB"`, `"4KiB"` (KB = 1000, KiB = 1024,
/// units case-insensitive). Fractions are allowed and rounded down to whole bytes.
pub fn parse_size(text: &str) -> Result<u64, UnitError> {
    let invalid = || UnitError(format!("invalid size {text:?}: {SIZE_HINT}"));
    let (number, unit) = split_number(text).ok_or_else(invalid)?;
    let factor = SIZE_UNITS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(unit))
        .map(|(_, factor)| *factor)
        .ok_or_else(invalid)?;
    let too_large = || UnitError(format!("size {text:?} is too large"));
    let bytes = number.scale(factor).ok_or_else(too_large)?;
    u64::try_from(bytes).map_err(|_| too_large())
}

/// Formats a size so that [`parse_size`] gives it back exactly, in the largest exact unit.
pub fn format_size(bytes: u64) -> String {
    let value = u128::from(bytes);
    if value == 0 {
        return "0B".to_owned();
    }
    SIZE_UNITS
        .iter()
        .find(|(_, factor)| value % factor == 0)
        .map_or_else(
            || format!("{bytes}B"),
            |(name, factor)| format!("{}{name}", value / factor),
        )
}

/// "`KEY` must be at most 1h, found \"2h\"" (or "between A and B" when the range does not
/// start at zero): the one wording for a duration outside its range, from a file or a peer.
pub fn duration_out_of_range(key: &str, found: &str, range: &RangeInclusive<Duration>) -> String {
    let (min, max) = (
        format_duration(*range.start()),
        format_duration(*range.end()),
    );
    if range.start().is_zero() {
        format!("`{key}` must be at most {max}, found {found:?}")
    } else {
        format!("`{key}` must be between {min} and {max}, found {found:?}")
    }
}

/// The same for a size; `found` is the value as written.
pub fn size_out_of_range(key: &str, found: &str, range: &RangeInclusive<u64>) -> String {
    let (min, max) = (format_size(*range.start()), format_size(*range.end()));
    format!("`{key}` must be between {min} and {max}, found {found}")
}

/// The decimal digits of a non-negative number, before and after the point.
struct Number<'a> {
    int: &'a str,
    frac: &'a str,
}

impl Number<'_> {
    /// The number times `factor`, rounded down; `None` on overflow.
    fn scale(&self, factor: u128) -> Option<u128> {
        let int: u128 = self.int.parse().ok()?;
        let mut total = int.checked_mul(factor)?;
        // Digits past the 18th cannot change the result for any factor used here (all are
        // below 10^13), and capping keeps the fraction inside u128.
        let frac = &self.frac[..self.frac.len().min(18)];
        if !frac.is_empty() {
            let numerator: u128 = frac.parse().ok()?;
            let denominator = 10u128.pow(u32::try_from(frac.len()).ok()?);
            total = total.checked_add(numerator * factor / denominator)?;
        }
        Some(total)
    }
}

/// Splits `" 1.5 ms "` into the number and the unit (`"ms"`). `None` if there is no number.
fn split_number(text: &str) -> Option<(Number<'_>, &str)> {
    let text = text.trim();
    let not_digit = |c: char| !c.is_ascii_digit();
    let int_end = text.find(not_digit).unwrap_or(text.len());
    if int_end == 0 {
        return None;
    }
    let (int, rest) = text.split_at(int_end);
    let (frac, rest) = match rest.strip_prefix('.') {
        Some(after) => {
            let frac_end = after.find(not_digit).unwrap_or(after.len());
            if frac_end == 0 {
                return None;
            }
            after.split_at(frac_end)
        }
        None => ("", rest),
    };
    Some((Number { int, frac }, rest.trim_start()))
}

/// A duration written as a string with a unit; for `#[derive(Deserialize)]` structs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DurationSpec(pub Duration);

/// A size in bytes written as `"10MB"` or as a plain integer of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteSize(pub u64);

impl Serialize for DurationSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_duration(self.0))
    }
}

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_size(self.0))
    }
}

impl<'de> Deserialize<'de> for DurationSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DurationVisitor).map(Self)
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SizeVisitor).map(Self)
    }
}

/// For `#[serde(deserialize_with = "deserialize_duration")]` on a `Duration` field.
pub fn deserialize_duration<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Duration, D::Error> {
    DurationSpec::deserialize(deserializer).map(|spec| spec.0)
}

/// For `#[serde(deserialize_with = "deserialize_size")]` on a `u64` field.
pub fn deserialize_size<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    ByteSize::deserialize(deserializer).map(|size| size.0)
}

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = Duration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(DURATION_EXAMPLE)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Duration, E> {
        parse_duration(text).map_err(E::custom)
    }

    // A bare number is rejected on purpose: "5" could mean seconds or milliseconds, and
    // guessing wrong makes a restart loop a thousand times too fast or too slow.
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Duration, E> {
        Err(E::custom(format!(
            "expected {DURATION_EXAMPLE}, found an integer"
        )))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Duration, E> {
        Err(E::custom(format!(
            "expected {DURATION_EXAMPLE}, found an integer"
        )))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Duration, E> {
        Err(E::custom(format!(
            "expected {DURATION_EXAMPLE}, found a float"
        )))
    }
}

struct SizeVisitor;

impl Visitor<'_> for SizeVisitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a size like \"10MB\" or a number of bytes")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<u64, E> {
        parse_size(text).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, bytes: u64) -> Result<u64, E> {
        Ok(bytes)
    }

    fn visit_i64<E: de::Error>(self, bytes: i64) -> Result<u64, E> {
        u64::try_from(bytes).map_err(|_| E::custom("a size cannot be negative"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn durations_parse() {
        let ms = Duration::from_millis;
        assert_eq!(parse_duration("250ms"), Ok(ms(250)));
        assert_eq!(parse_duration("5s"), Ok(ms(5_000)));
        assert_eq!(parse_duration("1.5s"), Ok(ms(1_500)));
        assert_eq!(parse_duration("2m"), Ok(ms(120_000)));
        assert_eq!(parse_duration("1h"), Ok(ms(3_600_000)));
        assert_eq!(parse_duration("100us"), Ok(Duration::from_micros(100)));
        assert_eq!(parse_duration(" 3 s "), Ok(ms(3_000)));
        assert_eq!(parse_duration("0.000000001s"), Ok(Duration::from_nanos(1)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn bad_durations_say_what_is_expected() {
        assert_eq!(
            parse_duration("5 parsecs").unwrap_err().to_string(),
            "invalid duration \"5 parsecs\": expected a number followed by us, ms, s, m or h"
        );
        for bad in [
            "5", "", "s", "-1s", "1.s", ".5s", "1e3s", "5S", "1.5.5s", "5 s s",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
        let huge = format!("{}h", u64::MAX);
        assert!(
            parse_duration(&huge)
                .unwrap_err()
                .to_string()
                .contains("too large")
        );
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert_eq!(parse_size("512KB"), Ok(512_000));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_size("100B"), Ok(100));
        assert_eq!(parse_size("10MiB"), Ok(10 * 1024 * 1024));
        assert_eq!(parse_size("4KiB"), Ok(4096));
        assert_eq!(parse_size("4kib"), Ok(4096));
        assert_eq!(parse_size("1.5KiB"), Ok(1536));
        assert_eq!(parse_size("2 mb"), Ok(2_000_000));
        assert_eq!(parse_size("500M"), Ok(500_000_000));
        assert_eq!(parse_size("64k"), Ok(64_000));
        assert_eq!(parse_size("1G"), Ok(1_000_000_000));
        assert_eq!(format_size(500_000_000), "500MB");
    }

    #[test]
    fn bad_sizes_say_what_is_expected() {
        assert_eq!(
            parse_size("10 bananas").unwrap_err().to_string(),
            "invalid size \"10 bananas\": expected a number followed by B, KB, MB, GB, TB, KiB, \
             MiB, GiB or TiB"
        );
        for bad in ["10", "", "MB", "-1MB", "10XB"] {
            assert!(parse_size(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(
            parse_size("99999999TiB")
                .unwrap_err()
                .to_string()
                .contains("too large")
        );
    }

    #[test]
    fn formatting_picks_the_largest_exact_unit() {
        assert_eq!(format_duration(Duration::from_millis(1_500)), "1500ms");
        assert_eq!(format_duration(Duration::from_secs(7_200)), "2h");
        assert_eq!(
            format_duration(Duration::from_nanos(1_500_000_001)),
            "1.500000001s"
        );
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(format_size(10_000_000), "10MB");
        assert_eq!(format_size(4096), "4KiB");
        assert_eq!(format_size(1001), "1001B");
        assert_eq!(format_size(0), "0B");
    }

    #[derive(Debug, Deserialize, Serialize)]
    struct Both {
        wait: DurationSpec,
        size: ByteSize,
        #[serde(deserialize_with = "deserialize_duration")]
        plain: Duration,
    }

    #[test]
    fn serde_adapters_read_strings_and_reject_bare_durations() {
        let both: Both = toml::from_str("wait = \"2s\"\nsize = 1024\nplain = \"1ms\"").unwrap();
        assert_eq!(both.wait, DurationSpec(Duration::from_secs(2)));
        assert_eq!(both.size, ByteSize(1024));
        assert_eq!(both.plain, Duration::from_millis(1));
        let err = toml::from_str::<Both>("wait = 5\nsize = 1\nplain = \"1s\"").unwrap_err();
        assert!(
            err.message()
                .contains("expected a duration like \"250ms\" or \"5s\"")
        );
        let err = toml::from_str::<Both>("wait = \"1s\"\nsize = -1\nplain = \"1s\"").unwrap_err();
        assert!(err.message().contains("negative"));
    }

    proptest! {
        #[test]
        fn durations_round_trip(secs in 0u64..10_000_000, nanos in 0u32..1_000_000_000) {
            let duration = Duration::new(secs, nanos);
            prop_assert_eq!(parse_duration(&format_duration(duration)), Ok(duration));
        }

        #[test]
        fn whole_unit_durations_round_trip(n in 0u64..1_000_000, unit in 0usize..5) {
            let duration = Duration::from_micros(n * [1, 1_000, 1_000_000, 60_000_000, 3_600_000_000][unit]);
            prop_assert_eq!(parse_duration(&format_duration(duration)), Ok(duration));
        }

        #[test]
        fn sizes_round_trip(bytes in any::<u64>()) {
            prop_assert_eq!(parse_size(&format_size(bytes)), Ok(bytes));
        }

        #[test]
        fn round_sizes_round_trip(n in 0u64..1_000_000, unit in 0usize..SIZE_UNITS.len()) {
            let bytes = n * u64::try_from(SIZE_UNITS[unit].1).unwrap_or(1);
            prop_assert_eq!(parse_size(&format_size(bytes)), Ok(bytes));
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,24}") {
            let _ = parse_duration(&text);
            let _ = parse_size(&text);
        }
    }
}
