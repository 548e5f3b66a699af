//! Keymap files, `keymaps/NAME.toml`: the prefix key and, per input mode, which key runs which
//! action.
//!
//! This module owns the [`Keymap`] type, the built-in keymaps (the files in `keymaps/`,
//! compiled in), loading by name with a user file overriding the built-in, every validation
//! rule, and the help listing made from the bindings. It must not act on keys: the server
//! looks keys up here and dispatches the action it gets.
//!
//! ```toml
//! prefix-key = "C-b"      # or "none"; C-b when left out
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
use crate::action::{Action, ClientAction, CopyAction, SidebarAction};
use crate::keys::{Key, KeyCode, Mods};

/// The keymap used when none is configured, and when the configured one cannot be found.
pub const DEFAULT: &str = "tmux";

const BUILTINS: &[(&str, &str)] = &[
    ("tmux", include_str!("../../keymaps/tmux.toml")),
    ("direct", include_str!("../../keymaps/direct.toml")),
];

const BUILTIN_NAMES: &[&str] = &["tmux", "direct"];

/// The text of a built-in keymap.
pub fn builtin(name: &str) -> Option<&'static str> {
    BUILTINS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// The names of the built-in keymaps, the default first.
pub fn builtin_names() -> &'static [&'static str] {
    BUILTIN_NAMES
}

/// What a client's keys currently drive, as far as bindings are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Normal,
    /// The prefix key was pressed; the next key is looked up here.
    Prefix,
    /// The sidebar has keyboard focus.
    Sidebar,
    Copy,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Self::Normal, Self::Prefix, Self::Sidebar, Self::Copy];

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

impl fmt::Display for Mode {
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
    bindings: Vec<(Mode, Key, Action)>,
}

