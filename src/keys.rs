//! The key vocabulary shared by the keymap, the input decoder and the pane encoder, and the
//! tmux-style names keys are written with in configuration files and `send-keys` arguments.
//!
//! This module owns [`Key`], [`KeyCode`] and [`Mods`], parsing and printing key names, and the
//! splitting of `send-keys` arguments into keys and text. It must not know about bytes on the
//! wire: decoding terminal input lives in `input`, encoding for panes lives in `pane::encode`.

use std::fmt;
use std::str::FromStr;

/// Modifier keys held while a key was pressed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct Mods {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

impl Mods {
    /// No modifier held.
    pub const NONE: Self = Self {
        ctrl: false,
        alt: false,
        shift: false,
    };
    /// Only Ctrl held.
    pub const CTRL: Self = Self {
        ctrl: true,
        alt: false,
        shift: false,
    };
    /// Only Alt (Meta) held.
    pub const ALT: Self = Self {
        ctrl: false,
        alt: true,
        shift: false,
    };
    /// Only Shift held.
    pub const SHIFT: Self = Self {
        ctrl: false,
        alt: false,
        shift: true,
    };

    /// Returns true when no modifier is held.
    pub const fn is_empty(self) -> bool {
        !self.ctrl && !self.alt && !self.shift
    }
}

/// A key without its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum KeyCode {
    Char(char),
    Enter,
    Tab,
    BackTab,
    Backspace,
    Escape,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    Insert,
    Delete,
    /// A function key; only 1..=12 have names and encodings.
    F(u8),
    /// A character key of the numeric keypad (`0`..`9` and `. + - * / = ,`). Terminals tell it
    /// from the main keys only in application keypad mode (DECKPAM).
    Keypad(char),
    /// The keypad's Enter, told apart like the other [`KeyCode::Keypad`] keys.
    KeypadEnter,
}

/// A key together with the modifiers held while it was pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Key {
    pub code: KeyCode,
    pub mods: Mods,
}

impl Key {
    /// Builds a key in canonical form (see [`Key::normalized`]).
    pub const fn new(code: KeyCode, mods: Mods) -> Self {
        Self { code, mods }.normalized()
    }

    /// Builds a key pressed without modifiers.
    pub const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            mods: Mods::NONE,
        }
    }

    /// Builds Ctrl + `c`, with an ASCII letter lowered so `ctrl('A') == ctrl('a')`.
    pub const fn ctrl(c: char) -> Self {
        Self::new(KeyCode::Char(c), Mods::CTRL)
    }

    /// Returns the canonical form of the key: Ctrl + an ASCII capital letter becomes Ctrl + the
    /// small letter, because terminals cannot tell the two apart and key names treat `C-A` and
    /// `C-a` as the same key.
    pub const fn normalized(self) -> Self {
        if let KeyCode::Char(c) = self.code
            && self.mods.ctrl
            && c.is_ascii_uppercase()
        {
            return Self {
                code: KeyCode::Char(c.to_ascii_lowercase()),
                mods: self.mods,
            };
        }
        self
    }

    /// The main key a keypad key stands for (`KP1` is `1`, `KPEnter` is `Enter`); other keys
    /// are returned unchanged. Used wherever appmux itself reads the key.
    pub const fn main_key(self) -> Self {
        let code = match self.code {
            KeyCode::Keypad(c) => KeyCode::Char(c),
            KeyCode::KeypadEnter => KeyCode::Enter,
            code => code,
        };
        Self {
            code,
            mods: self.mods,
        }
    }
}

/// Why a string is not a key name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyNameError {
    #[error("empty key name")]
    Empty,
    #[error("unknown key name `{0}`")]
    Unknown(String),
}

