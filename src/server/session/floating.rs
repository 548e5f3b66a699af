//! Floating panes of a tab: the layer over its tiled panes, which floating panes it holds,
//! where each sits, which one is on top (and has focus while the layer is shown). Edits of
//! the layer are methods here; geometry is `layout::float`'s.

use ratatui::layout::Rect;

use super::{Session, Window};
use crate::layout::float::FloatRect;
use crate::layout::{Direction, PaneId};
use crate::server::model::AppId;

/// The most floating panes one tab holds.
pub const MAX_FLOATS: usize = 16;

/// One floating pane: the app it shows and its outer rectangle in the pane area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Float {
    pub pane: PaneId,
    pub app: AppId,
    pub rect: FloatRect,
}

/// Which part of a floating pane a point is on (for the mouse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatPart {
    /// The top border: dragging it moves the pane.
    Title,
    /// The bottom-right corner: dragging it resizes the pane.
    Corner,
    /// Anywhere else on it.
    Body,
}

impl Window {
    /// A restored tab with its floating panes (at most [`MAX_FLOATS`]).
    pub fn with_floats(mut self, floats: Vec<Float>, shown: bool) -> Self {
        self.floats = floats.into_iter().take(MAX_FLOATS).collect();
        self.floats_shown = shown;
        self
    }

    /// The floating panes, bottom first.
    pub fn floats(&self) -> &[Float] {
        &self.floats
    }

    pub fn floats_shown(&self) -> bool {
        self.floats_shown && !self.floats.is_empty()
    }

    /// The top floating pane while the layer is shown: it has focus.
    pub fn focused_float(&self) -> Option<&Float> {
        self.floats.last().filter(|_| self.floats_shown)
    }

    /// The floating pane on top at (`x`, `y`) of the screen, and the part of it there.
    pub fn float_at(&self, area: Rect, x: u16, y: u16) -> Option<(PaneId, FloatPart)> {
        if !self.floats_shown {
            return None;
        }
        self.floats.iter().rev().find_map(|f| {
            let r = f.rect.place(area);
            let inside = x >= r.x && x < r.right() && y >= r.y && y < r.bottom();
            inside.then(|| {
                let part = if x + 1 == r.right() && y + 1 == r.bottom() {
                    FloatPart::Corner
                } else if y == r.y {
                    FloatPart::Title
                } else {
                    FloatPart::Body
                };
                (f.pane, part)
            })
        })
    }
}

impl Session {
    /// Shows or hides the floating layer of the active tab; true when it is shown and empty
    /// (the caller opens a floating shell in it).
    pub fn toggle_floats(&mut self) -> Result<bool, String> {
        let w = self.active_window_mut()?;
        w.floats_shown = !w.floats_shown;
        Ok(w.floats_shown && w.floats.is_empty())
    }

    /// Adds a floating pane on top of the active tab's layer, and shows the layer.
    pub fn add_float(&mut self, pane: PaneId, app: AppId, rect: FloatRect) -> Result<(), String> {
        let w = self.active_window_mut()?;
        if w.floats.len() >= MAX_FLOATS {
            return Err(format!("a tab holds at most {MAX_FLOATS} floating panes"));
        }
        w.floats.push(Float { pane, app, rect });
        w.floats_shown = true;
        Ok(())
    }

    /// Whether another floating pane fits in the active tab.
    pub fn can_add_float(&self) -> Result<(), String> {
        let w = self.active_window().ok_or("the session has no window")?;
        if w.floats.len() >= MAX_FLOATS {
            return Err(format!("a tab holds at most {MAX_FLOATS} floating panes"));
        }
        Ok(())
    }

    /// Moves or resizes the focused floating pane within `area` (`resize`: its right or
    /// bottom edge moves).
    pub fn nudge_float(
        &mut self,
        dir: Direction,
        cells: u16,
        resize: bool,
        area: Rect,
    ) -> Result<(), String> {
        let w = self.active_window_mut()?;
        if !w.floats_shown {
            return Err("no floating pane is shown".into());
        }
        let f = w.floats.last_mut().ok_or("no floating pane is shown")?;
        let placed = f.rect.place(area);
        let current = FloatRect {
            x: placed.x - area.x,
            y: placed.y - area.y,
            width: placed.width,
            height: placed.height,
        };
        f.rect = if resize {
            current.resized(dir, cells, area.width, area.height)
        } else {
            current.moved(dir, cells, area.width, area.height)
        };
        Ok(())
    }

    /// Brings floating pane `pane` of the active tab to the top (it gets focus).
    pub fn raise_float(&mut self, pane: PaneId) -> bool {
        let Ok(w) = self.active_window_mut() else {
            return false;
        };
        let Some(i) = w.floats.iter().position(|f| f.pane == pane) else {
            return false;
        };
        let f = w.floats.remove(i);
        w.floats.push(f);
        true
    }

