//! Normal mode: keys that are not bindings are encoded for the focused app according to its
//! pane's modes; pastes go to it bracketed when it asked. A read-only client types nothing.

use std::time::Instant;

use crate::config::keymap::KeyTable;
use crate::keys::Key;
use crate::pane::encode;
use crate::server::Server;
use crate::server::model::{ClientId, SessionId};
use crate::server::modes::ClientMode;
use crate::server::modes::READ_ONLY;

impl Server {
    pub(super) fn normal_key(
        &mut self,
        id: ClientId,
        session: SessionId,
        key: Key,
        read_only: bool,
    ) {
        if self.settings.keymap.prefix == Some(key.normalized()) {
            return self.set_mode(id, ClientMode::Prefix);
        }
        let keymap = &self.settings.keymap;
        let bound = keymap
            .lookup(KeyTable::Normal, key)
            .or_else(|| keymap.lookup(KeyTable::Normal, key.main_key()));
        if let Some(action) = bound.cloned() {
            return self.bound(id, session, &action);
        }
        if read_only {
            return self.flash(id, READ_ONLY.into());
        }
        self.type_key_from(Some(id), session, key);
    }

    /// Types a key into the focused app (a bound key's `SendPrefix`, say), as if no particular
    /// client typed it.
    pub(in crate::server) fn type_key(&mut self, session: SessionId, key: Key) {
        self.type_key_from(None, session, key);
    }

    /// Encodes a key for the focused app in its current modes. Kitty encoding is used when the
    /// app pushed kitty flags and the typing client's terminal speaks the protocol too (without
    /// a client, as for `send-keys`, the app's wish decides); otherwise the app gets legacy keys.
    pub(super) fn type_key_from(&mut self, client: Option<ClientId>, session: SessionId, key: Key) {
        let kitty_ok = client.is_none_or(|c| {
            self.clients
                .get(&c)
                .and_then(|c| c.attached())
                .is_some_and(|a| a.kitty)
        });
        let Some(app) = self.sessions.get(&session).and_then(|s| s.focused_app()) else {
            return;
        };
        let Some(a) = self.apps.get_mut(&app) else {
            return;
        };
        a.typed(Instant::now());
        let Some(p) = a.process() else { return };
        let mut modes = a.term().key_modes();
        if !kitty_ok {
            modes.kitty = 0;
        }
        let mut out = Vec::new();
        encode::encode_key(key, modes, &mut out);
        if let Err(e) = p.write(out) {
            let text = format!("{}: {e}", a.name());
            if let Some(c) = client {
                self.flash(c, text);
            }
        }
    }

    pub(in crate::server) fn paste(&mut self, session: SessionId, data: &[u8]) {
        let Some(app) = self.sessions.get(&session).and_then(|s| s.focused_app()) else {
            return;
        };
        let Some(a) = self.apps.get(&app) else { return };
        if let Some(p) = a.process() {
            let mut out = Vec::new();
            encode::encode_paste(data, a.term().bracketed_paste(), &mut out);
            if let Err(e) = p.write(out) {
                tracing::warn!(app = %a.name(), "paste dropped: {e}");
            }
        }
    }
}
