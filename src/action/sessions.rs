//! The server layer of the vocabulary: sessions (list, new, kill) and the server itself (kill),
//! with their text form. These act on the set of sessions rather than inside one, so they need
//! no session to run in and keys do not bind them (see `spec`).

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
    /// Renames the session it runs in (the session layer's one session verb: keys bind it,
    /// and the command line runs it in the session `-t` names).
    Rename(String),
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
    pub(super) fn name(&self) -> &'static str {
        match self {
            Self::List => "session.list",
            Self::New { .. } => "session.new",
            Self::Kill(_) => "session.kill",
            Self::Rename(_) => "session.rename",
        }
    }

    /// The words after the name, options first.
    pub(super) fn words(&self) -> Vec<String> {
        match self {
            Self::List => Vec::new(),
            Self::New { name, cwd, cmd } => OptionWords::default()
                .value("name", name.as_deref())
                .value("cwd", cwd.as_deref())
                .then(cmd),
            Self::Kill(target) | Self::Rename(target) => vec![target.clone()],
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
                let name = args.required("a new name")?;
                if crate::names::problem(crate::names::Kind::Session, name).is_some() {
                    return Err(args.bad(name, "a valid session name (no `:`, `.` or `/`)"));
                }
                Self::Rename(name.to_owned())
            }
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
