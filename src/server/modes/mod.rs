//! A client's modes: what its keys and clicks drive. Keys are looked up in the keymap table of
//! the client's mode (normal, prefix, sidebar, copy) and become actions; keys that are not
//! bindings are encoded for the focused app. Each mode's state machine is a file of its own:
//! `normal` (typing into panes), `prefix`, `numbers`, `sidebar`, `prompt`, `command` (the
//! command prompt), `confirm`, `pager`, `copy`, `switcher`, `mouse` and `select` (selecting text with the
//! mouse). This module holds the
//! mode type and routes each event to its mode.

mod command;
mod confirm;
mod copy;
mod mouse;
mod normal;
mod numbers;
mod pager;
mod prefix;
mod prompt;
mod select;
mod sidebar;
mod switcher;

use std::time::{Duration, Instant};

use crate::action::Action;
use crate::config::keymap::KeyTable;
use crate::input::InputEvent;
use crate::keys::Key;
use crate::render::overlay::Pager;
use crate::server::Server;
use crate::server::model::{App, AppId, ClientId, SessionId};
use crate::size::Size;

/// What a read-only client is told when it asks for something that changes shared state.
pub const READ_ONLY: &str = "read-only: this client can look, scroll and copy, not change";

/// How long `C-b q` shows pane numbers, and a message stays in the status line.
pub const NUMBERS_FOR: Duration = Duration::from_secs(2);

pub use command::{CommandLine, History};
pub use confirm::Confirm;
pub use copy::CopyState;
pub use prompt::PromptKind;
pub use select::Clicks;

/// What a client's keys currently drive.
#[derive(Debug, Clone)]
pub enum ClientMode {
    Normal,
    /// The prefix key was pressed; the next key is a command.
    Prefix,
    /// Keyboard focus is in the sidebar.
    Sidebar,
    /// A line of text is being typed in the status line.
    Prompt {
        kind: PromptKind,
        text: String,
    },
    /// The command prompt (`C-b :`): an action or tmux command typed in the status line.
    Command(Box<CommandLine>),
    /// A yes/no question in the status line.
    Confirm(Confirm),
    /// A full-pane pager; `typing` holds a search being typed.
    Pager {
        pager: Pager,
        typing: Option<String>,
    },
    /// Copy mode over the focused pane.
    Copy(Box<CopyState>),
    /// Pane numbers are shown (`C-b q`); a digit selects a pane.
    Numbers {
        until: Instant,
    },
    /// The tree of sessions, tabs and panes (`C-b w`).
    Switcher(Box<crate::switcher::Switcher>),
}

