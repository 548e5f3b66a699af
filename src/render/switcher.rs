//! Draws the switcher over the pane area: the tree of sessions, tabs and panes (indented, the
//! selected row in reverse video, this client's place marked `*`), and below it a live
//! preview of the selected pane's screen under a title bar. Pure: it takes the rows and the
//! screen to preview as plain data.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::color::ColorDepth;

/// One line of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwitcherRow {
    /// 0 session, 1 tab, 2 pane.
    pub depth: u8,
    pub label: String,
    pub selected: bool,
    /// Where this client is now.
    pub current: bool,
}

/// What the switcher shows.
pub struct SwitcherView<'a> {
    pub rows: Vec<SwitcherRow>,
    /// The screen of the selected pane (a session's or tab's focused pane), and its title.
    pub preview: Option<(&'a vt100::Screen, String)>,
}

/// Rows the tree gets in an area of `height` rows: what it needs, up to half, at least 3.
fn tree_rows(rows: usize, height: u16) -> u16 {
    let want = u16::try_from(rows).unwrap_or(u16::MAX).max(1);
    want.min((height / 2).max(3)).min(height)
}

pub fn draw_switcher(buf: &mut Buffer, area: Rect, view: &SwitcherView, depth: ColorDepth) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    buf.set_style(area, Style::reset());
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            buf[(x, y)].set_symbol(" ");
        }
    }
    let tree = tree_rows(view.rows.len(), area.height);
    let selected = view.rows.iter().position(|r| r.selected).unwrap_or(0);
    // Scrolled so that the selected row shows.
    let top = (selected + 1).saturating_sub(usize::from(tree));
    let width = usize::from(area.width);
    if view.rows.is_empty() {
        let dim = Style::new().add_modifier(Modifier::DIM);
        buf.set_stringn(area.x, area.y, " (nothing matches)", width, dim);
    }
    for (i, row) in view
        .rows
        .iter()
        .enumerate()
        .skip(top)
        .take(usize::from(tree))
    {
        let y = area.y + (i - top) as u16;
        let mark = if row.current { "*" } else { " " };
        let branch = match row.depth {
            0 => "",
            1 => "├ ",
            _ => "│ ├ ",
        };
        let text = format!("{mark}{branch}{}", row.label);
        let style = if row.selected {
            Style::new().add_modifier(Modifier::REVERSED)
        } else if row.depth == 0 {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        if row.selected {
            buf.set_style(Rect::new(area.x, y, area.width, 1), style);
        }
        buf.set_stringn(area.x, y, &text, width, style);
    }
    let bar_y = area.y + tree;
    if bar_y >= area.bottom() {
        return;
    }
    let bar = Style::new().add_modifier(Modifier::REVERSED);
    buf.set_style(Rect::new(area.x, bar_y, area.width, 1), bar);
    let title = view
        .preview
        .as_ref()
        .map_or(" no preview".to_owned(), |(_, t)| format!(" preview: {t}"));
    buf.set_stringn(area.x, bar_y, &title, width, bar);
    let rest = Rect::new(
        area.x,
        bar_y + 1,
        area.width,
        area.bottom().saturating_sub(bar_y + 1),
    );
    if let Some((screen, _)) = &view.preview
        && !rest.is_empty()
    {
        let offset = super::screen::screen_offset(rest, screen);
        super::draw_screen(buf, rest, screen, None, depth, offset, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::render::buffer_text as text;

    fn row(depth: u8, label: &str, selected: bool, current: bool) -> SwitcherRow {
        SwitcherRow {
            depth,
            label: label.to_owned(),
            selected,
            current,
        }
    }

    #[test]
    fn the_tree_and_the_preview_of_the_selected_pane() {
        let mut parser = vt100::Parser::new(
            std::num::NonZeroU16::new(4).unwrap(),
            std::num::NonZeroU16::new(30).unwrap(),
            0,
        );
        parser.process(b"$ make\r\nbuilding web\r\nok");
        let view = SwitcherView {
            rows: vec![
                row(0, "work (2 tabs)", false, true),
                row(1, "0: web", false, true),
                row(2, "web  running", true, false),
                row(2, "sh  running", false, true),
                row(1, "1: db", false, false),
                row(2, "db  exited 1", false, false),
                row(0, "scratch (1 tab)", false, false),
            ],
            preview: Some((parser.screen(), "work:0.0 web".into())),
        };
        let mut buf = Buffer::empty(Rect::new(0, 0, 40, 16));
        let area = buf.area;
        draw_switcher(&mut buf, area, &view, ColorDepth::TrueColor);
        insta::assert_snapshot!(text(&buf));
        // The selected row is in reverse video across the width.
        assert!(buf[(30, 2)].modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn a_long_tree_scrolls_to_the_selection() {
        let rows: Vec<SwitcherRow> = (0..20)
            .map(|i| row(2, &format!("app{i}"), i == 15, false))
            .collect();
        let view = SwitcherView {
            rows,
            preview: None,
        };
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 10));
        let area = buf.area;
        draw_switcher(&mut buf, area, &view, ColorDepth::TrueColor);
        let shown = text(&buf);
        assert!(
            shown.contains("app15") && !shown.contains("app0\n"),
            "{shown}"
        );
        assert!(shown.contains("no preview"));
    }
}
