//! Byte fixtures for the sequences vt100 ignores or gets wrong (insert mode, ICH's blanks, IND,
//! NEL, DECALN, auto-wrap off, tab stops set and cleared, CHT, CBT, HT with a wrap pending,
//! the attributes restored on leaving mode 1049), replayed into a pane's terminal whole and
//! cut into small reads. Each expected screen is written from xterm's documented behaviour
//! (ctlseqs and the VT100/VT510 manuals), not recorded from appmux; and one test runs insert
//! mode through a real attached client.

use appmux::pane::emulator::Emulator;
use appmux::size::Size;

use crate::harness::*;

/// The terminal after `bytes` fed in reads of `chunk` bytes.
pub(super) fn replay(cols: u16, rows: u16, bytes: &[u8], chunk: usize) -> Emulator {
    let mut term = Emulator::new(Size { cols, rows }, 10);
    for piece in bytes.chunks(chunk.max(1)) {
        term.feed(piece);
    }
    term
}

/// Checks the screen text (rows with trailing blanks trimmed) and the cursor (row, col) after
/// `bytes`, however the bytes are cut into reads; returns the terminal fed whole.
pub(super) fn check(
    cols: u16,
    rows: u16,
    bytes: &[u8],
    screen: &[&str],
    cursor: (u16, u16),
) -> Emulator {
    let mut want = screen.join("\n");
    want.push('\n');
    for _ in screen.len()..usize::from(rows) {
        want.push('\n');
    }
    for chunk in [bytes.len(), 1, 2, 3, 7] {
        let t = replay(cols, rows, bytes, chunk);
        assert_eq!(
            t.capture(false, false),
            want,
            "{:?} in reads of {chunk}",
            String::from_utf8_lossy(bytes)
        );
        assert_eq!(
            t.screen().cursor_position(),
            cursor,
            "cursor after {:?} in reads of {chunk}",
            String::from_utf8_lossy(bytes)
        );
    }
    replay(cols, rows, bytes, bytes.len())
}

fn fg(t: &Emulator, row: u16, col: u16) -> vt100::Color {
    t.screen().cell(row, col).unwrap().fgcolor()
}

fn bg(t: &Emulator, row: u16, col: u16) -> vt100::Color {
    t.screen().cell(row, col).unwrap().bgcolor()
}

#[test]
fn insert_mode_shifts_the_line_right() {
    // IRM: "graphic characters ... shift the characters at and to the right of the cursor".
    check(20, 2, b"ab\x1b[4h\rX", &["Xab"], (0, 1));
    // Reset again, printing overwrites.
    check(20, 2, b"ab\x1b[4h\rX\x1b[4lY", &["XYb"], (0, 2));
    // What is pushed past the right margin is lost.
    check(
        10,
        2,
        b"abcdefghij\x1b[1G\x1b[4hXY",
        &["XYabcdefgh"],
        (0, 2),
    );
    // A wide character shifts the line by two columns.
    check(20, 2, "ab\x1b[4h\r中".as_bytes(), &["中ab"], (0, 2));
    // ncurses paints the last cell of the screen this way: the character written first at the
    // next-to-last column is pushed into the last one.
    check(
        10,
        2,
        b"\x1b[2;9HY\x1b[2;9H\x1b[4hX\x1b[4l",
        &["", "        XY"],
        (1, 9),
    );
    // RIS leaves insert mode.
    check(20, 2, b"\x1b[4h\x1bcab\rX", &["Xb"], (0, 1));
}

#[test]
fn inserted_blanks_take_the_current_background() {
    // ICH with a background colour set: xterm's BCE colours the new blanks.
    let t = check(20, 2, b"abc\r\x1b[41m\x1b[2@\x1b[m", &["  abc"], (0, 0));
    assert_eq!(bg(&t, 0, 0), vt100::Color::Idx(1));
    assert_eq!(bg(&t, 0, 1), vt100::Color::Idx(1));
    assert_eq!(bg(&t, 0, 2), vt100::Color::Default);
    // In insert mode, the character is drawn in its own colours on the shifted line.
    let t = check(20, 2, b"ab\r\x1b[4h\x1b[42mX\x1b[m", &["Xab"], (0, 1));
    assert_eq!(bg(&t, 0, 0), vt100::Color::Idx(2));
    assert_eq!(bg(&t, 0, 1), vt100::Color::Default);
}

#[test]
fn index_and_next_line() {
    // IND: down one line in the same column, scrolling at the bottom margin.
    check(20, 3, b"ab\x1bDc", &["ab", "  c"], (1, 3));
    check(20, 3, b"1\r\n2\r\n3\x1bD4", &["2", "3", " 4"], (2, 2));
    // NEL: to the first column of the next line, scrolling likewise.
    check(20, 3, b"ab\x1bEc", &["ab", "c"], (1, 1));
    check(20, 3, b"1\r\n2\r\n3\x1bE4", &["2", "3", "4"], (2, 1));
}

