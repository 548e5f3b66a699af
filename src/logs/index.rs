//! The time index beside each log file (`APP.log.idx`, `APP.log.1.idx` …): when each line of
//! the log began, so `appmux logs --since/--timestamps` can tell without touching the log,
//! which stays byte-exact. Written only by the log thread, as it appends, and rotated with
//! its log.
//!
//! An index is a run of entries, each a line start (byte offset in its log) and a time
//! (milliseconds since the epoch). An entry is relative to the one before it — two varints,
//! the offset delta (never 0) and the time delta — except the first one each time the file is
//! opened, which is `0` followed by the offset and time in full. So a typical line costs
//! 3 or 4 bytes, and an index that was cut short, deleted or written by an earlier run still
//! reads: a partial entry at the end is dropped (and cut off before the next write), and a
//! new file starts over with a full entry.
//!
//! Times never go backwards within one file: a clock stepped back makes the next lines carry
//! the last time written until the clock passes it again.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The index of the log file at `log`.
pub fn index_path(log: &Path) -> PathBuf {
    let mut s = log.as_os_str().to_owned();
    s.push(".idx");
    PathBuf::from(s)
}

/// One line start: its byte offset in the log file and when it began, in ms since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub offset: u64,
    pub time: u64,
}

/// The entries of an index file's bytes, and how many bytes of it they are (less than its
/// length when it ends in a partial entry, or holds something that is not an entry). Offsets
/// only go up: an entry that would go back is where the readable part ends.
pub fn decode(bytes: &[u8]) -> (Vec<Entry>, usize) {
    let mut entries: Vec<Entry> = Vec::new();
    let mut at = 0;
    let mut valid = 0;
    while at < bytes.len() {
        let Some(entry) = next_entry(bytes, &mut at, entries.last()) else {
            break;
        };
        if entries.last().is_some_and(|l| entry.offset <= l.offset) {
            break;
        }
        entries.push(entry);
        valid = at;
    }
    (entries, valid)
}

fn next_entry(bytes: &[u8], at: &mut usize, last: Option<&Entry>) -> Option<Entry> {
    let first = varint(bytes, at)?;
    if first == 0 {
        let offset = varint(bytes, at)?;
        let time = varint(bytes, at)?;
        return Some(Entry { offset, time });
    }
    // A relative entry needs a full one before it.
    let last = last?;
    let dt = varint(bytes, at)?;
    Some(Entry {
        offset: last.offset.checked_add(first)?,
        time: last.time.saturating_add(dt),
    })
}

fn varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut v: u64 = 0;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The entries of the index beside `log`; none when it is missing or unreadable.
pub fn read(log: &Path) -> Vec<Entry> {
    fs::read(index_path(log))
        .map(|b| decode(&b).0)
        .unwrap_or_default()
}

/// The log thread's side of one log file's index.
#[derive(Debug)]
pub struct IndexWriter {
    path: PathBuf,
    file: Option<File>,
    /// Bytes in the file as this writer knows it; another length means someone else cut it.
    size: u64,
    /// The last entry written to this open file (`None`: the next is written in full).
    last: Option<Entry>,
    /// The latest time in the file, which later times are clamped to.
    floor: u64,
}

