//! The compact scrollback store. vt100 keeps no history of its own here (its cells cost ~32
//! bytes each); rows that scroll off the top arrive through the `on_scroll` callback and are kept
//! as SGR-formatted text, a few bytes per cell, bounded by a line count.
//!
//! Every line an app prints passes through here, so storing one must cost little beyond vt100's
//! own formatting: rows are formatted into one reused buffer and appended to large text blocks,
//! with a small record per row saying where it lies. Nothing is allocated or freed per row: a
//! block is released (and kept for reuse) only when its last row has been evicted.

use std::collections::VecDeque;
use std::fmt;

use vt100::capture::{BasicFormattedCaptureState, RowContents, basic_formatted_to_plain};

/// Text block size: large enough that per-block costs vanish, small enough that the partly
/// evicted oldest block and the partly filled newest one waste little.
const BLOCK: usize = 16 * 1024;

/// Scrolled-off rows, oldest first.
#[derive(Debug)]
pub struct History {
    /// Row text, back to back; the front block holds the oldest rows.
    blocks: VecDeque<Block>,
    /// Where each row lies, oldest first.
    rows: VecDeque<Span>,
    /// The number of the front block; blocks behind it are numbered on from it.
    first_block: u32,
    limit: usize,
    /// A released block, cleared, for the next one needed.
    spare: Option<String>,
    /// The row being formatted.
    scratch: Scratch,
}

#[derive(Debug)]
struct Block {
    text: String,
    /// Rows in this block not yet evicted.
    live: u32,
}

#[derive(Debug, Clone, Copy)]
struct Span {
    block: u32,
    start: u32,
    end: u32,
}

impl History {
    pub fn new(limit: usize) -> Self {
        Self {
            blocks: VecDeque::new(),
            rows: VecDeque::new(),
            first_block: 0,
            limit,
            spare: None,
            scratch: Scratch(String::new()),
        }
    }

    /// Appends one row that left the screen, evicting the oldest beyond the limit.
    pub fn push(&mut self, row: RowContents<'_>) {
        if self.limit == 0 {
            return;
        }
        self.scratch.0.clear();
        // A fresh capture state per row makes every stored row self-contained: its SGR codes
        // start from default attributes, so any row can be printed on its own. The writer
        // cannot fail.
        let _ =
            row.write_formatted_basic(&mut self.scratch, &mut BasicFormattedCaptureState::new());
        if self.rows.len() == self.limit {
            self.evict();
        }
        // The layer's marks for blink and protection are not kept in history.
        if let (std::borrow::Cow::Owned(clean), _) = crate::pane::filter::unmarked(&self.scratch.0)
        {
            self.scratch.0 = clean;
        }
        let text = &self.scratch.0;
        let fits = self
            .blocks
            .back()
            .is_some_and(|b| b.text.capacity() - b.text.len() >= text.len());
        if !fits {
            let mut block = match self.spare.take() {
                Some(s) if s.capacity() >= text.len() => s,
                _ => String::with_capacity(BLOCK.max(text.len())),
            };
            block.clear();
            self.blocks.push_back(Block {
                text: block,
                live: 0,
            });
        }
        let number = self.first_block.wrapping_add(self.blocks.len() as u32 - 1);
        let Some(block) = self.blocks.back_mut() else {
            return;
        };
        // Offsets fit in u32: a block is at most the size of the longest row, far below 4 GiB.
        let start = block.text.len() as u32;
        block.text.push_str(text);
        block.live += 1;
        self.rows.push_back(Span {
            block: number,
            start,
            end: block.text.len() as u32,
        });
    }

    /// Drops the oldest row, and its block when that was the block's last row.
    fn evict(&mut self) {
        let Some(span) = self.rows.pop_front() else {
            return;
        };
        let Some(front) = self.blocks.front_mut() else {
            return;
        };
        debug_assert_eq!(span.block, self.first_block);
        front.live -= 1;
        if front.live == 0
            && let Some(block) = self.blocks.pop_front()
        {
            self.first_block = self.first_block.wrapping_add(1);
            if block.text.capacity() <= BLOCK {
                self.spare = Some(block.text);
            }
        }
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
        self.first_block = self.first_block.wrapping_add(self.blocks.len() as u32);
        if let Some(block) = self.blocks.drain(..).find(|b| b.text.capacity() <= BLOCK) {
            self.spare = Some(block.text);
        }
    }

