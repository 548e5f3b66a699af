//! Render tests: views drawn and compared with what a fresh client shows.

use super::*;
use crate::render::backend::Renderer;
use crate::size::Size;

fn theme() -> crate::config::theme::Theme {
    crate::config::theme::Theme::default()
}

fn parser(cols: u16, rows: u16, bytes: &[u8]) -> vt100::Parser {
    let mut p = vt100::Parser::new(
        std::num::NonZeroU16::new(rows).unwrap(),
        std::num::NonZeroU16::new(cols).unwrap(),
        0,
    );
    p.process(bytes);
    p
}

fn rendered(size: Size, view: &View) -> vt100::Parser {
    let mut r = Renderer::new(size);
    let bytes = r.render(|f, cache| draw(f, view, cache));
    parser(size.cols, size.rows, &bytes)
}

/// A pane showing `screen` at `area`, not in copy mode.
fn pane(area: Rect, screen: &vt100::Screen, focused: bool) -> PaneView<'_> {
    PaneView {
        area,
        screen,
        changes: None,
        focused,
        copy: None,
    }
}

/// A status line with one tab.
fn status<'a>(left: &'a str, right: &'a str) -> Option<StatusView<'a>> {
    Some(StatusView {
        left,
        tabs: vec![("0:sh*".into(), true)],
        right,
        prefix_active: false,
        message: None,
    })
}

/// A view of `panes` with nothing else on screen but `status`, in true colour.
fn view<'a>(
    size: Size,
    chrome: Chrome,
    panes: Vec<PaneView<'a>>,
    status: Option<StatusView<'a>>,
    theme: &'a crate::config::theme::Theme,
) -> View<'a> {
    View {
        areas: areas(size, chrome),
        panes,
        status,
        sidebar: None,
        overlay: None,
        floats: Vec::new(),
        switcher: None,
        borders: Vec::new(),
        active_pane: None,
        numbers: false,
        theme,
        depth: color::ColorDepth::TrueColor,
        hyperlinks: false,
    }
}

#[test]
fn views_render_without_ratatuis_terminal_and_match_a_frame_drawn_through_it() {
    let app = parser(20, 3, b"\x1b[32mgreen\x1b[m text\r\n$ ");
    let size = Size { cols: 20, rows: 4 };
    let theme = theme();
    let panes = vec![pane(pane_area(size, true), app.screen(), true)];
    let view = view(size, Chrome::PLAIN, panes, status("[v] ", "x"), &theme);
    let mut r = Renderer::new(size);
    let bytes = r.render_view(&view);
    assert!(
        !r.holds_terminal(),
        "an attach pays for buffers a view never uses"
    );
    let via_view = parser(size.cols, size.rows, &bytes);
    let via_terminal = rendered(size, &view);
    assert_eq!(
        via_view.screen().contents_formatted(),
        via_terminal.screen().contents_formatted()
    );
    // A resize reaches a terminal made later, at the new size.
    let small = Size { cols: 12, rows: 3 };
    r.resize(small);
    let bytes = r.render(|f, _| {
        assert_eq!(f.area(), Rect::new(0, 0, 12, 3));
        f.render_widget(ratatui::text::Line::from("resized"), f.area());
    });
    assert!(r.holds_terminal());
    assert!(
        parser(12, 3, &bytes)
            .screen()
            .contents()
            .starts_with("resized")
    );
}

#[test]
fn pane_cells_and_status_line_render() {
    let app = parser(20, 3, b"\x1b[31mred\x1b[m \xe4\xb8\xadwide\r\n$ ");
    let size = Size { cols: 20, rows: 4 };
    let theme = theme();
    let panes = vec![pane(pane_area(size, true), app.screen(), true)];
    let view = view(
        size,
        Chrome::PLAIN,
        panes,
        status("[work] ", "C-b d"),
        &theme,
    );
    let out = rendered(size, &view);
    let s = out.screen();
    assert_eq!(s.contents(), "red 中wide\n$\n\n[work] 0:sh*   C-b d");
    assert_eq!(s.cell(0, 0).unwrap().fgcolor(), vt100::Color::Idx(1));
    assert_eq!(s.cursor_position(), (1, 2));
}

