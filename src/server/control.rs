//! The control API: JSON lines on the same socket, so any language can drive appmux.
//!
//! A connection whose first byte is `{` or whitespace (a newline, say) speaks JSON lines instead
//! of binary frames. It may begin with `{"type":"hello","version":1}`; then each line is a command
//! (`{"type":"cmd","id":"1","action":"apps.list","args":{}}` → a `response` with `result` or
//! `error {code, message}`) or a subscription (`{"type":"subscribe","topics":[...]}` → `event`
//! lines as things happen). The actions are the CLI's and the keymaps' vocabulary. A malformed
//! line gets an error response; a line over [`MAX_LINE`] closes the connection; nothing else is
//! touched either way.
//!
//! A command's `action` and `args` are parsed into the action vocabulary through its table
//! (`crate::action::api`: names, aliases such as `apps.start`, argument keys), run through
//! `Server::perform` like any other, and the outcome is answered here as the typed messages of
//! `crate::contract` (each line carries `schema`).

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::net::unix::OwnedReadHalf;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::contract::{CommandResult, ControlMessage, Empty, EventPayload, ListedApp};
use crate::server::clients::Outgoing;
use crate::server::model::ClientId;
use crate::server::verbs::Outcome;
use crate::server::{Event, Server};

/// The JSON protocol's version, as in the hello.
pub const JSON_VERSION: u64 = 1;
/// The longest line accepted; longer ones close the connection.
pub const MAX_LINE: usize = 1024 * 1024;
/// Topics a subscriber may ask for.
pub const TOPICS: &[&str] = &[
    "apps:state",
    "apps:exit",
    "apps:probe",
    "metrics",
    "sessions",
];

/// Reads JSON lines (the first byte, `first`, was already consumed) and forwards each to the
/// state task. The first line (the hello, or a first command) must be complete by `handshake_by`.
/// Returns an error text when the connection must close.
pub async fn json_reader(
    rd: OwnedReadHalf,
    first: u8,
    id: ClientId,
    events: &mpsc::Sender<Event>,
    out: &mpsc::Sender<Outgoing>,
    handshake_by: Instant,
) -> Result<(), String> {
    let mut rd = BufReader::new(rd);
    let mut line = vec![first];
    let mut first_by = Some(handshake_by);
    loop {
        let before = line.len();
        let mut limited = (&mut rd).take((MAX_LINE + 1 - before.min(MAX_LINE)) as u64);
        let read = limited.read_until(b'\n', &mut line);
        let n = match first_by {
            Some(t) => tokio::time::timeout_at(t, read)
                .await
                .map_err(|_| "no complete first line in time".to_owned())?,
            None => read.await,
        }
        .map_err(|e| e.to_string())?;
        let complete = line.last() == Some(&b'\n');
        if !complete && line.len() > MAX_LINE {
            let msg = error_line(
                None,
                "too_large",
                &format!("line longer than {MAX_LINE} bytes"),
            );
            let _ = out.send(Outgoing::Frame(msg, false)).await;
            let _ = out.send(Outgoing::Close).await;
            return Err("line too long".into());
        }
        if n == 0 && !complete {
            if !line.iter().all(u8::is_ascii_whitespace) {
                forward(&line, id, events).await?;
            }
            return Ok(());
        }
        if complete {
            forward(&line, id, events).await?;
            line.clear();
            first_by = None;
        }
    }
}

async fn forward(line: &[u8], id: ClientId, events: &mpsc::Sender<Event>) -> Result<(), String> {
    let text = String::from_utf8_lossy(line).trim().to_owned();
    if text.is_empty() {
        return Ok(());
    }
    events
        .send(Event::Control(id, text))
        .await
        .map_err(|_| "server stopping".to_owned())
}

/// An encoded error response line.
pub fn error_line(id: Option<&Value>, code: &str, message: &str) -> Vec<u8> {
    ControlMessage::error(id.cloned(), code, message).line()
}

