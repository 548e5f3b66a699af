//! The mouse: events go to the app under the pointer when it asked for them (unless Shift is
//! held); otherwise a click focuses a pane or selects a sidebar app, dragging a border resizes,
//! dragging in a pane selects text (`select`), and the wheel scrolls a pane's history in copy
//! mode. Over a shown floating layer, the layer has the events first (`server::floats`).

use std::time::Instant;

use ratatui::layout::Rect;

use crate::input::{MouseButton, MouseEvent, MouseKind};
use crate::layout::Border;
use crate::pane::encode;
use crate::server::Server;
use crate::server::model::{ClientId, SessionId};
use crate::server::modes::ClientMode;
use crate::server::modes::READ_ONLY;

impl Server {
    /// Apps that asked for the mouse get its events over their pane; otherwise clicks focus
    /// panes and select sidebar apps, dragging a border resizes and the wheel scrolls history
    /// in copy mode (when the `mouse` option is on).
    pub(super) fn mouse(&mut self, id: ClientId, session: SessionId, m: MouseEvent, now: Instant) {
        let Some(areas) = self.client_areas(id) else {
            return;
        };
        let floats = !self.attached_mut(id).is_some_and(|a| a.read_only)
            && self.float_mouse(id, session, areas.panes, m);
        if floats || self.forward_mouse(id, session, areas.panes, m) || !self.settings.options.mouse
        {
            return;
        }
        let inside = |r: ratatui::layout::Rect| {
            m.col >= r.x && m.col < r.right() && m.row >= r.y && m.row < r.bottom()
        };
        match m.kind {
            MouseKind::Press(MouseButton::Left) => {
                if let Some(sb) = areas.sidebar.filter(|r| inside(*r)) {
                    return self.sidebar_click(id, session, m.row - sb.y);
                }
                let read_only = self.attached_mut(id).is_some_and(|a| a.read_only);
                let Ok(w) = self.window(session) else { return };
                let border = w.layout().border_at(areas.panes, m.col, m.row);
                if read_only && border.is_some() {
                    return self.flash(id, READ_ONLY.into());
                }
                if let Some(b) = border {
                    if let Some(a) = self.attached_mut(id) {
                        a.dragging = Some(b);
                    }
                    return;
                }
                let hit = w
                    .layout()
                    .rects(areas.panes)
                    .into_iter()
                    .find(|(_, r)| inside(*r));
                if let Some(hit) = hit {
                    self.pane_press(id, session, hit, (m.col, m.row), now);
                }
            }
            MouseKind::Drag(MouseButton::Left) => {
                let Some(a) = self.attached_mut(id) else {
                    return;
                };
                let (dragging, press) = (a.dragging.clone(), a.press);
                let Some(b) = dragging else {
                    let rect = press.and_then(|(pane, _, _)| {
                        let w = self.window(session).ok()?;
                        w.layout()
                            .rects(areas.panes)
                            .into_iter()
                            .find(|(p, _)| *p == pane)
                    });
                    if let (Some(press), Some((_, rect))) = (press, rect) {
                        self.select_drag(id, session, press, rect, (m.col, m.row));
                    }
                    return;
                };
                let to = match b.axis {
                    crate::layout::Axis::Horizontal => m.col,
                    crate::layout::Axis::Vertical => m.row,
                };
                if self
                    .session_mut(session)
                    .is_ok_and(|s| s.drag_border(areas.panes, &b, to))
                {
                    self.after_layout_change(session);
                }
            }
            MouseKind::Release(_) => {
                if let Some(a) = self.attached_mut(id) {
                    a.dragging = None::<Border>;
                }
                self.select_release(id);
            }
            MouseKind::ScrollUp | MouseKind::ScrollDown => {
                self.wheel(id, session, areas.panes, m);
            }
            _ => {}
        }
    }

