//! Cron expressions as `cron_restart` and `schedule` spell them: five fields (minute, hour,
//! day of month, month, day of week) in local time, with lists, ranges, steps, month and day
//! names (`JAN`, `MON`), and the macros `@hourly`, `@daily`, `@weekly`, `@monthly`,
//! `@yearly` (`@annually`).
//!
//! This leaf owns checking an expression, with a message that names the field that is wrong,
//! and the next time it matches. Evaluation is the `croner` crate's; this module only checks
//! each field first so that a mistake reads as "the hour field `25` is out of range 0-23"
//! rather than as the crate's wording. It knows nothing of apps or config files.

use std::fmt;

use chrono::{DateTime, Local, TimeZone};

/// A checked cron expression and its text as written. The parsed form is boxed: it is large,
/// and an `AppSpec` holding two travels in messages.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CronExpr {
    text: String,
    cron: Box<croner::Cron>,
}

/// One of the five fields: its name in messages, its range and the names it accepts.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    /// Three-letter names, for the value at their index plus `min`.
    names: &'static [&'static str],
}

const MONTHS: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    Field {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    Field {
        name: "day-of-month",
        min: 1,
        max: 31,
        names: &[],
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: MONTHS,
    },
    // 7 is Sunday too, as in every cron.
    Field {
        name: "day-of-week",
        min: 0,
        max: 7,
        names: DAYS,
    },
];

/// The macros croner expands, as written in lower case.
const MACROS: &[&str] = &[
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@hourly",
];

/// The longest expression accepted: far more than any real one, so a file cannot make the
/// parser chew on megabytes.
const MAX_LEN: usize = 256;

impl CronExpr {
    /// Checks `text`; the error says what is wrong, naming the field.
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        if trimmed.len() > MAX_LEN {
            return Err(format!(
                "the expression is longer than {MAX_LEN} characters"
            ));
        }
        if trimmed.starts_with('@') {
            check_macro(trimmed)?;
        } else {
            check_fields(trimmed)?;
        }
        let parser = croner::parser::CronParser::builder()
            .seconds(croner::parser::Seconds::Disallowed)
            .year(croner::parser::Year::Disallowed)
            .build();
        let cron = parser
            .parse(trimmed)
            .map_err(|e| format!("invalid cron expression {trimmed:?}: {e}"))?;
        let expr = Self {
            text: trimmed.to_owned(),
            cron: Box::new(cron),
        };
        // `30 * 31 2 *` is well formed and never comes.
        let from = Local
            .with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
            .earliest()
            .unwrap_or_else(Local::now);
        if expr.next_after(&from).is_none() {
            return Err(format!("{trimmed:?} never matches a date"));
        }
        Ok(expr)
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first time after `now` (strictly, to the second) that the expression matches.
    pub fn next_after<Tz: TimeZone>(&self, now: &DateTime<Tz>) -> Option<DateTime<Tz>> {
        self.cron.find_next_occurrence(now, false).ok()
    }
}

fn check_macro(text: &str) -> Result<(), String> {
    let lower = text.to_ascii_lowercase();
    if MACROS.contains(&lower.as_str()) {
        return Ok(());
    }
    if lower == "@reboot" {
        return Err(
            "`@reboot` is not a schedule; `autostart = true` starts an app with its session".into(),
        );
    }
    Err(format!(
        "unknown macro `{text}`; expected one of {}",
        MACROS.join(", ")
    ))
}

fn check_fields(text: &str) -> Result<(), String> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    if fields.len() != FIELDS.len() {
        let found = fields.len();
        let seconds = if found == 6 {
            " (seconds are not supported)"
        } else {
            ""
        };
        return Err(format!(
            "expected 5 fields (minute hour day-of-month month day-of-week) or a macro like @daily, found {found}{seconds}"
        ));
    }
    for (field, text) in FIELDS.iter().zip(fields) {
        for item in text.split(',') {
            check_item(field, item).map_err(|Bad { part, why }| match part {
                Some(part) if part != text => {
                    format!("the {} field `{text}`: `{part}` {why}", field.name)
                }
                _ => format!("the {} field `{text}` {why}", field.name),
            })?;
        }
    }
    Ok(())
}

