//! Encodes keys, pastes and `send-keys` text into the bytes the program running in a pane reads,
//! following what xterm sends in its default configuration.
//!
//! This module owns only that byte mapping. It must not touch the pane's pty or terminal state:
//! callers pass the pane's current modes in and write the returned bytes themselves.

use crate::keys::{Key, KeyCode, Mods};

const ESC: u8 = 0x1b;
const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";

/// Input modes the program in the pane has switched on, which change what some keys send.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyModes {
    /// DECCKM: unmodified cursor keys, Home and End send `SS3` instead of `CSI`.
    pub app_cursor: bool,
    /// DECKPAM: kept for completeness; [`KeyCode`] has no keypad keys, so it changes nothing yet.
    pub app_keypad: bool,
}

/// Appends the bytes an xterm would send for `key`.
pub fn encode_key(key: Key, modes: KeyModes, out: &mut Vec<u8>) {
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
    };
    const APP: KeyModes = KeyModes {
        app_cursor: true,
        app_keypad: false,
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

    #[test]
    fn text_is_sent_verbatim() {
        let mut out = Vec::new();
        encode_text("ls -la\né", &mut out);
        assert_eq!(out, "ls -la\né".as_bytes());
    }
}
