//! What to run and when to run it again: the parts of an app's spec (command, restart policy,
//! backoff) that the action vocabulary (`app.run --restart`), the config files and the
//! supervisor all speak of. A leaf module with no dependencies, so that none of those has to
//! depend on another for them.

use std::time::Duration;

/// When a crashed app is started again.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum RestartPolicy {
    Never,
    #[default]
    OnFailure,
    Always,
}

impl RestartPolicy {
    /// The spelling used in config files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Never => "never",
            Self::OnFailure => "on-failure",
            Self::Always => "always",
        }
    }

    /// Parses the config spelling (`never`, `on-failure`, `always`).
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "never" => Some(Self::Never),
            "on-failure" => Some(Self::OnFailure),
            "always" => Some(Self::Always),
            _ => None,
        }
    }
}

/// The delay before restart number n is `initial * factor^(n-1)`, capped at `max`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
    pub factor: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(15),
            factor: 1.5,
        }
    }
}

/// What to run: a string runs under `sh -c`, an array runs directly.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CommandSpec {
    Shell(String),
    Argv(Vec<String>),
}

impl CommandSpec {
    /// The argument vector to execute: `["sh", "-c", s]` or the array as written.
    pub fn argv(&self) -> Vec<String> {
        match self {
            Self::Shell(script) => vec!["sh".to_owned(), "-c".to_owned(), script.clone()],
            Self::Argv(argv) => argv.clone(),
        }
    }

    /// One line for listings: the shell string as written, or the array quoted as a shell
    /// would need it, so the line can be pasted into a terminal.
    pub fn display(&self) -> String {
        match self {
            Self::Shell(script) => script.clone(),
            Self::Argv(argv) => argv
                .iter()
                .map(|arg| shell_quote(arg))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

fn shell_quote(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%^".contains(c);
    if !arg.is_empty() && arg.chars().all(plain) {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}
