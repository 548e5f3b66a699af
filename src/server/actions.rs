//! Carrying out the action vocabulary (`crate::action`) on the model: [`Server::run_action`] is
//! the one place every action is dispatched, whether it came from a key binding, the command
//! line (`appmux action` and the other verbs) or the control API. Pane and tab edits are the
//! session model's (`session`), with the apps they start or retire orchestrated here; client-only actions (detach, help, copy mode) need a client; the app
//! verbs and the server layer (sessions, the server) are carried out in `verbs`.

use std::time::Instant;

use crate::action::{Action, ClientAction, PaneAction, TabAction};
use crate::app::lifecycle::Control;
use crate::config::{AppSpec, CommandSpec, RestartPolicy};
use crate::layout::{Axis, PaneId};
use crate::server::Server;
use crate::server::model::{AppId, ClientId, SessionId};
use crate::server::modes::{ClientMode, Confirm, PromptKind};
use crate::server::session::{Session, Window};
use crate::server::verbs::Outcome;
use crate::size::Size;

impl Server {
    /// Runs an action in `session`, for the attached `client` when there is one (keys) or for
    /// nobody in particular (the CLI and the control API, through `perform`). The server layer
    /// and the app verbs that only read or type need no session; every other action does.
    pub fn run_action(
        &mut self,
        client: Option<ClientId>,
        session: Option<SessionId>,
        action: &Action,
    ) -> Result<Outcome, String> {
        let read_only = client
            .and_then(|c| self.clients.get(&c)?.attached().map(|a| a.read_only))
            .unwrap_or(false);
        if read_only && !action.is_view_only() {
            return Err(crate::server::modes::READ_ONLY.into());
        }
        let session = match action {
            Action::Session(a) if action.layer() == crate::action::Layer::Server => {
                return self.session_action(a);
            }
            Action::Server(a) => return self.server_action(a),
            Action::App(a) if !a.changes_model() => return self.app_io(session, a),
            _ => session.ok_or("no sessions")?,
        };
        let mut outcome = Outcome::Done;
        let result = match action {
            Action::Client(a) => self.client_action(client, session, *a),
            Action::Pane(a) => self.pane_action(client, session, a),
            Action::Float(a) => self.float_action(client, session, a),
            Action::Tab(a) => self.tab_action(client, session, a),
            Action::App(a) => self.app_action(session, a).map(|o| outcome = o),
            Action::Sidebar(a) => {
                let c = client.ok_or("sidebar actions need an attached client")?;
                self.sidebar_action(c, session, *a);
                Ok(())
            }
            Action::Copy(a) => {
                let c = client.ok_or("copy mode needs an attached client")?;
                self.copy_action(c, session, a);
                Ok(())
            }
            Action::Session(a) => self.session_verb(client, session, a),
            // Carried out above.
            Action::Server(_) => Ok(()),
        };
        self.session_changed(session);
        self.state_changed();
        result.map(|()| outcome)
    }

    fn client_action(
        &mut self,
        client: Option<ClientId>,
        session: SessionId,
        a: ClientAction,
    ) -> Result<(), String> {
        match a {
            ClientAction::SendPrefix => {
                let prefix = self
                    .settings
                    .keymap
                    .prefix
                    .ok_or("this keymap has no prefix key")?;
                self.type_key(session, prefix);
                Ok(())
            }
            ClientAction::Paste => {
                let text = self
                    .paste_buffer
                    .clone()
                    .ok_or("the paste buffer is empty")?;
                self.paste(session, text.as_bytes());
                Ok(())
            }
            _ => {
                let c = client.ok_or("this action needs an attached client")?;
                match a {
                    ClientAction::Detach => self.detach(c, "detached"),
                    ClientAction::Help => {
                        let lines = crate::config::keymap::help_lines(&self.settings.keymap);
                        let title = format!("help: keymap {}", self.settings.keymap.name);
                        self.set_mode(
                            c,
                            ClientMode::Pager {
                                pager: crate::render::overlay::Pager::new(title, lines),
                                typing: None,
                            },
                        );
                    }
                    ClientAction::CommandPrompt => self.open_command_prompt(c),
                    ClientAction::Refresh => {
                        if let Some(at) = self.attached_mut(c) {
                            at.invalidate();
                        }
                    }
                    ClientAction::Switcher => self.open_switcher(c),
                    _ => {}
                }
                Ok(())
            }
        }
    }

