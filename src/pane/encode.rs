//! Encodes keys, pastes, mouse events and `send-keys` text into the bytes the program running in
//! a pane reads: what xterm sends in its default configuration, xterm's modifyOtherKeys when the
//! app asked for it, and the kitty keyboard protocol when the app pushed kitty flags.
//!
//! This module owns only that byte mapping. It must not touch the pane's pty or terminal state:
//! callers pass the pane's current modes in and write the returned bytes themselves.

use crate::input::{MouseButton, MouseEvent, MouseKind};
use crate::keys::{Key, KeyCode, Mods};
use crate::pane::modes::MouseEncoding;

const ESC: u8 = 0x1b;
const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";

/// Input modes the program in the pane has switched on, which change what some keys send.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyModes {
    /// DECCKM: unmodified cursor keys, Home and End send `SS3` instead of `CSI`.
    pub app_cursor: bool,
    /// DECKPAM: unmodified keypad keys send `SS3 x` instead of the characters they stand for.
    pub app_keypad: bool,
    /// xterm modifyOtherKeys level: 0 off; 1 encodes modified keys that have no other
    /// encoding; 2 encodes every modified character key.
    pub modify_other_keys: u8,
    /// Kitty keyboard protocol flags in effect; 0 means legacy encoding.
    pub kitty: u8,
}

/// Kitty flag: disambiguate escape codes.
const KITTY_DISAMBIGUATE: u8 = 1;
/// Kitty flag: report alternate (shifted) keys.
const KITTY_ALTERNATES: u8 = 4;
/// Kitty flag: report every key as an escape code.
const KITTY_ALL_KEYS: u8 = 8;
/// Kitty flag: report the text a key produces.
const KITTY_TEXT: u8 = 16;

/// Appends the bytes the program expects for `key` in its current `modes`.
pub fn encode_key(key: Key, modes: KeyModes, out: &mut Vec<u8>) {
    if modes.kitty & (KITTY_DISAMBIGUATE | KITTY_ALL_KEYS) != 0 {
        return encode_kitty(key, modes.kitty, out);
    }
    if modes.modify_other_keys > 0 && modify_other_key(key, modes.modify_other_keys, out) {
        return;
    }
    encode_legacy(key, modes, out);
}

/// Appends the bytes an xterm would send for `key` by default.
fn encode_legacy(key: Key, modes: KeyModes, out: &mut Vec<u8>) {
    let mods = key.mods;
    match key.code {
        KeyCode::Char(c) => encode_char(c, mods, out),
        KeyCode::Enter => with_alt(mods, b"\r", out),
        // xterm sends Shift+Tab as back-tab.
        KeyCode::Tab if mods.shift => with_alt(mods, b"\x1b[Z", out),
        KeyCode::Tab => with_alt(mods, b"\t", out),
        KeyCode::BackTab => with_alt(mods, b"\x1b[Z", out),
        KeyCode::Backspace if mods.ctrl => with_alt(mods, b"\x08", out),
        KeyCode::Backspace => with_alt(mods, b"\x7f", out),
        KeyCode::Escape => with_alt(mods, b"\x1b", out),
        KeyCode::Up => cursor_key(b'A', mods, modes, out),
        KeyCode::Down => cursor_key(b'B', mods, modes, out),
        KeyCode::Right => cursor_key(b'C', mods, modes, out),
        KeyCode::Left => cursor_key(b'D', mods, modes, out),
        KeyCode::Home => cursor_key(b'H', mods, modes, out),
        KeyCode::End => cursor_key(b'F', mods, modes, out),
        KeyCode::Insert => tilde_key(2, mods, out),
        KeyCode::Delete => tilde_key(3, mods, out),
        KeyCode::PageUp => tilde_key(5, mods, out),
        KeyCode::PageDown => tilde_key(6, mods, out),
        KeyCode::F(n) => function_key(n, mods, out),
        KeyCode::Keypad(_) | KeyCode::KeypadEnter => keypad_key(key, modes, out),
    }
}

/// Keypad keys: `SS3 x` in application keypad mode when unmodified (`M` for Enter, `X` for
/// `=`, `j`..`y` for `*+,-./0123456789`), otherwise the bytes of the main key they stand for.
fn keypad_key(key: Key, modes: KeyModes, out: &mut Vec<u8>) {
    let letter = match key.code {
        KeyCode::KeypadEnter => Some(b'M'),
        KeyCode::Keypad('=') => Some(b'X'),
        KeyCode::Keypad(c @ '*'..='9') => Some(c as u8 - b'*' + b'j'),
        _ => None,
    };
    match letter {
        Some(letter) if modes.app_keypad && key.mods.is_empty() => {
            out.extend_from_slice(&[ESC, b'O', letter]);
        }
        _ => encode_legacy(key.main_key(), modes, out),
    }
}

