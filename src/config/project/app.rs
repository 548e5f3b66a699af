//! One `[[app]]` table turned into an `AppSpec`: every key's type, range and meaning.
//!
//! This module owns the per-app rules (names, commands, cwd, env and how it layers over
//! `env_file`, restart policy, backoff, signals, log rotation) and the range of every
//! duration, size and count, which [`AppSpec::check_limits`] also applies to specs that come
//! from elsewhere (`run`, the control API, the state file). The orchestration keys have rooms
//! of their own (`depends`, `probe`, `env_file`); rules that span apps, such as duplicate
//! names and dependency cycles, live in `project` and `depends`.

use std::ops::{Range, RangeInclusive};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use toml::de::{DeTable, DeValue};

use super::depends::{self, Entry};
use super::env_file::{self, EnvFiles};
use super::{AppSpec, Backoff, CommandSpec, LogSpec, RestartPolicy};
use crate::config::doc::{Keys, Report, Value, list, set};
use crate::probe_spec::Role;

pub(crate) const APP_KEYS: Keys = Keys {
    context: "[[app]]",
    known: &[
        "name",
        "cmd",
        "cwd",
        "env",
        "autostart",
        "restart",
        "backoff",
        "max_restarts",
        "min_uptime",
        "stop_signal",
        "stop_timeout",
        "log",
        "depends_on",
        "ready",
        "health",
        "env_file",
        "instances",
        "port",
        "watch",
        "watch_ignore",
        "watch_debounce",
        "cron_restart",
        "schedule",
        "max_memory",
        "remain_on_exit",
    ],
    aliases: &[
        ("replicas", "instances"),
        ("scale", "instances"),
        ("count", "instances"),
        ("listen_port", "port"),
        ("command", "cmd"),
        ("script", "cmd"),
        ("exec", "cmd"),
        ("dir", "cwd"),
        ("directory", "cwd"),
        ("workdir", "cwd"),
        ("working_dir", "cwd"),
        ("environment", "env"),
        ("auto_start", "autostart"),
        ("remain-on-exit", "remain_on_exit"),
        ("restart_policy", "restart"),
        ("kill_signal", "stop_signal"),
        ("kill_timeout", "stop_timeout"),
        ("max_restart", "max_restarts"),
        ("depends", "depends_on"),
        ("dependencies", "depends_on"),
        ("after", "depends_on"),
        ("requires", "depends_on"),
        ("readiness", "ready"),
        ("readiness_probe", "ready"),
        ("healthcheck", "health"),
        ("health_check", "health"),
        ("liveness", "health"),
        ("env_files", "env_file"),
        ("envfile", "env_file"),
        ("dotenv", "env_file"),
        ("watch_paths", "watch"),
        ("ignore_watch", "watch_ignore"),
        ("watch_ignores", "watch_ignore"),
        ("watch_delay", "watch_debounce"),
        ("cron", "cron_restart"),
        ("restart_cron", "cron_restart"),
        ("cron_schedule", "schedule"),
        ("max_memory_restart", "max_memory"),
        ("memory_limit", "max_memory"),
        ("mem_limit", "max_memory"),
    ],
};

/// What every app of one project shares while its `[[app]]` tables are read.
pub(super) struct Scope<'a> {
    /// The project directory, absolute.
    pub dir: &'a Path,
    /// The variables of the top-level `env_file`, in order.
    pub shared_env: Vec<(String, String)>,
    pub env_files: EnvFiles<'a>,
}

pub(crate) const BACKOFF_KEYS: Keys = Keys {
    context: "`backoff`",
    known: &["initial", "max", "factor"],
    aliases: &[("min", "initial"), ("multiplier", "factor")],
};

pub(crate) const LOG_KEYS: Keys = Keys {
    context: "`log`",
    known: &["max_size", "max_files"],
    aliases: &[
        ("size", "max_size"),
        ("files", "max_files"),
        ("retain", "max_files"),
    ],
};

