//! State to buffer: panes (cells copied from their vt100 screens) and the status line, drawn
//! into a ratatui buffer for one client. No IO and no server state here: the caller hands in a
//! [`View`] of plain data and the client's [`ScreenCache`] and gets a frame; [`backend`] turns
//! frames into bytes.

pub mod backend;
pub mod color;
pub mod float;
pub mod overlay;
pub mod screen;
pub mod sgr;
pub mod sidebar;
pub mod switcher;

/// A buffer's text, row by row with trailing blanks trimmed: what render tests compare.
#[cfg(test)]
pub(crate) fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    (area.top()..area.bottom())
        .map(|y| {
            (area.left()..area.right())
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub use screen::{ScreenCache, color, draw_screen};

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;

/// One pane to draw: which screen, where, and whether it has focus (it gets the cursor).
pub struct PaneView<'a> {
    pub area: Rect,
    pub screen: &'a vt100::Screen,
    /// Which rows of `screen` changed when, if known (for drawing only those).
    pub changes: Option<&'a crate::pane::emulator::RowChanges>,
    pub focused: bool,
    /// Copy mode replaces the live screen with its snapshot.
    pub copy: Option<&'a crate::copy::CopyMode>,
}

/// The status line.
pub struct StatusView<'a> {
    /// Text before the tabs (the session name by default).
    pub left: &'a str,
    /// Tab labels, the active one marked; empty when the tab list is turned off.
    pub tabs: Vec<(String, bool)>,
    /// Right-aligned text (key hints, app summary).
    pub right: &'a str,
    /// The prefix key was pressed and a command key is awaited.
    pub prefix_active: bool,
    /// A prompt or question that replaces the tabs while it is open.
    pub message: Option<String>,
}

/// Everything one client sees.
pub struct View<'a> {
    pub areas: Areas,
    pub panes: Vec<PaneView<'a>>,
    pub status: Option<StatusView<'a>>,
    pub sidebar: Option<sidebar::Sidebar>,
    /// Drawn over the pane area.
    pub overlay: Option<&'a overlay::Pager>,
    /// Floating panes, drawn over the tiled ones, bottom first.
    pub floats: Vec<float::FloatView<'a>>,
    /// The switcher, drawn over the pane area.
    pub switcher: Option<switcher::SwitcherView<'a>>,
    /// Lines between panes; those next to the focused pane are highlighted.
    pub borders: Vec<crate::layout::Border>,
    pub active_pane: Option<crate::layout::PaneId>,
    /// Show each pane's number (`C-b q`), in pane order.
    pub numbers: bool,
    /// The theme with its colours already at `depth` (`Theme::map_colors`).
    pub theme: &'a crate::config::theme::Theme,
    /// What the client's terminal shows; pane cells are drawn at it.
    pub depth: color::ColorDepth,
    /// OSC 8 hyperlinks in panes go out as links; otherwise as plain text.
    pub hyperlinks: bool,
}

/// Where the parts of a client's screen go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub panes: Rect,
    pub sidebar: Option<Rect>,
    /// The sidebar's border faces the panes: on its right when it sits on the left.
    pub sidebar_left: bool,
    pub status: Option<Rect>,
}

/// Layout preferences of one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chrome {
    pub status: bool,
    pub status_top: bool,
    /// Sidebar width, when shown.
    pub sidebar: Option<u16>,
    pub sidebar_left: bool,
}

impl Chrome {
    /// Just a status line at the bottom.
    pub const PLAIN: Chrome = Chrome {
        status: true,
        status_top: false,
        sidebar: None,
        sidebar_left: true,
    };
}

/// Splits a client's screen into status line, sidebar and pane area. The sidebar is dropped when
/// it would leave panes fewer than 20 columns; the status line when there is a single row.
pub fn areas(size: crate::size::Size, chrome: Chrome) -> Areas {
    let full = Rect::new(0, 0, size.cols, size.rows);
    let (status, body) = if chrome.status && size.rows > 1 {
        if chrome.status_top {
            (
                Some(Rect::new(0, 0, size.cols, 1)),
                Rect::new(0, 1, size.cols, size.rows - 1),
            )
        } else {
            (
                Some(Rect::new(0, size.rows - 1, size.cols, 1)),
                Rect::new(0, 0, size.cols, size.rows - 1),
            )
        }
    } else {
        (None, full)
    };
    let (sidebar, panes) = match chrome.sidebar {
        Some(w) if w > 2 && body.width >= w + 20 => {
            if chrome.sidebar_left {
                (
                    Some(Rect { width: w, ..body }),
                    Rect {
                        x: body.x + w,
                        width: body.width - w,
                        ..body
                    },
                )
            } else {
                (
                    Some(Rect {
                        x: body.right() - w,
                        width: w,
                        ..body
                    }),
                    Rect {
                        width: body.width - w,
                        ..body
                    },
                )
            }
        }
        _ => (None, body),
    };
    Areas {
        panes,
        sidebar,
        sidebar_left: chrome.sidebar_left,
        status,
    }
}

