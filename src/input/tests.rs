//! Tests of the parent module.

use super::*;
use crate::pane::encode::{KeyModes, encode_key};
use proptest::prelude::*;

fn decode(bytes: &[u8]) -> Vec<InputEvent> {
    InputDecoder::new().feed(bytes)
}

fn decode_chunks(chunks: &[&[u8]]) -> Vec<InputEvent> {
    let mut decoder = InputDecoder::new();
    chunks
        .iter()
        .flat_map(|chunk| decoder.feed(chunk))
        .collect()
}

fn key(code: KeyCode, mods: Mods) -> InputEvent {
    InputEvent::Key(Key::new(code, mods))
}

fn plain(code: KeyCode) -> InputEvent {
    key(code, Mods::NONE)
}

fn ch(c: char) -> InputEvent {
    plain(KeyCode::Char(c))
}

fn reply(bytes: &[u8]) -> InputEvent {
    InputEvent::TerminalReply(bytes.to_vec())
}

fn mouse(kind: MouseKind, col: u16, row: u16, mods: Mods) -> InputEvent {
    InputEvent::Mouse(MouseEvent {
        kind,
        col,
        row,
        mods,
    })
}

const CTRL_ALT: Mods = Mods {
    ctrl: true,
    alt: true,
    shift: false,
};
const CTRL_SHIFT: Mods = Mods {
    ctrl: true,
    alt: false,
    shift: true,
};

#[test]
fn control_bytes() {
    assert_eq!(decode(b"\x00"), vec![key(KeyCode::Char(' '), Mods::CTRL)]);
    for byte in 0x01..=0x1au8 {
        let want = match byte {
            0x09 => plain(KeyCode::Tab),
            0x0d => plain(KeyCode::Enter),
            _ => key(KeyCode::Char(char::from(b'a' + byte - 1)), Mods::CTRL),
        };
        assert_eq!(decode(&[byte]), vec![want], "byte {byte:#04x}");
    }
    assert_eq!(
        decode(b"\x08\x0a"),
        vec![
            InputEvent::Key(Key::ctrl('h')),
            InputEvent::Key(Key::ctrl('j'))
        ]
    );
    let tail: Vec<_> = ['\\', ']', '^', '_']
        .map(|c| InputEvent::Key(Key::ctrl(c)))
        .to_vec();
    assert_eq!(decode(b"\x1c\x1d\x1e\x1f"), tail);
    assert_eq!(decode(b"\x7f"), vec![plain(KeyCode::Backspace)]);
}

#[test]
fn printable_ascii() {
    for byte in 0x20..0x7fu8 {
        assert_eq!(decode(&[byte]), vec![ch(char::from(byte))]);
    }
}

#[test]
fn utf8_in_one_feed_and_split_across_feeds() {
    let text = "aé€😀z";
    let want: Vec<_> = text.chars().map(ch).collect();
    assert_eq!(decode(text.as_bytes()), want);
    let bytes = text.as_bytes();
    for cut in 0..=bytes.len() {
        assert_eq!(
            decode_chunks(&[&bytes[..cut], &bytes[cut..]]),
            want,
            "cut at {cut}"
        );
    }
    let one_at_a_time: Vec<&[u8]> = bytes.chunks(1).collect();
    assert_eq!(decode_chunks(&one_at_a_time), want);
}

#[test]
fn invalid_utf8_becomes_replacement() {
    let r = ch(REPLACEMENT);
    assert_eq!(decode(b"\xff"), vec![r.clone()]);
    assert_eq!(decode(b"\x80a"), vec![r.clone(), ch('a')]);
    assert_eq!(decode(b"\xe2\x82a"), vec![r.clone(), ch('a')]);
    assert_eq!(
        decode(b"\xed\xa0\x80"),
        vec![r.clone(), r.clone(), r.clone()]
    );
    // An incomplete character waits for more input rather than becoming U+FFFD.
    assert_eq!(decode(b"\xe2\x82"), vec![]);
}

