//! The sidebar as a client sees it: whether it is shown, which apps it lists (filtered), the
//! selection, and what its actions do.

use crate::action::SidebarAction;
use crate::app::lifecycle::Control;
use crate::config::keymap::KeyTable;
use crate::keys::Key;
use crate::render::overlay::{Pager, plain_lines};
use crate::server::model::{AppId, ClientId, SessionId};
use crate::server::modes::{ClientMode, Confirm, PromptKind};
use crate::server::{Event, Server};

impl Server {
    /// A key while the sidebar has focus: the sidebar table first, then the prefix, then the
    /// normal table's bindings.
    pub(in crate::server) fn sidebar_key(&mut self, id: ClientId, session: SessionId, key: Key) {
        self.set_mode(id, ClientMode::Sidebar);
        if let Some(action) = self.settings.keymap.lookup(KeyTable::Sidebar, key).cloned() {
            return self.bound(id, session, &action);
        }
        if self.settings.keymap.prefix == Some(key.normalized()) {
            return self.set_mode(id, ClientMode::Prefix);
        }
        if let Some(action) = self.settings.keymap.lookup(KeyTable::Normal, key).cloned() {
            self.bound(id, session, &action);
        }
    }

    /// Whether this client shows the sidebar: its own choice, else on for project sessions and
    /// sessions with several apps (a single shell gets the whole screen, like tmux).
    pub fn sidebar_shown(&self, id: ClientId, session: SessionId) -> bool {
        let choice = self
            .clients
            .get(&id)
            .and_then(|c| c.attached())
            .and_then(|a| a.sidebar_visible);
        choice.unwrap_or_else(|| {
            self.settings.options.sidebar.visible
                && self.sessions.get(&session).is_some_and(|s| {
                    s.project_file().is_some()
                        || s.apps().iter().filter(|a| !self.is_pane_shell(**a)).count() > 1
                })
        })
    }

    /// Shells started for a split or a new tab are part of the layout, not apps to list.
    pub fn is_pane_shell(&self, app: AppId) -> bool {
        self.apps.get(&app).is_some_and(|a| a.is_pane_shell())
    }

    /// The apps the client's sidebar lists (filtered), in session order.
    pub fn sidebar_apps(&self, id: ClientId, session: SessionId) -> Vec<AppId> {
        let filter = self
            .clients
            .get(&id)
            .and_then(|c| c.attached())
            .and_then(|a| a.filter.clone())
            .map(|f| f.to_lowercase());
        let Some(s) = self.sessions.get(&session) else {
            return Vec::new();
        };
        s.apps()
            .iter()
            .copied()
            .filter(|a| {
                let Some(name) = self.apps.get(a).map(|a| a.name().to_lowercase()) else {
                    return false;
                };
                filter.as_deref().is_none_or(|f| name.contains(f))
            })
            .collect()
    }

