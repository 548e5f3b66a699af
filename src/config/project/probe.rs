//! `ready` and `health` in an `[[app]]`: a probe table read into a `ProbeSpec`.
//!
//! This module owns the probe keys as a file spells them: exactly one kind (`http`, `tcp`,
//! `exec`, `log`), the timings (`interval`, `timeout`, `initial_delay`), `timeout_total` for
//! `ready` only and `failures` for `health` only, each checked where it is written. What a
//! URL, address or pattern may be, the defaults and the ranges are `probe_spec`'s, whose
//! constructors and `validate` this module calls rather than repeating.

use std::ops::{Range, RangeInclusive};
use std::time::Duration;

use toml::de::DeTable;

use crate::config::doc::{Keys, Report, Value, list};
use crate::probe_spec::{
    KINDS, MAX_DURATION, MAX_FAILURES, MIN_INTERVAL, ProbeKind, ProbeSpec, Role,
};

/// Every key either probe table may hold; the keys of the other role are refused with a
/// message of their own rather than as unknown.
pub(crate) const KNOWN: &[&str] = &[
    "http",
    "tcp",
    "exec",
    "log",
    "interval",
    "timeout",
    "initial_delay",
    "timeout_total",
    "failures",
];

/// Names from docker compose, Kubernetes and systemd, and the key meant.
const ALIASES: &[(&str, &str)] = &[
    ("url", "http"),
    ("get", "http"),
    ("address", "tcp"),
    ("connect", "tcp"),
    ("command", "exec"),
    ("cmd", "exec"),
    ("test", "exec"),
    ("pattern", "log"),
    ("regex", "log"),
    ("period", "interval"),
    ("every", "interval"),
    ("delay", "initial_delay"),
    ("start_period", "initial_delay"),
    ("initial_delay_seconds", "initial_delay"),
    ("deadline", "timeout_total"),
    ("retries", "failures"),
    ("failure_threshold", "failures"),
];

const READY_KEYS: Keys = Keys {
    context: "`ready`",
    known: KNOWN,
    aliases: ALIASES,
};

const HEALTH_KEYS: Keys = Keys {
    context: "`health`",
    known: KNOWN,
    aliases: ALIASES,
};

/// Between attempts, and per attempt: never so short that a probe spins.
const POLL: RangeInclusive<Duration> = MIN_INTERVAL..=MAX_DURATION;
const DELAY: RangeInclusive<Duration> = Duration::ZERO..=MAX_DURATION;

/// Reads the probe table at `value` for `role`, reporting every problem; the spec only when
/// there was none.
pub(super) fn parse(report: &mut Report<'_>, value: &Value<'_>, role: Role) -> Option<ProbeSpec> {
    let (key, keys, other) = match role {
        Role::Ready => ("ready", &READY_KEYS, ("failures", "health")),
        Role::Health => ("health", &HEALTH_KEYS, ("timeout_total", "ready")),
    };
    let table = report.table(value, key)?;
    report.unknown_keys(table, keys);
    let (wrong, owner) = other;
    let misplaced = table.iter().find(|(k, _)| k.get_ref().as_ref() == wrong);
    if let Some((at, _)) = misplaced {
        let message = format!("`{wrong}` applies only to `{owner}` probes");
        report.error(&at.span(), message);
    }
    let kind = kind(report, table, &value.span(), key);
    let duration = |report: &mut Report<'_>, name: &str, range: &RangeInclusive<Duration>| {
        let value = table.get(name)?;
        report.duration(value, &format!("{key}.{name}"), range)
    };
    let interval = duration(report, "interval", &POLL);
    let timeout = duration(report, "timeout", &POLL);
    let initial_delay = duration(report, "initial_delay", &DELAY);
    let timeout_total = match role {
        Role::Ready => duration(report, "timeout_total", &POLL),
        Role::Health => None,
    };
    let failures = match (role, table.get("failures")) {
        (Role::Health, Some(value)) => {
            let what = format!("{key}.failures");
            report.integer(value, &what, 1, MAX_FAILURES.into())
        }
        _ => None,
    };
    let (kind, at) = kind?;
    let mut spec = match role {
        Role::Ready => ProbeSpec::ready(kind),
        Role::Health => ProbeSpec::health(kind),
    };
    spec.interval = interval.unwrap_or(spec.interval);
    spec.timeout = timeout.unwrap_or(spec.timeout);
    spec.initial_delay = initial_delay.unwrap_or(spec.initial_delay);
    spec.timeout_total = timeout_total.or(spec.timeout_total);
    spec.failures = failures
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(spec.failures);
    // The ranges were checked at each value; what is left is whether the kind suits the role.
    if let Err(err) = spec.validate(role) {
        report.error(&at, format!("`{key}`: {err}"));
        return None;
    }
    Some(spec)
}

/// The one kind in `table` and where its key is. None, or more than one, is an error: at the
/// table when there is none, at the second kind's key when there are several.
fn kind(
    report: &mut Report<'_>,
    table: &DeTable<'_>,
    span: &Range<usize>,
    key: &str,
) -> Option<(ProbeKind, Range<usize>)> {
    let mut present: Vec<_> = table
        .iter()
        .filter(|(k, _)| KINDS.contains(&k.get_ref().as_ref()))
        .collect();
    present.sort_by_key(|(k, _)| k.span().start);
    let kinds = list(&KINDS);
    let parsed: Vec<_> = present
        .iter()
        .map(|(k, v)| one_kind(report, k.get_ref().as_ref(), v, key).map(|kind| (kind, k.span())))
        .collect();
    match present.as_slice() {
        [] => {
            // Worded as missing, so that a misspelt kind (`url`) is the problem shown first.
            let message = format!("`{key}` is missing what to check: one of {kinds}");
            report.error(span, message);
            None
        }
        [_] => parsed.into_iter().next().flatten(),
        [(first, _), (second, _), ..] => {
            let (first, second) = (first.get_ref(), second.get_ref());
            let message = format!(
                "`{key}` has both `{first}` and `{second}`: a probe checks exactly one of {kinds}"
            );
            report.error(&present[1].0.span(), message);
            None
        }
    }
}

/// The kind written as `name = value`, checked by the probe vocabulary.
fn one_kind(
    report: &mut Report<'_>,
    name: &str,
    value: &Value<'_>,
    key: &str,
) -> Option<ProbeKind> {
    let what = format!("{key}.{name}");
    let made = match name {
        "exec" => {
            let command = report.command(value, &what)?;
            ProbeKind::exec(command)
        }
        _ => {
            let text = report.string(value, &what)?;
            match name {
                "http" => ProbeKind::http(text),
                "tcp" => ProbeKind::tcp(text),
                _ => ProbeKind::log(text),
            }
        }
    };
    made.map_err(|err| report.error(&value.span(), format!("`{what}`: {err}")))
        .ok()
}
