//! Every message that crosses the socket. Variants are only ever appended: a tag, once used,
//! keeps its meaning forever (the `KNOWN_TAGS` counts and the tag test below guard that).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::codec::Tagged;
use crate::config::AppSpec;
use crate::size::Size;

/// What the client knows about the user's terminal, for colour depth and replies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermInfo {
    pub term: String,
    pub colorterm: String,
    pub no_color: bool,
}

/// How to create a session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewSession {
    /// Session name; the server picks one when absent.
    pub name: Option<String>,
    /// The command of the first pane; the user's shell when empty.
    pub cmd: Vec<String>,
    /// Working directory of the first app (the client's cwd).
    pub cwd: Option<String>,
    /// Environment of the first app (the client's environment), like tmux's session environment.
    pub env: Vec<(String, String)>,
    /// Initial size for a detached session; an attaching client's size wins otherwise.
    pub size: Option<Size>,
    /// A project session: its apps (validated by the client) replace `cmd`.
    pub apps: Vec<AppSpec>,
    /// The project file the apps came from.
    pub project_file: Option<String>,
}

/// Ask to attach to a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachRequest {
    /// Session name; the most recently used session when absent.
    pub target: Option<String>,
    pub size: Size,
    pub read_only: bool,
    pub term: TermInfo,
    /// Create the session when it does not exist (plain `appmux`).
    pub create: Option<NewSession>,
    /// Create `create` as a new session and attach to it, or fail when its name is taken
    /// (`appmux new` attaching): made at this client's size before its apps start.
    #[serde(default)]
    pub only_new: bool,
}

/// One-shot commands: the CLI sends one and waits for the reply. Everything in the action
/// vocabulary travels as [`Request::Action`]; the other requests carry what has no text form
/// (a client's environment and size, app specs) or are plumbing of the connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    NewSession(NewSession),
    /// The same as `Action` with `session.list` (which `appmux ls` sends now).
    List,
    /// Tags 2 to 6 were requests that became actions of the vocabulary (protocol version 3):
    /// `session.kill`, `server.kill`, `app.capture`, `app.send-keys`, and `app.start`, `stop`,
    /// `restart` and `kill`. They stay reserved so that no tag changes meaning; they are
    /// refused.
    #[doc(hidden)]
    Retired2,
    #[doc(hidden)]
    Retired3,
    #[doc(hidden)]
    Retired4,
    #[doc(hidden)]
    Retired5,
    #[doc(hidden)]
    Retired6,
    /// Add an ad-hoc app from a full spec to a live session and start it (`app.run` builds
    /// the spec on the server from a command instead).
    Run {
        session: Option<String>,
        spec: Box<AppSpec>,
    },
    /// Run one action of the vocabulary (its text form) in a session, or in none for the
    /// server layer; answered with what it produced (a listing, a screen, a name) or `Done`.
    Action {
        session: Option<String>,
        action: String,
    },
    /// Write the session state now.
    Save,
    /// Restore saved sessions that do not run; optionally end leftover processes first.
    Resurrect {
        kill_orphans: bool,
    },
    /// Sent before `Attach` on the same connection by a client that runs inside a pane: its
    /// `$APPMUX` (socket, session and app). The server then refuses to attach the session the
    /// client runs in to itself, which would show the session inside itself without end.
    InsidePane {
        appmux: String,
    },
    /// Answered once every app's output received so far is in its log file (for `logs`).
    FlushLogs,
}

/// Client to server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ClientMsg {
    Attach(AttachRequest),
    /// Bytes the user typed, raw; the server decodes them.
    Input(Vec<u8>),
    Resize(Size),
    Detach,
    Request(Request),
    /// Sent by an attached client once its terminal is in raw mode and shows the first frame:
    /// the server may read and write that terminal itself (see [`TtyHandle`]), so a key and its
    /// echo do not pass through the client. Answered with [`ServerMsg::Terminal`].
    TakeTerminal(TtyHandle),
    /// The client has written every frame that came before [`ServerMsg::Terminal`]`{ taken:
    /// true }`: from now on the server's frames go to the terminal directly.
    Handed,
}

impl Tagged for ClientMsg {
    const KNOWN_TAGS: u32 = 7;
}

/// The client's terminal, for the server to open itself: the device's path, its device number
/// and the file system it lives on (each devpts instance, a container's say, numbers its
/// terminals from 0), which the server checks on what it opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TtyHandle {
    pub path: String,
    pub rdev: u64,
    pub dev: u64,
}

