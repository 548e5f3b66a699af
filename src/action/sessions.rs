//! Sessions in the vocabulary, and the server itself, with their text form. Listing, creating
//! and killing sessions, and the server's verbs, are the server layer: they act on the set of
//! sessions rather than inside one, so they need no session to run in and keys do not bind them
//! (see `spec`). Renaming the session, moving this client to another one and finding a pane are
//! the session layer: they run in a session, and keys bind them.

use super::{ActionError, Args, OptionWords};

/// Sessions as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SessionAction {
    /// Every session and its apps.
    List,
    /// Creates a detached session whose one app runs `cmd` (the shell when empty).
    New {
        name: Option<String>,
        cwd: Option<String>,
        cmd: Vec<String>,
    },
    /// Kills the session a target (`SESSION` or `SESSION:APP`) names.
    Kill(String),
    /// Renames the session it runs in; without a name the user is prompted for one.
    Rename(Option<String>),
    /// Moves this client to the next session (tmux `switch-client -n`).
    Next,
    /// Moves this client to the previous session (`switch-client -p`).
    Prev,
    /// Moves this client back to the session it was in before (`switch-client -l`).
    Last,
    /// Finds a pane whose app name or screen holds the text (asked for when left out): one
    /// match is jumped to, several are shown in the switcher (tmux `find-window`).
    Find(Option<String>),
}

/// The server itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ServerAction {
    /// Stops the apps, saves the sessions and exits.
    Kill,
    /// Reads the user's configuration again (config.toml, or the file given), with its keymap
    /// and theme, and applies it (tmux `source-file`).
    SourceFile(Option<String>),
}

impl SessionAction {
    /// Whether it only moves this client's view (to another session), changing nothing shared.
    pub fn is_view_only(&self) -> bool {
        matches!(self, Self::Next | Self::Prev | Self::Last | Self::Find(_))
    }

    pub(super) fn name(&self) -> &'static str {
        match self {
            Self::List => "session.list",
            Self::New { .. } => "session.new",
            Self::Kill(_) => "session.kill",
            Self::Rename(_) => "session.rename",
            Self::Next => "session.next",
            Self::Prev => "session.prev",
            Self::Last => "session.last",
            Self::Find(_) => "session.find",
        }
    }

    /// The words after the name, options first.
    pub(super) fn words(&self) -> Vec<String> {
        match self {
            Self::List | Self::Next | Self::Prev | Self::Last => Vec::new(),
            Self::Rename(name) | Self::Find(name) => name.iter().cloned().collect(),
            Self::New { name, cwd, cmd } => OptionWords::default()
                .value("name", name.as_deref())
                .value("cwd", cwd.as_deref())
                .then(cmd),
            Self::Kill(target) => vec![target.clone()],
        }
    }

    pub(super) fn parse(verb: &str, args: &mut Args<'_>) -> Result<Option<Self>, ActionError> {
        Ok(Some(match verb {
            "list" => Self::List,
            "new" => Self::New {
                name: args.option("name").map(str::to_owned),
                cwd: args.option("cwd").map(str::to_owned),
                cmd: args.remaining(),
            },
            "kill" => Self::Kill(args.required("a session name")?.to_owned()),
            "rename" => {
                let name = args.optional_name();
                if let Some(name) = &name
                    && crate::names::problem(crate::names::Kind::Session, name).is_some()
                {
                    return Err(args.bad(name, "a valid session name (no `:`, `.` or `/`)"));
                }
                Self::Rename(name)
            }
            "next" => Self::Next,
            "prev" => Self::Prev,
            "last" => Self::Last,
            "find" => Self::Find(args.optional_name()),
            _ => return Ok(None),
        }))
    }
}

impl ServerAction {
    pub(super) fn name(&self) -> &'static str {
        match self {
            Self::Kill => "server.kill",
            Self::SourceFile(_) => "server.source-file",
        }
    }

    /// The words after the name.
    pub(super) fn words(&self) -> Vec<String> {
        match self {
            Self::Kill => Vec::new(),
            Self::SourceFile(file) => file.iter().cloned().collect(),
        }
    }

    pub(super) fn parse(verb: &str, args: &mut Args<'_>) -> Option<Self> {
        match verb {
            "kill" => Some(Self::Kill),
            "source-file" => Some(Self::SourceFile(args.next().map(str::to_owned))),
            _ => None,
        }
    }
}
