//! Window layout: a tree of splits whose leaves are panes, and all geometry derived from it.
//!
//! This module owns the shape of one window (which panes it holds, how they nest, their relative
//! sizes, which one is zoomed) and every computation on that shape: pane rectangles, borders,
//! hit testing, focus by direction, resizing, border drags and the tmux presets. It is pure
//! data and must stay so: no IO, no pane contents, no drawing, no knowledge of apps or clients.
//! The server keeps one `Layout` per window and asks it for rectangles whenever the area
//! changes, so sizes are stored as relative integer weights and never as cells; a window keeps
//! its proportions across client sizes.
//!
//! Every operation keeps these invariants (and loading a saved layout checks them): a pane
//! appears once; a split has at least two children; a split never has a child split along its
//! own axis (tmux's rule: splitting a pane along its parent's axis adds a sibling instead of
//! nesting); weights are positive.

use std::collections::HashSet;

use ratatui::layout::{Position, Rect, Size};
use serde::{Deserialize, Serialize};

/// The narrowest a pane gets while the area allows: two columns so a double-width character
/// still fits.
pub const MIN_WIDTH: u16 = 2;
/// The shortest a pane gets while the area allows: one row is still a usable prompt.
pub const MIN_HEIGHT: u16 = 1;

/// Identifies a pane within the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PaneId(pub u64);

/// The direction in which a split lays out its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Axis {
    /// Side by side, separated by vertical lines (tmux `%`, `split-window -h`).
    Horizontal,
    /// Stacked, separated by horizontal lines (tmux `"`).
    Vertical,
}

/// A direction on screen, for focus moves and resizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    Left,
    Right,
    Up,
    Down,
}

/// The tmux layout presets that `C-b Space` cycles through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Preset {
    EvenHorizontal,
    EvenVertical,
    MainVertical,
    MainHorizontal,
    Tiled,
}

/// A window's split tree; see the module header for its invariants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Saved")]
pub struct Layout {
    /// `None` only after the last pane was closed.
    root: Option<Node>,
    zoomed: Option<PaneId>,
}

/// One line segment of border between two panes, as returned by [`Layout::borders`].
///
/// A border between two children of a split is cut into segments wherever the pane on either
/// side changes, so a renderer can highlight exactly the cells next to the active pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Border {
    /// The cells: one column wide for a `Horizontal` split, one row high for a `Vertical` one.
    pub rect: Rect,
    /// The axis of the split this border belongs to.
    pub axis: Axis,
    /// The pane on the left (or top) side of this segment.
    pub before: PaneId,
    /// The pane on the right (or bottom) side of this segment.
    pub after: PaneId,
    /// The split node (child indices from the root) and the child after which the border sits;
    /// `drag` uses them to find the border again.
    path: Vec<usize>,
    index: usize,
}

impl Direction {
    /// The split axis along which moving in this direction happens.
    pub fn axis(self) -> Axis {
        match self {
            Direction::Left | Direction::Right => Axis::Horizontal,
            Direction::Up | Direction::Down => Axis::Vertical,
        }
    }

    /// Whether this direction goes toward larger coordinates.
    fn forward(self) -> bool {
        matches!(self, Direction::Right | Direction::Down)
    }
}

impl Preset {
    /// Every preset, in the order `C-b Space` visits them.
    pub const ALL: [Preset; 5] = [
        Preset::EvenHorizontal,
        Preset::EvenVertical,
        Preset::MainHorizontal,
        Preset::MainVertical,
        Preset::Tiled,
    ];

    /// The next preset in tmux's `next-layout` order, wrapping around.
    pub fn next(self) -> Preset {
        let i = Preset::ALL.iter().position(|&p| p == self).unwrap_or(0);
        Preset::ALL[(i + 1) % Preset::ALL.len()]
    }

