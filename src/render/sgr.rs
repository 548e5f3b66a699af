//! The bytes a frame's changed cells are written with: a cursor move where the cells are not
//! side by side, one SGR sequence where a cell's attributes or colours differ from the cell
//! before it, and the cell's text.
//!
//! Colours 0–7 go out as SGR 30–37 / 40–47 and 8–15 as 90–97 / 100–107, as the app wrote them
//! (crossterm would write `38;5;N`). Terminals that show bold text in bright colours (xterm's
//! default) do so only for the first form, so `ESC[1;34m` from an app must reach them as that,
//! not as `ESC[1m ESC[38;5;4m`. Colours 16–255 go out as `38;5;N`, RGB as `38;2;R;G;B`, and an
//! underline colour as `58;5;N` or `58;2;R;G;B` (it has no 16-colour form).

use std::io::Write;

use ratatui::buffer::Cell;
use ratatui::style::{Color, Modifier};

/// Writes `cells` (column, row, cell) to `out`, leaving attributes reset after the last one.
pub fn draw<'a>(out: &mut Vec<u8>, cells: impl Iterator<Item = (u16, u16, &'a Cell)>) {
    let mut pen = Pen::default();
    let mut last: Option<(u16, u16)> = None;
    for (x, y, cell) in cells {
        if !last.is_some_and(|(lx, ly)| ly == y && lx.checked_add(1) == Some(x)) {
            let _ = write!(out, "\x1b[{};{}H", u32::from(y) + 1, u32::from(x) + 1);
        }
        last = Some((x, y));
        let next = Pen::of(cell);
        if next != pen {
            pen.change_to(&next, out);
            pen = next;
        }
        out.extend_from_slice(cell.symbol().as_bytes());
    }
    if pen != Pen::default() {
        out.extend_from_slice(b"\x1b[m");
    }
}

/// The attributes and colours text is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pen {
    modifier: Modifier,
    fg: Color,
    bg: Color,
    underline: Color,
}

impl Default for Pen {
    fn default() -> Self {
        Self {
            modifier: Modifier::empty(),
            fg: Color::Reset,
            bg: Color::Reset,
            underline: Color::Reset,
        }
    }
}

/// SGR codes that turn an attribute on, and the code that turns it off.
const ATTRIBUTES: [(Modifier, u8, u8); 8] = [
    (Modifier::BOLD, 1, 22),
    (Modifier::DIM, 2, 22),
    (Modifier::ITALIC, 3, 23),
    (Modifier::UNDERLINED, 4, 24),
    (Modifier::SLOW_BLINK, 5, 25),
    (Modifier::RAPID_BLINK, 6, 25),
    (Modifier::REVERSED, 7, 27),
    (Modifier::HIDDEN, 8, 28),
];

impl Pen {
    fn of(cell: &Cell) -> Self {
        Self {
            modifier: cell.modifier,
            fg: cell.fg,
            bg: cell.bg,
            underline: cell.underline_color,
        }
    }

    /// One SGR sequence from this pen to `next`.
    fn change_to(&self, next: &Pen, out: &mut Vec<u8>) {
        let mut codes = String::new();
        let mut code = |c: &str| {
            if !codes.is_empty() {
                codes.push(';');
            }
            codes.push_str(c);
        };
        let removed = self.modifier - next.modifier;
        let added = next.modifier - self.modifier;
        // Bold and dim go off together (22): what stays of them is set again.
        let intensity = Modifier::BOLD | Modifier::DIM;
        let reset_intensity = removed.intersects(intensity);
        let blinks = Modifier::SLOW_BLINK | Modifier::RAPID_BLINK;
        let mut off_done = Vec::new();
        for (m, _, off) in ATTRIBUTES {
            if removed.contains(m) && !off_done.contains(&off) {
                // Both blinks go off with 25; a blink that stays is set again below.
                off_done.push(off);
                code(&off.to_string());
            }
        }
        let reset_blink = removed.intersects(blinks);
        for (m, on, _) in ATTRIBUTES {
            let again =
                (reset_intensity && intensity.contains(m)) || (reset_blink && blinks.contains(m));
            if added.contains(m) || (again && next.modifier.contains(m)) {
                code(&on.to_string());
            }
        }
        if removed.contains(Modifier::CROSSED_OUT) {
            code("29");
        }
        if added.contains(Modifier::CROSSED_OUT) {
            code("9");
        }
        if next.fg != self.fg {
            code(&colour(next.fg, Layer::Fg));
        }
        if next.bg != self.bg {
            code(&colour(next.bg, Layer::Bg));
        }
        if next.underline != self.underline {
            code(&colour(next.underline, Layer::Underline));
        }
        let _ = write!(out, "\x1b[{codes}m");
    }
}

#[derive(Clone, Copy)]
enum Layer {
    Fg,
    Bg,
    Underline,
}