#[test]
fn smaller_screen_is_padded_and_larger_is_clipped() {
    let small = parser(5, 2, b"abcde\r\nfghij");
    let size = Size { cols: 8, rows: 3 };
    let area = pane_area(size, false);
    let theme = theme();
    let chrome = Chrome {
        status: false,
        ..Chrome::PLAIN
    };
    let shown = |screen| view(size, chrome, vec![pane(area, screen, false)], None, &theme);
    let view = shown(small.screen());
    assert_eq!(rendered(size, &view).screen().contents(), "abcde\nfghij");

    let big = parser(40, 10, b"0123456789abcdef\r\nrow2");
    let view = shown(big.screen());
    assert_eq!(rendered(size, &view).screen().contents(), "01234567\nrow2");
}

/// Four panes laid out by each preset, drawn through the real render path.
fn preset_screen(
    preset: crate::layout::Preset,
    theme: &crate::config::theme::Theme,
) -> vt100::Parser {
    use crate::layout::{Axis, Layout, PaneId};
    let size = Size { cols: 80, rows: 24 };
    let chrome = Chrome::PLAIN;
    let area = areas(size, chrome).panes;
    let mut layout = Layout::new(PaneId(0));
    for i in 1..4 {
        layout.split(PaneId(i - 1), Axis::Horizontal, PaneId(i));
    }
    layout.apply_preset(preset, PaneId(0));
    let rects = layout.rects(area);
    let apps: Vec<vt100::Parser> = rects
        .iter()
        .map(|(p, r)| {
            parser(
                r.width.max(1),
                r.height.max(1),
                format!("pane {}\r\n$ ", p.0).as_bytes(),
            )
        })
        .collect();
    let panes = rects
        .iter()
        .zip(&apps)
        .map(|((p, r), a)| pane(*r, a.screen(), p.0 == 0))
        .collect();
    let mut status = status("[work] ", "C-b ? help  C-b d detach ");
    if let Some(s) = status.as_mut() {
        s.tabs.push(("1:logs".into(), false));
    }
    let view = View {
        borders: layout.borders(area),
        active_pane: Some(PaneId(0)),
        ..view(size, chrome, panes, status, theme)
    };
    rendered(size, &view)
}

#[test]
fn each_layout_preset_renders() {
    for preset in crate::layout::Preset::ALL {
        let screen = preset_screen(preset, &theme());
        insta::assert_snapshot!(
            format!("preset_{}", preset.name()),
            screen.screen().contents()
        );
    }
}

#[test]
fn the_mono_theme_uses_attributes_not_colours() {
    let (mono, errors) =
        crate::config::theme::load_theme(std::path::Path::new("/nonexistent"), "mono");
    assert!(errors.is_empty(), "{errors:?}");
    let p = preset_screen(crate::layout::Preset::Tiled, &mono);
    let s = p.screen();
    let (rows, cols) = s.size();
    let mut styled = String::new();
    for r in 0..rows.get() {
        for c in 0..cols.get() {
            let cell = s.cell(r, c).unwrap();
            assert_eq!(cell.fgcolor(), vt100::Color::Default, "colour at {r},{c}");
            assert_eq!(cell.bgcolor(), vt100::Color::Default, "colour at {r},{c}");
            styled.push(match (cell.inverse(), cell.bold()) {
                (true, true) => 'R',
                (true, false) => 'r',
                (false, true) => 'b',
                _ => '.',
            });
        }
        styled.push('\n');
    }
    insta::assert_snapshot!(
        "mono_theme_attributes",
        format!("{}\n{styled}", s.contents())
    );
}