/// Canonical names, in the spelling `Display` prints. Lookup is case-insensitive.
const NAMES: &[(&str, KeyCode)] = &[
    ("Enter", KeyCode::Enter),
    ("Tab", KeyCode::Tab),
    ("BTab", KeyCode::BackTab),
    ("BSpace", KeyCode::Backspace),
    ("Escape", KeyCode::Escape),
    ("Space", KeyCode::Char(' ')),
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("PPage", KeyCode::PageUp),
    ("NPage", KeyCode::PageDown),
    ("IC", KeyCode::Insert),
    ("DC", KeyCode::Delete),
    ("KP0", KeyCode::Keypad('0')),
    ("KP1", KeyCode::Keypad('1')),
    ("KP2", KeyCode::Keypad('2')),
    ("KP3", KeyCode::Keypad('3')),
    ("KP4", KeyCode::Keypad('4')),
    ("KP5", KeyCode::Keypad('5')),
    ("KP6", KeyCode::Keypad('6')),
    ("KP7", KeyCode::Keypad('7')),
    ("KP8", KeyCode::Keypad('8')),
    ("KP9", KeyCode::Keypad('9')),
    ("KP.", KeyCode::Keypad('.')),
    ("KP+", KeyCode::Keypad('+')),
    ("KP-", KeyCode::Keypad('-')),
    ("KP*", KeyCode::Keypad('*')),
    ("KP/", KeyCode::Keypad('/')),
    ("KP=", KeyCode::Keypad('=')),
    ("KP,", KeyCode::Keypad(',')),
    ("KPEnter", KeyCode::KeypadEnter),
];

/// Other accepted spellings, which are never printed.
const ALIASES: &[(&str, KeyCode)] = &[
    ("Backspace", KeyCode::Backspace),
    ("Esc", KeyCode::Escape),
    ("PageUp", KeyCode::PageUp),
    ("PgUp", KeyCode::PageUp),
    ("PageDown", KeyCode::PageDown),
    ("PgDn", KeyCode::PageDown),
    ("Insert", KeyCode::Insert),
    ("Delete", KeyCode::Delete),
];

/// Strips leading `C-`, `M-` and `S-` prefixes (in any order, either case, like tmux). A prefix
/// is only taken when something follows it, so `C-` alone stays a (bad) name and `C--` is
/// Ctrl + `-`.
fn strip_modifiers(mut s: &str) -> (Mods, &str) {
    let mut mods = Mods::NONE;
    loop {
        let bytes = s.as_bytes();
        if bytes.len() < 3 || bytes[1] != b'-' {
            break;
        }
        match bytes[0] {
            b'C' | b'c' => mods.ctrl = true,
            b'M' | b'm' => mods.alt = true,
            b'S' | b's' => mods.shift = true,
            _ => break,
        }
        // Both stripped bytes are ASCII, so index 2 is a character boundary.
        s = &s[2..];
    }
    (mods, s)
}

/// Returns the only character of `s`, or `None` when `s` has zero or several characters.
fn single_char(s: &str) -> Option<char> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// Looks up a key name without modifiers: a single character, `^x`, a named key or `F1`..`F12`.
/// The returned flag says whether the `^x` form asked for Ctrl.
fn lookup_code(s: &str) -> Option<(KeyCode, bool)> {
    if let Some(c) = single_char(s) {
        return Some((KeyCode::Char(c), false));
    }
    if let Some(c) = s.strip_prefix('^').and_then(single_char) {
        return Some((KeyCode::Char(c), true));
    }
    let named = NAMES
        .iter()
        .chain(ALIASES)
        .find(|(name, _)| name.eq_ignore_ascii_case(s));
    if let Some(&(_, code)) = named {
        return Some((code, false));
    }
    function_key(s).map(|code| (code, false))
}

/// Parses `F1`..`F12` (either case). Only plain digits are accepted, so `F+1` is not a key.
fn function_key(s: &str) -> Option<KeyCode> {
    let digits = s.strip_prefix(['F', 'f'])?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u8 = digits.parse().ok()?;
    (1..=12).contains(&n).then_some(KeyCode::F(n))
}

impl FromStr for Key {
    type Err = KeyNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(KeyNameError::Empty);
        }
        let (mut mods, rest) = strip_modifiers(s);
        let (code, caret_ctrl) =
            lookup_code(rest).ok_or_else(|| KeyNameError::Unknown(s.to_owned()))?;
        mods.ctrl |= caret_ctrl;
        Ok(Key::new(code, mods))
    }
}

