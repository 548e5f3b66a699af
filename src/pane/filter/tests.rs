//! Tests of the parent module.

use super::csi::end_of_parameters;
use super::*;

#[derive(Debug, PartialEq, Eq)]
enum Got {
    Bytes(Vec<u8>),
    Query(u8, bool),
    Reset,
    Text(Vec<u8>, bool, bool),
    Act(Act),
    Link(Option<String>),
}

/// Feeds `chunks` and returns the pieces, adjacent byte pieces merged.
fn run_chunks(chunks: &[&[u8]], rep_max: u16) -> Vec<Got> {
    let mut f = Filter::new();
    let mut got: Vec<Got> = Vec::new();
    for chunk in chunks {
        f.run(chunk, rep_max, |p| match p {
            Piece::Bytes(b) => match got.last_mut() {
                Some(Got::Bytes(prev)) => prev.extend_from_slice(b),
                _ => got.push(Got::Bytes(b.to_vec())),
            },
            Piece::ColorQuery { which, bel } => got.push(Got::Query(which, bel)),
            Piece::Reset => got.push(Got::Reset),
            Piece::Text {
                text, insert, wrap, ..
            } => match got.last_mut() {
                Some(Got::Text(prev, i, w)) if (*i, *w) == (insert, wrap) => {
                    prev.extend_from_slice(text)
                }
                _ => got.push(Got::Text(text.to_vec(), insert, wrap)),
            },
            Piece::Act(act) => got.push(Got::Act(act)),
            Piece::Link(link) => got.push(Got::Link(link.map(|l| l.uri.to_string()))),
        });
    }
    got
}

fn bytes(chunks: &[&[u8]]) -> Vec<u8> {
    run_chunks(chunks, 80)
        .into_iter()
        .flat_map(|g| match g {
            Got::Bytes(b) => b,
            Got::Query(..) | Got::Reset | Got::Act(_) | Got::Link(_) => Vec::new(),
            Got::Text(t, ..) => t,
        })
        .collect()
}

fn text(chunks: &[&[u8]]) -> String {
    String::from_utf8(bytes(chunks)).unwrap()
}

#[test]
fn plain_text_and_sequences_pass_unchanged() {
    let input: &[u8] = b"hello \x1b[1;31mred\x1b[m \xe4\xb8\xad\x1b]0;title\x07 qx";
    assert_eq!(bytes(&[input]), input);
}

#[test]
fn line_drawing_in_g0_and_g1() {
    assert_eq!(text(&[b"\x1b(0lqqk\x1b(B lqk"]), "\x1b(0┌──┐\x1b(B lqk");
    // ncurses style: G1 is graphics, SO/SI switch.
    assert_eq!(
        text(&[b"\x1b(B\x1b)0a\x0ex\x0fx"]),
        "\x1b(B\x1b)0a\x0e│\x0fx"
    );
    // Escape sequences inside graphics mode are left alone, including their letters.
    assert_eq!(
        text(&[b"\x1b(0\x1b[?25lq\x1b]2;lqk\x07x\x1bPqqq\x1b\\x"]),
        "\x1b(0\x1b[?25l─\x1b]2;lqk\x07│\x1bPqqq\x1b\\│"
    );
    // Reset by RIS; saved and restored with the cursor.
    assert_eq!(text(&[b"\x1b(0\x1bcq"]), "\x1b(0\x1bcq");
    assert_eq!(
        text(&[b"\x1b(0\x1b7\x1b(Bq\x1b8q"]),
        "\x1b(0\x1b7\x1b(Bq\x1b8─"
    );
    assert_eq!(text(&[b"\x1b(A#"]), "\x1b(A£");
}

#[test]
fn designations_and_shifts_split_across_reads() {
    assert_eq!(text(&[b"\x1b", b"(", b"0", b"x"]), "\x1b(0│");
    assert_eq!(text(&[b"\x1b)0\x0e", b"x\x0f", b"x"]), "\x1b)0\x0e│\x0fx");
}

#[test]
fn invalid_utf8_becomes_the_marker_and_cut_characters_are_joined() {
    let fffc = "\u{FFFC}";
    assert_eq!(text(&[b"a\xffb"]), format!("a{fffc}b"));
    assert_eq!(text(&[b"a\xe4\xb8b"]), format!("a{fffc}b"));
    assert_eq!(text(&[b"a\xe4", b"\xb8", b"\xadb"]), "a中b");
    assert_eq!(text(&[b"a\xe4", b"\xb8", b"b"]), format!("a{fffc}b"));
    assert_eq!(text(&[b"a\xe4\xb8\x1b[mb"]), format!("a{fffc}\x1b[mb"));
    // Bytes that do not print are not checked.
    assert_eq!(bytes(&[b"\x1b]2;\xff\x07"]), b"\x1b]2;\xff\x07");
}

