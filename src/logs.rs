//! Per-app log files: `$XDG_STATE_HOME/appmux/logs/SESSION/APP.log` (`logs-IDENTITY/` for a
//! socket other than the default, see `paths`), private (0600), rotated by size to
//! `APP.log.1` … `APP.log.N`. Every byte an app writes to its PTY is appended here before it is
//! rendered, with a marker line (`[appmux] ...`) at each start and exit.
//!
//! A log problem never stops the app or the server: a failed write counts the bytes it dropped,
//! shows a warning, and the next write (at most once a second) reopens the file — which also
//! recovers from a log directory that was deleted. The server never does this file work itself:
//! it queues it to the log thread (`writer`), which owns every open `AppLog`.
//!
//! Rotation costs as many renames as there are rotated files, never `max_files` of them.
//! Each log file has its time index beside it (`index`), rotated and removed with it.

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::LogSpec;
use index::IndexWriter;

pub mod index;
pub mod query;
pub mod show;
pub mod time;
pub mod writer;

use time::utc;
pub use time::utc_now;
pub use writer::{LogHandle, LogWriter, WriterThread};

/// Every marker line starts with this, so tools can tell markers from app output.
pub const MARKER: &str = "[appmux] ";
/// How often a broken log is retried, and how often an open log checks its path still exists.
const RECHECK: Duration = Duration::from_secs(1);

/// One app's log.
#[derive(Debug)]
pub struct AppLog {
    path: PathBuf,
    spec: LogSpec,
    file: Option<File>,
    size: u64,
    /// The last byte written was a newline (or nothing was written), so a marker needs none.
    at_line_start: bool,
    dropped: u64,
    error: Option<String>,
    last_check: Option<Instant>,
    /// When each line of the live file began.
    index: IndexWriter,
}

