//! Render + diff of one client frame: compose the panes and status line into a ratatui buffer
//! and turn the difference from the previous frame into the bytes sent to the client.
//!
//! Each case prepares two versions of every pane's screen up front and alternates between them,
//! so an iteration measures exactly one frame with a known amount of change and no parsing.

mod common;

use std::hint::black_box;
use std::time::Duration;

use appmux::pane::emulator::Emulator;
use appmux::render::backend::Renderer;
use appmux::render::{Chrome, PaneView, StatusView, View, areas, pane_area};
use appmux::size::Size;
use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use ratatui::layout::Rect;

const HISTORY: usize = 10_000;

fn terminal(area: Rect, bytes: &[u8]) -> Emulator {
    let mut t = Emulator::new(
        Size {
            cols: area.width,
            rows: area.height,
        },
        HISTORY,
    );
    t.feed(bytes);
    t
}

fn status() -> StatusView<'static> {
    StatusView {
        left: "[bench] ",
        tabs: vec![("0:sh*".into(), true), ("1:vim".into(), false)],
        right: "C-b d detach",
        prefix_active: false,
        message: None,
    }
}

/// A plain client's view (status line, no sidebar) of `size` showing `panes`.
fn view<'a>(size: Size, panes: &[(Rect, &'a Emulator)]) -> View<'a> {
    View {
        areas: areas(size, Chrome::PLAIN),
        panes: panes
            .iter()
            .enumerate()
            .map(|(i, (area, t))| PaneView {
                area: *area,
                screen: t.screen(),
                changes: Some(t.changes()),
                focused: i == 0,
                copy: None,
            })
            .collect(),
        status: Some(status()),
        sidebar: None,
        overlay: None,
        floats: Vec::new(),
        switcher: None,
        borders: Vec::new(),
        active_pane: None,
        numbers: false,
        theme: theme(),
        depth: appmux::render::color::ColorDepth::TrueColor,
        hyperlinks: false,
    }
}

/// The default theme, made once for the whole run.
fn theme() -> &'static appmux::config::theme::Theme {
    static THEME: std::sync::OnceLock<appmux::config::theme::Theme> = std::sync::OnceLock::new();
    THEME.get_or_init(Default::default)
}

/// Benchmarks frames that alternate between layout `a` and layout `b`, after one frame of `a`
/// has been sent (so the first measured frame is already a diff).
fn bench_alternating(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    size: Size,
    a: &[(Rect, &Emulator)],
    b: &[(Rect, &Emulator)],
) {
    let mut renderer = Renderer::new(size);
    renderer.render_view(&view(size, a));
    // Report how much each frame sends, so a change in the diff shows up next to the time.
    let to_b = renderer.render_view(&view(size, b)).len();
    let to_a = renderer.render_view(&view(size, a)).len();
    eprintln!("render_frame/{name}: {to_b} and {to_a} bytes per frame");
    let mut flip = false;
    group.bench_function(name, |bench| {
        bench.iter(|| {
            flip = !flip;
            let v = view(size, if flip { b } else { a });
            black_box(renderer.render_view(&v))
        })
    });
}

/// A shell-like pane: a screen of mixed output and a prompt on the last line.
fn shell_screen() -> Vec<u8> {
    let mut bytes = common::mixed(16 * 1024);
    bytes.extend_from_slice(b"\x1b[1;32muser@host\x1b[m:\x1b[1;34m~/src\x1b[m$ ");
    bytes
}

