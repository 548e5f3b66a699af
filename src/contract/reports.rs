//! The documents of the command line's reports: `ls --json`, `describe`, `why`, `wait`,
//! `scale`, `check --json`, `action list --json` and a line of `logs --json`. The server and
//! the commands fill them in; the keys here are the documented ones.

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize, Serializer};

use super::SCHEMA;
use crate::protocol::{AppInfo, ListReport, Orphan, SessionInfo};

/// `appmux ls --json`: the server's pid (null when no server runs), its sessions and their
/// apps, and processes left over from a previous server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LsDocument {
    pub schema: u32,
    /// Null when no server runs (then `sessions` is empty).
    pub server_pid: Option<u32>,
    pub sessions: Vec<SessionInfo>,
    /// Processes left over from a previous server (see `appmux resurrect --kill-orphans`).
    pub orphans: Vec<Orphan>,
}

impl LsDocument {
    pub fn of(report: ListReport) -> Self {
        Self {
            schema: SCHEMA,
            server_pid: Some(report.server_pid),
            sessions: report.sessions,
            orphans: report.orphans,
        }
    }

    /// What `ls --json` prints when no server runs.
    pub fn no_server() -> Self {
        Self {
            schema: SCHEMA,
            server_pid: None,
            sessions: Vec::new(),
            orphans: Vec::new(),
        }
    }
}

/// The `ls --json` keys of an app inside `describe`, but for `watch`, which `describe` gives
/// in more detail. New keys of [`AppInfo`] appear here (and in its schema) by themselves.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct ListedFields(pub AppInfo);

/// The keys of [`AppInfo`] that `describe` replaces.
const REPLACED: &[&str] = &["watch"];

impl Serialize for ListedFields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v = serde_json::to_value(&self.0).map_err(serde::ser::Error::custom)?;
        if let Some(map) = v.as_object_mut() {
            for key in REPLACED {
                map.remove(*key);
            }
        }
        v.serialize(s)
    }
}

impl JsonSchema for ListedFields {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ListedFields".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = AppInfo::json_schema(generator);
        if let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) {
            for key in REPLACED {
                props.remove(*key);
            }
        }
        if let Some(req) = schema.get_mut("required").and_then(|r| r.as_array_mut()) {
            req.retain(|k| !REPLACED.iter().any(|r| k == r));
        }
        schema
    }
}

/// `appmux describe --json`: everything about one app, its `ls --json` keys included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Describe {
    pub schema: u32,
    #[serde(flatten)]
    pub listed: ListedFields,
    pub session: Option<String>,
    /// The command as written (a string, or the argv joined).
    pub command: String,
    pub cwd: String,
    /// Its environment; values of names that look secret (`KEY`, `TOKEN`, `SECRET`,
    /// `PASSWORD`) are `***`.
    pub env: BTreeMap<String, String>,
    pub autostart: bool,
    /// `never`, `on-failure` or `always`.
    pub restart: String,
    pub max_restarts: u32,
    pub min_uptime: String,
    pub stop_timeout: String,
    pub probes: Probes,
    pub port: Option<u16>,
    /// How many instances its entry runs, when it is one of them.
    pub instances: Option<usize>,
    /// Its `watch` settings; null without `watch`.
    pub watch: Option<WatchInfo>,
    pub cron_restart: Option<String>,
    pub schedule: Option<String>,
    /// RFC 3339, local time.
    pub next_restart: Option<String>,
    /// RFC 3339, local time.
    pub next_start: Option<String>,
    /// Bytes.
    pub max_memory: Option<u64>,
    pub dependencies: Vec<DependencyState>,
    pub dependents: Vec<Dependent>,
    /// Its log files, oldest first.
    pub logs: Vec<LogFileInfo>,
    /// The paragraph `why` prints.
    pub why: String,
}

/// An app's readiness and health probes; null where it has none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Probes {
    pub ready: Option<ProbeInfo>,
    pub health: Option<ProbeInfo>,
}