#[test]
fn escape_and_alt_keys() {
    assert_eq!(decode(b"\x1b"), vec![plain(KeyCode::Escape)]);
    assert_eq!(decode(b"a\x1b"), vec![ch('a'), plain(KeyCode::Escape)]);
    assert_eq!(decode(b"\x1ba"), vec![key(KeyCode::Char('a'), Mods::ALT)]);
    assert_eq!(decode(b"\x1b\r"), vec![key(KeyCode::Enter, Mods::ALT)]);
    assert_eq!(decode(b"\x1b\x01"), vec![key(KeyCode::Char('a'), CTRL_ALT)]);
    assert_eq!(
        decode(b"\x1b\x7f"),
        vec![key(KeyCode::Backspace, Mods::ALT)]
    );
    assert_eq!(
        decode("\x1bé".as_bytes()),
        vec![key(KeyCode::Char('é'), Mods::ALT)]
    );
    assert_eq!(
        decode_chunks(&[b"\x1b\xc3", b"\xa9"]),
        vec![key(KeyCode::Char('é'), Mods::ALT)]
    );
    assert_eq!(
        decode_chunks(&[b"\x1b", b"a"]),
        vec![plain(KeyCode::Escape), ch('a')]
    );
}

#[test]
fn double_escape() {
    assert_eq!(decode(b"\x1b\x1b"), vec![key(KeyCode::Escape, Mods::ALT)]);
    assert_eq!(decode(b"\x1b\x1b[A"), vec![key(KeyCode::Up, Mods::ALT)]);
    assert_eq!(decode(b"\x1b\x1bOP"), vec![key(KeyCode::F(1), Mods::ALT)]);
    assert_eq!(
        decode(b"\x1b\x1ba"),
        vec![plain(KeyCode::Escape), key(KeyCode::Char('a'), Mods::ALT)]
    );
    assert_eq!(
        decode(b"\x1b\x1b[1;3A"),
        vec![plain(KeyCode::Escape), key(KeyCode::Up, Mods::ALT)]
    );
    assert_eq!(
        decode(b"\x1b\x1b[I"),
        vec![plain(KeyCode::Escape), InputEvent::FocusIn]
    );
    assert_eq!(
        decode(b"\x1b\x1b\x1b"),
        vec![plain(KeyCode::Escape), key(KeyCode::Escape, Mods::ALT)]
    );
}

#[test]
fn incomplete_sequences_wait_for_the_next_feed() {
    assert_eq!(decode_chunks(&[b"\x1b[", b"A"]), vec![plain(KeyCode::Up)]);
    assert_eq!(
        decode_chunks(&[b"\x1b[1;", b"5", b"A"]),
        vec![key(KeyCode::Up, Mods::CTRL)]
    );
    assert_eq!(decode_chunks(&[b"\x1bO", b"P"]), vec![plain(KeyCode::F(1))]);
    let mut decoder = InputDecoder::new();
    assert_eq!(decoder.feed(b"\x1b[<0;1"), vec![]);
    assert_eq!(decoder.pending, b"\x1b[<0;1");
}

#[test]
fn cursor_keys() {
    for (letter, code) in [
        (b'A', KeyCode::Up),
        (b'B', KeyCode::Down),
        (b'C', KeyCode::Right),
        (b'D', KeyCode::Left),
    ]
    .into_iter()
    .chain([(b'H', KeyCode::Home), (b'F', KeyCode::End)])
    {
        assert_eq!(decode(&[ESC, b'[', letter]), vec![plain(code)]);
        assert_eq!(decode(&[ESC, b'O', letter]), vec![plain(code)]);
        for (m, mods) in [
            (b'2', Mods::SHIFT),
            (b'3', Mods::ALT),
            (b'5', Mods::CTRL),
            (b'6', CTRL_SHIFT),
        ] {
            assert_eq!(
                decode(&[ESC, b'[', b'1', b';', m, letter]),
                vec![key(code, mods)]
            );
        }
    }
    let all = Mods {
        ctrl: true,
        alt: true,
        shift: true,
    };
    assert_eq!(decode(b"\x1b[1;8A"), vec![key(KeyCode::Up, all)]);
    assert_eq!(decode(b"\x1b[1;9A"), vec![key(KeyCode::Up, Mods::ALT)]);
}

