//! The thin layer beside the vt100 parser: it carries out what the byte filter reports but
//! cannot do itself because it needs the screen (the cursor, the size, the current
//! attributes), by handing the parser sequences it does carry out, in the stream's order.
//!
//! It owns the tab stops (vt100 has fixed ones every 8 columns), the attributes saved with
//! the cursor on each screen (vt100 keeps one set for both, so leaving mode 1049 could bring
//! back the alternate screen's colours), DECALN, DECCOLM's clear, soft reset (DECSTR),
//! selective erase, and
//! printing in insert mode, with auto-wrap off, blinking or protected. It never reads or
//! writes anything but the parser.
//!
//! Blink and protection are attributes vt100 drops, so a cell printed with them gets a mark
//! appended to its text ([`BLINK_MARK`], [`PROTECT_MARK`]: zero-width characters apps cannot
//! print, as the filter drops theirs). The marks move with the cell through every scroll,
//! insertion and deletion vt100 carries out and vanish when it is erased or overwritten; the
//! renderer turns them back into attributes and `capture` leaves them out.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthChar as _;

use crate::pane::filter::{Act, BLINK_MARK, Marks, PROTECT_MARK, unmarked};
use crate::pane::hyperlink::{self, LinkId};
use crate::pane::modes::Bytes;

/// The parser the layer drives: a screen to read, and bytes for it to carry out.
pub trait Terminal {
    fn screen(&self) -> &vt100::Screen;
    fn process(&mut self, bytes: &[u8]);
}

/// The attributes text is drawn with, as vt100 exposes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Pen {
    fg: vt100::Color,
    bg: vt100::Color,
    bold: bool,
    dim: bool,
    italic: bool,
    underline: bool,
    inverse: bool,
}

impl Pen {
    fn of(screen: &vt100::Screen) -> Self {
        Self {
            fg: screen.fgcolor(),
            bg: screen.bgcolor(),
            bold: screen.bold(),
            dim: screen.dim(),
            italic: screen.italic(),
            underline: screen.underline(),
            inverse: screen.inverse(),
        }
    }

    /// The SGR sequence that sets exactly these attributes.
    fn sgr(&self) -> Vec<u8> {
        let mut out = b"\x1b[0".to_vec();
        for (on, code) in [
            (self.bold, "1"),
            (self.dim, "2"),
            (self.italic, "3"),
            (self.underline, "4"),
            (self.inverse, "7"),
        ] {
            if on {
                out.push(b';');
                out.extend_from_slice(code.as_bytes());
            }
        }
        for (color, base) in [(self.fg, 38), (self.bg, 48)] {
            let _ = match color {
                vt100::Color::Default => Ok(()),
                vt100::Color::Idx(n) => write!(Bytes(&mut out), ";{base};5;{n}"),
                vt100::Color::Rgb(r, g, b) => write!(Bytes(&mut out), ";{base};2;{r};{g};{b}"),
            };
        }
        out.push(b'm');
        out
    }
}

/// What the layer keeps between reads.
#[derive(Debug, Clone)]
pub struct Layer {
    /// A tab stop at each column where this is true; one entry per column.
    tabs: Vec<bool>,
    /// The attributes saved with the cursor on the main and on the alternate screen.
    saved: [Pen; 2],
    /// The OSC 8 link that printed characters are marked with.
    link: Option<LinkId>,
}

/// A fresh terminal's tab stops: every 8 columns.
fn default_stop(col: usize) -> bool {
    col.is_multiple_of(8)
}

impl Layer {
    pub fn new(cols: u16) -> Self {
        Self {
            tabs: (0..usize::from(cols)).map(default_stop).collect(),
            saved: [Pen::default(); 2],
            link: None,
        }
    }

    /// Marks the characters printed from now on as part of `link` (`None`: of no link).
    pub fn set_link(&mut self, link: Option<LinkId>) {
        self.link = link;
    }

    /// Back to a fresh terminal's state (RIS).
    pub fn reset(&mut self, cols: u16) {
        *self = Self::new(cols);
    }

    /// New columns get the default stops; the others keep theirs, as in xterm.
    pub fn resize(&mut self, cols: u16) {
        let cols = usize::from(cols);
        let old = self.tabs.len();
        self.tabs.truncate(cols);
        self.tabs.extend((old..cols).map(default_stop));
    }

