//! State to buffer: panes (cells copied from their vt100 screens) and the status line, drawn
//! into a ratatui buffer for one client. No IO and no server state here: the caller hands in a
//! [`View`] of plain data and gets a frame; [`backend`] turns frames into bytes.

pub mod backend;
pub mod overlay;
pub mod screen;
pub mod sidebar;

pub use screen::{color, draw_screen};

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};

/// One pane to draw: which screen, where, and whether it has focus (it gets the cursor).
pub struct PaneView<'a> {
    pub area: Rect,
    pub screen: &'a vt100::Screen,
    pub focused: bool,
}

/// The status line.
pub struct StatusView<'a> {
    pub session: &'a str,
    /// Tab labels, the active one marked.
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
pub fn areas(size: crate::protocol::Size, chrome: Chrome) -> Areas {
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
pub fn pane_area(size: crate::protocol::Size, status: bool) -> Rect {
    areas(
        size,
        Chrome {
            status,
            ..Chrome::PLAIN
        },
    )
    .panes
}

/// Draws `view` into the frame.
pub fn draw(frame: &mut Frame, view: &View) {
    let area = frame.area();
    let buf = frame.buffer_mut();
    let mut cursor = None;
    for pane in &view.panes {
        let area = pane.area.intersection(area);
        draw_screen(buf, area, pane.screen);
        if pane.focused && !pane.screen.hide_cursor() {
            let (row, col) = pane.screen.cursor_position();
            if row < area.height && col < area.width {
                cursor = Some(Position::new(area.x + col, area.y + row));
            }
        }
    }
    if let (Some(sb), Some(rect)) = (&view.sidebar, view.areas.sidebar) {
        sidebar::draw(buf, rect, sb, view.areas.sidebar_left);
    }
    if let Some(pager) = view.overlay {
        overlay::draw_pager(buf, view.areas.panes, pager);
        cursor = None;
    }
    if let (Some(status), Some(line)) = (&view.status, view.areas.status) {
        draw_status(buf, line, status);
    }
    if let Some(pos) = cursor {
        frame.set_cursor_position(pos);
    }
}

fn draw_status(buf: &mut Buffer, line: Rect, status: &StatusView) {
    let base = Style::new().fg(Color::Black).bg(Color::Green);
    buf.set_style(line, base);
    let mut x = line.x;
    let right_edge = line.right();
    let mut put = |buf: &mut Buffer, text: &str, style: Style| {
        if x < right_edge {
            let (nx, _) = buf.set_stringn(x, line.y, text, (right_edge - x) as usize, style);
            x = nx;
        }
    };
    put(buf, &format!("[{}] ", status.session), base);
    if let Some(msg) = &status.message {
        put(buf, msg, base.add_modifier(Modifier::BOLD));
        return;
    }
    for (label, active) in &status.tabs {
        let style = if *active {
            base.add_modifier(Modifier::BOLD)
        } else {
            base
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Size;
    use crate::render::backend::Renderer;

    fn parser(cols: u16, rows: u16, bytes: &[u8]) -> vt100::Parser {
        let mut p = vt100::Parser::new(
            std::num::NonZeroU16::new(rows).unwrap(),
            std::num::NonZeroU16::new(cols).unwrap(),
            0,
        );
        p.process(bytes);
        p
    }

    fn rendered(size: Size, view: &View) -> vt100::Parser {
        let mut r = Renderer::new(size);
        let bytes = r.render(|f| draw(f, view));
        parser(size.cols, size.rows, &bytes)
    }

    #[test]
    fn pane_cells_and_status_line_render() {
        let app = parser(20, 3, b"\x1b[31mred\x1b[m \xe4\xb8\xadwide\r\n$ ");
        let size = Size { cols: 20, rows: 4 };
        let view = View {
            areas: areas(size, Chrome::PLAIN),
            panes: vec![PaneView {
                area: pane_area(size, true),
                screen: app.screen(),
                focused: true,
            }],
            status: Some(StatusView {
                session: "work",
                tabs: vec![("0:sh*".into(), true)],
                right: "C-b d",
                prefix_active: false,
                message: None,
            }),
            sidebar: None,
            overlay: None,
        };
        let out = rendered(size, &view);
        let s = out.screen();
        assert_eq!(s.contents(), "red 中wide\n$\n\n[work] 0:sh*   C-b d");
        assert_eq!(s.cell(0, 0).unwrap().fgcolor(), vt100::Color::Idx(1));
        assert_eq!(s.cursor_position(), (1, 2));
    }

    #[test]
    fn smaller_screen_is_padded_and_larger_is_clipped() {
        let small = parser(5, 2, b"abcde\r\nfghij");
        let size = Size { cols: 8, rows: 3 };
        let area = pane_area(size, false);
        let view = View {
            areas: areas(
                size,
                Chrome {
                    status: false,
                    ..Chrome::PLAIN
                },
            ),
            panes: vec![PaneView {
                area,
                screen: small.screen(),
                focused: false,
            }],
            status: None,
            sidebar: None,
            overlay: None,
        };
        assert_eq!(rendered(size, &view).screen().contents(), "abcde\nfghij");

        let big = parser(40, 10, b"0123456789abcdef\r\nrow2");
        let view = View {
            areas: areas(
                size,
                Chrome {
                    status: false,
                    ..Chrome::PLAIN
                },
            ),
            panes: vec![PaneView {
                area,
                screen: big.screen(),
                focused: false,
            }],
            status: None,
            sidebar: None,
            overlay: None,
        };
        assert_eq!(rendered(size, &view).screen().contents(), "01234567\nrow2");
    }

    #[test]
    fn tiny_sizes_do_not_panic() {
        let app = parser(10, 10, b"hello");
        for (cols, rows) in [(1, 1), (2, 2), (1, 5), (500, 200)] {
            let size = Size { cols, rows };
            let chrome = Chrome {
                sidebar: Some(28),
                ..Chrome::PLAIN
            };
            let view = View {
                areas: areas(size, chrome),
                panes: vec![PaneView {
                    area: areas(size, chrome).panes,
                    screen: app.screen(),
                    focused: true,
                }],
                status: Some(StatusView {
                    session: "a-very-long-session-name",
                    tabs: vec![("0:sh*".into(), true)],
                    right: "C-b ? help  C-b d detach",
                    prefix_active: true,
                    message: None,
                }),
                sidebar: Some(sidebar::Sidebar {
                    items: vec![],
                    selected: 0,
                    focused: false,
                    filter: None,
                }),
                overlay: None,
            };
            rendered(size, &view);
        }
    }
}