#[test]
fn rep_is_clamped_to_the_line() {
    assert_eq!(text(&[b"x\x1b[1000000000b"]), "x\x1b[80b");
    assert_eq!(text(&[b"x\x1b[80b\x1b[5;9b"]), "x\x1b[80b\x1b[5;9b");
    assert_eq!(text(&[b"x\x1b[99999;1b"]), "x\x1b[80b");
    assert_eq!(text(&[b"x\x1b[?99999b"]), "x\x1b[?99999b");
    // Split across reads: a small repeat passes, a huge one is dropped.
    assert_eq!(text(&[b"x\x1b[", b"5", b"b"]), "x\x1b[5b");
    assert_eq!(text(&[b"x\x1b[99", b"999b"]), "x\x1b[99999z");
    assert_eq!(text(&[b"x\x1b", b"[99", b"999;1b"]), "x\x1b[99999;1z");
    // Controls inside the sequence do not hide its count.
    assert_eq!(text(&[b"x\x1b[99\x0e999b"]), "x\x1b[80b");
}

#[test]
fn modes_1047_and_1048_become_sequences_vt100_knows() {
    assert_eq!(text(&[b"a\x1b[?1047hb"]), "a\x1b[?47hb");
    assert_eq!(text(&[b"\x1b[?1047l"]), "\x1b[?47h\x1b[2J\x1b[?47l");
    assert_eq!(text(&[b"\x1b[?1048h\x1b[?1048l"]), "\x1b7\x1b8");
    // Other modes in the same sequence keep a sequence each.
    assert_eq!(text(&[b"\x1b[?25;1048;1h"]), "\x1b[?25h\x1b7\x1b[?1h");
    // Untouched: other modes, ANSI modes, DECRQM, intermediates.
    for same in [
        &b"\x1b[?1049h"[..],
        b"\x1b[1047h",
        b"\x1b[?1047$p",
        b"\x1b[?1047$h",
    ] {
        assert_eq!(bytes(&[same]), same);
    }
    // Begun in an earlier read: the part handed out is ended as an unknown sequence.
    assert_eq!(text(&[b"\x1b[?10", b"48h"]), "\x1b[?1048z\x1b7");
    assert_eq!(text(&[b"\x1b[", b"?1047h"]), "\x1b[?1047z\x1b[?47h");
    // Controls inside the sequence, or between its ESC and `[`, are kept.
    assert_eq!(text(&[b"\x1b[?1047\nh"]), "\x1b[?1047\nz\x1b[?47h");
    assert_eq!(text(&[b"\x1b\x07[?1048h"]), "\x1b\x07[?1048z\x1b7");
    // DECSC through 1048 saves the charsets as ESC 7 does.
    assert_eq!(
        text(&[b"\x1b(0\x1b[?1048h\x1b(Bq\x1b[?1048lq"]),
        "\x1b(0\x1b7\x1b(Bq\x1b8─"
    );
}

#[test]
fn sequences_vt100_ignores_are_rewritten_or_reported() {
    // IND and NEL gain the line feed they amount to, also when the ESC came in an earlier read.
    assert_eq!(bytes(&[b"a\x1bDb\x1bEc"]), b"a\x1bD\nb\x1bE\r\nc");
    assert_eq!(bytes(&[b"a\x1b", b"Db"]), b"a\x1bD\nb");
    // ICH is followed by an ECH of the same count.
    assert_eq!(bytes(&[b"\x1b[3@x\x1b[@"]), b"\x1b[3@\x1b[3Xx\x1b[@\x1b[1X");
    assert_eq!(bytes(&[b"\x1b[1", b"2@"]), b"\x1b[12@\x1b[12X");
    assert_eq!(bytes(&[b"\x1b[?2@"]), b"\x1b[?2@");
    // Tabs, tab stops, DECALN and cursor saves are reported after their sequence.
    let got = run_chunks(
        &[b"a\tb\x1b[2I\x1b[3Z\x1bH\x1b[g\x1b[3g\x1b#8\x1b7\x1b8"],
        80,
    );
    let acts: Vec<Act> = got
        .iter()
        .filter_map(|g| match g {
            Got::Act(a) => Some(*a),
            _ => None,
        })
        .collect();
    assert_eq!(
        acts,
        [
            Act::Tab(1),
            Act::Tab(2),
            Act::BackTab(3),
            Act::SetTab,
            Act::ClearTab,
            Act::ClearTabs,
            Act::Align,
            Act::SaveCursor,
            Act::RestoreCursor,
        ]
    );
    // HT itself is not passed on.
    assert_eq!(got[0], Got::Bytes(b"a".to_vec()));
    assert_eq!(
        run_chunks(&[b"\x1b[?1049;25h\x1b[?1049l"], 80),
        [
            Got::Bytes(b"\x1b[?1049;25h".to_vec()),
            Got::Act(Act::EnterAlternate),
            Got::Bytes(b"\x1b[?1049l".to_vec()),
            Got::Act(Act::LeaveAlternate),
        ]
    );
}