    /// Row `i` (0 = oldest) with its SGR codes.
    pub fn row_formatted(&self, i: usize) -> Option<&str> {
        let span = self.rows.get(i)?;
        let block = self
            .blocks
            .get(span.block.wrapping_sub(self.first_block) as usize)?;
        block.text.get(span.start as usize..span.end as usize)
    }

    /// Row `i` as plain text.
    pub fn row_plain(&self, i: usize) -> Option<String> {
        self.row_formatted(i)
            .map(|r| basic_formatted_to_plain(r).collect())
    }

    /// Approximate heap bytes held, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.blocks.iter().map(|b| b.text.capacity()).sum::<usize>()
            + self.spare.as_ref().map_or(0, String::capacity)
            + self.scratch.0.capacity()
            + self.rows.capacity() * std::mem::size_of::<Span>()
            + self.blocks.capacity() * std::mem::size_of::<Block>()
    }
}

/// The formatting target: a `String` whose writes of a character or two, which is what a row's
/// cells are, skip the general copy.
#[derive(Debug)]
struct Scratch(String);

impl fmt::Write for Scratch {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        match s.as_bytes() {
            [b] if b.is_ascii() => self.0.push(char::from(*b)),
            _ => self.0.push_str(s),
        }
        Ok(())
    }

    #[inline]
    fn write_char(&mut self, c: char) -> fmt::Result {
        self.0.push(c);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU16;

    use super::*;

    /// Feeds `lines` through a one-row terminal, so each line scrolls into `history`.
    fn push_lines(history: &mut History, lines: &[String]) {
        struct Into<'a>(&'a mut History);
        impl vt100::Callbacks for Into<'_> {
            fn on_scroll(&mut self, row: RowContents<'_>, _alternate: bool) {
                self.0.push(row);
            }
        }
        let one = NonZeroU16::new(1).unwrap();
        let cols = NonZeroU16::new(4000).unwrap();
        let mut parser = vt100::Parser::new_with_callbacks(one, cols, 0, Into(history));
        for line in lines {
            parser.process(line.as_bytes());
            parser.process(b"\r\n");
        }
    }

    fn plain(history: &History) -> Vec<String> {
        (0..history.len())
            .map(|i| history.row_plain(i).unwrap())
            .collect()
    }

    #[test]
    fn rows_come_back_in_order_across_blocks_and_evictions() {
        let mut h = History::new(500);
        // Rows of every size, a few longer than a block, many blocks' worth in all.
        let lines: Vec<String> = (0..3000)
            .map(|i| format!("{i} {}", "x".repeat(i * 37 % (BLOCK + 200))))
            .filter(|l| l.len() < 4000)
            .collect();
        push_lines(&mut h, &lines);
        let kept = &lines[lines.len() - 500..];
        assert_eq!(plain(&h), kept);
        assert!(h.blocks.len() < 500);
        // Memory stays near the text kept: whole blocks are released as rows leave, and a
        // block's unused tail is smaller than the row that did not fit in it.
        let text: usize = kept.iter().map(String::len).sum();
        assert!(
            h.heap_bytes() < text * 5 / 4 + 4 * BLOCK,
            "{}",
            h.heap_bytes()
        );
    }

    #[test]
    fn colours_are_kept_and_rows_start_from_default_attributes() {
        let mut h = History::new(10);
        push_lines(
            &mut h,
            &[
                "\x1b[31mred\x1b[m".into(),
                "plain".into(),
                "中文 wide".into(),
            ],
        );
        assert_eq!(h.row_formatted(0), Some("\x1b[31mred"));
        assert_eq!(h.row_formatted(1), Some("plain"));
        assert_eq!(h.row_plain(2).as_deref(), Some("中文 wide"));
        assert_eq!(h.row_formatted(3), None);
    }

    #[test]
    fn clear_and_zero_limit_keep_nothing() {
        let mut h = History::new(3);
        push_lines(&mut h, &["a".into(), "b".into()]);
        h.clear();
        assert!(h.is_empty());
        push_lines(&mut h, &["c".into(), "d".into(), "e".into(), "f".into()]);
        assert_eq!(plain(&h), ["d", "e", "f"]);

        let mut none = History::new(0);
        push_lines(&mut none, &["a".into()]);
        assert!(none.is_empty());
    }
}
