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

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::config::LogSpec;

pub mod writer;

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
}

impl AppLog {
    /// A log at `path` (see `paths::app_log_file`); nothing is opened until the first write.
    pub fn new(path: PathBuf, spec: LogSpec) -> Self {
        Self {
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

    /// Bytes lost to write failures so far.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The current problem, if logging is failing.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Appends app output, rotating at the size limit (a chunk is split so no file exceeds it).
    pub fn write(&mut self, mut bytes: &[u8]) {
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
            if let Err(e) = self.append(now) {
                self.fail(&e);
                self.dropped += bytes.len() as u64;
                return;
            }
            bytes = rest;
        }
    }

    /// Writes a marker line, on a line of its own.
    pub fn marker(&mut self, text: &str) {
        self.marker_at(&utc_now(), text);
    }

    /// Writes a marker line stamped with `time` (when it was queued, say).
    pub fn marker_at(&mut self, time: &str, text: &str) {
        let nl = if self.at_line_start { "" } else { "\n" };
        let line = format!("{nl}{MARKER}{time} {text}\n");
        self.write(line.as_bytes());
    }

    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        let Some(f) = self.file.as_mut() else {
            return Err(io::Error::other("log not open"));
        };
        f.write_all(bytes)?;
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
        Ok(())
    }

    /// `APP.log` → `APP.log.1` → … → `APP.log.N`, dropping the oldest. Only files that exist
    /// are touched, so the cost follows the files kept, not `max_files`.
    fn rotate(&mut self) -> bool {
        self.file = None;
        let n = self.spec.max_files;
        if n == 0 {
            let _ = fs::remove_file(&self.path);
        } else {
            let highest = highest_rotated(&self.path);
            // Past the limit (it may have been lowered since they were written): gone.
            for i in (n..=highest).rev() {
                let _ = fs::remove_file(rotated(&self.path, i));
            }
            for i in (1..=highest.min(n - 1)).rev() {
                let _ = fs::rename(rotated(&self.path, i), rotated(&self.path, i + 1));
            }
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
    use std::os::unix::fs::MetadataExt;
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut lines = 0usize;
    let mut up_to = None;
    for file in files_oldest_first(path).into_iter().rev() {
        let mut data = Vec::new();
        let mut f = File::open(&file)?;
        f.read_to_end(&mut data)?;
        if file == path {
            let meta = f.metadata()?;
            up_to = Some(ReadUpTo {
                file: (meta.dev(), meta.ino()),
                offset: data.len() as u64,
            });
        }
        lines += data.iter().filter(|&&b| b == b'\n').count();
        chunks.push(data);
        if n.is_some_and(|n| lines > n) {
            break;
        }
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
    let mut current: Option<(File, (u64, u64))> = None;
    if let Ok(mut f) = File::open(path) {
        let meta = f.metadata()?;
        // Go on from where the caller's read stopped, when that was this same file.
        match from.filter(|r| r.file == id(&meta)) {
            Some(r) => f.seek(SeekFrom::Start(r.offset))?,
            None => f.seek(SeekFrom::End(0))?,
        };
        current = Some((f, id(&meta)));
    }
    loop {
        if let Some((f, _)) = current.as_mut() {
            copy_to_end(f, out)?;
        }
        let live = fs::metadata(path).ok().map(|m| id(&m));
        if live.is_some() && live != current.as_ref().map(|(_, i)| *i) {
            // Rotated: everything newer than the file we had, oldest first, then the live one.
            let seen = current.as_ref().map(|(_, i)| *i);
            let files = files_oldest_first(path);
            let start = files
                .iter()
                .position(|p| fs::metadata(p).ok().map(|m| id(&m)) == seen)
                .map_or(0, |i| i + 1);
            for p in &files[start..files.len().saturating_sub(1)] {
                if let Ok(mut f) = File::open(p) {
                    copy_to_end(&mut f, out)?;
                }
            }
            current = File::open(path).ok().and_then(|f| {
                let meta = f.metadata().ok()?;
                Some((f, id(&meta)))
            });
            continue;
        }
        out.flush()?;
        changes.wait();
    }
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

/// `2026-11-21T08:00:00Z`, without a date library.
pub fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    utc(secs)
}

fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
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
    fn utc_formats_known_instants() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_795_247_555), "2026-11-21T07:52:35Z");
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