/// What is wrong in a field: the part of it at fault (when not the whole item) and why.
struct Bad<'a> {
    part: Option<&'a str>,
    why: String,
}

impl<'a> Bad<'a> {
    fn at(part: &'a str, why: impl Into<String>) -> Self {
        Self {
            part: Some(part),
            why: why.into(),
        }
    }
}

/// One list item: `*`, `N`, `A-B`, each with an optional `/STEP`. The special forms of the
/// day fields (`L`, `W`, `#`, `?`) are left to croner.
fn check_item<'a>(field: &Field, item: &'a str) -> Result<(), Bad<'a>> {
    if item.is_empty() {
        return Err(Bad {
            part: None,
            why: "has an empty list item".into(),
        });
    }
    let upper = item.to_ascii_uppercase();
    let day_field = field.max == 31 || field.names == DAYS;
    if day_field && is_special(&upper) {
        return Ok(());
    }
    let (base, step) = match item.split_once('/') {
        Some((base, step)) => (base, Some(step)),
        None => (item, None),
    };
    if let Some(step) = step {
        match step.parse::<u32>() {
            Ok(0) => return Err(Bad::at(item, "has a step of 0")),
            Ok(n) if n > field.max => {
                return Err(Bad::at(
                    item,
                    format!("has a step of {n}, more than {}", field.max),
                ));
            }
            Ok(_) => {}
            Err(_) => return Err(Bad::at(step, "is not a number (a step)")),
        }
    }
    if base == "*" {
        return Ok(());
    }
    let (from, to) = match base.split_once('-') {
        Some((a, b)) => (value(field, a)?, Some(value(field, b)?)),
        None => (value(field, base)?, None),
    };
    if let Some(to) = to
        && to < from
        // `FRI-SUN` is written that way; 7 is Sunday at the end of a week.
        && !(field.names == DAYS && to == 0)
    {
        return Err(Bad::at(base, "is a range that runs backwards"));
    }
    Ok(())
}

/// `?`, `L`, `LW`, `L-2`, `15W`, `5L`, `MON#2`: croner's forms for the day fields.
fn is_special(item: &str) -> bool {
    let digit_first = item.chars().next().is_some_and(|c| c.is_ascii_digit());
    item == "?"
        || item.contains('#')
        || item.starts_with('L')
        || digit_first && (item.ends_with('L') || item.ends_with('W'))
}

/// A number in range, or a name (in any case).
fn value<'a>(field: &Field, text: &'a str) -> Result<u32, Bad<'a>> {
    let upper = text.to_ascii_uppercase();
    if let Some(i) = field.names.iter().position(|n| *n == upper) {
        return Ok(field.min + i as u32);
    }
    let (min, max) = (field.min, field.max);
    match text.parse::<u64>() {
        Ok(n) if (u64::from(min)..=u64::from(max)).contains(&n) => Ok(n as u32),
        Ok(_) => Err(Bad::at(text, format!("is out of range {min}-{max}"))),
        Err(_) if field.names.is_empty() => Err(Bad::at(text, "is not a number")),
        Err(_) => Err(Bad::at(
            text,
            format!(
                "is not a number or a name ({}-{})",
                field.names[0],
                field.names[field.names.len() - 1]
            ),
        )),
    }
}

impl PartialEq for CronExpr {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl fmt::Debug for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CronExpr({:?})", self.text)
    }
}

impl fmt::Display for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl TryFrom<String> for CronExpr {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text)
    }
}

