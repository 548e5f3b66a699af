//! Keymap files, `keymaps/NAME.toml`: the prefix key and, per input mode, which key runs which
//! action.
//!
//! This module owns the [`Keymap`] type, the built-in keymaps (the files in `keymaps/`,
//! compiled in), loading by name with a user file overriding the built-in, every validation
//! rule, and the help listing made from the bindings. It must not act on keys: the server
//! looks keys up here and dispatches the action it gets.
//!
//! ```toml
//! extends = "tmux"        # user files: the built-in to start from (see `merge`)
//! unbind = ["o"]          # user files: keys of that built-in to remove
//! prefix-key = "C-b"      # or "none"; C-b (or the base's) when left out
//! [prefix]                # keys pressed after the prefix key
//! d = "client.detach"
//! "C-Left" = "pane.resize left"
//! [normal]                # keys without the prefix
//! [sidebar]               # while the sidebar has keyboard focus
//! [copy]                  # in copy mode
//! ```
//!
//! (The prefix key is `prefix-key`, not `prefix`, because TOML cannot have both a `prefix`
//! string and a `[prefix]` table.)
//!
//! Which actions a mode may bind, so that no binding can fire where it means nothing:
//! - `[copy]` binds only copy-mode actions (`copy.*` except `copy.enter`), and copy-mode
//!   movement (every `copy.*` except `copy.enter` and `copy.page-up`) is bound only there;
//! - sidebar navigation (every `sidebar.*` except `sidebar.focus` and `sidebar.toggle`) is
//!   bound only in `[sidebar]`;
//! - the server layer of the vocabulary (`session.*`, `server.*`) acts on the server, not in
//!   the session where a key is pressed, and is bound nowhere, except `server.source-file`,
//!   which means the same wherever it is pressed;
//! - everything else may be bound in `[normal]`, `[prefix]` and `[sidebar]`.
//!
//! A keymap is also rejected when one key is bound twice in a mode (`"C-b"` and `"^b"` are
//! one key), when the prefix key is bound in a mode other than `[prefix]` (it starts the
//! prefix everywhere), when `[prefix]` has bindings but there is no prefix key, when it binds
//! Alt + `[` or Alt + `O` (terminals send those as the start of an escape sequence), and when
//! `client.detach` cannot be reached from normal mode, directly or after the prefix.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::doc::{Keys, Report, Value};
use super::error::ConfigError;
use crate::action::{Action, ClientAction, CopyAction, Layer, ServerAction, SidebarAction};
use crate::keys::{Key, KeyCode, Mods};
use crate::paths::{self, Named};

/// The keymap used when none is configured, and when the configured one cannot be found.
pub const DEFAULT: &str = "tmux";

const BUILTINS: &[(&str, &str)] = &[
    ("tmux", include_str!("../../keymaps/tmux.toml")),
    ("direct", include_str!("../../keymaps/direct.toml")),
];

const BUILTIN_NAMES: &[&str] = &["tmux", "direct"];

/// Keymaps as named, overridable files with built-ins.
pub(crate) const KEYMAPS: Kind = Kind {
    what: "keymap",
    named: Named::Keymap,
    default: DEFAULT,
    builtins: BUILTINS,
    builtin_names: BUILTIN_NAMES,
};

/// The text of a built-in keymap.
pub fn builtin(name: &str) -> Option<&'static str> {
    KEYMAPS.builtin(name)
}

/// The names of the built-in keymaps, the default first.
pub fn builtin_names() -> &'static [&'static str] {
    BUILTIN_NAMES
}

/// What a client's keys currently drive, as far as bindings are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyTable {
    Normal,
    /// The prefix key was pressed; the next key is looked up here.
    Prefix,
    /// The sidebar has keyboard focus.
    Sidebar,
    Copy,
}

impl KeyTable {
    pub const ALL: [KeyTable; 4] = [Self::Normal, Self::Prefix, Self::Sidebar, Self::Copy];

