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

/// Weights above this total are scaled back to `WEIGHT_SCALE` so repeated splits and merges
/// cannot overflow; the relative error this introduces is far below one cell.
const WEIGHT_LIMIT: u64 = 1 << 20;
const WEIGHT_SCALE: u64 = 1 << 16;

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Node {
    Pane(PaneId),
    Split { axis: Axis, children: Vec<Child> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Child {
    /// This child's share of its parent relative to its siblings.
    weight: u32,
    node: Node,
}

/// The wire shape of a layout, checked before it becomes a `Layout`.
#[derive(Deserialize)]
struct Saved {
    root: Option<Node>,
    zoomed: Option<PaneId>,
}

impl Child {
    /// A child with the default weight; siblings built together share the room evenly.
    fn even(node: Node) -> Child {
        Child { weight: 1, node }
    }
}

/// A split of `panes` with equal shares (an empty split if there are none; `normalize` drops it).
fn even_split(axis: Axis, panes: &[PaneId]) -> Node {
    let children = panes.iter().map(|&p| Child::even(Node::Pane(p))).collect();
    Node::Split { axis, children }
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

impl Node {
    fn leaves(&self, out: &mut Vec<PaneId>) {
        match self {
            Node::Pane(p) => out.push(*p),
            Node::Split { children, .. } => children.iter().for_each(|c| c.node.leaves(out)),
        }
    }

    fn first_pane(&self) -> Option<PaneId> {
        match self {
            Node::Pane(p) => Some(*p),
            Node::Split { children, .. } => children.first()?.node.first_pane(),
        }
    }

    fn last_pane(&self) -> Option<PaneId> {
        match self {
            Node::Pane(p) => Some(*p),
            Node::Split { children, .. } => children.last()?.node.last_pane(),
        }
    }

    fn contains(&self, p: PaneId) -> bool {
        self.path_of(p).is_some()
    }

    /// Child indices from this node down to the leaf `p`.
    fn path_of(&self, p: PaneId) -> Option<Vec<usize>> {
        match self {
            Node::Pane(q) => (*q == p).then(Vec::new),
            Node::Split { children, .. } => children.iter().enumerate().find_map(|(i, c)| {
                let mut path = c.node.path_of(p)?;
                path.insert(0, i);
                Some(path)
            }),
        }
    }

    fn at(&self, path: &[usize]) -> Option<&Node> {
        match (path.split_first(), self) {
            (None, _) => Some(self),
            (Some((&i, rest)), Node::Split { children, .. }) => children.get(i)?.node.at(rest),
            (Some(_), Node::Pane(_)) => None,
        }
    }

    fn at_mut(&mut self, path: &[usize]) -> Option<&mut Node> {
        match (path.split_first(), self) {
            (None, node) => Some(node),
            (Some((&i, rest)), Node::Split { children, .. }) => {
                children.get_mut(i)?.node.at_mut(rest)
            }
            (Some(_), Node::Pane(_)) => None,
        }
    }

    /// The smallest (width, height) in which every pane below gets its minimum.
    fn min_size(&self) -> (u32, u32) {
        let Node::Split { axis, children } = self else {
            return (u32::from(MIN_WIDTH), u32::from(MIN_HEIGHT));
        };
        let gaps = children.len().saturating_sub(1) as u32;
        let mins = children.iter().map(|c| c.node.min_size());
        let (sum, max) = mins.fold((0, 0), |(s, m), (w, h)| match axis {
            Axis::Horizontal => (s + w, m.max(h)),
            Axis::Vertical => (s + h, m.max(w)),
        });
        match axis {
            Axis::Horizontal => (sum + gaps, max),
            Axis::Vertical => (max, sum + gaps),
        }
    }

    fn min_along(&self, axis: Axis) -> u32 {
        let (w, h) = self.min_size();
        match axis {
            Axis::Horizontal => w,
            Axis::Vertical => h,
        }
    }
}

/// Brings a tree back to normal form: drops empty splits, replaces one-child splits by their
/// child, and merges a child split into its parent when both run along the same axis, scaling
/// weights so every pane keeps its share.
fn normalize(node: Node) -> Option<Node> {
    let Node::Split { axis, children } = node else {
        return Some(node);
    };
    let mut out: Vec<(u64, Node)> = children
        .into_iter()
        .filter_map(|c| Some((u64::from(c.weight), normalize(c.node)?)))
        .collect();
    // Children are normal already, so merging one level is enough.
    while let Some(i) = out
        .iter()
        .position(|(_, n)| matches!(n, Node::Split { axis: a, .. } if *a == axis))
    {
        let (
            outer,
            Node::Split {
                children: inner, ..
            },
        ) = out.remove(i)
        else {
            break;
        };
        // Scale the siblings by the inner total and the inner weights by the merged child's
        // weight, so everyone keeps their share.
        let inner_total: u64 = inner.iter().map(|c| u64::from(c.weight)).sum();
        out.iter_mut().for_each(|(w, _)| *w *= inner_total.max(1));
        let merged = inner
            .into_iter()
            .map(|c| (u64::from(c.weight) * outer, c.node));
        out.splice(i..i, merged);
        let mut weights: Vec<u64> = out.iter().map(|(w, _)| *w).collect();
        rescale(&mut weights);
        out.iter_mut().zip(weights).for_each(|((w, _), n)| *w = n);
    }
    if out.len() <= 1 {
        return out.pop().map(|(_, node)| node);
    }
    let children = out.into_iter().map(|(w, node)| Child {
        weight: to_weight(w),
        node,
    });
    Some(Node::Split {
        axis,
        children: children.collect(),
    })
}

/// Scales weights down when their total grows past `WEIGHT_LIMIT`, keeping each positive.
fn rescale(weights: &mut [u64]) {
    let total: u64 = weights.iter().sum();
    if total > WEIGHT_LIMIT {
        for w in weights.iter_mut() {
            *w = (*w * WEIGHT_SCALE / total).max(1);
        }
    }
}

fn to_weight(w: u64) -> u32 {
    u32::try_from(w.max(1)).unwrap_or(u32::MAX)
}

/// Where every pane and split of a tree lands inside one area, ignoring zoom.
struct Geometry {
    /// Pane rectangles in `panes()` order; `Rect::ZERO` for panes that do not fit.
    panes: Vec<(PaneId, Rect)>,
    splits: Vec<SplitGeometry>,
}

struct SplitGeometry {
    path: Vec<usize>,
    axis: Axis,
    rect: Rect,
    /// Each child's length along `axis`; 0 for children that got no room.
    sizes: Vec<u16>,
    /// How many children (a prefix) were laid out; borders sit between them.
    shown: usize,
    /// Whether every child got at least its minimum, so the sizes can be moved.
    fits: bool,
}

impl SplitGeometry {
    /// The coordinate along `axis` of the border after child `index`.
    fn border_pos(&self, index: usize) -> u32 {
        let before: u32 = self.sizes[..=index].iter().map(|&s| u32::from(s)).sum();
        u32::from(self.axis.start(self.rect)) + before + index as u32
    }
}

fn lay_out(node: &Node, rect: Rect, path: &mut Vec<usize>, geo: &mut Geometry) {
    let (axis, children) = match node {
        Node::Split { axis, children } => (axis, children),
        Node::Pane(id) => {
            let fits = rect.width >= MIN_WIDTH && rect.height >= MIN_HEIGHT;
            geo.panes.push((*id, if fits { rect } else { Rect::ZERO }));
            return;
        }
    };
    let weights: Vec<u64> = children.iter().map(|c| u64::from(c.weight)).collect();
    let mins: Vec<u32> = children.iter().map(|c| c.node.min_along(*axis)).collect();
    let (sizes, shown, fits) = share(axis.len(rect), &weights, &mins);
    let mut pos = axis.start(rect);
    let mut rects = Vec::with_capacity(children.len());
    for (i, &size) in sizes.iter().enumerate() {
        if i < shown {
            rects.push(axis.slice(rect, pos, size));
            pos = pos.saturating_add(size).saturating_add(1);
        } else {
            rects.push(Rect::ZERO);
        }
    }
    geo.splits.push(SplitGeometry {
        path: path.clone(),
        axis: *axis,
        rect,
        sizes,
        shown,
        fits,
    });
    for (i, (child, r)) in children.iter().zip(rects).enumerate() {
        path.push(i);
        lay_out(&child.node, r, path, geo);
        path.pop();
    }
}

/// Splits `len` cells among children with one-cell borders between them: the longest prefix
/// whose minimums fit is shown and shares the room by weight; the rest get nothing. When not
/// even the first child's minimum fits, it gets everything and sorts it out below.
/// Returns the sizes, how many children are shown, and whether all of them fit.
fn share(len: u16, weights: &[u64], mins: &[u32]) -> (Vec<u16>, usize, bool) {
    let mut sizes = vec![0; weights.len()];
    let mut used = 0;
    let mut shown = 0;
    for (i, &min) in mins.iter().enumerate() {
        let need = used + min + u32::from(i > 0);
        if need > u32::from(len) {
            break;
        }
        used = need;
        shown += 1;
    }
    if shown == 0 {
        if let Some(first) = sizes.first_mut() {
            *first = len;
        }
        let shown = sizes.len().min(1);
        return (sizes, shown, false);
    }
    let room = u32::from(len) - (shown as u32 - 1);
    let got = distribute(room, &weights[..shown], &mins[..shown]);
    for (s, g) in sizes.iter_mut().zip(got) {
        *s = u16::try_from(g).unwrap_or(u16::MAX);
    }
    (sizes, shown, shown == weights.len())
}

/// Divides exactly `total` cells by weight (largest remainder, ties to the earlier child),
/// then raises any child below its minimum to it and shares the rest among the others again.
/// The caller guarantees the minimums fit in `total`.
fn distribute(total: u32, weights: &[u64], mins: &[u32]) -> Vec<u32> {
    let mut fixed = vec![false; weights.len()];
    loop {
        let free_idx: Vec<usize> = (0..weights.len()).filter(|&i| !fixed[i]).collect();
        let fixed_sum: u32 = (0..weights.len())
            .filter(|&i| fixed[i])
            .map(|i| mins[i])
            .sum();
        let free = u64::from(total.saturating_sub(fixed_sum));
        let weight_sum: u64 = free_idx.iter().map(|&i| weights[i].max(1)).sum();
        let mut out: Vec<u64> = (0..weights.len())
            .map(|i| if fixed[i] { u64::from(mins[i]) } else { 0 })
            .collect();
        let mut remainders = Vec::with_capacity(free_idx.len());
        for &i in &free_idx {
            let scaled = free * weights[i].max(1);
            out[i] = scaled / weight_sum;
            remainders.push((scaled % weight_sum, i));
        }
        let given: u64 = free_idx.iter().map(|&i| out[i]).sum();
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in remainders.iter().take((free - given) as usize) {
            out[i] += 1;
        }
        let short: Vec<usize> = free_idx
            .iter()
            .copied()
            .filter(|&i| out[i] < u64::from(mins[i]))
            .collect();
        // Not every free child can be short: their shares add up to `free`, which covers
        // their minimums. The length check only guards against looping forever regardless.
        if short.is_empty() || short.len() == free_idx.len() {
            return out
                .into_iter()
                .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
                .collect();
        }
        short.into_iter().for_each(|i| fixed[i] = true);
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

/// Cuts the border after child `index` of `split` (the cells `line`) into segments wherever
/// the pane on either side changes. A cell facing a border rather than a pane (a junction)
/// joins the segment before it.
fn segments(
    root: &Node,
    panes: &[(PaneId, Rect)],
    split: &SplitGeometry,
    index: usize,
    line: Rect,
    out: &mut Vec<Border>,
) {
    let (axis, along) = (split.axis, split.axis.other());
    let pos = u32::from(axis.start(line));
    let (start, len) = (along.start(line), usize::from(along.len(line)));
    let mut before = vec![None; len];
    let mut after = vec![None; len];
    for &(p, r) in panes.iter().filter(|(_, r)| !r.is_empty()) {
        let side = if axis.end(r) == pos {
            &mut before
        } else if u32::from(axis.start(r)) == pos + 1 {
            &mut after
        } else {
            continue;
        };
        let lo = along.start(r).max(start);
        let hi = along.end(r).min(along.end(line));
        for cell in u32::from(lo)..hi {
            side[(cell - u32::from(start)) as usize] = Some(p);
        }
    }
    let children = match root.at(&split.path) {
        Some(Node::Split { children, .. }) => children.as_slice(),
        _ => &[],
    };
    let fallback_before = children.get(index).and_then(|c| c.node.last_pane());
    let fallback_after = children.get(index + 1).and_then(|c| c.node.first_pane());
    let (Some(before), Some(after)) = (
        fill_gaps(before, fallback_before),
        fill_gaps(after, fallback_after),
    ) else {
        return;
    };
    let mut first = 0;
    for cell in 1..=len {
        if cell == len || (before[cell], after[cell]) != (before[first], after[first]) {
            out.push(Border {
                rect: along.slice(line, start + first as u16, (cell - first) as u16),
                axis,
                before: before[first],
                after: after[first],
                path: split.path.clone(),
                index,
            });
            first = cell;
        }
    }
}

/// Gives every cell without a pane the pane of the cell before it (or after it, at the start),
/// or `fallback` when the side has no visible pane at all.
fn fill_gaps(cells: Vec<Option<PaneId>>, fallback: Option<PaneId>) -> Option<Vec<PaneId>> {
    let mut last = cells.iter().flatten().next().copied().or(fallback)?;
    Some(
        cells
            .into_iter()
            .map(|c| {
                last = c.unwrap_or(last);
                last
            })
            .collect(),
    )
}

/// The box-drawing character for the border cell (`x`, `y`) among `borders`, joining lines
/// that meet there (`├ ┤ ┬ ┴ ┼`); `None` if the cell is not on a border.
pub fn border_glyph(borders: &[Border], x: u16, y: u16) -> Option<char> {
    let is_line = |axis: Axis, x: i32, y: i32| {
        let (Ok(x), Ok(y)) = (u16::try_from(x), u16::try_from(y)) else {
            return false;
        };
        borders
            .iter()
            .any(|b| b.axis == axis && b.rect.contains(Position::new(x, y)))
    };
    let here = borders
        .iter()
        .find(|b| b.rect.contains(Position::new(x, y)))?;
    let (x, y) = (i32::from(x), i32::from(y));
    // A side-by-side split draws a vertical line, which stacked splits meet from the sides;
    // a stacked split draws a horizontal one, met from above and below.
    let (other, (x0, y0), (x1, y1), glyphs) = match here.axis {
        Axis::Horizontal => (Axis::Vertical, (x - 1, y), (x + 1, y), ['│', '┤', '├', '┼']),
        Axis::Vertical => (
            Axis::Horizontal,
            (x, y - 1),
            (x, y + 1),
            ['─', '┴', '┬', '┼'],
        ),
    };
    let joins = usize::from(is_line(other, x0, y0)) + 2 * usize::from(is_line(other, x1, y1));
    Some(glyphs[joins])
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const A: PaneId = PaneId(1);
    const B: PaneId = PaneId(2);
    const C: PaneId = PaneId(3);
    const D: PaneId = PaneId(4);

    fn area(width: u16, height: u16) -> Rect {
        Rect::new(0, 0, width, height)
    }

    fn rect_of(layout: &Layout, area: Rect, p: PaneId) -> Rect {
        let rects = layout.rects(area);
        rects
            .into_iter()
            .find(|&(q, _)| q == p)
            .map(|(_, r)| r)
            .expect("pane is laid out")
    }

    /// Panes A, B, C side by side with equal weights.
    fn three_columns() -> Layout {
        let mut l = Layout::new(A);
        assert!(l.split(A, Axis::Horizontal, B));
        assert!(l.split(B, Axis::Horizontal, C));
        l.apply_preset(Preset::EvenHorizontal, A);
        l
    }

    /// Panes A, B, C, D arranged as `preset` (main pane A).
    fn four(preset: Preset) -> Layout {
        let mut l = three_columns();
        assert!(l.split(C, Axis::Vertical, D));
        l.apply_preset(preset, A);
        l
    }

    /// Checks the normal form promised in the module header.
    fn assert_normal(node: &Node) {
        if let Node::Split { axis, children } = node {
            assert!(
                children.len() >= 2,
                "split with {} children",
                children.len()
            );
            for c in children {
                assert!(c.weight > 0);
                assert!(!matches!(&c.node, Node::Split { axis: a, .. } if a == axis));
                assert_normal(&c.node);
            }
        }
    }

    /// Paints panes with their `C-b q` number and borders with box-drawing lines.
    fn paint(layout: &Layout, area: Rect) -> String {
        let (w, h) = (usize::from(area.width), usize::from(area.height));
        let mut grid = vec![vec!['.'; w]; h];
        let order = layout.panes();
        for (p, r) in layout.rects(area) {
            let n = order.iter().position(|&q| q == p).unwrap_or(0) as u32;
            let digit = char::from_digit(n % 36, 36).unwrap_or('?');
            for y in r.top()..r.bottom() {
                for x in r.left()..r.right() {
                    grid[usize::from(y - area.y)][usize::from(x - area.x)] = digit;
                }
            }
        }
        let borders = layout.borders(area);
        for b in &borders {
            for y in b.rect.top()..b.rect.bottom() {
                for x in b.rect.left()..b.rect.right() {
                    let glyph = border_glyph(&borders, x, y).unwrap_or('?');
                    grid[usize::from(y - area.y)][usize::from(x - area.x)] = glyph;
                }
            }
        }
        grid.into_iter()
            .map(|row| row.into_iter().collect::<String>() + "\n")
            .collect()
    }

    fn snapshot(name: &str, text: String) {
        // Named explicitly so the files are the same whichever crate compiles this module.
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(format!("layout__{name}"), text);
        });
    }

    #[test]
    fn new_layout_has_one_pane_filling_the_area() {
        let l = Layout::new(A);
        assert_eq!(l.panes(), vec![A]);
        assert_eq!(
            (l.len(), l.is_empty(), l.contains(A), l.contains(B)),
            (1, false, true, false)
        );
        assert_eq!(l.rects(area(80, 24)), vec![(A, area(80, 24))]);
        assert!(l.borders(area(80, 24)).is_empty());
    }

    #[test]
    fn split_gives_the_new_pane_the_half_after_the_border() {
        let mut l = Layout::new(A);
        assert!(l.split(A, Axis::Horizontal, B));
        assert_eq!(
            l.rects(area(81, 24)),
            vec![(A, Rect::new(0, 0, 40, 24)), (B, Rect::new(41, 0, 40, 24))]
        );
        assert!(l.split(B, Axis::Vertical, C));
        assert_eq!(l.panes(), vec![A, B, C]);
        assert_eq!(rect_of(&l, area(81, 25), B), Rect::new(41, 0, 40, 12));
        assert_eq!(rect_of(&l, area(81, 25), C), Rect::new(41, 13, 40, 12));
        // An existing id or a missing target changes nothing.
        assert!(!l.split(A, Axis::Vertical, B));
        assert!(!l.split(D, Axis::Vertical, PaneId(9)));
        assert_eq!(l.len(), 3);
    }

    #[test]
    fn split_along_the_parent_axis_adds_a_sibling_with_half_the_target() {
        let mut l = Layout::new(A);
        l.split(A, Axis::Horizontal, B);
        l.split(A, Axis::Horizontal, C);
        assert_eq!(l.panes(), vec![A, C, B]);
        let root = l.root.as_ref().expect("root");
        assert!(matches!(root, Node::Split { children, .. } if children.len() == 3));
        let widths: Vec<u16> = l
            .rects(area(201, 10))
            .iter()
            .map(|(_, r)| r.width)
            .collect();
        assert_eq!(widths, vec![50, 50, 99]);
    }

    #[test]
    fn rects_follow_the_area_origin_and_keep_proportions() {
        let mut l = Layout::new(A);
        l.split(A, Axis::Horizontal, B);
        assert!(l.resize(A, Direction::Right, 20, area(81, 24)));
        assert_eq!(rect_of(&l, area(81, 24), A).width, 60);
        assert_eq!(rect_of(&l, area(161, 24), A).width, 120);
        assert_eq!(
            rect_of(&l, Rect::new(10, 5, 81, 24), B),
            Rect::new(71, 5, 20, 24)
        );
    }

    #[test]
    fn close_gives_the_room_to_the_previous_sibling_and_focuses_it() {
        let mut l = three_columns();
        assert_eq!(l.close(B), Some(A));
        assert_eq!(l.panes(), vec![A, C]);
        assert_eq!(rect_of(&l, area(83, 5), A).width, 55);
        assert_eq!(l.close(A), Some(C));
        assert_eq!(l.rects(area(83, 5)), vec![(C, area(83, 5))]);
        assert_eq!(l.close(D), None, "a missing pane");
        assert!(!l.is_empty());
        assert_eq!(l.close(C), None, "the last pane");
        assert!(l.is_empty());
        assert_eq!((l.len(), l.panes()), (0, vec![]));
        assert!(l.rects(area(80, 24)).is_empty() && l.borders(area(80, 24)).is_empty());
    }

    #[test]
    fn close_merges_a_lone_child_into_a_parent_along_the_same_axis() {
        let mut l = Layout::new(A);
        l.split(A, Axis::Horizontal, B);
        l.split(B, Axis::Vertical, C);
        l.split(C, Axis::Horizontal, D);
        let before: Vec<u16> = [A, C, D].map(|p| rect_of(&l, area(83, 24), p).width).into();
        assert_eq!(l.close(B), Some(C));
        assert_normal(l.root.as_ref().expect("root"));
        assert_eq!(l.panes(), vec![A, C, D]);
        let after: Vec<u16> = [A, C, D].map(|p| rect_of(&l, area(83, 24), p).width).into();
        assert_eq!(before, after);
        assert_eq!(rect_of(&l, area(83, 24), C).height, 24);
    }

    #[test]
    fn resize_moves_the_border_toward_the_direction() {
        let mut l = Layout::new(A);
        l.split(A, Axis::Horizontal, B);
        let a = area(81, 24);
        let widths = |l: &Layout| (rect_of(l, a, A).width, rect_of(l, a, B).width);
        assert!(l.resize(A, Direction::Right, 5, a));
        assert_eq!(widths(&l), (45, 35));
        // B has no border on its right, so its left border moves right and B shrinks.
        assert!(l.resize(B, Direction::Right, 5, a));
        assert_eq!(widths(&l), (50, 30));
        assert!(l.resize(A, Direction::Left, 3, a));
        assert_eq!(widths(&l), (47, 33));
        assert!(l.resize(A, Direction::Right, -7, a));
        assert_eq!(widths(&l), (40, 40));
        assert!(l.resize(A, Direction::Right, 1000, a));
        assert_eq!(widths(&l), (78, MIN_WIDTH));
        assert!(!l.resize(A, Direction::Right, 1, a), "B is at its minimum");
        assert!(
            !l.resize(A, Direction::Up, 1, a),
            "no border across that axis"
        );
        assert!(!l.resize(D, Direction::Right, 1, a));
    }

    #[test]
    fn resize_stacked_and_nested_panes() {
        let mut l = Layout::new(A);
        l.split(A, Axis::Vertical, B);
        let a = area(80, 25);
        assert!(l.resize(B, Direction::Up, 4, a));
        assert_eq!(
            (rect_of(&l, a, A).height, rect_of(&l, a, B).height),
            (8, 16)
        );
        // B sits in a stacked split; the side-by-side border is found further up.
        let mut l = Layout::new(A);
        l.split(A, Axis::Horizontal, B);
        l.split(B, Axis::Vertical, C);
        assert!(l.resize(B, Direction::Right, 4, area(81, 24)));
        assert_eq!(rect_of(&l, area(81, 24), A).width, 44);
        assert_eq!(rect_of(&l, area(81, 24), C).width, 36);
    }

    #[test]
    fn resize_by_keys_pushes_through_panes_at_their_minimum() {
        let mut l = three_columns();
        let a = area(83, 5);
        assert!(l.resize(A, Direction::Right, 60, a));
        let widths: Vec<u16> = l.rects(a).iter().map(|(_, r)| r.width).collect();
        assert_eq!(widths, vec![77, MIN_WIDTH, MIN_WIDTH]);
    }

    #[test]
    fn resize_unzooms_and_fails_when_panes_do_not_fit() {
        let mut l = three_columns();
        l.toggle_zoom(B);
        assert!(l.resize(A, Direction::Right, 2, area(83, 5)));
        assert_eq!(l.zoomed(), None);
        assert!(
            !l.resize(A, Direction::Right, 2, area(6, 5)),
            "C has no room at all"
        );
    }

    #[test]
    fn drag_moves_a_border_to_a_column_and_stops_at_the_neighbor() {
        let mut l = three_columns();
        let a = area(83, 5);
        let border = l.border_at(a, 27, 0).expect("border after A");
        assert_eq!(
            (border.before, border.after, border.axis),
            (A, B, Axis::Horizontal)
        );
        assert!(l.drag(a, &border, 20));
        assert_eq!(rect_of(&l, a, A).width, 20);
        assert_eq!(l.border_at(a, 20, 3).map(|b| b.before), Some(A));
        assert!(l.drag(a, &border, 70));
        let widths: Vec<u16> = l.rects(a).iter().map(|(_, r)| r.width).collect();
        assert_eq!(
            widths,
            vec![52, MIN_WIDTH, 27],
            "C is not pushed by the mouse"
        );
        assert!(!l.drag(a, &border, 70), "already as far as it goes");
        l.close(B);
        assert!(!l.drag(a, &border, 10), "the border is gone");
    }

    #[test]
    fn swap_exchanges_places() {
        let mut l = three_columns();
        let a = area(83, 5);
        let left = rect_of(&l, a, A);
        assert!(l.swap(A, C));
        assert_eq!(l.panes(), vec![C, B, A]);
        assert_eq!(rect_of(&l, a, C), left);
        assert!(!l.swap(A, A));
        assert!(!l.swap(A, D));
    }

    #[test]
    fn zoom_shows_one_pane_and_structural_changes_unzoom() {
        let mut l = three_columns();
        let a = area(83, 5);
        l.toggle_zoom(B);
        assert_eq!(l.zoomed(), Some(B));
        assert_eq!(l.rects(a), vec![(B, a)]);
        assert!(l.borders(a).is_empty());
        assert_eq!(l.pane_at(a, 0, 0), Some(B));
        assert_eq!(
            l.neighbor(a, B, Direction::Left),
            Some(A),
            "on the unzoomed layout"
        );
        l.toggle_zoom(B);
        assert_eq!(l.zoomed(), None);
        l.toggle_zoom(A);
        l.split(B, Axis::Vertical, D);
        assert_eq!(l.zoomed(), None);
        l.toggle_zoom(A);
        l.close(D);
        assert_eq!(l.zoomed(), None);
        l.toggle_zoom(A);
        l.apply_preset(Preset::Tiled, A);
        assert_eq!(l.zoomed(), None);
        let mut single = Layout::new(A);
        single.toggle_zoom(A);
        assert_eq!(single.zoomed(), None, "tmux does not zoom a lone pane");
    }

    #[test]
    fn presets_at_200x60() {
        let a = area(200, 60);
        let expect = |preset, rects: [(u16, u16, u16, u16); 4]| {
            let l = four(preset);
            let got: Vec<(u16, u16, u16, u16)> = l
                .rects(a)
                .iter()
                .map(|(_, r)| (r.x, r.y, r.width, r.height))
                .collect();
            assert_eq!(got, rects, "{}", preset.name());
            assert_normal(l.root.as_ref().expect("root"));
        };
        let eh = [
            (0, 0, 50, 60),
            (51, 0, 49, 60),
            (101, 0, 49, 60),
            (151, 0, 49, 60),
        ];
        expect(Preset::EvenHorizontal, eh);
        let ev = [
            (0, 0, 200, 15),
            (0, 16, 200, 14),
            (0, 31, 200, 14),
            (0, 46, 200, 14),
        ];
        expect(Preset::EvenVertical, ev);
        let mv = [
            (0, 0, 100, 60),
            (101, 0, 99, 20),
            (101, 21, 99, 19),
            (101, 41, 99, 19),
        ];
        expect(Preset::MainVertical, mv);
        let mh = [
            (0, 0, 200, 30),
            (0, 31, 66, 29),
            (67, 31, 66, 29),
            (134, 31, 66, 29),
        ];
        expect(Preset::MainHorizontal, mh);
        let tiled = [
            (0, 0, 100, 30),
            (101, 0, 99, 30),
            (0, 31, 100, 29),
            (101, 31, 99, 29),
        ];
        expect(Preset::Tiled, tiled);
    }

    #[test]
    fn main_presets_put_the_given_pane_first_and_tiled_follows_tmux_rows() {
        let mut l = four(Preset::EvenHorizontal);
        l.apply_preset(Preset::MainVertical, C);
        assert_eq!(l.panes(), vec![C, A, B, D]);
        assert_eq!(rect_of(&l, area(200, 60), C), Rect::new(0, 0, 100, 60));
        let mut l = Layout::new(A);
        l.split(A, Axis::Horizontal, B);
        l.apply_preset(Preset::Tiled, A);
        assert_eq!(
            rect_of(&l, area(80, 25), B),
            Rect::new(0, 13, 80, 12),
            "2 panes stack"
        );
        l.split(B, Axis::Horizontal, C);
        l.apply_preset(Preset::Tiled, A);
        assert_eq!(
            rect_of(&l, area(81, 25), C),
            Rect::new(0, 13, 81, 12),
            "3 panes: 2 + 1"
        );
        let mut l = Layout::new(A);
        l.apply_preset(Preset::MainHorizontal, A);
        assert_eq!(l.rects(area(10, 10)), vec![(A, area(10, 10))]);
    }

    #[test]
    fn preset_names_round_trip_and_cycle_like_tmux() {
        for p in Preset::ALL {
            assert_eq!(Preset::parse(p.name()), Some(p));
        }
        assert_eq!(Preset::parse("nope"), None);
        let mut p = Preset::EvenHorizontal;
        let mut seen = vec![];
        for _ in 0..5 {
            seen.push(p.name());
            p = p.next();
        }
        assert_eq!(p, Preset::EvenHorizontal);
        let order = [
            "even-horizontal",
            "even-vertical",
            "main-horizontal",
            "main-vertical",
            "tiled",
        ];
        assert_eq!(seen, order);
    }

    #[test]
    fn neighbor_in_a_two_by_two_grid() {
        let l = four(Preset::Tiled);
        let a = area(200, 60);
        let go = |from, dir| l.neighbor(a, from, dir);
        assert_eq!(go(A, Direction::Right), Some(B));
        assert_eq!(go(A, Direction::Down), Some(C));
        assert_eq!(go(D, Direction::Left), Some(C));
        assert_eq!(go(D, Direction::Up), Some(B));
        assert_eq!(go(A, Direction::Left), None);
        assert_eq!(go(A, Direction::Up), None);
        assert_eq!(go(PaneId(99), Direction::Up), None);
    }

    #[test]
    fn neighbor_prefers_the_longest_shared_edge_then_the_top() {
        let mut l = Layout::new(A);
        l.split(A, Axis::Horizontal, B);
        l.split(B, Axis::Vertical, C);
        assert_eq!(
            l.neighbor(area(81, 25), A, Direction::Right),
            Some(B),
            "a tie"
        );
        assert_eq!(
            l.neighbor(area(81, 24), A, Direction::Right),
            Some(B),
            "B is taller"
        );
        assert!(l.resize(C, Direction::Up, 5, area(81, 24)));
        assert_eq!(l.neighbor(area(81, 24), A, Direction::Right), Some(C));
        assert_eq!(l.neighbor(area(81, 24), C, Direction::Left), Some(A));
    }

    #[test]
    fn next_and_prev_cycle_in_pane_order() {
        let l = three_columns();
        assert_eq!([l.next(A), l.next(B), l.next(C)], [B, C, A]);
        assert_eq!([l.prev(A), l.prev(B), l.prev(C)], [C, A, B]);
        assert_eq!(l.next(D), A);
    }

    #[test]
    fn borders_are_cut_where_the_neighbouring_pane_changes() {
        let mut l = Layout::new(A);
        l.split(A, Axis::Horizontal, B);
        l.split(B, Axis::Vertical, C);
        let a = area(81, 25);
        let got: Vec<(Rect, Axis, PaneId, PaneId)> = l
            .borders(a)
            .into_iter()
            .map(|b| (b.rect, b.axis, b.before, b.after))
            .collect();
        assert_eq!(
            got,
            vec![
                (Rect::new(40, 0, 1, 13), Axis::Horizontal, A, B),
                (Rect::new(40, 13, 1, 12), Axis::Horizontal, A, C),
                (Rect::new(41, 12, 40, 1), Axis::Vertical, B, C),
            ]
        );
        let borders = l.borders(a);
        assert_eq!(border_glyph(&borders, 40, 12), Some('├'));
        assert_eq!(border_glyph(&borders, 40, 0), Some('│'));
        assert_eq!(border_glyph(&borders, 50, 12), Some('─'));
        assert_eq!(border_glyph(&borders, 0, 0), None);
        assert_eq!(l.pane_at(a, 0, 0), Some(A));
        assert_eq!(l.pane_at(a, 40, 0), None);
        assert_eq!(l.pane_at(a, 80, 24), Some(C));
        assert_eq!(l.border_at(a, 40, 20).map(|b| b.after), Some(C));
        assert_eq!(l.border_at(a, 0, 0), None);
    }

    #[test]
    fn tiny_and_odd_areas_never_panic() {
        let l = four(Preset::Tiled);
        for (w, h) in [(0, 0), (1, 1), (2, 2), (3, 3), (5, 3), (1, 100), (100, 1)] {
            let a = area(w, h);
            let _ = (
                l.rects(a),
                l.borders(a),
                l.pane_at(a, 0, 0),
                l.neighbor(a, A, Direction::Right),
            );
        }
        assert!(l.rects(area(1, 1)).iter().all(|(_, r)| r.is_empty()));
        assert_eq!(
            l.min_size(),
            Size {
                width: 5,
                height: 3
            }
        );
        assert!(
            l.rects(area(5, 3))
                .iter()
                .all(|(_, r)| r.width == 2 && r.height == 1)
        );
        let huge = Rect {
            x: 65_500,
            y: 65_500,
            width: 500,
            height: 200,
        };
        let _ = (l.rects(huge), l.borders(huge));
        assert_eq!(Layout::new(A).rects(area(2, 2)), vec![(A, area(2, 2))]);
        assert_eq!(Layout::new(A).rects(area(1, 5)), vec![(A, Rect::ZERO)]);
    }

    #[test]
    fn panes_that_do_not_fit_are_hidden_from_the_end() {
        let l = three_columns();
        let rects = l.rects(area(6, 3));
        assert_eq!(rects[0].1, Rect::new(0, 0, 3, 3));
        assert_eq!(rects[1].1, Rect::new(4, 0, 2, 3));
        assert_eq!(rects[2].1, Rect::ZERO);
        assert_eq!(l.borders(area(6, 3)).len(), 1);
    }

    #[test]
    fn can_split_needs_room_for_both_halves() {
        let l = Layout::new(A);
        assert!(!l.can_split(A, Axis::Horizontal, area(4, 1)));
        assert!(l.can_split(A, Axis::Horizontal, area(5, 1)));
        assert!(!l.can_split(A, Axis::Vertical, area(5, 2)));
        assert!(l.can_split(A, Axis::Vertical, area(5, 3)));
        assert!(!l.can_split(B, Axis::Vertical, area(5, 3)));
    }

    #[test]
    fn serde_round_trips_and_rejects_unsound_layouts() {
        let mut l = four(Preset::MainVertical);
        l.resize(A, Direction::Right, 7, area(120, 40));
        l.toggle_zoom(C);
        let json = serde_json::to_string(&l).expect("serialize");
        assert_eq!(
            serde_json::from_str::<Layout>(&json).expect("deserialize"),
            l
        );
        let pane = |id| format!(r#"{{"weight":1,"node":{{"Pane":{id}}}}}"#);
        let split = |kids: String| {
            format!(
                r#"{{"root":{{"Split":{{"axis":"Horizontal","children":[{kids}]}}}},"zoomed":null}}"#
            )
        };
        let twice = serde_json::from_str::<Layout>(&split(format!("{},{}", pane(1), pane(1))));
        assert!(
            twice
                .expect_err("duplicate")
                .to_string()
                .contains("appears twice")
        );
        assert!(serde_json::from_str::<Layout>(&split(String::new())).is_err());
        let zero = split(format!("{},{}", pane(1), pane(2).replace("1", "0")));
        assert!(serde_json::from_str::<Layout>(&zero).is_err());
        let ghost = r#"{"root":{"Pane":1},"zoomed":7}"#;
        assert!(serde_json::from_str::<Layout>(ghost).is_err());
        let lone = serde_json::from_str::<Layout>(&split(pane(5))).expect("one child");
        assert_eq!(lone, Layout::new(PaneId(5)));
    }

    #[test]
    fn snapshots_of_each_preset_at_80x24() {
        for preset in Preset::ALL {
            snapshot(preset.name(), paint(&four(preset), area(80, 24)));
        }
    }

    #[test]
    fn snapshot_of_a_nested_split() {
        let mut l = Layout::new(A);
        l.split(A, Axis::Horizontal, B);
        l.split(B, Axis::Vertical, C);
        l.split(C, Axis::Horizontal, D);
        l.split(A, Axis::Vertical, PaneId(5));
        l.resize(A, Direction::Right, 10, area(80, 24));
        snapshot("nested", paint(&l, area(80, 24)));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Split(usize, Axis),
        Close(usize),
        Resize(usize, Direction, i32),
        Zoom(usize),
        Swap(usize, usize),
        Preset(Preset, usize),
        Drag(usize, u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        let axis = prop_oneof![Just(Axis::Horizontal), Just(Axis::Vertical)];
        let dir = prop::sample::select(vec![
            Direction::Left,
            Direction::Right,
            Direction::Up,
            Direction::Down,
        ]);
        prop_oneof![
            4 => (any::<usize>(), axis).prop_map(|(i, a)| Op::Split(i, a)),
            1 => any::<usize>().prop_map(Op::Close),
            2 => (any::<usize>(), dir, -300..300i32).prop_map(|(i, d, n)| Op::Resize(i, d, n)),
            1 => any::<usize>().prop_map(Op::Zoom),
            1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Op::Swap(a, b)),
            1 => (prop::sample::select(Preset::ALL.to_vec()), any::<usize>())
                .prop_map(|(p, i)| Op::Preset(p, i)),
            2 => (any::<usize>(), any::<u16>()).prop_map(|(i, to)| Op::Drag(i, to)),
        ]
    }

    fn any_area() -> impl Strategy<Value = Rect> {
        let small = (0..20u16, 0..20u16, 0..=12u16, 0..=8u16);
        let large = (0..20u16, 0..20u16, 0..=500u16, 0..=200u16);
        prop_oneof![small, large].prop_map(|(x, y, w, h)| Rect::new(x, y, w, h))
    }

    fn apply(l: &mut Layout, op: &Op, area: Rect, next_id: &mut u64) {
        let panes = l.panes();
        if panes.is_empty() {
            *l = Layout::new(PaneId(*next_id));
            *next_id += 1;
            return;
        }
        let pick = |i: usize| panes[i % panes.len()];
        match *op {
            Op::Split(i, axis) => {
                assert!(l.split(pick(i), axis, PaneId(*next_id)));
                *next_id += 1;
            }
            Op::Close(i) => {
                let focus = l.close(pick(i));
                assert_eq!(focus.is_none(), panes.len() == 1);
                assert!(focus.is_none_or(|f| l.contains(f)));
            }
            Op::Resize(i, dir, n) => {
                l.resize(pick(i), dir, n, area);
            }
            Op::Zoom(i) => l.toggle_zoom(pick(i)),
            Op::Swap(a, b) => {
                l.swap(pick(a), pick(b));
            }
            Op::Preset(p, i) => l.apply_preset(p, pick(i)),
            Op::Drag(i, to) => {
                let borders = l.borders(area);
                if let Some(b) = borders.get(i % borders.len().max(1)) {
                    let span = b.axis.len(area).saturating_add(2);
                    let to = b.axis.start(area).saturating_add(to % span.max(1));
                    l.drag(area, b, to);
                }
            }
        }
    }

    fn check(l: &Layout, area: Rect) {
        let panes = l.panes();
        let unique: HashSet<PaneId> = panes.iter().copied().collect();
        assert_eq!((unique.len(), l.len()), (panes.len(), panes.len()));
        if let Some(root) = &l.root {
            assert_normal(root);
        }
        let rects = l.rects(area);
        let borders = l.borders(area);
        match l.zoomed() {
            Some(z) => {
                assert!(l.contains(z) && borders.is_empty());
                assert_eq!(rects.iter().map(|(p, _)| *p).collect::<Vec<_>>(), vec![z]);
            }
            None => assert_eq!(rects.iter().map(|(p, _)| *p).collect::<Vec<_>>(), panes),
        }
        let shown: Vec<Rect> = rects
            .iter()
            .map(|(_, r)| *r)
            .filter(|r| !r.is_empty())
            .collect();
        let lines: Vec<Rect> = borders.iter().map(|b| b.rect).collect();
        for b in &borders {
            assert!(!b.rect.is_empty() && b.before != b.after);
            assert!(l.contains(b.before) && l.contains(b.after));
        }
        let all: Vec<Rect> = shown.iter().chain(&lines).copied().collect();
        for (i, r) in all.iter().enumerate() {
            assert_eq!(area.intersection(*r), *r, "{r:?} leaves {area:?}");
            for s in &all[i + 1..] {
                assert!(!r.intersects(*s), "{r:?} overlaps {s:?}");
            }
        }
        let every_pane_fits = !rects.is_empty() && shown.len() == rects.len();
        if every_pane_fits {
            let covered: u32 = all.iter().map(|r| r.area()).sum();
            assert_eq!(covered, area.area(), "rects and borders tile the area");
        }
        let min = l.min_size();
        if area.width >= min.width && area.height >= min.height {
            for (_, r) in &rects {
                assert!(
                    r.width >= MIN_WIDTH && r.height >= MIN_HEIGHT,
                    "{r:?} below minimum"
                );
            }
        }
        for (p, r) in rects.iter().filter(|(_, r)| !r.is_empty()) {
            assert_eq!(
                l.pane_at(area, r.x + r.width / 2, r.y + r.height / 2),
                Some(*p)
            );
        }
    }

    proptest! {
        #[test]
        fn random_edits_keep_the_layout_sound(
            ops in prop::collection::vec(op(), 1..40),
            area in any_area(),
            other in any_area(),
        ) {
            let mut l = Layout::new(PaneId(0));
            let mut next_id = 1;
            for op in &ops {
                apply(&mut l, op, area, &mut next_id);
                check(&l, area);
            }
            check(&l, other);
            for p in l.panes() {
                for dir in [Direction::Left, Direction::Right, Direction::Up, Direction::Down] {
                    if let Some(n) = l.neighbor(area, p, dir) {
                        prop_assert!(n != p && l.contains(n));
                    }
                }
                prop_assert!(l.contains(l.next(p)) && l.contains(l.prev(p)));
            }
            let json = serde_json::to_string(&l).expect("serialize");
            prop_assert_eq!(serde_json::from_str::<Layout>(&json).expect("deserialize"), l);
        }
    }
}
