//! What a client's keys and clicks do. Keys are looked up in the keymap for the client's mode
//! (normal, prefix, sidebar, copy) and become actions; keys that are not bindings are encoded for
//! the focused app. Prompts, questions, the pager and pane numbers are small modes of their own.

use std::time::Instant;

use crate::action::{Action, CopyAction, PaneAction};
use crate::config::keymap::Mode as KeyMode;
use crate::copy::{CopyMode, Outcome};
use crate::input::{InputEvent, MouseButton, MouseEvent, MouseKind};
use crate::keys::{Key, KeyCode};
use crate::layout::{Border, PaneId};
use crate::pane::encode;
use crate::protocol::Size;
use crate::render::overlay::Pager;
use crate::server::model::{App, AppId, ClientId, SessionId};
use crate::server::state::Server;

/// What a client's keys currently drive.
#[derive(Debug, Clone)]
pub enum Mode {
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
}

impl PartialEq for Mode {
    fn eq(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

/// Copy mode for one client: the frozen snapshot and where it came from.
#[derive(Debug, Clone)]
pub struct CopyState {
    pub mode: CopyMode,
    pub pane: PaneId,
    /// A search being typed: (forward, text).
    pub prompt: Option<(bool, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `/` in the sidebar: filter apps by name.
    Filter,
    /// `n` in the sidebar: a command to launch as an ad-hoc app.
    NewApp,
    /// `C-b ,`: a new name for the tab.
    RenameTab,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    KillApp(AppId),
    ClosePane(PaneId),
    CloseTab(usize),
}

impl Mode {
    /// The status-line text for prompts and questions.
    pub fn message_with(&self, apps: &std::collections::BTreeMap<AppId, App>) -> Option<String> {
        match self {
            Mode::Prompt { kind, text } => Some(match kind {
                PromptKind::Filter => format!("filter: {text}▏"),
                PromptKind::NewApp => format!("run: {text}▏"),
                PromptKind::RenameTab => format!("rename tab: {text}▏"),
            }),
            Mode::Confirm(Confirm::KillApp(id)) => {
                let name = apps.get(id).map(|a| a.name.as_str()).unwrap_or("?");
                Some(format!("kill {name} (SIGKILL to its process group)? y/n"))
            }
            Mode::Confirm(Confirm::ClosePane(_)) => Some("close this pane? y/n".into()),
            Mode::Confirm(Confirm::CloseTab(i)) => Some(format!("close tab {i}? y/n")),
            Mode::Sidebar => Some(
                "apps: ↑↓ select  Enter show  s start/stop  r restart  x kill  l log  / filter  n new  Esc back"
                    .into(),
            ),
            Mode::Copy(c) => Some(match &c.prompt {
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
    pub(super) fn client_event(&mut self, id: ClientId, ev: InputEvent) {
        let Some(a) = self.attached_mut(id) else {
            return;
        };
        let session = a.session;
        let read_only = a.read_only;
        let mode = std::mem::replace(&mut a.mode, Mode::Normal);
        // appmux's own modes read a keypad key as the key it stands for, unless a binding names
        // the keypad key itself; the app in a pane gets it as it is.
        let ev = match (&mode, ev) {
            (Mode::Normal | Mode::Numbers { .. }, ev) => ev,
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
                self.mouse(id, session, m);
            }
            (Mode::Prefix, InputEvent::Key(key)) => {
                self.set_mode(id, Mode::Normal);
                if let Some(action) = self.settings.keymap.lookup(KeyMode::Prefix, key).cloned() {
                    self.bound(id, session, &action);
                }
            }
            (Mode::Sidebar, InputEvent::Key(key)) => self.sidebar_key(id, session, key, read_only),
            (Mode::Prompt { kind, text }, InputEvent::Key(key)) => {
                self.prompt_key(id, session, kind, text, key)
            }
            (Mode::Confirm(c), InputEvent::Key(key)) => self.confirm_key(id, session, c, key),
            (Mode::Pager { pager, typing }, InputEvent::Key(key)) => {
                self.pager_key(id, pager, typing, key)
            }
            (Mode::Copy(state), InputEvent::Key(key)) => self.copy_key(id, session, state, key),
            (Mode::Numbers { .. }, InputEvent::Key(key)) => {
                self.set_mode(id, Mode::Normal);
                match key.main_key().code {
                    KeyCode::Char(c @ '0'..='9') => {
                        let n = c as u32 - '0' as u32;
                        let _ = self.run_action(
                            Some(id),
                            session,
                            &Action::Pane(PaneAction::Select(n)),
                        );
                    }
                    _ => self.client_event(id, InputEvent::Key(key)),
                }
            }
            (Mode::Normal, InputEvent::Key(key)) => self.normal_key(id, session, key, read_only),
            (Mode::Normal, InputEvent::Paste(data)) if !read_only => self.paste(session, &data),
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
    fn binds_keypad_key(&self, mode: &Mode, key: Key) -> bool {
        let keymap = &self.settings.keymap;
        let bound = |m| keymap.lookup(m, key).is_some();
        key != key.main_key()
            && match mode {
                Mode::Prefix => bound(KeyMode::Prefix),
                Mode::Sidebar => bound(KeyMode::Sidebar) || bound(KeyMode::Normal),
                Mode::Copy(_) => bound(KeyMode::Copy),
                _ => false,
            }
    }

    fn normal_key(&mut self, id: ClientId, session: SessionId, key: Key, read_only: bool) {
        if self.settings.keymap.prefix == Some(key.normalized()) {
            return self.set_mode(id, Mode::Prefix);
        }
        let keymap = &self.settings.keymap;
        let bound = keymap
            .lookup(KeyMode::Normal, key)
            .or_else(|| keymap.lookup(KeyMode::Normal, key.main_key()));
        if let Some(action) = bound.cloned() {
            return self.bound(id, session, &action);
        }
        if !read_only {
            self.type_key_from(Some(id), session, key);
        }
    }

    /// A bound key's action; failures show in the status line.
    fn bound(&mut self, id: ClientId, session: SessionId, action: &Action) {
        if let Err(e) = self.run_action(Some(id), session, action) {
            self.flash(id, e);
        }
    }

    /// Shows a message in the client's status line for a moment.
    pub fn flash(&mut self, id: ClientId, text: String) {
        if let Some(a) = self.attached_mut(id) {
            a.flash = Some((text, Instant::now() + crate::server::actions::NUMBERS_FOR));
            a.dirty = true;
        }
    }

    fn sidebar_key(&mut self, id: ClientId, session: SessionId, key: Key, read_only: bool) {
        self.set_mode(id, Mode::Sidebar);
        if let Some(action) = self.settings.keymap.lookup(KeyMode::Sidebar, key).cloned() {
            return self.bound(id, session, &action);
        }
        if self.settings.keymap.prefix == Some(key.normalized()) {
            return self.set_mode(id, Mode::Prefix);
        }
        if let Some(action) = self.settings.keymap.lookup(KeyMode::Normal, key).cloned() {
            self.bound(id, session, &action);
        }
        let _ = read_only;
    }

    pub(super) fn restore_mode(&mut self, id: ClientId, mode: Mode) {
        if let Some(a) = self.attached_mut(id) {
            a.mode = mode;
        }
    }

    pub(super) fn set_mode(&mut self, id: ClientId, mode: Mode) {
        if let Some(a) = self.attached_mut(id) {
            a.mode = mode;
            a.dirty = true;
        }
    }

    fn prompt_key(
        &mut self,
        id: ClientId,
        session: SessionId,
        kind: PromptKind,
        mut text: String,
        key: Key,
    ) {
        let back = if kind == PromptKind::RenameTab {
            Mode::Normal
        } else {
            Mode::Sidebar
        };
        match key.code {
            KeyCode::Escape => {
                if kind == PromptKind::Filter
                    && let Some(a) = self.attached_mut(id)
                {
                    a.filter = None;
                }
                return self.set_mode(id, back);
            }
            KeyCode::Enter => {
                self.set_mode(id, back);
                return self.prompt_done(id, session, kind, text);
            }
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char('u') if key.mods.ctrl => text.clear(),
            KeyCode::Char(c) if !key.mods.ctrl && !key.mods.alt => text.push(c),
            _ => {}
        }
        if kind == PromptKind::Filter {
            if let Some(a) = self.attached_mut(id) {
                a.filter = Some(text.clone()).filter(|t| !t.is_empty());
            }
            self.ensure_selection(id, session);
        }
        self.set_mode(id, Mode::Prompt { kind, text });
    }

    fn prompt_done(&mut self, id: ClientId, session: SessionId, kind: PromptKind, text: String) {
        match kind {
            PromptKind::Filter => self.ensure_selection(id, session),
            PromptKind::RenameTab => {
                let name = text.trim().to_owned();
                if !name.is_empty() {
                    let rename = crate::action::TabAction::Rename(Some(name));
                    self.bound(id, session, &Action::Tab(rename));
                }
            }
            PromptKind::NewApp => {
                let text = text.trim();
                if text.is_empty() {
                    return;
                }
                let name = self.sessions.get(&session).map(|s| s.name.clone());
                let cwd = self
                    .sessions
                    .get(&session)
                    .and_then(|s| s.cwd.clone())
                    .unwrap_or_else(|| "/".into());
                let spec = crate::config::AppSpec::ad_hoc(
                    String::new(),
                    crate::config::CommandSpec::Shell(text.to_owned()),
                    cwd.into(),
                );
                match self.run_app(name.as_deref(), spec) {
                    Ok(crate::protocol::Reply::App { name: app, .. }) => {
                        if let Some(app_id) = self.app_by_name(session, &app) {
                            if let Some(a) = self.attached_mut(id) {
                                a.selected = Some(app_id);
                            }
                            self.show_app(session, app_id);
                        }
                    }
                    Ok(_) => {}
                    Err(e) => self.flash(id, e),
                }
            }
        }
    }

    pub fn app_by_name(&self, session: SessionId, name: &str) -> Option<AppId> {
        self.sessions
            .get(&session)?
            .apps
            .iter()
            .copied()
            .find(|a| self.apps.get(a).is_some_and(|a| a.name == name))
    }

    fn confirm_key(&mut self, id: ClientId, session: SessionId, c: Confirm, key: Key) {
        let yes = matches!(key.code, KeyCode::Char('y' | 'Y'));
        match c {
            Confirm::KillApp(app) => {
                self.set_mode(id, Mode::Sidebar);
                if yes {
                    self.app_op(app, crate::protocol::AppOp::Kill);
                }
            }
            Confirm::ClosePane(pane) => {
                self.set_mode(id, Mode::Normal);
                if yes && let Err(e) = self.close_pane(session, pane) {
                    self.flash(id, e);
                }
            }
            Confirm::CloseTab(index) => {
                self.set_mode(id, Mode::Normal);
                if yes {
                    self.close_tab(session, index);
                }
            }
        }
    }

    fn pager_key(&mut self, id: ClientId, mut pager: Pager, typing: Option<String>, key: Key) {
        let height = self.attached_mut(id).map(|a| a.size.rows).unwrap_or(24);
        if let Some(mut term) = typing {
            match key.code {
                KeyCode::Enter => {
                    pager.search = Some(term);
                    pager.find(true);
                    return self.set_mode(
                        id,
                        Mode::Pager {
                            pager,
                            typing: None,
                        },
                    );
                }
                KeyCode::Escape => {
                    return self.set_mode(
                        id,
                        Mode::Pager {
                            pager,
                            typing: None,
                        },
                    );
                }
                KeyCode::Backspace => {
                    term.pop();
                }
                KeyCode::Char(c) if !key.mods.ctrl => term.push(c),
                _ => {}
            }
            pager.search = Some(term.clone());
            return self.set_mode(
                id,
                Mode::Pager {
                    pager,
                    typing: Some(term),
                },
            );
        }
        let page = Pager::page(height) as isize;
        match key.code {
            KeyCode::Char('q') | KeyCode::Escape => return self.set_mode(id, Mode::Normal),
            KeyCode::Char('j') | KeyCode::Down | KeyCode::Enter => pager.scroll(1, height),
            KeyCode::Char('k') | KeyCode::Up => pager.scroll(-1, height),
            KeyCode::PageDown | KeyCode::Char(' ') => pager.scroll(page, height),
            KeyCode::PageUp | KeyCode::Char('b') => pager.scroll(-page, height),
            KeyCode::Char('g') | KeyCode::Home => pager.top = 0,
            KeyCode::Char('G') | KeyCode::End => pager.to_end(height),
            KeyCode::Char('n') => {
                pager.find(true);
            }
            KeyCode::Char('N') => {
                pager.find(false);
            }
            KeyCode::Char('/') => {
                return self.set_mode(
                    id,
                    Mode::Pager {
                        pager,
                        typing: Some(String::new()),
                    },
                );
            }
            _ => {}
        }
        self.set_mode(
            id,
            Mode::Pager {
                pager,
                typing: None,
            },
        );
    }

    /// Enters copy mode on the focused pane (if not in it) and applies a copy action.
    pub(super) fn copy_action(&mut self, id: ClientId, session: SessionId, action: &CopyAction) {
        let current = self
            .attached_mut(id)
            .map(|a| std::mem::replace(&mut a.mode, Mode::Normal));
        let state = match current {
            Some(Mode::Copy(state)) => state,
            other => {
                if let Some(m) = other {
                    self.restore_mode(id, m);
                }
                match self.copy_snapshot(id, session) {
                    Some(s) => Box::new(s),
                    None => return,
                }
            }
        };
        self.copy_apply(id, session, state, action);
    }

    /// A frozen copy of the focused app's history and screen.
    fn copy_snapshot(&self, id: ClientId, session: SessionId) -> Option<CopyState> {
        let w = self.sessions.get(&session)?.active_window()?;
        let app = self.apps.get(&w.active_app()?)?;
        let h = app.term.history();
        // Invalid UTF-8 shows as U+FFFD, as on screen.
        let line = |l: &str| {
            l.trim_end()
                .replace(crate::pane::filter::INVALID, "\u{FFFD}")
        };
        let mut lines: Vec<String> = (0..h.len())
            .filter_map(|i| h.row_plain(i))
            .map(|l| line(&l))
            .collect();
        let screen = app.term.screen();
        let (rows, cols) = screen.size();
        lines.extend(screen.rows(0, cols.get()).map(|r| line(&r)));
        let (crow, ccol) = screen.cursor_position();
        let height = self
            .client_areas(id)
            .and_then(|areas| {
                w.layout
                    .rects(areas.panes)
                    .into_iter()
                    .find(|(p, _)| *p == w.active)
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
            pane: w.active,
            prompt: None,
        })
    }

    fn copy_apply(
        &mut self,
        id: ClientId,
        session: SessionId,
        mut state: Box<CopyState>,
        action: &CopyAction,
    ) {
        match state.mode.act(action) {
            Outcome::Nothing => self.set_mode(id, Mode::Copy(state)),
            Outcome::Exit => self.set_mode(id, Mode::Normal),
            Outcome::Prompt { forward } => {
                state.prompt = Some((forward, String::new()));
                self.set_mode(id, Mode::Copy(state));
            }
            Outcome::Yank(text) => {
                self.set_mode(id, Mode::Normal);
                self.yank(id, text);
                let _ = session;
            }
        }
    }

    /// Keeps yanked text for `client.paste` and hands it to the client's terminal clipboard
    /// through OSC 52, when the options allow it.
    fn yank(&mut self, id: ClientId, text: String) {
        if self.settings.options.clipboard
            && let Some(a) = self.attached_mut(id)
        {
            a.pending.extend_from_slice(&crate::render::osc52(&text));
            a.dirty = true;
        }
        self.paste_buffer = Some(text);
    }

    fn copy_key(&mut self, id: ClientId, session: SessionId, mut state: Box<CopyState>, key: Key) {
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
            return self.set_mode(id, Mode::Copy(state));
        }
        match self.settings.keymap.lookup(KeyMode::Copy, key).cloned() {
            Some(Action::Copy(a)) => self.copy_apply(id, session, state, &a),
            _ => self.restore_mode(id, Mode::Copy(state)),
        }
    }

    /// Apps that asked for the mouse get its events over their pane; otherwise clicks focus
    /// panes and select sidebar apps, dragging a border resizes and the wheel scrolls history
    /// in copy mode (when the `mouse` option is on).
    fn mouse(&mut self, id: ClientId, session: SessionId, m: MouseEvent) {
        let Some(areas) = self.client_areas(id) else {
            return;
        };
        if self.forward_mouse(id, session, areas.panes, m) || !self.settings.options.mouse {
            return;
        }
        let inside = |r: ratatui::layout::Rect| {
            m.col >= r.x && m.col < r.right() && m.row >= r.y && m.row < r.bottom()
        };
        match m.kind {
            MouseKind::Press(MouseButton::Left) => {
                if let Some(sb) = areas.sidebar.filter(|r| inside(*r)) {
                    return self.sidebar_click(id, session, m.row - sb.y);
                }
                let Ok(w) = self.window(session) else { return };
                if let Some(b) = w.layout.border_at(areas.panes, m.col, m.row) {
                    if let Some(a) = self.attached_mut(id) {
                        a.dragging = Some(b);
                    }
                    return;
                }
                let pane = w.layout.pane_at(areas.panes, m.col, m.row);
                if let Some(pane) = pane {
                    if let Ok(w) = self.window_mut(session) {
                        w.focus(pane);
                    }
                    if let Some(a) = self.attached_mut(id)
                        && matches!(a.mode, Mode::Sidebar | Mode::Copy(_))
                    {
                        a.mode = Mode::Normal;
                    }
                    self.session_changed(session);
                }
            }
            MouseKind::Drag(MouseButton::Left) => {
                let Some(b) = self.attached_mut(id).and_then(|a| a.dragging.clone()) else {
                    return;
                };
                let to = match b.axis {
                    crate::layout::Axis::Horizontal => m.col,
                    crate::layout::Axis::Vertical => m.row,
                };
                if let Ok(w) = self.window_mut(session)
                    && w.layout.drag(areas.panes, &b, to)
                {
                    self.after_layout_change(session);
                }
            }
            MouseKind::Release(_) => {
                if let Some(a) = self.attached_mut(id) {
                    a.dragging = None::<Border>;
                }
            }
            MouseKind::ScrollUp | MouseKind::ScrollDown => {
                let up = m.kind == MouseKind::ScrollUp;
                let in_copy = matches!(self.attached_mut(id).map(|a| &a.mode), Some(Mode::Copy(_)));
                if !up && !in_copy {
                    return;
                }
                for _ in 0..3 {
                    self.copy_action(
                        id,
                        session,
                        if up {
                            &CopyAction::Up
                        } else {
                            &CopyAction::Down
                        },
                    );
                }
            }
            _ => {}
        }
    }

    /// Sends a mouse event to the app under the pointer, or to the one that got the press
    /// until the release, when that app asked for mouse reports; true when it did (the event
    /// is then the app's, even if its mode reports nothing for it). A press also focuses the
    /// pane, as tmux does.
    fn forward_mouse(
        &mut self,
        id: ClientId,
        session: SessionId,
        panes: ratatui::layout::Rect,
        m: MouseEvent,
    ) -> bool {
        let Some(a) = self.attached_mut(id) else {
            return false;
        };
        if a.read_only || a.dragging.is_some() || a.mode != Mode::Normal {
            return false;
        }
        let grab = a.mouse_grab;
        let Ok(w) = self.window(session) else {
            return false;
        };
        let rects = w.layout.rects(panes);
        let inside = |r: &ratatui::layout::Rect| {
            m.col >= r.x && m.col < r.right() && m.row >= r.y && m.row < r.bottom()
        };
        let target = grab
            .and_then(|g| rects.iter().find(|(p, _)| *p == g))
            .or_else(|| rects.iter().find(|(_, r)| inside(r)))
            .copied();
        let Some((pane, rect)) = target else {
            return false;
        };
        let Some(app) = w.panes.get(&pane).and_then(|app| self.apps.get(app)) else {
            return false;
        };
        let (mode, encoding) = app.term.mouse();
        if mode == vt100::MouseProtocolMode::None || app.process.is_none() {
            if let Some(a) = self.attached_mut(id) {
                a.mouse_grab = None;
            }
            return false;
        }
        // Relative to the pane; a drag past its edge stays on the edge.
        let event = MouseEvent {
            col: m
                .col
                .saturating_sub(rect.x)
                .min(rect.width.saturating_sub(1)),
            row: m
                .row
                .saturating_sub(rect.y)
                .min(rect.height.saturating_sub(1)),
            ..m
        };
        let mut out = Vec::new();
        if encode::encode_mouse(event, mode, encoding, &mut out)
            && let Some(p) = &app.process
            && let Err(e) = p.write(out)
        {
            tracing::debug!(app = %app.name, "mouse event dropped: {e}");
        }
        let press = matches!(m.kind, MouseKind::Press(_));
        let focused = w.active == pane;
        if let Some(a) = self.attached_mut(id) {
            a.mouse_grab = match m.kind {
                MouseKind::Press(_) => Some(pane),
                MouseKind::Release(_) => None,
                _ => a.mouse_grab,
            };
        }
        if press
            && !focused
            && let Ok(w) = self.window_mut(session)
        {
            w.focus(pane);
            self.session_changed(session);
        }
        true
    }

    /// Types a key into the focused app (a bound key's `SendPrefix`, say), as if no particular
    /// client typed it.
    pub(super) fn type_key(&mut self, session: SessionId, key: Key) {
        self.type_key_from(None, session, key);
    }

    /// Encodes a key for the focused app in its current modes. Kitty encoding is used when the
    /// app pushed kitty flags and the typing client's terminal speaks the protocol too (without
    /// a client, as for `send-keys`, the app's wish decides); otherwise the app gets legacy keys.
    fn type_key_from(&mut self, client: Option<ClientId>, session: SessionId, key: Key) {
        let kitty_ok = client.is_none_or(|c| {
            self.clients
                .get(&c)
                .and_then(|c| c.attached.as_ref())
                .is_some_and(|a| a.kitty)
        });
        let Some(app) = self.sessions.get(&session).and_then(|s| s.focused_app()) else {
            return;
        };
        let Some(a) = self.apps.get(&app) else { return };
        let Some(p) = &a.process else { return };
        let mut modes = a.term.key_modes();
        if !kitty_ok {
            modes.kitty = 0;
        }
        let mut out = Vec::new();
        encode::encode_key(key, modes, &mut out);
        if let Err(e) = p.write(out) {
            let text = format!("{}: {e}", a.name);
            if let Some(c) = client {
                self.flash(c, text);
            }
        }
    }

    pub(super) fn paste(&mut self, session: SessionId, data: &[u8]) {
        let Some(app) = self.sessions.get(&session).and_then(|s| s.focused_app()) else {
            return;
        };
        let Some(a) = self.apps.get(&app) else { return };
        if let Some(p) = &a.process {
            let mut out = Vec::new();
            encode::encode_paste(data, a.term.bracketed_paste(), &mut out);
            if let Err(e) = p.write(out) {
                tracing::warn!(app = %a.name, "paste dropped: {e}");
            }
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