    /// The table name in a keymap file.
    pub fn name(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Prefix => "prefix",
            Self::Sidebar => "sidebar",
            Self::Copy => "copy",
        }
    }

    /// Why `action` cannot be bound in this mode (see the module header), or `None` if it can.
    pub fn refuses(self, action: &Action) -> Option<String> {
        let copy_motion = matches!(action, Action::Copy(c)
            if !matches!(c, CopyAction::Enter | CopyAction::PageUp));
        let sidebar_local = matches!(action, Action::Sidebar(s)
            if !matches!(s, SidebarAction::Focus | SidebarAction::Toggle));
        let in_copy = matches!(action, Action::Copy(c) if *c != CopyAction::Enter);
        // Sourcing the configuration acts on the server, but from anywhere alike.
        let sources = matches!(action, Action::Server(ServerAction::SourceFile(_)));
        if action.layer() == Layer::Server && !sources {
            return Some(format!(
                "`{}` acts on the server, not in a session, so keys do not bind it; \
                 run it with `appmux action` or the control API",
                action.name()
            ));
        }
        match self {
            Self::Copy if !in_copy => Some(format!(
                "[copy] takes only copy-mode actions (`copy.*` except `copy.enter`), not `{}`",
                action.name()
            )),
            Self::Copy => None,
            _ if copy_motion => Some(format!("`{}` can only be bound in [copy]", action.name())),
            Self::Normal | Self::Prefix if sidebar_local => Some(format!(
                "`{}` can only be bound in [sidebar]",
                action.name()
            )),
            _ => None,
        }
    }
}

