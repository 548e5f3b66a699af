//! The bytes a frame's changed cells are written with: a cursor move where the cells are not
//! side by side, one SGR sequence where a cell's attributes or colours differ from the cell
//! before it, and the cell's text.
//!
//! Colours 0–7 go out as SGR 30–37 / 40–47 and 8–15 as 90–97 / 100–107, as the app wrote them
//! (crossterm would write `38;5;N`). Terminals that show bold text in bright colours (xterm's
//! default) do so only for the first form, so `ESC[1;34m` from an app must reach them as that,
//! not as `ESC[1m ESC[38;5;4m`. Colours 16–255 go out as `38;5;N`, RGB as `38;2;R;G;B`, and an
//! underline colour as `58;5;N` or `58;2;R;G;B` (it has no 16-colour form).

use ratatui::buffer::Cell;

use crate::pane::hyperlink::{self, LinkId};
use ratatui::style::{Color, Modifier};

/// Writes `cells` (column, row, cell) to `out`, leaving attributes reset after the last one.
/// Cells an app printed inside an OSC 8 hyperlink carry a marker (`crate::pane::hyperlink`):
/// with `links` they go out inside that link, opened and closed within this frame; without,
/// as plain text.
pub fn draw<'a>(out: &mut Vec<u8>, cells: impl Iterator<Item = (u16, u16, &'a Cell)>, links: bool) {
    let mut pen = Pen::default();
    let mut last: Option<(u16, u16)> = None;
    let mut open: Option<LinkId> = None;
    for (x, y, cell) in cells {
        if !last.is_some_and(|(lx, ly)| ly == y && lx.checked_add(1) == Some(x)) {
            // A link ends where its cells do, not across a jump.
            if open.take().is_some() {
                out.extend_from_slice(hyperlink::CLOSE);
            }
            move_to(out, x, y);
        }
        last = Some((x, y));
        let next = Pen::of(cell);
        if next != pen {
            pen.change_to(&next, out);
            pen = next;
        }
        let (text, link) = hyperlink::split(cell.symbol());
        let link = link.filter(|_| links);
        if link != open {
            if open.is_some() {
                out.extend_from_slice(hyperlink::CLOSE);
            }
            open = link.filter(|&id| match hyperlink::links().get(id) {
                Some(l) => {
                    l.open(out);
                    true
                }
                None => false,
            });
        }
        out.extend_from_slice(text.as_bytes());
        // Terminals disagree on how wide VS16 makes a character: the next cell gets a move of
        // its own, so one that draws it wide does not shift the rest of the line.
        if text.len() > 3 && text.contains('\u{FE0F}') {
            last = None;
        }
    }
    if open.is_some() {
        out.extend_from_slice(hyperlink::CLOSE);
    }
    if pen != Pen::default() {
        out.extend_from_slice(b"\x1b[m");
    }
}

/// The SGR sequence that sets `c` as the foreground colour, with the codes cells are drawn
/// with (`ESC[31m` for red); none for the terminal's default.
pub fn foreground(c: Color) -> Option<String> {
    if c == Color::Reset {
        return None;
    }
    let mut out = Vec::new();
    let mut sgr = Sgr::start(&mut out);
    sgr.colour(c, Layer::Fg);
    sgr.end();
    String::from_utf8(out).ok()
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

    /// One SGR sequence from this pen to `next`, written straight into `out`.
    fn change_to(&self, next: &Pen, out: &mut Vec<u8>) {
        let mut sgr = Sgr::start(out);
        let removed = self.modifier - next.modifier;
        let added = next.modifier - self.modifier;
        // Bold and dim go off together (22), and both blinks (25): what stays of them is set
        // again after.
        let intensity = Modifier::BOLD | Modifier::DIM;
        let blinks = Modifier::SLOW_BLINK | Modifier::RAPID_BLINK;
        let mut off_done = [false; 2];
        for (m, _, off) in ATTRIBUTES {
            if removed.contains(m) {
                let shared = match off {
                    22 => Some(0),
                    25 => Some(1),
                    _ => None,
                };
                if let Some(i) = shared {
                    if off_done[i] {
                        continue;
                    }
                    off_done[i] = true;
                }
                sgr.code(off);
            }
        }
        let reset_intensity = removed.intersects(intensity);
        let reset_blink = removed.intersects(blinks);
        for (m, on, _) in ATTRIBUTES {
            let again =
                (reset_intensity && intensity.contains(m)) || (reset_blink && blinks.contains(m));
            if added.contains(m) || (again && next.modifier.contains(m)) {
                sgr.code(on);
            }
        }
        if removed.contains(Modifier::CROSSED_OUT) {
            sgr.code(29);
        }
        if added.contains(Modifier::CROSSED_OUT) {
            sgr.code(9);
        }
        if next.fg != self.fg {
            sgr.colour(next.fg, Layer::Fg);
        }
        if next.bg != self.bg {
            sgr.colour(next.bg, Layer::Bg);
        }
        if next.underline != self.underline {
            sgr.colour(next.underline, Layer::Underline);
        }
        sgr.end();
    }
}

