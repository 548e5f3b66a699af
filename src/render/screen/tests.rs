//! Tests of the parent module.

use std::num::NonZeroU16;

use proptest::prelude::*;

use super::*;

fn parser(cols: u16, rows: u16) -> vt100::Parser {
    vt100::Parser::new(
        NonZeroU16::new(rows).unwrap(),
        NonZeroU16::new(cols).unwrap(),
        0,
    )
}

#[test]
fn a_blink_mark_is_drawn_as_blink_and_never_as_text() {
    use crate::pane::filter::{BLINK_MARK, PROTECT_MARK};
    let mut p = parser(4, 1);
    p.process(format!("a{BLINK_MARK}b{PROTECT_MARK}c").as_bytes());
    let size = Rect::new(0, 0, 4, 1);
    let buf = frame(size, &[(size, p.screen())], None);
    let cells: Vec<_> = buf.content[..3]
        .iter()
        .map(|c| (c.symbol(), c.modifier.contains(Modifier::SLOW_BLINK)))
        .collect();
    assert_eq!(cells, [("a", true), ("b", false), ("c", false)]);
    // The renderer encodes it as SGR 5.
    let mut out = Vec::new();
    crate::render::sgr::draw(&mut out, [(0, 0, &buf.content[0])].into_iter(), false);
    assert_eq!(String::from_utf8(out).unwrap(), "\x1b[1;1H\x1b[5ma\x1b[m");
}

/// Draws `screens` at `areas` into a fresh buffer, with or without `cache`.
fn frame(
    size: Rect,
    panes: &[(Rect, &vt100::Screen)],
    mut cache: Option<&mut ScreenCache>,
) -> Buffer {
    let mut buf = Buffer::empty(size);
    for (area, screen) in panes {
        let cache = cache.as_deref_mut();
        let offset = screen_offset(*area, screen);
        draw_screen(
            &mut buf,
            *area,
            screen,
            None,
            ColorDepth::TrueColor,
            offset,
            cache,
        );
    }
    if let Some(cache) = cache {
        cache.end_frame();
    }
    buf
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Rows copied from the cache never leave a stale cell: after any sequence of changes,
    /// the cached frame equals a frame drawn from scratch.
    #[test]
    fn cached_frames_equal_fresh_frames(
        steps in prop::collection::vec((0usize..2, super::edits::chunk(), any::<bool>()), 1..40)
    ) {
        let size = Rect::new(0, 0, 41, 16);
        let areas = [Rect::new(0, 0, 20, 16), Rect::new(21, 0, 20, 15)];
        let mut screens = [parser(20, 16), parser(24, 13)];
        let mut cache = ScreenCache::default();
        for (target, bytes, both) in steps {
            screens[target].process(&bytes);
            // Sometimes only one pane is drawn, so the other's cache entry is dropped.
            let panes: Vec<(Rect, &vt100::Screen)> = if both {
                areas.iter().copied().zip(screens.iter().map(|p| p.screen())).collect()
            } else {
                vec![(areas[target], screens[target].screen())]
            };
            let cached = frame(size, &panes, Some(&mut cache));
            let fresh = frame(size, &panes, None);
            prop_assert_eq!(cached, fresh);
        }
    }
}

/// Short text that only touches the cursor's row, or any other change.
fn term_chunk() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => "[a-z中 ]{1,6}".prop_map(String::into_bytes),
        1 => super::edits::chunk(),
        1 => (0u8..16, 0u8..20).prop_map(|(r, c)| format!("\x1b[{};{}H", r + 1, c + 1).into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Frames drawn knowing which rows changed (`RowChanges`) equal frames drawn from
    /// scratch, also when panes swap terminals or go undrawn for a while.
    #[test]
    fn frames_from_row_changes_equal_fresh_frames(
        steps in prop::collection::vec((0usize..2, term_chunk(), 0u8..4), 1..60)
    ) {
        use crate::pane::emulator::Emulator;
        use crate::size::Size;
        let size = Rect::new(0, 0, 41, 16);
        let areas = [Rect::new(0, 0, 20, 16), Rect::new(21, 0, 20, 15)];
        let mut terms = [
            Emulator::new(Size { cols: 20, rows: 16 }, 0),
            Emulator::new(Size { cols: 24, rows: 13 }, 0),
        ];
        let mut cache = ScreenCache::default();
        for (target, bytes, layout) in steps {
            terms[target].feed(&bytes);
            let shown: Vec<(Rect, &Emulator)> = match layout {
                0 => vec![(areas[target], &terms[target])],
                1 => vec![(areas[0], &terms[1]), (areas[1], &terms[0])],
                _ => areas.iter().copied().zip(terms.iter()).collect(),
            };
            let draw = |mut cache: Option<&mut ScreenCache>| {
                let mut buf = Buffer::empty(size);
                for (area, t) in &shown {
                    let changes = cache.is_some().then(|| t.changes());
                    let depth = ColorDepth::TrueColor;
                    let offset = screen_offset(*area, t.screen());
                    draw_screen(&mut buf, *area, t.screen(), changes, depth, offset, cache.as_deref_mut());
                }
                if let Some(cache) = cache {
                    cache.end_frame();
                }
                buf
            };
            let cached = draw(Some(&mut cache));
            let fresh = draw(None);
            prop_assert_eq!(cached, fresh);
        }
    }
}