/// The pane area for a plain client (status line, no sidebar).
pub fn pane_area(size: crate::size::Size, status: bool) -> Rect {
    areas(
        size,
        Chrome {
            status,
            ..Chrome::PLAIN
        },
    )
    .panes
}

/// Draws `view` into the frame, with the client's `cache` of how it last drew each pane.
pub fn draw(frame: &mut Frame, view: &View, cache: &mut ScreenCache) {
    if let Some(pos) = draw_on(frame.buffer_mut(), view, cache) {
        frame.set_cursor_position(pos);
    }
}

/// Draws `view` into `buf` (the whole client screen) with the client's `cache` of how it last
/// drew each pane; returns where the cursor goes, or `None` to hide it. The caller closes the
/// frame ([`ScreenCache::end_frame`]).
pub fn draw_on(buf: &mut Buffer, view: &View, cache: &mut ScreenCache) -> Option<Position> {
    let area = buf.area;
    let mut cursor = None;
    for (i, pane) in view.panes.iter().enumerate() {
        let area = pane.area.intersection(area);
        if let Some(copy) = pane.copy {
            draw_copy(buf, area, copy, view.theme);
            let c = copy.cursor;
            if c.line >= copy.top
                && c.line - copy.top < usize::from(area.height)
                && c.col < usize::from(area.width)
            {
                cursor = Some(Position::new(
                    area.x + c.col as u16,
                    area.y + (c.line - copy.top) as u16,
                ));
            }
            continue;
        }
        // A screen larger than the pane (another client sized it) is shown around its cursor.
        let offset = screen::screen_offset(area, pane.screen);
        draw_screen(
            buf,
            area,
            pane.screen,
            pane.changes,
            view.depth,
            offset,
            Some(&mut *cache),
        );
        if view.numbers {
            draw_number(buf, area, i, pane.focused, view.theme);
        }
        if pane.focused && !pane.screen.hide_cursor() {
            let (row, col) = pane.screen.cursor_position();
            let (row, col) = (row.saturating_sub(offset.0), col.saturating_sub(offset.1));
            if row < area.height && col < area.width {
                cursor = Some(Position::new(area.x + col, area.y + row));
            }
        }
    }
    draw_borders(buf, view);
    if !view.floats.is_empty() {
        let clip = view.areas.panes.intersection(area);
        let top = float::draw_floats(buf, clip, &view.floats, view.theme, view.depth);
        if view.floats.iter().any(|f| f.pane.focused) {
            cursor = top;
        }
    }
    if view
        .panes
        .iter()
        .all(|p| p.area.intersection(area).is_empty())
    {
        draw_placeholder(buf, view.areas.panes.intersection(area));
    }
    if let (Some(sb), Some(rect)) = (&view.sidebar, view.areas.sidebar) {
        sidebar::draw(buf, rect, sb, view.areas.sidebar_left, view.theme);
    }
    if let Some(pager) = view.overlay {
        overlay::draw_pager(buf, view.areas.panes, pager);
        cursor = None;
    }
    if let Some(sw) = &view.switcher {
        switcher::draw_switcher(buf, view.areas.panes, sw, view.depth);
        cursor = None;
    }
    if let (Some(status), Some(line)) = (&view.status, view.areas.status) {
        draw_status(buf, line, status, view.theme);
    }
    // Pane cells are drawn at the client's depth and the theme comes at it; what is left is
    // the few fixed colours (the pager's), which only a terminal without colour cannot show.
    if view.depth == color::ColorDepth::None {
        color::downsample_buffer(buf, view.depth);
    }
    cursor
}

/// Copy mode: the snapshot's visible lines with the selection and search matches styled.
fn draw_copy(
    buf: &mut Buffer,
    area: Rect,
    copy: &crate::copy::CopyMode,
    theme: &crate::config::theme::Theme,
) {
    buf.set_style(area, Style::reset());
    for (row, (line, text)) in copy.visible().enumerate() {
        let y = area.y + row as u16;
        if y >= area.bottom() {
            break;
        }
        for x in area.left()..area.right() {
            buf[(x, y)].set_symbol(" ");
        }
        buf.set_stringn(area.x, y, text, usize::from(area.width), Style::new());
        for (col, len) in copy.matches_on(line) {
            for c in col..col + len {
                if c < usize::from(area.width) {
                    buf[(area.x + c as u16, y)].set_style(theme.copy.search_match);
                }
            }
        }
        for c in 0..usize::from(area.width) {
            if copy.selected(line, c) {
                buf[(area.x + c as u16, y)].set_style(theme.copy.selection);
            }
        }
    }
    let pos = format!("[{}/{}]", copy.cursor.line + 1, copy.lines().len());
    if area.width as usize > pos.len() && area.height > 0 {
        buf.set_stringn(
            area.right() - pos.len() as u16,
            area.y,
            &pos,
            pos.len(),
            theme.copy.position,
        );
    }
}