/// A probe's configuration and last result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProbeInfo {
    /// The probe as written (`http http://localhost:8080/`).
    pub probe: String,
    /// `http`, `tcp`, `cmd` or `log`.
    pub kind: String,
    pub interval: String,
    pub timeout: String,
    pub initial_delay: String,
    pub timeout_total: Option<String>,
    /// Failures in a row that make it unhealthy (health probes only).
    pub failures: Option<u32>,
    pub state: Option<String>,
    pub last: Option<LastProbe>,
}

/// A probe's last result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LastProbe {
    pub ok: bool,
    pub error: Option<String>,
    pub ago_s: f64,
    pub consecutive_failures: u32,
}

/// A dependency of `describe`, with the state of the app it names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DependencyState {
    pub app: String,
    pub condition: String,
    pub restart: bool,
    pub state: Option<String>,
}

/// An app that depends on the described one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Dependent {
    pub app: String,
    pub state: String,
}

/// One log file and its size (null when it cannot be read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LogFileInfo {
    pub file: String,
    pub bytes: Option<u64>,
}

/// `describe`'s `watch`: the paths, the ignore patterns and the debounce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WatchInfo {
    pub paths: Vec<String>,
    pub ignore: Vec<String>,
    pub debounce: String,
}

/// `appmux why --json`: why an app is in its state, in a paragraph and in facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Why {
    pub schema: u32,
    pub app: String,
    pub state: String,
    pub text: String,
    pub waiting_for: Vec<WaitingFor>,
    /// Why it cannot start, a reason per dependency that can no longer meet its condition.
    pub blocked: Vec<String>,
    pub ready: Option<ProbeInfo>,
    pub health: Option<ProbeInfo>,
    pub last_exit: LastExit,
    /// Seconds until its restart, while it backs off.
    pub backoff_s: Option<f64>,
    pub restarts: u32,
    pub errored: bool,
}

/// A dependency not met yet, and the condition it must meet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WaitingFor {
    pub app: String,
    pub condition: String,
}

/// How the last run ended: an exit code or a signal, both null before any exit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LastExit {
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
}

/// The control API's `wait`: one look at each app against a condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WaitReport {
    pub schema: u32,
    pub condition: String,
    /// Every app meets it.
    pub met: bool,
    /// `app: reason` for each app that never will.
    pub never: Vec<String>,
    pub apps: Vec<WaitEntry>,
}

/// One app of a [`WaitReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WaitEntry {
    pub app: String,
    /// `met`, `pending` or `never`.
    pub verdict: String,
    pub why: Option<String>,
    pub state: Option<String>,
    pub ready: Option<bool>,
    pub stop_timeout_ms: Option<u64>,
}

/// `appmux scale --json`: the instances started and stopped, in that order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScaleReport {
    pub schema: u32,
    pub app: String,
    pub from: usize,
    pub to: u32,
    pub started: Vec<String>,
    pub stopped: Vec<String>,
}

/// A report the server builds for one question about apps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Report {
    Describe(Box<Describe>),
    Why(Box<Why>),
    Wait(WaitReport),
    Scale(ScaleReport),
}

/// `appmux check --json`: the files checked and every problem found (`FILE:LINE:COL:
/// message`); `ok` when there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CheckReport {
    pub schema: u32,
    pub ok: bool,
    pub checked: Vec<String>,
    pub problems: Vec<String>,
}

/// One entry of `appmux action list --json` (a bare array of these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActionEntry {
    pub schema: u32,
    pub name: String,
    pub aliases: Vec<String>,
    /// `session`, or `server` for `session.*` and `server.*`.
    pub layer: String,
    pub usage: String,
    pub about: String,
    pub args: Vec<ActionArgInfo>,
}

/// One argument of an action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActionArgInfo {
    pub key: String,
    pub aliases: Vec<String>,
    /// `flag`, `value`, `word` or `words`.
    pub kind: String,
    pub required: bool,
    /// Whether the control API needs it.
    pub api_required: bool,
    pub about: String,
}

/// One line of `appmux logs --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LogLine {
    pub schema: u32,
    pub app: String,
    /// When the line began, UTC, RFC 3339 with milliseconds; null when unknown.
    pub time: Option<String>,
    /// The line without its escape sequences (with them under `--ansi`).
    pub line: String,
}