    /// The wheel scrolls a history view three lines a notch, as tmux does: over a pane, up
    /// enters copy mode on it (focusing it, unless the client is read-only); in copy mode it
    /// scrolls the view, and down to the bottom leaves copy mode if the wheel entered it. In
    /// the pager it scrolls the pager.
    pub(super) fn wheel(&mut self, id: ClientId, session: SessionId, panes: Rect, m: MouseEvent) {
        const NOTCH: isize = 3;
        let up = m.kind == MouseKind::ScrollUp;
        let Some(a) = self.attached_mut(id) else {
            return;
        };
        let read_only = a.read_only;
        let mut state = match std::mem::replace(&mut a.mode, ClientMode::Normal) {
            ClientMode::Copy(state) => state,
            ClientMode::Pager { mut pager, typing } => {
                pager.scroll(if up { -NOTCH } else { NOTCH }, self.pager_height(id));
                return self.set_mode(id, ClientMode::Pager { pager, typing });
            }
            mode @ (ClientMode::Normal | ClientMode::Sidebar) if up => {
                let pane = self
                    .window(session)
                    .ok()
                    .and_then(|w| w.layout().pane_at(panes, m.col, m.row));
                let Some(pane) = pane else {
                    return self.restore_mode(id, mode);
                };
                if !read_only && self.window(session).is_ok_and(|w| w.active() != pane) {
                    let _ = self.session_mut(session).and_then(|s| s.focus_pane(pane));
                    self.session_changed(session);
                }
                let Some(mut state) = self.copy_snapshot(id, session, pane) else {
                    return self.restore_mode(id, mode);
                };
                state.exit_at_bottom = true;
                Box::new(state)
            }
            mode => return self.restore_mode(id, mode),
        };
        state.mode.scroll_view(if up { -NOTCH } else { NOTCH });
        if !up && state.exit_at_bottom && state.mode.at_bottom() {
            return self.set_mode(id, ClientMode::Normal);
        }
        self.set_mode(id, ClientMode::Copy(state));
    }

    /// Sends a mouse event to the app under the pointer, or to the one that got the press
    /// until the release, when that app asked for mouse reports; true when it did (the event
    /// is then the app's, even if its mode reports nothing for it). A press also focuses the
    /// pane, as tmux does.
    pub(super) fn forward_mouse(
        &mut self,
        id: ClientId,
        session: SessionId,
        panes: ratatui::layout::Rect,
        m: MouseEvent,
    ) -> bool {
        let Some(a) = self.attached_mut(id) else {
            return false;
        };
        if a.read_only || a.dragging.is_some() || a.mode != ClientMode::Normal {
            return false;
        }
        let grab = a.mouse_grab;
        // Shift takes the mouse back from the app, to select text (as in tmux and most
        // terminals); an app that got the press keeps the rest of that drag.
        if m.mods.shift && grab.is_none() {
            return false;
        }
        let Ok(w) = self.window(session) else {
            return false;
        };
        let rects = w.layout().rects(panes);
        let inside = |r: &ratatui::layout::Rect| {
            m.col >= r.x && m.col < r.right() && m.row >= r.y && m.row < r.bottom()
        };
        let target = grab
            .and_then(|g| rects.iter().find(|(p, _)| *p == g))
            .or_else(|| rects.iter().find(|(_, r)| inside(r)))
            .copied();
        let Some((pane, rect)) = target else {
            return false;
        };
        let Some(app) = w.panes().get(&pane).and_then(|app| self.apps.get(app)) else {
            return false;
        };
        let (mode, encoding) = app.term().mouse();
        if mode == vt100::MouseProtocolMode::None || app.process().is_none() {
            if let Some(a) = self.attached_mut(id) {
                a.mouse_grab = None;
            }
            return false;
        }
        // Relative to the pane (and to the part of the screen it shows, when another client
        // made the screen larger); a drag past its edge stays on the edge.
        let (row_off, col_off) =
            crate::render::screen::screen_offset(rect, app.term().display_screen());
        let event = MouseEvent {
            col: m
                .col
                .saturating_sub(rect.x)
                .min(rect.width.saturating_sub(1))
                .saturating_add(col_off),
            row: m
                .row
                .saturating_sub(rect.y)
                .min(rect.height.saturating_sub(1))
                .saturating_add(row_off),
            ..m
        };
        let mut out = Vec::new();
        if encode::encode_mouse(event, mode, encoding, &mut out)
            && let Some(p) = app.process()
            && let Err(e) = p.write(out)
        {
            tracing::debug!(app = %app.name(), "mouse event dropped: {e}");
        }
        let press = matches!(m.kind, MouseKind::Press(_));
        let focused = w.active() == pane;
        if let Some(a) = self.attached_mut(id) {
            a.mouse_grab = match m.kind {
                MouseKind::Press(_) => Some(pane),
                MouseKind::Release(_) => None,
                _ => a.mouse_grab,
            };
        }
        if press
            && !focused
            && self
                .session_mut(session)
                .is_ok_and(|s| s.focus_pane(pane).is_ok())
        {
            self.session_changed(session);
        }
        true
    }
}
