//! Copying a pane's vt100 screen into a client's frame buffer: cells, colours and attributes.
//! This is the per-frame hot path of rendering; it touches nothing but the two buffers and the
//! client's [`ScreenCache`].
//!
//! Reading a vt100 cell costs a walk over the screen's row iterator, so copying every cell of
//! every frame dominated the cost of a keystroke's echo. A client's renderer therefore keeps, per
//! pane, a copy of the screen as last drawn and the cells it turned into: rows that vt100 reports
//! unchanged (`Screen::rows_diff`, one pass over both screens) are copied from that cache, and
//! only changed rows are read cell by cell. The cache is handed to [`draw_screen`] for the length
//! of one frame by [`with_cache`], so the drawing code keeps its plain signature.

use std::cell::RefCell;

use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

/// One client's memory of how it last drew each pane's screen.
#[derive(Default)]
pub struct ScreenCache {
    panes: Vec<PaneCache>,
}

/// One pane as last drawn: where, from which screen contents, into which cells.
struct PaneCache {
    /// The part of the frame the screen covered (clipped to the screen's size).
    area: Rect,
    /// The screen as it was when `cells` were drawn.
    screen: vt100::Screen,
    /// The drawn cells, row after row, `area.width` per row.
    cells: Vec<Cell>,
    /// Drawn in the current frame; entries not drawn in a frame are dropped after it.
    used: bool,
}

thread_local! {
    /// The cache of the frame being drawn on this thread, if its renderer keeps one.
    static ACTIVE: RefCell<Option<ScreenCache>> = const { RefCell::new(None) };
}

/// Runs `draw` (one frame) with `cache` available to [`draw_screen`], then keeps only the panes
/// that frame drew.
pub fn with_cache<R>(cache: &mut ScreenCache, draw: impl FnOnce() -> R) -> R {
    /// Puts the cache back even if drawing panics, so no frame ever sees another's cache.
    struct Restore<'a>(&'a mut ScreenCache);
    impl Drop for Restore<'_> {
        fn drop(&mut self) {
            let cache = ACTIVE.with(|a| a.borrow_mut().take()).unwrap_or_default();
            *self.0 = cache;
            self.0.panes.retain_mut(|p| std::mem::take(&mut p.used));
        }
    }
    let taken = std::mem::take(cache);
    ACTIVE.with(|a| *a.borrow_mut() = Some(taken));
    let _restore = Restore(cache);
    draw()
}

/// Copies a vt100 screen into `area`, clipping what does not fit; cells outside the screen stay
/// blank (another client may have sized the app smaller).
pub fn draw_screen(buf: &mut Buffer, area: Rect, screen: &vt100::Screen) {
    let (rows, cols) = screen.size();
    let area = Rect {
        width: area.width.min(cols.get()),
        height: area.height.min(rows.get()),
        ..area
    };
    if area.is_empty() {
        return;
    }
    ACTIVE.with(|a| match a.borrow_mut().as_mut() {
        Some(cache) => cache.draw(buf, area, screen),
        None => {
            for row in 0..area.height {
                draw_row(buf, area, screen, row);
            }
        }
    });
}

impl ScreenCache {
    fn draw(&mut self, buf: &mut Buffer, area: Rect, screen: &vt100::Screen) {
        let found = self
            .panes
            .iter_mut()
            .find(|p| !p.used && p.area == area && p.screen.size() == screen.size());
        let Some(pane) = found else {
            for row in 0..area.height {
                draw_row(buf, area, screen, row);
            }
            let cells = (0..area.height)
                .flat_map(|row| buf.content[row_range(buf, area, row)].iter().cloned())
                .collect();
            self.panes.push(PaneCache {
                area,
                screen: screen.clone(),
                cells,
                used: true,
            });
            return;
        };
        pane.used = true;
        let width = usize::from(area.width);
        let mut changed = false;
        let diffs = screen.rows_diff(&pane.screen, 0, area.width);
        for (row, diff) in (0..area.height).zip(diffs) {
            let range = row_range(buf, area, row);
            let cached = &mut pane.cells[usize::from(row) * width..][..width];
            if diff.is_empty() {
                buf.content[range].clone_from_slice(cached);
            } else {
                draw_row(buf, area, screen, row);
                cached.clone_from_slice(&buf.content[range]);
                changed = true;
            }
        }
        if changed {
            pane.screen.clone_from(screen);
        }
    }
}

/// The indexes of `buf.content` that row `row` of `area` covers.
fn row_range(buf: &Buffer, area: Rect, row: u16) -> std::ops::Range<usize> {
    let start = buf.index_of(area.x, area.y + row);
    start..start + usize::from(area.width)
}

/// Draws row `row` of the screen into the same row of `area`, every cell of it.
fn draw_row(buf: &mut Buffer, area: Rect, screen: &vt100::Screen, row: u16) {
    let start = buf.index_of(area.x, area.y + row);
    let out = &mut buf.content[start..start + usize::from(area.width)];
    for (col, out) in (0..area.width).zip(out) {
        // The second half of a wide character stays empty: the terminal draws the character
        // over it.
        let Some(cell) = screen.cell(row, col).filter(|c| !c.is_wide_continuation()) else {
            *out = Cell::EMPTY;
            continue;
        };
        let mut drawn = Cell::EMPTY;
        // Half a wide character cannot be drawn; tmux shows a blank there too.
        if cell.has_contents() && !(cell.is_wide() && col + 1 >= area.width) {
            drawn.set_symbol(shown(cell.contents()));
        }
        drawn.fg = color(cell.fgcolor());
        drawn.bg = color(cell.bgcolor());
        drawn.modifier = modifier(cell);
        *out = drawn;
    }
}

/// A cell's text as drawn: the pane filter's stand-in for invalid UTF-8
/// ([`crate::pane::filter::INVALID`], since vt100 will not print U+FFFD itself) becomes U+FFFD.
fn shown(contents: &str) -> &str {
    const INVALID: &str = "\u{FFFC}";
    if contents.len() == INVALID.len() && contents == INVALID {
        "\u{FFFD}"
    } else {
        contents
    }
}

fn modifier(cell: &vt100::Cell) -> Modifier {
    let mut m = Modifier::empty();
    if cell.bold() {
        m |= Modifier::BOLD;
    }
    if cell.dim() {
        m |= Modifier::DIM;
    }
    if cell.italic() {
        m |= Modifier::ITALIC;
    }
    if cell.underline() {
        m |= Modifier::UNDERLINED;
    }
    if cell.inverse() {
        m |= Modifier::REVERSED;
    }
    m
}

/// vt100 colours to ratatui colours; the 16 ANSI colours map to the named ones so that the
/// terminal's own palette (and theme) applies.
pub fn color(c: vt100::Color) -> Color {
    const ANSI: [Color; 16] = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    match c {
        vt100::Color::Default => Color::Reset,
        vt100::Color::Idx(i) if i < 16 => ANSI[i as usize],
        vt100::Color::Idx(i) => Color::Indexed(i),
        vt100::Color::Rgb(r, g, b) => Color::Rgb(r, g, b),
    }
}