#[test]
fn function_keys() {
    for (letter, n) in [(b'P', 1), (b'Q', 2), (b'R', 3), (b'S', 4)] {
        assert_eq!(decode(&[ESC, b'O', letter]), vec![plain(KeyCode::F(n))]);
        assert_eq!(
            decode(&[ESC, b'[', b'1', b';', b'5', letter]),
            vec![key(KeyCode::F(n), Mods::CTRL)]
        );
    }
    let tilde = [
        (11, 1),
        (12, 2),
        (13, 3),
        (14, 4),
        (15, 5),
        (17, 6),
        (18, 7),
        (19, 8),
    ]
    .into_iter()
    .chain([(20, 9), (21, 10), (23, 11), (24, 12)]);
    for (number, n) in tilde {
        assert_eq!(
            decode(format!("\x1b[{number}~").as_bytes()),
            vec![plain(KeyCode::F(n))]
        );
        let modified = format!("\x1b[{number};3~");
        assert_eq!(
            decode(modified.as_bytes()),
            vec![key(KeyCode::F(n), Mods::ALT)]
        );
    }
}

#[test]
fn editing_keys() {
    let keys = [
        (1, KeyCode::Home),
        (7, KeyCode::Home),
        (4, KeyCode::End),
        (8, KeyCode::End),
        (2, KeyCode::Insert),
        (3, KeyCode::Delete),
        (5, KeyCode::PageUp),
        (6, KeyCode::PageDown),
    ];
    for (number, code) in keys {
        assert_eq!(
            decode(format!("\x1b[{number}~").as_bytes()),
            vec![plain(code)]
        );
        let modified = format!("\x1b[{number};6~");
        assert_eq!(decode(modified.as_bytes()), vec![key(code, CTRL_SHIFT)]);
    }
    assert_eq!(decode(b"\x1b[Z"), vec![plain(KeyCode::BackTab)]);
    assert_eq!(decode(b"\x1b[1;4Z"), vec![key(KeyCode::BackTab, Mods::ALT)]);
}

#[test]
fn keypad_in_application_mode() {
    assert_eq!(decode(b"\x1bOM"), vec![plain(KeyCode::KeypadEnter)]);
    let kp = |c| plain(KeyCode::Keypad(c));
    assert_eq!(
        decode(b"\x1bOp\x1bOy\x1bOj\x1bOn\x1bOo\x1bOX"),
        vec![kp('0'), kp('9'), kp('*'), kp('.'), kp('/'), kp('=')]
    );
    // An unknown byte after `ESC O` means M-O was typed.
    assert_eq!(
        decode(b"\x1bOz"),
        vec![key(KeyCode::Char('O'), Mods::ALT), ch('z')]
    );
}

#[test]
fn focus_events() {
    assert_eq!(
        decode(b"\x1b[I\x1b[O"),
        vec![InputEvent::FocusIn, InputEvent::FocusOut]
    );
}

#[test]
fn paste_in_one_feed_and_across_feeds() {
    assert_eq!(
        decode(b"a\x1b[200~x\x1b[Ay\ny\x1b[201~b"),
        vec![ch('a'), InputEvent::Paste(b"x\x1b[Ay\ny".to_vec()), ch('b')]
    );
    assert_eq!(
        decode(b"\x1b[200~\x1b[201~"),
        vec![InputEvent::Paste(Vec::new())]
    );
    let chunks: &[&[u8]] = &[b"\x1b[20", b"0~hel", b"lo\x1b", b"[20", b"1", b"~!"];
    assert_eq!(
        decode_chunks(chunks),
        vec![InputEvent::Paste(b"hello".to_vec()), ch('!')]
    );
    // An ESC at a chunk end inside a paste is paste content, not the Escape key.
    let chunks: &[&[u8]] = &[b"\x1b[200~a\x1b", b"b\x1b[201~"];
    assert_eq!(
        decode_chunks(chunks),
        vec![InputEvent::Paste(b"a\x1bb".to_vec())]
    );
    // A stray end marker is dropped.
    assert_eq!(decode(b"\x1b[201~x"), vec![ch('x')]);
}