#[test]
fn screen_alignment_fills_the_screen_with_e() {
    // DECALN: every cell an E, margins reset, cursor home; the attributes set stay in effect
    // for what is printed next.
    let t = check(
        5,
        3,
        b"xy\x1b[2;3r\x1b[31m\x1b#8z",
        &["zEEEE", "EEEEE", "EEEEE"],
        (0, 1),
    );
    assert_eq!(fg(&t, 0, 0), vt100::Color::Idx(1));
    assert_eq!(fg(&t, 0, 1), vt100::Color::Default);
    // The scroll region is the whole screen again: a reverse index at the top scrolls it all.
    check(
        5,
        3,
        b"\x1b[2;3r\x1b#8\x1bMz",
        &["z", "EEEEE", "EEEEE"],
        (0, 1),
    );
}

#[test]
fn auto_wrap_off_overwrites_the_last_column() {
    // DECAWM reset: characters past the right margin replace the last one; no line wraps.
    check(10, 2, b"\x1b[?7l0123456789ABC", &["012345678C"], (0, 9));
    // Set again, the next character overwrites the last column and the one after wraps.
    check(
        10,
        2,
        b"\x1b[?7l0123456789ABC\x1b[?7hDE",
        &["012345678D", "E"],
        (1, 1),
    );
    // A wide character that does not fit goes in the last two columns.
    check(
        10,
        2,
        "\x1b[?7l012345678中".as_bytes(),
        &["01234567中"],
        (0, 9),
    );
}

#[test]
fn tab_stops_are_set_and_cleared() {
    // TBC 3 clears every stop; HTS sets one at the cursor. HT past the last stop goes to the
    // right margin.
    check(
        20,
        2,
        b"\x1b[3g\x1b[5G\x1bH\x1b[13G\x1bH\r\ta\tb\tc",
        &["    a       b      c"],
        (0, 20),
    );
    // TBC 0 clears only the stop at the cursor; the default stops are every 8 columns.
    check(
        20,
        2,
        b"\x1b[9G\x1b[g\r\tx",
        &["                x"],
        (0, 17),
    );
    check(
        20,
        2,
        b"\x1b[9G\x1b[0g\r\tx",
        &["                x"],
        (0, 17),
    );
    // Other stops stay.
    check(20, 2, b"\x1b[17G\x1b[g\r\tx", &["        x"], (0, 9));
}

#[test]
fn tabs_forward_and_back() {
    // CHT: forward n stops; CBT: back n stops, to the first column at most.
    check(20, 2, b"\x1b[2IX", &["                X"], (0, 17));
    check(20, 2, b"\x1b[18G\x1b[ZX", &["                X"], (0, 17));
    check(20, 2, b"\x1b[18G\x1b[2ZX", &["        X"], (0, 9));
    check(20, 2, b"\x1b[20G\x1b[9ZX", &["X"], (0, 1));
    // Back tabs use the stops set.
    check(
        20,
        2,
        b"\x1b[3g\x1b[4G\x1bH\x1b[18G\x1b[ZX",
        &["   X"],
        (0, 4),
    );
}

#[test]
fn tab_keeps_a_pending_wrap() {
    // With the cursor past the last character of a full line, HT leaves the wrap pending:
    // the next character starts the next line.
    check(10, 3, b"0123456789\tX", &["0123456789", "X"], (1, 1));
    // Without a wrap pending, HT at the last column stays there.
    check(10, 3, b"\x1b[10G\tX", &["         X"], (0, 10));
}

#[test]
fn leaving_the_alternate_screen_restores_the_saved_attributes() {
    // Mode 1049 saves the cursor (with its attributes) on entering and restores it on leaving,
    // each screen keeping its own saved cursor: a DECSC on the alternate screen does not
    // change what leaving it restores.
    let t = check(
        20,
        2,
        b"\x1b[31m\x1b[?1049h\x1b[32m\x1b7\x1b[34m\x1b8g\x1b[?1049lr",
        &["r"],
        (0, 1),
    );
    assert_eq!(fg(&t, 0, 0), vt100::Color::Idx(1));
    // DECRC on the main screen restores what was saved on entering (red), not the alternate
    // screen's green.
    let t = check(
        20,
        2,
        b"\x1b[31m\x1b[?1049h\x1b[32m\x1b7\x1b[?1049l\x1b[35m\x1b8s",
        &["s"],
        (0, 1),
    );
    assert_eq!(fg(&t, 0, 0), vt100::Color::Idx(1));
    // The alternate screen's own DECRC brought back its own save (green).
    let t = check(
        20,
        2,
        b"\x1b[31m\x1b[?1049h\x1b[32m\x1b7\x1b[34m\x1b8g",
        &["g"],
        (0, 1),
    );
    assert_eq!(fg(&t, 0, 0), vt100::Color::Idx(2));
}

#[test]
fn insert_mode_reaches_the_client_screen() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "irm"], 80, 24);
    t.wait_for("sh$");
    t.type_str("printf 'tail\\r\\033[4hhead-\\033[4l\\n'\r");
    t.wait_for("head-tail");
}
