//! Tests of the parent module.

use super::*;

fn term(cols: u16, rows: u16) -> Emulator {
    Emulator::new(Size { cols, rows }, 100)
}

#[test]
fn answers_device_attributes_and_cursor_position() {
    let mut t = term(20, 5);
    assert_eq!(t.feed(b"\x1b[c"), DA1_REPLY);
    assert_eq!(t.feed(b"\x1b[>c"), DA2_REPLY);
    assert_eq!(t.feed(b"\x1b[5n"), b"\x1b[0n");
    assert_eq!(t.feed(b"ab\r\ncd\x1b[6n"), b"\x1b[2;3R");
    assert_eq!(t.feed(b"plain text"), b"");
}

#[test]
fn scrolled_rows_go_to_history_and_capture() {
    let mut t = term(10, 3);
    for i in 0..6 {
        t.feed(format!("line{i}\r\n").as_bytes());
    }
    assert_eq!(t.history().len(), 4);
    assert_eq!(t.capture(false, false), "line4\nline5\n\n");
    assert_eq!(
        t.capture(false, true),
        "line0\nline1\nline2\nline3\nline4\nline5\n\n"
    );
}

#[test]
fn history_is_bounded_and_ansi_capture_keeps_colours() {
    let mut t = Emulator::new(Size { cols: 10, rows: 2 }, 3);
    for i in 0..50 {
        t.feed(format!("\x1b[31mred{i}\x1b[m\r\n").as_bytes());
    }
    assert_eq!(t.history().len(), 3);
    let ansi = t.capture(true, true);
    assert!(ansi.contains("\x1b[31mred47"), "{ansi:?}");
}

#[test]
fn alternate_screen_does_not_feed_history() {
    let mut t = term(10, 2);
    t.feed(b"\x1b[?1049h");
    for i in 0..10 {
        t.feed(format!("x{i}\r\n").as_bytes());
    }
    t.feed(b"\x1b[?1049l");
    assert_eq!(t.history().len(), 0);
}

#[test]
fn modes_1047_and_1048_switch_screens_and_save_the_cursor() {
    let mut t = term(10, 3);
    t.feed(b"main\x1b[?1047h");
    assert!(t.screen().alternate_screen());
    t.feed(b"\x1b[Halt");
    assert_eq!(t.screen().contents(), "alt");
    // Leaving 1047 clears the alternate screen; the main one is as it was.
    t.feed(b"\x1b[?1047l");
    assert!(!t.screen().alternate_screen());
    assert_eq!(t.screen().contents(), "main");
    t.feed(b"\x1b[?47h");
    assert_eq!(t.screen().contents(), "");
    t.feed(b"\x1b[?47l");
    // 1048 saves and restores the cursor, also beside other modes in one sequence.
    t.feed(b"\x1b[2;3H\x1b[?1048;25h\x1b[3;5H");
    assert_eq!(t.screen().cursor_position(), (2, 4));
    t.feed(b"\x1b[?1048l");
    assert_eq!(t.screen().cursor_position(), (1, 2));
    assert_eq!(t.feed(b"\x1b[?1047$p"), b"\x1b[?1047;2$y");
}

