//! Selecting text with the mouse, as tmux's default bindings do: a left-button drag in a pane
//! selects from where it went down (entering copy mode on a snapshot) and releasing copies the
//! selection and leaves copy mode; a double click selects a word and a triple click a line,
//! copies it and shows it for a moment. Counting clicks ([`Clicks`]) is pure, with the time of
//! each press passed in.

use std::time::{Duration, Instant};

use ratatui::layout::Rect;

use crate::layout::PaneId;
use crate::server::Server;
use crate::server::model::{ClientId, SessionId};
use crate::server::modes::{ClientMode, CopyState};

/// Presses this close together, on the same cell, make a double or triple click.
pub const CLICK_GAP: Duration = Duration::from_millis(400);

/// How long a double- or triple-click selection stays shown after it was copied.
pub const SHOW_SELECTION: Duration = Duration::from_millis(300);

/// The last left press: when, where, and how many clicks it made.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clicks {
    last: Option<(Instant, u16, u16, u8)>,
}

impl Clicks {
    /// Counts a press at `at` on cell (`col`, `row`): 1, 2 or 3 for a single, double or
    /// triple click; a fourth quick click starts again at 1, as in tmux.
    pub fn press(&mut self, at: Instant, col: u16, row: u16) -> u8 {
        let count = match self.last {
            Some((t, c, r, n))
                if c == col && r == row && at.saturating_duration_since(t) <= CLICK_GAP =>
            {
                n % 3 + 1
            }
            _ => 1,
        };
        self.last = Some((at, col, row, count));
        count
    }
}

/// (column, row) of a client-screen point inside `rect`, clamped to its edges.
fn in_rect(rect: Rect, col: u16, row: u16) -> (u16, u16) {
    (
        col.saturating_sub(rect.x).min(rect.width.saturating_sub(1)),
        row.saturating_sub(rect.y)
            .min(rect.height.saturating_sub(1)),
    )
}

impl Server {
    /// The client's copy state on `pane`, taking it out of the client's mode, or a new
    /// snapshot of the pane. `None` when the pane has no app, or while a prompt, the pager or
    /// the switcher is open (a selection does not replace them).
    fn copy_state_on(
        &mut self,
        id: ClientId,
        session: SessionId,
        pane: PaneId,
    ) -> Option<Box<CopyState>> {
        let a = self.attached_mut(id)?;
        if !matches!(
            a.mode,
            ClientMode::Normal | ClientMode::Sidebar | ClientMode::Copy(_)
        ) {
            return None;
        }
        if matches!(&a.mode, ClientMode::Copy(c) if c.pane == pane)
            && let ClientMode::Copy(state) = std::mem::replace(&mut a.mode, ClientMode::Normal)
        {
            return Some(state);
        }
        self.copy_snapshot(id, session, pane).map(Box::new)
    }

    /// A left press in `pane` at (`col`, `row`) of the client's screen: focuses the pane and
    /// counts the click; a plain click leaves the sidebar or copy mode, unless it lands in the
    /// pane's own copy mode.
    pub(super) fn pane_press(
        &mut self,
        id: ClientId,
        session: SessionId,
        (pane, rect): (PaneId, Rect),
        at: (u16, u16),
        now: Instant,
    ) {
        let Some(a) = self.attached_mut(id) else {
            return;
        };
        // A read-only client selects and copies for itself, and changes no focus.
        let read_only = a.read_only;
        if !read_only {
            let _ = self.session_mut(session).and_then(|s| s.focus_pane(pane));
        }
        let Some(a) = self.attached_mut(id) else {
            return;
        };
        let count = a.clicks.press(now, at.0, at.1);
        a.press = Some((pane, at.0, at.1));
        if !self.select_press(id, session, (pane, rect), at, (count, now))
            && let Some(a) = self.attached_mut(id)
            && matches!(a.mode, ClientMode::Sidebar | ClientMode::Copy(_))
        {
            a.mode = ClientMode::Normal;
            a.dirty = true;
        }
        if !read_only {
            self.session_changed(session);
        }
    }

