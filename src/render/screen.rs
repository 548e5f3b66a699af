//! Copying a pane's vt100 screen into a client's frame buffer: cells, colours and attributes.
//! This is the per-frame hot path of rendering; it touches nothing but the two buffers and the
//! client's [`ScreenCache`], which the caller passes in.
//!
//! Reading a vt100 cell costs a walk over the screen's row iterator, so copying every cell of
//! every frame dominated the cost of a keystroke's echo. A client's renderer therefore keeps, per
//! pane, the cells it last drew and (while that pays) a copy of the screen they came from. Which
//! rows changed is known from the terminal when it can say ([`RowChanges`]: an echoed key
//! touches one row), and otherwise from comparing the screen with that copy
//! (`Screen::rows_diff`); only changed rows are read cell by cell. Unchanged rows are copied from
//! the cache, or left alone when the renderer draws on its last frame and nothing covered the
//! pane since (`canvas_kept`). The cache belongs to the client's renderer
//! ([`super::backend::Renderer`]), which passes it to [`draw_screen`] for each pane of a frame
//! and closes the frame with [`ScreenCache::end_frame`].

use ratatui::buffer::{Buffer, Cell, CellDiffOption, CellWidth as _};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

use super::color::{ColorDepth, downsample};
use crate::pane::emulator::RowChanges;
use crate::pane::filter::unmarked;

/// One client's memory of how it last drew each pane's screen.
#[derive(Default)]
pub struct ScreenCache {
    panes: Vec<PaneCache>,
    /// The frame buffer still holds what the last frame drew in each pane's area (the
    /// renderer keeps its buffer between frames and nothing was drawn over the panes), so rows
    /// that did not change need not be copied in again.
    pub(super) canvas_kept: bool,
    /// The pane rows the current frame left as the last frame drew them (one row high each),
    /// when `canvas_kept`.
    untouched: Vec<Rect>,
}

/// One pane as last drawn: where, and (while caching pays) from what into which cells.
struct PaneCache {
    /// The part of the frame the screen covered (clipped to the screen's size), and from
    /// where in the screen: a changed offset draws afresh.
    at: Place,
    /// The colour depth its cells were drawn for.
    depth: ColorDepth,
    /// The terminal (`RowChanges::serial`) and change (`count`) last drawn.
    seen: Option<(u64, u64)>,
    /// The screen copy and the cells drawn from it; `None` while the pane changes too much
    /// between frames for a copy to pay.
    copy: Option<Copy>,
    /// Frames left to draw without a copy, after most rows kept changing.
    pause: u8,
    /// The next pause: it doubles each time the pane is found changing wholesale again.
    backoff: u8,
    /// Drawn in the current frame; entries not drawn in a frame are dropped after it.
    used: bool,
}

/// A screen as drawn, and what it was drawn into.
struct Copy {
    /// The screen as it was when `cells` were drawn.
    screen: vt100::Screen,
    /// The drawn cells, row after row, the area's width per row.
    cells: Vec<Cell>,
    /// Rows whose cells were drawn from a newer screen than `screen` (see
    /// [`REDRAWN_ROWS_BEFORE_COPY`]); they are drawn again until the copy is renewed.
    newer: Vec<bool>,
}

/// The longest pause, in frames, in keeping a copy of a pane whose every frame is new.
const MAX_PAUSE: u8 = 32;

/// How many rows that differ from the cached screen copy are redrawn in every frame before the
/// copy is renewed.
const REDRAWN_ROWS_BEFORE_COPY: usize = 3;

/// The first row (or column) of a screen `screen` cells long that a view `visible` cells long
/// shows so that the cursor at `cursor` is in it: 0 while the screen fits, else the least
/// scroll that brings the cursor into view. A client smaller than the size another client gave
/// the app thus sees the part of the pane around its cursor, as in tmux.
pub fn follow_offset(cursor: u16, screen: u16, visible: u16) -> u16 {
    if visible == 0 || screen <= visible {
        return 0;
    }
    cursor.saturating_sub(visible - 1).min(screen - visible)
}

/// Where `screen` is shown from in `area`: (row, column) of its cell at the area's top-left
/// corner, following the cursor when the screen is larger than the area.
pub fn screen_offset(area: Rect, screen: &vt100::Screen) -> (u16, u16) {
    let (rows, cols) = screen.size();
    let (row, col) = screen.cursor_position();
    (
        follow_offset(row, rows.get(), area.height),
        follow_offset(col, cols.get(), area.width),
    )
}

