//! Floating pane geometry: where a floating pane sits over a tab's pane area, as plain data.
//!
//! A [`FloatRect`] is the outer rectangle of a floating pane (its border included), in cells,
//! relative to the top-left corner of the pane area. It is kept in cells, not proportions, so a
//! pane moved by a key moves by exactly that; [`FloatRect::place`] clamps it into whatever area
//! a client has, so a float never reaches outside the pane area. Sizes given as `80%` or `40`
//! ([`Extent`]) resolve against the area. Pure: no drawing, no apps.

use ratatui::layout::Rect;
use serde::{Deserialize, Serialize};

use super::Direction;

/// The smallest outer size of a floating pane: its border and a few cells inside.
pub const MIN_WIDTH: u16 = 6;
pub const MIN_HEIGHT: u16 = 3;

/// A floating pane's outer rectangle, relative to the pane area's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloatRect {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
}

/// A width or height as the user gives it: cells (`40`) or a share of the area (`80%`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Extent {
    Cells(u16),
    Percent(u8),
}

impl Extent {
    pub const EXPECTED: &'static str = "a number of cells (1 to 1000) or a percentage (1% to 100%)";

    /// `40` or `80%`; None for anything else (0, over 100%, over 1000 cells).
    pub fn parse(s: &str) -> Option<Extent> {
        if let Some(p) = s.strip_suffix('%') {
            let n: u8 = p.parse().ok()?;
            return (1..=100).contains(&n).then_some(Extent::Percent(n));
        }
        let n: u16 = s.parse().ok()?;
        (1..=1000).contains(&n).then_some(Extent::Cells(n))
    }

    /// Cells out of `total`, at least 1.
    pub fn of(self, total: u16) -> u16 {
        match self {
            Extent::Cells(n) => n,
            Extent::Percent(p) => (u32::from(total) * u32::from(p) / 100) as u16,
        }
        .max(1)
    }
}

