//! Copying a pane's vt100 screen into a client's frame buffer: cells, colours and attributes.
//! This is the per-frame hot path of rendering; it touches nothing but the two buffers.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

/// Copies a vt100 screen into `area`, clipping what does not fit; cells outside the screen stay
/// blank (another client may have sized the app smaller).
pub fn draw_screen(buf: &mut Buffer, area: Rect, screen: &vt100::Screen) {
    let (rows, cols) = screen.size();
    let h = area.height.min(rows.get());
    let w = area.width.min(cols.get());
    for row in 0..h {
        for col in 0..w {
            let Some(cell) = screen.cell(row, col) else {
                continue;
            };
            if cell.is_wide_continuation() {
                continue;
            }
            let out = &mut buf[(area.x + col, area.y + row)];
            if cell.is_wide() && col + 1 >= w {
                // Half a wide character cannot be drawn; show a blank like tmux does.
                out.set_symbol(" ");
            } else if cell.has_contents() {
                out.set_symbol(cell.contents());
            } else {
                out.set_symbol(" ");
            }
            out.set_style(cell_style(cell));
        }
    }
}

fn cell_style(cell: &vt100::Cell) -> Style {
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
    Style::new()
        .fg(color(cell.fgcolor()))
        .bg(color(cell.bgcolor()))
        .add_modifier(m)
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
