//! The project file, `appmux.toml`: a session name, `env_file`s for every app and its
//! `[[app]]` entries; or, in a directory without one, a `Procfile` (`from_procfile`).
//!
//! This module owns the project types (`Project`, `AppSpec` and its parts), finding, loading,
//! checking and appending to the file, and every validation rule for it. It must not start
//! processes or touch the session; the `app` lifecycle and the server consume an `AppSpec` as
//! plain data, built from `app`'s own vocabulary (`Dependency`, `ProbeSpec`). Positions come
//! from `toml::de::DeTable::parse`, which spans every key and value (see `doc`): unknown keys
//! point at the key, bad values at the value, a missing key at its `[[app]]` header, a
//! duplicate name at the second `name` value, and a problem inside an env file at its line
//! there.

pub(crate) mod app;
mod append;
pub(crate) mod depends;
mod env_file;
mod from_procfile;
pub mod instances;
pub(crate) mod probe;
mod schedule;
mod watch;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::de::{DeTable, DeValue};

use super::doc::{Keys, Report, Value};
use super::error::{self, ConfigError};
use super::procfile::{PROCFILE, is_procfile};
use crate::cron::CronExpr;
use crate::dependency::Dependency;
use crate::probe_spec::ProbeSpec;
use crate::watch_spec::WatchSpec;
use depends::Declared;

pub use append::append_app;
pub use instances::Instance;

pub use crate::command::{Backoff, CommandSpec, RestartPolicy};

/// The file name looked for in a project directory.
pub const PROJECT_FILE: &str = "appmux.toml";

/// Log rotation: rotate when the file reaches `max_size` bytes, keep `max_files` files.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogSpec {
    pub max_size: u64,
    pub max_files: u32,
}

impl Default for LogSpec {
    fn default() -> Self {
        Self {
            max_size: 10_000_000,
            max_files: 5,
        }
    }
}

/// One app as configured, with every default filled in and every path resolved.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AppSpec {
    pub name: String,
    pub cmd: CommandSpec,
    /// Absolute: relative `cwd` values are resolved against the project file's directory.
    pub cwd: PathBuf,
    /// Sorted by key, so equal configs compare equal and listings are stable.
    pub env: Vec<(String, String)>,
    pub autostart: bool,
    pub restart: RestartPolicy,
    pub backoff: Backoff,
    pub min_uptime: Duration,
    pub max_restarts: u32,
    pub stop_signal: i32,
    pub stop_timeout: Duration,
    pub log: LogSpec,
    /// What must hold of other apps of the session before this one starts, in the order
    /// written; every name is another app of the same project.
    #[serde(default)]
    pub depends_on: Vec<Dependency>,
    /// The readiness probe, `ready`. Boxed, as probes are rare and an `AppSpec` travels in
    /// messages.
    #[serde(default)]
    pub ready: Option<Box<ProbeSpec>>,
    /// The health probe, `health`.
    #[serde(default)]
    pub health: Option<Box<ProbeSpec>>,
    /// `port`: the app gets `PORT=port`, each instance `PORT=port+N`.
    #[serde(default)]
    pub port: Option<u16>,
    /// Set on each app an entry with `instances` runs: which entry, which copy.
    #[serde(default)]
    pub instance: Option<Instance>,
    /// `watch`, `watch_ignore` and `watch_debounce`: files whose change restarts the app.
    #[serde(default)]
    pub watch: Option<Box<WatchSpec>>,
    /// `cron_restart`: when a running app is restarted (local time).
    #[serde(default)]
    pub cron_restart: Option<CronExpr>,
    /// `schedule`: when the app is started, unless it still runs (local time).
    #[serde(default)]
    pub schedule: Option<CronExpr>,
    /// `max_memory`: the RSS of its process tree, in bytes, above which it is restarted.
    #[serde(default)]
    pub max_memory: Option<u64>,
    /// `remain_on_exit`: whether its pane stays, showing the exit, once it has exited for good.
    /// `None` follows the default: a configured app's pane stays; an ad-hoc shell's or
    /// command's follows `remain_on_exit` in config.toml (tmux's option).
    #[serde(default)]
    pub remain_on_exit: Option<bool>,
}

