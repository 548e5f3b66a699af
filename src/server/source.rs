//! The user's configuration in the running server: loading it at start, and `source-file`
//! (the `server.source-file` action, `appmux source-file [FILE]`), which reads config.toml,
//! the keymap and the theme again, puts them in place and redraws every client. Nothing running
//! is touched: no app restarts, panes keep their scrollback; new options apply to what comes
//! next (new frames, keys, panes).
//!
//! Problems are never silent: each goes to the server log, is shown in the status line of the
//! clients attached (and of each client that attaches while it stands), and comes back to the
//! command that sourced the file. A file that cannot be used at all (unreadable, not TOML)
//! changes nothing; otherwise every good key applies (see `config::user`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::user::{self, UserConfig};
use crate::paths;
use crate::server::Server;
use crate::server::model::ClientId;
use crate::server::verbs::Outcome;

/// How long a configuration problem stays in the status line: long enough to be read.
const PROBLEM_SHOWN_FOR: Duration = Duration::from_secs(10);

/// The user's configuration at server start, with its problems (logged); the defaults when
/// the options file cannot be used at all.
pub fn at_start() -> (UserConfig, Vec<String>) {
    let (config, problems) = load(None);
    let config = config.unwrap_or_else(|| {
        let options = crate::config::Options::default();
        let dir = paths::config_dir().unwrap_or_default();
        let (keymap, _) = crate::config::load_keymap(&dir, &options.keymap);
        let (theme, _) = crate::config::load_theme(&dir, &options.theme);
        tracing::warn!("using the default options");
        UserConfig {
            options,
            keymap,
            theme,
        }
    });
    (config, problems)
}

/// Loads the configuration from `file` (default: the user's config.toml), logging each problem.
fn load(file: Option<&Path>) -> (Option<UserConfig>, Vec<String>) {
    let dir = paths::config_dir().unwrap_or_default();
    let file: PathBuf = file.map_or_else(|| paths::options_file(&dir), Path::to_owned);
    let (config, problems) = user::load(&dir, &file);
    let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
    for p in &problems {
        tracing::warn!("{p}");
    }
    (config, problems)
}

/// The status line text for a list of problems: the first, and how many more.
fn summary(problems: &[String]) -> Option<String> {
    let first = problems.first()?;
    Some(match problems.len() {
        1 => first.clone(),
        n => format!("{first} (and {} more; see `appmux check`)", n - 1),
    })
}

impl Server {
    /// `source-file`: reads the configuration again and applies it. An error (every problem,
    /// one a line) when there was any, even if the good keys were applied.
    pub(super) fn source_file(&mut self, file: Option<&str>) -> Result<Outcome, String> {
        // A file named by the user must be there: the default one may be missing (defaults).
        if let Some(f) = file
            && !Path::new(f).is_file()
        {
            return Err(format!("{f}: no such file\nnothing was changed"));
        }
        let (config, problems) = load(file.map(Path::new));
        let applied = config.is_some();
        if let Some(config) = config {
            self.settings.reconfigure(config);
            self.settings.problems = problems.clone();
            self.redraw_everything();
        }
        tracing::info!(applied, problems = problems.len(), "configuration sourced");
        let ids: Vec<ClientId> = self.clients.keys().copied().collect();
        let text = match summary(&problems) {
            Some(text) => text,
            None => "configuration reloaded".to_owned(),
        };
        for id in ids {
            self.show_for(id, text.clone(), PROBLEM_SHOWN_FOR);
        }
        if problems.is_empty() {
            return Ok(Outcome::Done);
        }
        let outcome = if applied {
            "the other settings were applied"
        } else {
            "nothing was changed"
        };
        Err(format!("{}\n{outcome}", problems.join("\n")))
    }

    /// Shows the configuration problems that stand to a client that just attached.
    pub(super) fn show_config_problems(&mut self, id: ClientId) {
        if let Some(text) = summary(&self.settings.problems) {
            self.show_for(id, text, PROBLEM_SHOWN_FOR);
        }
    }

    /// A status line message for `how_long`.
    fn show_for(&mut self, id: ClientId, text: String, how_long: Duration) {
        if let Some(a) = self.attached_mut(id) {
            a.flash = Some((text, Instant::now() + how_long));
            a.dirty = true;
        }
    }

    /// Every client repaints from scratch, and every session's apps take the pane sizes the
    /// new options give (a sidebar or status line may have come or gone).
    fn redraw_everything(&mut self) {
        let ids: Vec<ClientId> = self.clients.keys().copied().collect();
        for id in ids {
            if let Some(a) = self.attached_mut(id) {
                a.invalidate();
            }
        }
        let sessions: Vec<_> = self.sessions.keys().copied().collect();
        for s in sessions {
            self.resize_session(s);
            self.session_changed(s);
        }
    }
}