#[test]
fn only_the_changed_row_is_read_after_an_echo() {
    use crate::pane::emulator::Emulator;
    use crate::size::Size;
    let mut t = Emulator::new(Size { cols: 20, rows: 4 }, 0);
    t.feed(b"one\r\ntwo\r\n$ ");
    let area = Rect::new(0, 0, 20, 4);
    let mut cache = ScreenCache::default();
    let mut buf = Buffer::empty(area);
    let draw = |buf: &mut Buffer, cache: &mut ScreenCache, t: &Emulator| {
        let changes = Some(t.changes());
        draw_screen(
            buf,
            area,
            t.screen(),
            changes,
            ColorDepth::TrueColor,
            (0, 0),
            Some(&mut *cache),
        );
        cache.end_frame();
    };
    draw(&mut buf, &mut cache, &t);
    draw(&mut buf, &mut cache, &t);
    let (serial, seen) = cache.panes[0].seen.unwrap();
    t.feed(b"x");
    assert!(t.changes().known_since(serial, seen));
    assert!(t.changes().changed_since(2, seen));
    assert!(!t.changes().changed_since(0, seen));
    draw(&mut buf, &mut cache, &t);
    assert_eq!(buf[(2, 2)].symbol(), "x");
    // A newline, an escape sequence or text that may wrap changes any row.
    for bytes in [&b"\r\n"[..], b"\x1b[H", &[b'y'; 10]] {
        let seen = t.changes().count;
        t.feed(bytes);
        assert!(!t.changes().known_since(serial, seen), "{bytes:?}");
    }
}

#[test]
fn cells_are_drawn_at_the_clients_colour_depth() {
    let mut p = parser(4, 1);
    p.process(b"\x1b[38;2;255;0;0;48;5;196mab\x1b[31mc");
    let area = Rect::new(0, 0, 4, 1);
    let draw = |depth, cache: Option<&mut ScreenCache>| {
        let mut buf = Buffer::empty(area);
        match cache {
            Some(cache) => {
                draw_screen(
                    &mut buf,
                    area,
                    p.screen(),
                    None,
                    depth,
                    (0, 0),
                    Some(&mut *cache),
                );
                cache.end_frame();
            }
            None => draw_screen(&mut buf, area, p.screen(), None, depth, (0, 0), None),
        }
        buf
    };
    let buf = draw(ColorDepth::TrueColor, None);
    assert_eq!(
        (buf[(0, 0)].fg, buf[(0, 0)].bg),
        (Color::Rgb(255, 0, 0), Color::Indexed(196))
    );
    let buf = draw(ColorDepth::Ansi256, None);
    assert_eq!(
        (buf[(0, 0)].fg, buf[(0, 0)].bg),
        (Color::Indexed(196), Color::Indexed(196))
    );
    // A cache kept for one depth is not used for another.
    let mut cache = ScreenCache::default();
    draw(ColorDepth::Ansi256, Some(&mut cache));
    let buf = draw(ColorDepth::Ansi16, Some(&mut cache));
    assert!(
        matches!(buf[(1, 0)].fg, Color::Red | Color::LightRed),
        "{:?}",
        buf[(1, 0)].fg
    );
    assert_eq!(buf[(2, 0)].fg, Color::Red);
    let buf = draw(ColorDepth::None, None);
    assert_eq!(
        (buf[(0, 0)].fg, buf[(2, 0)].fg),
        (Color::Reset, Color::Reset)
    );
}

