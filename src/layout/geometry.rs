//! Geometry of a layout: laying the split tree out in a rectangle (exact integer shares
//! with minimum sizes) and cutting borders into segments with their junction glyphs.

use super::*;

/// Where every pane and split of a tree lands inside one area, ignoring zoom.
pub(super) struct Geometry {
    /// Pane rectangles in `panes()` order; `Rect::ZERO` for panes that do not fit.
    pub(super) panes: Vec<(PaneId, Rect)>,
    pub(super) splits: Vec<SplitGeometry>,
}

pub(super) struct SplitGeometry {
    pub(super) path: Vec<usize>,
    pub(super) axis: Axis,
    pub(super) rect: Rect,
    /// Each child's length along `axis`; 0 for children that got no room.
    pub(super) sizes: Vec<u16>,
    /// How many children (a prefix) were laid out; borders sit between them.
    pub(super) shown: usize,
    /// Whether every child got at least its minimum, so the sizes can be moved.
    pub(super) fits: bool,
}

impl SplitGeometry {
    /// The coordinate along `axis` of the border after child `index`.
    pub(super) fn border_pos(&self, index: usize) -> u32 {
        let before: u32 = self.sizes[..=index].iter().map(|&s| u32::from(s)).sum();
        u32::from(self.axis.start(self.rect)) + before + index as u32
    }
}

pub(super) fn lay_out(node: &Node, rect: Rect, path: &mut Vec<usize>, geo: &mut Geometry) {
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
pub(super) fn share(len: u16, weights: &[u64], mins: &[u32]) -> (Vec<u16>, usize, bool) {
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
pub(super) fn distribute(total: u32, weights: &[u64], mins: &[u32]) -> Vec<u32> {
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

/// Cuts the border after child `index` of `split` (the cells `line`) into segments wherever
/// the pane on either side changes. A cell facing a border rather than a pane (a junction)
/// joins the segment before it.
pub(super) fn segments(
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
pub(super) fn fill_gaps(
    cells: Vec<Option<PaneId>>,
    fallback: Option<PaneId>,
) -> Option<Vec<PaneId>> {
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
