//! The output stage for one attached client: ratatui composes each frame into a buffer sized by
//! what the client reported (never by the server's own terminal, which it does not have), and
//! [`Renderer`] turns the difference from what the client shows into escape sequences, written
//! into memory (cells by [`sgr`], the cursor by crossterm).
//!
//! The difference is computed here rather than by ratatui's `Terminal`, whose diff compares every
//! cell of every frame: a typed character changes one row, so rows are compared whole first and
//! only the rows that differ are walked cell by cell. ratatui's `Terminal` is kept for what it
//! does well, handing out frames; its backend only records where the frame wants the cursor.
//! It is made on the first [`Renderer::render`]: a client of the server's views never uses it,
//! and its two buffers of the client's size cost an attach time and memory for nothing.
//! For the server's views ([`Renderer::render_view`]) the frame is drawn on the renderer's own
//! buffer, kept from the last frame, so pane rows that did not change cost nothing to draw. The
//! renderer owns the client's [`ScreenCache`] and passes it to the drawing code for each frame.

use std::io;

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell, CellWidth};
use ratatui::layout::{Position, Rect, Size as RSize};
use ratatui::{Frame, Terminal};

use crate::render::screen::{self, ScreenCache};
use crate::render::sgr;
use crate::size::Size;

/// The backend ratatui's `Terminal` draws through: it answers the client's size and records
/// the cursor a frame asks for; it writes nothing (the [`Renderer`] does).
struct FrameBackend {
    size: Size,
    /// The cursor the last frame asked for: `None` hides it.
    cursor: Option<Position>,
}

