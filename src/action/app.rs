//! The app domain of the vocabulary: the lifecycle verbs on a list of apps, `show`, `run`,
//! `list`, `capture`, `send-keys`, `delete`, `flush`, `reload`, `describe`, `why`, `wait` and `scale`, with their text form
//! (parsing and the words they print as). Carrying them out is the server's.

use super::{ActionError, Args, OptionWords};
use crate::command::{CommandSpec, RestartPolicy};
use crate::target::Line;

/// Supervisor actions. A list of apps may be empty, which means the app in the focused pane,
/// or hold `all`, which means every app of the session.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AppAction {
    Start(Vec<String>),
    Stop(Vec<String>),
    Restart(Vec<String>),
    Kill(Vec<String>),
    /// Shows the named app in the focused pane.
    Show(String),
    /// Adds an ad-hoc app to the session and starts it.
    Run(RunApp),
    /// The apps of the session named, or of every session when none is.
    List,
    /// An app's screen as text.
    Capture(Capture),
    /// Keys typed into an app, as `appmux send-keys` does.
    SendKeys(SendKeys),
    /// Stops apps and removes them from the session for good.
    Delete(Delete),
    /// Empties the log files of the apps named, or of every app of the session when none is.
    Flush(Vec<String>),
    /// Re-reads the session's project file and applies the difference (or only reports it).
    Reload {
        dry_run: bool,
    },
    /// Everything about one app (`appmux describe`).
    Describe(String),
    /// Why one app is in its state (`appmux why`).
    Why(String),
    /// Whether the apps meet a condition now (`appmux wait` asks until they do).
    Wait(Wait),
    /// Runs this many instances of an entry with `instances` (`appmux scale`).
    Scale(Scale),
}

/// `app.scale`: the entry's name, and how many instances it runs from now on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Scale {
    pub app: String,
    pub count: u32,
}

/// `app.wait`: the apps, and what they must be.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Wait {
    pub apps: Vec<String>,
    pub condition: WaitFor,
}

/// What `appmux wait` waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum WaitFor {
    #[default]
    Ready,
    Running,
    Completed,
    Stopped,
    /// Settled after a start: ready when it has a readiness probe, otherwise running for at
    /// least its `min_uptime`; an exit on the way fails it. What `start` and `restart` wait for.
    Up,
}

impl WaitFor {
    pub const EXPECTED: &'static str = "ready, running, completed, stopped or up";

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ready" => Some(Self::Ready),
            "running" => Some(Self::Running),
            "completed" => Some(Self::Completed),
            "stopped" => Some(Self::Stopped),
            "up" => Some(Self::Up),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Stopped => "stopped",
            Self::Up => "up",
        }
    }
}

/// `app.delete`: which apps (as for `app.stop`), and whether to delete them even when other
/// apps depend on them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Delete {
    pub apps: Vec<String>,
    pub force: bool,
}

/// `app.run`: a command and how to run it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct RunApp {
    /// The command's words (see [`RunApp::command`]); never empty.
    pub cmd: Vec<String>,
    /// The app's name; derived from the command when absent.
    pub name: Option<String>,
    pub restart: Option<RestartPolicy>,
    /// The working directory; the session's when absent.
    pub cwd: Option<String>,
}

impl RunApp {
    /// A command with everything else left to its default.
    pub fn new(cmd: Vec<String>) -> Self {
        Self {
            cmd,
            ..Self::default()
        }
    }

    /// What runs: one word with shell syntax runs under `sh -c`, anything else runs directly,
    /// as `appmux run` has always done.
    pub fn command(&self) -> CommandSpec {
        match self.cmd.as_slice() {
            [one]
                if one.contains(|c: char| {
                    c.is_whitespace() || "|&;<>()$`\\\"'*?[]#~=%".contains(c)
                }) =>
            {
                CommandSpec::Shell(one.clone())
            }
            words => CommandSpec::Argv(words.to_vec()),
        }
    }
}

/// `app.capture`: which app, and what to keep.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Capture {
    /// A target (`SESSION`, `SESSION:APP`, `SESSION:TAB.PANE`, see `crate::target`); the
    /// session's focused app when absent.
    pub target: Option<String>,
    pub ansi: bool,
    pub scrollback: bool,
    /// The first and last lines (tmux's `capture-pane -S/-E`); the screen when absent.
    pub start: Option<Line>,
    pub end: Option<Line>,
}

/// `app.send-keys`: which app, and the keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SendKeys {
    /// `SESSION` or `SESSION:APP`; the session's focused app when absent.
    pub target: Option<String>,
    /// Key names (`Enter`, `C-c`) or text.
    pub keys: Vec<String>,
    /// Every word is text, not a key name.
    pub literal: bool,
}