fn single_pane(c: &mut Criterion) {
    let size = Size {
        cols: 120,
        rows: 40,
    };
    let area = pane_area(size, true);
    let mut group = c.benchmark_group("render_frame");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    // (a) Typing: the two screens differ only in the prompt line.
    let base = shell_screen();
    let before = terminal(area, &base);
    let mut typed = base.clone();
    typed.extend_from_slice(b"cargo build --release");
    let after = terminal(area, &typed);
    bench_alternating(
        &mut group,
        "120x40_one_line_changed",
        size,
        &[(area, &before)],
        &[(area, &after)],
    );

    // (a') Typing into a fresh shell: a nearly blank screen, one character more per frame (the
    // end-to-end echo measurement's case).
    let prompt = b"\x1b[1;32muser@host\x1b[m:\x1b[1;34m~\x1b[m$ ".to_vec();
    let mut typed = prompt.clone();
    typed.extend_from_slice(b"ls -l");
    let before = terminal(area, &typed);
    typed.push(b'a');
    let after = terminal(area, &typed);
    bench_alternating(
        &mut group,
        "120x40_typing_blank_screen",
        size,
        &[(area, &before)],
        &[(area, &after)],
    );

    // (a'') An echo as the server sees it: one terminal gets one more character per frame,
    // so it can tell the renderer which row changed (the line is cleared now and then).
    let mut shell = terminal(area, &shell_screen());
    let mut renderer = Renderer::new(size);
    renderer.render_view(&view(size, &[(area, &shell)]));
    let mut typed = 0;
    group.bench_function("120x40_echo_into_one_terminal", |bench| {
        bench.iter(|| {
            typed += 1;
            shell.feed(if typed % 50 == 0 { b"\r\x1b[K$ " } else { b"x" });
            let v = view(size, &[(area, &shell)]);
            black_box(renderer.render_view(&v))
        })
    });

    // (b) Full repaint: different text and a different background in every cell.
    let a = terminal(
        area,
        &common::coloured_screen(area.width, area.height, 1, 234),
    );
    let b = terminal(
        area,
        &common::coloured_screen(area.width, area.height, 2, 236),
    );
    bench_alternating(
        &mut group,
        "120x40_every_cell_changed",
        size,
        &[(area, &a)],
        &[(area, &b)],
    );

    // (b') The same screen repainted from scratch, as after an attach or a resize.
    let mut renderer = Renderer::new(size);
    let panes = [(area, &a)];
    group.bench_function("120x40_invalidated_redraw", |bench| {
        bench.iter(|| {
            renderer.invalidate();
            let v = view(size, &panes);
            black_box(renderer.render_view(&v))
        })
    });
    group.finish();
}

/// Four panes in a 2x2 grid over `area`, splitting odd sizes towards the right and bottom.
fn grid(area: Rect) -> [Rect; 4] {
    let lw = area.width / 2;
    let th = area.height / 2;
    let (rw, bh) = (area.width - lw, area.height - th);
    [
        Rect::new(area.x, area.y, lw, th),
        Rect::new(area.x + lw, area.y, rw, th),
        Rect::new(area.x, area.y + th, lw, bh),
        Rect::new(area.x + lw, area.y + th, rw, bh),
    ]
}

fn four_panes(c: &mut Criterion) {
    let size = Size {
        cols: 200,
        rows: 60,
    };
    let areas = grid(pane_area(size, true));
    let mut group = c.benchmark_group("render_frame");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    // Each pane prints one more coloured line between frames, so every pane scrolls by one.
    let make = |area: Rect, i: u64, extra: bool| {
        let mut bytes = common::coloured_screen(area.width, area.height, 10 + i, 0);
        if extra {
            let mut line = String::from("\r\n");
            common::coloured_line(&mut common::Rng::new(20 + i), &mut line, area.width);
            bytes.extend_from_slice(line.as_bytes());
        }
        terminal(area, &bytes)
    };
    let before: Vec<Emulator> = (0..4).map(|i| make(areas[i], i as u64, false)).collect();
    let after: Vec<Emulator> = (0..4).map(|i| make(areas[i], i as u64, true)).collect();
    let a: Vec<(Rect, &Emulator)> = areas.iter().copied().zip(&before).collect();
    let b: Vec<(Rect, &Emulator)> = areas.iter().copied().zip(&after).collect();
    bench_alternating(&mut group, "200x60_4_panes_all_changed", size, &a, &b);
    group.finish();
}

criterion_group!(benches, single_pane, four_panes);
criterion_main!(benches);