impl IndexWriter {
    /// The index of the log file at `log`; nothing is opened yet.
    pub fn new(log: &Path) -> Self {
        Self {
            path: index_path(log),
            file: None,
            size: 0,
            last: None,
            floor: 0,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the index for appending, after its log file was opened (`log_size` bytes long):
    /// whatever is readable in it is kept (a partial entry at its end is cut off) and its last
    /// time is the floor. An index that points past its log is not its log's: it starts over.
    pub fn open(&mut self, log_size: u64) -> io::Result<()> {
        self.close();
        let old = match fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let (entries, mut valid) = decode(&old);
        if entries.last().is_some_and(|e| e.offset >= log_size) {
            valid = 0;
        }
        let f = crate::paths::open_private_append(&self.path)?;
        if valid != old.len() {
            f.set_len(valid as u64)?;
        }
        self.size = valid as u64;
        self.floor = entries.last().filter(|_| valid > 0).map_or(0, |e| e.time);
        self.file = Some(f);
        Ok(())
    }

    /// Starts the index over, empty: what was in it can no longer be trusted (it was cut
    /// behind the writer's back, and entries may have been appended to a partial one since).
    /// The floor stays, so times still never go back within the log file.
    fn start_over(&mut self) -> io::Result<()> {
        let floor = self.floor;
        self.close();
        let f = crate::paths::open_private_append(&self.path)?;
        f.set_len(0)?;
        self.size = 0;
        self.floor = floor;
        self.file = Some(f);
        Ok(())
    }

    /// Closes the file (before its log is rotated or removed).
    pub fn close(&mut self) {
        self.file = None;
        self.last = None;
        self.floor = 0;
    }

    /// Reopens the index when it was removed or cut short behind the writer's back, so times
    /// come back for the lines written from now on.
    pub fn recheck(&mut self) {
        let ok =
            self.file.is_some() && fs::metadata(&self.path).is_ok_and(|m| m.len() == self.size);
        if !ok && let Err(e) = self.start_over() {
            self.fail(&e);
        }
    }

    /// Records lines starting at `offsets` (increasing) at `time`. An index that cannot be
    /// written costs its times only, never log bytes: the file is opened again at the next
    /// recheck.
    pub fn record(&mut self, offsets: impl IntoIterator<Item = u64>, time: u64) {
        if self.file.is_none() {
            return;
        }
        let time = time.max(self.floor);
        let mut buf = Vec::new();
        for offset in offsets {
            match self.last {
                Some(last) if offset > last.offset => {
                    put_varint(&mut buf, offset - last.offset);
                    put_varint(&mut buf, time - last.time);
                }
                _ => {
                    buf.push(0);
                    put_varint(&mut buf, offset);
                    put_varint(&mut buf, time);
                }
            }
            self.last = Some(Entry { offset, time });
        }
        self.floor = time;
        let Some(f) = self.file.as_mut() else { return };
        match f.write_all(&buf) {
            Ok(()) => self.size += buf.len() as u64,
            Err(e) => self.fail(&e),
        }
    }

    fn fail(&mut self, e: &io::Error) {
        if self.file.is_some() {
            tracing::debug!(path = %self.path.display(), "log index not written: {e}");
        }
        self.file = None;
        self.last = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cuts the last byte off a file, as a crash in the middle of a write would.
    fn cut_last_byte(path: &Path) {
        let len = fs::metadata(path).unwrap().len();
        File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_len(len - 1)
            .unwrap();
    }

    fn entries(list: &[(u64, u64)]) -> Vec<Entry> {
        list.iter()
            .map(|&(offset, time)| Entry { offset, time })
            .collect()
    }

    #[test]
    fn entries_round_trip_and_a_cut_entry_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("a.log");
        let mut w = IndexWriter::new(&log);
        w.open(u64::MAX).unwrap();
        w.record([0, 10], 1_000_000);
        w.record([25], 1_000_250);
        let want = entries(&[(0, 1_000_000), (10, 1_000_000), (25, 1_000_250)]);
        assert_eq!(read(&log), want);
        let bytes = fs::read(index_path(&log)).unwrap();
        for cut in 0..bytes.len() {
            let (got, valid) = decode(&bytes[..cut]);
            assert_eq!(got, want[..got.len()], "cut at {cut}");
            assert!(valid <= cut);
        }
    }

    #[test]
    fn a_clock_stepped_back_never_makes_times_go_back() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("a.log");
        let mut w = IndexWriter::new(&log);
        w.open(u64::MAX).unwrap();
        w.record([0], 5_000);
        w.record([7], 2_000);
        w.record([9], 6_000);
        // Reopened (a new server) with the clock still behind: the floor is the file's.
        w.open(100).unwrap();
        w.record([12], 3_000);
        let times: Vec<u64> = read(&log).iter().map(|e| e.time).collect();
        assert_eq!(times, [5_000, 5_000, 6_000, 6_000]);
    }

    #[test]
    fn a_deleted_or_cut_index_starts_over_and_keeps_what_still_reads() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("a.log");
        let mut w = IndexWriter::new(&log);
        w.open(u64::MAX).unwrap();
        w.record([0, 4, 8], 100);
        fs::remove_file(w.path()).unwrap();
        w.recheck();
        w.record([12], 200);
        assert_eq!(read(&log), entries(&[(12, 200)]));
        // Cut in the middle of an entry: it starts over, times never going back.
        w.record([300], 300);
        cut_last_byte(w.path());
        w.recheck();
        w.record([400], 250);
        assert_eq!(read(&log), entries(&[(400, 300)]));
        // Opened by a new server: a partial entry at the end is cut off, whole ones stay.
        w.record([500], 500);
        cut_last_byte(w.path());
        w.open(1000).unwrap();
        w.record([600], 600);
        assert_eq!(read(&log), entries(&[(400, 300), (600, 600)]));
        // An index pointing past its log belongs to another: it starts over.
        w.open(550).unwrap();
        w.record([560], 700);
        assert_eq!(read(&log), entries(&[(560, 700)]));
    }

    #[test]
    fn typical_lines_cost_a_few_bytes_each() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("a.log");
        let mut w = IndexWriter::new(&log);
        w.open(u64::MAX).unwrap();
        // 10,000 lines of 80 bytes, 10 per millisecond burst and 40 ms apart.
        let t0 = 1_796_119_200_000;
        for i in 0..10_000u64 {
            w.record([i * 80], t0 + i / 10 * 40);
        }
        let size = fs::metadata(w.path()).unwrap().len();
        assert!(size <= 3 * 10_000 + 16, "{size} bytes for 10,000 lines");
    }
}
