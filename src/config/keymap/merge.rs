//! How one keymap is made from another: a user's file `extends` a built-in and only says what
//! differs, `unbind` removes keys of the base, its own bindings replace the base's for the same
//! key, and a new prefix key (`prefix-key` in the file, `prefix` in config.toml) takes the old
//! one's place.
//!
//! This module owns those rules and the parsing of `extends` and `unbind`; the rest of a keymap
//! file is read by the parent.
//!
//! ```toml
//! extends = "tmux"                  # or "direct", or "none" to start from nothing
//! unbind = ["o", "C-b x", "copy q"] # a key after the prefix, or TABLE KEY
//! ```

use super::{BUILTIN_NAMES, KeyTable, Keymap, Report, Value};
use crate::action::{Action, ClientAction};
use crate::keys::Key;
use toml::de::DeValue;

impl Keymap {
    /// A keymap with the default prefix key and no bindings, for `extends = "none"`.
    pub(super) fn empty(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            prefix: Some(Key::ctrl('b')),
            bindings: Vec::new(),
        }
    }

    /// Removes each (mode, key) binding.
    pub(super) fn unbind(&mut self, keys: &[(KeyTable, Key)]) {
        self.bindings
            .retain(|(mode, key, _)| !keys.contains(&(*mode, *key)));
    }

    /// Adds bindings, each replacing the binding of its key in its mode where there is one
    /// (keeping that one's place, so the help lists it where the base did).
    pub(super) fn bind_all(&mut self, bindings: impl IntoIterator<Item = (KeyTable, Key, Action)>) {
        for (mode, key, action) in bindings {
            match self
                .bindings
                .iter_mut()
                .find(|(m, k, _)| *m == mode && *k == key)
            {
                Some(slot) => slot.2 = action,
                None => self.bindings.push((mode, key, action)),
            }
        }
    }

    /// Makes `prefix` the prefix key: the binding of the old prefix key after the prefix (tmux's
    /// `C-b C-b` send-prefix) moves to the new one, the new key's bindings outside [prefix] go
    /// (it starts the prefix everywhere), and with no prefix key [prefix] goes.
    pub(super) fn set_prefix(&mut self, prefix: Option<Key>) {
        let prefix = prefix.map(Key::normalized);
        let old = std::mem::replace(&mut self.prefix, prefix);
        if old == prefix {
            return;
        }
        let Some(new) = prefix else {
            self.bindings
                .retain(|(mode, _, _)| *mode != KeyTable::Prefix);
            return;
        };
        self.bindings
            .retain(|(mode, key, _)| *mode == KeyTable::Prefix || *key != new);
        let double_tap = |(mode, key, _): &(KeyTable, Key, Action)| {
            *mode == KeyTable::Prefix && Some(*key) == old
        };
        if self.bindings.iter().any(double_tap) {
            self.bindings
                .retain(|(mode, key, _)| *mode != KeyTable::Prefix || *key != new);
            for binding in self.bindings.iter_mut().filter(|b| double_tap(b)) {
                binding.1 = new;
            }
        }
    }

    /// This keymap with `prefix` as its prefix key (config.toml's `prefix`), or why not: it
    /// would leave no way to detach.
    pub fn with_prefix(mut self, prefix: Key) -> Result<Self, String> {
        self.set_prefix(Some(prefix));
        if self.can_detach() {
            Ok(self)
        } else {
            Err(format!(
                "`prefix = \"{prefix}\"` would leave keymap `{}` no way to detach",
                self.name
            ))
        }
    }

    /// Whether `client.detach` is reachable from normal mode, directly or after the prefix.
    pub(super) fn can_detach(&self) -> bool {
        self.bindings.iter().any(|(mode, _, action)| {
            *action == Action::Client(ClientAction::Detach)
                && (*mode == KeyTable::Normal
                    || (*mode == KeyTable::Prefix && self.prefix.is_some()))
        })
    }
}

/// `extends`: `Some(None)` for "none", `Some(Some(name))` for a built-in, `None` when bad.
pub(super) fn extends(report: &mut Report<'_>, value: &Value<'_>) -> Option<Option<&'static str>> {
    let text = report.string(value, "extends")?;
    if text.eq_ignore_ascii_case("none") {
        return Some(None);
    }
    match BUILTIN_NAMES.iter().find(|n| **n == text) {
        Some(name) => Some(Some(name)),
        None => {
            let names = super::super::doc::list(BUILTIN_NAMES);
            let message = format!(
                "`extends`: no built-in keymap named `{text}`; the built-in ones are {names}, \
                 or \"none\""
            );
            report.error(&value.span(), message);
            None
        }
    }
}

/// `unbind`: a list of keys, each `KEY` (after the prefix, as tmux's `unbind-key`),
/// `PREFIX KEY` spelt with the prefix key, or `TABLE KEY` (`copy q`). Each must be bound in
/// `base`; `prefix` is the keymap's prefix key.
pub(super) fn unbind_list(
    report: &mut Report<'_>,
    value: &Value<'_>,
    base: &Keymap,
    prefix: Option<Key>,
) -> Vec<(KeyTable, Key)> {
    let DeValue::Array(items) = value.get_ref() else {
        let message = "`unbind`: expected a list of keys, like [\"o\", \"copy q\"]";
        report.error(&value.span(), message);
        return Vec::new();
    };
    let mut keys = Vec::new();
    for item in items {
        let Some(text) = report.string(item, "unbind") else {
            continue;
        };
        match unbind_entry(text, prefix.or(base.prefix), base.prefix) {
            Ok((mode, key))
                if base
                    .bindings
                    .iter()
                    .any(|(m, k, _)| (*m, *k) == (mode, key)) =>
            {
                keys.push((mode, key));
            }
            Ok((mode, _)) => {
                let message = format!(
                    "`unbind`: `{text}` is not bound in [{mode}] of the keymap this one extends"
                );
                report.error(&item.span(), message);
            }
            Err(message) => report.error(&item.span(), format!("`unbind`: {message}")),
        }
    }
    keys
}

/// One entry of `unbind` (see [`unbind_list`]).
fn unbind_entry(
    text: &str,
    prefix: Option<Key>,
    old_prefix: Option<Key>,
) -> Result<(KeyTable, Key), String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let parse = |word: &str| word.parse::<Key>().map_err(|e| e.to_string());
    match words.as_slice() {
        [key] => Ok((KeyTable::Prefix, parse(key)?)),
        [first, key] => {
            if let Some(mode) = KeyTable::ALL.into_iter().find(|m| m.name() == *first) {
                return Ok((mode, parse(key)?));
            }
            let first_key = parse(first)?;
            if Some(first_key) == prefix || Some(first_key) == old_prefix {
                Ok((KeyTable::Prefix, parse(key)?))
            } else {
                Err(format!(
                    "`{text}`: `{first}` is neither the prefix key nor a table (normal, prefix, \
                     sidebar, copy)"
                ))
            }
        }
        _ => Err(format!(
            "`{text}`: expected a key, PREFIX KEY (\"C-b o\") or TABLE KEY (\"copy q\")"
        )),
    }
}
