//! The ratatui backend for one attached client: crossterm's escape-sequence writer over an
//! in-memory buffer, with the size coming from what the client reported (never from the server's
//! own terminal, which it does not have). [`Renderer`] turns a composed frame into the bytes
//! that update that client's terminal, sending only the cells that changed.

use std::io;

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size as RSize};
use ratatui::{Frame, Terminal};

use crate::protocol::Size;
use crate::render::screen::{self, ScreenCache};

/// crossterm's writer into a `Vec<u8>`, sized by the client.
pub struct ClientBackend {
    inner: CrosstermBackend<Vec<u8>>,
    size: Size,
    cursor: Position,
    /// What the client's cursor visibility is, so unchanged frames do not repeat it.
    cursor_shown: Option<bool>,
    /// Cells were drawn since the cursor was last placed, so the terminal's cursor moved.
    cursor_moved: bool,
}

impl Backend for ClientBackend {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        // crossterm's writer resets colours after every draw call; skip it when nothing changed.
        let mut content = content.peekable();
        if content.peek().is_none() {
            return Ok(());
        }
        self.cursor_moved = true;
        self.inner.draw(content)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_shown.replace(false) == Some(false) {
            return Ok(());
        }
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_shown.replace(true) == Some(true) {
            return Ok(());
        }
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let position = position.into();
        if position == self.cursor && !std::mem::take(&mut self.cursor_moved) {
            return Ok(());
        }
        self.cursor = position;
        self.cursor_moved = false;
        self.inner.set_cursor_position(self.cursor)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
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

/// One client's compositor output stage.
pub struct Renderer {
    terminal: Terminal<ClientBackend>,
    full_redraw: bool,
    /// How each pane was last drawn, so unchanged rows are copied instead of read again.
    screens: ScreenCache,
}

impl Renderer {
    pub fn new(size: Size) -> Self {
        let backend = ClientBackend {
            inner: CrosstermBackend::new(Vec::with_capacity(64 * 1024)),
            size,
            cursor: Position::ORIGIN,
            cursor_shown: None,
            cursor_moved: true,
        };
        // Creating a terminal over an in-memory backend cannot fail: every backend call above
        // is infallible.
        let terminal = Terminal::new(backend).unwrap_or_else(|_| unreachable!());
        Self {
            terminal,
            full_redraw: true,
            screens: ScreenCache::default(),
        }
    }

    pub fn size(&self) -> Size {
        self.terminal.backend().size
    }

    /// The client's terminal changed size; the next frame redraws everything.
    pub fn resize(&mut self, size: Size) {
        self.terminal.backend_mut().size = size;
        self.full_redraw = true;
    }

    /// Forget what the client shows, so the next frame repaints every cell.
    pub fn invalidate(&mut self) {
        self.full_redraw = true;
    }

    /// Composes a frame with `draw` and returns the bytes that bring the client up to date.
    pub fn render(&mut self, draw: impl FnOnce(&mut Frame)) -> Vec<u8> {
        let mut prefix = Vec::new();
        if std::mem::take(&mut self.full_redraw) {
            // Reset attributes first: a fresh client may have any state.
            prefix.extend_from_slice(b"\x1b[m");
            self.terminal.backend_mut().cursor_shown = None;
            self.terminal.backend_mut().cursor_moved = true;
            let _ = self.terminal.autoresize();
            let _ = self.terminal.clear();
        }
        let terminal = &mut self.terminal;
        screen::with_cache(&mut self.screens, || {
            let _ = terminal.draw(draw);
        });
        let mut out = std::mem::take(self.terminal.backend_mut().inner.writer_mut());
        if !prefix.is_empty() {
            prefix.append(&mut out);
            out = prefix;
        }
        // Keep the allocation for the next frame only if it is modest.
        if out.capacity() <= 1 << 20 {
            self.terminal
                .backend_mut()
                .inner
                .writer_mut()
                .reserve(out.len().min(64 * 1024));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let draw = |f: &mut Frame| f.render_widget(Line::from("hello"), f.area());
        let first = r.render(draw);
        assert_eq!(screen_of(&first, size).screen().contents().trim(), "hello");
        let second = r.render(draw);
        assert!(second.is_empty(), "{:?}", String::from_utf8_lossy(&second));
    }

    #[test]
    fn only_changed_cells_are_sent_and_resize_repaints() {
        let size = Size { cols: 20, rows: 3 };
        let mut r = Renderer::new(size);
        let mut all = r.render(|f| f.render_widget(Line::from("hello world"), f.area()));
        let diff = r.render(|f| f.render_widget(Line::from("hello there"), f.area()));
        assert!(!String::from_utf8_lossy(&diff).contains("hello"));
        all.extend_from_slice(&diff);
        assert_eq!(
            screen_of(&all, size).screen().contents().trim(),
            "hello there"
        );

        let big = Size { cols: 30, rows: 5 };
        r.resize(big);
        let full = r.render(|f| f.render_widget(Line::from("again"), f.area()));
        assert_eq!(screen_of(&full, big).screen().contents().trim(), "again");
    }
}
