//! The split tree itself: panes and splits with relative weights, walking and addressing it
//! by paths of child indices, minimum sizes, and bringing a tree back to normal form after an
//! edit. `Layout` (the parent module) builds every operation from these.

use super::*;

/// Weights above this total are scaled back to `WEIGHT_SCALE` so repeated splits and merges
/// cannot overflow; the relative error this introduces is far below one cell.
pub(super) const WEIGHT_LIMIT: u64 = 1 << 20;
pub(super) const WEIGHT_SCALE: u64 = 1 << 16;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) enum Node {
    Pane(PaneId),
    Split { axis: Axis, children: Vec<Child> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Child {
    /// This child's share of its parent relative to its siblings.
    pub(super) weight: u32,
    pub(super) node: Node,
}

/// The wire shape of a layout, checked before it becomes a `Layout`.
#[derive(Deserialize)]
pub(super) struct Saved {
    pub(super) root: Option<Node>,
    pub(super) zoomed: Option<PaneId>,
}

impl Child {
    /// A child with the default weight; siblings built together share the room evenly.
    pub(super) fn even(node: Node) -> Child {
        Child { weight: 1, node }
    }
}

/// A split of `panes` with equal shares (an empty split if there are none; `normalize` drops it).
pub(super) fn even_split(axis: Axis, panes: &[PaneId]) -> Node {
    let children = panes.iter().map(|&p| Child::even(Node::Pane(p))).collect();
    Node::Split { axis, children }
}

impl Node {
    pub(super) fn leaves(&self, out: &mut Vec<PaneId>) {
        match self {
            Node::Pane(p) => out.push(*p),
            Node::Split { children, .. } => children.iter().for_each(|c| c.node.leaves(out)),
        }
    }

    pub(super) fn first_pane(&self) -> Option<PaneId> {
        match self {
            Node::Pane(p) => Some(*p),
            Node::Split { children, .. } => children.first()?.node.first_pane(),
        }
    }

    pub(super) fn last_pane(&self) -> Option<PaneId> {
        match self {
            Node::Pane(p) => Some(*p),
            Node::Split { children, .. } => children.last()?.node.last_pane(),
        }
    }

    pub(super) fn contains(&self, p: PaneId) -> bool {
        self.path_of(p).is_some()
    }

    /// Child indices from this node down to the leaf `p`.
    pub(super) fn path_of(&self, p: PaneId) -> Option<Vec<usize>> {
        match self {
            Node::Pane(q) => (*q == p).then(Vec::new),
            Node::Split { children, .. } => children.iter().enumerate().find_map(|(i, c)| {
                let mut path = c.node.path_of(p)?;
                path.insert(0, i);
                Some(path)
            }),
        }
    }

    pub(super) fn at(&self, path: &[usize]) -> Option<&Node> {
        match (path.split_first(), self) {
            (None, _) => Some(self),
            (Some((&i, rest)), Node::Split { children, .. }) => children.get(i)?.node.at(rest),
            (Some(_), Node::Pane(_)) => None,
        }
    }

    pub(super) fn at_mut(&mut self, path: &[usize]) -> Option<&mut Node> {
        match (path.split_first(), self) {
            (None, node) => Some(node),
            (Some((&i, rest)), Node::Split { children, .. }) => {
                children.get_mut(i)?.node.at_mut(rest)
            }
            (Some(_), Node::Pane(_)) => None,
        }
    }

    /// The smallest (width, height) in which every pane below gets its minimum.
    pub(super) fn min_size(&self) -> (u32, u32) {
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

    pub(super) fn min_along(&self, axis: Axis) -> u32 {
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
pub(super) fn normalize(node: Node) -> Option<Node> {
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
pub(super) fn rescale(weights: &mut [u64]) {
    let total: u64 = weights.iter().sum();
    if total > WEIGHT_LIMIT {
        for w in weights.iter_mut() {
            *w = (*w * WEIGHT_SCALE / total).max(1);
        }
    }
}

pub(super) fn to_weight(w: u64) -> u32 {
    u32::try_from(w.max(1)).unwrap_or(u32::MAX)
}