impl AppLog {
    /// A log at `path` (see `paths::app_log_file`); nothing is opened until the first write.
    pub fn new(path: PathBuf, spec: LogSpec) -> Self {
        Self {
            index: IndexWriter::new(&path),
            path,
            spec,
            file: None,
            size: 0,
            at_line_start: true,
            dropped: 0,
            error: None,
            last_check: None,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the file now rather than at the first write; false when it cannot be opened, with
    /// the reason in [`AppLog::error`].
    pub fn open_now(&mut self) -> bool {
        self.ensure_open()
    }

    /// Bytes lost to write failures so far.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The current problem, if logging is failing.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Appends app output received now.
    pub fn write(&mut self, bytes: &[u8]) {
        self.write_at(bytes, time::now_ms());
    }

    /// Appends app output received at `time` (ms since the epoch), rotating at the size limit
    /// (a chunk is split so no file exceeds it).
    pub fn write_at(&mut self, mut bytes: &[u8], time: u64) {
        if bytes.is_empty() {
            return;
        }
        if !self.ensure_open() {
            self.dropped += bytes.len() as u64;
            return;
        }
        let max = self.spec.max_size.max(1);
        while !bytes.is_empty() {
            if self.size >= max && !self.rotate() {
                self.dropped += bytes.len() as u64;
                return;
            }
            let room = (max - self.size).min(bytes.len() as u64) as usize;
            let (now, rest) = bytes.split_at(room);
            if let Err(e) = self.append(now, time) {
                self.fail(&e);
                self.dropped += bytes.len() as u64;
                return;
            }
            bytes = rest;
        }
    }

    /// Writes a marker line, on a line of its own.
    pub fn marker(&mut self, text: &str) {
        self.marker_at(time::now_ms(), text);
    }

    /// Writes a marker line stamped with `time` (ms since the epoch: when it was queued, say).
    pub fn marker_at(&mut self, time: u64, text: &str) {
        let nl = if self.at_line_start { "" } else { "\n" };
        let stamp = utc(time / 1000);
        let line = format!("{nl}{MARKER}{stamp} {text}\n");
        self.write_at(line.as_bytes(), time);
    }

    /// Empties the log: the rotated files are removed and the live file is replaced by an empty
    /// one, so nothing written before is left and the next write starts a fresh file (a
    /// follower sees a new live file, as after a rotation, and reads it from its start).
    pub fn clear(&mut self) {
        self.file = None;
        self.index.close();
        let last = highest_rotated(&self.path).max(self.spec.max_files);
        let files = (1..=last).map(|i| rotated(&self.path, i));
        for file in files.chain([self.path.clone()]) {
            for path in [index::index_path(&file), file] {
                match fs::remove_file(&path) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => {
                        tracing::warn!(path = %self.path.display(), "log not emptied: {e}");
                    }
                    _ => {}
                }
            }
        }
        self.size = 0;
        self.at_line_start = true;
        self.last_check = Some(Instant::now());
        if let Err(e) = self.open() {
            self.fail(&e);
        }
    }

    fn append(&mut self, bytes: &[u8], time: u64) -> io::Result<()> {
        let Some(f) = self.file.as_mut() else {
            return Err(io::Error::other("log not open"));
        };
        f.write_all(bytes)?;
        let start = self.size;
        // Where lines begin: here, when the last write ended one (or the file is new, which
        // also gives a line cut by rotation a time), and after every newline but a last one.
        let first = (self.at_line_start || start == 0).then_some(start);
        let after_newlines = memchr::memchr_iter(b'\n', bytes)
            .filter(|&i| i + 1 < bytes.len())
            .map(|i| start + i as u64 + 1);
        self.index
            .record(first.into_iter().chain(after_newlines), time);
        self.size += bytes.len() as u64;
        if let Some(&last) = bytes.last() {
            self.at_line_start = last == b'\n';
        }
        if self.error.take().is_some() {
            tracing::info!(path = %self.path.display(), "logging resumed");
        }
        Ok(())
    }

    fn fail(&mut self, e: &io::Error) {
        if self.error.is_none() {
            tracing::warn!(path = %self.path.display(), "log write failed: {e}");
        }
        self.error = Some(e.to_string());
        self.file = None;
        self.last_check = Some(Instant::now());
    }

    /// Opens the file if needed; reopens it when its path vanished. Checks at most once per
    /// [`RECHECK`] so a flood does not turn into a stat per chunk.
    fn ensure_open(&mut self) -> bool {
        let due = self.last_check.is_none_or(|t| t.elapsed() >= RECHECK);
        if self.file.is_some() {
            if due {
                self.last_check = Some(Instant::now());
                if !self.path.exists() {
                    self.file = None;
                } else {
                    self.index.recheck();
                }
            }
            if self.file.is_some() {
                return true;
            }
        } else if !due {
            return false;
        }
        self.last_check = Some(Instant::now());
        match self.open() {
            Ok(()) => true,
            Err(e) => {
                self.fail(&e);
                false
            }
        }
    }

    /// Opens the log privately (0700 directories, a 0600 file), never through a symlink.
    fn open(&mut self) -> io::Result<()> {
        if let Some(dir) = self.path.parent() {
            crate::paths::create_dir_private(dir)
                .map_err(|e| io::Error::other(format!("{e:#}")))?;
        }
        let f = crate::paths::open_private_append(&self.path)?;
        self.size = f.metadata()?.len();
        self.file = Some(f);
        // The index is best effort: without it the log is whole, only its times are missing.
        if let Err(e) = self.index.open(self.size) {
            tracing::debug!(path = %self.index.path().display(), "log index not opened: {e}");
        }
        Ok(())
    }

    /// `APP.log` → `APP.log.1` → … → `APP.log.N`, dropping the oldest. Only files that exist
    /// are touched, so the cost follows the files kept, not `max_files`.
    fn rotate(&mut self) -> bool {
        self.file = None;
        self.index.close();
        let n = self.spec.max_files;
        let idx = |p: &Path| index::index_path(p);
        if n == 0 {
            let _ = fs::remove_file(&self.path);
            let _ = fs::remove_file(idx(&self.path));
        } else {
            let highest = highest_rotated(&self.path);
            // Past the limit (it may have been lowered since they were written): gone.
            for i in (n..=highest).rev() {
                let _ = fs::remove_file(rotated(&self.path, i));
                let _ = fs::remove_file(idx(&rotated(&self.path, i)));
            }
            for i in (1..=highest.min(n - 1)).rev() {
                let (from, to) = (rotated(&self.path, i), rotated(&self.path, i + 1));
                let _ = fs::rename(idx(&from), idx(&to));
                let _ = fs::rename(from, to);
            }
            // The index goes first, so a reader that finds a log file finds its own index
            // beside it (or none), never the next one's.
            let _ = fs::rename(idx(&self.path), idx(&rotated(&self.path, 1)));
            if let Err(e) = fs::rename(&self.path, rotated(&self.path, 1)) {
                self.fail(&e);
                return false;
            }
        }
        match self.open() {
            Ok(()) => true,
            Err(e) => {
                self.fail(&e);
                false
            }
        }
    }
}

/// The last of the consecutive rotated files `APP.log.1`, `APP.log.2` …; 0 when there is none.
fn highest_rotated(path: &Path) -> u32 {
    (1..=u32::MAX)
        .take_while(|&i| rotated(path, i).exists())
        .last()
        .unwrap_or(0)
}

fn rotated(path: &Path, i: u32) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(format!(".{i}"));
    PathBuf::from(s)
}