/// Nothing fits: a dotted area, like tmux shows for a terminal too small for its layout.
fn draw_placeholder(buf: &mut Buffer, area: Rect) {
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            buf[(x, y)].set_symbol("·");
        }
    }
}

/// A pane's number in its centre, as `C-b q` shows it.
fn draw_number(
    buf: &mut Buffer,
    area: Rect,
    i: usize,
    focused: bool,
    theme: &crate::config::theme::Theme,
) {
    if area.is_empty() {
        return;
    }
    let text = format!(" {i} ");
    let style = if focused {
        theme.pane_numbers.active
    } else {
        theme.pane_numbers.inactive
    };
    let x = area.x + area.width.saturating_sub(text.len() as u16) / 2;
    let y = area.y + area.height / 2;
    buf.set_stringn(x, y, &text, usize::from(area.width), style);
}

/// The OSC 52 sequence that puts `text` on the outer terminal's clipboard.
pub fn osc52(text: &str) -> Vec<u8> {
    let mut out = b"\x1b]52;c;".to_vec();
    out.extend_from_slice(base64(text.as_bytes()).as_bytes());
    out.push(0x07);
    out
}

/// Standard base64 with padding (the one place appmux needs it).
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Pane borders, joined with box-drawing junctions; the segments touching the focused pane are
/// drawn in the active colour, like tmux.
fn draw_borders(buf: &mut Buffer, view: &View) {
    let inactive = view.theme.border.inactive;
    let active = view.theme.border.active;
    let area = buf.area;
    for b in &view.borders {
        let touches = view
            .active_pane
            .is_some_and(|p| b.before == p || b.after == p);
        let style = if touches { active } else { inactive };
        let r = b.rect.intersection(area);
        for y in r.top()..r.bottom() {
            for x in r.left()..r.right() {
                let glyph = crate::layout::border_glyph(&view.borders, x, y).unwrap_or('│');
                let mut tmp = [0u8; 4];
                buf[(x, y)]
                    .set_symbol(glyph.encode_utf8(&mut tmp))
                    .set_style(style);
            }
        }
    }
}

fn draw_status(
    buf: &mut Buffer,
    line: Rect,
    status: &StatusView,
    theme: &crate::config::theme::Theme,
) {
    let base = theme.status.base;
    buf.set_style(line, base);
    let mut x = line.x;
    let right_edge = line.right();
    let mut put = |buf: &mut Buffer, text: &str, style: Style| {
        if x < right_edge {
            let (nx, _) = buf.set_stringn(x, line.y, text, (right_edge - x) as usize, style);
            x = nx;
        }
    };
    put(buf, status.left, base);
    if let Some(msg) = &status.message {
        put(buf, msg, base.patch(theme.status.message));
        return;
    }
    for (label, active) in &status.tabs {
        let style = if *active {
            base.patch(theme.status.active_tab)
        } else {
            base.patch(theme.status.tab)
        };
        put(buf, label, style);
        put(buf, " ", base);
    }
    let right = if status.prefix_active {
        "(prefix) "
    } else {
        status.right
    };
    let width = unicode_width(right);
    if width + 1 < line.width as usize && x as usize + width < right_edge as usize {
        let rx = right_edge - width as u16;
        buf.set_stringn(rx, line.y, right, width, base);
    }
}

fn unicode_width(s: &str) -> usize {
    ratatui::text::Span::raw(s).width()
}

/// Every cell of a client screen as the eye sees it (a never-written cell and a space look the
/// same), for tests that compare what two clients show.
#[cfg(test)]
pub(crate) fn visible_cells(
    s: &vt100::Screen,
) -> Vec<(String, vt100::Color, vt100::Color, [bool; 5])> {
    let (rows, cols) = s.size();
    let mut cells = Vec::new();
    for row in 0..rows.get() {
        for col in 0..cols.get() {
            let c = s.cell(row, col).unwrap();
            let text = if c.has_contents() { c.contents() } else { " " };
            let attrs = [c.bold(), c.dim(), c.italic(), c.underline(), c.inverse()];
            cells.push((text.to_owned(), c.fgcolor(), c.bgcolor(), attrs));
        }
    }
    cells
}

/// Checks that two clients show the same thing: every cell as the eye sees it, and the cursor.
#[cfg(test)]
pub(crate) fn check_same_screen(
    got: &vt100::Screen,
    want: &vt100::Screen,
) -> Result<(), proptest::test_runner::TestCaseError> {
    proptest::prop_assert!(
        visible_cells(got) == visible_cells(want),
        "the client shows\n{}\ninstead of\n{}",
        got.contents(),
        want.contents()
    );
    proptest::prop_assert_eq!(got.hide_cursor(), want.hide_cursor());
    if !want.hide_cursor() {
        proptest::prop_assert_eq!(got.cursor_position(), want.cursor_position());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
