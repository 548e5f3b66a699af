//! Floating panes: each drawn over the tiled panes, bottom first, as a bordered box with its
//! app's name in the top border and the app's screen inside, clipped to the pane area.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Block, BorderType, Clear, Widget};

use super::color::ColorDepth;
use super::{PaneView, screen};

/// One floating pane to draw: its outer rectangle (border included), its title, and the pane
/// inside (whose `area` is the inside of `outer`).
pub struct FloatView<'a> {
    pub outer: Rect,
    pub title: String,
    pub pane: PaneView<'a>,
}

/// Draws `floats` in order within `clip`; returns the cursor of the focused one, if it shows
/// one.
pub fn draw_floats(
    buf: &mut Buffer,
    clip: Rect,
    floats: &[FloatView],
    theme: &crate::config::theme::Theme,
    depth: ColorDepth,
) -> Option<Position> {
    let mut cursor = None;
    for f in floats {
        let outer = f.outer.intersection(clip).intersection(buf.area);
        if outer.is_empty() {
            continue;
        }
        Clear.render(outer, buf);
        let style = if f.pane.focused {
            theme.border.active
        } else {
            theme.border.inactive
        };
        let mut title = String::from(" ");
        title.push_str(&f.title);
        title.push(' ');
        Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(style)
            .title(title)
            .title_style(style)
            .render(outer, buf);
        let inner = f.pane.area.intersection(outer);
        buf.set_style(inner, Style::reset());
        screen::draw_screen(buf, inner, f.pane.screen, None, depth, None);
        if f.pane.focused && !f.pane.screen.hide_cursor() {
            let (row, col) = f.pane.screen.cursor_position();
            if row < inner.height && col < inner.width {
                cursor = Some(Position::new(inner.x + col, inner.y + row));
            }
        }
    }
    cursor
}