/// The log files of one app, oldest first.
pub fn files_oldest_first(path: &Path) -> Vec<PathBuf> {
    let mut rotated_files: Vec<(u32, PathBuf)> = (1..=1000)
        .map(|i| (i, rotated(path, i)))
        .take_while(|(_, p)| p.exists())
        .collect();
    rotated_files.reverse();
    let mut files: Vec<PathBuf> = rotated_files.into_iter().map(|(_, p)| p).collect();
    if path.exists() {
        files.push(path.to_owned());
    }
    files
}

/// The last `n` lines across the rotated files (all of them when `n` is `None`).
pub fn tail(path: &Path, n: Option<usize>) -> io::Result<Vec<u8>> {
    tail_to(path, n).map(|(data, _)| data)
}

/// Where reading a live log stopped: the file (device and inode) and the offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadUpTo {
    file: (u64, u64),
    offset: u64,
}

/// Like [`tail`], and also where the live file was read up to, for [`follow`] to go on from.
pub fn tail_to(path: &Path, n: Option<usize>) -> io::Result<(Vec<u8>, Option<ReadUpTo>)> {
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut lines = 0usize;
    let mut up_to = None;
    // One consistent look, newest first, so a rotation while reading neither skips nor repeats.
    let look = open_all(path);
    let (live, rotated_files) = look.map_or((None, Vec::new()), |l| (l.live, l.rotated));
    if let Some((mut f, id)) = live {
        let mut data = Vec::new();
        f.read_to_end(&mut data)?;
        up_to = Some(ReadUpTo {
            file: id,
            offset: data.len() as u64,
        });
        lines += data.iter().filter(|&&b| b == b'\n').count();
        chunks.push(data);
    }
    for (mut f, _) in rotated_files {
        if n.is_some_and(|n| lines > n) {
            break;
        }
        let mut data = Vec::new();
        f.read_to_end(&mut data)?;
        lines += data.iter().filter(|&&b| b == b'\n').count();
        chunks.push(data);
    }
    chunks.reverse();
    let all = chunks.concat();
    let data = match n {
        None => all,
        Some(n) => last_lines(&all, n).to_vec(),
    };
    Ok((data, up_to))
}

/// The suffix of `data` holding its last `n` lines (a final line without newline counts).
pub fn last_lines(data: &[u8], n: usize) -> &[u8] {
    if n == 0 {
        return &[];
    }
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    let mut seen = 0;
    for (i, &b) in body.iter().enumerate().rev() {
        if b == b'\n' {
            seen += 1;
            if seen == n {
                return &data[i + 1..];
            }
        }
    }
    data
}

/// Prints new bytes of the live log as they arrive, following rotation, until killed. The open
/// file keeps being read after it is renamed, and files rotated in between two looks are read
/// too, so nothing is skipped however fast the log rotates.
pub fn follow(path: &Path, from: Option<ReadUpTo>, out: &mut impl Write) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let id = |m: &fs::Metadata| (m.dev(), m.ino());
    // Watching starts before the first read, so no write after it goes unnoticed.
    let mut changes = DirChanges::new(path);
    let current_at_end = || {
        let mut f = File::open(path).ok()?;
        let meta = f.metadata().ok()?;
        f.seek(SeekFrom::End(0)).ok()?;
        Some((f, id(&meta)))
    };
    let mut current = match from {
        // Go on from where the caller's read stopped, in that file even if it has been rotated
        // since; when it is gone altogether, every file there is newer and is read whole.
        Some(r) => find_file(path, r.file).and_then(|mut f| {
            f.seek(SeekFrom::Start(r.offset)).ok()?;
            Some((f, r.file))
        }),
        None => current_at_end(),
    };
    loop {
        if let Some((f, _)) = current.as_mut() {
            copy_to_end(f, out)?;
        }
        let live = fs::metadata(path).ok().map(|m| id(&m));
        if live.is_some() && live != current.as_ref().map(|(_, i)| *i) {
            // Rotated. What was written to the file we had before it was renamed is read first,
            // then every file rotated since, oldest first, then the live one from its start.
            let seen = match current.as_mut() {
                Some((f, i)) => {
                    copy_to_end(f, out)?;
                    Some(*i)
                }
                None => None,
            };
            if let Some((newer, live)) = rotated_since(path, seen) {
                for mut f in newer {
                    copy_to_end(&mut f, out)?;
                }
                current = Some(live);
            }
            continue;
        }
        out.flush()?;
        changes.wait();
    }
}