/// The SGR parameters for `c` as a foreground, background or underline colour.
fn colour(c: Color, layer: Layer) -> String {
    let index = match c {
        Color::Reset => {
            return match layer {
                Layer::Fg => "39",
                Layer::Bg => "49",
                Layer::Underline => "59",
            }
            .into();
        }
        Color::Rgb(r, g, b) => {
            let lead = match layer {
                Layer::Fg => 38,
                Layer::Bg => 48,
                Layer::Underline => 58,
            };
            return format!("{lead};2;{r};{g};{b}");
        }
        Color::Indexed(i) => i,
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
    };
    match (layer, index) {
        (Layer::Fg, 0..=7) => (30 + index).to_string(),
        (Layer::Fg, 8..=15) => (90 + index - 8).to_string(),
        (Layer::Bg, 0..=7) => (40 + index).to_string(),
        (Layer::Bg, 8..=15) => (100 + index - 8).to_string(),
        (Layer::Fg, _) => format!("38;5;{index}"),
        (Layer::Bg, _) => format!("48;5;{index}"),
        (Layer::Underline, _) => format!("58;5;{index}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;

    fn cell(text: &str, style: Style) -> Cell {
        let mut c = Cell::default();
        c.set_symbol(text).set_style(style);
        c
    }

    fn written(cells: &[(u16, u16, Cell)]) -> String {
        let mut out = Vec::new();
        draw(&mut out, cells.iter().map(|(x, y, c)| (*x, *y, c)));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_first_sixteen_colours_use_the_classic_codes() {
        let bold_blue = Style::new()
            .fg(Color::Indexed(4))
            .add_modifier(Modifier::BOLD);
        assert_eq!(
            written(&[(0, 0, cell("a", bold_blue))]),
            "\x1b[1;1H\x1b[1;34ma\x1b[m"
        );
        let named = Style::new().fg(Color::LightRed).bg(Color::Blue);
        assert_eq!(
            written(&[(2, 1, cell("b", named))]),
            "\x1b[2;3H\x1b[91;44mb\x1b[m"
        );
        let bright_bg = Style::new().bg(Color::Indexed(15));
        assert_eq!(
            written(&[(0, 0, cell("c", bright_bg))]),
            "\x1b[1;1H\x1b[107mc\x1b[m"
        );
        let cube = Style::new().fg(Color::Indexed(196)).bg(Color::Rgb(1, 2, 3));
        assert_eq!(
            written(&[(0, 0, cell("d", cube))]),
            "\x1b[1;1H\x1b[38;5;196;48;2;1;2;3md\x1b[m"
        );
        let under = Style::new().underline_color(Color::Indexed(3));
        assert_eq!(
            written(&[(0, 0, cell("e", under))]),
            "\x1b[1;1H\x1b[58;5;3me\x1b[m"
        );
    }

    #[test]
    fn neighbours_share_a_move_and_unchanged_pens_write_nothing() {
        let red = Style::new().fg(Color::Red);
        let cells = [
            (0, 0, cell("a", red)),
            (1, 0, cell("b", red)),
            (3, 0, cell("c", Style::new())),
            (0, 1, cell("d", Style::new())),
        ];
        assert_eq!(
            written(&cells),
            "\x1b[1;1H\x1b[31mab\x1b[1;4H\x1b[39mc\x1b[2;1Hd"
        );
    }

    #[test]
    fn dropping_bold_keeps_dim_and_dropping_a_blink_keeps_the_other() {
        let both = Style::new().add_modifier(Modifier::BOLD | Modifier::DIM);
        let dim = Style::new().add_modifier(Modifier::DIM);
        assert_eq!(
            written(&[(0, 0, cell("a", both)), (1, 0, cell("b", dim))]),
            "\x1b[1;1H\x1b[1;2ma\x1b[22;2mb\x1b[m"
        );
        let blinks = Style::new().add_modifier(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK);
        let rapid = Style::new().add_modifier(Modifier::RAPID_BLINK);
        assert_eq!(
            written(&[(0, 0, cell("a", blinks)), (1, 0, cell("b", rapid))]),
            "\x1b[1;1H\x1b[5;6ma\x1b[25;6mb\x1b[m"
        );
    }

    proptest::proptest! {
        /// Whatever the cells, a terminal shows each with exactly its attributes and colours.
        /// (The parser keeps one intensity, so dim is left to the test above.)
        #[test]
        fn a_terminal_shows_every_cell_as_drawn(
            styles in proptest::collection::vec(
                (0u16..512, proptest::option::of(0u8..=255), proptest::option::of(0u8..=255)),
                1..40,
            ),
        ) {
            let cells: Vec<(u16, u16, Cell)> = styles
                .iter()
                .enumerate()
                .map(|(i, (bits, fg, bg))| {
                    let mut style = Style::new()
                        .add_modifier(Modifier::from_bits_truncate(*bits) - Modifier::HIDDEN - Modifier::DIM);
                    if let Some(f) = fg {
                        style = style.fg(Color::Indexed(*f));
                    }
                    if let Some(b) = bg {
                        style = style.bg(Color::Indexed(*b));
                    }
                    (i as u16 % 10, i as u16 / 10, cell("x", style))
                })
                .collect();
            let size = |n| std::num::NonZeroU16::new(n).unwrap();
            let mut parser = vt100::Parser::new(size(5), size(10), 0);
            parser.process(written(&cells).as_bytes());
            for (x, y, c) in &cells {
                let shown = parser.screen().cell(*y, *x).unwrap();
                let m = c.modifier;
                proptest::prop_assert_eq!(shown.bold(), m.contains(Modifier::BOLD));
                proptest::prop_assert_eq!(shown.italic(), m.contains(Modifier::ITALIC));
                proptest::prop_assert_eq!(shown.underline(), m.contains(Modifier::UNDERLINED));
                proptest::prop_assert_eq!(shown.inverse(), m.contains(Modifier::REVERSED));
                let want = |c: Color| match c {
                    Color::Indexed(i) => vt100::Color::Idx(i),
                    _ => vt100::Color::Default,
                };
                proptest::prop_assert_eq!(shown.fgcolor(), want(c.fg));
                proptest::prop_assert_eq!(shown.bgcolor(), want(c.bg));
            }
        }
    }
}