#[test]
fn text_in_insert_mode_or_without_wrap_is_handed_out_as_text() {
    assert_eq!(
        run_chunks(
            &[b"a\x1b[4hb\xe4\xb8", b"\xad\r\x1b[4lc\x1b[?7ld\x1b[?7he"],
            80
        ),
        [
            Got::Bytes(b"a\x1b[4h".to_vec()),
            Got::Text("b中\r".as_bytes().to_vec(), true, true),
            Got::Bytes(b"\x1b[4lc\x1b[?7l".to_vec()),
            Got::Text(b"d".to_vec(), false, false),
            Got::Bytes(b"\x1b[?7he".to_vec()),
        ]
    );
    // Line drawing is translated in text too; RIS ends insert mode.
    assert_eq!(
        run_chunks(&[b"\x1b[4h\x1b(0q\x1bcq"], 80),
        [
            Got::Bytes(b"\x1b[4h\x1b(0".to_vec()),
            Got::Text("─".as_bytes().to_vec(), true, true),
            Got::Bytes(b"\x1bc".to_vec()),
            Got::Reset,
            Got::Bytes(b"q".to_vec()),
        ]
    );
}

#[test]
fn colour_queries_are_reported_in_order() {
    let got = run_chunks(&[b"a\x1b]11;?\x1b\\\x1b[c\x1b]10;?\x07b"], 80);
    assert_eq!(
        got,
        vec![
            Got::Bytes(b"a\x1b]11;?\x1b".to_vec()),
            Got::Query(11, false),
            Got::Bytes(b"\\\x1b[c\x1b]10;?\x07".to_vec()),
            Got::Query(10, true),
            Got::Bytes(b"b".to_vec()),
        ]
    );
    let got = run_chunks(&[b"\x1b]1", b"2;", b"?", b"\x07"], 80);
    assert_eq!(got.last(), Some(&Got::Query(12, true)));
    // Not queries: a set, a longer string.
    let got = run_chunks(&[b"\x1b]11;#000000\x07\x1b]11;?;x\x07"], 80);
    assert!(got.iter().all(|g| matches!(g, Got::Bytes(_))));
}

#[test]
fn the_end_of_csi_parameters_is_found_at_any_offset() {
    for len in 0..20 {
        for end in 0..=len {
            let mut bytes = vec![b';'; len];
            if end < len {
                bytes[end] = b'm';
            }
            let want = (end < len).then_some(end);
            assert_eq!(end_of_parameters(&bytes), want, "len {len} end {end}");
        }
    }
    for b in 0..=255u8 {
        let bytes = [b'1', b'2', b'3', b'4', b'5', b'6', b'7', b, b'9'];
        let inside = (0x20..=0x3f).contains(&b);
        assert_eq!(end_of_parameters(&bytes), (!inside).then_some(7), "{b:#x}");
    }
}

/// Byte strings rich in the pieces the filter cares about.
fn stream() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    let piece = prop_oneof![
        any::<u8>().prop_map(|b| vec![b]),
        proptest::sample::select(vec![
            &b"\x1b"[..],
            b"\x1b(0",
            b"\x1b(B",
            b"\x1b)0",
            b"\x0e",
            b"\x0f",
            b"\x1b[",
            b"\x1b]",
            b"\x1b]11;?",
            b"\x1bP",
            b"\x1b\\",
            b"\x07",
            b"\x18",
            b"\x1bc",
            b"\x1b7",
            b"\x1b8",
            b"\x1b[4h",
            b"\x1b[4l",
            b"\x1b[?7l",
            b"\x1b[?7h",
            b"\x1b[?1049h",
            b"\x1b[3g",
            b"\x1b[2@",
            b"\x1b[Z",
            b"\x1bD",
            b"\x1bE",
            b"\x1bH",
            b"\x1b#8",
            b"\t",
            b"lqkx",
            b"12;",
            b"\xe4\xb8\xad",
            b"\xe4",
            b"\xff",
            b"a",
        ])
        .prop_map(<[u8]>::to_vec),
    ];
    proptest::collection::vec(piece, 0..48).prop_map(|p| p.concat())
}

/// Everything the filter hands out for `chunks`, queries included, as one list.
fn flat(chunks: &[&[u8]]) -> Vec<Got> {
    // REP counts are left alone here: a REP cut across reads is dropped rather than
    // clamped, the one place where cutting changes the output.
    run_chunks(chunks, u16::MAX)
}