/// The part of `area` a screen of its size covers from `offset` on: what [`draw_screen`]
/// draws.
pub fn drawn_area(area: Rect, screen: &vt100::Screen, offset: (u16, u16)) -> Rect {
    let (rows, cols) = screen.size();
    Rect {
        width: area.width.min(cols.get().saturating_sub(offset.1)),
        height: area.height.min(rows.get().saturating_sub(offset.0)),
        ..area
    }
}

/// Copies a vt100 screen into `area` from its cell at `offset` (row, column), clipping what
/// does not fit; cells outside the screen stay blank (another client may have sized the app
/// smaller). With the client's `cache`, only rows that changed since its last frame are read;
/// without one, every cell is.
pub fn draw_screen(
    buf: &mut Buffer,
    area: Rect,
    screen: &vt100::Screen,
    changes: Option<&RowChanges>,
    depth: ColorDepth,
    offset: (u16, u16),
    cache: Option<&mut ScreenCache>,
) {
    let area = drawn_area(area, screen, offset);
    if area.is_empty() {
        return;
    }
    let at = Place { area, offset };
    match cache {
        Some(cache) => cache.draw(buf, at, screen, changes, depth),
        None => draw_rows(buf, at, screen, depth),
    }
}

/// Where a screen is drawn: the frame's `area` shows the screen from its cell at `offset`
/// (row, column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    area: Rect,
    offset: (u16, u16),
}

impl ScreenCache {
    /// Closes the frame drawn with this cache: forgets the panes it did not draw and hands over
    /// the pane rows it left as the last frame drew them (only ever some when `canvas_kept` was
    /// set for it, which this clears).
    pub fn end_frame(&mut self) -> Vec<Rect> {
        self.canvas_kept = false;
        self.panes.retain_mut(|p| std::mem::take(&mut p.used));
        std::mem::take(&mut self.untouched)
    }

    fn draw(
        &mut self,
        buf: &mut Buffer,
        at: Place,
        screen: &vt100::Screen,
        changes: Option<&RowChanges>,
        depth: ColorDepth,
    ) {
        let area = at.area;
        let found = self
            .panes
            .iter()
            .position(|p| !p.used && p.at == at && p.depth == depth);
        let pane = match found {
            Some(i) => &mut self.panes[i],
            None => {
                self.panes.push(PaneCache {
                    at,
                    depth,
                    seen: None,
                    copy: None,
                    pause: 0,
                    backoff: 0,
                    used: false,
                });
                let last = self.panes.len() - 1;
                &mut self.panes[last]
            }
        };
        pane.used = true;
        // Rows left as the last frame drew them are noted rather than copied, when the buffer
        // still holds that frame.
        let untouched = self.canvas_kept.then_some(&mut self.untouched);
        let seen = pane.seen.take();
        pane.seen = changes.map(|c| (c.serial, c.count));
        // Only some rows changed since the last frame, and it is known which.
        let known = changes
            .zip(seen)
            .filter(|(c, (serial, count))| c.known_since(*serial, *count));
        if let (Some(copy), Some((changes, (_, count)))) = (&mut pane.copy, known)
            && copy.screen.size() == screen.size()
        {
            copy.draw_changed(buf, at, screen, depth, untouched, |row| {
                changes.changed_since(row + at.offset.0, count)
            });
            return;
        }
        if pane.pause > 0 {
            pane.pause -= 1;
            draw_rows(buf, at, screen, depth);
            return;
        }
        match &mut pane.copy {
            Some(copy) if copy.screen.size() == screen.size() => {
                if !copy.draw(buf, at, screen, depth, untouched) {
                    // Most rows changed (output scrolling by): comparing was wasted work, and
                    // will likely be next frame too.
                    pane.copy = None;
                    pane.backoff = pane.backoff.saturating_mul(2).clamp(1, MAX_PAUSE);
                    pane.pause = pane.backoff;
                    return;
                }
                pane.backoff = 0;
            }
            _ => {
                draw_rows(buf, at, screen, depth);
                pane.copy = Some(Copy {
                    screen: screen.clone(),
                    cells: (0..area.height)
                        .flat_map(|row| buf.content[row_range(buf, area, row)].iter().cloned())
                        .collect(),
                    newer: vec![false; usize::from(area.height)],
                });
            }
        }
    }
}