/// Appends a paste: wrapped in `ESC[200~` / `ESC[201~` when `bracketed` (with every `ESC[201~`
/// inside the data removed so a paste cannot end the bracket early), otherwise as-is with LF
/// converted to CR like tmux does.
pub fn encode_paste(data: &[u8], bracketed: bool, out: &mut Vec<u8>) {
    if !bracketed {
        out.extend(data.iter().map(|&b| if b == b'\n' { b'\r' } else { b }));
        return;
    }
    out.extend_from_slice(PASTE_START);
    let start = out.len();
    for &b in data {
        out.push(b);
        // Checking the output rather than the input also catches an end marker that only
        // appears once an inner one is removed, such as `ESC[20` `ESC[201~` `1~`.
        if b == b'~' && out.len() - start >= PASTE_END.len() && out.ends_with(PASTE_END) {
            out.truncate(out.len() - PASTE_END.len());
        }
    }
    out.extend_from_slice(PASTE_END);
}

/// Appends the text of a `SendItem::Text`: its UTF-8 bytes as-is, so LF stays LF.
pub fn encode_text(text: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(text.as_bytes());
}

/// Alt is sent as an ESC before the key's ordinary bytes (xterm's `metaSendsEscape`).
fn with_alt(mods: Mods, bytes: &[u8], out: &mut Vec<u8>) {
    if mods.alt {
        out.push(ESC);
    }
    out.extend_from_slice(bytes);
}