impl std::fmt::Display for Extent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Extent::Cells(n) => write!(f, "{n}"),
            Extent::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl FloatRect {
    /// A rectangle of the given outer size centred in an area of `area_w` x `area_h`, clamped
    /// to fit it.
    pub fn centered(area_w: u16, area_h: u16, width: Extent, height: Extent) -> FloatRect {
        let width = width.of(area_w).clamp(MIN_WIDTH.min(area_w), area_w.max(1));
        let height = height
            .of(area_h)
            .clamp(MIN_HEIGHT.min(area_h), area_h.max(1));
        FloatRect {
            x: (area_w.saturating_sub(width)) / 2,
            y: (area_h.saturating_sub(height)) / 2,
            width,
            height,
        }
    }

    /// The default for a new floating pane: 80% x 80%, centred.
    pub fn default_in(area_w: u16, area_h: u16) -> FloatRect {
        Self::centered(area_w, area_h, Extent::Percent(80), Extent::Percent(80))
    }

    /// Where it is drawn in `area`: shrunk to fit, then moved inside, so it never leaves the area.
    pub fn place(self, area: Rect) -> Rect {
        let width = self.width.clamp(1, area.width.max(1)).min(area.width);
        let height = self.height.clamp(1, area.height.max(1)).min(area.height);
        let x = self.x.min(area.width - width);
        let y = self.y.min(area.height - height);
        Rect::new(area.x + x, area.y + y, width, height)
    }

    /// The inside of a placed rectangle (its border taken off): where the app's screen goes.
    pub fn inner(outer: Rect) -> Rect {
        Rect::new(
            outer.x.saturating_add(1),
            outer.y.saturating_add(1),
            outer.width.saturating_sub(2),
            outer.height.saturating_sub(2),
        )
    }

    /// Moved by `cells` in `dir`, kept inside an area of `area_w` x `area_h`.
    pub fn moved(self, dir: Direction, cells: u16, area_w: u16, area_h: u16) -> FloatRect {
        let max_x = area_w.saturating_sub(self.width);
        let max_y = area_h.saturating_sub(self.height);
        let mut r = self;
        match dir {
            Direction::Left => r.x = r.x.min(max_x).saturating_sub(cells),
            Direction::Right => r.x = r.x.saturating_add(cells).min(max_x),
            Direction::Up => r.y = r.y.min(max_y).saturating_sub(cells),
            Direction::Down => r.y = r.y.saturating_add(cells).min(max_y),
        }
        r
    }

    /// Moved so its top-left corner is at (`x`, `y`) of the area, kept inside it.
    pub fn moved_to(self, x: u16, y: u16, area_w: u16, area_h: u16) -> FloatRect {
        FloatRect {
            x: x.min(area_w.saturating_sub(self.width)),
            y: y.min(area_h.saturating_sub(self.height)),
            ..self
        }
    }

    /// Its right or bottom edge moved by `cells` in `dir` (left and up shrink, right and down
    /// grow), never below the minimum size nor past the area.
    pub fn resized(self, dir: Direction, cells: u16, area_w: u16, area_h: u16) -> FloatRect {
        let max_w = area_w.saturating_sub(self.x).max(MIN_WIDTH.min(area_w));
        let max_h = area_h.saturating_sub(self.y).max(MIN_HEIGHT.min(area_h));
        let mut r = self;
        match dir {
            Direction::Left => r.width = r.width.saturating_sub(cells).max(MIN_WIDTH),
            Direction::Right => r.width = r.width.saturating_add(cells),
            Direction::Up => r.height = r.height.saturating_sub(cells).max(MIN_HEIGHT),
            Direction::Down => r.height = r.height.saturating_add(cells),
        }
        r.width = r.width.min(max_w);
        r.height = r.height.min(max_h);
        r
    }

    /// Its bottom-right corner dragged to (`x`, `y`) of the area (inclusive cells).
    pub fn resized_to(self, x: u16, y: u16, area_w: u16, area_h: u16) -> FloatRect {
        let width = (x.saturating_sub(self.x) + 1)
            .max(MIN_WIDTH)
            .min(area_w.saturating_sub(self.x));
        let height = (y.saturating_sub(self.y) + 1)
            .max(MIN_HEIGHT)
            .min(area_h.saturating_sub(self.y));
        FloatRect {
            width: width.max(1),
            height: height.max(1),
            ..self
        }
    }

    /// Whether the values are possible at all (a saved file's): a non-empty size within bounds.
    pub fn is_sane(self) -> bool {
        (1..=10_000).contains(&self.width)
            && (1..=10_000).contains(&self.height)
            && self.x <= 10_000
            && self.y <= 10_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::{Down, Left, Right, Up};

    fn r(x: u16, y: u16, width: u16, height: u16) -> FloatRect {
        FloatRect {
            x,
            y,
            width,
            height,
        }
    }

    #[test]
    fn extents_parse_cells_and_percentages_and_refuse_the_rest() {
        assert_eq!(Extent::parse("40"), Some(Extent::Cells(40)));
        assert_eq!(Extent::parse("80%"), Some(Extent::Percent(80)));
        for bad in ["", "0", "0%", "101%", "1001", "-5", "5 %", "abc", "%"] {
            assert_eq!(Extent::parse(bad), None, "{bad}");
        }
        assert_eq!(Extent::Percent(80).of(100), 80);
        assert_eq!(Extent::Percent(50).of(1), 1);
        assert_eq!(Extent::Cells(7).to_string(), "7");
        assert_eq!(Extent::Percent(7).to_string(), "7%");
    }

    #[test]
    fn a_new_float_is_centred_at_eighty_percent() {
        assert_eq!(FloatRect::default_in(100, 50), r(10, 5, 80, 40));
        // Cells larger than the area are clamped to it.
        assert_eq!(
            FloatRect::centered(20, 10, Extent::Cells(500), Extent::Cells(500)),
            r(0, 0, 20, 10)
        );
        // Tiny sizes still give the minimum where the area allows.
        assert_eq!(
            FloatRect::centered(20, 10, Extent::Cells(1), Extent::Percent(1)),
            r(7, 3, MIN_WIDTH, MIN_HEIGHT)
        );
    }

    #[test]
    fn placing_clamps_into_the_area() {
        let area = Rect::new(2, 1, 40, 20);
        assert_eq!(r(5, 5, 10, 5).place(area), Rect::new(7, 6, 10, 5));
        // Off the right and bottom: pushed back in.
        assert_eq!(r(38, 19, 10, 5).place(area), Rect::new(32, 16, 10, 5));
        // Larger than the area: shrunk to it.
        assert_eq!(r(0, 0, 90, 90).place(area), area);
        assert_eq!(
            r(3, 3, 10, 10).place(Rect::new(0, 0, 0, 0)),
            Rect::new(0, 0, 0, 0)
        );
        assert_eq!(
            FloatRect::inner(Rect::new(7, 6, 10, 5)),
            Rect::new(8, 7, 8, 3)
        );
    }

    #[test]
    fn moving_stays_inside_the_area() {
        let f = r(10, 5, 20, 10);
        assert_eq!(f.moved(Left, 3, 50, 30), r(7, 5, 20, 10));
        assert_eq!(f.moved(Left, 30, 50, 30), r(0, 5, 20, 10));
        assert_eq!(f.moved(Right, 100, 50, 30), r(30, 5, 20, 10));
        assert_eq!(f.moved(Up, 9, 50, 30), r(10, 0, 20, 10));
        assert_eq!(f.moved(Down, 100, 50, 30), r(10, 20, 20, 10));
        assert_eq!(f.moved_to(45, 1, 50, 30), r(30, 1, 20, 10));
    }

    #[test]
    fn resizing_keeps_a_minimum_and_stays_inside() {
        let f = r(10, 5, 20, 10);
        assert_eq!(f.resized(Right, 5, 50, 30), r(10, 5, 25, 10));
        assert_eq!(f.resized(Right, 100, 50, 30), r(10, 5, 40, 10));
        assert_eq!(f.resized(Left, 100, 50, 30), r(10, 5, MIN_WIDTH, 10));
        assert_eq!(f.resized(Down, 100, 50, 30), r(10, 5, 20, 25));
        assert_eq!(f.resized(Up, 100, 50, 30), r(10, 5, 20, MIN_HEIGHT));
        assert_eq!(f.resized_to(39, 9, 50, 30), r(10, 5, 30, 5));
        assert_eq!(f.resized_to(0, 0, 50, 30), r(10, 5, MIN_WIDTH, MIN_HEIGHT));
        assert_eq!(f.resized_to(200, 200, 50, 30), r(10, 5, 40, 25));
    }

    #[test]
    fn saved_values_are_range_checked() {
        assert!(r(1, 1, 10, 10).is_sane());
        assert!(!r(1, 1, 0, 10).is_sane());
        assert!(!r(1, 1, 10, 60_000).is_sane());
    }
}
