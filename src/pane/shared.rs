//! A pane's terminal, shared by the two parties that touch it, so that output is parsed where it
//! is read. The PTY reader thread of the app's current run parses output into the terminal as it
//! arrives: each flooding pane parses on its own thread, beside the others and beside the
//! server task's rendering, so a flood uses every core. The server task keeps everything else:
//! it is still the one owner of the model (restarts, resizes, input modes, rendering, copy
//! mode, capture), and it reaches the terminal through the same lock.
//!
//! The hand-off:
//! - The reader parses one slice ([`SLICE`] bytes) per lock, so the server never waits for
//!   more than one slice's parse (a few tenths of a millisecond) to draw a frame, and a frame
//!   always sees whole escape sequences' effects in between. A mutex is not fair: a reader that
//!   unlocks and locks again at once keeps the terminal slice after slice while the server,
//!   woken, is still on its way. So the server says it wants the terminal before it waits, and
//!   the reader gives way between slices until it has had it.
//! - Which run may write is part of the shared state and changes only under the lock: a
//!   restart moves it on before it draws its separator, so a previous run's late output is
//!   never parsed into the new run's screen, nor after it.
//! - What the server must act on (query replies to write back, whether the screen may be
//!   drawn now) travels with the output event, which carries the bytes on for the log and the
//!   readiness probe.
//!
//! Locking the same terminal twice on one thread would hang; debug builds panic instead.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::pane::emulator::{ClipboardWrite, Emulator};

/// The most output parsed under one lock.
pub const SLICE: usize = 8 * 1024;
/// The longest a reader gives way before its next slice: time enough for a woken server task
/// to be scheduled and take the lock, short enough that a stuck one cannot stall a flood.
const GIVE_WAY: Duration = Duration::from_millis(2);

/// One pane's terminal; clones share it.
#[derive(Clone)]
pub struct SharedTerm {
    inner: Arc<Inner>,
}

struct Inner {
    /// The run whose output may be parsed; written only with `emu` locked.
    run: AtomicU32,
    emu: Mutex<Emulator>,
    /// Lockers other than the reader waiting for `emu`.
    wanted: AtomicU32,
}

/// What parsing a piece of output asks of the server.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Replies to the app's queries, to write to its input.
    pub replies: Vec<u8>,
    /// The screen may be drawn: false while a synchronized update holds it back.
    pub redraw: bool,
    /// The output belonged to a run that has been replaced, and was dropped.
    pub stale: bool,
    /// Bells rung.
    pub bells: u32,
    /// The last clipboard write (OSC 52) asked for.
    pub clipboard: Option<ClipboardWrite>,
    /// When the synchronized update under way stops holding the display back, after this
    /// output: the server keeps it, so it need not lock every terminal on every turn to know.
    pub sync_deadline: Option<Instant>,
}

impl SharedTerm {
    pub fn new(emu: Emulator) -> Self {
        Self {
            inner: Arc::new(Inner {
                run: AtomicU32::new(0),
                emu: Mutex::new(emu),
                wanted: AtomicU32::new(0),
            }),
        }
    }

    /// The terminal, for as long as the guard lives; a flooding reader lets it go at its next
    /// slice.
    pub fn lock(&self) -> TermGuard<'_> {
        self.inner.wanted.fetch_add(1, Ordering::AcqRel);
        let guard = self.acquire();
        self.inner.wanted.fetch_sub(1, Ordering::AcqRel);
        guard
    }

    fn acquire(&self) -> TermGuard<'_> {
        held::enter(self.key());
        let guard = self
            .inner
            .emu
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        TermGuard {
            guard,
            key: self.key(),
        }
    }

    /// Lets only `run`'s output in from now on, and returns the terminal, locked, so that what
    /// the caller writes next (a restart's separator) comes before any of the new run's output.
    pub fn start_run(&self, run: u32) -> TermGuard<'_> {
        let guard = self.lock();
        self.inner.run.store(run, Ordering::Release);
        guard
    }

    /// Parses output of `run`: what the reader thread calls for each piece it reads.
    pub fn parse(&self, run: u32, bytes: &[u8]) -> Parsed {
        let mut parsed = Parsed::default();
        for slice in bytes.chunks(SLICE) {
            self.give_way();
            let mut emu = self.acquire();
            if self.inner.run.load(Ordering::Acquire) != run {
                parsed.stale = true;
                return parsed;
            }
            let held = emu.sync_deadline();
            parsed.replies.extend(emu.feed(slice));
            parsed.sync_deadline = emu.sync_deadline();
            parsed.redraw |= !(held.is_some() && parsed.sync_deadline == held);
            parsed.bells += emu.take_bells();
            if let Some(write) = emu.take_clipboard() {
                parsed.clipboard = Some(write);
            }
        }
        parsed
    }

    /// Before a slice: waits (a little) while someone else wants the terminal.
    fn give_way(&self) {
        if self.inner.wanted.load(Ordering::Acquire) == 0 {
            return;
        }
        let until = Instant::now() + GIVE_WAY;
        while self.inner.wanted.load(Ordering::Acquire) != 0 && Instant::now() < until {
            std::thread::yield_now();
        }
    }

    fn key(&self) -> usize {
        Arc::as_ptr(&self.inner) as usize
    }
}