impl fmt::Display for KeyTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad` honours width and alignment, for the help listing's columns.
        f.pad(self.name())
    }
}

/// A loaded, valid keymap.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    pub name: String,
    /// `None`: no prefix key, so `[prefix]` is empty.
    pub prefix: Option<Key>,
    /// In file order.
    bindings: Vec<(KeyTable, Key, Action)>,
}

impl Keymap {
    /// The action bound to `key` in `mode`. A printable character with only Shift held also
    /// finds the binding of the character itself, because the character already says Shift was
    /// held and some keyboard protocols report `S-%` where others send `%`.
    pub fn lookup(&self, mode: KeyTable, key: Key) -> Option<&Action> {
        let key = key.normalized();
        let find = |key: Key| {
            self.bindings
                .iter()
                .find(|(m, k, _)| *m == mode && *k == key)
                .map(|(_, _, action)| action)
        };
        find(key).or_else(|| match key {
            Key {
                code: KeyCode::Char(c),
                mods: Mods::SHIFT,
            } if !c.is_control() => find(Key::plain(KeyCode::Char(c))),
            _ => None,
        })
    }

    /// (mode, key, action) in file order, for the help overlay.
    pub fn bindings(&self) -> Vec<(KeyTable, Key, Action)> {
        self.bindings.clone()
    }

    /// How to type `action` from normal mode, for hints such as "C-b d detach": its first
    /// binding in [normal] (`M-d`), else its first in [prefix] after the prefix (`C-b d`).
    pub fn keys_for(&self, action: &Action) -> Option<String> {
        let first = |mode| {
            self.bindings
                .iter()
                .find(|(m, _, a)| *m == mode && a == action)
                .map(|(_, key, _)| *key)
        };
        if let Some(key) = first(KeyTable::Normal) {
            return Some(key.to_string());
        }
        let prefix = self.prefix?;
        first(KeyTable::Prefix).map(|key| format!("{prefix} {key}"))
    }

    /// A keymap that only detaches, for when even the built-in keymap fails to load (which
    /// the tests rule out), so a client is never left without a way out.
    fn emergency() -> Self {
        Self {
            name: DEFAULT.to_owned(),
            prefix: Some(Key::ctrl('b')),
            bindings: vec![(
                KeyTable::Prefix,
                Key::plain(KeyCode::Char('d')),
                Action::Client(ClientAction::Detach),
            )],
        }
    }
}

/// The help listing, one "mode  key  action — description" line per binding, grouped by mode
/// (normal, prefix, sidebar, copy) and in file order within a mode.
pub fn help_lines(keymap: &Keymap) -> Vec<String> {
    let mut rows: Vec<(KeyTable, String, String, &str)> = keymap
        .bindings
        .iter()
        .map(|(mode, key, action)| {
            (
                *mode,
                key.to_string(),
                action.to_string(),
                action.describe(),
            )
        })
        .collect();
    // A stable sort keeps file order within each mode.
    rows.sort_by_key(|row| row.0);
    let width = |pick: fn(&(KeyTable, String, String, &str)) -> usize| {
        rows.iter().map(pick).max().unwrap_or(0)
    };
    let key_width = width(|row| row.1.chars().count());
    let action_width = width(|row| row.2.chars().count());
    rows.iter()
        .map(|(mode, key, action, about)| {
            format!("{mode:<7}  {key:<key_width$}  {action:<action_width$}  — {about}")
        })
        .collect()
}

pub(crate) const TOP_KEYS: Keys = Keys {
    context: "the top level",
    known: &[
        "prefix-key",
        "extends",
        "unbind",
        "normal",
        "prefix",
        "sidebar",
        "copy",
    ],
    aliases: &[
        ("prefix_key", "prefix-key"),
        ("root", "normal"),
        ("copy-mode", "copy"),
        ("copy-mode-vi", "copy"),
    ],
};

/// Parses and validates `text` as the keymap `name`, read from `file`, as the built-in files
/// are read: from nothing, unless it says what it `extends`. Every problem is returned,
/// located, in file order.
pub fn parse_keymap(text: &str, file: &Path, name: &str) -> Result<Keymap, Vec<ConfigError>> {
    match read_keymap(text, file, name, None) {
        Ok((keymap, errors)) if errors.is_empty() => Ok(keymap),
        Ok((_, errors)) | Err(errors) => Err(errors),
    }
}

/// Parses a user's keymap file: it extends the built-in it names with `extends` (by default
/// the built-in of its own name, else `tmux`), so it only says what differs. Every good line
/// is applied and every bad one reported, located; `Err` when nothing of it can be used (it is
/// not TOML, or it would leave no way to detach).
pub fn parse_user_keymap(
    text: &str,
    file: &Path,
    name: &str,
) -> Result<(Keymap, Vec<ConfigError>), Vec<ConfigError>> {
    let base = BUILTIN_NAMES
        .iter()
        .copied()
        .find(|n| *n == name)
        .unwrap_or(DEFAULT);
    read_keymap(text, file, name, Some(base))
}

/// The keymap `text` describes on top of its base (`extends`, else `base`), with the problems
/// of the lines left out.
fn read_keymap(
    text: &str,
    file: &Path,
    name: &str,
    base: Option<&'static str>,
) -> Result<(Keymap, Vec<ConfigError>), Vec<ConfigError>> {
    let root =
        DeTable::parse(text).map_err(|err| vec![ConfigError::from_toml(file, text, &err)])?;
    let root = root.get_ref();
    let mut report = Report::new(file, text);
    report.unknown_keys(root, &TOP_KEYS);
    let base = match root.get("extends") {
        Some(value) => merge::extends(&mut report, value).unwrap_or(base),
        None => base,
    };
    let mut keymap = base
        .and_then(|b| parse_keymap(builtin(b)?, &KEYMAPS.builtin_path(b), b).ok())
        .unwrap_or_else(|| Keymap::empty(name));
    keymap.name = name.to_owned();
    let prefix = match root.get("prefix-key") {
        Some(value) => prefix_key(&mut report, value),
        None => Some(keymap.prefix),
    };
    let unbind = match root.get("unbind") {
        Some(value) => merge::unbind_list(&mut report, value, &keymap, prefix.flatten()),
        None => Vec::new(),
    };
    let mut bindings = Vec::new();
    for mode in KeyTable::ALL {
        if let Some(value) = root.get(mode.name()) {
            mode_table(&mut report, mode, value, prefix, &mut bindings);
        }
    }
    bindings.sort_by_key(|(position, _)| *position);
    keymap.unbind(&unbind);
    if let Some(prefix) = prefix {
        keymap.set_prefix(prefix);
    }
    keymap.bind_all(bindings.into_iter().map(|(_, b)| b));
    let mut errors = report.finish();
    if !keymap.can_detach() {
        // Only said of a keymap without other problems: a misspelt detach binding would
        // otherwise be reported twice, once as itself and once as its consequence.
        if errors.is_empty() {
            let message = "this keymap leaves no way to detach: bind `client.detach` in \
                           [normal] or [prefix]";
            errors.push(ConfigError::whole_file(file, message));
        }
        return Err(errors);
    }
    Ok((keymap, errors))
}

/// `Some(None)` for "none", `None` when the value is bad.
fn prefix_key(report: &mut Report<'_>, value: &Value<'_>) -> Option<Option<Key>> {
    let text = report.string(value, "prefix-key")?;
    if text.eq_ignore_ascii_case("none") {
        return Some(None);
    }
    match text.parse::<Key>() {
        Ok(key) => Some(Some(key)),
        Err(err) => {
            let message =
                format!("`prefix-key`: {err}; expected a key name like \"C-b\", or \"none\"");
            report.error(&value.span(), message);
            None
        }
    }
}

/// Reads one mode's table into `out`, each binding with its position in the file. `prefix` is
/// `None` when the prefix key itself was bad (then collisions with it are not judged).
fn mode_table(
    report: &mut Report<'_>,
    mode: KeyTable,
    value: &Value<'_>,
    prefix: Option<Option<Key>>,
    out: &mut Vec<(usize, (KeyTable, Key, Action))>,
) {
    if mode == KeyTable::Prefix && matches!(value.get_ref(), DeValue::String(_)) {
        let message = "`prefix` is the table of keys pressed after the prefix key; set the key \
                       itself with `prefix-key = \"C-b\"`";
        report.error(&value.span(), message);
        return;
    }
    let Some(table) = report.table(value, mode.name()) else {
        return;
    };
    if mode == KeyTable::Prefix && prefix == Some(None) && !table.is_empty() {
        let message = "[prefix] has bindings, but `prefix-key` is \"none\"";
        report.error(&value.span(), message);
        return;
    }
    // The table is sorted by name; the file's order is the order of the keys' positions.
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    // Each key seen so far, with how it was spelt and on which line.
    let mut seen: HashMap<Key, (&str, usize)> = HashMap::new();
    for (spelled, value) in entries {
        let spelling: &str = spelled.get_ref().as_ref();
        let span = spelled.span();
        let key = match spelling.parse::<Key>() {
            Ok(key) => check_key(report, mode, key, spelling, &span, prefix, &mut seen),
            Err(err) => {
                report.error(&span, format!("{err} in [{mode}]"));
                None
            }
        };
        let action = binding_action(report, mode, spelling, value);
        if let (Some(key), Some(action)) = (key, action) {
            out.push((span.start, (mode, key, action)));
        }
    }
}

