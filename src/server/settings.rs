//! The server's runtime settings and the environment every pane gets. Config files feed these
//! once loaded; the defaults here are tmux's.

use std::path::PathBuf;

use crate::config::Options;
use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::keys::Key;
use crate::paths::{self, SocketPaths};
use crate::render::color::{self, ColorDepth};

/// Variables a pane never inherits from the creating client, because appmux sets them.
pub const PANE_ENV_OVERRIDES: &[&str] = &["TERM", "COLORTERM", "APPMUX", "TMUX", "TMUX_PANE"];

#[derive(Debug, Clone)]
pub struct Settings {
    pub socket: PathBuf,
    pub prefix: Key,
    /// Lines of scrollback kept per app.
    pub history_limit: usize,
    /// Stop the server when the last session is killed (tmux's `exit-empty`).
    pub exit_empty: bool,
    /// The `TERM` panes get.
    pub pane_term: String,
    /// How often CPU and memory are sampled while a sidebar shows them (or a subscriber wants them).
    pub metrics_interval: std::time::Duration,
    /// The user's options file, as loaded at server start.
    pub options: Options,
    pub keymap: Keymap,
    pub theme: Theme,
    /// `theme` as each colour depth shows it, in [`ColorDepth::ALL`] order.
    themes: Vec<Theme>,
    /// The socket's identity, which names the files this server writes (state file, logs).
    pub label: String,
    /// Restore saved sessions when the server starts.
    pub resurrect: bool,
    /// A session to create once the server listens (`appmux -c FILE server --foreground`).
    pub first_session: Option<crate::protocol::NewSession>,
    /// The status line's `{hint}`: how to open the help and detach, from the keymap.
    pub hint: String,
    /// The status line's `{host}`.
    pub host: String,
    /// The problems found when the user's configuration was last loaded, each as
    /// `FILE:LINE:COL: MESSAGE`; clients are shown them when they attach.
    pub problems: Vec<String>,
}

impl Settings {
    /// The colours a client's terminal is sent: `[terminal] colors`, or with `auto` what the
    /// client reported about its terminal.
    pub fn color_depth(
        &self,
        term: &crate::protocol::TermInfo,
    ) -> crate::render::color::ColorDepth {
        use crate::config::options::Colors;
        use crate::render::color::{ColorDepth, depth};
        match self.options.colors {
            Colors::Auto => depth(&term.term, &term.colorterm, term.no_color),
            Colors::TrueColor => ColorDepth::TrueColor,
            Colors::Ansi256 => ColorDepth::Ansi256,
            Colors::Ansi16 => ColorDepth::Ansi16,
            Colors::None => ColorDepth::None,
        }
    }

    /// Whether a client's terminal may be sent OSC 8 hyperlinks (when `[terminal] hyperlinks`
    /// is on): all but those known to print the sequence instead (the Linux console, `dumb`).
    pub fn takes_hyperlinks(term: &crate::protocol::TermInfo) -> bool {
        !matches!(term.term.as_str(), "linux" | "dumb" | "")
    }

    pub fn new(sock: &SocketPaths, options: Options, keymap: Keymap, theme: Theme) -> Self {
        Self {
            socket: sock.socket.clone(),
            prefix: keymap.prefix.unwrap_or(Key::ctrl('b')),
            label: sock.label(),
            resurrect: options.resurrect,
            first_session: None,
            hint: status_hint(&keymap),
            host: rustix::system::uname()
                .nodename()
                .to_string_lossy()
                .into_owned(),
            keymap,
            themes: ColorDepth::ALL
                .iter()
                .map(|&depth| theme.map_colors(|c| color::downsample(c, depth)))
                .collect(),
            theme,
            history_limit: options.scrollback,
            exit_empty: false,
            pane_term: pane_term(),
            metrics_interval: options.metrics_interval,
            options,
            problems: Vec::new(),
        }
    }

    /// Takes a newly loaded configuration (`source-file`): what new panes, new frames and new
    /// keys see. Nothing running is touched here.
    pub fn reconfigure(&mut self, config: crate::config::user::UserConfig) {
        let crate::config::user::UserConfig {
            options,
            keymap,
            theme,
        } = config;
        self.prefix = keymap.prefix.unwrap_or(Key::ctrl('b'));
        self.hint = status_hint(&keymap);
        self.keymap = keymap;
        self.themes = ColorDepth::ALL
            .iter()
            .map(|&depth| theme.map_colors(|c| color::downsample(c, depth)))
            .collect();
        self.theme = theme;
        self.history_limit = options.scrollback;
        self.metrics_interval = options.metrics_interval;
        self.options = options;
    }

    /// The theme with its colours as a terminal of `depth` shows them.
    pub fn theme_for(&self, depth: ColorDepth) -> &Theme {
        let at = ColorDepth::ALL.iter().position(|&d| d == depth);
        at.and_then(|i| self.themes.get(i)).unwrap_or(&self.theme)
    }

    /// The shell for a new pane: the configured one, else `$SHELL` of the creating client, else
    /// `/bin/sh`.
    pub fn shell_for(&self, env: &[(String, String)]) -> String {
        if let Some(shell) = &self.options.shell {
            return shell.clone();
        }
        env.iter()
            .find(|(k, v)| k == "SHELL" && v.starts_with('/'))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "/bin/sh".to_owned())
    }

    /// The variables appmux sets in every pane.
    pub fn pane_env(&self, socket: &str, session: &str, app: &str) -> Vec<(String, String)> {
        vec![
            ("TERM".into(), self.pane_term.clone()),
            ("COLORTERM".into(), "truecolor".into()),
            ("APPMUX".into(), appmux_var(socket, session, app)),
        ]
    }
}

/// `$APPMUX` in a pane: the server's socket, the session and the app, which tell a command
/// run in the pane where it runs (as `$TMUX` does).
pub fn appmux_var(socket: &str, session: &str, app: &str) -> String {
    format!("{socket},{session},{app}")
}

/// `C-b ? help  C-b d detach` with the keys the keymap binds to those actions.
fn status_hint(keymap: &Keymap) -> String {
    use crate::action::{Action, ClientAction};
    [
        (ClientAction::Help, "help"),
        (ClientAction::Detach, "detach"),
    ]
    .into_iter()
    .filter_map(|(action, label)| {
        let keys = keymap.keys_for(&Action::Client(action))?;
        Some(format!("{keys} {label}"))
    })
    .collect::<Vec<_>>()
    .join("  ")
}

/// `tmux-256color` where its terminfo entry exists, else `screen-256color` (both describe what
/// appmux implements; older systems lack the first).
fn pane_term() -> String {
    let has = |name: &str| paths::terminfo_entries(name).iter().any(|p| p.exists());
    if has("tmux-256color") {
        "tmux-256color".into()
    } else {
        "screen-256color".into()
    }
}