    /// The tmux name, as used by `select-layout`.
    pub fn name(self) -> &'static str {
        match self {
            Preset::EvenHorizontal => "even-horizontal",
            Preset::EvenVertical => "even-vertical",
            Preset::MainVertical => "main-vertical",
            Preset::MainHorizontal => "main-horizontal",
            Preset::Tiled => "tiled",
        }
    }

    /// The preset with this tmux name.
    pub fn parse(s: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == s)
    }
}

impl Axis {
    fn other(self) -> Axis {
        match self {
            Axis::Horizontal => Axis::Vertical,
            Axis::Vertical => Axis::Horizontal,
        }
    }

    fn min(self) -> u32 {
        match self {
            Axis::Horizontal => u32::from(MIN_WIDTH),
            Axis::Vertical => u32::from(MIN_HEIGHT),
        }
    }

    fn len(self, r: Rect) -> u16 {
        match self {
            Axis::Horizontal => r.width,
            Axis::Vertical => r.height,
        }
    }

    fn start(self, r: Rect) -> u16 {
        match self {
            Axis::Horizontal => r.x,
            Axis::Vertical => r.y,
        }
    }

    /// One past the last coordinate of `r` along this axis.
    fn end(self, r: Rect) -> u32 {
        u32::from(self.start(r)) + u32::from(self.len(r))
    }

    /// The part of `r` that starts at `start` and spans `len` cells along this axis.
    fn slice(self, r: Rect, start: u16, len: u16) -> Rect {
        match self {
            Axis::Horizontal => Rect::new(start, r.y, len, r.height),
            Axis::Vertical => Rect::new(r.x, start, r.width, len),
        }
    }
}

/// How a border move is given: by keys (a step that may push further panes, like tmux) or by
/// the mouse (a target cell, stopping at the neighbour's minimum).
#[derive(Clone, Copy)]
enum Move {
    By(i32),
    To(u16),
}

impl Layout {
    /// A window with one pane.
    pub fn new(first: PaneId) -> Self {
        Layout {
            root: Some(Node::Pane(first)),
            zoomed: None,
        }
    }

    /// The panes depth-first, left to right and top to bottom; `C-b q` numbers them this way.
    pub fn panes(&self) -> Vec<PaneId> {
        let mut out = Vec::new();
        if let Some(root) = &self.root {
            root.leaves(&mut out);
        }
        out
    }

    pub fn len(&self) -> usize {
        self.panes().len()
    }

    /// True only after the last pane was closed.
    pub fn is_empty(&self) -> bool {
        self.root.is_none()
    }

    pub fn contains(&self, p: PaneId) -> bool {
        self.root.as_ref().is_some_and(|r| r.contains(p))
    }

    /// The smallest area in which every pane gets `MIN_WIDTH` x `MIN_HEIGHT`.
    pub fn min_size(&self) -> Size {
        let (w, h) = self.root.as_ref().map_or((0, 0), Node::min_size);
        let clamp = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
        Size {
            width: clamp(w),
            height: clamp(h),
        }
    }

    /// Splits `target` in two along `axis`; the new pane goes after it (right or below) and
    /// gets half of its room. When `target`'s parent already runs along `axis`, the new pane
    /// becomes a sibling (as in tmux). Unzooms. False if `target` is missing or `new` exists.
    pub fn split(&mut self, target: PaneId, axis: Axis, new: PaneId) -> bool {
        if self.contains(new) {
            return false;
        }
        let Some(root) = self.root.as_mut() else {
            return false;
        };
        let Some(path) = root.path_of(target) else {
            return false;
        };
        let sibling = path
            .split_last()
            .and_then(|(&i, parent)| match root.at_mut(parent) {
                Some(Node::Split { axis: a, children }) if *a == axis => Some((i, children)),
                _ => None,
            });
        if let Some((i, children)) = sibling {
            // Double every weight so the target's halves stay exact integers.
            let mut weights: Vec<u64> = children.iter().map(|c| 2 * u64::from(c.weight)).collect();
            weights[i] /= 2;
            weights.insert(i + 1, weights[i]);
            rescale(&mut weights);
            children.insert(i + 1, Child::even(Node::Pane(new)));
            children
                .iter_mut()
                .zip(weights)
                .for_each(|(c, w)| c.weight = to_weight(w));
        } else if let Some(node) = root.at_mut(&path) {
            *node = even_split(axis, &[target, new]);
        }
        self.zoomed = None;
        true
    }