/// The key of one binding, unless it repeats a key of this mode, is the prefix key outside
/// [prefix], or cannot be told apart from an escape sequence.
fn check_key<'t>(
    report: &mut Report<'_>,
    mode: KeyTable,
    key: Key,
    spelling: &'t str,
    span: &std::ops::Range<usize>,
    prefix: Option<Option<Key>>,
    seen: &mut HashMap<Key, (&'t str, usize)>,
) -> Option<Key> {
    if let Some((first, line)) = seen.get(&key) {
        let message =
            format!("`{spelling}` in [{mode}] is the same key as `{first}` on line {line}");
        report.error(span, message);
        return None;
    }
    seen.insert(key, (spelling, report.line_of(span)));
    if mode != KeyTable::Prefix && prefix == Some(Some(key)) {
        let message =
            format!("`{spelling}` is the prefix key; it cannot also be bound in [{mode}]");
        report.error(span, message);
        return None;
    }
    if let KeyCode::Char(c @ ('[' | 'O')) = key.code
        && key.mods == Mods::ALT
    {
        let message = format!(
            "`{spelling}`: terminals send Alt + `{c}` as the start of an escape sequence, so it \
             cannot be bound"
        );
        report.error(span, message);
        return None;
    }
    Some(key)
}

/// The action of one binding, if it parses and the mode allows it.
fn binding_action(
    report: &mut Report<'_>,
    mode: KeyTable,
    spelling: &str,
    value: &Value<'_>,
) -> Option<Action> {
    let text = report.string(value, spelling)?;
    let action = match text.parse::<Action>() {
        Ok(action) => action,
        Err(err) => {
            report.error(&value.span(), format!("`{spelling}`: {err}"));
            return None;
        }
    };
    if let Some(reason) = mode.refuses(&action) {
        report.error(&value.span(), format!("`{spelling}`: {reason}"));
        return None;
    }
    Some(action)
}

/// Loads the keymap `name`: `config_dir/keymaps/NAME.toml` if it exists (on top of the
/// built-in it extends, see `merge`), else the built-in of that name. A user file's bad lines
/// are reported and left out; a file that cannot be used at all is reported and the built-in
/// of the same name used instead;
/// an unknown name is reported and the default keymap used. The problems come back as
/// warnings; a keymap always comes back.
pub fn load_keymap(config_dir: &Path, name: &str) -> (Keymap, Vec<ConfigError>) {
    let (keymap, warnings) =
        load_named(&KEYMAPS, config_dir, name, parse_keymap, parse_user_keymap);
    (keymap.unwrap_or_else(Keymap::emergency), warnings)
}

