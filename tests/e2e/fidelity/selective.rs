//! Byte fixtures for the second round of sequences vt100 ignores or gets wrong: selective erase
//! (DECSCA with DECSED and DECSEL), soft reset (DECSTR), DECCOLM, insert mode with a wrap
//! pending, blink and VS16 widths, replayed whole and in small reads (`sequences::check`); the expected screens follow
//! xterm's ctlseqs and the VT510 manual. One test runs selective erase through a real client.

use appmux::pane::emulator::Emulator;
use appmux::pane::filter::unmarked;

use super::sequences::check;
use crate::harness::*;

fn blinks(t: &Emulator, row: u16, col: u16) -> bool {
    unmarked(t.screen().cell(row, col).unwrap().contents())
        .1
        .blink
}

#[test]
fn selective_erase_spares_protected_cells() {
    // DECSEL 2: the whole line but the protected cells; the cursor stays.
    check(10, 2, b"\x1b[1\"qAB\x1b[0\"qcd\x1b[?2K", &["AB"], (0, 4));
    // DECSED 0 from the cursor: `CSI " q` (no parameter) and `2 " q` unprotect too.
    check(
        10,
        3,
        b"x\x1b[1\"qP\x1b[\"qy\r\n12345\r\nab\x1b[1\"qQ\x1b[2\"qz\x1b[1;1H\x1b[?J",
        &[" P", "", "  Q"],
        (0, 0),
    );
    // DECSED 1 up to the cursor, inclusive; below it nothing changes.
    check(
        10,
        3,
        b"abc\x1b[1\"qP\x1b[0\"qd\r\nefgh\r\nijk\x1b[2;2H\x1b[?1J",
        &["   P", "  gh", "ijk"],
        (1, 1),
    );
    // DECSEL 0 and 1.
    check(
        10,
        2,
        b"ab\x1b[1\"qP\x1b[0\"qcd\x1b[1G\x1b[?K",
        &["  P"],
        (0, 0),
    );
    check(10, 2, b"ab\x1b[1\"qP\x1b[0\"qcd\x1b[?1K", &["  P"], (0, 5));
    // A protected wide character is spared whole.
    check(
        10,
        2,
        "x\x1b[1\"q中\x1b[0\"qy\x1b[?2K".as_bytes(),
        &[" 中"],
        (0, 4),
    );
    // Plain ED and EL erase protected cells too (DECSCA protects from selective erase only).
    check(10, 2, b"\x1b[1\"qAB\x1b[2J", &[""], (0, 2));
    check(10, 2, b"\x1b[1\"qAB\x1b[2K", &[""], (0, 2));
    // Protection moves with the cell: a line inserted above it, then the screen erased.
    check(
        10,
        2,
        b"\x1b[1\"qP\x1b[0\"qx\x1b[H\x1b[L\x1b[?2J",
        &["", "P"],
        (0, 0),
    );
    // Overwriting a protected cell unprotected makes it erasable.
    check(10, 2, b"\x1b[1\"qPQ\x1b[0\"q\rX\x1b[?2K", &[" Q"], (0, 1));
    // With origin mode on, the erase still covers the whole screen and the cursor stays put
    // in the scroll region.
    check(
        10,
        4,
        b"1\r\n2\r\n3\r\n4\x1b[2;3r\x1b[?6h\x1b[2;1H\x1b[?1JX\x1b[1;1HY",
        &["", "Y", "X", "4"],
        (1, 1),
    );
    // RIS forgets protection.
    check(10, 2, b"\x1b[1\"q\x1bcAB\x1b[?2K", &[""], (0, 2));
}