    /// A left press on `pane` at (`col`, `row`) of the client's screen, the `count`th click.
    /// A single click in the pane's copy mode moves its cursor there; a double click selects
    /// the word and a triple click the line, and copies it. True when it handled the press
    /// (otherwise it is a plain click that focuses the pane).
    fn select_press(
        &mut self,
        id: ClientId,
        session: SessionId,
        (pane, rect): (PaneId, Rect),
        (col, row): (u16, u16),
        (count, now): (u8, Instant),
    ) -> bool {
        let in_copy = self
            .attached_mut(id)
            .is_some_and(|a| matches!(&a.mode, ClientMode::Copy(c) if c.pane == pane));
        if count == 1 && !in_copy {
            return false;
        }
        let Some(mut state) = self.copy_state_on(id, session, pane) else {
            return false;
        };
        let (c, r) = in_rect(rect, col, row);
        let at = state.mode.pos_in_view(r, c);
        state.dragged = false;
        state.close_at = None;
        match count {
            1 => state.mode.click(at),
            2 => state.mode.select_word(at),
            _ => state.mode.select_line(at),
        }
        if count > 1 {
            if let Some(text) = state.mode.selected_text() {
                self.yank(id, text);
            }
            state.close_at = Some(now + SHOW_SELECTION);
        }
        self.set_mode(id, ClientMode::Copy(state));
        true
    }

    /// A left-button drag from a press in a pane: the selection follows it, in copy mode.
    pub(super) fn select_drag(
        &mut self,
        id: ClientId,
        session: SessionId,
        (pane, press_col, press_row): (PaneId, u16, u16),
        rect: Rect,
        (col, row): (u16, u16),
    ) {
        let Some(mut state) = self.copy_state_on(id, session, pane) else {
            return;
        };
        if !state.dragged {
            // The drag starts where the button went down.
            let (c, r) = in_rect(rect, press_col, press_row);
            let from = state.mode.pos_in_view(r, c);
            state.mode.click(from);
            state.dragged = true;
            state.close_at = None;
            state.exit_at_bottom = false;
        }
        // Past the pane's top or bottom edge the view scrolls a line an event, as in tmux.
        if row < rect.y {
            state.mode.scroll_view(-1);
        } else if row >= rect.bottom() {
            state.mode.scroll_view(1);
        }
        let (c, r) = in_rect(rect, col, row);
        let to = state.mode.pos_in_view(r, c);
        state.mode.drag_to(to);
        self.set_mode(id, ClientMode::Copy(state));
    }

    /// The left button came up: a drag's selection is copied and copy mode left.
    pub(super) fn select_release(&mut self, id: ClientId) {
        let Some(a) = self.attached_mut(id) else {
            return;
        };
        a.press = None;
        let ClientMode::Copy(state) = &a.mode else {
            return;
        };
        if !state.dragged {
            return;
        }
        let text = state.mode.selected_text();
        self.set_mode(id, ClientMode::Normal);
        if let Some(text) = text.filter(|t| !t.is_empty()) {
            self.yank(id, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_presses_on_one_cell_count_up_to_three() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut c = Clicks::default();
        assert_eq!(c.press(t0, 5, 5), 1);
        assert_eq!(c.press(ms(200), 5, 5), 2);
        assert_eq!(c.press(ms(500), 5, 5), 3, "each gap counts, not the total");
        assert_eq!(c.press(ms(600), 5, 5), 1, "a fourth starts again");
        assert_eq!(c.press(ms(700), 6, 5), 1, "another cell");
        assert_eq!(c.press(ms(1200), 6, 5), 1, "too slow");
        assert_eq!(c.press(ms(1600), 6, 5), 2, "exactly the gap still counts");
        // A clock that went backwards (an event stamped earlier) is not a long gap.
        assert_eq!(c.press(ms(1500), 6, 5), 3);
    }

    #[test]
    fn points_are_clamped_to_the_pane() {
        let r = Rect::new(10, 2, 20, 5);
        assert_eq!(in_rect(r, 12, 3), (2, 1));
        assert_eq!(in_rect(r, 0, 0), (0, 0));
        assert_eq!(in_rect(r, 99, 99), (19, 4));
    }
}
