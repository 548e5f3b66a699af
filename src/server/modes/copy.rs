//! Copy mode: a frozen snapshot of a pane's history and screen that the client moves through,
//! searches and selects in, with the yank going to the paste buffer and the outer terminal's
//! clipboard. The snapshot is the client's own; nothing shared changes.

use crate::action::{Action, CopyAction};
use crate::config::keymap::KeyTable;
use crate::copy::{CopyMode, Outcome};
use crate::keys::{Key, KeyCode};
use crate::layout::PaneId;
use crate::server::Server;
use crate::server::model::{ClientId, SessionId};
use crate::server::modes::ClientMode;

/// Copy mode for one client: the frozen snapshot and where it came from.
#[derive(Debug, Clone)]
pub struct CopyState {
    pub mode: CopyMode,
    pub pane: PaneId,
    /// A search being typed: (forward, text).
    pub prompt: Option<(bool, String)>,
    /// Entered by the mouse wheel: scrolling back to the bottom leaves copy mode, as tmux's
    /// `copy-mode -e` does.
    pub exit_at_bottom: bool,
    /// The selection follows a mouse drag: releasing the button copies it and leaves copy mode.
    pub dragged: bool,
    /// A double- or triple-click selection, already copied, shown until then (as tmux's
    /// `run -d0.3` before `copy-pipe-and-cancel`).
    pub close_at: Option<std::time::Instant>,
}

impl Server {
    /// Enters copy mode on the focused pane (if not in it) and applies a copy action.
    pub(in crate::server) fn copy_action(
        &mut self,
        id: ClientId,
        session: SessionId,
        action: &CopyAction,
    ) {
        let current = self
            .attached_mut(id)
            .map(|a| std::mem::replace(&mut a.mode, ClientMode::Normal));
        let state = match current {
            Some(ClientMode::Copy(state)) => state,
            other => {
                if let Some(m) = other {
                    self.restore_mode(id, m);
                }
                let Ok(pane) = self.window(session).map(|w| w.active()) else {
                    return;
                };
                match self.copy_snapshot(id, session, pane) {
                    Some(s) => Box::new(s),
                    None => return,
                }
            }
        };
        self.copy_apply(id, session, state, action);
    }

    /// A frozen copy of the history and screen of the app in `pane`.
    pub(super) fn copy_snapshot(
        &self,
        id: ClientId,
        session: SessionId,
        pane: PaneId,
    ) -> Option<CopyState> {
        let w = self.sessions.get(&session)?.active_window()?;
        let app = self.apps.get(w.panes().get(&pane)?)?;
        let term = app.term();
        let lines = term.plain_lines();
        let screen = term.screen();
        let (rows, _) = screen.size();
        let (crow, ccol) = screen.cursor_position();
        let height = self
            .client_areas(id)
            .and_then(|areas| {
                w.layout()
                    .rects(areas.panes)
                    .into_iter()
                    .find(|(p, _)| *p == pane)
            })
            .map_or(usize::from(rows.get()), |(_, r)| usize::from(r.height));
        let mut mode = CopyMode::new(
            lines,
            usize::from(rows.get()),
            usize::from(crow),
            usize::from(ccol),
        );
        mode.resize(height);
        Some(CopyState {
            mode,
            pane,
            prompt: None,
            exit_at_bottom: false,
            dragged: false,
            close_at: None,
        })
    }

    pub(super) fn copy_apply(
        &mut self,
        id: ClientId,
        session: SessionId,
        mut state: Box<CopyState>,
        action: &CopyAction,
    ) {
        match state.mode.act(action) {
            Outcome::Nothing => self.set_mode(id, ClientMode::Copy(state)),
            Outcome::Exit => self.set_mode(id, ClientMode::Normal),
            Outcome::Prompt { forward } => {
                state.prompt = Some((forward, String::new()));
                self.set_mode(id, ClientMode::Copy(state));
            }
            Outcome::Yank(text) => {
                self.set_mode(id, ClientMode::Normal);
                self.yank(id, text);
                let _ = session;
            }
        }
    }

    /// Keeps yanked text for `client.paste` and hands it to the client's terminal clipboard
    /// through OSC 52, when the options allow it.
    pub(super) fn yank(&mut self, id: ClientId, text: String) {
        if self.settings.options.clipboard
            && let Some(a) = self.attached_mut(id)
        {
            a.pending.extend_from_slice(&crate::render::osc52(&text));
            a.dirty = true;
        }
        self.paste_buffer = Some(text);
    }

    pub(super) fn copy_key(
        &mut self,
        id: ClientId,
        session: SessionId,
        mut state: Box<CopyState>,
        key: Key,
    ) {
        if let Some((forward, mut text)) = state.prompt.take() {
            match key.code {
                KeyCode::Enter => {
                    state.mode.search_for(&text, forward);
                }
                KeyCode::Escape => {}
                KeyCode::Backspace => {
                    text.pop();
                    state.prompt = Some((forward, text));
                }
                KeyCode::Char(c) if !key.mods.ctrl && !key.mods.alt => {
                    text.push(c);
                    state.prompt = Some((forward, text));
                }
                _ => state.prompt = Some((forward, text)),
            }
            return self.set_mode(id, ClientMode::Copy(state));
        }
        match self.settings.keymap.lookup(KeyTable::Copy, key).cloned() {
            Some(Action::Copy(a)) => self.copy_apply(id, session, state, &a),
            _ => self.restore_mode(id, ClientMode::Copy(state)),
        }
    }
}