impl AppSpec {
    /// An ad-hoc app (from `appmux run`): the defaults above with this command.
    pub fn ad_hoc(name: String, cmd: CommandSpec, cwd: PathBuf) -> Self {
        Self {
            name,
            cmd,
            cwd,
            env: Vec::new(),
            autostart: true,
            restart: RestartPolicy::default(),
            backoff: Backoff::default(),
            min_uptime: Duration::from_secs(1),
            max_restarts: 10,
            stop_signal: libc::SIGTERM,
            stop_timeout: Duration::from_secs(5),
            log: LogSpec::default(),
            depends_on: Vec::new(),
            ready: None,
            health: None,
            port: None,
            instance: None,
            watch: None,
            cron_restart: None,
            schedule: None,
            max_memory: None,
            remain_on_exit: None,
        }
    }
}

/// A loaded, valid project file.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// Absolute path of the file.
    pub file: PathBuf,
    pub session: String,
    pub apps: Vec<AppSpec>,
}

pub(crate) const TOP_KEYS: Keys = Keys {
    context: "the top level",
    known: &["session", "app", "env_file"],
    aliases: &[
        ("name", "session"),
        ("apps", "app"),
        ("env_files", "env_file"),
        ("dotenv", "env_file"),
    ],
};

/// `appmux.toml` in `dir`, else a `Procfile` there, if present (no walking up).
pub fn find_project(dir: &Path) -> Option<PathBuf> {
    [PROJECT_FILE, PROCFILE]
        .into_iter()
        .map(|name| dir.join(name))
        .find(|file| file.is_file())
}

/// Reads, parses and validates. The first problem found is returned, located in the file.
pub fn load_project(path: &Path) -> Result<Project, ConfigError> {
    let text = read_text(path)?;
    parse_project(&text, path)
}

/// All problems found (for `appmux check`), each located; empty means valid.
pub fn check_project(path: &Path) -> Vec<ConfigError> {
    match read_text(path) {
        Ok(text) => analyze(&text, path).1,
        Err(err) => vec![err],
    }
}

/// Parses and validates `text` as the contents of `file`: a Procfile when the file is named
/// like one (`procfile::is_procfile`), else a project file. The file need not exist, but its
/// directory is where relative `cwd` and `env_file` values are resolved and checked.
pub fn parse_project(text: &str, file: &Path) -> Result<Project, ConfigError> {
    match analyze(text, file) {
        (Some(project), errors) if errors.is_empty() => Ok(project),
        (_, errors) => Err(first_to_report(errors)
            .unwrap_or_else(|| ConfigError::whole_file(file, "invalid project file"))),
    }
}

/// The one error worth showing when only one is shown: a "missing key" is often the
/// consequence of a misspelt one (`comand` leaves `cmd` missing), so the misspelling, if any,
/// comes first; otherwise the first in file order.
fn first_to_report(errors: Vec<ConfigError>) -> Option<ConfigError> {
    let consequence = |e: &ConfigError| e.message.contains("is missing");
    let mut errors = errors.into_iter();
    let first = errors.next()?;
    if !consequence(&first) {
        return Some(first);
    }
    Some(errors.find(|e| !consequence(e)).unwrap_or(first))
}

/// A config, project, keymap or theme file's text: a regular file of at most
/// [`MAX_CONFIG_BYTES`](super::file::MAX_CONFIG_BYTES), valid UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String, ConfigError> {
    let bytes = super::file::read_regular(path, super::file::MAX_CONFIG_BYTES)
        .map_err(|err| ConfigError::whole_file(path, format!("cannot read the file: {err}")))?;
    error::decode(path, bytes)
}

/// The file as an absolute path: messages name it as the caller did, the project records this.
fn absolute_of(file: &Path) -> PathBuf {
    std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf())
}

/// The directory of an absolute file path: where relative paths in the file start.
fn dir_of(absolute: &Path) -> &Path {
    absolute.parent().unwrap_or_else(|| Path::new("/"))
}