proptest::proptest! {
    /// However the output is cut into reads, the filter hands out the same bytes and
    /// events, in the same order.
    #[test]
    fn cutting_into_reads_changes_nothing(
        bytes in stream(),
        cuts in proptest::collection::vec(0usize..400, 0..12),
    ) {
        let mut cuts: Vec<usize> = cuts.into_iter().filter(|&c| c < bytes.len()).collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut chunks = Vec::new();
        let mut start = 0;
        for c in cuts {
            chunks.push(&bytes[start..c]);
            start = c;
        }
        chunks.push(&bytes[start..]);
        proptest::prop_assert_eq!(flat(&chunks), flat(&[&bytes]));
    }
}

#[test]
fn long_osc_strings_are_cut() {
    let mut f = Filter::new();
    let mut passed = 0usize;
    let mut ended = false;
    f.run(b"\x1b]2;", 80, |_| {});
    let block = vec![b'y'; 64 * 1024];
    for _ in 0..(OSC_MAX / block.len() + 4) {
        f.run(&block, 80, |p| {
            if let Piece::Bytes(b) = p {
                passed += b.len();
                ended |= b.contains(&BEL);
            }
        });
    }
    assert!(ended);
    assert!(passed <= OSC_MAX + 1, "{passed}");
    // Text after the string's end is printed again.
    assert_eq!(
        bytes(&[b"\x1b]2;ab\x07\x1b]2;x\x07ok"]),
        b"\x1b]2;ab\x07\x1b]2;x\x07ok"
    );
    let mut after = Vec::new();
    f.run(b"yy\x07ok", 80, |p| {
        if let Piece::Bytes(b) = p {
            after.extend_from_slice(b)
        }
    });
    assert_eq!(after, b"ok");
}

#[test]
fn hyperlinks_are_reported_in_place_whole_or_split_across_reads() {
    let input: &[u8] = b"a\x1b]8;id=1;http://x/y\x1b\\link\x1b]8;;\x07b";
    let whole = run_chunks(&[input], 80);
    let bytes_of = |s: &str| s.as_bytes().to_vec();
    assert_eq!(
        whole,
        vec![
            // Reported at the ESC that ends it; the `\` of the ST follows.
            Got::Bytes(bytes_of("a\x1b]8;id=1;http://x/y\x1b")),
            Got::Link(Some("http://x/y".into())),
            Got::Bytes(bytes_of("\\")),
            Got::Text(bytes_of("link"), false, true),
            Got::Bytes(bytes_of("\x1b]8;;\x07")),
            Got::Link(None),
            Got::Bytes(bytes_of("b")),
        ]
    );
    let small: Vec<&[u8]> = input.chunks(3).collect();
    let links: Vec<Got> = run_chunks(&small, 80)
        .into_iter()
        .filter(|g| matches!(g, Got::Link(_)))
        .collect();
    assert_eq!(
        links,
        vec![Got::Link(Some("http://x/y".into())), Got::Link(None)]
    );
    // An over-long or malformed link is no link: its text stays plain.
    let long = format!("\x1b]8;;http://x/{}\x07t", "a".repeat(5000));
    let got = run_chunks(&[long.as_bytes()], 80);
    assert!(got.contains(&Got::Link(None)), "{got:?}");
    assert!(!got.iter().any(|g| matches!(g, Got::Text(..))));
}

/// Whether the text `x` printed after `input` is blinking, with `input` cut at every place.
fn blinks_after(input: &[u8]) -> bool {
    let mut seen = None;
    for cut in 0..=input.len() {
        let mut f = Filter::new();
        let mut blink = false;
        for chunk in [&input[..cut], &input[cut..], b"x"] {
            f.run(chunk, 80, |p| {
                if let Piece::Text {
                    text: b"x", marks, ..
                } = p
                {
                    blink = marks.blink;
                }
            });
        }
        assert!(seen.is_none_or(|s| s == blink), "{input:?} cut at {cut}");
        seen = Some(blink);
    }
    seen.unwrap_or(false)
}

#[test]
fn sgr_blink_is_read_from_top_level_parameters_only() {
    for (input, blink) in [
        (&b"\x1b[5m"[..], true),
        (b"\x1b[1;6m", true),
        (b"\x1b[5;0m", false),
        (b"\x1b[5m\x1b[m", false),
        (b"\x1b[5m\x1b[25m", false),
        (b"\x1b[5m\x1b[38;5;25m", true),
        (b"\x1b[38;5;5m", false),
        (b"\x1b[48;2;5;6;5m", false),
        (b"\x1b[48;2;5;6;5;5m", true),
        // The colour index 38 is skipped, so the 5 after it is blink.
        (b"\x1b[38;5;38;5m", true),
        (b"\x1b[38:5:5m", false),
        (b"\x1b[38:5;5m", true),
        (b"\x1b[4294967301m", false),
        (b"\x1b[00005m", true),
        (b"\x1b[?5m", false),
        (b"\x1b[5 m", false),
    ] {
        assert_eq!(blinks_after(input), blink, "{input:?}");
    }
}