    /// Sets the rectangle of floating pane `pane` of the active tab (a mouse drag).
    pub fn set_float_rect(&mut self, pane: PaneId, rect: FloatRect) -> bool {
        let Ok(w) = self.active_window_mut() else {
            return false;
        };
        match w.floats.iter_mut().find(|f| f.pane == pane) {
            Some(f) if f.rect != rect => {
                f.rect = rect;
                true
            }
            _ => false,
        }
    }

    /// The apps of floating panes whose tab closed since the last call.
    pub fn take_dropped_floats(&mut self) -> Vec<AppId> {
        std::mem::take(&mut self.dropped_floats)
    }

    /// Removes floating pane `pane` wherever it is; the layer hides with its last pane.
    /// Returns the app it showed; None when it is no floating pane.
    pub(super) fn close_float(&mut self, pane: PaneId) -> Option<AppId> {
        let w = self
            .windows
            .iter_mut()
            .find(|w| w.floats.iter().any(|f| f.pane == pane))?;
        let i = w.floats.iter().position(|f| f.pane == pane)?;
        let f = w.floats.remove(i);
        if w.floats.is_empty() {
            w.floats_shown = false;
        }
        Some(f.app)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::model::SessionId;

    fn session() -> Session {
        let mut s = Session::new(
            SessionId(1),
            "s".into(),
            std::time::SystemTime::UNIX_EPOCH,
            crate::size::Size { cols: 80, rows: 24 },
            super::super::Origin::default(),
        );
        s.new_tab("t".into(), PaneId(1), AppId(10));
        s
    }

    #[test]
    fn the_top_float_has_focus_while_the_layer_is_shown() {
        let mut s = session();
        assert_eq!(s.toggle_floats(), Ok(true));
        let rect = FloatRect::default_in(80, 24);
        s.add_float(PaneId(2), AppId(11), rect).unwrap();
        s.add_float(PaneId(3), AppId(12), rect).unwrap();
        assert_eq!(s.focused_app(), Some(AppId(12)));
        assert!(s.raise_float(PaneId(2)));
        assert_eq!(s.focused_app(), Some(AppId(11)));
        // Hidden: the tiled pane has focus again, and the floats are still there.
        assert_eq!(s.toggle_floats(), Ok(false));
        assert_eq!(s.focused_app(), Some(AppId(10)));
        assert!(s.shows(AppId(12)));
        assert_eq!(s.pane_count(), 3);
        assert_eq!(s.toggle_floats(), Ok(false));
        assert_eq!(s.close_pane(PaneId(2)), Ok(Some(AppId(11))));
        assert_eq!(s.close_pane(PaneId(3)), Ok(Some(AppId(12))));
        assert!(!s.active_window().unwrap().floats_shown());
        assert_eq!(s.focused_app(), Some(AppId(10)));
    }

    #[test]
    fn floats_go_with_their_tab() {
        let mut s = session();
        let rect = FloatRect::default_in(80, 24);
        s.new_tab("u".into(), PaneId(4), AppId(13));
        s.add_float(PaneId(5), AppId(14), rect).unwrap();
        assert_eq!(s.close_tab(1), Some(vec![AppId(13), AppId(14)]));
        s.new_tab("v".into(), PaneId(6), AppId(15));
        s.add_float(PaneId(7), AppId(16), rect).unwrap();
        assert_eq!(s.close_pane(PaneId(6)), Ok(Some(AppId(15))));
        assert_eq!(s.take_dropped_floats(), vec![AppId(16)]);
        assert!(s.take_dropped_floats().is_empty());
    }

    #[test]
    fn floats_are_hit_by_title_corner_and_body() {
        let mut s = session();
        let rect = FloatRect {
            x: 10,
            y: 5,
            width: 20,
            height: 8,
        };
        s.add_float(PaneId(2), AppId(11), rect).unwrap();
        let w = s.active_window().unwrap();
        let area = Rect::new(0, 0, 80, 23);
        assert_eq!(w.float_at(area, 12, 5), Some((PaneId(2), FloatPart::Title)));
        assert_eq!(
            w.float_at(area, 29, 12),
            Some((PaneId(2), FloatPart::Corner))
        );
        assert_eq!(w.float_at(area, 15, 8), Some((PaneId(2), FloatPart::Body)));
        assert_eq!(w.float_at(area, 5, 5), None);
        s.nudge_float(Direction::Right, 100, false, area).unwrap();
        assert_eq!(s.active_window().unwrap().floats()[0].rect.x, 60);
    }
}