    /// Carries out `act`, which the filter reported just after its sequence.
    pub fn act(&mut self, parser: &mut impl Terminal, act: Act) {
        let screen = parser.screen();
        let (_, cols) = screen.size();
        let (_, col) = screen.cursor_position();
        // vt100 puts the cursor one past the last column while a wrap is pending.
        let at = usize::from(col.min(cols.get() - 1));
        let alternate = usize::from(screen.alternate_screen());
        match act {
            Act::Tab(n) => {
                // xterm keeps a pending wrap: the cursor stays and the next character wraps.
                if col < cols.get() {
                    let to = (0..n).fold(at, |at, _| self.next_stop(at));
                    move_to(parser, to);
                }
            }
            Act::BackTab(n) => {
                let to = (0..n).fold(at, |at, _| self.previous_stop(at));
                move_to(parser, to);
            }
            Act::SetTab => self.set_stop(at, true),
            Act::ClearTab => self.set_stop(at, false),
            Act::ClearTabs => self.tabs.fill(false),
            Act::Align => align(parser),
            Act::SaveCursor => self.saved[alternate] = Pen::of(screen),
            Act::EnterAlternate => self.saved[0] = Pen::of(screen),
            Act::RestoreCursor => self.restore(parser, alternate),
            Act::LeaveAlternate => self.restore(parser, 0),
            Act::SelectiveErase { line, mode, origin } => {
                selective_erase(parser, line, mode, origin);
            }
            Act::ColumnMode => parser.process(b"\x1b[r\x1b[H\x1b[2J"),
            Act::SoftReset => {
                self.saved[alternate] = Pen::default();
                soft_reset(parser);
            }
        }
    }

    fn set_stop(&mut self, col: usize, on: bool) {
        if let Some(stop) = self.tabs.get_mut(col) {
            *stop = on;
        }
    }

    /// The next tab stop after `col`, or the last column.
    fn next_stop(&self, col: usize) -> usize {
        let last = self.tabs.len().saturating_sub(1);
        (col + 1..self.tabs.len())
            .find(|&c| self.tabs[c])
            .unwrap_or(last)
    }

    /// The tab stop before `col`, or the first column.
    fn previous_stop(&self, col: usize) -> usize {
        (1..col).rev().find(|&c| self.tabs[c]).unwrap_or(0)
    }

    /// After a cursor restore: the attributes saved on `screen`, where vt100 brought back the
    /// last ones saved on either screen.
    fn restore(&self, parser: &mut impl Terminal, screen: usize) {
        let saved = self.saved[screen];
        if Pen::of(parser.screen()) != saved {
            parser.process(&saved.sgr());
        }
    }

    /// Prints `text` as xterm does in insert mode (each character first shifts the rest of the
    /// line right, on the next line when a wrap is pending) and with auto-wrap off (characters
    /// past the right margin overwrite the last column), one character at a time, each cell
    /// marked with `marks`.
    pub fn print(
        &self,
        parser: &mut impl Terminal,
        text: &[u8],
        (insert, wrap): (bool, bool),
        marks: Marks,
    ) {
        let Ok(text) = std::str::from_utf8(text) else {
            // The filter hands out valid text only; should that ever change, print it plainly.
            parser.process(text);
            return;
        };
        let mut buf = [0u8; 4];
        let mut seq = Vec::new();
        for c in text.chars() {
            let ch = c.encode_utf8(&mut buf).as_bytes();
            // vt100's own rule for how many columns a character takes.
            let width = match c.width() {
                _ if c.is_control() => 0,
                w => w.unwrap_or(1).min(2) as u16,
            };
            let screen = parser.screen();
            let cols = screen.size().1.get();
            let (_, mut col) = screen.cursor_position();
            seq.clear();
            if width > 0 && width <= cols {
                if !wrap && col + width > cols {
                    col = cols - width;
                    let _ = write!(Bytes(&mut seq), "\x1b[{}G", col + 1);
                }
                if insert && col + width > cols {
                    // With a wrap pending the character goes to the start of the next line
                    // and is inserted there, as in xterm: the wrap is made by hand so that
                    // ICH can shift that line first.
                    seq.extend_from_slice(b"\r\n");
                }
                if insert {
                    let _ = write!(Bytes(&mut seq), "\x1b[{width}@");
                }
            }
            seq.extend_from_slice(ch);
            if width > 0 {
                for (on, mark) in [(marks.blink, BLINK_MARK), (marks.protect, PROTECT_MARK)] {
                    if on {
                        seq.extend_from_slice(mark.encode_utf8(&mut buf).as_bytes());
                    }
                }
                if let Some(link) = self.link {
                    let (marker, len) = hyperlink::marker(link);
                    seq.extend_from_slice(&marker[..len]);
                }
            }
            parser.process(&seq);
            if !wrap && width > 0 {
                // vt100 leaves the cursor past the last column, a wrap pending; with auto-wrap
                // off it stays on the last column, as in xterm.
                let screen = parser.screen();
                let cols = screen.size().1.get();
                if screen.cursor_position().1 >= cols {
                    let to = format!("\x1b[{cols}G");
                    parser.process(to.as_bytes());
                }
            }
        }
    }
}