impl Backend for FrameBackend {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, _: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        // Left unconsumed, ratatui's diff iterator costs nothing.
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.cursor = None;
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor.unwrap_or_default())
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.cursor = Some(position.into());
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn clear_region(&mut self, _: ClearType) -> io::Result<()> {
        Ok(())
    }

    fn size(&self) -> io::Result<RSize> {
        Ok(RSize::new(self.size.cols, self.size.rows))
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        Ok(WindowSize {
            columns_rows: self.size()?,
            pixels: RSize::new(0, 0),
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What the client's terminal shows, as far as the bytes sent so far made it.
struct Shown {
    cells: Buffer,
    /// Cursor visibility, unknown after a full redraw.
    cursor_visible: Option<bool>,
    cursor: Position,
    /// Cells were written since the cursor was last placed, so the terminal's cursor moved.
    cursor_moved: bool,
}

/// One client's compositor output stage.
pub struct Renderer {
    size: Size,
    /// For [`Renderer::render`] only, made on its first use.
    terminal: Option<Terminal<FrameBackend>>,
    shown: Shown,
    full_redraw: bool,
    /// How each pane was last drawn, so unchanged rows are copied instead of read again.
    screens: ScreenCache,
    /// The last frame as drawn, kept for [`Renderer::render_view`] to draw the next one over.
    canvas: Buffer,
    /// The canvas no longer holds what the panes drew: the last frame drew something over a
    /// pane (its numbers, the pager), or gave its cells away to what the client shows.
    canvas_stale: bool,
    /// Capacity kept between frames for the bytes of the next one.
    out: Vec<u8>,
    /// Cells inside OSC 8 hyperlinks go out as links (the last view's `hyperlinks`).
    hyperlinks: bool,
}

impl Renderer {
    pub fn new(size: Size) -> Self {
        Self {
            size,
            terminal: None,
            // Made at the client's size by the first frame's full redraw.
            shown: Shown {
                cells: Buffer::empty(Rect::ZERO),
                cursor_visible: None,
                cursor: Position::ORIGIN,
                cursor_moved: true,
            },
            full_redraw: true,
            screens: ScreenCache::default(),
            canvas: Buffer::empty(Rect::ZERO),
            canvas_stale: true,
            out: Vec::new(),
            hyperlinks: false,
        }
    }

    pub fn size(&self) -> Size {
        self.size
    }

    /// Whether ratatui's `Terminal`, with its two buffers of the client's size, was made.
    #[cfg(test)]
    pub(crate) fn holds_terminal(&self) -> bool {
        self.terminal.is_some()
    }

    /// The client's terminal changed size; the next frame redraws everything.
    pub fn resize(&mut self, size: Size) {
        self.size = size;
        self.full_redraw = true;
    }

    /// Forget what the client shows, so the next frame repaints every cell.
    pub fn invalidate(&mut self) {
        self.full_redraw = true;
    }

    /// Composes `view`'s frame and returns the bytes that bring the client up to date. The
    /// frame is drawn over the last one: what lies outside the panes is cleared first, and pane
    /// rows that did not change are left as they are.
    pub fn render_view(&mut self, view: &crate::render::View) -> Vec<u8> {
        let size = self.size();
        let whole = Rect::new(0, 0, size.cols, size.rows);
        let keep: Vec<Rect> = view
            .panes
            .iter()
            .filter(|p| p.copy.is_none())
            .map(|p| {
                let area = p.area.intersection(whole);
                screen::drawn_area(area, p.screen, screen::screen_offset(area, p.screen))
            })
            .collect();
        let kept = self.canvas.area == whole && !self.canvas_stale;
        if self.canvas.area != whole {
            self.canvas = Buffer::empty(whole);
        } else {
            clear_outside(&mut self.canvas, &keep);
        }
        // Floating panes are drawn over the tiled ones, so those are not as the last frame left them.
        let overlay = view.numbers
            || view.overlay.is_some()
            || view.switcher.is_some()
            || !view.floats.is_empty();
        self.canvas_stale = overlay;
        self.screens.canvas_kept = kept;
        // Pane rows left as the last frame drew them are known to match what the client shows,
        // unless something is drawn over them or the client is to be repainted.
        if self.hyperlinks != view.hyperlinks {
            // Cells already shown were sent with or without their links.
            self.hyperlinks = view.hyperlinks;
            self.full_redraw = true;
        }
        let skip_untouched = kept && !overlay && !self.full_redraw;
        let mut out = self.begin_output();
        // Drawn straight on the canvas: ratatui's `Terminal` (and the clearing of its buffer)
        // is not needed for a view.
        let cursor = crate::render::draw_on(&mut self.canvas, view, &mut self.screens);
        let untouched = self.screens.end_frame();
        let skip = if skip_untouched { &untouched[..] } else { &[] };
        self.canvas_stale |= update_cells(
            &mut out,
            &mut self.shown,
            &mut self.canvas,
            skip,
            self.hyperlinks,
        );
        self.end_output(out, cursor)
    }

    /// Composes a frame with `draw` on a blank buffer and returns the bytes that bring the
    /// client up to date. `draw` gets the renderer's [`ScreenCache`] to draw panes with.
    pub fn render(&mut self, draw: impl FnOnce(&mut Frame, &mut ScreenCache)) -> Vec<u8> {
        // A frame drawn any other way leaves nothing the next one can rely on.
        self.canvas_stale = true;
        let mut out = self.begin_output();
        let size = self.size;
        // Creating a terminal over this backend cannot fail: every backend call is infallible.
        let terminal = self.terminal.get_or_insert_with(|| {
            Terminal::new(FrameBackend { size, cursor: None }).unwrap_or_else(|_| unreachable!())
        });
        // ratatui resizes its buffers to the backend's size at the next draw.
        terminal.backend_mut().size = size;
        let (shown, screens) = (&mut self.shown, &mut self.screens);
        let links = self.hyperlinks;
        // The cells are compared and sent from inside the frame. Drawing into memory cannot
        // fail.
        let _ = terminal.draw(|f| {
            draw(f, screens);
            screens.end_frame();
            update_cells(&mut out, shown, f.buffer_mut(), &[], links);
        });
        let cursor = terminal.backend().cursor;
        self.end_output(out, cursor)
    }

    /// The output buffer for a frame, starting with a repaint of the whole client when one is
    /// due.
    fn begin_output(&mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.out);
        if std::mem::take(&mut self.full_redraw) {
            // Reset attributes first (a fresh client may have any state), then clear.
            out.extend_from_slice(b"\x1b[m\x1b[2J");
            let size = self.size();
            self.shown = Shown {
                cells: Buffer::empty(Rect::new(0, 0, size.cols, size.rows)),
                cursor_visible: None,
                cursor: Position::ORIGIN,
                cursor_moved: true,
            };
        }
        out
    }

    /// Places the cursor after a frame and hands the frame's bytes over.
    fn end_output(&mut self, mut out: Vec<u8>, cursor: Option<Position>) -> Vec<u8> {
        let _ = update_cursor(
            &mut CrosstermBackend::new(&mut out),
            &mut self.shown,
            cursor,
        );
        // Keep a modest allocation for the next frame; hand the bytes over without copying.
        let mut next = Vec::new();
        if out.capacity() <= 1 << 20 {
            next.reserve(out.len().min(64 * 1024));
        }
        self.out = next;
        out
    }
}

/// Clears every cell of `buf` outside the `keep` areas.
fn clear_outside(buf: &mut Buffer, keep: &[Rect]) {
    let area = buf.area;
    let width = usize::from(area.width);
    for y in area.top()..area.bottom() {
        let row = usize::from(y - area.y) * width;
        let mut x = area.left();
        while x < area.right() {
            match keep.iter().find(|r| r.contains(Position::new(x, y))) {
                Some(r) => x = r.right(),
                None => {
                    buf.content[row + usize::from(x - area.x)].reset();
                    x += 1;
                }
            }
        }
    }
}

/// Writes the cells that turn `shown` into `next` and puts them into `shown`: copied when they
/// are few, moved (leaving `next` with the cells they replaced) when they are most of the frame,
/// which copying would make cost a third more. True when they were moved.
fn update_cells(
    out: &mut Vec<u8>,
    shown: &mut Shown,
    next: &mut Buffer,
    same: &[Rect],
    links: bool,
) -> bool {
    if shown.cells.area != next.area {
        // Only a resize changes the area, and it brings a full redraw: the client is blank.
        shown.cells = Buffer::empty(next.area);
    }
    let updates = diff(&shown.cells, next, same);
    if updates.is_empty() {
        return false;
    }
    sgr::draw(
        out,
        updates.iter().map(|&(x, y, i)| (x, y, &next.content[i])),
        links,
    );
    shown.cursor_moved = true;
    let give_away = updates.len() * 2 > next.content.len();
    for &(_, _, i) in &updates {
        if give_away {
            std::mem::swap(&mut shown.cells.content[i], &mut next.content[i]);
        } else {
            screen::copy_cells(
                std::slice::from_mut(&mut shown.cells.content[i]),
                std::slice::from_ref(&next.content[i]),
            );
        }
    }
    give_away
}

/// Shows, hides and places the cursor as the frame asked (`None` hides it), sending nothing
/// when the client's cursor is already there.
fn update_cursor(
    backend: &mut CrosstermBackend<&mut Vec<u8>>,
    shown: &mut Shown,
    cursor: Option<Position>,
) -> io::Result<()> {
    match cursor {
        None => {
            if shown.cursor_visible != Some(false) {
                backend.hide_cursor()?;
                shown.cursor_visible = Some(false);
            }
        }
        Some(pos) => {
            if shown.cursor_visible != Some(true) {
                backend.show_cursor()?;
                shown.cursor_visible = Some(true);
            }
            if pos != shown.cursor || shown.cursor_moved {
                backend.set_cursor_position(pos)?;
                shown.cursor = pos;
                shown.cursor_moved = false;
            }
        }
    }
    Ok(())
}

/// The cells of `next` that differ from `prev` (same area), as (x, y, index into `content`).
/// `same` are one-row areas known to be alike in both, which need not be compared.
///
/// Rows are compared whole first; in a row that differs, a cell is sent when it changed, and
/// also when it lay under a wide character of `prev` that a changed cell overlaps (the terminal
/// erases such a character whole, in whatever colours are current). The trailing columns of a
/// wide character in `next` are skipped: printing the character covers them.
fn diff(prev: &Buffer, next: &Buffer, same: &[Rect]) -> Vec<(u16, u16, usize)> {
    let mut updates = Vec::new();
    let width = usize::from(next.area.width);
    if width == 0 {
        return updates;
    }
    let rows = next.content.chunks(width).zip(prev.content.chunks(width));
    let mut skip: Vec<(usize, usize)> = Vec::new();
    for (y, (new, old)) in (next.area.y..).zip(rows) {
        // The columns of this row to compare lie between the parts known to be alike.
        skip.clear();
        skip.extend(same.iter().filter(|r| r.y == y).map(|r| {
            let start = usize::from(r.x - next.area.x);
            (start, (start + usize::from(r.width)).min(width))
        }));
        skip.sort_unstable();
        let mut from = 0;
        let mut alike = true;
        for &(start, end) in skip.iter().chain(std::iter::once(&(width, width))) {
            if start > from {
                let (a, b) = (&new[from..start], &old[from..start]);
                alike = a.iter().zip(b).all(|(a, b)| screen::same_cell(a, b));
                if !alike {
                    break;
                }
            }
            from = from.max(end);
        }
        if alike {
            continue;
        }
        let base = usize::from(y - next.area.y) * width;
        let mut covered_until = 0;
        let mut x = 0;
        while x < width {
            let cell = &new[x];
            if x < covered_until || !screen::same_cell(cell, &old[x]) {
                // Coordinates fit in u16: x < width, which came from a u16.
                updates.push((next.area.x + x as u16, y, base + x));
            }
            // A wide character of `prev` under any column this cell covers is erased whole by
            // the terminal, in its current colours: what was under it must be sent again.
            let end = (x + (cell.cell_width() as usize).max(1)).min(width);
            for (j, under) in old.iter().enumerate().take(end).skip(x) {
                covered_until = covered_until.max(j + under.cell_width() as usize);
            }
            x = end;
        }
    }
    updates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::color::ColorDepth;
    use ratatui::text::Line;

    fn screen_of(bytes: &[u8], size: Size) -> vt100::Parser {
        let mut p = vt100::Parser::new(
            std::num::NonZeroU16::new(size.rows).unwrap(),
            std::num::NonZeroU16::new(size.cols).unwrap(),
            0,
        );
        p.process(bytes);
        p
    }

    #[test]
    fn second_identical_frame_sends_almost_nothing() {
        let size = Size { cols: 20, rows: 3 };
        let mut r = Renderer::new(size);
        let draw =
            |f: &mut Frame, _: &mut ScreenCache| f.render_widget(Line::from("hello"), f.area());
        let first = r.render(draw);
        assert_eq!(screen_of(&first, size).screen().contents().trim(), "hello");
        let second = r.render(draw);
        assert!(second.is_empty(), "{:?}", String::from_utf8_lossy(&second));
    }

    #[test]
    fn only_changed_cells_are_sent_and_resize_repaints() {
        let size = Size { cols: 20, rows: 3 };
        let mut r = Renderer::new(size);
        let mut all = r.render(|f, _| f.render_widget(Line::from("hello world"), f.area()));
        let diff = r.render(|f, _| f.render_widget(Line::from("hello there"), f.area()));
        assert!(!String::from_utf8_lossy(&diff).contains("hello"));
        all.extend_from_slice(&diff);
        assert_eq!(
            screen_of(&all, size).screen().contents().trim(),
            "hello there"
        );

        let big = Size { cols: 30, rows: 5 };
        r.resize(big);
        let full = r.render(|f, _| f.render_widget(Line::from("again"), f.area()));
        assert_eq!(screen_of(&full, big).screen().contents().trim(), "again");
    }

    #[test]
    fn wide_characters_replaced_by_narrow_ones_leave_nothing_behind() {
        let size = Size { cols: 10, rows: 2 };
        let mut r = Renderer::new(size);
        let mut all = r.render(|f, _| f.render_widget(Line::from("a中文b"), f.area()));
        all.extend(r.render(|f, _| f.render_widget(Line::from("axyz"), f.area())));
        assert_eq!(screen_of(&all, size).screen().contents().trim(), "axyz");
        all.extend(r.render(|f, _| f.render_widget(Line::from("x中y"), f.area())));
        assert_eq!(screen_of(&all, size).screen().contents().trim(), "x中y");
    }

    /// What a terminal shows in each cell: its text (a blank for an empty cell) and attributes.
    /// Draws `screen` as a pane under a status line, with a box drawn over the pane when
    /// `overlay` is set, the way pane numbers and the pager are.
    fn pane_frame(
        f: &mut Frame,
        cache: &mut ScreenCache,
        screen: &vt100::Screen,
        overlay: bool,
        status: &str,
    ) {
        use ratatui::style::{Color, Style};
        let area = f.area();
        let pane = Rect {
            height: area.height - 1,
            ..area
        };
        let depth = ColorDepth::TrueColor;
        let offset = screen::screen_offset(pane, screen);
        screen::draw_screen(
            f.buffer_mut(),
            pane,
            screen,
            None,
            depth,
            offset,
            Some(cache),
        );
        if overlay {
            let style = Style::new().bg(Color::Blue);
            for y in 2..5 {
                f.buffer_mut().set_stringn(3, y, "  pager  ", 9, style);
            }
        }
        let line = Rect::new(0, area.height - 1, area.width, 1);
        f.buffer_mut()
            .set_stringn(0, line.y, status, usize::from(line.width), Style::new());
        let (row, col) = screen.cursor_position();
        if !screen.hide_cursor() && row < pane.height && col < pane.width {
            f.set_cursor_position(Position::new(col, row));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// A client that received every incremental frame shows exactly what a client that
        /// received one full redraw of the last frame shows.
        #[test]
        fn incremental_frames_add_up_to_a_full_redraw(
            steps in proptest::collection::vec(
                (screen::edits::chunk(), proptest::prelude::any::<bool>(), 0u8..3),
                1..30,
            )
        ) {
            let size = Size { cols: 30, rows: 12 };
            let mut app = screen_of(b"", Size { cols: 30, rows: 11 });
            let mut renderer = Renderer::new(size);
            let mut client = screen_of(b"", size);
            for (i, (bytes, overlay, status)) in steps.into_iter().enumerate() {
                app.process(&bytes);
                let status = ["", "[s] 0:sh*", "[s] 1:vim* long status"][usize::from(status)];
                if i % 7 == 6 {
                    renderer.invalidate();
                }
                let draw = |f: &mut Frame, cache: &mut ScreenCache| {
                    pane_frame(f, cache, app.screen(), overlay, status)
                };
                client.process(&renderer.render(draw));
                let fresh = screen_of(&Renderer::new(size).render(draw), size);
                crate::render::check_same_screen(client.screen(), fresh.screen())?;
            }
        }
    }

    #[test]
    fn cursor_is_sent_only_when_it_changes() {
        let size = Size { cols: 10, rows: 2 };
        let mut r = Renderer::new(size);
        let at = |x, y| {
            move |f: &mut Frame, _: &mut ScreenCache| {
                f.render_widget(Line::from("$ "), f.area());
                f.set_cursor_position(Position::new(x, y));
            }
        };
        let first = r.render(at(2, 0));
        assert_eq!(screen_of(&first, size).screen().cursor_position(), (0, 2));
        assert!(r.render(at(2, 0)).is_empty());
        let mut all = first;
        all.extend(r.render(at(3, 1)));
        assert_eq!(screen_of(&all, size).screen().cursor_position(), (1, 3));
        let hidden = r.render(|f: &mut Frame, _: &mut ScreenCache| {
            f.render_widget(Line::from("$ "), f.area())
        });
        all.extend_from_slice(&hidden);
        assert!(screen_of(&all, size).screen().hide_cursor());
        assert!(
            r.render(
                |f: &mut Frame, _: &mut ScreenCache| f.render_widget(Line::from("$ "), f.area())
            )
            .is_empty()
        );
    }
}