    /// Whether splitting `target` along `axis` inside `area` leaves both halves at least their
    /// minimum (tmux refuses such splits with "no space for new pane").
    pub fn can_split(&self, target: PaneId, axis: Axis, area: Rect) -> bool {
        let rects = self.geometry(area).panes;
        rects
            .iter()
            .any(|&(p, r)| p == target && !r.is_empty() && u32::from(axis.len(r)) > 2 * axis.min())
    }

    /// Removes a pane; its room goes to the sibling before it (after it, if it was first).
    /// Returns the pane that should take focus: the nearest pane of that sibling. Returns
    /// `None` when `p` is not here, or when it was the last pane: the layout is then empty and
    /// the caller closes the window. Unzooms.
    pub fn close(&mut self, p: PaneId) -> Option<PaneId> {
        let root = self.root.as_mut()?;
        let path = root.path_of(p)?;
        self.zoomed = None;
        let Some((&i, parent)) = path.split_last() else {
            self.root = None;
            return None;
        };
        let Some(Node::Split { children, .. }) = root.at_mut(parent) else {
            return None;
        };
        let heir = if i > 0 { i - 1 } else { i + 1 };
        let focus = match children.get(heir) {
            Some(c) if i > 0 => c.node.last_pane(),
            Some(c) => c.node.first_pane(),
            None => None,
        };
        let removed = children.remove(i);
        if let Some(c) = children.get_mut(heir.min(i)) {
            c.weight = c.weight.saturating_add(removed.weight);
        }
        self.root = self.root.take().and_then(normalize);
        focus
    }

    /// Moves a border of `p` by `cells` toward `dir`: the border on `dir`'s side if there is
    /// one (so `p` grows), else the opposite one (so `p` shrinks), as tmux's `resize-pane`
    /// does, so `C-b C-Right` always moves a border right. Negative `cells` move it back.
    /// Panes in the way give up room down to their minimum, the nearest first. Sizes are
    /// measured in `area`. Unzooms; false if nothing moved.
    pub fn resize(&mut self, p: PaneId, dir: Direction, cells: i32, area: Rect) -> bool {
        let Some(path) = self.root.as_ref().and_then(|r| r.path_of(p)) else {
            return false;
        };
        let Some((split, index)) = self.border_toward(&path, dir) else {
            return false;
        };
        let step = if dir.forward() {
            cells
        } else {
            cells.saturating_neg()
        };
        self.move_border(area, &split, index, Move::By(step))
    }

    /// The split (path) and border index that a resize of the pane at `path` toward `dir`
    /// moves: the nearest border on `dir`'s side, else the nearest on the other side.
    fn border_toward(&self, path: &[usize], dir: Direction) -> Option<(Vec<usize>, usize)> {
        let root = self.root.as_ref()?;
        let ancestors: Vec<(usize, usize, usize)> = (0..path.len())
            .rev()
            .filter_map(|depth| match root.at(&path[..depth])? {
                Node::Split { axis, children } if *axis == dir.axis() => {
                    Some((depth, path[depth], children.len()))
                }
                _ => None,
            })
            .collect();
        let ahead = |&(d, i, n): &(usize, usize, usize)| match dir.forward() {
            true => (i + 1 < n).then_some((d, i)),
            false => (i > 0).then(|| (d, i - 1)),
        };
        let behind = |&(d, i, n): &(usize, usize, usize)| match dir.forward() {
            true => (i > 0).then(|| (d, i - 1)),
            false => (i + 1 < n).then_some((d, i)),
        };
        let found = ancestors.iter().find_map(ahead);
        let (depth, index) = found.or_else(|| ancestors.iter().find_map(behind))?;
        Some((path[..depth].to_vec(), index))
    }