#[test]
fn paste_is_capped() {
    let mut decoder = InputDecoder::new();
    assert_eq!(decoder.feed(b"\x1b[200~"), vec![]);
    let block = vec![b'p'; 1 << 20];
    for _ in 0..17 {
        assert_eq!(decoder.feed(&block), vec![]);
        assert!(decoder.paste.len() <= MAX_PASTE && decoder.pending.len() < PASTE_END.len());
    }
    let events = decoder.feed(b"\x1b[201~q");
    assert_eq!(events.len(), 2);
    assert!(matches!(&events[0], InputEvent::Paste(body) if body.len() == MAX_PASTE));
    assert_eq!(events[1], ch('q'));
}

#[test]
fn sgr_mouse() {
    let none = Mods::NONE;
    let cases: &[(&[u8], InputEvent)] = &[
        (
            b"\x1b[<0;1;1M",
            mouse(MouseKind::Press(MouseButton::Left), 0, 0, none),
        ),
        (
            b"\x1b[<1;10;5M",
            mouse(MouseKind::Press(MouseButton::Middle), 9, 4, none),
        ),
        (
            b"\x1b[<2;3;4m",
            mouse(MouseKind::Release(Some(MouseButton::Right)), 2, 3, none),
        ),
        (
            b"\x1b[<0;3;4m",
            mouse(MouseKind::Release(Some(MouseButton::Left)), 2, 3, none),
        ),
        (
            b"\x1b[<32;7;8M",
            mouse(MouseKind::Drag(MouseButton::Left), 6, 7, none),
        ),
        (b"\x1b[<35;7;8M", mouse(MouseKind::Move, 6, 7, none)),
        (b"\x1b[<64;1;1M", mouse(MouseKind::ScrollUp, 0, 0, none)),
        (
            b"\x1b[<65;300;2M",
            mouse(MouseKind::ScrollDown, 299, 1, none),
        ),
        (
            b"\x1b[<4;1;1M",
            mouse(MouseKind::Press(MouseButton::Left), 0, 0, Mods::SHIFT),
        ),
        (
            b"\x1b[<8;1;1M",
            mouse(MouseKind::Press(MouseButton::Left), 0, 0, Mods::ALT),
        ),
        (
            b"\x1b[<16;1;1M",
            mouse(MouseKind::Press(MouseButton::Left), 0, 0, Mods::CTRL),
        ),
        (
            b"\x1b[<0;99999;0M",
            mouse(MouseKind::Press(MouseButton::Left), u16::MAX, 0, none),
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(decode(bytes), vec![want.clone()], "{bytes:?}");
    }
    // Horizontal wheel, extra buttons and malformed reports are dropped.
    assert_eq!(
        decode(b"\x1b[<66;1;1M\x1b[<128;1;1M\x1b[<0;1M\x1b[<0;1;1;1M"),
        vec![]
    );
}

#[test]
fn x10_mouse() {
    assert_eq!(
        decode(b"\x1b[M !!"),
        vec![mouse(MouseKind::Press(MouseButton::Left), 0, 0, Mods::NONE)]
    );
    assert_eq!(
        decode(b"\x1b[M#+*"),
        vec![mouse(MouseKind::Release(None), 10, 9, Mods::NONE)]
    );
    assert_eq!(
        decode(b"\x1b[M`!!"),
        vec![mouse(MouseKind::ScrollUp, 0, 0, Mods::NONE)]
    );
    assert_eq!(
        decode_chunks(&[b"\x1b[M", b"0", b"\xff\xff"]),
        vec![mouse(
            MouseKind::Press(MouseButton::Left),
            222,
            222,
            Mods::CTRL
        )]
    );
}

#[test]
fn replies_are_classified() {
    let replies: &[&[u8]] = &[
        b"\x1b[12;40R",
        b"\x1b[1;1R",
        b"\x1b[2;5R",
        b"\x1b[?12;40R",
        b"\x1b[?1;2c",
        b"\x1b[?62;22c",
        b"\x1b[>0;276;0c",
        b"\x1b[?2004;1$y",
        b"\x1b[12;2$y",
        b"\x1b[?7u",
        b"\x1b[8;24;80t",
        b"\x1b[0n",
        b"\x1b]11;rgb:0000/0000/0000\x07",
        b"\x1b]11;rgb:ffff/ffff/ffff\x1b\\",
        b"\x1bP1$r0m\x1b\\",
        b"\x1bP>|xterm(390)\x1b\\",
        b"\x1b_Gi=1;OK\x1b\\",
    ];
    for &bytes in replies {
        assert_eq!(decode(bytes), vec![reply(bytes)], "{bytes:?}");
        let mut with_text = bytes.to_vec();
        with_text.push(b'x');
        assert_eq!(decode(&with_text), vec![reply(bytes), ch('x')]);
    }
    // Modern xterm sends F3 with modifiers as `CSI 1;m R`.
    assert_eq!(decode(b"\x1b[1;5R"), vec![key(KeyCode::F(3), Mods::CTRL)]);
    assert_eq!(decode(b"\x1b[R"), vec![plain(KeyCode::F(3))]);
}

#[test]
fn replies_may_span_feeds() {
    let osc: &[u8] = b"\x1b]10;rgb:1/2/3\x1b\\";
    // Cutting right after the introducing ESC would make it the Escape key, so cuts start
    // after `ESC ]`.
    for cut in 2..osc.len() {
        assert_eq!(
            decode_chunks(&[&osc[..cut], &osc[cut..]]),
            vec![reply(osc)],
            "cut {cut}"
        );
    }
}

#[test]
fn unknown_and_aborted_csi_are_dropped() {
    assert_eq!(
        decode(b"\x1b[99x\x1b[?1;2;3z\x1b[1 q\x1b[>1~a"),
        vec![ch('a')]
    );
    assert_eq!(decode(b"\x1b[1$1~a"), vec![ch('a')]);
    // A control character cannot be part of CSI: the partial sequence goes, the key stays.
    assert_eq!(decode(b"\x1b[12\r"), vec![plain(KeyCode::Enter)]);
    assert_eq!(decode(b"\x1b[12\x1b[B"), vec![plain(KeyCode::Down)]);
}

#[test]
fn interrupted_strings_are_typed_alt_keys() {
    assert_eq!(
        decode(b"\x1b]ls\r"),
        vec![
            key(KeyCode::Char(']'), Mods::ALT),
            ch('l'),
            ch('s'),
            plain(KeyCode::Enter)
        ]
    );
    assert_eq!(
        decode_chunks(&[b"\x1bP", b"x", b"\x7f"]),
        vec![
            key(KeyCode::Char('P'), Mods::ALT),
            ch('x'),
            plain(KeyCode::Backspace)
        ]
    );
    assert_eq!(
        decode(b"\x1b_a\x1b[A"),
        vec![
            key(KeyCode::Char('_'), Mods::ALT),
            ch('a'),
            plain(KeyCode::Up)
        ]
    );
    // BEL only ends OSC; in DCS it is a typed C-g.
    assert_eq!(
        decode(b"\x1bP\x07"),
        vec![
            key(KeyCode::Char('P'), Mods::ALT),
            InputEvent::Key(Key::ctrl('g'))
        ]
    );
}

#[test]
fn over_long_sequences_are_discarded() {
    let mut csi = b"\x1b[".to_vec();
    csi.extend(std::iter::repeat_n(b'1', 3 * MAX_SEQUENCE));
    csi.extend_from_slice(b"Ax");
    assert_eq!(decode(&csi), vec![ch('x')]);
    let chunks: Vec<&[u8]> = csi.chunks(100).collect();
    assert_eq!(decode_chunks(&chunks), vec![ch('x')]);

    for (intro, end) in [
        (&b"\x1b]"[..], &b"\x07"[..]),
        (b"\x1b]", b"\x1b\\"),
        (b"\x1bP", b"\x1b\\"),
    ] {
        let mut string = intro.to_vec();
        string.extend(std::iter::repeat_n(b'a', 3 * MAX_SEQUENCE));
        string.extend_from_slice(end);
        string.push(b'x');
        assert_eq!(decode(&string), vec![ch('x')]);
        let mut decoder = InputDecoder::new();
        let events: Vec<_> = string
            .chunks(7)
            .flat_map(|chunk| {
                let events = decoder.feed(chunk);
                assert!(decoder.pending.len() <= MAX_SEQUENCE + 2);
                events
            })
            .collect();
        assert_eq!(events, vec![ch('x')]);
    }
    // A skipped string still stops at a control character, which is then decoded.
    let mut string = b"\x1b]".to_vec();
    string.extend(std::iter::repeat_n(b'a', MAX_SEQUENCE));
    string.push(b'\r');
    assert_eq!(decode(&string), vec![plain(KeyCode::Enter)]);
}

/// Byte strings rich in the pieces escape sequences are made of, so random inputs reach
/// deep into the decoder rather than mostly producing plain keys.
fn input_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        any::<u8>().prop_map(|b| vec![b]),
        proptest::sample::select(vec![
            &b"\x1b"[..],
            b"\x1b[",
            b"\x1bO",
            b"\x1b]",
            b"\x1bP",
            b"\x1b_",
            b"\x1b\\",
            b"\x1b[200~",
            b"\x1b[201~",
            b"\x1b[<",
            b"\x1b[M",
            b"\x07",
            b";",
            b"1",
            b"5",
            b"~",
            b"A",
            b"M",
            b"m",
            b"R",
            b"c",
            b"?",
            b"$",
            b"\xc3",
            b"\xa9",
            b"\xe2\x82",
            b"\r",
            b"a",
        ])
        .prop_map(<[u8]>::to_vec),
    ];
    proptest::collection::vec(piece, 0..64).prop_map(|pieces| pieces.concat())
}