impl AppAction {
    pub(super) fn name(&self) -> &'static str {
        match self {
            Self::Start(_) => "app.start",
            Self::Stop(_) => "app.stop",
            Self::Restart(_) => "app.restart",
            Self::Kill(_) => "app.kill",
            Self::Show(_) => "app.show",
            Self::Run(_) => "app.run",
            Self::List => "app.list",
            Self::Capture(_) => "app.capture",
            Self::SendKeys(_) => "app.send-keys",
            Self::Delete(_) => "app.delete",
            Self::Flush(_) => "app.flush",
            Self::Reload { .. } => "app.reload",
            Self::Describe(_) => "app.describe",
            Self::Why(_) => "app.why",
            Self::Wait(_) => "app.wait",
            Self::Scale(_) => "app.scale",
        }
    }

    /// The words after the name, options first.
    pub(super) fn words(&self) -> Vec<String> {
        match self {
            Self::Start(names)
            | Self::Stop(names)
            | Self::Restart(names)
            | Self::Kill(names)
            | Self::Flush(names) => names.clone(),
            Self::Show(name) | Self::Describe(name) | Self::Why(name) => vec![name.clone()],
            Self::Wait(w) => OptionWords::default()
                .value("for", Some(w.condition.as_str()))
                .then(&w.apps),
            Self::Run(run) => OptionWords::default()
                .value("name", run.name.as_deref())
                .value("restart", run.restart.map(RestartPolicy::as_str))
                .value("cwd", run.cwd.as_deref())
                .then(&run.cmd),
            Self::List => Vec::new(),
            Self::Capture(c) => OptionWords::default()
                .value("target", c.target.as_deref())
                .flag("ansi", c.ansi)
                .flag("scrollback", c.scrollback)
                .value("start", c.start.map(|l| l.to_string()).as_deref())
                .value("end", c.end.map(|l| l.to_string()).as_deref())
                .then(&[]),
            Self::SendKeys(s) => OptionWords::default()
                .value("target", s.target.as_deref())
                .flag("literal", s.literal)
                .then(&s.keys),
            Self::Delete(d) => OptionWords::default().flag("force", d.force).then(&d.apps),
            Self::Reload { dry_run } => OptionWords::default().flag("dry-run", *dry_run).then(&[]),
            Self::Scale(s) => vec![s.app.clone(), s.count.to_string()],
        }
    }

    /// Whether it changes apps or the session (list and capture only read an app's state and
    /// screen, send-keys only types into it).
    pub fn changes_model(&self) -> bool {
        !matches!(
            self,
            Self::List
                | Self::Capture(_)
                | Self::SendKeys(_)
                | Self::Describe(_)
                | Self::Why(_)
                | Self::Wait(_)
        )
    }

    /// Changes nothing: fit for a read-only client.
    pub(super) fn is_view_only(&self) -> bool {
        matches!(
            self,
            Self::List
                | Self::Capture(_)
                | Self::Reload { dry_run: true }
                | Self::Describe(_)
                | Self::Why(_)
                | Self::Wait(_)
        )
    }

    pub(super) fn parse(verb: &str, args: &mut Args<'_>) -> Result<Option<Self>, ActionError> {
        Ok(Some(match verb {
            "start" => Self::Start(args.remaining()),
            "stop" => Self::Stop(args.remaining()),
            "restart" => Self::Restart(args.remaining()),
            "kill" => Self::Kill(args.remaining()),
            "show" => Self::Show(args.required("an app name")?.to_owned()),
            "run" => {
                let expected = "a restart policy (never, on-failure or always)";
                let restart = match args.option("restart") {
                    Some(p) => Some(RestartPolicy::parse(p).ok_or_else(|| args.bad(p, expected))?),
                    None => None,
                };
                let first = args.required("a command")?;
                let mut cmd = vec![first.to_owned()];
                cmd.extend(args.remaining());
                Self::Run(RunApp {
                    cmd,
                    name: args.option("name").map(str::to_owned),
                    restart,
                    cwd: args.option("cwd").map(str::to_owned),
                })
            }
            "list" => Self::List,
            "describe" => Self::Describe(args.required("an app name")?.to_owned()),
            "why" => Self::Why(args.required("an app name")?.to_owned()),
            "wait" => {
                let condition = match args.option("for") {
                    Some(c) => WaitFor::parse(c).ok_or_else(|| args.bad(c, WaitFor::EXPECTED))?,
                    None => WaitFor::default(),
                };
                let first = args.required("an app name")?;
                let mut apps = vec![first.to_owned()];
                apps.extend(args.remaining());
                Self::Wait(Wait { apps, condition })
            }
            "capture" => {
                let expected = "a line number (0 the first visible line, negative in the \
                                history) or `-`";
                let line = |key| match args.option(key) {
                    Some(l) => Line::parse(l)
                        .map(Some)
                        .ok_or_else(|| args.bad(l, expected)),
                    None => Ok(None),
                };
                Self::Capture(Capture {
                    target: args.option("target").map(str::to_owned),
                    ansi: args.flag("ansi"),
                    scrollback: args.flag("scrollback"),
                    start: line("start")?,
                    end: line("end")?,
                })
            }
            "send-keys" => Self::SendKeys(SendKeys {
                target: args.option("target").map(str::to_owned),
                literal: args.flag("literal"),
                keys: args.remaining(),
            }),
            "delete" => Self::Delete(Delete {
                force: args.flag("force"),
                apps: args.remaining(),
            }),
            "flush" => Self::Flush(args.remaining()),
            "reload" => Self::Reload {
                dry_run: args.flag("dry-run"),
            },
            "scale" => {
                let app = args.required("an app name")?.to_owned();
                let count = args.required("a number of instances")?;
                // Its range is the server's to check, where the limit lives.
                let count = count
                    .trim()
                    .parse::<u32>()
                    .map_err(|_| args.bad(count, "a number of instances"))?;
                Self::Scale(Scale { app, count })
            }
            _ => return Ok(None),
        }))
    }
}