#[test]
fn answers_version_modes_sizes_and_kitty_queries() {
    let mut t = term(20, 5);
    let version = format!("\x1bP>|appmux {}\x1b\\", env!("CARGO_PKG_VERSION"));
    assert_eq!(t.feed(b"\x1b[>q"), version.as_bytes());
    assert_eq!(t.feed(b"\x1b[>0q"), version.as_bytes());
    // DECRQM: known modes report set (1) or reset (2), unknown ones 0.
    assert_eq!(t.feed(b"\x1b[?2004$p"), b"\x1b[?2004;2$y");
    assert_eq!(t.feed(b"\x1b[?2004h\x1b[?2004$p"), b"\x1b[?2004;1$y");
    assert_eq!(t.feed(b"\x1b[?25$p"), b"\x1b[?25;1$y");
    assert_eq!(t.feed(b"\x1b[?25l\x1b[?25$p"), b"\x1b[?25;2$y");
    assert_eq!(t.feed(b"\x1b[?1049h\x1b[?1049$p"), b"\x1b[?1049;1$y");
    assert_eq!(
        t.feed(b"\x1b[?1002h\x1b[?1006h\x1b[?1002$p\x1b[?1000$p\x1b[?1006$p"),
        b"\x1b[?1002;1$y\x1b[?1000;2$y\x1b[?1006;1$y"
    );
    assert_eq!(
        t.feed(b"\x1b[?1004h\x1b[?1015h\x1b[?1004$p\x1b[?1015$p"),
        b"\x1b[?1004;1$y\x1b[?1015;1$y"
    );
    assert_eq!(t.feed(b"\x1b[?2026$p"), b"\x1b[?2026;2$y");
    assert_eq!(
        t.feed(b"\x1b[?7$p\x1b[?12345$p"),
        b"\x1b[?7;1$y\x1b[?12345;0$y"
    );
    assert_eq!(t.feed(b"\x1b[4$p\x1b[3$p"), b"\x1b[4;2$y\x1b[3;0$y");
    assert_eq!(
        t.feed(b"\x1b[4h\x1b[?7l\x1b[4$p\x1b[?7$p\x1b[4l\x1b[?7h"),
        b"\x1b[4;1$y\x1b[?7;2$y"
    );
    assert!(t.focus_events());
    // XTWINOPS size reports; a resize request changes nothing.
    assert_eq!(t.feed(b"\x1b[18t"), b"\x1b[8;5;20t");
    assert_eq!(t.feed(b"\x1b[14t"), b"\x1b[4;80;160t");
    assert_eq!(t.feed(b"\x1b[16t"), b"\x1b[6;16;8t");
    assert_eq!(t.feed(b"\x1b[8;65535;65535t\x1b[3;10;10t"), b"");
    assert_eq!(t.size(), Size { cols: 20, rows: 5 });
    // Kitty keyboard flags: a stack per screen.
    assert_eq!(t.feed(b"\x1b[?u"), b"\x1b[?0u");
    assert_eq!(t.feed(b"\x1b[>1u\x1b[?u"), b"\x1b[?1u");
    assert_eq!(t.kitty_flags(), 1);
    assert_eq!(t.feed(b"\x1b[?1049l\x1b[?u"), b"\x1b[?0u");
    assert_eq!(
        t.feed(b"\x1b[=5;1u\x1b[?u\x1b[<u\x1b[?u"),
        b"\x1b[?5u\x1b[?0u"
    );
    // modifyOtherKeys.
    t.feed(b"\x1b[>4;2m");
    assert_eq!(t.modes().modify_other_keys, 2);
    t.feed(b"\x1b[>4m");
    assert_eq!(t.modes().modify_other_keys, 0);
    // RIS resets what vt100 does not know about.
    t.feed(b"\x1b[>1u\x1bc");
    assert_eq!(t.kitty_flags(), 0);
    assert!(!t.focus_events());
}

#[test]
fn colour_queries_use_the_palette_and_the_apps_terminator() {
    let mut t = term(20, 5);
    assert_eq!(t.feed(b"\x1b]11;?\x07"), b"\x1b]11;rgb:0000/0000/0000\x07");
    assert_eq!(
        t.feed(b"\x1b]10;?\x1b\\"),
        b"\x1b]10;rgb:e5e5/e5e5/e5e5\x1b\\"
    );
    t.set_palette(Palette {
        fg: (1, 2, 3),
        bg: (0xff, 0xfe, 0x80),
        cursor: (0x10, 0x20, 0x30),
    });
    // The order of replies follows the order of queries (vim asks OSC 11 then DA1).
    let mut want = b"\x1b]11;rgb:ffff/fefe/8080\x1b\\".to_vec();
    want.extend_from_slice(DA1_REPLY);
    want.extend_from_slice(b"\x1b]12;rgb:1010/2020/3030\x07");
    assert_eq!(t.feed(b"\x1b]11;?\x1b\\\x1b[c\x1b]12;?\x07"), want);
    // Setting a colour is not answered.
    assert_eq!(t.feed(b"\x1b]11;#000000\x07"), b"");
}

#[test]
fn line_drawing_and_invalid_utf8_on_screen() {
    let mut t = term(20, 3);
    t.feed(b"\x1b(0lqk\r\nx x\r\nmqj\x1b(B q");
    assert_eq!(t.capture(false, false), "┌─┐\n│ │\n└─┘ q\n");
    let mut t = term(20, 2);
    t.feed(b"a\xffb");
    assert_eq!(t.capture(false, false), "a\u{FFFD}b\n\n");
}

#[test]
fn synchronized_output_holds_the_previous_frame() {
    let mut t = term(20, 3);
    t.feed(b"before");
    t.feed(b"\x1b[?2026h\x1b[2J\x1b[Hhalf");
    assert!(t.in_sync());
    assert!(t.display_screen().contents().starts_with("before"));
    assert_eq!(t.screen().contents(), "half");
    t.feed(b" done\x1b[?2026l");
    assert!(!t.in_sync());
    assert_eq!(t.display_screen().contents(), "half done");
    // An update never ended stops holding the display after the timeout.
    t.feed(b"\x1b[?2026hmore");
    let deadline = t.sync_deadline().unwrap();
    assert!(!t.expire_sync(deadline - Duration::from_millis(1)));
    assert!(t.expire_sync(deadline));
    assert_eq!(t.display_screen().contents(), "half donemore");
}

#[test]
fn clipboard_writes_are_kept_and_reads_are_not_answered() {
    let mut t = term(20, 3);
    assert_eq!(t.feed(b"\x1b]52;c;?\x07"), b"");
    assert_eq!(t.take_clipboard(), None);
    t.feed(b"\x1b]52;c;aGk=\x07");
    assert_eq!(
        t.take_clipboard(),
        Some(ClipboardWrite {
            selection: b"c".to_vec(),
            data: b"aGk=".to_vec()
        })
    );
    assert_eq!(t.take_clipboard(), None);
}