    /// Moves the border after child `index` of the split at `path`, as laid out in `area`.
    fn move_border(&mut self, area: Rect, path: &[usize], index: usize, how: Move) -> bool {
        let geo = self.geometry(area);
        let Some(split) = geo.splits.iter().find(|s| s.path == path) else {
            return false;
        };
        let Some(Node::Split { axis, children }) = self.root.as_mut().and_then(|r| r.at_mut(path))
        else {
            return false;
        };
        if !split.fits || index + 1 >= children.len() {
            return false;
        }
        let delta = match how {
            Move::By(step) => i64::from(step),
            Move::To(to) => i64::from(to) - i64::from(split.border_pos(index)),
        };
        let mins: Vec<u32> = children.iter().map(|c| c.node.min_along(*axis)).collect();
        let mut sizes: Vec<u32> = split.sizes.iter().map(|&s| u32::from(s)).collect();
        let (grow, donors): (usize, Vec<usize>) = match (delta > 0, how) {
            (true, Move::By(_)) => (index, (index + 1..sizes.len()).collect()),
            (false, Move::By(_)) => (index + 1, (0..=index).rev().collect()),
            (true, Move::To(_)) => (index, vec![index + 1]),
            (false, Move::To(_)) => (index + 1, vec![index]),
        };
        let want = u32::try_from(delta.unsigned_abs()).unwrap_or(u32::MAX);
        let mut got = 0;
        for d in donors {
            let take = sizes[d].saturating_sub(mins[d]).min(want - got);
            sizes[d] -= take;
            got += take;
        }
        if got == 0 {
            return false;
        }
        sizes[grow] += got;
        // The laid-out sizes become the weights: they reproduce this area exactly and keep
        // the proportions when the area changes.
        children
            .iter_mut()
            .zip(sizes)
            .for_each(|(c, s)| c.weight = s.max(1));
        self.zoomed = None;
        true
    }

    /// Exchanges the places of two panes. Unzooms; false if either is missing or they are
    /// the same pane.
    pub fn swap(&mut self, a: PaneId, b: PaneId) -> bool {
        if a == b || !self.contains(a) || !self.contains(b) {
            return false;
        }
        fn visit(node: &mut Node, a: PaneId, b: PaneId) {
            match node {
                Node::Pane(p) if *p == a => *p = b,
                Node::Pane(p) if *p == b => *p = a,
                Node::Pane(_) => {}
                Node::Split { children, .. } => {
                    children.iter_mut().for_each(|c| visit(&mut c.node, a, b));
                }
            }
        }
        if let Some(root) = self.root.as_mut() {
            visit(root, a, b);
        }
        self.zoomed = None;
        true
    }

    /// Zooms `p` to the whole area, or unzooms if it is the zoomed pane. Like tmux, a window
    /// with one pane does not zoom.
    pub fn toggle_zoom(&mut self, p: PaneId) {
        self.zoomed = if self.zoomed == Some(p) || !self.contains(p) || self.len() < 2 {
            None
        } else {
            Some(p)
        };
    }

    pub fn zoomed(&self) -> Option<PaneId> {
        self.zoomed
    }