#[test]
fn soft_reset_resets_modes_and_keeps_the_screen() {
    // Insert mode off, attributes back to default; the screen and the cursor stay.
    let t = check(10, 2, b"abc\x1b[4h\x1b[1;31m\x1b[!p\rX", &["Xbc"], (0, 1));
    assert_eq!(
        t.screen().cell(0, 0).unwrap().fgcolor(),
        vt100::Color::Default
    );
    assert!(!t.screen().cell(0, 0).unwrap().bold());
    check(10, 2, b"ab\x1b[!pc", &["abc"], (0, 3));
    // Auto-wrap back on.
    check(5, 3, b"\x1b[?7l\x1b[!pabcdefg", &["abcde", "fg"], (1, 2));
    // No scroll margins and origin mode off: CUP 1;1 is the screen's top-left again.
    check(10, 4, b"\x1b[2;3r\x1b[?6h\x1b[!p\x1b[1;1HX", &["X"], (0, 1));
    check(
        10,
        3,
        b"\x1b[2;3r\x1b[!p\x1b[3;1H\n\nX",
        &["", "", "X"],
        (2, 1),
    );
    // The saved cursor goes back to the home position.
    check(10, 3, b"\x1b[2;3H\x1b7\x1b[!p\x1b8X", &["X"], (0, 1));
    // The cursor is shown again, cursor keys and the keypad are normal.
    let t = check(10, 2, b"\x1b[?25l\x1b[?1h\x1b=\x1b[!p", &[""], (0, 0));
    assert!(!t.screen().hide_cursor());
    assert!(!t.screen().application_cursor());
    assert!(!t.screen().application_keypad());
    // Protection and blink end too.
    let t = check(10, 2, b"\x1b[1\"q\x1b[5m\x1b[!pAB\x1b[?2K", &[""], (0, 2));
    assert!(!blinks(&t, 0, 0));
}

#[test]
fn column_mode_clears_the_screen_and_resets_the_margins() {
    // DECCOLM: the pane keeps its width (as in tmux), but the screen is cleared, the scroll
    // region reset and the cursor homed, as the VT100 manual has it (vttest's 132-column
    // screens rely on it).
    for mode in ["h", "l"] {
        // A reverse index at the top then scrolls the whole screen.
        let bytes = format!("abc\r\ndef\x1b[2;3r\x1b[3;2H\x1b[?3{mode}X\x1b[1;1H\x1bMZ");
        check(10, 3, bytes.as_bytes(), &["Z", "X"], (0, 1));
    }
}

#[test]
fn insert_mode_with_a_wrap_pending_inserts_on_the_next_line() {
    // xterm: the character wraps to the next line and shifts that line right.
    check(
        5,
        3,
        b"\x1b[2;1Hfgh\x1b[1;1Habcde\x1b[4hX",
        &["abcde", "Xfgh"],
        (1, 1),
    );
    // At the bottom the screen scrolls first, as with any wrap.
    check(
        5,
        2,
        b"\x1b[2;1Hfgh\x1b[1;1Habcde\x1b[2;1Hvwxyz\x1b[4hX",
        &["vwxyz", "X"],
        (1, 1),
    );
    // A wide character that does not fit in the last column goes to the next line too.
    check(
        5,
        3,
        "\x1b[2;1Hfgh\x1b[1;1Habcd\x1b[4h中".as_bytes(),
        &["abcd", "中fgh"],
        (1, 2),
    );
}

#[test]
fn blink_is_kept_on_the_cells_printed_with_it() {
    let t = check(
        20,
        2,
        b"a\x1b[5mb\x1b[25mc\x1b[6md\x1b[0me\x1b[5;38;5;5mf\x1b[mg\x1b[38;5;5mh\x1b[48;2;5;6;5mi",
        &["abcdefghi"],
        (0, 9),
    );
    let got: Vec<bool> = (0..9).map(|c| blinks(&t, 0, c)).collect();
    assert_eq!(
        got,
        [false, true, false, true, false, true, false, false, false]
    );
    // Blink in a colour's sub-parameters is not blink; `CSI m` ends it.
    let t = check(20, 2, b"\x1b[38:5:5mx\x1b[5my\x1b[mz", &["xyz"], (0, 3));
    assert_eq!(
        (0..3).map(|c| blinks(&t, 0, c)).collect::<Vec<_>>(),
        [false, true, false]
    );
    // The mark moves with the cell and is never part of the text.
    let t = check(20, 2, b"\x1b[5mab\x1b[m\x1b[1G\x1b[2@", &["  ab"], (0, 0));
    assert!(blinks(&t, 0, 2) && blinks(&t, 0, 3));
    // What an app prints that looks like the mark is dropped.
    let t = check(20, 2, "q\u{E0001}r".as_bytes(), &["qr"], (0, 2));
    // Also when the read ends inside it (see `check`: reads of 1, 2, 3 and 7 bytes).
    check(20, 2, "\u{E0002}\x1b[?2K".as_bytes(), &[""], (0, 0));
    assert!(!blinks(&t, 0, 0));
}