impl From<CronExpr> for String {
    fn from(expr: CronExpr) -> String {
        expr.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn err(text: &str) -> String {
        CronExpr::parse(text).unwrap_err()
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn a_wrong_field_is_named() {
        assert_eq!(
            err("0 25 * * *"),
            "the hour field `25` is out of range 0-23"
        );
        assert_eq!(
            err("60 * * * *"),
            "the minute field `60` is out of range 0-59"
        );
        assert_eq!(
            err("0 3 0 * *"),
            "the day-of-month field `0` is out of range 1-31"
        );
        assert_eq!(
            err("0 3 * 1-13 *"),
            "the month field `1-13`: `13` is out of range 1-12"
        );
        assert_eq!(
            err("0 3 * * MOX"),
            "the day-of-week field `MOX` is not a number or a name (SUN-SAT)"
        );
        assert_eq!(err("*/0 * * * *"), "the minute field `*/0` has a step of 0");
        assert_eq!(err("x * * * *"), "the minute field `x` is not a number");
        assert_eq!(
            err("1,,2 * * * *"),
            "the minute field `1,,2` has an empty list item"
        );
        assert_eq!(
            err("0 5-2 * * *"),
            "the hour field `5-2` is a range that runs backwards"
        );
        assert!(err("* * * *").starts_with("expected 5 fields"));
        assert!(err("0 * * * * *").ends_with("found 6 (seconds are not supported)"));
        assert!(err("@reboot").contains("autostart"));
        assert!(err("@often").starts_with("unknown macro `@often`"));
        assert_eq!(err("0 0 31 2 *"), "\"0 0 31 2 *\" never matches a date");
    }

    #[test]
    fn names_ranges_steps_lists_and_macros_are_accepted() {
        for ok in [
            "*/5 * * * *",
            "0 3 * * *",
            "0 9-17/2 * JAN-MAR MON-FRI",
            "15,45 * 1,15 * sun",
            "0 0 * * FRI-SUN",
            "0 0 L * *",
            "@daily",
            "@HOURLY",
            "  0 3 * * *  ",
        ] {
            assert!(
                CronExpr::parse(ok).is_ok(),
                "{ok}: {:?}",
                CronExpr::parse(ok)
            );
        }
        assert_eq!(CronExpr::parse(" @daily ").unwrap().as_str(), "@daily");
    }

    #[test]
    fn the_next_run_is_strictly_after_now() {
        let every5 = CronExpr::parse("*/5 * * * *").unwrap();
        assert_eq!(
            every5.next_after(&at(2026, 1, 10, 10, 2, 30)),
            Some(at(2026, 1, 10, 10, 5, 0))
        );
        // On the minute itself, the next one follows.
        assert_eq!(
            every5.next_after(&at(2026, 1, 10, 10, 5, 0)),
            Some(at(2026, 1, 10, 10, 10, 0))
        );
        let nightly = CronExpr::parse("0 3 * * *").unwrap();
        assert_eq!(
            nightly.next_after(&at(2026, 1, 10, 4, 0, 0)),
            Some(at(2026, 1, 11, 3, 0, 0))
        );
        let weekdays = CronExpr::parse("0 9 * * MON-FRI").unwrap();
        // 2026-01-10 is a Saturday.
        assert_eq!(
            weekdays.next_after(&at(2026, 1, 10, 12, 0, 0)),
            Some(at(2026, 1, 12, 9, 0, 0))
        );
        let hourly = CronExpr::parse("@hourly").unwrap();
        assert_eq!(
            hourly.next_after(&at(2026, 1, 10, 12, 59, 59)),
            Some(at(2026, 1, 10, 13, 0, 0))
        );
    }

    #[test]
    fn it_travels_as_its_text() {
        let expr = CronExpr::parse("0 3 * * *").unwrap();
        let json = serde_json::to_string(&expr).unwrap();
        assert_eq!(json, "\"0 3 * * *\"");
        let back: CronExpr = serde_json::from_str(&json).unwrap();
        assert_eq!(back, expr);
        assert!(serde_json::from_str::<CronExpr>("\"0 25 * * *\"").is_err());
    }
}