#[test]
fn escape_bombs_stay_bounded() {
    let mut t = term(80, 24);
    // REP is clamped to the line; a huge count costs no more than a line.
    t.feed(b"x\x1b[1000000000b");
    assert_eq!(t.screen().cursor_position(), (1, 1));
    // Thousands of parameters.
    let mut csi = b"\x1b[".to_vec();
    for _ in 0..10_000 {
        csi.extend_from_slice(b"1;");
    }
    csi.push(b'm');
    t.feed(&csi);
    // An unterminated OSC swallows what follows, up to its bound, then output prints again.
    t.feed(b"\x1b]0;");
    for _ in 0..(OSC_MAX / 4096 + 2) {
        t.feed(&[b'y'; 4096]);
    }
    t.feed(b"\x07\x1b[2J\x1b[Hvisible");
    assert!(t.screen().contents().starts_with("visible"));
}

#[test]
fn a_parser_panic_resets_only_the_screen() {
    let mut t = term(60, 4);
    for i in 0..6 {
        t.feed(format!("line{i}\r\n").as_bytes());
    }
    let history = t.history().len();
    t.feed(b"\x1b]2;kept\x07");
    t.feed(b"before\x1b]appmux-test-panic\x07after");
    assert_eq!(t.history().len(), history);
    assert_eq!(t.title(), Some("kept"));
    let screen = t.capture(false, false);
    assert!(
        screen.contains("terminal reset after an internal error"),
        "{screen}"
    );
    assert_eq!(t.size(), Size { cols: 60, rows: 4 });
    // And it goes on working.
    assert_eq!(t.feed(b"\x1b[c"), DA1_REPLY);
    t.feed(b"next");
    assert!(t.capture(false, false).contains("next"));
}

#[test]
fn hyperlinks_are_stripped_cleanly() {
    let mut t = term(30, 2);
    t.feed(b"see \x1b]8;id=1;https://example.com/\x1b\\the link\x1b]8;;\x1b\\ here");
    assert_eq!(t.capture(false, false), "see the link here\n\n");
    t.feed(b"\r\n\x1b]8;;http://x\x07bel\x1b]8;;\x07!");
    assert_eq!(t.capture(false, false), "see the link here\nbel!\n");
}

#[test]
fn linked_text_is_marked_cell_by_cell_and_read_out_plain() {
    use crate::pane::hyperlink::split;
    let mut t = term(8, 3);
    t.feed(b"ab\x1b]8;;http://example.com/\x1b\\linked text\x1b]8;;\x1b\\ z");
    let screen = t.screen();
    let cell = |r, c| split(screen.cell(r, c).unwrap().contents()).1;
    assert!(cell(0, 0).is_none() && cell(0, 1).is_none());
    let id = cell(0, 2).expect("the first linked cell is marked");
    // The link goes on across the wrap, and ends where the app ended it.
    assert!((2..8).all(|c| cell(0, c) == Some(id)));
    assert!((0..5).all(|c| cell(1, c) == Some(id)));
    assert!(cell(1, 5).is_none() && cell(1, 6).is_none());
    let link = crate::pane::hyperlink::links().get(id).cloned().unwrap();
    assert_eq!(&*link.uri, "http://example.com/");
    assert_eq!(t.capture(false, false), "ablinked\n text z\n\n");
    // Scrolled into history, the text still reads plain.
    t.feed(b"\r\n\r\n\r\n");
    assert_eq!(t.capture(false, true), "ablinked\n text z\n\n\n\n");
    assert!(!t.capture(true, true).contains('\u{E0001}'));
}

#[test]
fn titles_are_sanitized() {
    let mut t = term(10, 2);
    t.feed(b"\x1b]2;hello\x07world\x1b\\");
    assert_eq!(t.title(), Some("hello"));
}

#[test]
fn capture_takes_tmux_line_ranges() {
    let mut t = term(10, 3);
    for i in 0..6 {
        t.feed(format!("line{i}\r\n").as_bytes());
    }
    let lines = |s, e| t.capture_lines(false, s, e);
    assert_eq!(
        lines(Some(Line::At(-2)), None),
        "line2\nline3\nline4\nline5\n\n"
    );
    assert_eq!(
        lines(Some(Line::Edge), Some(Line::At(-3))),
        "line0\nline1\n"
    );
    assert_eq!(lines(Some(Line::At(1)), Some(Line::At(1))), "line5\n");
    assert_eq!(
        lines(Some(Line::At(-1)), Some(Line::At(0))),
        "line3\nline4\n"
    );
    assert!(
        t.capture_lines(true, Some(Line::At(-1)), Some(Line::At(-1)))
            .starts_with("line3")
    );
}
