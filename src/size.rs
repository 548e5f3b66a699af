//! A terminal's size in cells: what a client's terminal reports, what a pane's PTY and emulator
//! are set to, and what the renderer composes a frame for.
//!
//! It has a module of its own, with no dependencies, so that the pane emulator, the renderer and
//! the wire format (`protocol`, whose messages carry sizes) all depend on it and none of them on
//! another. It is not in `layout`: a layout keeps relative weights and hands out ratatui
//! rectangles, and a pane must not depend on how windows are laid out. The derives are the wire
//! format's: `cols` then `rows`, serialized by serde in that order.

use serde::{Deserialize, Serialize};

/// A terminal size in cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    pub cols: u16,
    pub rows: u16,
}

impl Size {
    /// The largest size appmux accepts for a client or a pane: wider than a 4K screen in a
    /// small font, and small enough that many clients at once stay affordable (a client's
    /// compositor costs a few hundred bytes a cell). Larger terminals are clamped to it.
    pub const MAX: Size = Size {
        cols: 500,
        rows: 200,
    };

    /// Clamps to `1..=MAX` in each dimension so that nothing downstream sees 0 or absurd sizes.
    pub fn clamped(self) -> Size {
        Size {
            cols: self.cols.clamp(1, Self::MAX.cols),
            rows: self.rows.clamp(1, Self::MAX.rows),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_clamped() {
        let s = Size {
            cols: 0,
            rows: 60000,
        }
        .clamped();
        assert_eq!(
            s,
            Size {
                cols: 1,
                rows: Size::MAX.rows
            }
        );
    }
}
