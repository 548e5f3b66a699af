//! Prefix mode: the key after the prefix is looked up in the keymap's prefix table; the mode
//! lasts for that one key.

use crate::config::keymap::KeyTable;
use crate::keys::Key;
use crate::server::Server;
use crate::server::model::{ClientId, SessionId};
use crate::server::modes::ClientMode;

impl Server {
    /// The key after the prefix: a command of the prefix table, or nothing.
    pub(super) fn prefix_key(&mut self, id: ClientId, session: SessionId, key: Key) {
        self.set_mode(id, ClientMode::Normal);
        if let Some(action) = self.settings.keymap.lookup(KeyTable::Prefix, key).cloned() {
            self.bound(id, session, &action);
        }
    }
}
