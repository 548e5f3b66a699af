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
        let offset = screen::screen_offset(inner, f.pane.screen);
        screen::draw_screen(buf, inner, f.pane.screen, None, depth, offset, None);
        if f.pane.focused && !f.pane.screen.hide_cursor() {
            let (row, col) = f.pane.screen.cursor_position();
            let (row, col) = (row.saturating_sub(offset.0), col.saturating_sub(offset.1));
            if row < inner.height && col < inner.width {
                cursor = Some(Position::new(inner.x + col, inner.y + row));
            }
        }
    }
    cursor
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::float::FloatRect;
    use crate::render::{Chrome, ScreenCache, View, areas, draw_on};
    use crate::size::Size;

    fn parser(cols: u16, rows: u16, bytes: &[u8]) -> vt100::Parser {
        let mut p = vt100::Parser::new(
            std::num::NonZeroU16::new(rows).unwrap(),
            std::num::NonZeroU16::new(cols).unwrap(),
            0,
        );
        p.process(bytes);
        p
    }

    use crate::render::buffer_text as text;

    #[test]
    fn a_floating_pane_is_drawn_over_the_tiled_one() {
        let size = Size { cols: 30, rows: 10 };
        let tiled = parser(
            30,
            9,
            b"tiled 1\r\ntiled 2\r\ntiled 3\r\ntiled 4\r\ntiled 5 long line",
        );
        let areas = areas(size, Chrome::PLAIN);
        let outer = FloatRect::default_in(areas.panes.width, areas.panes.height).place(areas.panes);
        let inner = FloatRect::inner(outer);
        let floating = parser(inner.width, inner.height, b"$ htop\r\nfloating");
        let theme = crate::config::theme::Theme::default();
        let view = View {
            areas,
            panes: vec![PaneView {
                area: areas.panes,
                screen: tiled.screen(),
                changes: None,
                focused: false,
                copy: None,
            }],
            status: None,
            sidebar: None,
            overlay: None,
            floats: vec![FloatView {
                outer,
                title: "htop".into(),
                pane: PaneView {
                    area: inner,
                    screen: floating.screen(),
                    changes: None,
                    focused: true,
                    copy: None,
                },
            }],
            switcher: None,
            borders: Vec::new(),
            active_pane: None,
            numbers: false,
            theme: &theme,
            depth: ColorDepth::TrueColor,
            hyperlinks: false,
        };
        let mut buf = Buffer::empty(Rect::new(0, 0, size.cols, size.rows));
        let cursor = draw_on(&mut buf, &view, &mut ScreenCache::default());
        insta::assert_snapshot!(text(&buf));
        // The cursor is the floating pane's, after its prompt line's text.
        assert_eq!(cursor, Some(Position::new(inner.x + 8, inner.y + 1)));
    }
}
