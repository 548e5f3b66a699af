//! One row of a pane's screen as text with SGR sequences (`capture --ansi`): written from the
//! cells rather than by vt100, so that the attributes only the layer keeps (blink, as a mark on
//! the cell) come out too, and the marks themselves never do.

use std::fmt::Write as _;

use crate::pane::filter::unmarked;

/// What a cell is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Pen {
    fg: vt100::Color,
    bg: vt100::Color,
    bold: bool,
    dim: bool,
    italic: bool,
    underline: bool,
    blink: bool,
    inverse: bool,
}

impl Pen {
    fn of(cell: &vt100::Cell, blink: bool) -> Self {
        Self {
            fg: cell.fgcolor(),
            bg: cell.bgcolor(),
            bold: cell.bold(),
            dim: cell.dim(),
            italic: cell.italic(),
            underline: cell.underline(),
            blink,
            inverse: cell.inverse(),
        }
    }

    /// The SGR sequence that goes from the default attributes to these.
    fn write(&self, out: &mut String) {
        let mut codes: Vec<String> = Vec::new();
        for (on, code) in [
            (self.bold, 1),
            (self.dim, 2),
            (self.italic, 3),
            (self.underline, 4),
            (self.blink, 5),
            (self.inverse, 7),
        ] {
            if on {
                codes.push(code.to_string());
            }
        }
        for (color, base) in [(self.fg, 30), (self.bg, 40)] {
            match color {
                vt100::Color::Default => {}
                vt100::Color::Idx(n @ 0..=7) => codes.push((base + u16::from(n)).to_string()),
                vt100::Color::Idx(n @ 8..=15) => {
                    codes.push((base + 60 + u16::from(n) - 8).to_string());
                }
                vt100::Color::Idx(n) => codes.push(format!("{};5;{n}", base + 8)),
                vt100::Color::Rgb(r, g, b) => codes.push(format!("{};2;{r};{g};{b}", base + 8)),
            }
        }
        let _ = write!(out, "\x1b[{}m", codes.join(";"));
    }
}

/// Appends row `row` of `screen` to `out`: each change of attributes as one SGR sequence from
/// the defaults (`ESC[0m` first when leaving others), trailing blanks in the default background
/// left out, attributes reset at the end.
pub fn formatted_row(screen: &vt100::Screen, row: u16, out: &mut String) {
    let cols = screen.size().1.get();
    let mut pen = Pen::default();
    // Where the row ends once trailing default blanks are dropped.
    let mut end = out.len();
    for col in 0..cols {
        let Some(cell) = screen.cell(row, col) else {
            break;
        };
        if cell.is_wide_continuation() {
            continue;
        }
        let (text, marks) = unmarked(cell.contents());
        let next = Pen::of(cell, marks.blink);
        if next != pen {
            if pen != Pen::default() {
                out.push_str("\x1b[0m");
            }
            if next != Pen::default() {
                next.write(out);
            }
            pen = next;
        }
        if cell.has_contents() {
            out.push_str(&text);
        } else {
            out.push(' ');
        }
        let blank = !cell.has_contents() || text == " ";
        if !blank || pen.bg != vt100::Color::Default || pen.inverse {
            end = out.len();
        }
    }
    out.truncate(end);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(bytes: &[u8]) -> String {
        let one = std::num::NonZeroU16::new(1).unwrap();
        let cols = std::num::NonZeroU16::new(12).unwrap();
        let mut p = vt100::Parser::new(one, cols, 0);
        p.process(bytes);
        let mut out = String::new();
        formatted_row(p.screen(), 0, &mut out);
        out
    }

    #[test]
    fn attributes_change_where_the_cells_do_and_blink_marks_become_sgr_5() {
        assert_eq!(row(b"\x1b[31mred\x1b[m ok"), "\x1b[31mred\x1b[0m ok");
        let blink = format!(
            "a\x1b[1;38;5;200mb{}\x1b[mc",
            crate::pane::filter::BLINK_MARK
        );
        assert_eq!(row(blink.as_bytes()), "a\x1b[1;5;38;5;200mb\x1b[0mc");
        // A coloured background is kept to the end of the line; default blanks are not.
        assert_eq!(row(b"x\x1b[44m\x1b[K"), "x\x1b[44m           ");
        assert_eq!(row("中\x1b[92;101mz".as_bytes()), "中\x1b[92;101mz");
    }
}