/// The successful answer to a [`Request`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    Done,
    Created {
        name: String,
    },
    List(ListReport),
    Capture(String),
    /// An app was added: where it lives.
    App {
        session: String,
        name: String,
        project_file: Option<String>,
    },
    /// What `resurrect` did.
    Resurrected(ResurrectReport),
    /// A report as JSON text (`describe`, `why`, `wait`).
    Json(String),
    /// What `reload` changed (or, with `--dry-run`, would change).
    Reloaded(ReloadPlan),
}

/// The difference between a session's apps and its project file, as `reload` applies it.
/// Its JSON form is the control API's `reload` result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReloadPlan {
    /// Apps of the file that the session does not have: added, and started if `autostart`.
    pub added: Vec<String>,
    /// Apps whose spec differs: restarted with the new one.
    pub changed: Vec<ChangedApp>,
    /// Apps of the session the file no longer has: stopped and removed.
    pub removed: Vec<String>,
}

/// One app of a reload whose spec changed, with the config keys that differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ChangedApp {
    pub app: String,
    pub fields: Vec<String>,
}

impl ReloadPlan {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    /// The plan for people, a line each: `+ extra`, `~ api (cmd, env)`, `- old`, or
    /// `no changes`.
    pub fn lines(&self) -> Vec<String> {
        if self.is_empty() {
            return vec!["no changes".to_owned()];
        }
        let added = self.added.iter().map(|a| format!("+ {a}"));
        let changed = self
            .changed
            .iter()
            .map(|c| format!("~ {} ({})", c.app, c.fields.join(", ")));
        let removed = self.removed.iter().map(|a| format!("- {a}"));
        added.chain(changed).chain(removed).collect()
    }
}

/// A process of the previous server that still runs (same pid and start time as saved).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Orphan {
    pub session: String,
    pub app: String,
    pub pid: u32,
    /// Its start time (clock ticks since boot), which tells it from a reused pid.
    #[serde(default)]
    pub started: u64,
}

/// What `resurrect` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResurrectReport {
    pub restored: Vec<String>,
    /// Sessions that already run (nothing is duplicated).
    pub skipped: Vec<String>,
    /// What could not be restored, and why.
    pub problems: Vec<String>,
    pub orphans: Vec<Orphan>,
    /// Orphans ended on request.
    pub killed: Vec<u32>,
    /// Where a damaged state file was put aside.
    pub kept_aside: Option<String>,
    /// Sessions restored under a new name (saved name, new name), because a different session
    /// of the saved name was running.
    pub renamed: Vec<(String, String)>,
}

/// Server to client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ServerMsg {
    /// Bytes to write to the user's terminal as they are.
    Output(#[serde(with = "raw_bytes")] Vec<u8>),
    /// The client is no longer attached; it restores the terminal and prints the reason.
    Detached {
        reason: String,
    },
    Reply(Reply),
    /// A request or attach failed; the client prints it and exits 1.
    Error(String),
    /// The server has accepted the attach; frames follow.
    Attached {
        session: String,
    },
    /// A piece of a message too large for one frame (protocol version 2): the pieces' bytes,
    /// in order, are the payload of one `ServerMsg`; `more` is false on the last (see `parts`).
    Part {
        #[serde(with = "raw_bytes")]
        bytes: Vec<u8>,
        more: bool,
    },
    /// The answer to [`ClientMsg::TakeTerminal`], after every frame sent before it: `taken`,
    /// the server now reads the terminal and writes the next frames to it once the client says
    /// [`ClientMsg::Handed`]; otherwise the client goes on forwarding input and writing frames.
    Terminal {
        taken: bool,
    },
}

impl Tagged for ServerMsg {
    const KNOWN_TAGS: u32 = 7;
}