/// A log file's identity: device and inode.
type FileId = (u64, u64);

/// Every file of one log, opened in one look during which no rotation ran.
struct Look {
    /// The file being written, unless it is gone (removed by hand, or logging failed).
    live: Option<(File, FileId)>,
    /// `APP.log.1`, `APP.log.2` …, newest first.
    rotated: Vec<(File, FileId)>,
}

/// Opens every file of one log. Rotation renames the rotated files from the oldest down and then
/// the live one, so a look that raced it sees a gap in the numbers, a changed live file or one
/// file twice; the first two are looked at again (a bounded number of times) and the third is
/// dropped. `None` when the log has no file at all.
fn open_all(path: &Path) -> Option<Look> {
    use std::os::unix::fs::MetadataExt;
    let open = |p: &Path| {
        let f = File::open(p).ok()?;
        let meta = f.metadata().ok()?;
        Some((f, (meta.dev(), meta.ino())))
    };
    let live_id = || fs::metadata(path).ok().map(|m| (m.dev(), m.ino()));
    let mut look = None;
    for attempt in 0..1000 {
        let live = open(path);
        let before = live.as_ref().map(|l| l.1);
        let mut rotated_files = Vec::new();
        let mut torn = false;
        for i in 1..=1000 {
            match open(&rotated(path, i)) {
                Some(f) => rotated_files.push(f),
                None => {
                    torn = rotated(path, i + 1).exists();
                    break;
                }
            }
        }
        if live.is_none() && rotated_files.is_empty() {
            return None;
        }
        // A missing live file is usually the instant inside a rotation; only a lasting one is
        // taken as gone.
        let settled = before.is_some() || attempt >= 20;
        if !torn && settled && live_id() == before {
            // A file renamed one up while the walk passed it was opened twice, side by side.
            rotated_files.dedup_by(|a, b| a.1 == b.1);
            return Some(Look {
                live,
                rotated: rotated_files,
            });
        }
        look = Some(Look {
            live,
            rotated: rotated_files,
        });
        if before.is_none() {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    look
}

/// The live or rotated log file with this id, opened (`None` once it has been removed).
fn find_file(path: &Path, wanted: FileId) -> Option<File> {
    let look = open_all(path)?;
    look.live
        .into_iter()
        .chain(look.rotated)
        .find(|(_, id)| *id == wanted)
        .map(|(f, _)| f)
}

/// The files rotated after the one with id `seen` (all of them when `None`, or when it has
/// been removed since), oldest first, and the live file.
fn rotated_since(path: &Path, seen: Option<FileId>) -> Option<(Vec<File>, (File, FileId))> {
    let look = open_all(path)?;
    let live = look.live?;
    let mut newer: Vec<File> = look
        .rotated
        .into_iter()
        .take_while(|(_, id)| Some(*id) != seen)
        .map(|(f, _)| f)
        .collect();
    newer.reverse();
    Some((newer, live))
}

/// Wakes a follower when anything in a log's directory changes (a write, a rotation, a new
/// file), through inotify.
struct DirChanges {
    dir: PathBuf,
    /// The inotify descriptor, once the directory exists.
    watch: Option<rustix::fd::OwnedFd>,
}

impl DirChanges {
    /// The longest wait without an event, after which the watch is set up again: the
    /// directory may not have existed yet, or may have been removed and made anew.
    const RENEW: Duration = Duration::from_secs(1);

    fn new(log: &Path) -> Self {
        let dir = match log.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let watch = Self::watch(&dir);
        Self { dir, watch }
    }

    fn watch(dir: &Path) -> Option<rustix::fd::OwnedFd> {
        use rustix::fs::inotify::{self, CreateFlags, WatchFlags};
        let fd = inotify::init(CreateFlags::CLOEXEC).ok()?;
        let events = WatchFlags::MODIFY
            | WatchFlags::CREATE
            | WatchFlags::MOVED_TO
            | WatchFlags::MOVED_FROM
            | WatchFlags::DELETE
            | WatchFlags::DELETE_SELF;
        inotify::add_watch(&fd, dir, events).ok()?;
        Some(fd)
    }

    /// Returns once something changed, or after [`Self::RENEW`] with the watch set up again.
    fn wait(&mut self) {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        if let Some(fd) = &self.watch {
            let mut fds = [PollFd::new(fd, PollFlags::IN)];
            let timeout = Timespec::try_from(Self::RENEW).ok();
            if matches!(poll(&mut fds, timeout.as_ref()), Ok(n) if n > 0) {
                // What changed does not matter: the follower looks at the files again.
                let mut events = [0u8; 4096];
                let _ = rustix::io::read(fd, &mut events);
                return;
            }
        } else {
            // Nothing to watch (the app has not logged anything yet, or the file system has no
            // inotify): look again shortly.
            std::thread::sleep(Duration::from_millis(100));
        }
        self.watch = Self::watch(&self.dir);
    }
}

fn copy_to_end(f: &mut File, out: &mut impl Write) -> io::Result<()> {
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        out.write_all(&buf[..n])?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(max_size: u64, max_files: u32) -> LogSpec {
        LogSpec {
            max_size,
            max_files,
        }
    }

    #[test]
    fn rotation_keeps_every_byte_within_the_file_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = AppLog::new(dir.path().join("app.log"), spec(100, 50));
        let data: Vec<u8> = (0..1000u32).map(|i| b'a' + (i % 26) as u8).collect();
        for chunk in data.chunks(37) {
            log.write(chunk);
        }
        let files = files_oldest_first(log.path());
        assert_eq!(files.len(), 10);
        for f in &files {
            assert!(fs::metadata(f).unwrap().len() <= 100);
        }
        assert_eq!(tail(log.path(), None).unwrap(), data);
        assert_eq!(log.dropped(), 0);
    }

    #[test]
    fn clearing_removes_rotated_files_and_starts_a_fresh_live_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = AppLog::new(dir.path().join("app.log"), spec(10, 3));
        log.write(&[b'x'; 35]);
        assert_eq!(files_oldest_first(log.path()).len(), 4);
        log.clear();
        assert_eq!(files_oldest_first(log.path()), [log.path().to_owned()]);
        assert_eq!(fs::metadata(log.path()).unwrap().len(), 0);
        log.write(b"after\n");
        assert_eq!(tail(log.path(), None).unwrap(), b"after\n");
        assert_eq!(log.dropped(), 0);
    }

    #[test]
    fn only_max_files_rotated_files_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = AppLog::new(dir.path().join("app.log"), spec(10, 2));
        log.write(&[b'x'; 100]);
        let files = files_oldest_first(log.path());
        assert_eq!(files.len(), 3, "{files:?}");
        assert!(files[0].ends_with("app.log.2"));
    }

    #[test]
    fn rotation_cost_follows_the_files_kept_not_max_files() {
        let dir = tempfile::tempdir().unwrap();
        // With a rename per possible file, the first rotation alone would take hours.
        let mut log = AppLog::new(dir.path().join("app.log"), spec(10, u32::MAX));
        let (done_tx, done) = std::sync::mpsc::channel();
        let path = log.path().to_owned();
        std::thread::spawn(move || {
            log.write(&[b'x'; 55]);
            let _ = done_tx.send(log.dropped());
        });
        let dropped = done
            .recv_timeout(Duration::from_secs(60))
            .expect("five rotations finish");
        assert_eq!(dropped, 0);
        assert_eq!(files_oldest_first(&path).len(), 6);
        // A limit lowered below the files already there removes the extra ones.
        let mut log = AppLog::new(path.clone(), spec(10, 2));
        log.write(&[b'y'; 10]);
        let files = files_oldest_first(&path);
        assert_eq!(files.len(), 3, "{files:?}");
        assert!(!rotated(&path, 3).exists());
    }

    /// Hands what a follower writes to the test thread.
    struct Sent(std::sync::mpsc::Sender<Vec<u8>>);

    impl Write for Sent {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let _ = self.0.send(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn follow_goes_on_from_where_tail_stopped_and_wakes_on_writes() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = AppLog::new(dir.path().join("app.log"), spec(1 << 20, 2));
        log.write(b"one\n");
        let (data, up_to) = tail_to(log.path(), Some(5)).unwrap();
        assert_eq!(data, b"one\n");
        // Written between the tail and the follow: still shown.
        log.write(b"two\n");
        let (tx, rx) = std::sync::mpsc::channel();
        let path = log.path().to_path_buf();
        // The follower never returns; the thread ends with the test process.
        std::thread::spawn(move || follow(&path, up_to, &mut Sent(tx)));
        let mut got = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut wrote_three = false;
        while !got.ends_with(b"three\n") {
            if let Ok(bytes) = rx.recv_timeout(Duration::from_millis(50)) {
                got.extend_from_slice(&bytes);
            }
            if got == b"two\n" && !wrote_three {
                log.write(b"three\n");
                wrote_three = true;
            }
            assert!(Instant::now() < deadline, "follower showed {got:?}");
        }
        assert_eq!(got, b"two\nthree\n");
    }

    #[test]
    fn follow_misses_nothing_while_the_log_rotates_faster_than_it_looks() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = AppLog::new(dir.path().join("app.log"), spec(64, 1000));
        log.write(b"start\n");
        let (_, up_to) = tail_to(log.path(), Some(1)).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let path = log.path().to_path_buf();
        std::thread::spawn(move || follow(&path, up_to, &mut Sent(tx)));
        // Many small writes, each few bytes, so files rotate between any two looks.
        let mut want = Vec::new();
        for i in 0..2000 {
            let line = format!("line-{i}\n");
            log.write(line.as_bytes());
            want.extend_from_slice(line.as_bytes());
        }
        let mut got = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while got.len() < want.len() {
            if let Ok(bytes) = rx.recv_timeout(Duration::from_millis(50)) {
                got.extend_from_slice(&bytes);
            }
            if Instant::now() > deadline {
                let first = got.iter().zip(&want).position(|(a, b)| a != b).unwrap_or(0);
                let text = String::from_utf8_lossy(&got[first.saturating_sub(40)..]);
                panic!(
                    "follower showed {} of {} bytes, differing from {first}: {:.120}",
                    got.len(),
                    want.len(),
                    text
                );
            }
        }
        let first = got.iter().zip(&want).position(|(a, b)| a != b);
        assert!(
            got == want,
            "the follower lost or repeated bytes from {first:?}: {:?}",
            String::from_utf8_lossy(&got[first.unwrap_or(0).saturating_sub(40)..][..120])
        );
    }

    #[test]
    fn markers_sit_on_their_own_lines() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = AppLog::new(dir.path().join("app.log"), spec(1 << 20, 2));
        log.marker("started pid 1");
        log.write(b"partial");
        log.marker("exited with code 0");
        let text = String::from_utf8(tail(log.path(), None).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with(MARKER) && lines[0].ends_with("started pid 1"));
        assert_eq!(lines[1], "partial");
        assert!(lines[2].starts_with(MARKER));
    }

    #[test]
    fn tail_reads_across_rotated_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = AppLog::new(dir.path().join("app.log"), spec(20, 10));
        for i in 0..30 {
            log.write(format!("line {i}\n").as_bytes());
        }
        let last = tail(log.path(), Some(3)).unwrap();
        assert_eq!(last, b"line 27\nline 28\nline 29\n");
        assert_eq!(last_lines(b"a\nb\nc", 2), b"b\nc");
    }

    #[test]
    fn a_vanished_directory_is_recreated_and_a_broken_log_counts_drops() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let mut log = AppLog::new(logs.join("app.log"), spec(1 << 20, 2));
        log.write(b"before\n");
        fs::remove_dir_all(&logs).unwrap();
        // Make the directory impossible to create: a file stands where it should be.
        fs::write(&logs, b"not a dir").unwrap();
        log.last_check = None;
        log.write(b"lost\n");
        assert_eq!(log.dropped(), 5);
        assert!(log.error().is_some());
        fs::remove_file(&logs).unwrap();
        log.last_check = None;
        log.write(b"after\n");
        assert!(log.error().is_none());
        assert_eq!(fs::read(log.path()).unwrap(), b"after\n");
    }
}