/// The project (when nothing essential is missing) and every problem found, in file order.
fn analyze(text: &str, file: &Path) -> (Option<Project>, Vec<ConfigError>) {
    if is_procfile(file) {
        return from_procfile::analyze(text, file);
    }
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(err) => return (None, vec![ConfigError::from_toml(file, text, &err)]),
    };
    let root = root.get_ref();
    let absolute = absolute_of(file);
    let dir = dir_of(&absolute);
    let mut report = Report::new(file, text);
    report.unknown_keys(root, &TOP_KEYS);
    let session = match root.get("session") {
        Some(value) => session_name(&mut report, value),
        None => Some(default_session_name(dir)),
    };
    let shown_dir = file.parent().unwrap_or_else(|| Path::new(""));
    let mut env_files = env_file::EnvFiles::new(dir, shown_dir);
    let shared_env = root.get("env_file").map(|v| env_files.read(&mut report, v));
    let mut scope = app::Scope {
        dir,
        shared_env: shared_env.flatten().unwrap_or_default(),
        env_files,
    };
    let apps = match root.get("app") {
        Some(value) => apps(&mut report, value, &mut scope),
        None => Some(Vec::new()),
    };
    let project = match (session, apps) {
        (Some(session), Some(apps)) => Some(Project {
            file: absolute.clone(),
            session,
            apps,
        }),
        _ => None,
    };
    (project, report.finish())
}

fn session_name(report: &mut Report<'_>, value: &Value<'_>) -> Option<String> {
    let name = report.string(value, "session")?;
    // `:` separates SESSION:APP in targets and `.` is reserved for pane indexes, as in tmux;
    // `names` has the rules.
    match crate::names::problem(crate::names::Kind::Session, name) {
        Some(problem) => {
            report.error(&value.span(), format!("`session` {problem}"));
            None
        }
        None => Some(name.to_owned()),
    }
}

/// The project directory's name, with the characters a session name cannot hold replaced by
/// `_` (as tmux does) and cut to length, so any directory gives a usable default.
fn default_session_name(dir: &Path) -> String {
    let name = dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    crate::names::derive(crate::names::Kind::Session, &name, "default")
}

/// Every `[[app]]` entry, or `None` when any of them lacks a name or a command. The checks
/// between apps (duplicate names, dependencies) run on every entry that could be read.
fn apps(
    report: &mut Report<'_>,
    value: &Value<'_>,
    scope: &mut app::Scope<'_>,
) -> Option<Vec<AppSpec>> {
    let DeValue::Array(entries) = value.get_ref() else {
        let found = super::doc::article(value.get_ref());
        let message = format!("`app`: expected an array of tables ([[app]]), found {found}");
        report.error(&value.span(), message);
        return None;
    };
    let mut specs = Some(Vec::with_capacity(entries.len()));
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut declared = Vec::with_capacity(entries.len());
    let mut named = Vec::with_capacity(entries.len());
    for entry in entries.iter() {
        let Some(table) = report.table(entry, "app") else {
            specs = None;
            continue;
        };
        check_duplicate(report, table, &mut seen);
        let (spec, depends_on) = app::parse_app(report, table, &entry.span(), scope);
        let copies = instances::parse(report, table);
        let name = match table.get("name").map(|v| (v.get_ref(), v.span())) {
            Some((DeValue::String(name), at)) => {
                named.push(instances::Named {
                    name: name.as_ref(),
                    name_at: at,
                    instances: copies.instances.clone(),
                });
                Some(name.as_ref())
            }
            _ => None,
        };
        declared.push(Declared {
            name,
            entries: depends_on,
        });
        match (spec, specs.as_mut()) {
            (Some(mut spec), Some(specs)) => {
                spec.port = copies.port.map(|(port, _)| port);
                let count = copies.instances.map(|(n, _)| n);
                specs.extend(instances::expand(spec, count));
            }
            _ => specs = None,
        }
    }
    depends::check_graph(report, &declared);
    instances::check_names(report, &named);
    specs
}

/// Reports a second app with a name already used, at the second `name`.
fn check_duplicate<'t>(
    report: &mut Report<'_>,
    table: &'t DeTable<'_>,
    seen: &mut HashMap<&'t str, usize>,
) {
    let Some(value) = table.get("name") else {
        return;
    };
    let DeValue::String(name) = value.get_ref() else {
        return;
    };
    match seen.get(name.as_ref()) {
        Some(first) => {
            let message = format!("duplicate app name `{name}` (first defined on line {first})");
            report.error(&value.span(), message);
        }
        None => {
            let line = report.line_of(&value.span());
            seen.insert(name.as_ref(), line);
        }
    }
}

#[cfg(test)]
mod tests;