impl Copy {
    /// Draws `screen` into `area` knowing which rows changed since the last frame: those are
    /// read, every other row is copied from the cells drawn last time. The screen copy is not
    /// compared with, so the rows drawn are marked as newer than it.
    fn draw_changed(
        &mut self,
        buf: &mut Buffer,
        at: Place,
        screen: &vt100::Screen,
        depth: ColorDepth,
        mut untouched: Option<&mut Vec<Rect>>,
        changed: impl Fn(u16) -> bool,
    ) {
        let area = at.area;
        let width = usize::from(area.width);
        for row in 0..area.height {
            let range = row_range(buf, area, row);
            let r = usize::from(row);
            let cached = &mut self.cells[r * width..][..width];
            if changed(row) {
                draw_row(buf, at, screen, row, depth);
                copy_cells(cached, &buf.content[range]);
                self.newer[r] = true;
            } else if let Some(untouched) = untouched.as_deref_mut() {
                untouched.push(Rect::new(area.x, area.y + row, area.width, 1));
            } else {
                copy_cells(&mut buf.content[range], cached);
            }
        }
    }

    /// Draws `screen` into `area`, copying the rows that match the copy; false when it gave up
    /// comparing because most rows changed (the rest is drawn, the copy is stale).
    fn draw(
        &mut self,
        buf: &mut Buffer,
        at: Place,
        screen: &vt100::Screen,
        depth: ColorDepth,
        mut untouched: Option<&mut Vec<Rect>>,
    ) -> bool {
        let area = at.area;
        let width = usize::from(area.width);
        // Rows that differ from the screen copy.
        let mut changed = 0;
        let mut diffs = screen
            .rows_diff(&self.screen, at.offset.1, area.width)
            .skip(usize::from(at.offset.0));
        for row in 0..area.height {
            // A diff of a changed row is a formatted string, which costs more than reading the
            // row: when most rows change, stop comparing and draw.
            if changed > REDRAWN_ROWS_BEFORE_COPY + 1 && changed * 2 > usize::from(row) {
                for row in row..area.height {
                    draw_row(buf, at, screen, row, depth);
                }
                return false;
            }
            let range = row_range(buf, area, row);
            let r = usize::from(row);
            let cached = &mut self.cells[r * width..][..width];
            let as_copied = diffs.next().is_some_and(|d| d.is_empty());
            if as_copied && !self.newer[r] {
                if let Some(untouched) = untouched.as_deref_mut() {
                    untouched.push(Rect::new(area.x, area.y + row, area.width, 1));
                } else {
                    copy_cells(&mut buf.content[range], cached);
                }
            } else {
                draw_row(buf, at, screen, row, depth);
                copy_cells(cached, &buf.content[range]);
                self.newer[r] = !as_copied;
                changed += usize::from(!as_copied);
            }
        }
        drop(diffs);
        // Copying the screen costs more than reading a few rows again: rows changed since the
        // copy are redrawn each frame until enough have changed to make a new copy pay.
        if changed > REDRAWN_ROWS_BEFORE_COPY {
            self.screen.clone_from(screen);
            self.newer.fill(false);
        }
        true
    }
}

/// Copies cells between equally long rows. `Cell::clone` goes through a copy of its string
/// that stalls on store forwarding, which made copying cached rows cost as much as drawing
/// them; rebuilding the string from its bytes does not.
#[inline]
pub(super) fn copy_cells(dst: &mut [Cell], src: &[Cell]) {
    for (d, s) in dst.iter_mut().zip(src) {
        if d.symbol() != s.symbol() {
            d.set_symbol(s.symbol());
        }
        d.fg = s.fg;
        d.bg = s.bg;
        d.underline_color = s.underline_color;
        d.modifier = s.modifier;
        d.diff_option = s.diff_option;
    }
}

/// Cell equality without the library's call to `memcmp` for every symbol, which made comparing
/// whole rows cost more than drawing them: symbols are a few bytes, compared inline here.
#[inline]
pub(super) fn same_cell(a: &Cell, b: &Cell) -> bool {
    a.modifier == b.modifier
        && a.fg == b.fg
        && a.bg == b.bg
        && a.underline_color == b.underline_color
        && a.diff_option == b.diff_option
        && same_symbol(a.symbol().as_bytes(), b.symbol().as_bytes())
}

#[inline]
fn same_symbol(a: &[u8], b: &[u8]) -> bool {
    match (a, b) {
        ([x], [y]) => x == y,
        _ => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y),
    }
}

/// The indexes of `buf.content` that row `row` of `area` covers.
fn row_range(buf: &Buffer, area: Rect, row: u16) -> std::ops::Range<usize> {
    let start = buf.index_of(area.x, area.y + row);
    start..start + usize::from(area.width)
}

