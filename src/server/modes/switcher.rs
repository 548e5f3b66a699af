//! Switcher mode: the tree of sessions, tabs and panes over the pane area (`C-b w`). Its keys
//! go to its own state machine (`crate::switcher`); this file carries out what that returns
//! (switch this client, kill, rename) and shows failures in the status line.

use crate::keys::Key;
use crate::server::Server;
use crate::server::model::ClientId;
use crate::server::modes::{ClientMode, READ_ONLY};
use crate::switcher::{Outcome, Switcher};

impl Server {
    pub(super) fn switcher_key(&mut self, id: ClientId, mut sw: Box<Switcher>, key: Key) {
        sw.set_entries(self.switcher_entries(id));
        let outcome = sw.key(key);
        let read_only = self
            .clients
            .get(&id)
            .and_then(|c| c.attached())
            .is_some_and(|a| a.read_only);
        let result = match outcome {
            Outcome::Stay => {
                self.set_mode(id, ClientMode::Switcher(sw));
                return;
            }
            Outcome::Close => {
                self.set_mode(id, ClientMode::Normal);
                return;
            }
            Outcome::Switch(target) => {
                self.set_mode(id, ClientMode::Normal);
                self.go_to(id, target)
            }
            Outcome::Kill(_) | Outcome::Rename(..) if read_only => {
                self.set_mode(id, ClientMode::Switcher(sw));
                Err(READ_ONLY.to_owned())
            }
            Outcome::Kill(target) => {
                self.set_mode(id, ClientMode::Switcher(sw));
                self.kill_target(target)
            }
            Outcome::Rename(target, name) => {
                self.set_mode(id, ClientMode::Switcher(sw));
                self.rename_target(target, &name)
            }
        };
        self.state_changed();
        if let Err(e) = result {
            self.flash(id, e);
        }
    }
}