/// The spellings `stop_signal` accepts, with or without a `SIG` prefix, in any case.
const SIGNALS: &[(&str, i32)] = &[
    ("TERM", libc::SIGTERM),
    ("INT", libc::SIGINT),
    ("HUP", libc::SIGHUP),
    ("QUIT", libc::SIGQUIT),
    ("KILL", libc::SIGKILL),
    ("USR1", libc::SIGUSR1),
    ("USR2", libc::SIGUSR2),
];

/// The highest signal number: real-time signals run up to 64 on Linux; elsewhere only the
/// classic 31 are portable.
const MAX_SIGNAL: u64 = if cfg!(target_os = "linux") { 64 } else { 31 };

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

/// How long a stop may wait before SIGKILL.
pub const STOP_TIMEOUT: RangeInclusive<Duration> = Duration::ZERO..=HOUR;
/// How long a run must last to count as healthy.
pub const MIN_UPTIME: RangeInclusive<Duration> = Duration::ZERO..=DAY;
/// `backoff.initial` and `backoff.max`.
pub const BACKOFF: RangeInclusive<Duration> = Duration::ZERO..=DAY;
/// `backoff.factor`: below 1 the delay would shrink; above 100 the second delay is the max.
pub const BACKOFF_FACTOR: RangeInclusive<f64> = 1.0..=100.0;
pub const MAX_RESTARTS: RangeInclusive<u64> = 0..=1_000_000;
/// `log.max_size`: zero would rotate on every write.
pub const LOG_SIZE: RangeInclusive<u64> = 1..=1 << 40;
/// `log.max_files`: rotation renames each file kept, and readers look at no more than these.
pub const LOG_FILES: RangeInclusive<u64> = 1..=1000;

impl super::AppSpec {
    /// The ranges a project file enforces, for a spec that did not come from one. The error
    /// names the app and the first value out of range.
    pub fn check_limits(&self) -> Result<(), String> {
        let duration = |key: &str, d: Duration, range: &RangeInclusive<Duration>| {
            (!range.contains(&d)).then(|| {
                let found = crate::units::format_duration(d);
                crate::units::duration_out_of_range(key, &found, range)
            })
        };
        let count = |key: &str, n: u64, range: &RangeInclusive<u64>| {
            (!range.contains(&n)).then(|| {
                let (min, max) = (range.start(), range.end());
                format!("`{key}` must be between {min} and {max}, found {n}")
            })
        };
        let factor = self.backoff.factor;
        let problem = duration("stop_timeout", self.stop_timeout, &STOP_TIMEOUT)
            .or_else(|| duration("min_uptime", self.min_uptime, &MIN_UPTIME))
            .or_else(|| duration("backoff.initial", self.backoff.initial, &BACKOFF))
            .or_else(|| duration("backoff.max", self.backoff.max, &BACKOFF))
            .or_else(|| {
                (!BACKOFF_FACTOR.contains(&factor))
                    .then(|| format!("`backoff.factor` must be between 1 and 100, found {factor}"))
            })
            .or_else(|| {
                let n = u64::from(self.max_restarts);
                count("max_restarts", n, &MAX_RESTARTS)
            })
            .or_else(|| {
                let (size, range) = (self.log.max_size, &LOG_SIZE);
                (!range.contains(&size)).then(|| {
                    crate::units::size_out_of_range("log.max_size", &size.to_string(), range)
                })
            })
            .or_else(|| count("log.max_files", self.log.max_files.into(), &LOG_FILES))
            .or_else(|| {
                let size = self.max_memory?;
                let range = super::schedule::MAX_MEMORY;
                (!range.contains(&size)).then(|| {
                    crate::units::size_out_of_range("max_memory", &size.to_string(), &range)
                })
            })
            .or_else(|| {
                let signal = u64::try_from(self.stop_signal).unwrap_or(0);
                count("stop_signal", signal, &(1..=MAX_SIGNAL))
            })
            .or_else(|| {
                let port = self.port.map_or(1, u64::from);
                count("port", port, &super::instances::PORT)
            })
            .or_else(|| {
                let watch = self.watch.as_ref()?;
                watch.check_limits().err()
            })
            .or_else(|| {
                let probes = [
                    ("ready", Role::Ready, &self.ready),
                    ("health", Role::Health, &self.health),
                ];
                probes.into_iter().find_map(|(key, role, probe)| {
                    let err = probe.as_ref()?.validate(role).err()?;
                    Some(format!("`{key}`: {err}"))
                })
            });
        match problem {
            Some(p) => Err(format!("app {}: {p}", crate::names::quoted(&self.name))),
            None => Ok(()),
        }
    }
}

