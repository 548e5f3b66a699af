//! Confirm mode: a yes/no question in the status line before something that cannot be undone
//! (killing an app, closing a pane or a tab).

use crate::keys::{Key, KeyCode};
use crate::layout::PaneId;
use crate::server::Server;
use crate::server::model::{AppId, ClientId, SessionId};
use crate::server::modes::ClientMode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    KillApp(AppId),
    ClosePane(PaneId),
    CloseTab(usize),
}

impl Server {
    pub(super) fn confirm_key(&mut self, id: ClientId, session: SessionId, c: Confirm, key: Key) {
        let yes = matches!(key.code, KeyCode::Char('y' | 'Y'));
        match c {
            Confirm::KillApp(app) => {
                self.set_mode(id, ClientMode::Sidebar);
                if yes {
                    self.app_op(app, crate::app::lifecycle::Control::Kill);
                }
            }
            Confirm::ClosePane(pane) => {
                self.set_mode(id, ClientMode::Normal);
                if yes && let Err(e) = self.close_pane(session, pane) {
                    self.flash(id, e);
                }
            }
            Confirm::CloseTab(index) => {
                self.set_mode(id, ClientMode::Normal);
                if yes {
                    self.close_tab(session, index);
                }
            }
        }
    }
}
