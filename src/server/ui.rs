//! What a client's keys and clicks do: the input modes (normal, prefix, sidebar, prompt,
//! confirm, pager) and the actions they lead to. Keys that are not bindings are encoded for the
//! focused app. The bindings here are the built-in defaults.

use std::time::Instant;

use crate::input::{InputEvent, MouseButton, MouseEvent, MouseKind};
use crate::keys::{Key, KeyCode, Mods};
use crate::pane::encode;
use crate::protocol::{AppOp, Size};
use crate::render::overlay::{Pager, plain_lines};
use crate::server::model::{AppId, ClientId, SessionId};
use crate::server::state::Server;

/// What a client's keys currently drive.
#[derive(Debug, Clone, PartialEq)]
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `/` in the sidebar: filter apps by name.
    Filter,
    /// `n` in the sidebar: a command to launch as an ad-hoc app.
    NewApp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    KillApp(AppId),
}

impl Mode {
    /// The status-line text for prompts and questions.
    pub fn message_with(
        &self,
        apps: &std::collections::BTreeMap<AppId, crate::server::model::App>,
    ) -> Option<String> {
        match self {
            Mode::Prompt { kind, text } => Some(match kind {
                PromptKind::Filter => format!("filter: {text}▏"),
                PromptKind::NewApp => format!("run: {text}▏"),
            }),
            Mode::Confirm(Confirm::KillApp(id)) => {
                let name = apps.get(id).map(|a| a.name.as_str()).unwrap_or("?");
                Some(format!("kill {name} (SIGKILL to its process group)? y/n"))
            }
            Mode::Sidebar => Some(
                "apps: ↑↓ select  Enter show  s start/stop  r restart  x kill  l log  / filter  n new  Esc back"
                    .into(),
            ),
            _ => None,
        }
    }
}

const PLAIN: Mods = Mods {
    ctrl: false,
    alt: false,
    shift: false,
};

