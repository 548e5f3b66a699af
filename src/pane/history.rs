//! The compact scrollback store. vt100 keeps no history of its own here (its cells cost ~32
//! bytes each); rows that scroll off the top arrive through the `on_scroll` callback and are kept
//! as SGR-formatted strings, a few bytes per cell, bounded by a line count.

use std::collections::VecDeque;

use vt100::capture::{BasicFormattedCaptureState, RowContents, basic_formatted_to_plain};

/// Scrolled-off rows, oldest first.
#[derive(Debug)]
pub struct History {
    rows: VecDeque<Box<str>>,
    limit: usize,
}

impl History {
    pub fn new(limit: usize) -> Self {
        Self {
            rows: VecDeque::new(),
            limit,
        }
    }

    /// Appends one row that left the screen, evicting the oldest beyond the limit.
    pub fn push(&mut self, row: RowContents<'_>) {
        if self.limit == 0 {
            return;
        }
        let mut s = String::new();
        // A fresh capture state per row makes every stored row self-contained: its SGR codes
        // start from default attributes, so any row can be printed on its own. Writing into a
        // String cannot fail.
        let _ = row.write_formatted_basic(&mut s, &mut BasicFormattedCaptureState::new());
        if self.rows.len() == self.limit {
            self.rows.pop_front();
        }
        self.rows.push_back(s.into_boxed_str());
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Drops everything (the app asked to clear scrollback, or the pane was reset).
    pub fn clear(&mut self) {
        self.rows.clear();
    }

    /// Row `i` (0 = oldest) with its SGR codes.
    pub fn row_formatted(&self, i: usize) -> Option<&str> {
        self.rows.get(i).map(|r| &**r)
    }

    /// Row `i` as plain text.
    pub fn row_plain(&self, i: usize) -> Option<String> {
        self.row_formatted(i)
            .map(|r| basic_formatted_to_plain(r).collect())
    }

    /// Approximate heap bytes held, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.rows.iter().map(|r| r.len()).sum::<usize>()
            + self.rows.capacity() * std::mem::size_of::<Box<str>>()
    }
}
