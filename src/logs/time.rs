//! Log times without a date library: milliseconds since the Unix epoch, printed as RFC 3339
//! in UTC with milliseconds, and parsed from what `appmux logs --since/--until` accept — a
//! duration back from now (`10m`, `2h`, `1d`) or a date and time (`2026-12-01`,
//! `2026-12-01T10:00`, `2026-12-01 10:00:30.250`), in UTC unless it ends with `Z` or an
//! offset (`+02:00`, `-0500`).

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in milliseconds since the epoch (0 for a clock set before it).
pub fn now_ms() -> u64 {
    ms_of(SystemTime::now())
}

/// A system time in milliseconds since the epoch (0 before it).
pub fn ms_of(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// `2026-11-21T08:00:00Z`: now, to the second, as marker lines show it.
pub fn utc_now() -> String {
    utc(now_ms() / 1000)
}

/// `2026-11-21T08:00:00Z`.
pub fn utc(secs: u64) -> String {
    let mut text = rfc3339_ms(secs.saturating_mul(1000));
    // The same instant without its (zero) milliseconds.
    text.replace_range(text.len() - 5..text.len() - 1, "");
    text
}

/// `2026-12-01T10:00:00.123Z`.
pub fn rfc3339_ms(ms: u64) -> String {
    let (y, m, d) = civil_from_days((ms / 86_400_000) as i64);
    let rem = ms % 86_400_000;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem % 3_600_000 / 60_000,
        rem % 60_000 / 1000,
        rem % 1000
    )
}

/// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Days since 1970-01-01 of a civil date (the inverse of [`civil_from_days`]).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const TIME_HINT: &str = "expected a duration back from now (30s, 10m, 2h, 1d) or a UTC date and \
                         time (2026-12-01, 2026-12-01T10:00, 2026-12-01T10:00:30Z, \
                         2026-12-01T10:00+02:00)";

/// A `--since`/`--until` value as milliseconds since the epoch, relative ones counted back
/// from `now_ms`.
pub fn parse_time_arg(text: &str, now_ms: u64) -> Result<u64, String> {
    let text = text.trim();
    if text.as_bytes().first().is_some_and(u8::is_ascii_digit) && !looks_like_date(text) {
        let back = match text.strip_suffix('d').map(str::parse::<u64>) {
            // Days are a unit here only: a config duration never needs them.
            Some(Ok(days)) => days.saturating_mul(86_400_000),
            Some(Err(_)) => return Err(bad(text)),
            None => {
                let d = crate::units::parse_duration(text).map_err(|_| bad(text))?;
                u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
            }
        };
        return Ok(now_ms.saturating_sub(back));
    }
    parse_datetime(text).ok_or_else(|| bad(text))
}

fn bad(text: &str) -> String {
    format!("invalid time {text:?}: {TIME_HINT}")
}

fn looks_like_date(text: &str) -> bool {
    text.len() >= 10 && text.as_bytes()[4] == b'-'
}

/// `YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH:MM|±HHMM]`.
fn parse_datetime(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    let num = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())).then(|| s.parse().ok())?
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (num(&text[0..4])?, num(&text[5..7])?, num(&text[8..10])?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let mut rest = &text[10..];
    let mut ms_of_day = 0i64;
    if let Some(time) = rest.strip_prefix(['T', 't', ' ']) {
        let end = time.find(['Z', 'z', '+', '-']).unwrap_or(time.len());
        ms_of_day = parse_clock(&time[..end])?;
        rest = &time[end..];
    }
    let offset_min = parse_zone(rest)?;
    let ms = (days_from_civil(y, m, d) * 86_400_000 + ms_of_day) - offset_min * 60_000;
    u64::try_from(ms).ok()
}

/// `HH:MM[:SS[.f…]]` as milliseconds into the day.
fn parse_clock(s: &str) -> Option<i64> {
    let num = |s: &str| -> Option<i64> {
        (s.len() == 2 && s.bytes().all(|c| c.is_ascii_digit())).then(|| s.parse().ok())?
    };
    let (hm, sec) = match s.len() {
        5 => (s, None),
        n if n >= 8 && s.as_bytes()[5] == b':' => (&s[..5], Some(&s[6..])),
        _ => return None,
    };
    let (h, m) = hm.split_once(':')?;
    let (h, m) = (num(h)?, num(m)?);
    let (secs, frac) = match sec {
        None => (0, 0),
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            let digits = frac.bytes().all(|c| c.is_ascii_digit());
            if !digits || (sec.contains('.') && frac.is_empty()) {
                return None;
            }
            let ms = format!("{frac:0<3}")[..3].parse::<i64>().ok()?;
            (num(whole)?, ms)
        }
    };
    if h > 23 || m > 59 || secs > 59 {
        return None;
    }
    Some(((h * 60 + m) * 60 + secs) * 1000 + frac)
}

/// The zone suffix as minutes east of UTC: none or `Z` is UTC.
fn parse_zone(s: &str) -> Option<i64> {
    if s.is_empty() || s.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let sign = match s.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|&c| c != ':').collect();
    let colon_ok = s[1..].len() == 4 || (s[1..].len() == 5 && s.as_bytes()[3] == b':');
    if digits.len() != 4 || !colon_ok || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m): (i64, i64) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
    (h <= 23 && m <= 59).then_some(sign * (h * 60 + m))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEC1_10H: u64 = 1_796_119_200_000; // 2026-12-01T10:00:00Z

    #[test]
    fn utc_formats_known_instants() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_795_247_555), "2026-11-21T07:52:35Z");
    }

    #[test]
    fn formats_with_milliseconds_in_utc() {
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(DEC1_10H + 123), "2026-12-01T10:00:00.123Z");
    }

    #[test]
    fn parses_absolute_times_in_utc_unless_a_zone_is_given() {
        let p = |s: &str| parse_time_arg(s, 0);
        assert_eq!(p("2026-12-01T10:00"), Ok(DEC1_10H));
        assert_eq!(p("2026-12-01 10:00:00Z"), Ok(DEC1_10H));
        assert_eq!(p("2026-12-01T10:00:00.5"), Ok(DEC1_10H + 500));
        assert_eq!(p("2026-12-01T12:00+02:00"), Ok(DEC1_10H));
        assert_eq!(p("2026-12-01T05:00-0500"), Ok(DEC1_10H));
        assert_eq!(p("2026-12-01"), Ok(DEC1_10H - 10 * 3_600_000));
        for t in [0, DEC1_10H, 951_782_400_123] {
            assert_eq!(p(&rfc3339_ms(t)), Ok(t), "round trip of {}", rfc3339_ms(t));
        }
    }

    #[test]
    fn relative_times_count_back_from_now_and_saturate() {
        assert_eq!(parse_time_arg("10m", DEC1_10H), Ok(DEC1_10H - 600_000));
        assert_eq!(parse_time_arg("1d", 5), Ok(0));
    }

    #[test]
    fn bad_times_are_refused_with_what_is_accepted() {
        for bad in [
            "",
            "yesterday",
            "10x",
            "2026-13-01",
            "2026-02-30",
            "2026-12-01T25:00",
            "2026-12-01T10",
            "2026-12-01T10:00+2",
            "2026-12-01X",
            "2026-12-01T10:00:00.",
            "-5m",
        ] {
            let err = parse_time_arg(bad, DEC1_10H).unwrap_err();
            assert!(
                err.contains("invalid time") && err.contains("10m"),
                "{bad}: {err}"
            );
        }
    }
}