/// Encodes a character key. Shift is already part of the character, so it is ignored.
fn encode_char(c: char, mods: Mods, out: &mut Vec<u8>) {
    if mods.alt {
        out.push(ESC);
    }
    if mods.ctrl
        && let Some(byte) = control_byte(c)
    {
        out.push(byte);
        return;
    }
    let mut buf = [0; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// The C0 control byte xterm sends for Ctrl + `c`, including its digit shortcuts (`C-2` is NUL,
/// `C-3`..`C-7` are ESC..US, `C-8` is DEL) and `C-/` as US. `None` means Ctrl has no effect.
fn control_byte(c: char) -> Option<u8> {
    let byte = u8::try_from(c).ok()?;
    match byte {
        b'a'..=b'z' => Some(byte - b'a' + 1),
        b'A'..=b'Z' => Some(byte - b'A' + 1),
        b' ' | b'@' | b'2' => Some(0x00),
        b'[' | b'3' => Some(0x1b),
        b'\\' | b'4' => Some(0x1c),
        b']' | b'5' => Some(0x1d),
        b'^' | b'6' => Some(0x1e),
        b'_' | b'7' | b'/' => Some(0x1f),
        b'?' | b'8' => Some(0x7f),
        _ => None,
    }
}

/// The xterm modifier parameter: 1 + Shift(1) + Alt(2) + Ctrl(4).
fn modifier_param(mods: Mods) -> u8 {
    1 + u8::from(mods.shift) + 2 * u8::from(mods.alt) + 4 * u8::from(mods.ctrl)
}

/// Cursor keys, Home and End: `CSI x` (or `SS3 x` in application cursor mode) unmodified, and
/// `CSI 1;m x` with modifiers whatever the mode.
fn cursor_key(letter: u8, mods: Mods, modes: KeyModes, out: &mut Vec<u8>) {
    if !mods.is_empty() {
        out.extend_from_slice(format!("\x1b[1;{}", modifier_param(mods)).as_bytes());
    } else if modes.app_cursor {
        out.extend_from_slice(b"\x1bO");
    } else {
        out.extend_from_slice(b"\x1b[");
    }
    out.push(letter);
}

/// xterm's modifyOtherKeys: `CSI 27 ; m ; code ~` for modified keys the legacy encoding
/// loses (level 1: Ctrl with a character that has no control code, modified Enter, Tab and
/// Backspace) or all modified character keys (level 2). False when the key is not one of them.
fn modify_other_key(key: Key, level: u8, out: &mut Vec<u8>) -> bool {
    let key = key.main_key();
    let mods = key.mods;
    let code = match key.code {
        KeyCode::Char(c) => {
            let ctrl_lost = mods.ctrl && control_byte(c).is_none();
            let wanted = ctrl_lost || (level >= 2 && (mods.ctrl || mods.alt));
            if !wanted {
                return false;
            }
            // Shift is reported, and the code is the shifted character, as xterm does.
            if mods.shift && c.is_ascii_lowercase() {
                c.to_ascii_uppercase() as u32
            } else {
                c as u32
            }
        }
        KeyCode::Enter | KeyCode::Tab | KeyCode::Backspace
            if mods.ctrl || mods.shift || (level >= 2 && mods.alt) =>
        {
            match key.code {
                KeyCode::Enter => 13,
                KeyCode::Tab => 9,
                _ => 127,
            }
        }
        _ => return false,
    };
    out.extend_from_slice(format!("\x1b[27;{};{code}~", modifier_param(mods)).as_bytes());
    true
}

/// The kitty keyboard protocol (<https://sw.kovidgoyal.net/kitty/keyboard-protocol/>), for
/// key presses: text keys stay text unless modified (or flag 8 asks for every key), everything
/// else is `CSI code ; mods u` or the functional keys' `CSI 1 ; mods X` and `CSI n ; mods ~`.
fn encode_kitty(key: Key, flags: u8, out: &mut Vec<u8>) {
    let all = flags & KITTY_ALL_KEYS != 0;
    let mut mods = key.mods;
    let (code, shifted) = match key.code {
        KeyCode::Char(c) => {
            // The key code is the unshifted key: an ASCII capital is Shift plus its letter.
            let (base, shifted) = if c.is_ascii_uppercase() {
                mods.shift = true;
                (c.to_ascii_lowercase(), Some(c))
            } else {
                (c, None)
            };
            if !all && !mods.ctrl && !mods.alt {
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                return;
            }
            (base as u32, shifted)
        }
        KeyCode::Enter | KeyCode::Tab | KeyCode::Backspace if !all && mods.is_empty() => {
            return encode_legacy(key, KeyModes::default(), out);
        }
        KeyCode::Enter => (13, None),
        KeyCode::Tab => (9, None),
        KeyCode::BackTab => {
            mods.shift = true;
            (9, None)
        }
        KeyCode::Backspace => (127, None),
        KeyCode::Escape => (27, None),
        KeyCode::Up => return kitty_letter(b'A', mods, out),
        KeyCode::Down => return kitty_letter(b'B', mods, out),
        KeyCode::Right => return kitty_letter(b'C', mods, out),
        KeyCode::Left => return kitty_letter(b'D', mods, out),
        KeyCode::Home => return kitty_letter(b'H', mods, out),
        KeyCode::End => return kitty_letter(b'F', mods, out),
        KeyCode::F(1) => return kitty_letter(b'P', mods, out),
        KeyCode::F(2) => return kitty_letter(b'Q', mods, out),
        // `CSI R` would read as a cursor position report.
        KeyCode::F(3) => return tilde_key(13, mods, out),
        KeyCode::F(4) => return kitty_letter(b'S', mods, out),
        KeyCode::F(_) | KeyCode::Insert | KeyCode::Delete | KeyCode::PageUp | KeyCode::PageDown => {
            return encode_legacy(key, KeyModes::default(), out);
        }
        // The keypad has codes of its own: KP_0..KP_9 from 57399, then `. / * - +`, Enter, `=`
        // and `,`.
        KeyCode::KeypadEnter => (57414, None),
        // The keypad's text keys are text, like the main ones, unless every key is wanted as
        // a code or a modifier needs saying.
        KeyCode::Keypad(c) if !all && !mods.ctrl && !mods.alt => {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            return;
        }
        KeyCode::Keypad(c) => match c {
            '0'..='9' => (57399 + (c as u32 - '0' as u32), None),
            '.' => (57409, None),
            '/' => (57410, None),
            '*' => (57411, None),
            '-' => (57412, None),
            '+' => (57413, None),
            '=' => (57415, None),
            ',' => (57416, None),
            _ => return encode_kitty(key.main_key(), flags, out),
        },
    };
    let mut seq = format!("\x1b[{code}");
    if let Some(s) = shifted.filter(|_| flags & KITTY_ALTERNATES != 0) {
        seq.push_str(&format!(":{}", s as u32));
    }
    let text = match key.code {
        KeyCode::Char(c) | KeyCode::Keypad(c)
            if flags & KITTY_TEXT != 0 && all && !mods.ctrl && !mods.alt =>
        {
            Some(c as u32)
        }
        _ => None,
    };
    if !mods.is_empty() || text.is_some() {
        seq.push_str(&format!(";{}", modifier_param(mods)));
    }
    if let Some(t) = text {
        seq.push_str(&format!(";{t}"));
    }
    seq.push('u');
    out.extend_from_slice(seq.as_bytes());
}

/// Kitty's cursor keys, Home, End and F1, F2, F4: `CSI X`, or `CSI 1 ; m X` with modifiers.
fn kitty_letter(letter: u8, mods: Mods, out: &mut Vec<u8>) {
    if mods.is_empty() {
        out.extend_from_slice(b"\x1b[");
    } else {
        out.extend_from_slice(format!("\x1b[1;{}", modifier_param(mods)).as_bytes());
    }
    out.push(letter);
}

/// Appends the report of a mouse event at 0-based pane coordinates (`event.col`, `event.row`)
/// for an app in `mode` with `encoding`; false when the mode does not report this event (or
/// the position cannot be encoded), so nothing was appended.
pub fn encode_mouse(
    event: MouseEvent,
    mode: vt100::MouseProtocolMode,
    encoding: MouseEncoding,
    out: &mut Vec<u8>,
) -> bool {
    use vt100::MouseProtocolMode as M;
    let button_bits = |b: MouseButton| match b {
        MouseButton::Left => 0,
        MouseButton::Middle => 1,
        MouseButton::Right => 2,
    };
    let (mut code, release) = match (event.kind, mode) {
        (_, M::None) => return false,
        (MouseKind::Press(b), _) => (button_bits(b), false),
        (MouseKind::ScrollUp, _) => (64, false),
        (MouseKind::ScrollDown, _) => (65, false),
        (_, M::Press) => return false,
        (MouseKind::Release(b), _) => (b.map_or(3, button_bits), true),
        (MouseKind::Drag(b), M::ButtonMotion | M::AnyMotion) => (32 + button_bits(b), false),
        (MouseKind::Move, M::AnyMotion) => (35, false),
        (MouseKind::Drag(_) | MouseKind::Move, _) => return false,
    };
    // X10 compatibility mode reports no modifiers.
    if mode != M::Press {
        let m = event.mods;
        code += 4 * u32::from(m.shift) + 8 * u32::from(m.alt) + 16 * u32::from(m.ctrl);
    }
    let (x, y) = (u32::from(event.col) + 1, u32::from(event.row) + 1);
    match encoding {
        MouseEncoding::Sgr => {
            let end = if release { 'm' } else { 'M' };
            out.extend_from_slice(format!("\x1b[<{code};{x};{y}{end}").as_bytes());
        }
        MouseEncoding::Urxvt => {
            // Releases do not say which button.
            let code = if release { (code & !3) | 3 } else { code };
            out.extend_from_slice(format!("\x1b[{};{x};{y}M", code + 32).as_bytes());
        }
        MouseEncoding::Default | MouseEncoding::Utf8 => {
            let code = if release { (code & !3) | 3 } else { code };
            let utf8 = encoding == MouseEncoding::Utf8;
            let limit = if utf8 { 2047 } else { 223 };
            if x > limit || y > limit {
                return false;
            }
            out.extend_from_slice(b"\x1b[M");
            for v in [code + 32, x + 32, y + 32] {
                if utf8 {
                    let c = char::from_u32(v).unwrap_or(' ');
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                } else {
                    out.push(v as u8);
                }
            }
        }
    }
    true
}

/// Editing keys and F5..F12: `CSI n~`, or `CSI n;m~` with modifiers.
fn tilde_key(number: u8, mods: Mods, out: &mut Vec<u8>) {
    let text = if mods.is_empty() {
        format!("\x1b[{number}~")
    } else {
        format!("\x1b[{number};{}~", modifier_param(mods))
    };
    out.extend_from_slice(text.as_bytes());
}

/// F1..F4 are `SS3 P..S` (`CSI 1;m P..S` with modifiers); F5..F12 are tilde keys. Other
/// numbers have no encoding, so nothing is sent for them.
fn function_key(n: u8, mods: Mods, out: &mut Vec<u8>) {
    match n {
        1..=4 => {
            let letter = b'P' + (n - 1);
            if mods.is_empty() {
                out.extend_from_slice(b"\x1bO");
            } else {
                out.extend_from_slice(format!("\x1b[1;{}", modifier_param(mods)).as_bytes());
            }
            out.push(letter);
        }
        5 => tilde_key(15, mods, out),
        6..=10 => tilde_key(n + 11, mods, out),
        11 | 12 => tilde_key(n + 12, mods, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NORMAL: KeyModes = KeyModes {
        app_cursor: false,
        app_keypad: false,
        modify_other_keys: 0,
        kitty: 0,
    };
    const APP: KeyModes = KeyModes {
        app_cursor: true,
        ..NORMAL
    };

    fn enc(key: Key, modes: KeyModes) -> Vec<u8> {
        let mut out = Vec::new();
        encode_key(key, modes, &mut out);
        out
    }

    fn with(code: KeyCode, mods: Mods) -> Key {
        Key::new(code, mods)
    }

    #[test]
    fn plain_chars_are_utf8_and_shift_is_ignored() {
        assert_eq!(enc(Key::plain(KeyCode::Char('a')), NORMAL), b"a");
        assert_eq!(enc(Key::plain(KeyCode::Char('é')), NORMAL), "é".as_bytes());
        assert_eq!(enc(with(KeyCode::Char('A'), Mods::SHIFT), NORMAL), b"A");
        assert_eq!(enc(Key::plain(KeyCode::Char(' ')), NORMAL), b" ");
    }

    #[test]
    fn ctrl_chars_follow_xterm() {
        let cases: &[(char, &[u8])] = &[
            ('a', b"\x01"),
            ('z', b"\x1a"),
            ('A', b"\x01"),
            (' ', b"\x00"),
            ('@', b"\x00"),
            ('[', b"\x1b"),
            ('\\', b"\x1c"),
            (']', b"\x1d"),
            ('^', b"\x1e"),
            ('_', b"\x1f"),
            ('?', b"\x7f"),
            ('/', b"\x1f"),
            ('2', b"\x00"),
            ('3', b"\x1b"),
            ('4', b"\x1c"),
            ('5', b"\x1d"),
            ('6', b"\x1e"),
            ('7', b"\x1f"),
            ('8', b"\x7f"),
            ('1', b"1"),
            ('9', b"9"),
            ('é', "é".as_bytes()),
        ];
        for &(c, bytes) in cases {
            let key = Key {
                code: KeyCode::Char(c),
                mods: Mods::CTRL,
            };
            assert_eq!(enc(key, NORMAL), bytes, "C-{c}");
        }
    }

    #[test]
    fn alt_prefixes_escape() {
        assert_eq!(enc(with(KeyCode::Char('x'), Mods::ALT), NORMAL), b"\x1bx");
        let ctrl_alt = Mods {
            ctrl: true,
            alt: true,
            shift: false,
        };
        assert_eq!(enc(with(KeyCode::Char('a'), ctrl_alt), NORMAL), b"\x1b\x01");
        assert_eq!(enc(with(KeyCode::Enter, Mods::ALT), NORMAL), b"\x1b\r");
        assert_eq!(enc(with(KeyCode::Escape, Mods::ALT), NORMAL), b"\x1b\x1b");
        assert_eq!(
            enc(with(KeyCode::Backspace, Mods::ALT), NORMAL),
            b"\x1b\x7f"
        );
    }

    #[test]
    fn simple_keys() {
        let cases: &[(Key, &[u8])] = &[
            (Key::plain(KeyCode::Enter), b"\r"),
            (Key::plain(KeyCode::Tab), b"\t"),
            (with(KeyCode::Tab, Mods::SHIFT), b"\x1b[Z"),
            (Key::plain(KeyCode::BackTab), b"\x1b[Z"),
            (Key::plain(KeyCode::Backspace), b"\x7f"),
            (with(KeyCode::Backspace, Mods::CTRL), b"\x08"),
            (Key::plain(KeyCode::Escape), b"\x1b"),
        ];
        for &(key, bytes) in cases {
            assert_eq!(enc(key, NORMAL), bytes, "{key}");
            assert_eq!(enc(key, APP), bytes, "{key} in application cursor mode");
        }
    }

    #[test]
    fn cursor_keys_depend_on_mode_only_when_unmodified() {
        let keys = [
            (KeyCode::Up, 'A'),
            (KeyCode::Down, 'B'),
            (KeyCode::Right, 'C'),
            (KeyCode::Left, 'D'),
            (KeyCode::Home, 'H'),
            (KeyCode::End, 'F'),
        ];
        for (code, letter) in keys {
            assert_eq!(
                enc(Key::plain(code), NORMAL),
                format!("\x1b[{letter}").as_bytes()
            );
            assert_eq!(
                enc(Key::plain(code), APP),
                format!("\x1bO{letter}").as_bytes()
            );
            for (mods, m) in [(Mods::SHIFT, 2), (Mods::ALT, 3), (Mods::CTRL, 5)] {
                let want = format!("\x1b[1;{m}{letter}");
                assert_eq!(enc(with(code, mods), NORMAL), want.as_bytes());
                assert_eq!(enc(with(code, mods), APP), want.as_bytes());
            }
        }
        let all = Mods {
            ctrl: true,
            alt: true,
            shift: true,
        };
        assert_eq!(enc(with(KeyCode::Up, all), NORMAL), b"\x1b[1;8A");
    }

    #[test]
    fn tilde_keys() {
        let keys = [
            (KeyCode::Insert, 2),
            (KeyCode::Delete, 3),
            (KeyCode::PageUp, 5),
            (KeyCode::PageDown, 6),
            (KeyCode::F(5), 15),
            (KeyCode::F(6), 17),
            (KeyCode::F(7), 18),
            (KeyCode::F(8), 19),
            (KeyCode::F(9), 20),
            (KeyCode::F(10), 21),
            (KeyCode::F(11), 23),
            (KeyCode::F(12), 24),
        ];
        for (code, n) in keys {
            for modes in [NORMAL, APP] {
                assert_eq!(
                    enc(Key::plain(code), modes),
                    format!("\x1b[{n}~").as_bytes()
                );
                let ctrl_shift = Mods {
                    ctrl: true,
                    alt: false,
                    shift: true,
                };
                assert_eq!(
                    enc(with(code, ctrl_shift), modes),
                    format!("\x1b[{n};6~").as_bytes()
                );
            }
        }
    }

    #[test]
    fn f1_to_f4() {
        for (n, letter) in [(1, 'P'), (2, 'Q'), (3, 'R'), (4, 'S')] {
            for modes in [NORMAL, APP] {
                let plain = Key::plain(KeyCode::F(n));
                assert_eq!(enc(plain, modes), format!("\x1bO{letter}").as_bytes());
                let alt = with(KeyCode::F(n), Mods::ALT);
                assert_eq!(enc(alt, modes), format!("\x1b[1;3{letter}").as_bytes());
            }
        }
        assert_eq!(enc(Key::plain(KeyCode::F(0)), NORMAL), b"");
        assert_eq!(enc(Key::plain(KeyCode::F(13)), NORMAL), b"");
    }

    fn paste(data: &[u8], bracketed: bool) -> Vec<u8> {
        let mut out = Vec::new();
        encode_paste(data, bracketed, &mut out);
        out
    }

    #[test]
    fn keypad_keys_follow_the_keypad_mode() {
        let keypad = KeyModes {
            app_keypad: true,
            ..NORMAL
        };
        let kp = |c| Key::plain(KeyCode::Keypad(c));
        let enter = Key::plain(KeyCode::KeypadEnter);
        // Numeric mode: the characters and keys they stand for.
        assert_eq!(enc(kp('7'), NORMAL), b"7");
        assert_eq!(enc(kp('+'), NORMAL), b"+");
        assert_eq!(enc(enter, NORMAL), b"\r");
        // Application mode: SS3 and a letter of their own.
        let cases: &[(Key, &[u8])] = &[
            (kp('0'), b"\x1bOp"),
            (kp('9'), b"\x1bOy"),
            (kp('*'), b"\x1bOj"),
            (kp('+'), b"\x1bOk"),
            (kp(','), b"\x1bOl"),
            (kp('-'), b"\x1bOm"),
            (kp('.'), b"\x1bOn"),
            (kp('/'), b"\x1bOo"),
            (kp('='), b"\x1bOX"),
            (enter, b"\x1bOM"),
        ];
        for &(key, bytes) in cases {
            assert_eq!(enc(key, keypad), bytes, "{key}");
        }
        // Modified keypad keys are the modified main keys.
        let ctrl_enter = with(KeyCode::KeypadEnter, Mods::ALT);
        assert_eq!(enc(ctrl_enter, keypad), b"\x1b\r");
        let modify = KeyModes {
            modify_other_keys: 2,
            ..keypad
        };
        assert_eq!(
            enc(with(KeyCode::Keypad('1'), Mods::CTRL), modify),
            b"\x1b[27;5;49~"
        );
        // Kitty: text keys are text unless modified or every key is wanted as a code; the rest
        // have codes of their own.
        let kitty = KeyModes { kitty: 1, ..NORMAL };
        assert_eq!(enc(kp('0'), kitty), b"0");
        assert_eq!(enc(kp('/'), kitty), b"/");
        assert_eq!(enc(enter, kitty), b"\x1b[57414u");
        let all = KeyModes {
            kitty: 1 | 8,
            ..NORMAL
        };
        assert_eq!(enc(kp('0'), all), b"\x1b[57399u");
        assert_eq!(enc(kp('/'), all), b"\x1b[57410u");
        assert_eq!(
            enc(with(KeyCode::Keypad('5'), Mods::CTRL), kitty),
            b"\x1b[57404;5u"
        );
    }

    #[test]
    fn unbracketed_paste_turns_lf_into_cr() {
        assert_eq!(paste(b"a\nb\r\nc", false), b"a\rb\r\rc");
        assert_eq!(paste(b"\x1b[201~", false), b"\x1b[201~");
    }

    #[test]
    fn bracketed_paste_is_wrapped_and_cannot_end_early() {
        assert_eq!(paste(b"a\nb", true), b"\x1b[200~a\nb\x1b[201~");
        assert_eq!(paste(b"", true), b"\x1b[200~\x1b[201~");
        assert_eq!(paste(b"x\x1b[201~y", true), b"\x1b[200~xy\x1b[201~");
        assert_eq!(paste(b"\x1b[201~\x1b[201~", true), b"\x1b[200~\x1b[201~");
        assert_eq!(paste(b"\x1b[20\x1b[201~1~z", true), b"\x1b[200~z\x1b[201~");
        assert_eq!(
            paste(b"~~\x1b[200~", true),
            b"\x1b[200~~~\x1b[200~\x1b[201~"
        );
    }

    fn key(c: char, ctrl: bool, alt: bool, shift: bool) -> Key {
        Key::new(KeyCode::Char(c), Mods { ctrl, alt, shift })
    }

    #[test]
    fn modify_other_keys_levels() {
        let level = |n| KeyModes {
            modify_other_keys: n,
            ..NORMAL
        };
        // Level 1: only what the legacy encoding loses.
        assert_eq!(
            enc(key(';', true, false, false), level(1)),
            b"\x1b[27;5;59~"
        );
        assert_eq!(
            enc(key('1', true, false, false), level(1)),
            b"\x1b[27;5;49~"
        );
        assert_eq!(enc(key('a', true, false, false), level(1)), b"\x01");
        assert_eq!(enc(key('x', false, true, false), level(1)), b"\x1bx");
        assert_eq!(
            enc(with(KeyCode::Enter, Mods::CTRL), level(1)),
            b"\x1b[27;5;13~"
        );
        assert_eq!(
            enc(with(KeyCode::Tab, Mods::CTRL), level(1)),
            b"\x1b[27;5;9~"
        );
        assert_eq!(enc(Key::plain(KeyCode::Enter), level(1)), b"\r");
        // Level 2: every modified character.
        assert_eq!(
            enc(key('a', true, false, false), level(2)),
            b"\x1b[27;5;97~"
        );
        assert_eq!(enc(key('a', true, false, true), level(2)), b"\x1b[27;6;65~");
        assert_eq!(
            enc(key('x', false, true, false), level(2)),
            b"\x1b[27;3;120~"
        );
        assert_eq!(enc(key('x', false, false, false), level(2)), b"x");
        assert_eq!(enc(Key::plain(KeyCode::Up), level(2)), b"\x1b[A");
    }

    #[test]
    fn kitty_keys() {
        let kitty = |flags| KeyModes {
            kitty: flags,
            ..APP
        };
        let k1 = kitty(1);
        // Text stays text; Enter, Tab and Backspace stay legacy unless modified.
        assert_eq!(enc(key('a', false, false, false), k1), b"a");
        assert_eq!(enc(key('A', false, false, true), k1), b"A");
        assert_eq!(enc(key('é', false, false, false), k1), "é".as_bytes());
        assert_eq!(enc(Key::plain(KeyCode::Enter), k1), b"\r");
        assert_eq!(enc(Key::plain(KeyCode::Tab), k1), b"\t");
        assert_eq!(enc(Key::plain(KeyCode::Backspace), k1), b"\x7f");
        // Escape and modified keys are unambiguous.
        assert_eq!(enc(Key::plain(KeyCode::Escape), k1), b"\x1b[27u");
        assert_eq!(enc(key('a', true, false, false), k1), b"\x1b[97;5u");
        assert_eq!(enc(key('i', true, false, false), k1), b"\x1b[105;5u");
        assert_eq!(enc(key('x', false, true, false), k1), b"\x1b[120;3u");
        assert_eq!(enc(key('X', false, true, false), k1), b"\x1b[120;4u");
        assert_eq!(enc(with(KeyCode::Enter, Mods::CTRL), k1), b"\x1b[13;5u");
        assert_eq!(enc(with(KeyCode::Backspace, Mods::ALT), k1), b"\x1b[127;3u");
        assert_eq!(enc(Key::plain(KeyCode::BackTab), k1), b"\x1b[9;2u");
        // Functional keys ignore application cursor mode.
        assert_eq!(enc(Key::plain(KeyCode::Up), k1), b"\x1b[A");
        assert_eq!(enc(with(KeyCode::Left, Mods::CTRL), k1), b"\x1b[1;5D");
        assert_eq!(enc(Key::plain(KeyCode::F(1)), k1), b"\x1b[P");
        assert_eq!(enc(Key::plain(KeyCode::F(3)), k1), b"\x1b[13~");
        assert_eq!(enc(with(KeyCode::F(5), Mods::SHIFT), k1), b"\x1b[15;2~");
        assert_eq!(enc(Key::plain(KeyCode::Delete), k1), b"\x1b[3~");
        // Flag 8: every key is an escape code; 4 adds the shifted key, 16 the text.
        assert_eq!(enc(key('a', false, false, false), kitty(9)), b"\x1b[97u");
        assert_eq!(enc(Key::plain(KeyCode::Enter), kitty(9)), b"\x1b[13u");
        assert_eq!(
            enc(key('A', false, false, true), kitty(13)),
            b"\x1b[97:65;2u"
        );
        assert_eq!(
            enc(key('a', false, false, false), kitty(25)),
            b"\x1b[97;1;97u"
        );
        // Flags without 1 or 8 keep legacy encoding.
        assert_eq!(enc(Key::plain(KeyCode::Escape), kitty(2)), b"\x1b");
    }

    fn mouse_at(kind: MouseKind, col: u16, row: u16, mods: Mods) -> MouseEvent {
        MouseEvent {
            kind,
            col,
            row,
            mods,
        }
    }

    fn report(ev: MouseEvent, mode: vt100::MouseProtocolMode, enc: MouseEncoding) -> Vec<u8> {
        let mut out = Vec::new();
        let sent = encode_mouse(ev, mode, enc, &mut out);
        assert_eq!(sent, !out.is_empty());
        out
    }

    #[test]
    fn mouse_modes_decide_which_events_are_reported() {
        use vt100::MouseProtocolMode as M;
        let press = mouse_at(MouseKind::Press(MouseButton::Left), 4, 2, Mods::NONE);
        let release = mouse_at(
            MouseKind::Release(Some(MouseButton::Left)),
            4,
            2,
            Mods::NONE,
        );
        let drag = mouse_at(MouseKind::Drag(MouseButton::Left), 5, 2, Mods::NONE);
        let motion = mouse_at(MouseKind::Move, 6, 3, Mods::NONE);
        let wheel = mouse_at(MouseKind::ScrollUp, 0, 0, Mods::NONE);
        let sgr = MouseEncoding::Sgr;
        for (mode, want) in [
            (M::None, [false, false, false, false, false]),
            (M::Press, [true, false, false, false, true]),
            (M::PressRelease, [true, true, false, false, true]),
            (M::ButtonMotion, [true, true, true, false, true]),
            (M::AnyMotion, [true, true, true, true, true]),
        ] {
            let got =
                [press, release, drag, motion, wheel].map(|e| !report(e, mode, sgr).is_empty());
            assert_eq!(got, want, "{mode:?}");
        }
        assert_eq!(report(press, M::PressRelease, sgr), b"\x1b[<0;5;3M");
        assert_eq!(report(release, M::PressRelease, sgr), b"\x1b[<0;5;3m");
        assert_eq!(report(drag, M::ButtonMotion, sgr), b"\x1b[<32;6;3M");
        assert_eq!(report(motion, M::AnyMotion, sgr), b"\x1b[<35;7;4M");
        assert_eq!(report(wheel, M::PressRelease, sgr), b"\x1b[<64;1;1M");
        let ctrl_right = mouse_at(MouseKind::Press(MouseButton::Right), 0, 0, Mods::CTRL);
        assert_eq!(report(ctrl_right, M::PressRelease, sgr), b"\x1b[<18;1;1M");
        // X10 mode reports no modifiers.
        assert_eq!(report(ctrl_right, M::Press, sgr), b"\x1b[<2;1;1M");
    }

    #[test]
    fn mouse_encodings() {
        use vt100::MouseProtocolMode as M;
        let press = mouse_at(MouseKind::Press(MouseButton::Middle), 9, 19, Mods::SHIFT);
        let release = mouse_at(
            MouseKind::Release(Some(MouseButton::Middle)),
            9,
            19,
            Mods::NONE,
        );
        let mode = M::PressRelease;
        assert_eq!(report(press, mode, MouseEncoding::Default), b"\x1b[M%*4");
        assert_eq!(report(release, mode, MouseEncoding::Default), b"\x1b[M#*4");
        assert_eq!(report(press, mode, MouseEncoding::Urxvt), b"\x1b[37;10;20M");
        assert_eq!(
            report(release, mode, MouseEncoding::Urxvt),
            b"\x1b[35;10;20M"
        );
        assert_eq!(report(press, mode, MouseEncoding::Utf8), b"\x1b[M%*4");
        // Far coordinates: UTF-8 encodes them as characters, the default encoding cannot.
        let far = mouse_at(MouseKind::Press(MouseButton::Left), 299, 0, Mods::NONE);
        assert_eq!(report(far, mode, MouseEncoding::Default), b"");
        let mut want = b"\x1b[M ".to_vec();
        want.extend_from_slice("\u{14c}".as_bytes());
        want.push(b'!');
        assert_eq!(report(far, mode, MouseEncoding::Utf8), want);
        assert_eq!(report(far, mode, MouseEncoding::Sgr), b"\x1b[<0;300;1M");
    }

    #[test]
    fn text_is_sent_verbatim() {
        let mut out = Vec::new();
        encode_text("ls -la\né", &mut out);
        assert_eq!(out, "ls -la\né".as_bytes());
    }
}