    /// Rebuilds the tree as `preset` with the current panes in `panes()` order; for the main
    /// presets `main` moves first and takes half the window (the rest share the other half).
    /// `tiled` fills rows the way tmux does; the last row shares its width evenly. Unzooms.
    pub fn apply_preset(&mut self, preset: Preset, main: PaneId) {
        let mut order = self.panes();
        if matches!(preset, Preset::MainVertical | Preset::MainHorizontal)
            && let Some(i) = order.iter().position(|&p| p == main)
        {
            let m = order.remove(i);
            order.insert(0, m);
        }
        let with_main = |outer, inner, panes: &[PaneId]| {
            let Some((&first, rest)) = panes.split_first() else {
                return even_split(outer, panes);
            };
            let halves = [Node::Pane(first), even_split(inner, rest)].map(Child::even);
            Node::Split {
                axis: outer,
                children: halves.into(),
            }
        };
        let node = match preset {
            Preset::EvenHorizontal => even_split(Axis::Horizontal, &order),
            Preset::EvenVertical => even_split(Axis::Vertical, &order),
            Preset::MainVertical => with_main(Axis::Horizontal, Axis::Vertical, &order),
            Preset::MainHorizontal => with_main(Axis::Vertical, Axis::Horizontal, &order),
            Preset::Tiled => {
                let (mut rows, mut cols) = (1, 1);
                while rows * cols < order.len() {
                    rows += 1;
                    if rows * cols < order.len() {
                        cols += 1;
                    }
                }
                let rows = order
                    .chunks(cols)
                    .map(|row| Child::even(even_split(Axis::Horizontal, row)));
                Node::Split {
                    axis: Axis::Vertical,
                    children: rows.collect(),
                }
            }
        };
        self.root = normalize(node);
        self.zoomed = None;
    }

    fn geometry(&self, area: Rect) -> Geometry {
        // Rebuilding the Rect clamps an area that would run past u16::MAX.
        let area = Rect::new(area.x, area.y, area.width, area.height);
        let mut geo = Geometry {
            panes: Vec::new(),
            splits: Vec::new(),
        };
        if let Some(root) = &self.root {
            lay_out(root, area, &mut Vec::new(), &mut geo);
        }
        geo
    }

    /// Pane rectangles inside `area`, in `panes()` order, with one-cell borders between
    /// siblings and none around the outside. A zoomed pane gets the whole area and the others
    /// are absent. A pane that cannot get `MIN_WIDTH` x `MIN_HEIGHT` gets an empty Rect (the
    /// caller draws a placeholder); panes never overlap each other or a border.
    pub fn rects(&self, area: Rect) -> Vec<(PaneId, Rect)> {
        if let Some(z) = self.zoomed {
            let area = Rect::new(area.x, area.y, area.width, area.height);
            let fits = area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT;
            return vec![(z, if fits { area } else { Rect::ZERO })];
        }
        self.geometry(area).panes
    }

    /// The border segments to draw inside `area` (none while zoomed); they never overlap.
    pub fn borders(&self, area: Rect) -> Vec<Border> {
        let Some(root) = self.root.as_ref().filter(|_| self.zoomed.is_none()) else {
            return Vec::new();
        };
        let geo = self.geometry(area);
        let mut out = Vec::new();
        for split in &geo.splits {
            for index in 0..split.shown.saturating_sub(1) {
                let pos = u16::try_from(split.border_pos(index)).unwrap_or(u16::MAX);
                let line = split.axis.slice(split.rect, pos, 1);
                if !line.is_empty() {
                    segments(root, &geo.panes, split, index, line, &mut out);
                }
            }
        }
        out
    }

    /// The pane drawn at cell (`x`, `y`) of a window laid out in `area`.
    pub fn pane_at(&self, area: Rect, x: u16, y: u16) -> Option<PaneId> {
        let at = Position::new(x, y);
        self.rects(area)
            .into_iter()
            .find(|(_, r)| r.contains(at))
            .map(|(p, _)| p)
    }

    /// The border segment at cell (`x`, `y`) of a window laid out in `area`.
    pub fn border_at(&self, area: Rect, x: u16, y: u16) -> Option<Border> {
        let at = Position::new(x, y);
        self.borders(area).into_iter().find(|b| b.rect.contains(at))
    }

    /// Moves the border `b` (from `borders(area)`) so that it sits at column (or row) `to`,
    /// stopping where a pane on either side reaches its minimum. Unzooms; false if nothing
    /// moved or the layout changed since `b` was taken.
    pub fn drag(&mut self, area: Rect, b: &Border, to: u16) -> bool {
        let still_there = match self.root.as_ref().and_then(|r| r.at(&b.path)) {
            Some(Node::Split { axis, children }) => {
                *axis == b.axis
                    && children
                        .get(b.index)
                        .is_some_and(|c| c.node.contains(b.before))
                    && children
                        .get(b.index + 1)
                        .is_some_and(|c| c.node.contains(b.after))
            }
            _ => false,
        };
        still_there && self.move_border(area, &b.path, b.index, Move::To(to))
    }