#[test]
fn base64_matches_the_rfc_examples() {
    for (plain, coded) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(plain.as_bytes()), coded);
    }
    assert_eq!(osc52("hi"), b"\x1b]52;c;aGk=\x07");
}

#[test]
fn tiny_sizes_do_not_panic() {
    let app = parser(10, 10, b"hello");
    let theme = theme();
    for (cols, rows) in [(1, 1), (2, 2), (1, 5), (500, 200)] {
        let size = Size { cols, rows };
        let chrome = Chrome {
            sidebar: Some(28),
            ..Chrome::PLAIN
        };
        let panes = vec![pane(areas(size, chrome).panes, app.screen(), true)];
        let mut status = status("[a-very-long-session-name] ", "C-b ? help  C-b d detach");
        if let Some(s) = status.as_mut() {
            s.prefix_active = true;
        }
        let view = View {
            sidebar: Some(sidebar::Sidebar {
                items: vec![],
                selected: 0,
                focused: false,
                filter: None,
            }),
            numbers: true,
            depth: color::ColorDepth::Ansi16,
            ..view(size, chrome, panes, status, &theme)
        };
        rendered(size, &view);
    }
}

/// Text on the cursor's row, or any other change, for the terminals below.
fn term_chunk() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    prop_oneof![
        2 => "[a-z中 ]{1,6}".prop_map(String::into_bytes),
        1 => screen::edits::chunk(),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Frames drawn over the last one (`render_view`) bring a client to exactly what one
    /// full redraw of the last view shows, whatever changes between them: pane output,
    /// the layout, pane numbers drawn over the panes, the status line.
    #[test]
    fn frames_drawn_over_the_last_add_up_to_a_full_redraw(
        steps in proptest::collection::vec((0usize..2, term_chunk(), 0u8..3, proptest::prelude::any::<bool>(), 0u8..3), 1..40)
    ) {
        use crate::layout::{Axis, Layout, PaneId};
        use crate::pane::emulator::Emulator;
        let size = Size { cols: 41, rows: 14 };
        let theme = theme();
        let chrome = Chrome { status: true, ..Chrome::PLAIN };
        let area = areas(size, chrome).panes;
        let mut split = Layout::new(PaneId(0));
        split.split(PaneId(0), Axis::Horizontal, PaneId(1));
        let mut terms = [
            Emulator::new(Size { cols: 20, rows: 13 }, 0),
            Emulator::new(Size { cols: 30, rows: 9 }, 0),
        ];
        // The client here is vt100, which draws VS16 wide: the panes must agree with it
        // (a terminal that disagrees with the panes' widths cannot show them exactly).
        for t in &mut terms {
            t.set_vs16_wide(true);
        }
        let mut renderer = Renderer::new(size);
        let mut client = parser(size.cols, size.rows, b"");
        for (i, (target, bytes, layout, numbers, status_kind)) in steps.into_iter().enumerate() {
            terms[target].feed(&bytes);
            let zoomed = Layout::new(PaneId(u64::from(layout == 1)));
            let l = if layout == 2 { &split } else { &zoomed };
            let panes = l
                .rects(area)
                .into_iter()
                .map(|(p, r)| {
                    let t = &terms[p.0 as usize];
                    PaneView {
                        changes: Some(t.changes()),
                        ..pane(r, t.screen(), p.0 == 0)
                    }
                })
                .collect();
            let left = ["[s] ", "[a-long-name] ", ""][usize::from(status_kind)];
            let view = View {
                borders: l.borders(area),
                active_pane: Some(PaneId(0)),
                numbers,
                ..view(size, chrome, panes, status(left, "hint"), &theme)
            };
            if i % 9 == 8 {
                renderer.invalidate();
            }
            client.process(&renderer.render_view(&view));
            let fresh = rendered(size, &view);
            check_same_screen(client.screen(), fresh.screen())?;
        }
    }
}