/// `appmux ls --json`: stable, documented keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListReport {
    pub server_pid: u32,
    pub sessions: Vec<SessionInfo>,
    /// Processes left over from a previous server (see `appmux resurrect --kill-orphans`).
    #[serde(default)]
    pub orphans: Vec<Orphan>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SessionInfo {
    pub name: String,
    /// Unix time in seconds.
    pub created: u64,
    /// Number of attached clients.
    pub attached: usize,
    /// The `appmux.toml` the session was created from, if any.
    pub project_file: Option<String>,
    pub apps: Vec<AppInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AppInfo {
    pub name: String,
    /// `running`, `stopping`, `exited` (see `exit_code` / `signal`), `waiting`
    /// (a restart is due after backoff), `errored` (too many quick exits) or `stopped`.
    pub state: String,
    pub pid: Option<u32>,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub restarts: u32,
    pub uptime_s: Option<u64>,
    pub cpu_percent: Option<f32>,
    pub rss_bytes: Option<u64>,
    pub cmd: Vec<String>,
    /// Bytes of output that could not be written to the log.
    pub log_dropped: u64,
    pub log_file: String,
    /// Whether its readiness probe passed in this run; `None` without a readiness probe.
    pub ready: Option<bool>,
    /// `healthy` or `unhealthy` once a health probe has a verdict; `None` otherwise.
    pub health: Option<String>,
    /// While `waiting` for dependencies: the ones not met yet.
    pub waiting_for: Vec<DependencyInfo>,
    /// Why it cannot start, when a dependency can no longer meet its condition.
    pub blocked: Option<String>,
    /// Its `depends_on`, as configured.
    pub depends_on: Vec<DependencyInfo>,
    /// Which instance it is (`2` for `api-2`), when its entry has `instances`; else null.
    #[serde(default)]
    pub instance: Option<u32>,
    /// The entry it is an instance of (`api`), which `scale` and `depends_on` name; else null.
    #[serde(default)]
    pub group: Option<String>,
    /// Its `watch` paths, relative to the project directory; empty when it watches nothing.
    #[serde(default)]
    pub watch: Vec<String>,
    /// The next time its `cron_restart` or `schedule` fires, RFC 3339 in local time; `None`
    /// without either.
    pub next_run: Option<String>,
}

/// One dependency in a listing: the app and the condition (`started`, `ready`, `completed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DependencyInfo {
    pub app: String,
    pub condition: String,
    /// In `depends_on`: whether it restarts with it (`restart = true`); null in `waiting_for`.
    pub restart: Option<bool>,
}

/// Byte vectors as one block of bytes rather than a sequence of numbers. Postcard writes both
/// the same way (a length, then the bytes), so this changes nothing on the wire; it only copies
/// a frame's bytes at once instead of one at a time.
mod raw_bytes {
    use serde::{Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        d.deserialize_byte_buf(Bytes)
    }

    struct Bytes;

    impl<'de> de::Visitor<'de> for Bytes {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("bytes")
        }

        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }

        fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }

        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(b) = seq.next_element()? {
                out.push(b);
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::codec::encode;

    /// Tags are part of the protocol: these numbers must never change.
    #[test]
    fn message_tags_are_stable() {
        let tag = |frame: Vec<u8>| frame[4];
        assert_eq!(tag(encode(&ClientMsg::Attach(attach()))), 0);
        assert_eq!(tag(encode(&ClientMsg::Request(Request::List))), 4);
        assert_eq!(tag(encode(&ClientMsg::Handed)), 6);
        assert_eq!(ClientMsg::KNOWN_TAGS, 7);
        assert_eq!(tag(encode(&ServerMsg::Output(vec![]))), 0);
        assert_eq!(
            tag(encode(&ServerMsg::Attached {
                session: "s".into()
            })),
            4
        );
        assert_eq!(
            tag(encode(&ServerMsg::Part {
                bytes: vec![],
                more: false
            })),
            5
        );
        assert_eq!(tag(encode(&ServerMsg::Terminal { taken: true })), 6);
        assert_eq!(ServerMsg::KNOWN_TAGS, 7);
    }

    /// Requests that became actions keep their tags reserved: the ones after them keep theirs.
    #[test]
    fn request_tags_after_the_retired_ones_are_unchanged() {
        let tag = |req: Request| encode(&ClientMsg::Request(req))[5];
        assert_eq!(tag(Request::List), 1);
        assert_eq!(tag(Request::Retired2), 2);
        assert_eq!(tag(Request::Retired6), 6);
        let action = Request::Action {
            session: None,
            action: "session.list".into(),
        };
        assert_eq!(tag(action), 8);
        assert_eq!(tag(Request::Save), 9);
        assert_eq!(tag(Request::FlushLogs), 12);
    }

    /// Output frames are written as a block of bytes, exactly as a plain `Vec<u8>` would be.
    #[test]
    fn output_bytes_are_the_same_on_the_wire() {
        #[derive(Serialize, Deserialize)]
        enum Plain {
            Output(Vec<u8>),
        }
        let bytes: Vec<u8> = (0..=255).collect();
        let ours = encode(&ServerMsg::Output(bytes.clone()));
        assert_eq!(ours, encode(&Plain::Output(bytes.clone())));
        let back: ServerMsg = postcard::from_bytes(&ours[4..]).unwrap();
        assert_eq!(back, ServerMsg::Output(bytes));
    }

    fn attach() -> AttachRequest {
        AttachRequest {
            target: None,
            size: Size { cols: 1, rows: 1 },
            read_only: false,
            term: TermInfo::default(),
            create: None,
            only_new: false,
        }
    }

    /// A size is its columns then its rows, each a varint, as clients of every version send it.
    #[test]
    fn sizes_keep_their_wire_format() {
        let frame = encode(&ClientMsg::Resize(Size { cols: 300, rows: 2 }));
        assert_eq!(frame[4..], [2, 0xac, 0x02, 2]);
    }
}
