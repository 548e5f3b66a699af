//! Tests of the parent module.

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
        let got = [press, release, drag, motion, wheel].map(|e| !report(e, mode, sgr).is_empty());
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