/// Cuts `bytes` at the given points, skipping any point right after an ESC.
fn cut_without_trailing_esc(bytes: &[u8], mut points: Vec<usize>) -> Vec<&[u8]> {
    points.retain(|&p| p > 0 && p < bytes.len() && bytes[p - 1] != ESC);
    points.sort_unstable();
    points.dedup();
    let mut chunks = Vec::new();
    let mut start = 0;
    for point in points {
        chunks.push(&bytes[start..point]);
        start = point;
    }
    chunks.push(&bytes[start..]);
    chunks
}

/// One byte per chunk, except that an ESC is kept with the byte after it.
fn bytewise_keeping_esc(bytes: &[u8]) -> Vec<&[u8]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        if byte != ESC {
            chunks.push(&bytes[start..=at]);
            start = at + 1;
        }
    }
    if start < bytes.len() {
        chunks.push(&bytes[start..]);
    }
    chunks
}

/// Keys that survive encode-then-decode unchanged. Excluded: control characters as `Char`
/// (they decode as Ctrl keys), Shift on characters (it is part of the character), Ctrl on
/// characters without a unique control byte (C-i is Tab, C-m Enter, C-[ Escape, C-@ is
/// C-Space, C-? is Backspace, C-2..C-8 alias other keys, others send the plain character),
/// Alt + `[`, `O`, `]`, `P`, `_` (they start sequences), modifiers other than Alt on Enter,
/// Tab, Backspace, Escape and BackTab, and function keys without an encoding.
fn unambiguous_key() -> impl Strategy<Value = Key> {
    let printable = any::<char>().prop_filter("not a control", |&c| c >= ' ' && c != '\x7f');
    let chars = (printable, any::<bool>())
        .prop_filter("Alt + sequence introducer", |&(c, alt)| {
            !(alt && "[O]P_".contains(c))
        })
        .prop_map(|(c, alt)| Key::new(KeyCode::Char(c), Mods { alt, ..Mods::NONE }));
    let ctrl_chars = (
        proptest::sample::select("abcdefghjklnopqrstuvwxyz \\]^_".chars().collect::<Vec<_>>()),
        any::<bool>(),
    )
        .prop_map(|(c, alt)| {
            Key::new(
                KeyCode::Char(c),
                Mods {
                    ctrl: true,
                    alt,
                    shift: false,
                },
            )
        });
    let simple = (
        proptest::sample::select(vec![
            KeyCode::Enter,
            KeyCode::Tab,
            KeyCode::Backspace,
            KeyCode::Escape,
            KeyCode::BackTab,
        ]),
        any::<bool>(),
    )
        .prop_map(|(code, alt)| Key::new(code, Mods { alt, ..Mods::NONE }));
    let special = (
        prop_oneof![
            proptest::sample::select(vec![
                KeyCode::Up,
                KeyCode::Down,
                KeyCode::Left,
                KeyCode::Right,
                KeyCode::Home,
                KeyCode::End,
                KeyCode::PageUp,
                KeyCode::PageDown,
                KeyCode::Insert,
                KeyCode::Delete,
            ]),
            (1u8..=12).prop_map(KeyCode::F),
        ],
        any::<(bool, bool, bool)>(),
    )
        .prop_map(|(code, (ctrl, alt, shift))| Key::new(code, Mods { ctrl, alt, shift }));
    prop_oneof![chars, ctrl_chars, simple, special]
}