impl PartialEq for ClientMode {
    fn eq(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

impl ClientMode {
    /// The status-line text for prompts and questions.
    pub fn message_with(&self, apps: &std::collections::BTreeMap<AppId, App>) -> Option<String> {
        match self {
            ClientMode::Prompt { kind, text } => Some(match kind {
                PromptKind::Filter => format!("filter: {text}▏"),
                PromptKind::NewApp => format!("run: {text}▏"),
                PromptKind::RenameTab => format!("rename tab: {text}▏"),
                PromptKind::RenameSession => format!("rename session: {text}▏"),
                PromptKind::Find => format!("find pane (app or text): {text}▏"),
            }),
            ClientMode::Command(line) => Some(line.display()),
            ClientMode::Confirm(Confirm::KillApp(id)) => {
                let name = apps.get(id).map(|a| a.name()).unwrap_or("?");
                Some(format!("kill {name} (SIGKILL to its process group)? y/n"))
            }
            ClientMode::Confirm(Confirm::ClosePane(_)) => Some("close this pane? y/n".into()),
            ClientMode::Confirm(Confirm::CloseTab(i)) => Some(format!("close tab {i}? y/n")),
            ClientMode::Switcher(sw) => Some(sw.message()),
            ClientMode::Sidebar => Some(
                "apps: ↑↓ select  Enter show  s start/stop  r restart  x kill  l log  / filter  n new  Esc back"
                    .into(),
            ),
            ClientMode::Copy(c) => Some(match &c.prompt {
                Some((true, t)) => format!("search down: {t}▏"),
                Some((false, t)) => format!("search up: {t}▏"),
                None => format!(
                    "copy mode [{}/{}]",
                    c.mode.cursor.line + 1,
                    c.mode.lines().len()
                ),
            }),
            _ => None,
        }
    }
}

impl Server {
    /// One decoded input event from an attached client.
    pub(in crate::server) fn client_event(&mut self, id: ClientId, ev: InputEvent) {
        let Some(a) = self.attached_mut(id) else {
            return;
        };
        let session = a.session;
        let read_only = a.read_only;
        let mode = std::mem::replace(&mut a.mode, ClientMode::Normal);
        // appmux's own modes read a keypad key as the key it stands for, unless a binding names
        // the keypad key itself; the app in a pane gets it as it is.
        let ev = match (&mode, ev) {
            (ClientMode::Normal | ClientMode::Numbers { .. }, ev) => ev,
            (mode, InputEvent::Key(key)) if self.binds_keypad_key(mode, key) => {
                InputEvent::Key(key)
            }
            (_, InputEvent::Key(key)) => InputEvent::Key(key.main_key()),
            (_, ev) => ev,
        };
        // Typing into an app changes nothing on screen until the app echoes; every other path
        // asks for a frame through `set_mode`.
        match (mode, ev) {
            (mode, InputEvent::Mouse(m)) => {
                self.restore_mode(id, mode);
                self.mouse(id, session, m, Instant::now());
            }
            (ClientMode::Prefix, InputEvent::Key(key)) => self.prefix_key(id, session, key),
            (ClientMode::Sidebar, InputEvent::Key(key)) => self.sidebar_key(id, session, key),
            (ClientMode::Prompt { kind, text }, InputEvent::Key(key)) => {
                self.prompt_key(id, session, kind, text, key)
            }
            (ClientMode::Command(line), InputEvent::Key(key)) => {
                self.command_key(id, session, line, key)
            }
            (ClientMode::Command(mut line), InputEvent::Paste(data)) => {
                line.paste(&String::from_utf8_lossy(&data));
                self.set_mode(id, ClientMode::Command(line));
            }
            (ClientMode::Confirm(c), InputEvent::Key(key)) => self.confirm_key(id, session, c, key),
            (ClientMode::Pager { pager, typing }, InputEvent::Key(key)) => {
                self.pager_key(id, pager, typing, key)
            }
            (ClientMode::Copy(state), InputEvent::Key(key)) => {
                self.copy_key(id, session, state, key)
            }
            (ClientMode::Switcher(sw), InputEvent::Key(key)) => self.switcher_key(id, sw, key),
            (ClientMode::Numbers { .. }, InputEvent::Key(key)) => {
                self.numbers_key(id, session, key)
            }
            (ClientMode::Normal, InputEvent::Key(key)) => {
                self.normal_key(id, session, key, read_only)
            }
            (ClientMode::Normal, InputEvent::Paste(_)) if read_only => {
                self.flash(id, READ_ONLY.into())
            }
            (ClientMode::Normal, InputEvent::Paste(data)) => self.paste(session, &data),
            // Replies from the outer terminal never reach a pane; what they say about the
            // terminal is kept.
            (mode, InputEvent::TerminalReply(bytes)) => {
                self.restore_mode(id, mode);
                self.terminal_reply(id, &bytes);
            }
            // Focus changes of the outer terminal become the focused pane's, for apps that
            // asked (appmux sends its own report, never the terminal's bytes).
            (mode, ev @ (InputEvent::FocusIn | InputEvent::FocusOut)) => {
                self.restore_mode(id, mode);
                if !read_only {
                    self.client_focus(session, ev == InputEvent::FocusIn);
                }
            }
            // Other events in modal states are ignored, keeping the mode.
            (mode, _) => self.restore_mode(id, mode),
        }
    }

    /// Whether `key` is a keypad key that the keymap binds as such in `mode`.
    fn binds_keypad_key(&self, mode: &ClientMode, key: Key) -> bool {
        let keymap = &self.settings.keymap;
        let bound = |m| keymap.lookup(m, key).is_some();
        key != key.main_key()
            && match mode {
                ClientMode::Prefix => bound(KeyTable::Prefix),
                ClientMode::Sidebar => bound(KeyTable::Sidebar) || bound(KeyTable::Normal),
                ClientMode::Copy(_) => bound(KeyTable::Copy),
                _ => false,
            }
    }

    /// A bound key's action; failures, and what a reload did, show in the status line.
    fn bound(&mut self, id: ClientId, session: SessionId, action: &Action) {
        match self.run_action(Some(id), Some(session), action) {
            Ok(crate::server::verbs::Outcome::Reloaded(plan)) => {
                self.flash(id, format!("reload: {}", plan.lines().join("  ")));
            }
            Ok(_) => {}
            Err(e) => self.flash(id, e),
        }
    }

    /// Shows a message in the client's status line for a moment.
    /// Only the first line of `text` fits; a message already shown that begins with it (a
    /// configuration problem shown longer, say) stays as it is.
    pub fn flash(&mut self, id: ClientId, text: String) {
        let line = text.lines().next().unwrap_or_default().to_owned();
        if let Some(a) = self.attached_mut(id) {
            if a.flash
                .as_ref()
                .is_some_and(|(shown, _)| shown.starts_with(&line))
            {
                return;
            }
            a.flash = Some((line, Instant::now() + NUMBERS_FOR));
            a.dirty = true;
        }
    }

    pub(in crate::server) fn restore_mode(&mut self, id: ClientId, mode: ClientMode) {
        if let Some(a) = self.attached_mut(id) {
            a.mode = mode;
        }
    }

    pub(in crate::server) fn set_mode(&mut self, id: ClientId, mode: ClientMode) {
        if let Some(a) = self.attached_mut(id) {
            a.mode = mode;
            a.dirty = true;
        }
    }

    /// The size an app gets in a pane of this client (the whole pane area).
    pub fn pane_size(&self, id: ClientId) -> Option<Size> {
        let r = self.client_areas(id)?.panes;
        Some(Size {
            cols: r.width.max(1),
            rows: r.height.max(1),
        })
    }
}