    /// The rectangle panes of `session` are laid out in, as `client` (or the size owner) sees it.
    pub fn layout_area(
        &self,
        client: Option<ClientId>,
        session: SessionId,
    ) -> ratatui::layout::Rect {
        let s = self.sessions.get(&session);
        client
            .or_else(|| s.and_then(|s| s.size_owner()))
            .and_then(|c| self.client_areas(c))
            .map(|a| a.panes)
            .unwrap_or_else(|| {
                let size = s
                    .map(|s| s.detached_size())
                    .unwrap_or(Size { cols: 80, rows: 24 });
                ratatui::layout::Rect::new(0, 0, size.cols, size.rows)
            })
    }

    fn pane_action(
        &mut self,
        client: Option<ClientId>,
        session: SessionId,
        a: &PaneAction,
    ) -> Result<(), String> {
        let area = self.layout_area(client, session);
        match a {
            PaneAction::SplitRight => return self.split(session, Axis::Horizontal, area),
            PaneAction::SplitDown => return self.split(session, Axis::Vertical, area),
            PaneAction::Close => {
                let s = self.sessions.get(&session).ok_or("no such session")?;
                // While the floating layer is shown, its top pane is the one closed.
                let float = self.window(session)?.focused_float().map(|f| f.pane);
                if float.is_none() && s.on_last_pane() {
                    return Err("this is the last pane; kill the session to close it".into());
                }
                let pane = float.unwrap_or(self.window(session)?.active());
                return match client {
                    Some(c) => {
                        self.set_mode(c, ClientMode::Confirm(Confirm::ClosePane(pane)));
                        Ok(())
                    }
                    None => self.close_pane(session, pane),
                };
            }
            PaneAction::Numbers => {
                let c = client.ok_or("pane numbers need an attached client")?;
                self.set_mode(
                    c,
                    ClientMode::Numbers {
                        until: Instant::now() + crate::server::modes::NUMBERS_FOR,
                    },
                );
                return Ok(());
            }
            _ => {}
        }
        self.session_mut(session)?.edit_panes(a, area)?;
        self.after_layout_change(session);
        Ok(())
    }

    pub(super) fn window(&self, session: SessionId) -> Result<&Window, String> {
        self.sessions
            .get(&session)
            .and_then(|s| s.active_window())
            .ok_or_else(|| "the session has no window".to_owned())
    }

    pub(super) fn session_mut(&mut self, session: SessionId) -> Result<&mut Session, String> {
        self.sessions
            .get_mut(&session)
            .ok_or_else(|| "no such session".to_owned())
    }

    /// Focus, sizes and names follow a layout change.
    pub(super) fn after_layout_change(&mut self, session: SessionId) {
        self.state_changed();
        let dropped = self
            .sessions
            .get_mut(&session)
            .map(Session::take_dropped_floats)
            .unwrap_or_default();
        for app in dropped {
            self.retire_if_unshown(session, app);
        }
        let apps = &self.apps;
        if let Some(s) = self.sessions.get_mut(&session) {
            s.name_tabs(|a| apps.get(&a).map(|a| a.name().to_owned()));
        }
        self.resize_session(session);
    }

    /// Shows an app in the session's focused pane; it is sized to that pane. The app that was
    /// shown there keeps running: a pane's shell that is no longer in any pane becomes an app of
    /// the session like any other (listed, and shown again from the sidebar), because it may
    /// hold unsaved work. Only closing a pane ends its shell, and that asks first.
    pub fn show_app(&mut self, session: SessionId, app: AppId) {
        let Ok(previous) = self.session_mut(session).and_then(|s| s.show(app)) else {
            return;
        };
        self.after_layout_change(session);
        let Some(prev) = previous.filter(|p| *p != app) else {
            return;
        };
        let shown = self.sessions.get(&session).is_some_and(|s| s.shows(prev));
        if !shown
            && let Some(a) = self.apps.get_mut(&prev)
            && a.is_pane_shell()
        {
            tracing::info!(app = %a.name(), "a pane's shell was replaced; it keeps running as an app");
            a.set_pane_shell(false);
            // Listed now, it may bring the sidebar in by default, which narrows the panes.
            self.resize_session(session);
        }
    }