fn is(key: Key, c: char) -> bool {
    key.code == KeyCode::Char(c) && (key.mods == PLAIN || key.mods == Mods::SHIFT)
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
        // Typing into an app changes nothing on screen until the app echoes; only mode keys
        // need a frame of their own (set_mode marks the client dirty).
        match (mode, ev) {
            (Mode::Prefix, InputEvent::Key(key)) => self.prefix_key(id, session, key, read_only),
            (Mode::Sidebar, InputEvent::Key(key)) => self.sidebar_key(id, session, key, read_only),
            (Mode::Prompt { kind, text }, InputEvent::Key(key)) => {
                self.prompt_key(id, session, kind, text, key)
            }
            (Mode::Confirm(c), InputEvent::Key(key)) => self.confirm_key(id, c, key),
            (Mode::Pager { pager, typing }, InputEvent::Key(key)) => {
                self.pager_key(id, pager, typing, key)
            }
            (mode, InputEvent::Mouse(m)) => {
                self.set_mode(id, mode);
                self.mouse(id, session, m);
            }
            (Mode::Normal, InputEvent::Key(key)) if key == self.settings.prefix => {
                self.set_mode(id, Mode::Prefix);
            }
            (Mode::Normal, InputEvent::Key(key)) if !read_only => {
                self.restore_mode(id, Mode::Normal);
                self.type_key(session, key);
            }
            (Mode::Normal, InputEvent::Paste(data)) if !read_only => {
                self.restore_mode(id, Mode::Normal);
                self.paste(session, &data);
            }
            // Focus reports and replies from the outer terminal never reach a pane; other
            // events in modal states are ignored, keeping the mode.
            (mode, _) => self.restore_mode(id, mode),
        }
    }

    /// Puts a mode back without asking for a frame.
    fn restore_mode(&mut self, id: ClientId, mode: Mode) {
        if let Some(a) = self.attached_mut(id) {
            a.mode = mode;
        }
    }

    fn set_mode(&mut self, id: ClientId, mode: Mode) {
        if let Some(a) = self.attached_mut(id) {
            a.mode = mode;
            a.dirty = true;
        }
    }

    /// The key after the prefix.
    fn prefix_key(&mut self, id: ClientId, session: SessionId, key: Key, read_only: bool) {
        if key == self.settings.prefix {
            if !read_only {
                self.type_key(session, key);
            }
            return;
        }
        if is(key, 'd') {
            self.detach(id, "detached");
        } else if is(key, 's') || key.code == KeyCode::Tab {
            self.focus_sidebar(id, session);
        } else if is(key, 'B') {
            self.toggle_sidebar(id, session);
        } else if is(key, '?') {
            self.open_pager(id, Pager::new("help".into(), help_lines()));
        }
    }

    fn focus_sidebar(&mut self, id: ClientId, session: SessionId) {
        let shown = self.sidebar_shown(id, session);
        if let Some(a) = self.attached_mut(id) {
            if !shown {
                a.sidebar_visible = Some(true);
            }
            a.mode = Mode::Sidebar;
        }
        self.ensure_selection(id, session);
        self.resize_session(session);
    }

    fn toggle_sidebar(&mut self, id: ClientId, session: SessionId) {
        let shown = self.sidebar_shown(id, session);
        if let Some(a) = self.attached_mut(id) {
            a.sidebar_visible = Some(!shown);
        }
        self.resize_session(session);
    }

    /// Whether this client shows the sidebar: its own choice, else on for project sessions and
    /// sessions with several apps (a single shell gets the whole screen, like tmux).
    pub fn sidebar_shown(&self, id: ClientId, session: SessionId) -> bool {
        let choice = self
            .clients
            .get(&id)
            .and_then(|c| c.attached.as_ref())
            .and_then(|a| a.sidebar_visible);
        choice.unwrap_or_else(|| {
            self.settings.options.sidebar.visible
                && self
                    .sessions
                    .get(&session)
                    .is_some_and(|s| s.project_file.is_some() || s.apps.len() > 1)
        })
    }

    /// The apps the client's sidebar lists (filtered), in session order.
    pub fn sidebar_apps(&self, id: ClientId, session: SessionId) -> Vec<AppId> {
        let filter = self
            .clients
            .get(&id)
            .and_then(|c| c.attached.as_ref())
            .and_then(|a| a.filter.clone())
            .map(|f| f.to_lowercase());
        let Some(s) = self.sessions.get(&session) else {
            return Vec::new();
        };
        s.apps
            .iter()
            .copied()
            .filter(|a| {
                let name = self.apps.get(a).map(|a| a.name.to_lowercase());
                match (&filter, name) {
                    (Some(f), Some(n)) => n.contains(f.as_str()),
                    (None, Some(_)) => true,
                    _ => false,
                }
            })
            .collect()
    }

    fn ensure_selection(&mut self, id: ClientId, session: SessionId) {
        let list = self.sidebar_apps(id, session);
        let focused = self.sessions.get(&session).and_then(|s| s.focused_app());
        if let Some(a) = self.attached_mut(id)
            && a.selected.is_none_or(|s| !list.contains(&s))
        {
            a.selected = focused
                .filter(|f| list.contains(f))
                .or(list.first().copied());
        }
    }

    fn selected(&self, id: ClientId) -> Option<AppId> {
        self.clients.get(&id)?.attached.as_ref()?.selected
    }

    fn move_selection(&mut self, id: ClientId, session: SessionId, delta: isize) {
        let list = self.sidebar_apps(id, session);
        if list.is_empty() {
            return;
        }
        let cur = self
            .selected(id)
            .and_then(|s| list.iter().position(|a| *a == s))
            .unwrap_or(0);
        let next = cur.saturating_add_signed(delta).min(list.len() - 1);
        if let Some(a) = self.attached_mut(id) {
            a.selected = Some(list[next]);
        }
    }

    fn sidebar_key(&mut self, id: ClientId, session: SessionId, key: Key, read_only: bool) {
        self.set_mode(id, Mode::Sidebar);
        self.ensure_selection(id, session);
        let selected = self.selected(id);
        match key.code {
            KeyCode::Down => return self.move_selection(id, session, 1),
            KeyCode::Up => return self.move_selection(id, session, -1),
            KeyCode::Home => return self.move_selection(id, session, isize::MIN / 2),
            KeyCode::End => return self.move_selection(id, session, isize::MAX / 2),
            KeyCode::Escape => return self.set_mode(id, Mode::Normal),
            KeyCode::Enter => {
                if let Some(app) = selected {
                    if !read_only && !self.apps.get(&app).is_some_and(|a| a.life.has_process()) {
                        self.app_op(app, AppOp::Start);
                    }
                    self.show_app(session, app);
                }
                return self.set_mode(id, Mode::Normal);
            }
            _ => {}
        }
        if key == self.settings.prefix {
            return self.set_mode(id, Mode::Prefix);
        }
        let Key {
            code: KeyCode::Char(c),
            ..
        } = key
        else {
            return;
        };
        match c {
            'j' => self.move_selection(id, session, 1),
            'k' => self.move_selection(id, session, -1),
            'g' => self.move_selection(id, session, isize::MIN / 2),
            'G' => self.move_selection(id, session, isize::MAX / 2),
            'q' => self.set_mode(id, Mode::Normal),
            '/' => self.set_mode(
                id,
                Mode::Prompt {
                    kind: PromptKind::Filter,
                    text: String::new(),
                },
            ),
            'n' if !read_only => self.set_mode(
                id,
                Mode::Prompt {
                    kind: PromptKind::NewApp,
                    text: String::new(),
                },
            ),
            'l' => {
                if let Some(app) = selected {
                    self.open_log(id, app);
                }
            }
            's' | 'r' | 'x' if !read_only => {
                let Some(app) = selected else { return };
                match c {
                    's' => {
                        let running = self.apps.get(&app).is_some_and(|a| a.life.has_process());
                        self.app_op(app, if running { AppOp::Stop } else { AppOp::Start });
                    }
                    'r' => self.app_op(app, AppOp::Restart),
                    _ => self.set_mode(id, Mode::Confirm(Confirm::KillApp(app))),
                }
            }
            _ => {}
        }
    }

    /// Shows an app in the session's focused pane; it is sized to that pane.
    pub fn show_app(&mut self, session: SessionId, app: AppId) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        let Some(w) = s.windows.get_mut(s.active_window) else {
            return;
        };
        if let Some(p) = w.panes.get_mut(w.active) {
            p.app = app;
        }
        if let Some(name) = self.apps.get(&app).map(|a| a.name.clone()) {
            w.name = name;
        }
        self.resize_session(session);
    }

    fn prompt_key(
        &mut self,
        id: ClientId,
        session: SessionId,
        kind: PromptKind,
        mut text: String,
        key: Key,
    ) {
        match key.code {
            KeyCode::Escape => {
                if kind == PromptKind::Filter
                    && let Some(a) = self.attached_mut(id)
                {
                    a.filter = None;
                }
                return self.set_mode(id, Mode::Sidebar);
            }
            KeyCode::Enter => {
                self.set_mode(id, Mode::Sidebar);
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
                if let Ok(crate::protocol::Reply::App { name: app, .. }) =
                    self.run_app(name.as_deref(), spec)
                    && let Some(app_id) = self.app_by_name(session, &app)
                {
                    if let Some(a) = self.attached_mut(id) {
                        a.selected = Some(app_id);
                    }
                    self.show_app(session, app_id);
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

    fn confirm_key(&mut self, id: ClientId, c: Confirm, key: Key) {
        self.set_mode(id, Mode::Sidebar);
        if is(key, 'y') {
            let Confirm::KillApp(app) = c;
            self.app_op(app, AppOp::Kill);
        }
    }

    fn open_log(&mut self, id: ClientId, app: AppId) {
        let Some(a) = self.apps.get(&app) else { return };
        let data = crate::logs::tail(a.log.path(), Some(10_000)).unwrap_or_default();
        let mut pager = Pager::new(format!("log: {}", a.name), plain_lines(&data));
        let height = self.attached_mut(id).map(|a| a.size.rows).unwrap_or(24);
        pager.to_end(height);
        self.open_pager(id, pager);
    }

    fn open_pager(&mut self, id: ClientId, pager: Pager) {
        self.set_mode(
            id,
            Mode::Pager {
                pager,
                typing: None,
            },
        );
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

    /// A click in the sidebar selects an app (and focuses the sidebar); a click in the panes
    /// gives them focus back. Other mouse events are not used yet.
    fn mouse(&mut self, id: ClientId, session: SessionId, m: MouseEvent) {
        if m.kind != MouseKind::Press(MouseButton::Left) {
            return;
        }
        let Some(areas) = self.client_areas(id) else {
            return;
        };
        let inside = |r: ratatui::layout::Rect| {
            m.col >= r.x && m.col < r.right() && m.row >= r.y && m.row < r.bottom()
        };
        if let Some(sb) = areas.sidebar.filter(|r| inside(*r)) {
            let index = usize::from((m.row - sb.y).saturating_sub(1) / 2);
            let list = self.sidebar_apps(id, session);
            if m.row > sb.y
                && let Some(app) = list.get(index).copied()
                && let Some(a) = self.attached_mut(id)
            {
                a.selected = Some(app);
                a.mode = Mode::Sidebar;
            }
        } else if inside(areas.panes)
            && let Some(a) = self.attached_mut(id)
            && a.mode == Mode::Sidebar
        {
            a.mode = Mode::Normal;
        }
    }

    pub(super) fn type_key(&mut self, session: SessionId, key: Key) {
        let Some(app) = self.sessions.get(&session).and_then(|s| s.focused_app()) else {
            return;
        };
        let Some(a) = self.apps.get(&app) else { return };
        if let Some(p) = &a.process {
            let mut out = Vec::new();
            encode::encode_key(key, a.term.key_modes(), &mut out);
            p.write(out);
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
            p.write(out);
        }
    }

    /// The size an app gets in a pane of this client.
    pub fn pane_size(&self, id: ClientId) -> Option<Size> {
        let r = self.client_areas(id)?.panes;
        Some(Size {
            cols: r.width.max(1),
            rows: r.height.max(1),
        })
    }

    /// Used by sidebar countdowns: the next instant the sidebar text changes by itself.
    pub fn sidebar_clock(&self) -> Option<Instant> {
        None
    }
}

/// The help pager's text: every binding of the built-in keymap.
fn help_lines() -> Vec<String> {
    [
        "Prefix: C-b, then:",
        "  d        detach (the apps keep running)",
        "  s, Tab   focus the apps sidebar",
        "  B        show or hide the sidebar",
        "  ?        this help",
        "  C-b      send C-b to the app",
        "",
        "In the sidebar:",
        "  j/k, ↑/↓ select an app       Enter  show it here (starts it if stopped)",
        "  s        start or stop        r      restart",
        "  x        kill (SIGKILL)       l      its log",
        "  /        filter by name       n      launch a command as a new app",
        "  Esc, q   back to the pane",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}