/// A kind of named, overridable file with built-ins: keymaps and themes.
pub(crate) struct Kind {
    /// "keymap", for messages.
    pub what: &'static str,
    /// Which of the config dir's named files these are (their directory's name is also the
    /// one in this repository).
    pub named: Named,
    pub default: &'static str,
    /// Each built-in's name and text.
    pub builtins: &'static [(&'static str, &'static str)],
    /// The same names, the default first.
    pub builtin_names: &'static [&'static str],
}

impl Kind {
    /// The text of the built-in `name`.
    pub(crate) fn builtin(&self, name: &str) -> Option<&'static str> {
        self.builtins
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| *text)
    }

    /// Checks the files shipped in the repository's directory of this kind: each parses, each
    /// is compiled in with the same text, and every built-in has a file.
    #[cfg(test)]
    pub(crate) fn check_shipped_files<T>(
        &self,
        parse: fn(&str, &Path, &str) -> Result<T, Vec<ConfigError>>,
    ) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(self.named.dir_name());
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
                let text = std::fs::read_to_string(&path).unwrap();
                if let Err(errors) = parse(&text, &path, &name) {
                    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    panic!("{}", lines.join("\n"));
                }
                assert_eq!(
                    self.builtin(&name),
                    Some(text.as_str()),
                    "{name} is not built in"
                );
                files.push(name);
            }
        }
        files.sort();
        let mut names = self.builtin_names.to_vec();
        names.sort();
        assert_eq!(files, names);
        assert_eq!(self.builtin_names[0], self.default);
    }

    /// Where a built-in says it comes from in messages: `keymaps/tmux.toml`, the user's file
    /// of that name taken relative to this repository, whose file it was compiled from.
    pub(crate) fn builtin_path(&self, name: &str) -> PathBuf {
        paths::named_file(Path::new(""), self.named, name)
    }
}

/// How a user's file of a kind is read: what it gives with the problems of what it left out,
/// or only problems when nothing of it can be used.
pub(crate) type ParseUser<T> =
    fn(&str, &Path, &str) -> Result<(T, Vec<ConfigError>), Vec<ConfigError>>;

/// The override-then-built-in-then-default rule shared by keymaps and themes: `parse` reads
/// built-ins, `parse_user` a user's file. `None` only if even the default built-in fails to
/// parse.
pub(crate) fn load_named<T>(
    kind: &Kind,
    config_dir: &Path,
    name: &str,
    parse: fn(&str, &Path, &str) -> Result<T, Vec<ConfigError>>,
    parse_user: ParseUser<T>,
) -> (Option<T>, Vec<ConfigError>) {
    let mut warnings = Vec::new();
    // A name is a file name, never a path, so a config value cannot reach outside the dir.
    let plain = !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\']);
    let user = paths::named_file(config_dir, kind.named, name);
    if plain && user.is_file() {
        let parsed = super::project::read_text(&user)
            .map_err(|err| vec![err])
            .and_then(|text| parse_user(&text, &user, name));
        match parsed {
            Ok((value, problems)) => return (Some(value), problems),
            Err(errors) => warnings.extend(errors),
        }
        let instead = if kind.builtin(name).is_some() {
            name
        } else {
            kind.default
        };
        let message = format!(
            "this {} has errors; using the built-in `{instead}` instead",
            kind.what
        );
        warnings.push(ConfigError::whole_file(&user, message));
    }
    let chosen = match kind.builtin(name) {
        Some(_) if plain => name,
        _ => {
            if warnings.is_empty() {
                let names = super::doc::list(kind.builtin_names);
                let message = format!(
                    "no {} named `{name}`: no such file, and the built-in ones are {names}; \
                     using `{}`",
                    kind.what, kind.default
                );
                warnings.push(ConfigError::whole_file(&user, message));
            }
            kind.default
        }
    };
    let text = kind.builtin(chosen).unwrap_or_default();
    match parse(text, &kind.builtin_path(chosen), chosen) {
        Ok(value) => (Some(value), warnings),
        Err(errors) => {
            warnings.extend(errors);
            (None, warnings)
        }
    }
}

mod merge;
#[cfg(test)]
mod tests;