#[test]
fn selective_erase_and_blink_reach_the_client_screen() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "sel"], 80, 24);
    t.wait_for("sh$");
    t.type_str(
        "clear; printf 'keep\\033[1\"qSAFE\\033[0\"qgone\\033[?1K\\n\\033[5mblinky\\033[m\\n'\r",
    );
    t.wait_for_fn("the protected text alone on its line", |s| {
        s.contents().lines().any(|l| l.trim_end() == "    SAFE")
    });
    // The harness's parser drops blink as vt100 does, so the client's output is read raw: the
    // word is drawn after an SGR that turns blink on.
    wait_until("blink at the client", || {
        let raw = t.raw_output();
        let at = raw.windows(6).rposition(|w| w == b"blinky")?;
        let sgr = raw[..at].iter().rposition(|&b| b == 0x1b)?;
        let codes = String::from_utf8_lossy(&raw[sgr..at]).into_owned();
        let codes = codes.strip_prefix("\x1b[")?.strip_suffix('m')?.to_owned();
        codes.split(';').any(|c| c == "5").then_some(())
    });
}

#[test]
fn vs16_after_a_narrow_character_takes_what_wcwidth_gives_it() {
    // glibc's wcswidth: U+2764 is 1 column and U+FE0F 0, so `❤️x` leaves the cursor at 2.
    check(10, 2, "❤\u{FE0F}x".as_bytes(), &["❤\u{FE0F}x"], (0, 2));
    // A keycap sequence is its digit's width; an emoji that is wide anyway stays wide.
    check(
        10,
        2,
        "1\u{FE0F}\u{20E3}x".as_bytes(),
        &["1\u{FE0F}\u{20E3}x"],
        (0, 2),
    );
    check(10, 2, "😀\u{FE0F}x".as_bytes(), &["😀\u{FE0F}x"], (0, 3));
    // Inside a ZWJ sequence too: 2 + 1 + 2, as wcswidth counts it.
    check(
        10,
        2,
        "👨\u{200D}❤\u{FE0F}\u{200D}👨".as_bytes(),
        &["👨\u{200D}❤\u{FE0F}\u{200D}👨"],
        (0, 5),
    );
    // ZWJ sequences without VS16, CJK, combining marks and flags keep their widths.
    check(
        10,
        2,
        "👨\u{200D}👩x".as_bytes(),
        &["👨\u{200D}👩x"],
        (0, 5),
    );
    check(10, 2, "中e\u{301}x".as_bytes(), &["中e\u{301}x"], (0, 4));
    check(10, 2, "🇫🇷x".as_bytes(), &["🇫🇷x"], (0, 3));
    // With `[terminal] vs16_wide`, VS16 makes the character two columns wide.
    let mut t = Emulator::new(appmux::size::Size { cols: 10, rows: 2 }, 0);
    t.set_vs16_wide(true);
    t.feed("❤\u{FE0F}x".as_bytes());
    assert_eq!(t.screen().cursor_position(), (0, 3));
    assert_eq!(t.capture(false, false), "❤\u{FE0F}x\n\n");
}

#[test]
fn a_readline_prompt_with_vs16_keeps_the_cursor_where_bash_puts_it() {
    let env = Env::new();
    let mut t = env.attach(
        &[
            "new",
            "-s",
            "vs16",
            "--",
            "env",
            "PS1=❤\u{FE0F}> ",
            "bash",
            "--norc",
            "--noprofile",
        ],
        80,
        24,
    );
    // The test's own parser widens `❤️` as vt100 does, so only the text after it is read.
    t.wait_for(">");
    // Readline moves the cursor back by the columns it counts (wcwidth): after `abc` and two
    // steps left, `X` goes between `a` and `b`, and the cursor sits after it.
    t.type_str("abc\x1b[D\x1b[DX");
    t.wait_for("aXbc");
    t.wait_for_fn("the cursor after X", |s| {
        let row = (0..24).find(|&r| s.contents_between(r, 0, r, 80).contains("aXbc"));
        // The prompt is `❤️> `: 3 columns in the pane, so X is at column 4, the cursor at 5.
        row.is_some_and(|r| s.cursor_position() == (r, 5))
    });
}