/// DECSED (`line` false) or DECSEL with `mode` 0 (from the cursor), 1 (up to it) or 2 (all):
/// every cell in range that is not protected is erased with ECH, a run at a time, and the
/// cursor put back where it was (without a pending wrap, as after any erase in xterm).
/// Origin mode is left for the moves and set again after them.
fn selective_erase(parser: &mut impl Terminal, line: bool, mode: u8, origin: bool) {
    let screen = parser.screen();
    let (rows, cols) = (screen.size().0.get(), screen.size().1.get());
    let (row, col) = screen.cursor_position();
    let col = col.min(cols - 1);
    // Each range: a row and its columns from..to.
    let mut ranges = Vec::new();
    let (first, last) = if line { (row, row) } else { (0, rows - 1) };
    for r in first..=last {
        let (from, to) = match (mode, r.cmp(&row)) {
            (2, _) => (0, cols),
            (0, std::cmp::Ordering::Less) | (1, std::cmp::Ordering::Greater) => continue,
            (0, std::cmp::Ordering::Equal) => (col, cols),
            (1, std::cmp::Ordering::Equal) => (0, col + 1),
            _ => (0, cols),
        };
        ranges.push((r, from, to));
    }
    let mut seq = Vec::new();
    if origin {
        seq.extend_from_slice(b"\x1b[?6l");
    }
    for (r, from, to) in ranges {
        let mut run: Option<u16> = None;
        let mut c = from;
        while c <= to {
            let protected = c < to && {
                let cell = screen.cell(r, c);
                let marks = cell.map(|cell| unmarked(cell.contents()).1);
                marks.is_some_and(|m| m.protect)
            };
            match (protected || c == to, run) {
                (true, Some(start)) => {
                    let _ = write!(
                        Bytes(&mut seq),
                        "\x1b[{};{}H\x1b[{}X",
                        r + 1,
                        start + 1,
                        c - start
                    );
                    run = None;
                }
                (false, None) => run = Some(c),
                _ => {}
            }
            // The right half of a protected wide character is protected with it.
            let wide = protected && screen.cell(r, c).is_some_and(vt100::Cell::is_wide);
            c += if wide { 2 } else { 1 };
        }
        if let Some(start) = run {
            let _ = write!(
                Bytes(&mut seq),
                "\x1b[{};{}H\x1b[{}X",
                r + 1,
                start + 1,
                to - start
            );
        }
    }
    if origin {
        seq.extend_from_slice(b"\x1b[?6h");
        parser.process(&seq);
        seq.clear();
        // Origin mode homes the cursor to the top of the scroll region.
        let top = parser.screen().cursor_position().0;
        let _ = write!(
            Bytes(&mut seq),
            "\x1b[{};{}H",
            row.saturating_sub(top) + 1,
            col + 1
        );
    } else {
        let _ = write!(Bytes(&mut seq), "\x1b[{};{}H", row + 1, col + 1);
    }
    parser.process(&seq);
}

/// DECSTR as xterm does it, for what vt100 keeps: origin mode off, no scroll margins, default
/// attributes, the cursor shown, normal cursor keys and keypad, the saved cursor back to the
/// home position with default attributes; the screen and the cursor stay.
fn soft_reset(parser: &mut impl Terminal) {
    let (row, col) = parser.screen().cursor_position();
    let cols = parser.screen().size().1.get();
    let mut seq = b"\x1b[?6l\x1b[r\x1b[m\x1b[?25h\x1b[?1l\x1b>\x1b[H\x1b7".to_vec();
    let _ = write!(
        Bytes(&mut seq),
        "\x1b[{};{}H",
        row + 1,
        col.min(cols - 1) + 1
    );
    parser.process(&seq);
}

/// Moves the cursor to column `col` of its line.
fn move_to(parser: &mut impl Terminal, col: usize) {
    if usize::from(parser.screen().cursor_position().1) != col {
        parser.process(format!("\x1b[{}G", col + 1).as_bytes());
    }
}

/// DECALN as xterm does it: no margins, origin mode off, every cell an `E` in the default
/// attributes, the cursor home; the current attributes stay.
fn align(parser: &mut impl Terminal) {
    let screen = parser.screen();
    let (rows, cols) = screen.size();
    let pen = Pen::of(screen);
    let mut seq = b"\x1b[r\x1b[?6l\x1b[m".to_vec();
    for row in 1..=rows.get() {
        let _ = write!(Bytes(&mut seq), "\x1b[{row};1HE");
        if cols.get() > 1 {
            // REP: the rest of the row, no further, so no row is marked wrapped.
            let _ = write!(Bytes(&mut seq), "\x1b[{}b", cols.get() - 1);
        }
    }
    seq.extend_from_slice(b"\x1b[H");
    seq.extend_from_slice(&pen.sgr());
    parser.process(&seq);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_stops_survive_a_resize_and_new_columns_get_the_defaults() {
        let mut layer = Layer::new(20);
        layer.tabs.fill(false);
        layer.set_stop(3, true);
        layer.resize(10);
        layer.resize(30);
        assert_eq!(layer.next_stop(0), 3);
        // Columns 10 to 29 are new: stops at 16 and 24.
        assert_eq!(layer.next_stop(3), 16);
        assert_eq!(layer.next_stop(16), 24);
        assert_eq!(layer.next_stop(24), 29);
        assert_eq!(layer.previous_stop(16), 3);
        assert_eq!(layer.previous_stop(3), 0);
    }

    #[test]
    fn the_pen_is_written_back_as_one_sgr() {
        let pen = Pen {
            fg: vt100::Color::Idx(1),
            bg: vt100::Color::Rgb(1, 2, 3),
            bold: true,
            inverse: true,
            ..Pen::default()
        };
        assert_eq!(pen.sgr(), b"\x1b[0;1;7;38;5;1;48;2;1;2;3m");
    }
}