#[derive(Clone, Copy)]
enum Layer {
    Fg,
    Bg,
    Underline,
}

/// One SGR sequence being written: `ESC [`, codes separated by `;`, `m`.
struct Sgr<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Sgr<'a> {
    fn start(out: &'a mut Vec<u8>) -> Self {
        out.extend_from_slice(b"\x1b[");
        Self { out, first: true }
    }

    fn code(&mut self, n: u8) {
        if !std::mem::take(&mut self.first) {
            self.out.push(b';');
        }
        push_number(self.out, n.into());
    }

    /// `c` as a foreground, background or underline colour.
    fn colour(&mut self, c: Color, layer: Layer) {
        let (reset, lead) = match layer {
            Layer::Fg => (39, 38),
            Layer::Bg => (49, 48),
            Layer::Underline => (59, 58),
        };
        let index = match c {
            Color::Reset => return self.code(reset),
            Color::Rgb(r, g, b) => {
                for n in [lead, 2, r, g, b] {
                    self.code(n);
                }
                return;
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
            (Layer::Fg, 0..=7) => self.code(30 + index),
            (Layer::Fg, 8..=15) => self.code(90 + index - 8),
            (Layer::Bg, 0..=7) => self.code(40 + index),
            (Layer::Bg, 8..=15) => self.code(100 + index - 8),
            _ => {
                for n in [lead, 5, index] {
                    self.code(n);
                }
            }
        }
    }

    fn end(self) {
        self.out.push(b'm');
    }
}

/// `n` in decimal.
fn push_number(out: &mut Vec<u8>, n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// `ESC [ row ; col H`, 1-based, for the cell at (`x`, `y`).
fn move_to(out: &mut Vec<u8>, x: u16, y: u16) {
    out.extend_from_slice(b"\x1b[");
    push_number(out, u32::from(y) + 1);
    out.push(b';');
    push_number(out, u32::from(x) + 1);
    out.push(b'H');
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

    #[test]
    fn linked_cells_go_out_inside_their_link_only_when_links_are_on() {
        let link = crate::pane::hyperlink::Link::parse(b"id=7;http://example.com/").unwrap();
        let id = crate::pane::hyperlink::links().intern(link);
        let (m, len) = crate::pane::hyperlink::marker(id);
        let m = std::str::from_utf8(&m[..len]).unwrap();
        let cells = [
            (0, 0, cell("x", Style::new())),
            (1, 0, cell(&format!("a{m}"), Style::new())),
            (2, 0, cell(&format!("b{m}"), Style::new())),
            (3, 0, cell("y", Style::new())),
            (0, 1, cell(&format!("c{m}"), Style::new())),
        ];
        let mut out = Vec::new();
        draw(&mut out, cells.iter().map(|(x, y, c)| (*x, *y, c)), true);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\x1b[1;1Hx\x1b]8;id=7;http://example.com/\x1b\\ab\x1b]8;;\x1b\\y\
             \x1b[2;1H\x1b]8;id=7;http://example.com/\x1b\\c\x1b]8;;\x1b\\"
        );
        assert_eq!(written(&cells), "\x1b[1;1Hxaby\x1b[2;1Hc");
    }

    fn written(cells: &[(u16, u16, Cell)]) -> String {
        let mut out = Vec::new();
        draw(&mut out, cells.iter().map(|(x, y, c)| (*x, *y, c)), false);
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
    fn a_foreground_alone_uses_the_same_codes() {
        assert_eq!(foreground(Color::Green).as_deref(), Some("\x1b[32m"));
        assert_eq!(foreground(Color::Indexed(9)).as_deref(), Some("\x1b[91m"));
        assert_eq!(
            foreground(Color::Indexed(200)).as_deref(),
            Some("\x1b[38;5;200m")
        );
        assert_eq!(foreground(Color::Reset), None);
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
