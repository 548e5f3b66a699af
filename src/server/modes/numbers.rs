//! Pane-numbers mode (`C-b q`): numbers show over the panes for a moment and a digit selects.

use crate::action::{Action, PaneAction};
use crate::input::InputEvent;
use crate::keys::{Key, KeyCode};
use crate::server::Server;
use crate::server::model::{ClientId, SessionId};
use crate::server::modes::ClientMode;

impl Server {
    /// While pane numbers show (`C-b q`), a digit selects that pane; any other key ends the
    /// mode and is handled as usual.
    pub(super) fn numbers_key(&mut self, id: ClientId, session: SessionId, key: Key) {
        self.set_mode(id, ClientMode::Normal);
        match key.main_key().code {
            KeyCode::Char(c @ '0'..='9') => {
                let n = c as u32 - '0' as u32;
                let _ = self.run_action(
                    Some(id),
                    Some(session),
                    &Action::Pane(PaneAction::Select(n)),
                );
            }
            _ => self.client_event(id, InputEvent::Key(key)),
        }
    }
}