/// A locked terminal.
pub struct TermGuard<'a> {
    guard: MutexGuard<'a, Emulator>,
    key: usize,
}

impl std::ops::Deref for TermGuard<'_> {
    type Target = Emulator;
    fn deref(&self) -> &Emulator {
        &self.guard
    }
}

impl std::ops::DerefMut for TermGuard<'_> {
    fn deref_mut(&mut self) -> &mut Emulator {
        &mut self.guard
    }
}

impl Drop for TermGuard<'_> {
    fn drop(&mut self) {
        held::leave(self.key);
    }
}

/// Which terminals this thread holds, in debug builds: a second lock of one of them is a bug
/// that would otherwise hang the thread.
#[cfg(debug_assertions)]
mod held {
    use std::cell::RefCell;

    thread_local! {
        static HELD: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
    }

    pub fn enter(key: usize) {
        HELD.with_borrow_mut(|held| {
            assert!(
                !held.contains(&key),
                "a pane's terminal was locked twice on one thread"
            );
            held.push(key);
        });
    }

    pub fn leave(key: usize) {
        HELD.with_borrow_mut(|held| held.retain(|k| *k != key));
    }
}

#[cfg(not(debug_assertions))]
mod held {
    pub fn enter(_: usize) {}
    pub fn leave(_: usize) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::size::Size;

    fn term() -> SharedTerm {
        SharedTerm::new(Emulator::new(Size { cols: 20, rows: 4 }, 100))
    }

    #[test]
    fn output_of_the_current_run_is_parsed_and_a_replaced_runs_is_dropped() {
        let t = term();
        drop(t.start_run(1));
        assert!(t.parse(1, b"one").redraw);
        drop(t.start_run(2));
        let late = t.parse(1, b" late");
        assert!(late.stale && !late.redraw);
        t.parse(2, b" two");
        assert_eq!(t.lock().screen().contents().trim_end(), "one two");
    }

    #[test]
    fn long_output_is_parsed_whole_across_slices_and_replies_are_kept() {
        let t = term();
        drop(t.start_run(1));
        let mut out = vec![b'x'; SLICE * 2 + 10];
        out.extend_from_slice(b"\x1b[6n");
        let parsed = t.parse(1, &out);
        assert!(parsed.redraw);
        assert!(
            String::from_utf8_lossy(&parsed.replies).ends_with('R'),
            "{:?}",
            parsed.replies
        );
    }

    #[test]
    fn a_synchronized_update_holds_the_screen_back() {
        let t = term();
        drop(t.start_run(1));
        t.parse(1, b"\x1b[?2026h");
        assert!(!t.parse(1, b"drawing").redraw);
        assert!(t.parse(1, b"\x1b[?2026l").redraw);
    }

    #[test]
    fn bells_clipboard_writes_and_the_sync_deadline_travel_with_the_output() {
        let t = term();
        drop(t.start_run(1));
        let mut out = b"\x07one\x07".to_vec();
        // The write lands in a later slice than the bells.
        out.extend(std::iter::repeat_n(b'x', SLICE));
        out.extend_from_slice(b"\x1b]52;c;aGk=\x07\x1b[?2026h");
        let parsed = t.parse(1, &out);
        assert_eq!(parsed.bells, 2);
        let write = parsed.clipboard.expect("the clipboard write");
        assert_eq!(
            (&write.selection[..], &write.data[..]),
            (&b"c"[..], &b"aGk="[..])
        );
        assert!(parsed.sync_deadline.is_some());
        // Taken: the terminal keeps none of them for a second look.
        let next = t.parse(1, b"\x1b[?2026l");
        assert_eq!(
            (next.bells, next.clipboard, next.sync_deadline),
            (0, None, None)
        );
        assert!(next.redraw);
    }

    #[test]
    fn another_thread_parses_while_this_one_reads() {
        let t = term();
        drop(t.start_run(1));
        let reader = t.clone();
        let worker = std::thread::spawn(move || {
            for _ in 0..200 {
                reader.parse(1, b"line\r\n");
            }
        });
        while !worker.is_finished() {
            let _ = t.lock().screen().contents();
        }
        worker.join().unwrap();
        assert!(t.lock().screen().contents().contains("line"));
    }

    #[test]
    fn a_reader_gives_way_to_a_waiting_locker_and_then_parses() {
        let t = term();
        drop(t.start_run(1));
        let held = t.lock();
        // Only a locker still waiting counts: one that has the terminal holds no reader back.
        assert_eq!(t.inner.wanted.load(Ordering::Acquire), 0);
        let waiter = t.clone();
        let b = std::thread::spawn(move || drop(waiter.lock()));
        while t.inner.wanted.load(Ordering::Acquire) == 0 {
            std::thread::yield_now();
        }
        let reader = t.clone();
        let c = std::thread::spawn(move || reader.parse(1, b"after"));
        drop(held);
        b.join().unwrap();
        assert!(c.join().unwrap().redraw);
        assert_eq!(t.inner.wanted.load(Ordering::Acquire), 0);
        assert_eq!(t.lock().screen().contents().trim_end(), "after");
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "locked twice")]
    fn locking_twice_on_one_thread_panics_in_debug_builds() {
        let t = term();
        let _a = t.lock();
        let _b = t.lock();
    }
}