/// A failed command: a stable code and a message for people.
struct Failure(&'static str, String);

impl From<String> for Failure {
    fn from(message: String) -> Self {
        let code = if message.starts_with("can't find") || message == "no sessions" {
            "not_found"
        } else {
            "failed"
        };
        Failure(code, message)
    }
}

impl Server {
    /// One JSON line from a control connection.
    pub(super) fn control_line(&mut self, id: ClientId, text: &str) {
        let msg: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return self.send_raw(id, error_line(None, "bad_json", &e.to_string())),
        };
        let req_id = msg.get("id").cloned();
        match msg.get("type").and_then(Value::as_str) {
            Some("hello") => {
                let version = msg
                    .get("version")
                    .and_then(Value::as_u64)
                    .unwrap_or(JSON_VERSION);
                if version != JSON_VERSION {
                    let e = format!("this server speaks version {JSON_VERSION}, not {version}");
                    self.send_raw(id, error_line(req_id.as_ref(), "version", &e));
                    if let Some(c) = self.clients.get(&id) {
                        c.close();
                    }
                    return;
                }
                self.send_raw(id, ControlMessage::hello(JSON_VERSION).line());
            }
            Some("cmd") => {
                let action = msg
                    .get("action")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let args = msg
                    .get("args")
                    .cloned()
                    .unwrap_or_else(|| Value::Object(Default::default()));
                let reply = match self.control_command(action, &args) {
                    Ok(result) => ControlMessage::result(req_id, result),
                    Err(Failure(code, message)) => ControlMessage::error(req_id, code, &message),
                };
                self.send_raw(id, reply.line());
            }
            Some("subscribe") => self.subscribe(id, req_id, &msg),
            other => {
                let e = format!("unknown message type {other:?}; expected hello, cmd or subscribe");
                self.send_raw(id, error_line(req_id.as_ref(), "bad_request", &e));
            }
        }
    }

    fn subscribe(&mut self, id: ClientId, req_id: Option<Value>, msg: &Value) {
        let topics: Vec<String> = msg
            .get("topics")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_else(|| TOPICS.iter().map(|t| (*t).to_owned()).collect());
        if let Some(bad) = topics.iter().find(|t| !TOPICS.contains(&t.as_str())) {
            let e = format!("unknown topic `{bad}`; topics are {}", TOPICS.join(", "));
            return self.send_raw(id, error_line(req_id.as_ref(), "bad_request", &e));
        }
        if let Some(c) = self.clients.get_mut(&id) {
            c.subscribe(topics.iter().cloned());
        }
        let ok = ControlMessage::result(req_id, CommandResult::Subscribed { subscribed: topics });
        self.send_raw(id, ok.line());
    }

    /// Sends an already encoded line or frame; drops the client if it stopped reading.
    pub(super) fn send_raw(&mut self, id: ClientId, bytes: Vec<u8>) {
        let Some(c) = self.clients.get(&id) else {
            return;
        };
        if !c.send(Outgoing::Frame(bytes, false)) {
            tracing::warn!(client = id.0, "control client outbox full; dropping it");
            self.client_gone(id);
        }
    }

    /// Sends an event to every subscriber of `topic`.
    pub fn publish(&mut self, topic: &str, payload: EventPayload) {
        let subscribers: Vec<ClientId> = self
            .clients
            .values()
            .filter(|c| c.is_subscribed(topic))
            .map(crate::server::clients::Client::id)
            .collect();
        if subscribers.is_empty() {
            return;
        }
        let bytes = ControlMessage::event(topic, payload).line();
        for id in subscribers {
            self.send_raw(id, bytes.clone());
        }
    }

    pub fn has_subscribers(&self, topic: &str) -> bool {
        self.clients.values().any(|c| c.is_subscribed(topic))
    }

    /// A command: its action parsed from the table, run in the session `args.session` names.
    fn control_command(&mut self, name: &str, args: &Value) -> Result<CommandResult, Failure> {
        let action =
            crate::action::api::from_json(name, args).map_err(|e| Failure(e.code, e.message))?;
        let session = args.get("session").and_then(Value::as_str);
        let outcome = self.perform(session, &action)?;
        Ok(self.outcome_json(outcome))
    }

    /// An outcome as a command's `result`.
    fn outcome_json(&self, outcome: Outcome) -> CommandResult {
        match outcome {
            Outcome::Done | Outcome::Stopping => CommandResult::Done(Empty {}),
            Outcome::Sessions => CommandResult::Sessions(self.list().sessions),
            Outcome::Apps(only) => {
                let report = self.report_of(only);
                let apps = report.sessions.into_iter().flat_map(|s| {
                    let session = s.name;
                    s.apps.into_iter().map(move |info| ListedApp {
                        session: session.clone(),
                        info,
                    })
                });
                CommandResult::Apps(apps.collect())
            }
            Outcome::Created(name) => CommandResult::Created { name },
            Outcome::Screen(text) => CommandResult::Screen { text },
            Outcome::Added { session, name, .. } => CommandResult::Added { session, name },
            Outcome::Report(report) => CommandResult::Report(report),
            Outcome::Reloaded(plan) => CommandResult::Reloaded(plan),
        }
    }
}