    pub(in crate::server) fn ensure_selection(&mut self, id: ClientId, session: SessionId) {
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

    pub(in crate::server) fn selected(&self, id: ClientId) -> Option<AppId> {
        self.clients.get(&id)?.attached()?.selected
    }

    pub(super) fn move_selection(&mut self, id: ClientId, session: SessionId, delta: isize) {
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

    pub(in crate::server) fn focus_sidebar(&mut self, id: ClientId, session: SessionId) {
        let shown = self.sidebar_shown(id, session);
        if let Some(a) = self.attached_mut(id) {
            if !shown {
                a.sidebar_visible = Some(true);
            }
            a.mode = ClientMode::Sidebar;
            a.dirty = true;
        }
        self.ensure_selection(id, session);
        self.resize_session(session);
    }

    pub(in crate::server) fn toggle_sidebar(&mut self, id: ClientId, session: SessionId) {
        let shown = self.sidebar_shown(id, session);
        if let Some(a) = self.attached_mut(id) {
            a.sidebar_visible = Some(!shown);
            if shown && a.mode == ClientMode::Sidebar {
                a.mode = ClientMode::Normal;
            }
        }
        self.resize_session(session);
    }

    /// A sidebar action from a key (or a click's selection). A read-only client never gets here
    /// with an action that changes an app or a pane (`Action::is_view_only`).
    pub(in crate::server) fn sidebar_action(
        &mut self,
        id: ClientId,
        session: SessionId,
        act: SidebarAction,
    ) {
        if !matches!(act, SidebarAction::Focus | SidebarAction::Toggle) {
            self.ensure_selection(id, session);
        }
        let selected = self.selected(id);
        let mode = |server: &mut Self, m: ClientMode| server.set_mode(id, m);
        match act {
            SidebarAction::Focus => self.focus_sidebar(id, session),
            SidebarAction::Toggle => self.toggle_sidebar(id, session),
            SidebarAction::Up => self.move_selection(id, session, -1),
            SidebarAction::Down => self.move_selection(id, session, 1),
            SidebarAction::First => self.move_selection(id, session, isize::MIN / 2),
            SidebarAction::Last => self.move_selection(id, session, isize::MAX / 2),
            SidebarAction::Back => mode(self, ClientMode::Normal),
            SidebarAction::Show => {
                if let Some(app) = selected {
                    if !self.apps.get(&app).is_some_and(|a| a.life().has_process()) {
                        self.app_op(app, Control::Start);
                    }
                    self.show_app(session, app);
                }
                mode(self, ClientMode::Normal);
            }
            SidebarAction::Filter => mode(
                self,
                ClientMode::Prompt {
                    kind: PromptKind::Filter,
                    text: String::new(),
                },
            ),
            SidebarAction::New => mode(
                self,
                ClientMode::Prompt {
                    kind: PromptKind::NewApp,
                    text: String::new(),
                },
            ),
            SidebarAction::Log => {
                if let Some(app) = selected {
                    self.open_log(id, app);
                }
            }
            SidebarAction::StartStop => {
                if let Some(app) = selected {
                    let running = self.apps.get(&app).is_some_and(|a| a.life().has_process());
                    self.app_op(
                        app,
                        if running {
                            Control::Stop
                        } else {
                            Control::Start
                        },
                    );
                }
            }
            SidebarAction::Restart => {
                if let Some(app) = selected {
                    self.app_op(app, Control::Restart);
                }
            }
            SidebarAction::Kill => {
                if let Some(app) = selected {
                    mode(self, ClientMode::Confirm(Confirm::KillApp(app)));
                }
            }
        }
    }

    /// Asks the log thread for the app's log, after what is queued for it is written; the
    /// pager opens when it arrives ([`Server::show_log`]).
    pub(super) fn open_log(&mut self, id: ClientId, app: AppId) {
        let Some(a) = self.apps.get(&app) else { return };
        let title = format!("log: {}", a.name());
        let path = a.log().path().to_owned();
        let events = self.events.clone();
        let queued = self.logs.after_queued(move || {
            let all = crate::logs::query::Filter::default();
            let (lines, _) =
                crate::logs::query::read_lines(&path, &all, 10_000, false).unwrap_or_default();
            let read = Event::LogRead {
                client: id,
                title,
                lines: timed_plain_lines(&lines),
            };
            let _ = events.blocking_send(read);
        });
        if !queued {
            let behind = "The log is being written too slowly to read now; try again.";
            self.show_log(
                id,
                format!("log: {}", a.name()),
                vec![(None, behind.into())],
            );
        }
    }

    /// Opens the pager on a log the log thread read.
    pub(in crate::server) fn show_log(
        &mut self,
        id: ClientId,
        title: String,
        lines: Vec<(Option<String>, String)>,
    ) {
        if self.attached_mut(id).is_none() {
            return;
        }
        let mut pager = Pager::with_times(title, lines);
        pager.to_end(self.pager_height(id));
        self.set_mode(
            id,
            ClientMode::Pager {
                pager,
                typing: None,
            },
        );
    }

    /// Selects the app listed at row `row` of the sidebar (two rows per app under a header).
    pub(in crate::server) fn sidebar_click(&mut self, id: ClientId, session: SessionId, row: u16) {
        if row == 0 {
            return;
        }
        let index = usize::from((row - 1) / 2);
        let list = self.sidebar_apps(id, session);
        if let Some(app) = list.get(index).copied()
            && let Some(a) = self.attached_mut(id)
        {
            a.selected = Some(app);
            a.mode = ClientMode::Sidebar;
            a.dirty = true;
        }
    }
}

/// A log's lines as the pager shows them: plain text, a line the app rewrote with CR shown
/// as its last version, and the time each began (UTC, as `appmux logs --timestamps` prints
/// it) on its first row.
fn timed_plain_lines(lines: &[crate::logs::query::Line]) -> Vec<(Option<String>, String)> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let mut time = line.time.map(crate::logs::time::rfc3339_ms);
        for text in plain_lines(&line.bytes) {
            out.push((time.take(), text));
        }
    }
    out
}