/// Draws every row of the screen into its place.
fn draw_rows(buf: &mut Buffer, at: Place, screen: &vt100::Screen, depth: ColorDepth) {
    for row in 0..at.area.height {
        draw_row(buf, at, screen, row, depth);
    }
}

/// Draws row `row` of the place (from the screen's row at the offset) into the frame, every
/// cell of it.
fn draw_row(buf: &mut Buffer, at: Place, screen: &vt100::Screen, row: u16, depth: ColorDepth) {
    let area = at.area;
    let (row_off, col_off) = at.offset;
    let start = buf.index_of(area.x, area.y + row);
    let out = &mut buf.content[start..start + usize::from(area.width)];
    for (col, out) in (0..area.width).zip(out) {
        // The second half of a wide character stays empty: the terminal draws the character
        // over it.
        let cell = screen.cell(row + row_off, col + col_off);
        let Some(cell) = cell.filter(|c| !c.is_wide_continuation()) else {
            *out = Cell::EMPTY;
            continue;
        };
        let mut drawn = Cell::EMPTY;
        let (text, marks) = unmarked(cell.contents());
        // Half a wide character cannot be drawn; tmux shows a blank there too.
        if cell.has_contents() && !(cell.is_wide() && col + 1 >= area.width) {
            drawn.set_symbol(shown(&text));
            // A narrow character with VS16 (see `VS16_MARK`) takes the one column the pane
            // gave it, whatever its text's width says.
            if !cell.is_wide() && text.len() > 3 && drawn.cell_width() > 1 {
                drawn.diff_option = CellDiffOption::ForcedWidth(std::num::NonZeroU16::MIN);
            }
        }
        drawn.fg = downsample(color(cell.fgcolor()), depth);
        drawn.bg = downsample(color(cell.bgcolor()), depth);
        drawn.modifier = modifier(cell);
        if marks.blink {
            drawn.modifier |= Modifier::SLOW_BLINK;
        }
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

/// Screen changes for property tests: the escape sequences apps use to change a screen, from
/// plain and wide text to scrolling, erasing, inserting and the alternate screen.
#[cfg(test)]
pub(crate) mod edits {
    use proptest::prelude::*;

    pub fn edit() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            4 => "[a-z ]{1,30}".prop_map(String::into_bytes),
            1 => "[中文字a-c]{1,8}".prop_map(String::into_bytes),
            1 => Just(b"e\xcc\x81".to_vec()),
            1 => Just("\u{2764}\u{fe0f}".as_bytes().to_vec()),
            2 => (0u8..8, 0u8..8, any::<bool>(), any::<bool>()).prop_map(|(f, b, bold, inv)| {
                format!("\x1b[3{f};4{b}{}{}m", if bold { ";1" } else { "" }, if inv { ";7" } else { "" })
                    .into_bytes()
            }),
            1 => (any::<u8>(), any::<u8>(), any::<u8>())
                .prop_map(|(r, g, b)| format!("\x1b[38;2;{r};{g};{b}m").into_bytes()),
            1 => Just(b"\x1b[m".to_vec()),
            2 => (1u8..14, 1u8..30).prop_map(|(r, c)| format!("\x1b[{r};{c}H").into_bytes()),
            2 => Just(b"\r\n".to_vec()),
            1 => (0u8..3).prop_map(|m| format!("\x1b[{m}K").into_bytes()),
            1 => (0u8..3).prop_map(|m| format!("\x1b[{m}J").into_bytes()),
            1 => (1u8..4).prop_map(|n| format!("\x1b[{n}L").into_bytes()),
            1 => (1u8..4).prop_map(|n| format!("\x1b[{n}M").into_bytes()),
            1 => (1u8..4).prop_map(|n| format!("\x1b[{n}P").into_bytes()),
            1 => (1u8..4).prop_map(|n| format!("\x1b[{n}@").into_bytes()),
            1 => (1u8..4).prop_map(|n| format!("\x1b[{n}S").into_bytes()),
            1 => Just(b"\x1b[?1049h".to_vec()),
            1 => Just(b"\x1b[?1049l".to_vec()),
            1 => Just(b"\x1b[3;9r".to_vec()),
            1 => Just(b"\x1b[r".to_vec()),
        ]
    }

    /// A few edits at a time, as one chunk of output between two frames.
    pub fn chunk() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(edit(), 0..5).prop_map(|v| v.concat())
    }
}

#[cfg(test)]
mod tests;