impl Keymap {
    /// The action bound to `key` in `mode`. A printable character with only Shift held also
    /// finds the binding of the character itself, because the character already says Shift was
    /// held and some keyboard protocols report `S-%` where others send `%`.
    pub fn lookup(&self, mode: Mode, key: Key) -> Option<&Action> {
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
    pub fn bindings(&self) -> Vec<(Mode, Key, Action)> {
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
        if let Some(key) = first(Mode::Normal) {
            return Some(key.to_string());
        }
        let prefix = self.prefix?;
        first(Mode::Prefix).map(|key| format!("{prefix} {key}"))
    }

    /// A keymap that only detaches, for when even the built-in keymap fails to load (which
    /// the tests rule out), so a client is never left without a way out.
    fn emergency() -> Self {
        Self {
            name: DEFAULT.to_owned(),
            prefix: Some(Key::ctrl('b')),
            bindings: vec![(
                Mode::Prefix,
                Key::plain(KeyCode::Char('d')),
                Action::Client(ClientAction::Detach),
            )],
        }
    }
}

/// The help listing, one "mode  key  action — description" line per binding, grouped by mode
/// (normal, prefix, sidebar, copy) and in file order within a mode.
pub fn help_lines(keymap: &Keymap) -> Vec<String> {
    let mut rows: Vec<(Mode, String, String, &str)> = keymap
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
    let width =
        |pick: fn(&(Mode, String, String, &str)) -> usize| rows.iter().map(pick).max().unwrap_or(0);
    let key_width = width(|row| row.1.chars().count());
    let action_width = width(|row| row.2.chars().count());
    rows.iter()
        .map(|(mode, key, action, about)| {
            format!("{mode:<7}  {key:<key_width$}  {action:<action_width$}  — {about}")
        })
        .collect()
}

const TOP_KEYS: Keys = Keys {
    context: "the top level",
    known: &["prefix-key", "normal", "prefix", "sidebar", "copy"],
    aliases: &[
        ("prefix_key", "prefix-key"),
        ("root", "normal"),
        ("copy-mode", "copy"),
        ("copy-mode-vi", "copy"),
    ],
};

/// Parses and validates `text` as the keymap `name`, read from `file`. Every problem is
/// returned, located, in file order.
pub fn parse_keymap(text: &str, file: &Path, name: &str) -> Result<Keymap, Vec<ConfigError>> {
    let root =
        DeTable::parse(text).map_err(|err| vec![ConfigError::from_toml(file, text, &err)])?;
    let root = root.get_ref();
    let mut report = Report::new(file, text);
    report.unknown_keys(root, &TOP_KEYS);
    let prefix = match root.get("prefix-key") {
        Some(value) => prefix_key(&mut report, value),
        None => Some(Some(Key::ctrl('b'))),
    };
    let mut bindings = Vec::new();
    for mode in Mode::ALL {
        if let Some(value) = root.get(mode.name()) {
            mode_table(&mut report, mode, value, prefix, &mut bindings);
        }
    }
    bindings.sort_by_key(|(position, _)| *position);
    let bindings: Vec<(Mode, Key, Action)> = bindings.into_iter().map(|(_, b)| b).collect();
    let mut errors = report.finish();
    // Only judged on a keymap without other problems: a misspelt detach binding would
    // otherwise be reported twice, once as itself and once as its consequence.
    let prefix = prefix.flatten();
    let detaches = |(mode, _, action): &(Mode, Key, Action)| {
        *action == Action::Client(ClientAction::Detach)
            && (*mode == Mode::Normal || (*mode == Mode::Prefix && prefix.is_some()))
    };
    if errors.is_empty() && !bindings.iter().any(detaches) {
        let message = "this keymap leaves no way to detach: bind `client.detach` in [normal] \
                       or [prefix]";
        errors.push(ConfigError::whole_file(file, message));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Keymap {
        name: name.to_owned(),
        prefix,
        bindings,
    })
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
    mode: Mode,
    value: &Value<'_>,
    prefix: Option<Option<Key>>,
    out: &mut Vec<(usize, (Mode, Key, Action))>,
) {
    if mode == Mode::Prefix && matches!(value.get_ref(), DeValue::String(_)) {
        let message = "`prefix` is the table of keys pressed after the prefix key; set the key \
                       itself with `prefix-key = \"C-b\"`";
        report.error(&value.span(), message);
        return;
    }
    let Some(table) = report.table(value, mode.name()) else {
        return;
    };
    if mode == Mode::Prefix && prefix == Some(None) && !table.is_empty() {
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
    mode: Mode,
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
    if mode != Mode::Prefix && prefix == Some(Some(key)) {
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
    mode: Mode,
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

/// Loads the keymap `name`: `config_dir/keymaps/NAME.toml` if it exists, else the built-in
/// of that name. A bad user file is reported and the built-in of the same name used instead;
/// an unknown name is reported and the default keymap used. The problems come back as
/// warnings; a keymap always comes back.
pub fn load_keymap(config_dir: &Path, name: &str) -> (Keymap, Vec<ConfigError>) {
    let kind = Kind {
        what: "keymap",
        dir: "keymaps",
        default: DEFAULT,
        builtin,
        builtin_names: BUILTIN_NAMES,
    };
    let (keymap, warnings) = load_named(&kind, config_dir, name, parse_keymap);
    (keymap.unwrap_or_else(Keymap::emergency), warnings)
}

/// A kind of named, overridable file with built-ins: keymaps and themes.
pub(crate) struct Kind {
    /// "keymap", for messages.
    pub what: &'static str,
    /// The directory under the config directory and in this repository.
    pub dir: &'static str,
    pub default: &'static str,
    pub builtin: fn(&str) -> Option<&'static str>,
    pub builtin_names: &'static [&'static str],
}

impl Kind {
    /// Where a built-in says it comes from in messages: `keymaps/tmux.toml`.
    fn builtin_path(&self, name: &str) -> PathBuf {
        Path::new(self.dir).join(format!("{name}.toml"))
    }
}

/// The override-then-built-in-then-default rule shared by keymaps and themes. `None` only if
/// even the default built-in fails to parse.
pub(crate) fn load_named<T>(
    kind: &Kind,
    config_dir: &Path,
    name: &str,
    parse: fn(&str, &Path, &str) -> Result<T, Vec<ConfigError>>,
) -> (Option<T>, Vec<ConfigError>) {
    let mut warnings = Vec::new();
    // A name is a file name, never a path, so a config value cannot reach outside the dir.
    let plain = !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\']);
    let user = config_dir.join(kind.dir).join(format!("{name}.toml"));
    if plain && user.is_file() {
        let parsed = super::project::read_text(&user)
            .map_err(|err| vec![err])
            .and_then(|text| parse(&text, &user, name));
        match parsed {
            Ok(value) => return (Some(value), warnings),
            Err(errors) => warnings.extend(errors),
        }
        let instead = if (kind.builtin)(name).is_some() {
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
    let chosen = match (kind.builtin)(name) {
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
    let text = (kind.builtin)(chosen).unwrap_or_default();
    match parse(text, &kind.builtin_path(chosen), chosen) {
        Ok(value) => (Some(value), warnings),
        Err(errors) => {
            warnings.extend(errors);
            (None, warnings)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::{Direction, PaneAction, TabAction};

    fn key(name: &str) -> Key {
        name.parse().unwrap()
    }

    fn action(text: &str) -> Action {
        text.parse().unwrap()
    }

    fn load(name: &str) -> Keymap {
        let file = Path::new("keymaps").join(format!("{name}.toml"));
        parse_keymap(builtin(name).unwrap(), &file, name).unwrap_or_else(|errors| {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("{}", lines.join("\n"))
        })
    }

    fn errors(text: &str) -> String {
        match parse_keymap(text, Path::new("k.toml"), "k") {
            Ok(_) => panic!("should fail: {text}"),
            Err(errors) => errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    #[test]
    fn every_file_in_keymaps_parses_and_every_builtin_has_a_file() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("keymaps");
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
                let text = std::fs::read_to_string(&path).unwrap();
                if let Err(errors) = parse_keymap(&text, &path, &name) {
                    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    panic!("{}", lines.join("\n"));
                }
                assert_eq!(
                    builtin(&name),
                    Some(text.as_str()),
                    "{name} is not built in"
                );
                files.push(name);
            }
        }
        files.sort();
        let mut names = builtin_names().to_vec();
        names.sort();
        assert_eq!(files, names);
        assert_eq!(builtin_names()[0], DEFAULT);
    }

    #[test]
    fn tmux_has_tmux_defaults() {
        let tmux = load("tmux");
        assert_eq!(tmux.prefix, Some(Key::ctrl('b')));
        let cases = [
            ("d", "client.detach"),
            ("?", "client.help"),
            ("C-b", "client.send-prefix"),
            ("%", "pane.split-right"),
            ("\"", "pane.split-down"),
            ("Left", "pane.focus left"),
            ("Up", "pane.focus up"),
            ("o", "pane.next"),
            ("q", "pane.numbers"),
            ("C-Right", "pane.resize right"),
            ("M-Down", "pane.resize down 5"),
            ("z", "pane.zoom"),
            ("x", "pane.close"),
            ("{", "pane.swap-prev"),
            ("}", "pane.swap-next"),
            ("Space", "pane.layout-next"),
            ("c", "tab.new"),
            ("n", "tab.next"),
            ("p", "tab.prev"),
            ("0", "tab.select 0"),
            ("9", "tab.select 9"),
            (",", "tab.rename"),
            ("&", "tab.close"),
            ("[", "copy.enter"),
            ("PPage", "copy.page-up"),
            ("]", "client.paste"),
            ("s", "sidebar.focus"),
            ("Tab", "sidebar.focus"),
            ("B", "sidebar.toggle"),
            ("r", "client.refresh"),
        ];
        for (name, expected) in cases {
            assert_eq!(
                tmux.lookup(Mode::Prefix, key(name)),
                Some(&action(expected)),
                "C-b {name}"
            );
        }
        assert_eq!(tmux.lookup(Mode::Normal, key("d")), None);
        assert!(!tmux.bindings().iter().any(|(m, _, _)| *m == Mode::Normal));
        let copy = [
            ("k", "copy.up"),
            ("C-p", "copy.up"),
            ("M-w", "copy.yank"),
            ("?", "copy.search-backward"),
        ];
        for (name, expected) in copy {
            assert_eq!(
                tmux.lookup(Mode::Copy, key(name)),
                Some(&action(expected)),
                "{name}"
            );
        }
        assert_eq!(
            tmux.lookup(Mode::Sidebar, key("Enter")),
            Some(&action("sidebar.show"))
        );
    }

    #[test]
    fn direct_has_no_prefix_and_the_same_sidebar_and_copy_keys() {
        let direct = load("direct");
        let tmux = load("tmux");
        assert_eq!(direct.prefix, None);
        assert_eq!(
            direct.lookup(Mode::Normal, key("M-d")),
            Some(&action("client.detach"))
        );
        assert_eq!(
            direct.lookup(Mode::Normal, key("M-5")),
            Some(&action("tab.select 5"))
        );
        assert_eq!(
            direct.lookup(Mode::Normal, key("M-v")),
            Some(&action("copy.enter"))
        );
        let table = |keymap: &Keymap, mode| {
            keymap
                .bindings()
                .into_iter()
                .filter(|(m, _, _)| *m == mode)
                .collect::<Vec<_>>()
        };
        for mode in [Mode::Sidebar, Mode::Copy] {
            assert_eq!(table(&direct, mode), table(&tmux, mode), "{mode}");
        }
        assert!(table(&direct, Mode::Prefix).is_empty());
    }

    #[test]
    fn lookup_normalizes_and_forgives_shift_on_characters() {
        let tmux = load("tmux");
        let ctrl_b_upper = Key {
            code: KeyCode::Char('B'),
            mods: Mods::CTRL,
        };
        assert_eq!(
            tmux.lookup(Mode::Prefix, ctrl_b_upper),
            Some(&action("client.send-prefix"))
        );
        let shifted = Key::new(KeyCode::Char('%'), Mods::SHIFT);
        assert_eq!(
            tmux.lookup(Mode::Prefix, shifted),
            Some(&action("pane.split-right"))
        );
        // Shift on a named key is a different key.
        assert_eq!(
            tmux.lookup(Mode::Prefix, Key::new(KeyCode::Left, Mods::SHIFT)),
            None
        );
    }

    #[test]
    fn bindings_come_in_file_order_and_keys_for_finds_hints() {
        let keymap = parse_keymap(
            "[prefix]\nz = \"pane.zoom\"\nd = \"client.detach\"\nb = \"pane.focus left\"\n\
             [normal]\n\"M-z\" = \"pane.zoom\"\n",
            Path::new("k.toml"),
            "k",
        )
        .unwrap();
        let keys: Vec<String> = keymap
            .bindings()
            .iter()
            .map(|(_, k, _)| k.to_string())
            .collect();
        assert_eq!(keys, ["z", "d", "b", "M-z"]);
        assert_eq!(
            keymap.bindings()[2].2,
            Action::Pane(PaneAction::Focus(Direction::Left))
        );
        assert_eq!(
            keymap.keys_for(&action("client.detach")).as_deref(),
            Some("C-b d")
        );
        assert_eq!(
            keymap.keys_for(&action("pane.zoom")).as_deref(),
            Some("M-z")
        );
        assert_eq!(keymap.keys_for(&Action::Tab(TabAction::New)), None);
        assert_eq!(
            load("direct").keys_for(&action("client.help")).as_deref(),
            Some("M-?")
        );
    }

    #[test]
    fn problems_are_located() {
        let detach = "[prefix]\nd = \"client.detach\"\n";
        let cases = [
            (
                format!("{detach}Lfet = \"pane.focus left\""),
                "k.toml:3:1: unknown key name `Lfet` in [prefix]",
            ),
            (
                "[prefix]\nd = \"client.detatch\"".to_owned(),
                "k.toml:2:5: `d`: unknown action `client.detatch`; did you mean `client.detach`?",
            ),
            (
                format!("{detach}x = \"pane.focus west\""),
                "k.toml:3:5: `x`: `pane.focus`: `west` is not a direction (left, right, up or down)",
            ),
            (
                format!("{detach}x = \"pane.zoom now\""),
                "k.toml:3:5: `x`: `pane.zoom` takes no further argument, found `now`",
            ),
            (
                format!("{detach}x = \"pane.select\""),
                "k.toml:3:5: `x`: `pane.select` needs a number",
            ),
            (
                format!("{detach}x = 1"),
                "k.toml:3:5: `x`: expected a string, found an integer",
            ),
            (
                format!("{detach}j = \"copy.down\""),
                "k.toml:3:5: `j`: `copy.down` can only be bound in [copy]",
            ),
            (
                format!("{detach}[normal]\n\"M-j\" = \"sidebar.down\""),
                "k.toml:4:9: `M-j`: `sidebar.down` can only be bound in [sidebar]",
            ),
            (
                format!("{detach}[copy]\nq = \"client.detach\""),
                "k.toml:4:5: `q`: [copy] takes only copy-mode actions (`copy.*` except \
                 `copy.enter`), not `client.detach`",
            ),
            (
                format!("{detach}\"C-x\" = \"pane.zoom\"\n\"^x\" = \"pane.zoom\""),
                "k.toml:4:1: `^x` in [prefix] is the same key as `C-x` on line 3",
            ),
            (
                format!("{detach}[normal]\n\"^B\" = \"pane.zoom\""),
                "k.toml:4:1: `^B` is the prefix key; it cannot also be bound in [normal]",
            ),
            (
                format!("prefix-key = \"C-a\"\n{detach}[copy]\n\"C-a\" = \"copy.line-start\""),
                "k.toml:5:1: `C-a` is the prefix key; it cannot also be bound in [copy]",
            ),
            (
                format!("{detach}[normal]\n\"M-[\" = \"copy.enter\""),
                "k.toml:4:1: `M-[`: terminals send Alt + `[` as the start of an escape \
                 sequence, so it cannot be bound",
            ),
            (
                format!("{detach}[prefx]"),
                "k.toml:3:2: unknown key `prefx` in the top level; did you mean `prefix`?",
            ),
            (
                format!("prefix_key = \"C-a\"\n{detach}"),
                "k.toml:1:1: unknown key `prefix_key` in the top level; did you mean `prefix-key`?",
            ),
            (
                "prefix = \"C-a\"".to_owned(),
                "k.toml:1:10: `prefix` is the table of keys pressed after the prefix key; set \
                 the key itself with `prefix-key = \"C-b\"`",
            ),
            (
                format!("prefix-key = \"C-\"\n{detach}"),
                "k.toml:1:14: `prefix-key`: unknown key name `C-`; expected a key name like \
                 \"C-b\", or \"none\"",
            ),
            (
                format!("prefix-key = \"none\"\n{detach}"),
                "k.toml:2:1: [prefix] has bindings, but `prefix-key` is \"none\"",
            ),
            (
                format!("{detach}[sidebar]\nj = [\"sidebar.down\"]"),
                "k.toml:4:5: `j`: expected a string, found an array",
            ),
            (
                "[prefix]\nz = \"pane.zoom\"\n[normal]\n\"M-d\" = \"client.help\"".to_owned(),
                "k.toml:1:1: this keymap leaves no way to detach: bind `client.detach` in \
                 [normal] or [prefix]",
            ),
            (
                "prefix-key = \"none\"\n[sidebar]\nd = \"client.detach\"".to_owned(),
                "k.toml:1:1: this keymap leaves no way to detach: bind `client.detach` in \
                 [normal] or [prefix]",
            ),
            (
                "[prefix]\nd = \"client.detach\"\nd = \"pane.zoom\"".to_owned(),
                "k.toml:3:1: duplicate key",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(errors(&text), expected, "{text}");
        }
    }

    #[test]
    fn every_problem_is_reported_in_file_order() {
        let text = "[prefix]\nd = \"client.detach\"\nzz = \"pane.zoom\"\ny = \"pane.zom\"\n\
                    [sidebar]\nk = \"copy.up\"\n";
        let lines: Vec<usize> = parse_keymap(text, Path::new("k"), "k")
            .unwrap_err()
            .iter()
            .map(|e| e.line)
            .collect();
        assert_eq!(lines, [3, 4, 6]);
    }

    #[test]
    fn a_user_file_overrides_and_a_bad_one_falls_back() {
        let dir = tempfile::tempdir().unwrap();
        let keymaps = dir.path().join("keymaps");
        std::fs::create_dir(&keymaps).unwrap();
        let (keymap, warnings) = load_keymap(dir.path(), "direct");
        assert!(warnings.is_empty());
        assert_eq!(keymap, load("direct"));

        std::fs::write(
            keymaps.join("tmux.toml"),
            "prefix-key = \"C-a\"\n[prefix]\nd = \"client.detach\"\n",
        )
        .unwrap();
        let (keymap, warnings) = load_keymap(dir.path(), "tmux");
        assert!(warnings.is_empty());
        assert_eq!(keymap.prefix, Some(Key::ctrl('a')));
        assert_eq!(keymap.bindings().len(), 1);

        std::fs::write(
            keymaps.join("tmux.toml"),
            "[prefix]\nd = \"client.detatch\"\n",
        )
        .unwrap();
        let (keymap, warnings) = load_keymap(dir.path(), "tmux");
        assert_eq!(keymap, load("tmux"));
        let shown: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        let file = keymaps.join("tmux.toml").display().to_string();
        assert_eq!(
            shown,
            [
                format!(
                    "{file}:2:5: `d`: unknown action `client.detatch`; did you mean `client.detach`?"
                ),
                format!("{file}:1:1: this keymap has errors; using the built-in `tmux` instead"),
            ]
        );

        std::fs::write(keymaps.join("mine.toml"), "[prefix]\nd = 3\n").unwrap();
        let (keymap, warnings) = load_keymap(dir.path(), "mine");
        assert_eq!(keymap, load("tmux"));
        assert_eq!(warnings.len(), 2);
        assert!(warnings[1].message.contains("using the built-in `tmux`"));

        let (keymap, warnings) = load_keymap(dir.path(), "emacs");
        assert_eq!(keymap, load("tmux"));
        assert_eq!(
            warnings[0].message,
            "no keymap named `emacs`: no such file, and the built-in ones are `tmux`, \
             `direct`; using `tmux`"
        );
    }

    #[test]
    fn help_lists_the_tmux_bindings() {
        let lines = help_lines(&load("tmux"));
        assert_eq!(lines.len(), load("tmux").bindings().len());
        insta::assert_snapshot!(lines.join("\n"));
    }
}