impl fmt::Display for KeyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((name, _)) = NAMES.iter().find(|(_, code)| code == self) {
            return f.write_str(name);
        }
        match self {
            KeyCode::Char(c) => write!(f, "{c}"),
            // Function keys outside 1..=12 print as `F0`, `F13`... which do not parse back;
            // such keys cannot be produced by the decoder or written in configuration.
            KeyCode::F(n) => write!(f, "F{n}"),
            // Every other code has an entry in NAMES.
            other => write!(f, "{other:?}"),
        }
    }
}

impl fmt::Display for Key {
    /// Prints the canonical tmux-style name, modifiers in tmux's `C-M-S-` order. Parsing the
    /// printed name gives back `self.normalized()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.normalized();
        if key.mods.ctrl {
            f.write_str("C-")?;
        }
        if key.mods.alt {
            f.write_str("M-")?;
        }
        if key.mods.shift {
            f.write_str("S-")?;
        }
        write!(f, "{}", key.code)
    }
}

/// One item of `send-keys` input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendItem {
    Key(Key),
    Text(String),
}

/// tmux `send-keys` semantics: each argument that parses as a key name is a key; anything else
/// is literal text typed as-is. With `literal` (tmux -l) every argument is text. Empty arguments
/// produce nothing, because they would type nothing.
pub fn parse_send_keys(args: &[String], literal: bool) -> Vec<SendItem> {
    args.iter()
        .filter(|arg| !arg.is_empty())
        .map(|arg| match arg.parse::<Key>() {
            Ok(key) if !literal => SendItem::Key(key),
            _ => SendItem::Text(arg.clone()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(s: &str) -> Key {
        match s.parse::<Key>() {
            Ok(key) => key,
            Err(err) => panic!("`{s}` should parse: {err}"),
        }
    }

    fn all_mods() -> Vec<Mods> {
        (0..8)
            .map(|bits| Mods {
                ctrl: bits & 1 != 0,
                alt: bits & 2 != 0,
                shift: bits & 4 != 0,
            })
            .collect()
    }

    fn named_codes() -> Vec<KeyCode> {
        let mut codes: Vec<KeyCode> = NAMES.iter().map(|&(_, code)| code).collect();
        codes.extend((1..=12).map(KeyCode::F));
        codes
    }

    /// Every way of writing `mods` as prefixes, in both orders and both cases.
    fn prefix_spellings(mods: Mods) -> Vec<String> {
        let mut parts = Vec::new();
        if mods.ctrl {
            parts.push("C-");
        }
        if mods.alt {
            parts.push("M-");
        }
        if mods.shift {
            parts.push("S-");
        }
        let forward: String = parts.concat();
        let backward: String = parts.iter().rev().copied().collect();
        vec![forward.clone(), backward, forward.to_lowercase()]
    }

    #[test]
    fn every_named_key_with_every_modifier_round_trips() {
        for code in named_codes() {
            for mods in all_mods() {
                let key = Key::new(code, mods);
                let printed = key.to_string();
                assert_eq!(parse(&printed), key, "printed as `{printed}`");
                for prefix in prefix_spellings(mods) {
                    let name = format!("{prefix}{}", code.to_string().to_lowercase());
                    assert_eq!(parse(&name), key, "spelled `{name}`");
                }
            }
        }
    }

    #[test]
    fn aliases_parse_with_modifiers() {
        for &(alias, code) in ALIASES {
            for mods in all_mods() {
                for prefix in prefix_spellings(mods) {
                    assert_eq!(parse(&format!("{prefix}{alias}")), Key::new(code, mods));
                    let upper = format!("{prefix}{}", alias.to_uppercase());
                    assert_eq!(parse(&upper), Key::new(code, mods));
                }
            }
        }
    }

    #[test]
    fn display_examples() {
        let cases = [
            (Key::ctrl('b'), "C-b"),
            (Key::new(KeyCode::Char('x'), Mods::ALT), "M-x"),
            (
                Key::new(
                    KeyCode::Char('a'),
                    Mods {
                        ctrl: true,
                        alt: true,
                        shift: false,
                    },
                ),
                "C-M-a",
            ),
            (Key::new(KeyCode::Up, Mods::SHIFT), "S-Up"),
            (Key::plain(KeyCode::F(5)), "F5"),
            (Key::plain(KeyCode::Enter), "Enter"),
            (Key::plain(KeyCode::PageUp), "PPage"),
            (Key::plain(KeyCode::Char(' ')), "Space"),
            (Key::plain(KeyCode::Char('%')), "%"),
            (Key::new(KeyCode::Char('A'), Mods::CTRL), "C-a"),
        ];
        for (key, name) in cases {
            assert_eq!(key.to_string(), name);
        }
    }

    #[test]
    fn parse_examples() {
        let ctrl_alt = Mods {
            ctrl: true,
            alt: true,
            shift: false,
        };
        assert_eq!(parse("C-M-a"), Key::new(KeyCode::Char('a'), ctrl_alt));
        assert_eq!(parse("M-C-a"), Key::new(KeyCode::Char('a'), ctrl_alt));
        assert_eq!(parse("C-A"), Key::ctrl('a'));
        assert_eq!(parse("^a"), Key::ctrl('a'));
        assert_eq!(parse("^A"), Key::ctrl('a'));
        assert_eq!(parse("M-^a"), Key::new(KeyCode::Char('a'), ctrl_alt));
        assert_eq!(parse("^"), Key::plain(KeyCode::Char('^')));
        assert_eq!(parse("C-^"), Key::ctrl('^'));
        assert_eq!(parse("-"), Key::plain(KeyCode::Char('-')));
        assert_eq!(parse("C--"), Key::ctrl('-'));
        assert_eq!(parse("M-C"), Key::new(KeyCode::Char('C'), Mods::ALT));
        assert_eq!(parse("\""), Key::plain(KeyCode::Char('"')));
        assert_eq!(parse("é"), Key::plain(KeyCode::Char('é')));
        assert_eq!(parse("C-é"), Key::new(KeyCode::Char('é'), Mods::CTRL));
        assert_eq!(parse("space"), Key::plain(KeyCode::Char(' ')));
        assert_eq!(parse("f12"), Key::plain(KeyCode::F(12)));
        assert_eq!(parse("C"), Key::plain(KeyCode::Char('C')));
    }

    #[test]
    fn bad_names_are_errors() {
        assert_eq!("".parse::<Key>(), Err(KeyNameError::Empty));
        for bad in [
            "hello", "ls -la", "C-", "C-M-", "X-a", "F0", "F13", "F+1", "^ab", "Enterr",
        ] {
            assert_eq!(
                bad.parse::<Key>(),
                Err(KeyNameError::Unknown(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn send_keys_splits_keys_from_text() {
        let args = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            parse_send_keys(&args(&["ls -la", "Enter"]), false),
            vec![
                SendItem::Text("ls -la".into()),
                SendItem::Key(Key::plain(KeyCode::Enter))
            ]
        );
        assert_eq!(
            parse_send_keys(&args(&["C-c"]), false),
            vec![SendItem::Key(Key::ctrl('c'))]
        );
        assert_eq!(
            parse_send_keys(&args(&["C-c", "Enter", ""]), true),
            vec![SendItem::Text("C-c".into()), SendItem::Text("Enter".into())]
        );
        assert_eq!(parse_send_keys(&args(&[""]), false), vec![]);
    }

    fn any_code() -> impl Strategy<Value = KeyCode> {
        prop_oneof![
            any::<char>().prop_map(KeyCode::Char),
            (1u8..=12).prop_map(KeyCode::F),
            proptest::sample::select(named_codes()),
        ]
    }

    fn any_mods() -> impl Strategy<Value = Mods> {
        (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(ctrl, alt, shift)| Mods {
            ctrl,
            alt,
            shift,
        })
    }

    proptest! {
        /// Any key with a nameable code (every char, F1..F12, every named key) prints to a name
        /// that parses back to the key's canonical form.
        #[test]
        fn display_then_parse_round_trips(code in any_code(), mods in any_mods()) {
            let key = Key { code, mods };
            prop_assert_eq!(key.to_string().parse::<Key>(), Ok(key.normalized()));
        }
    }
}
