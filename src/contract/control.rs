//! The control API's messages (JSON lines on the server's socket, and `appmux api`): the
//! `hello`, a command's `response` with its `result` or `error`, and `event` lines with their
//! payloads by topic (what `appmux events --json` prints).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Report, SCHEMA};
use crate::protocol::{AppInfo, ReloadPlan, SessionInfo};

/// A line the server writes to a control connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ControlMessage {
    Hello(Hello),
    Response(Response),
    Event(Box<EventLine>),
}

/// The answer to a client's hello.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Hello {
    pub schema: u32,
    /// The JSON lines protocol's version.
    pub version: u64,
    pub server_pid: u32,
}

/// The answer to a command or a subscription: `result` on success, `error` otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Response {
    pub schema: u32,
    /// The request's `id`, as it was given; null without one.
    pub id: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<CommandResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

/// Why a command failed: a stable code (`bad_json`, `bad_request`, `unknown_action`,
/// `missing_arg`, `not_found`, `failed`, `version`, `too_large`) and a message for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

/// What a command produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CommandResult {
    /// `sessions.list`.
    Sessions(Vec<SessionInfo>),
    /// `apps.list`.
    Apps(Vec<ListedApp>),
    /// `sessions.new`.
    Created { name: String },
    /// `panes.capture`.
    Screen { text: String },
    /// `apps.run`.
    Added { session: String, name: String },
    /// A subscription.
    Subscribed { subscribed: Vec<String> },
    /// `describe`, `why`, `wait`, `scale`.
    Report(Report),
    /// `reload`.
    Reloaded(ReloadPlan),
    /// Done, with nothing to report: `{}`.
    Done(Empty),
}

/// An empty object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Empty {}

/// An app of `apps.list`: its `ls --json` keys and its session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ListedApp {
    pub session: String,
    #[serde(flatten)]
    pub info: AppInfo,
}

/// An event line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EventLine {
    pub schema: u32,
    /// `apps:state`, `apps:exit`, `apps:probe`, `metrics` or `sessions`.
    pub topic: String,
    pub payload: EventPayload,
}

/// What an event says, by topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum EventPayload {
    /// `apps:exit`: the app as `apps:state` gives it, with this exit and how long the run lasted.
    Exit(AppExit),
    /// `apps:state`: the app's `ls --json` keys, its session and name again as `app`.
    App(AppEvent),
    /// `apps:state` for an app deleted from its session (`state` is `deleted`).
    Deleted(AppDeleted),
    /// `apps:probe`: a probe's verdict changed.
    Probe(ProbeEvent),
    /// `metrics`: CPU and memory of every app with a sample.
    Metrics(MetricsEvent),
    /// `sessions`: a session was `created` or `killed`.
    Session(SessionEvent),
}

/// An app in an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AppEvent {
    pub session: Option<String>,
    pub app: String,
    #[serde(flatten)]
    pub info: AppInfo,
}

/// An exit: `exit_code` and `signal` are this exit's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AppExit {
    #[serde(flatten)]
    pub app: AppEvent,
    /// How long the run lasted, in seconds.
    pub run_s: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AppDeleted {
    pub session: String,
    pub app: String,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProbeEvent {
    pub session: Option<String>,
    pub app: String,
    /// `ready` or `health`.
    pub probe: String,
    pub state: String,
    /// Failures in a row, when it turned unhealthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<u32>,
    /// The last failure, when it turned unhealthy or gave up (null when a readiness probe gave
    /// up before any result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MetricsEvent {
    pub apps: Vec<AppUsage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AppUsage {
    pub session: String,
    pub app: String,
    pub cpu_percent: f32,
    pub rss_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SessionEvent {
    /// `created` or `killed`.
    pub event: String,
    pub session: String,
}

impl ControlMessage {
    pub fn hello(version: u64) -> Self {
        Self::Hello(Hello {
            schema: SCHEMA,
            version,
            server_pid: std::process::id(),
        })
    }

    pub fn result(id: Option<Value>, result: CommandResult) -> Self {
        Self::Response(Response {
            schema: SCHEMA,
            id: id.unwrap_or(Value::Null),
            result: Some(result),
            error: None,
        })
    }

    pub fn error(id: Option<Value>, code: &str, message: &str) -> Self {
        Self::Response(Response {
            schema: SCHEMA,
            id: id.unwrap_or(Value::Null),
            result: None,
            error: Some(ErrorBody {
                code: code.to_owned(),
                message: message.to_owned(),
            }),
        })
    }

    pub fn event(topic: &str, payload: EventPayload) -> Self {
        Self::Event(Box::new(EventLine {
            schema: SCHEMA,
            topic: topic.to_owned(),
            payload,
        }))
    }

    /// The message as one line, newline included.
    pub fn line(&self) -> Vec<u8> {
        let mut s = serde_json::to_vec(self).unwrap_or_default();
        s.push(b'\n');
        s
    }
}
