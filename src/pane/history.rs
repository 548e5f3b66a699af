//! The compact scrollback store. vt100 keeps no history of its own here (its cells cost ~32
//! bytes each); rows that scroll off the top arrive through the `on_scroll` callback and are kept
//! as SGR-formatted text, a few bytes per cell, bounded by a line count.
//!
//! Every line an app prints passes through here, so storing one must cost little beyond vt100's
//! own formatting: rows are formatted into one reused buffer and appended to the newest of a
//! queue of text blocks, and a block records only where each of its rows ends (4 bytes a row).
//! Nothing is allocated or freed per row.
//!
//! A block that is full is compressed (LZ4: fast enough to keep up with a flood, and history
//! text shrinks to a third or less), so a server with dozens of apps at full history stays
//! small. Reading rows back decompresses a block at a time, and the last block read is kept,
//! so walking all of history (copy mode, search, `capture -S -`) decompresses each block once.
//! A block is released when its last row has been evicted; the newest, open block's buffer is
//! kept for reuse.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;

use vt100::capture::{BasicFormattedCaptureState, RowContents, basic_formatted_to_plain};

/// Text block size: large enough that compression and per-block costs pay, small enough that
/// decompressing one to read a row stays in the microseconds.
const BLOCK: usize = 16 * 1024;

/// Scrolled-off rows, oldest first.
#[derive(Debug)]
pub struct History {
    /// The front block holds the oldest rows; only the back one is open for more.
    blocks: VecDeque<Block>,
    /// Rows kept.
    len: usize,
    /// The number of the front block; blocks behind it are numbered on from it.
    first_block: u64,
    limit: usize,
    /// A released open buffer, cleared, for the next block.
    spare: Option<String>,
    /// The row being formatted.
    scratch: Scratch,
    /// The last compressed block read: its number and text.
    unpacked: RefCell<Option<(u64, String)>>,
}

#[derive(Debug)]
struct Block {
    text: Text,
    /// Where each row of the block ends in its text, in order.
    ends: Vec<u32>,
    /// Rows at the front of the block already evicted.
    evicted: u32,
}

#[derive(Debug)]
enum Text {
    /// The newest block, taking rows.
    Open(String),
    /// A full block, compressed; `len` is its text's length.
    Packed { bytes: Box<[u8]>, len: u32 },
}

impl Block {
    fn live(&self) -> usize {
        self.ends.len() - self.evicted as usize
    }

    /// The byte range of row `k` of the block (counting evicted rows).
    fn range(&self, k: usize) -> Option<std::ops::Range<usize>> {
        let end = *self.ends.get(k)? as usize;
        let start = k.checked_sub(1).map_or(0, |p| self.ends[p] as usize);
        Some(start..end)
    }

    fn heap_bytes(&self) -> usize {
        self.ends.capacity() * 4
            + match &self.text {
                Text::Open(s) => s.capacity(),
                Text::Packed { bytes, .. } => bytes.len(),
            }
    }
}

