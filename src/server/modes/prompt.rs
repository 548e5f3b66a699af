//! Prompt mode: a line of text typed in the status line (the sidebar's filter and new-app
//! command, a tab's or the session's new name, the text to find a pane by), then acted on.

use crate::action::Action;
use crate::keys::{Key, KeyCode};
use crate::server::Server;
use crate::server::model::{ClientId, SessionId};
use crate::server::modes::ClientMode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `/` in the sidebar: filter apps by name.
    Filter,
    /// `n` in the sidebar: a command to launch as an ad-hoc app.
    NewApp,
    /// `C-b ,`: a new name for the tab.
    RenameTab,
    /// `C-b $`: a new name for the session.
    RenameSession,
    /// `C-b f`: text to find a pane by.
    Find,
}

impl Server {
    pub(super) fn prompt_key(
        &mut self,
        id: ClientId,
        session: SessionId,
        kind: PromptKind,
        mut text: String,
        key: Key,
    ) {
        let back = match kind {
            PromptKind::RenameTab | PromptKind::RenameSession | PromptKind::Find => {
                ClientMode::Normal
            }
            PromptKind::Filter | PromptKind::NewApp => ClientMode::Sidebar,
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
        self.set_mode(id, ClientMode::Prompt { kind, text });
    }

    pub(super) fn prompt_done(
        &mut self,
        id: ClientId,
        session: SessionId,
        kind: PromptKind,
        text: String,
    ) {
        match kind {
            PromptKind::Filter => self.ensure_selection(id, session),
            PromptKind::RenameTab => {
                let name = text.trim().to_owned();
                if !name.is_empty() {
                    let rename = crate::action::TabAction::Rename(Some(name));
                    self.bound(id, session, &Action::Tab(rename));
                }
            }
            PromptKind::RenameSession | PromptKind::Find => {
                let text = text.trim().to_owned();
                if !text.is_empty() {
                    let verb = match kind {
                        PromptKind::Find => crate::action::SessionAction::Find(Some(text)),
                        _ => crate::action::SessionAction::Rename(Some(text)),
                    };
                    self.bound(id, session, &Action::Session(verb));
                }
            }
            PromptKind::NewApp => {
                let text = text.trim();
                if text.is_empty() {
                    return;
                }
                let run = crate::action::RunApp::new(vec![text.to_owned()]);
                let run = Action::App(crate::action::AppAction::Run(run));
                match self.run_action(Some(id), Some(session), &run) {
                    Ok(crate::server::verbs::Outcome::Added { name: app, .. }) => {
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
}