#[test]
fn the_view_follows_the_cursor_when_the_screen_is_larger() {
    // Fits: no scroll, wherever the cursor is.
    assert_eq!(follow_offset(30, 40, 40), 0);
    assert_eq!(follow_offset(5, 10, 40), 0);
    // Larger: the least scroll that shows the cursor, never past the screen's end.
    assert_eq!(follow_offset(3, 40, 10), 0);
    assert_eq!(follow_offset(9, 40, 10), 0);
    assert_eq!(follow_offset(10, 40, 10), 1);
    assert_eq!(follow_offset(39, 40, 10), 30);
    assert_eq!(follow_offset(200, 40, 10), 30, "a cursor past the end");
    assert_eq!(follow_offset(7, 40, 0), 0, "nothing visible");
    assert_eq!(follow_offset(7, 40, 1), 7);
}

#[test]
fn a_moving_offset_redraws_the_rows_it_shows() {
    // A 10x8 screen in a 10x3 area: the rows around the cursor are shown.
    let mut p = parser(10, 8);
    p.process(b"r0\r\nr1\r\nr2\r\nr3\r\nr4");
    let size = Rect::new(0, 0, 10, 3);
    assert_eq!(screen_offset(size, p.screen()), (2, 0));
    let mut cache = ScreenCache::default();
    let buf = frame(size, &[(size, p.screen())], Some(&mut cache));
    assert_eq!(buf[(1, 0)].symbol(), "2");
    assert_eq!(buf[(1, 2)].symbol(), "4");
    // The cursor moves down: the view scrolls, and the cache does not bring back old rows.
    p.process(b"\r\nr5\r\nr6");
    let cached = frame(size, &[(size, p.screen())], Some(&mut cache));
    assert_eq!(cached, frame(size, &[(size, p.screen())], None));
    assert_eq!(cached[(1, 0)].symbol(), "4");
    assert_eq!(cached[(1, 2)].symbol(), "6");
    // Back up: the same rows as a fresh frame.
    p.process(b"\x1b[2;1H");
    let cached = frame(size, &[(size, p.screen())], Some(&mut cache));
    assert_eq!(cached, frame(size, &[(size, p.screen())], None));
    assert_eq!(
        cached[(1, 0)].symbol(),
        "0",
        "the cursor's row 1 fits from the top"
    );
}

#[test]
fn unchanged_rows_come_from_the_cache() {
    let mut p = parser(10, 3);
    p.process(b"one\r\ntwo\r\nthree");
    let size = Rect::new(0, 0, 10, 3);
    let mut cache = ScreenCache::default();
    frame(size, &[(size, p.screen())], Some(&mut cache));
    p.process(b"\x1b[1;1Hz");
    let buf = frame(size, &[(size, p.screen())], Some(&mut cache));
    assert_eq!(buf[(0, 0)].symbol(), "z");
    assert_eq!(buf[(0, 2)].symbol(), "t");
    assert_eq!(cache.panes.len(), 1);
    assert!(cache.panes[0].copy.is_some());
    // A pane no longer drawn is forgotten after the frame.
    cache.end_frame();
    assert!(cache.panes.is_empty());
}

/// Each client's renderer passes its own cache: two clients' frames drawn interleaved leave
/// each cache with only its own panes, and rows are left untouched only for the client whose
/// buffer still holds its last frame.
#[test]
fn interleaved_frames_keep_each_clients_cache() {
    let mut p = parser(10, 3);
    p.process(b"one\r\ntwo");
    let (wide, narrow) = (Rect::new(0, 0, 10, 3), Rect::new(0, 0, 6, 2));
    let (mut a, mut b) = (ScreenCache::default(), ScreenCache::default());
    let (mut buf_a, mut buf_b) = (Buffer::empty(wide), Buffer::empty(wide));
    let depth = ColorDepth::TrueColor;
    for kept in [false, true] {
        a.canvas_kept = kept;
        draw_screen(
            &mut buf_a,
            wide,
            p.screen(),
            None,
            depth,
            (0, 0),
            Some(&mut a),
        );
        draw_screen(
            &mut buf_b,
            narrow,
            p.screen(),
            None,
            depth,
            (0, 0),
            Some(&mut b),
        );
        let untouched_b = b.end_frame();
        let untouched_a = a.end_frame();
        assert!(untouched_b.is_empty());
        assert_eq!(untouched_a.len(), if kept { 3 } else { 0 });
    }
    let areas = |c: &ScreenCache| c.panes.iter().map(|p| p.at.area).collect::<Vec<_>>();
    assert_eq!(areas(&a), [wide]);
    assert_eq!(areas(&b), [narrow]);
    assert_eq!(buf_a[(0, 1)].symbol(), "t");
    assert_eq!(buf_b[(0, 1)].symbol(), "t");
}