/// Reads one `[[app]]` table whose header is at `header`. Every problem is reported; the spec
/// is returned only when the name and command are usable, its `depends_on` entries (located,
/// for the checks across apps) whenever they could be read.
pub(super) fn parse_app(
    report: &mut Report<'_>,
    table: &DeTable<'_>,
    header: &Range<usize>,
    scope: &mut Scope<'_>,
) -> (Option<AppSpec>, Vec<Entry>) {
    let dir = scope.dir;
    report.unknown_keys(table, &APP_KEYS);
    let name = required(report, table, "name", header).and_then(|v| app_name(report, v));
    let what = match &name {
        Some(name) => format!("app `{name}`"),
        None => "[[app]]".to_owned(),
    };
    let cmd = match table.get("cmd") {
        Some(value) => report.command(value, "cmd"),
        None => {
            report.error(header, format!("{what} is missing `cmd`"));
            None
        }
    };
    let mut spec = AppSpec::ad_hoc(
        String::new(),
        CommandSpec::Argv(Vec::new()),
        dir.to_path_buf(),
    );
    let (min, max) = (*MAX_RESTARTS.start(), *MAX_RESTARTS.end());
    let max_restarts = table
        .get("max_restarts")
        .and_then(|v| report.integer(v, "max_restarts", min, max));
    set(
        &mut spec.cwd,
        table.get("cwd").and_then(|v| working_dir(report, v, dir)),
    );
    spec.env = layered_environment(report, table, scope);
    set(
        &mut spec.autostart,
        table
            .get("autostart")
            .and_then(|v| report.boolean(v, "autostart")),
    );
    spec.remain_on_exit = table
        .get("remain_on_exit")
        .and_then(|v| report.boolean(v, "remain_on_exit"));
    set(
        &mut spec.restart,
        table.get("restart").and_then(|v| restart_policy(report, v)),
    );
    set(
        &mut spec.backoff,
        table.get("backoff").and_then(|v| backoff(report, v)),
    );
    set(
        &mut spec.max_restarts,
        max_restarts.and_then(|n| u32::try_from(n).ok()),
    );
    set(
        &mut spec.min_uptime,
        table
            .get("min_uptime")
            .and_then(|v| report.duration(v, "min_uptime", &MIN_UPTIME)),
    );
    set(
        &mut spec.stop_signal,
        table
            .get("stop_signal")
            .and_then(|v| stop_signal(report, v)),
    );
    set(
        &mut spec.stop_timeout,
        table
            .get("stop_timeout")
            .and_then(|v| report.duration(v, "stop_timeout", &STOP_TIMEOUT)),
    );
    set(&mut spec.log, table.get("log").and_then(|v| log(report, v)));
    spec.watch = super::watch::parse(report, table, dir).map(Box::new);
    let entries = orchestration(report, table, &mut spec);
    super::schedule::parse(report, table, &mut spec);
    let spec = match (name, cmd) {
        (Some(name), Some(cmd)) => Some(AppSpec { name, cmd, ..spec }),
        _ => None,
    };
    (spec, entries)
}

/// `depends_on`, `ready` and `health` into `spec`; returns the located `depends_on` entries.
fn orchestration(report: &mut Report<'_>, table: &DeTable<'_>, spec: &mut AppSpec) -> Vec<Entry> {
    let entries = match table.get("depends_on") {
        Some(value) => depends::parse(report, value),
        None => Vec::new(),
    };
    spec.depends_on = entries.iter().map(|e| e.dep.clone()).collect();
    spec.ready = table
        .get("ready")
        .and_then(|v| super::probe::parse(report, v, Role::Ready))
        .map(Box::new);
    spec.health = table
        .get("health")
        .and_then(|v| super::probe::parse(report, v, Role::Health))
        .map(Box::new);
    entries
}