impl History {
    pub fn new(limit: usize) -> Self {
        Self {
            blocks: VecDeque::new(),
            len: 0,
            first_block: 0,
            limit,
            spare: None,
            scratch: Scratch(String::new()),
            unpacked: RefCell::new(None),
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
        if self.len == self.limit {
            self.evict();
        }
        // The layer's marks for blink and protection are not kept in history.
        if let (std::borrow::Cow::Owned(clean), _) = crate::pane::filter::unmarked(&self.scratch.0)
        {
            self.scratch.0 = clean;
        }
        let need = self.scratch.0.len();
        let fits = matches!(
            self.blocks.back(),
            Some(Block { text: Text::Open(s), .. }) if s.capacity() - s.len() >= need
        );
        if !fits {
            // The full block's buffers, emptied, serve the next one: a flood allocates nothing
            // per block but the packed copy.
            let reused = self.blocks.back_mut().and_then(pack);
            let (mut text, ends) = match reused {
                Some((text, ends)) if text.capacity() >= need => (text, ends),
                _ => match self.spare.take() {
                    Some(s) if s.capacity() >= need => (s, Vec::new()),
                    _ => (String::with_capacity(BLOCK.max(need)), Vec::new()),
                },
            };
            text.clear();
            self.blocks.push_back(Block {
                text: Text::Open(text),
                ends,
                evicted: 0,
            });
        }
        let Some(Block {
            text: Text::Open(text),
            ends,
            ..
        }) = self.blocks.back_mut()
        else {
            return;
        };
        text.push_str(&self.scratch.0);
        // Offsets fit in u32: a block is at most the size of the longest row, far below 4 GiB.
        ends.push(text.len() as u32);
        self.len += 1;
    }

    /// Drops the oldest row, and its block when that was the block's last row.
    fn evict(&mut self) {
        let Some(front) = self.blocks.front_mut() else {
            return;
        };
        front.evicted += 1;
        self.len -= 1;
        if front.live() == 0
            && let Some(block) = self.blocks.pop_front()
        {
            self.first_block += 1;
            if let Text::Open(s) = block.text
                && s.capacity() <= BLOCK
            {
                self.spare = Some(s);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Drops everything (the app asked to clear scrollback, or the pane was reset).
    pub fn clear(&mut self) {
        self.len = 0;
        self.first_block += self.blocks.len() as u64;
        for block in self.blocks.drain(..) {
            if let Text::Open(s) = block.text
                && s.capacity() <= BLOCK
            {
                self.spare = Some(s);
            }
        }
        *self.unpacked.borrow_mut() = None;
    }

    /// Row `i` (0 = oldest) with its SGR codes.
    pub fn row_formatted(&self, mut i: usize) -> Option<String> {
        for (n, block) in self.blocks.iter().enumerate() {
            if i >= block.live() {
                i -= block.live();
                continue;
            }
            let range = block.range(i + block.evicted as usize)?;
            return match &block.text {
                Text::Open(s) => s.get(range).map(str::to_owned),
                Text::Packed { bytes, len } => {
                    let number = self.first_block + n as u64;
                    let mut cache = self.unpacked.borrow_mut();
                    if cache.as_ref().is_none_or(|(at, _)| *at != number) {
                        *cache = Some((number, unpack(bytes, *len)));
                    }
                    cache.as_ref()?.1.get(range).map(str::to_owned)
                }
            };
        }
        None
    }

    /// Row `i` as plain text.
    pub fn row_plain(&self, i: usize) -> Option<String> {
        self.row_formatted(i)
            .map(|r| basic_formatted_to_plain(&r).collect())
    }

    /// Approximate heap bytes held, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.blocks.iter().map(Block::heap_bytes).sum::<usize>()
            + self.spare.as_ref().map_or(0, String::capacity)
            + self.scratch.0.capacity()
            + self.blocks.capacity() * std::mem::size_of::<Block>()
            + self
                .unpacked
                .borrow()
                .as_ref()
                .map_or(0, |(_, s)| s.capacity())
    }
}

thread_local! {
    /// Where blocks are compressed, before the exact-size copy a block keeps: compressing
    /// straight into a block's own allocation, then shrinking it, left a hole of about half a
    /// block in the heap behind every packed block (100 KiB and more per pane at full history).
    static PACKING: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Compresses a full block, whose rows' offsets stay valid in the text it unpacks to; returns
/// its open buffers, emptied, when they are small enough to reuse for the next block.
fn pack(block: &mut Block) -> Option<(String, Vec<u32>)> {
    let Text::Open(s) = &block.text else {
        return None;
    };
    let bytes = PACKING.with_borrow_mut(|out| {
        out.resize(lz4_flex::block::get_maximum_output_size(s.len()), 0);
        // The output has room for the worst case, so this cannot fail; should it, the block
        // stays open (uncompressed) rather than losing rows.
        let n = lz4_flex::compress_into(s.as_bytes(), out).ok()?;
        Some(Box::<[u8]>::from(&out[..n]))
    })?;
    let len = s.len() as u32;
    let Text::Open(text) = std::mem::replace(&mut block.text, Text::Packed { bytes, len }) else {
        return None;
    };
    // A clone is allocated at its length: the packed block keeps exactly its rows' offsets.
    let exact = block.ends.clone();
    let mut ends = std::mem::replace(&mut block.ends, exact);
    ends.clear();
    (text.capacity() <= BLOCK).then_some((text, ends))
}

/// The text of a packed block. It was valid UTF-8 when packed, and only this module packs, so
/// a failure here cannot happen; should it, the rows read as empty rather than as garbage.
fn unpack(bytes: &[u8], len: u32) -> String {
    lz4_flex::decompress(bytes, len as usize)
        .ok()
        .and_then(|v| String::from_utf8(v).ok())
        .unwrap_or_default()
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
        assert_eq!(h.row_formatted(0).as_deref(), Some("\x1b[31mred"));
        assert_eq!(h.row_formatted(1).as_deref(), Some("plain"));
        assert_eq!(h.row_plain(2).as_deref(), Some("中文 wide"));
        assert_eq!(h.row_formatted(3), None);
    }

    #[test]
    fn full_blocks_are_compressed_and_read_back_whole() {
        let mut h = History::new(20_000);
        let lines: Vec<String> = (0..10_500)
            .map(|i| match i % 3 {
                0 => format!("{i:05} GET /api/items/{} 200 {}ms", i * 7, i % 90),
                1 => format!(
                    "{i:05} \x1b[3{}mwarn\x1b[m ünïcödé 中文 retry {}",
                    i % 8,
                    i % 13
                ),
                _ => format!("{i:05} {}", "lorem ipsum dolor sit amet ".repeat(i % 5)),
            })
            .collect();
        push_lines(&mut h, &lines);
        assert_eq!(h.len(), lines.len());
        let text: usize = lines.iter().map(String::len).sum();
        assert!(h.heap_bytes() * 2 < text, "{} of {text}", h.heap_bytes());
        // Read in any order, every row comes back as it went in.
        for i in [10_499, 0, 5_000, 1, 10_498, 77] {
            assert_eq!(
                basic_formatted_to_plain(&h.row_formatted(i).unwrap()).collect::<String>(),
                basic_formatted_to_plain(&lines[i]).collect::<String>()
            );
        }
    }

    /// Packing through the shared compression buffer: the open block's buffers go on to the
    /// next block, a packed block holds exactly its rows' offsets, and every row reads back.
    /// (What this saves, the holes that shrinking each compressed block left in the heap, shows
    /// in the server's resident size: `benches/compare.py --only many`.)
    #[test]
    fn packing_reuses_the_open_buffers_and_keeps_exact_allocations() {
        let mut h = History::new(100_000);
        let line = |i: usize| format!("{i:06} \x1b[32mok\x1b[m {}", "payload ".repeat(i % 7));
        let open_ptr = |h: &History| match &h.blocks.back().unwrap().text {
            Text::Open(s) => s.as_ptr(),
            Text::Packed { .. } => panic!("the newest block is open"),
        };
        push_lines(&mut h, &(0..50).map(line).collect::<Vec<_>>());
        let first = open_ptr(&h);
        push_lines(&mut h, &(50..3_000).map(line).collect::<Vec<_>>());
        assert!(h.blocks.len() > 3, "{} blocks", h.blocks.len());
        assert_eq!(
            open_ptr(&h),
            first,
            "the open block's text buffer was replaced"
        );
        for block in h.blocks.iter().take(h.blocks.len() - 1) {
            assert!(matches!(block.text, Text::Packed { .. }));
            assert_eq!(block.ends.capacity(), block.ends.len());
        }
        for i in [0, 1_234, 2_999] {
            assert_eq!(
                basic_formatted_to_plain(&h.row_formatted(i).unwrap()).collect::<String>(),
                basic_formatted_to_plain(&line(i)).collect::<String>()
            );
        }
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