proptest! {
    /// Arbitrary bytes never panic, and the decoder's buffers stay bounded whatever arrives.
    #[test]
    fn arbitrary_bytes_never_panic(chunks in proptest::collection::vec(
        prop_oneof![input_bytes(), proptest::collection::vec(any::<u8>(), 0..256)], 0..8)
    ) {
        let mut decoder = InputDecoder::new();
        for chunk in &chunks {
            decoder.feed(chunk);
            prop_assert!(decoder.pending.len() <= MAX_SEQUENCE + 2);
            prop_assert!(decoder.paste.len() <= MAX_PASTE);
        }
    }

    /// Chunking property (see the module docs): cutting the input anywhere except right
    /// after an ESC byte does not change the decoded events.
    #[test]
    fn chunking_does_not_change_events(
        bytes in input_bytes(),
        points in proptest::collection::vec(0usize..512, 0..16),
    ) {
        let whole = decode(&bytes);
        let chunks = cut_without_trailing_esc(&bytes, points);
        prop_assert_eq!(decode_chunks(&chunks), whole);
    }

    /// The same property for byte-at-a-time feeding, with each ESC kept together with the
    /// byte after it (the only chunk ending in ESC is then a trailing ESC run).
    #[test]
    fn bytewise_feeding_matches_one_feed(bytes in input_bytes()) {
        prop_assert_eq!(decode_chunks(&bytewise_keeping_esc(&bytes)), decode(&bytes));
    }

    /// Text without control bytes decodes to the characters `from_utf8_lossy` finds,
    /// provided the input does not end inside a character (that part waits for more).
    #[test]
    fn text_decodes_like_lossy_utf8(
        mut bytes in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        bytes.retain(|&b| b >= 0x20 && b != 0x7f);
        bytes.push(b'.');
        let want: Vec<_> = String::from_utf8_lossy(&bytes).chars().map(ch).collect();
        prop_assert_eq!(decode(&bytes), want);
    }

    /// decode(encode(key)) == key for every key the byte encoding represents unambiguously,
    /// in both cursor modes.
    #[test]
    fn encoded_keys_decode_to_themselves(
        key in unambiguous_key(),
        app_cursor in any::<bool>(),
    ) {
        let mut bytes = Vec::new();
        encode_key(key, KeyModes { app_cursor, ..KeyModes::default() }, &mut bytes);
        prop_assert_eq!(decode(&bytes), vec![InputEvent::Key(key)], "bytes {:?}", bytes);
    }
}