/// The app's environment: the top-level `env_file`s, then its own, then its `env`, each later
/// value for a name replacing an earlier one.
fn layered_environment(
    report: &mut Report<'_>,
    table: &DeTable<'_>,
    scope: &mut Scope<'_>,
) -> Vec<(String, String)> {
    let files = table
        .get("env_file")
        .and_then(|v| scope.env_files.read(report, v));
    let own = table.get("env").and_then(|v| environment(report, v));
    let layers = scope.shared_env.iter().cloned();
    env_file::merge(
        layers
            .chain(files.unwrap_or_default())
            .chain(own.unwrap_or_default()),
    )
}

fn required<'t, 'i>(
    report: &mut Report<'_>,
    table: &'t DeTable<'i>,
    key: &str,
    header: &Range<usize>,
) -> Option<&'t Value<'i>> {
    let value = table.get(key);
    if value.is_none() {
        report.error(header, format!("[[app]] is missing `{key}`"));
    }
    value
}

/// App names appear in targets (`SESSION:APP`), listings and log file names; `names` has the
/// rules.
fn app_name(report: &mut Report<'_>, value: &Value<'_>) -> Option<String> {
    let name = report.string(value, "name")?;
    match crate::names::problem(crate::names::Kind::App, name) {
        Some(problem) => {
            let found = crate::names::quoted(name);
            report.error(
                &value.span(),
                format!("app `name` {problem}, found {found}"),
            );
            None
        }
        None => Some(name.to_owned()),
    }
}

/// `cwd` resolved against the project directory; it must be an existing directory.
fn working_dir(report: &mut Report<'_>, value: &Value<'_>, dir: &Path) -> Option<PathBuf> {
    let cwd = report.string(value, "cwd")?;
    // Collecting components drops `.` segments; `..` is kept, because resolving it lexically
    // would be wrong when a symlink is involved.
    let resolved: PathBuf = dir
        .join(cwd)
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    let problem = match std::fs::metadata(&resolved) {
        Ok(meta) if meta.is_dir() => return Some(resolved),
        Ok(_) => "is not a directory",
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => "does not exist",
        Err(_) => "cannot be accessed",
    };
    report.error(
        &value.span(),
        format!("`cwd`: {} {problem}", resolved.display()),
    );
    None
}

/// `env` as sorted pairs. Numbers and booleans are accepted and written as TOML shows them,
/// because `PORT = 3000` is how people write it and an environment only holds strings.
fn environment(report: &mut Report<'_>, value: &Value<'_>) -> Option<Vec<(String, String)>> {
    let table = report.table(value, "env")?;
    let mut env = Vec::with_capacity(table.len());
    for (key, entry) in table.iter() {
        let name = key.get_ref().as_ref();
        if name.is_empty() || name.contains(['=', '\0']) {
            let message = format!(
                "`env`: invalid variable name {name:?} (it must be non-empty, without `=`)"
            );
            report.error(&key.span(), message);
            continue;
        }
        let text = match entry.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Integer(int) => int.to_string(),
            DeValue::Float(float) => float.to_string(),
            DeValue::Boolean(b) => b.to_string(),
            other => {
                let found = crate::config::doc::article(other);
                let message =
                    format!("`env.{name}`: expected a string, number or boolean, found {found}");
                report.error(&entry.span(), message);
                continue;
            }
        };
        if text.contains('\0') {
            report.error(
                &entry.span(),
                format!("`env.{name}` must not contain a NUL character"),
            );
            continue;
        }
        env.push((name.to_owned(), text));
    }
    env.sort();
    Some(env)
}

fn restart_policy(report: &mut Report<'_>, value: &Value<'_>) -> Option<RestartPolicy> {
    let text = report.string(value, "restart")?;
    let policy = RestartPolicy::parse(text);
    if policy.is_none() {
        let valid = list(&["never", "on-failure", "always"]);
        let message = format!("`restart`: unknown policy {text:?}; expected one of {valid}");
        report.error(&value.span(), message);
    }
    policy
}

