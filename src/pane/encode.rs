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
mod tests;