    /// tmux-style focus by direction, on the unzoomed layout in `area`: among the panes just
    /// across a border from `from` in `dir`, the one sharing the longest edge with it; ties go
    /// to the top- or left-most. `None` at the window's edge (the caller may wrap).
    pub fn neighbor(&self, area: Rect, from: PaneId, dir: Direction) -> Option<PaneId> {
        let panes = self.geometry(area).panes;
        let &(_, origin) = panes.iter().find(|&&(p, r)| p == from && !r.is_empty())?;
        let (axis, cross) = (dir.axis(), dir.axis().other());
        let adjacent = |r: Rect| match dir.forward() {
            true => axis.end(origin) + 1 == u32::from(axis.start(r)),
            false => axis.end(r) + 1 == u32::from(axis.start(origin)),
        };
        let overlap = |r: Rect| {
            let lo = cross.start(r).max(cross.start(origin));
            cross
                .end(r)
                .min(cross.end(origin))
                .saturating_sub(u32::from(lo))
        };
        panes
            .iter()
            .filter(|&&(p, r)| p != from && !r.is_empty() && adjacent(r))
            .map(|&(p, r)| (overlap(r), cross.start(r), p))
            .filter(|&(o, _, _)| o > 0)
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
            .map(|(_, _, p)| p)
    }

    /// The pane after `from` in `panes()` order, wrapping (`C-b o`); the first pane if `from`
    /// is not here, `from` itself if the layout is empty.
    pub fn next(&self, from: PaneId) -> PaneId {
        self.step(from, 1)
    }

    /// The pane before `from` in `panes()` order, wrapping.
    pub fn prev(&self, from: PaneId) -> PaneId {
        self.step(from, -1)
    }

    fn step(&self, from: PaneId, by: isize) -> PaneId {
        let panes = self.panes();
        let Some(i) = panes.iter().position(|&p| p == from) else {
            return panes.first().copied().unwrap_or(from);
        };
        panes[(i as isize + by).rem_euclid(panes.len() as isize) as usize]
    }
}

impl TryFrom<Saved> for Layout {
    type Error = String;

    /// Accepts a saved layout only if it is sound: no pane twice, no empty split, no zero
    /// weight, a zoomed pane that exists. Harmless oddities (one-child splits, nested splits
    /// along the same axis) are normalized.
    fn try_from(saved: Saved) -> Result<Self, String> {
        fn check(node: &Node, seen: &mut HashSet<PaneId>) -> Result<(), String> {
            match node {
                Node::Pane(p) if !seen.insert(*p) => Err(format!("pane {} appears twice", p.0)),
                Node::Pane(_) => Ok(()),
                Node::Split { children, .. } if children.is_empty() => {
                    Err("a split has no children".into())
                }
                Node::Split { children, .. } => children.iter().try_for_each(|c| {
                    if c.weight == 0 {
                        return Err("a split child has weight 0".into());
                    }
                    check(&c.node, seen)
                }),
            }
        }
        let mut seen = HashSet::new();
        if let Some(root) = &saved.root {
            check(root, &mut seen)?;
        }
        if let Some(z) = saved.zoomed.filter(|z| !seen.contains(z)) {
            return Err(format!("zoomed pane {} is not in the layout", z.0));
        }
        Ok(Layout {
            root: saved.root.and_then(normalize),
            zoomed: saved.zoomed,
        })
    }
}

pub mod float;
mod geometry;
mod tree;
use tree::{Child, Node, Saved, even_split, normalize, rescale, to_weight};
#[cfg(test)]
mod tests;

pub use geometry::border_glyph;
use geometry::*;