fn backoff(report: &mut Report<'_>, value: &Value<'_>) -> Option<Backoff> {
    let table = report.table(value, "backoff")?;
    report.unknown_keys(table, &BACKOFF_KEYS);
    let mut backoff = Backoff::default();
    let initial = table.get("initial");
    let max = table.get("max");
    if let Some(d) = initial.and_then(|v| report.duration(v, "backoff.initial", &BACKOFF)) {
        backoff.initial = d;
    }
    if let Some(d) = max.and_then(|v| report.duration(v, "backoff.max", &BACKOFF)) {
        backoff.max = d;
    }
    if let Some(factor_value) = table.get("factor") {
        match report.number(factor_value, "backoff.factor") {
            Some(factor) if !BACKOFF_FACTOR.contains(&factor) => {
                let message = format!("`backoff.factor` must be between 1 and 100, found {factor}");
                report.error(&factor_value.span(), message);
            }
            Some(factor) => backoff.factor = factor,
            None => {}
        }
    }
    if backoff.initial > backoff.max {
        // Blame the key that was written; when both are, `initial` is the one that reads wrong.
        if let Some(at) = initial.or(max) {
            let message = format!(
                "`backoff.initial` ({}) is greater than `backoff.max` ({})",
                crate::units::format_duration(backoff.initial),
                crate::units::format_duration(backoff.max),
            );
            report.error(&at.span(), message);
        }
    }
    Some(backoff)
}

fn stop_signal(report: &mut Report<'_>, value: &Value<'_>) -> Option<i32> {
    match value.get_ref() {
        DeValue::Integer(_) => report
            .integer(value, "stop_signal", 1, MAX_SIGNAL)
            .and_then(|n| i32::try_from(n).ok()),
        DeValue::String(name) => {
            let upper = name.to_ascii_uppercase();
            let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
            let signal = SIGNALS
                .iter()
                .find(|(known, _)| *known == bare)
                .map(|(_, n)| *n);
            if signal.is_none() {
                let names: Vec<&str> = SIGNALS.iter().map(|(known, _)| *known).collect();
                let message = format!(
                    "`stop_signal`: unknown signal {name:?}; expected one of {} or a signal number",
                    list(&names)
                );
                report.error(&value.span(), message);
            }
            signal
        }
        other => {
            let found = crate::config::doc::article(other);
            let message = format!(
                "`stop_signal`: expected a signal name like \"TERM\" or a number, found {found}"
            );
            report.error(&value.span(), message);
            None
        }
    }
}

fn log(report: &mut Report<'_>, value: &Value<'_>) -> Option<LogSpec> {
    let table = report.table(value, "log")?;
    report.unknown_keys(table, &LOG_KEYS);
    let mut log = LogSpec::default();
    if let Some(size) = table
        .get("max_size")
        .and_then(|v| report.size(v, "log.max_size", &LOG_SIZE))
    {
        log.max_size = size;
    }
    let (min, max) = (*LOG_FILES.start(), *LOG_FILES.end());
    let files = table
        .get("max_files")
        .and_then(|v| report.integer(v, "log.max_files", min, max));
    if let Some(files) = files.and_then(|n| u32::try_from(n).ok()) {
        log.max_files = files;
    }
    Some(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_from_elsewhere_get_the_same_ranges() {
        let mut spec = AppSpec::ad_hoc("api".into(), CommandSpec::Shell("true".into()), "/".into());
        assert_eq!(spec.check_limits(), Ok(()));
        spec.stop_timeout = Duration::from_secs(u64::MAX);
        assert_eq!(
            spec.check_limits().unwrap_err(),
            "app \"api\": `stop_timeout` must be at most 1h, found \"18446744073709551615s\""
        );
        spec.stop_timeout = Duration::from_secs(5);
        spec.log.max_files = u32::MAX;
        let err = spec.check_limits().unwrap_err();
        assert!(
            err.contains("`log.max_files` must be between 1 and 1000"),
            "{err}"
        );
        spec.log.max_files = 5;
        spec.max_memory = Some(10);
        let err = spec.check_limits().unwrap_err();
        assert!(
            err.contains("`max_memory` must be between 1MB and 1TiB"),
            "{err}"
        );
        spec.max_memory = Some(500_000_000);
        assert_eq!(spec.check_limits(), Ok(()));
        spec.backoff.factor = f64::NAN;
        assert!(spec.check_limits().unwrap_err().contains("backoff.factor"));
    }
}