    /// A new shell for a new pane or tab, in the session's directory.
    pub(super) fn pane_shell(&mut self, session: SessionId) -> Result<AppId, String> {
        let s = self.sessions.get(&session).ok_or("no such session")?;
        let shell = self.settings.shell_for(s.env());
        let cwd = s.cwd().unwrap_or("/").to_owned();
        let name = shell.rsplit('/').next().unwrap_or("sh").to_owned();
        let mut spec = AppSpec::ad_hoc(name, CommandSpec::Argv(vec![shell]), cwd.into());
        spec.restart = RestartPolicy::Never;
        let id = self.add_app(session, spec, true, false)?;
        if let Some(a) = self.apps.get_mut(&id) {
            a.set_pane_shell(true);
        }
        Ok(id)
    }

    fn split(
        &mut self,
        session: SessionId,
        axis: Axis,
        area: ratatui::layout::Rect,
    ) -> Result<(), String> {
        self.session_mut(session)?.can_split(axis, area)?;
        let app = self.pane_shell(session)?;
        // The new pane's size is known before its shell starts, so it starts at the right size.
        let pane = PaneId(self.next_id());
        let size = self.session_mut(session)?.split(axis, area, pane, app)?;
        self.resize_app(app, size);
        self.app_op(app, Control::Start);
        self.after_layout_change(session);
        Ok(())
    }

    /// Closes a pane; a shell started for it goes with it, apps keep running. The last pane of a
    /// tab closes the tab.
    pub fn close_pane(&mut self, session: SessionId, pane: PaneId) -> Result<(), String> {
        if let Some(app) = self.session_mut(session)?.close_pane(pane)? {
            self.retire_if_unshown(session, app);
        }
        self.after_layout_change(session);
        Ok(())
    }

    /// A pane shell that no pane shows any more is stopped and removed.
    fn retire_if_unshown(&mut self, session: SessionId, app: AppId) {
        let shown = self.sessions.get(&session).is_some_and(|s| s.shows(app));
        if !shown && self.is_pane_shell(app) {
            if let Some(s) = self.sessions.get_mut(&session) {
                s.remove_app(app);
            }
            self.retire_app(app);
        }
    }

    fn tab_action(
        &mut self,
        client: Option<ClientId>,
        session: SessionId,
        a: &TabAction,
    ) -> Result<(), String> {
        match a {
            TabAction::New => {
                let app = self.pane_shell(session)?;
                let pane = PaneId(self.next_id());
                let name = self.apps[&app].name().to_owned();
                self.session_mut(session)?.new_tab(name, pane, app);
                let size = self.layout_area(client, session);
                self.resize_app(
                    app,
                    Size {
                        cols: size.width.max(1),
                        rows: size.height.max(1),
                    },
                );
                self.app_op(app, Control::Start);
            }
            TabAction::Next | TabAction::Prev | TabAction::Select(_) => {
                self.session_mut(session)?.select_tab(a)?;
            }
            TabAction::Rename(Some(name)) => {
                crate::names::check(crate::names::Kind::Tab, name)?;
                self.session_mut(session)?.rename_tab(name.clone())?;
            }
            TabAction::Last => self.session_mut(session)?.last_tab()?,
            TabAction::Rename(None) => {
                let c = client.ok_or("renaming without a name needs an attached client")?;
                let current = self.window(session)?.name().to_owned();
                self.set_mode(
                    c,
                    ClientMode::Prompt {
                        kind: PromptKind::RenameTab,
                        text: current,
                    },
                );
            }
            TabAction::Close => {
                let s = self.sessions.get(&session).ok_or("no such session")?;
                if s.windows().len() < 2 {
                    return Err("this is the last tab; kill the session to close it".into());
                }
                let index = s.active_window_index();
                match client {
                    Some(c) => self.set_mode(c, ClientMode::Confirm(Confirm::CloseTab(index))),
                    None => self.close_tab(session, index),
                }
            }
        }
        self.after_layout_change(session);
        Ok(())
    }

    pub fn close_tab(&mut self, session: SessionId, index: usize) {
        let Some(apps) = self
            .sessions
            .get_mut(&session)
            .and_then(|s| s.close_tab(index))
        else {
            return;
        };
        for app in apps {
            self.retire_if_unshown(session, app);
        }
        self.after_layout_change(session);
    }
}
