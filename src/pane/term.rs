//! One app's terminal: the vt100 parser, the replies to the queries apps send (so they never hang
//! waiting for an answer, attached client or not), the compact history, and title and bell.
//! It knows nothing of PTYs or clients: bytes in, screen state and reply bytes out.

use std::fmt::Write as _;
use std::num::NonZeroU16;

use crate::pane::encode::KeyModes;
use crate::pane::history::History;
use crate::protocol::Size;

/// The DA2 reply identifies appmux: 'A' (65) as the terminal type, then a version number.
const DA2_REPLY: &[u8] = b"\x1b[>65;1;0c";
/// The DA1 reply: a VT220-class terminal with ANSI colour (22), like tmux and xterm.
const DA1_REPLY: &[u8] = b"\x1b[?62;22c";

/// The vt100 callback half: collects what the parser cannot act on itself.
#[derive(Debug)]
pub struct Hooks {
    replies: Vec<u8>,
    history: History,
    title: Option<String>,
    bells: u32,
}

impl vt100::Callbacks for Hooks {
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.bells = self.bells.saturating_add(1);
    }

    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.title = Some(sanitize_title(title));
    }

    fn unhandled_csi(
        &mut self,
        screen: &mut vt100::Screen,
        i1: Option<u8>,
        _i2: Option<u8>,
        params: &[&[u16]],
        c: char,
    ) {
        let first = params.first().and_then(|p| p.first()).copied().unwrap_or(0);
        match (i1, c, first) {
            (None, 'c', 0) => self.replies.extend_from_slice(DA1_REPLY),
            (Some(b'>'), 'c', 0) => self.replies.extend_from_slice(DA2_REPLY),
            (None, 'n', 5) => self.replies.extend_from_slice(b"\x1b[0n"),
            (None, 'n', 6) => {
                let (row, col) = screen.cursor_position();
                let _ = write!(Writer(&mut self.replies), "\x1b[{};{}R", row + 1, col + 1);
            }
            _ => {}
        }
    }

    fn on_scroll(&mut self, row: vt100::capture::RowContents<'_>, alternate_screen: bool) {
        // Like tmux, only the main screen feeds history: a full-screen app's redraws are not
        // lines the user printed.
        if !alternate_screen {
            self.history.push(row);
        }
    }
}

/// `fmt::Write` over a byte vector, for formatting replies without an intermediate String.
struct Writer<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Writer<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Titles come from apps: keep printable characters only, bounded.
fn sanitize_title(title: &[u8]) -> String {
    String::from_utf8_lossy(title)
        .chars()
        .filter(|c| !c.is_control())
        .take(256)
        .collect()
}

fn nz(v: u16) -> NonZeroU16 {
    NonZeroU16::new(v).unwrap_or(NonZeroU16::MIN)
}

/// A pane's emulated terminal.
pub struct Terminal {
    parser: vt100::Parser<Hooks>,
}

impl Terminal {
    /// A blank terminal of `size` keeping up to `history_limit` scrolled-off lines.
    pub fn new(size: Size, history_limit: usize) -> Self {
        let hooks = Hooks {
            replies: Vec::new(),
            history: History::new(history_limit),
            title: None,
            bells: 0,
        };
        // vt100's own scrollback stays at zero; every scrolled row goes to `History`.
        let parser = vt100::Parser::new_with_callbacks(nz(size.rows), nz(size.cols), 0, hooks);
        Self { parser }
    }

    /// Parses output from the app. Returns the bytes to write back to the app (query replies).
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.parser.process(bytes);
        std::mem::take(&mut self.parser.callbacks_mut().replies)
    }

    pub fn resize(&mut self, size: Size) {
        let (rows, cols) = self.parser.screen().size();
        if (rows.get(), cols.get()) != (size.rows, size.cols) {
            self.parser.set_size(nz(size.rows), nz(size.cols));
        }
    }

    pub fn size(&self) -> Size {
        let (rows, cols) = self.parser.screen().size();
        Size {
            cols: cols.get(),
            rows: rows.get(),
        }
    }

    pub fn screen(&self) -> &vt100::Screen {
        self.parser.screen()
    }

    pub fn history(&self) -> &History {
        &self.parser.callbacks().history
    }

    pub fn title(&self) -> Option<&str> {
        self.parser.callbacks().title.as_deref()
    }

    /// Bells rung since the last call.
    pub fn take_bells(&mut self) -> u32 {
        std::mem::take(&mut self.parser.callbacks_mut().bells)
    }

    /// The modes that decide how keys are encoded for this app.
    pub fn key_modes(&self) -> KeyModes {
        let s = self.parser.screen();
        KeyModes {
            app_cursor: s.application_cursor(),
            app_keypad: s.application_keypad(),
        }
    }

    pub fn bracketed_paste(&self) -> bool {
        self.parser.screen().bracketed_paste()
    }

    /// The screen as text, one line per row; with `scrollback`, history rows first; with `ansi`,
    /// SGR codes are kept.
    pub fn capture(&self, ansi: bool, scrollback: bool) -> String {
        let mut out = String::new();
        if scrollback {
            let h = self.history();
            for i in 0..h.len() {
                if ansi {
                    out.push_str(h.row_formatted(i).unwrap_or_default());
                    out.push_str("\x1b[m\n");
                } else {
                    out.push_str(h.row_plain(i).unwrap_or_default().trim_end());
                    out.push('\n');
                }
            }
        }
        let screen = self.parser.screen();
        let (_, cols) = screen.size();
        if ansi {
            for row in screen.rows_formatted(0, cols.get()) {
                out.push_str(&row);
                out.push_str("\x1b[m\n");
            }
        } else {
            for row in screen.rows(0, cols.get()) {
                out.push_str(row.trim_end());
                out.push('\n');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(cols: u16, rows: u16) -> Terminal {
        Terminal::new(Size { cols, rows }, 100)
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
        let mut t = Terminal::new(Size { cols: 10, rows: 2 }, 3);
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
    fn titles_are_sanitized() {
        let mut t = term(10, 2);
        t.feed(b"\x1b]2;hello\x07world\x1b\\");
        assert_eq!(t.title(), Some("hello"));
    }
}
