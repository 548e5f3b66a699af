//! The log writer: one thread that does all app log file work (appends, markers, rotation,
//! reopening a vanished file) in the order the server queued it, so the server's model task
//! never waits on a disk, a full file system or a hung mount.
//!
//! The queue is bounded in bytes and in jobs. Under normal load the writer keeps up and nothing
//! is lost; when it falls that far behind (a stuck file system), output is dropped and counted
//! in the app's `log_dropped`, never buffered without limit and never waited for. Work that
//! must happen after everything queued before it (a flush for `appmux logs`, reading a log for
//! the sidebar) is queued as a [`Job::After`] closure, which keeps that order. Emptying a log
//! (`appmux flush`) is a job of its own too, so it falls exactly between the writes queued
//! before it and those queued after.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::AppLog;
use super::time::now_ms;
use crate::config::LogSpec;

/// Bytes of output queued for all logs together before more is dropped: many seconds of even a
/// fast app's output, and a bound on what a stuck file system can cost in memory.
pub const QUEUE_BYTES: usize = 32 << 20;
/// Jobs queued before more are refused (small writes and markers, which the byte bound does
/// not limit on their own). Counted here rather than by a bounded channel, whose slots would
/// all be allocated up front (close to 1 MiB that an idle server never uses).
const QUEUE_JOBS: usize = 16 * 1024;

/// One app's log as the writer thread keeps it.
struct Shared {
    log: Mutex<AppLog>,
    /// Bytes lost: refused by a full queue, or failed on write.
    dropped: AtomicU64,
}

enum Job {
    /// App output and when it was received (ms since the epoch), for the log's time index.
    Write(Arc<Shared>, Vec<u8>, u64),
    /// A marker line, stamped with the time it was queued.
    Marker(Arc<Shared>, u64, String),
    /// Runs once everything queued before it is written.
    After(Box<dyn FnOnce() + Send>),
    /// Empties the log, rotated files included.
    Clear(Arc<Shared>),
}

impl Job {
    fn bytes(&self) -> usize {
        match self {
            Self::Write(_, bytes, _) => bytes.len(),
            Self::Marker(_, _, text) => text.len(),
            Self::After(_) | Self::Clear(_) => 0,
        }
    }
}

/// The queue to the writer thread; cheap to clone.
#[derive(Clone)]
pub struct LogWriter {
    tx: Sender<Job>,
    queued: Arc<Queued>,
}

/// What waits in the queue: bytes of output and jobs.
#[derive(Debug, Default)]
struct Queued {
    bytes: AtomicUsize,
    jobs: AtomicUsize,
}

impl Queued {
    /// Counts a job of `n` bytes in, unless that would pass a bound.
    fn admit(&self, n: usize) -> bool {
        if self.jobs.fetch_add(1, Ordering::AcqRel) >= QUEUE_JOBS {
            self.jobs.fetch_sub(1, Ordering::AcqRel);
            return false;
        }
        if self.bytes.fetch_add(n, Ordering::AcqRel) + n > QUEUE_BYTES {
            self.bytes.fetch_sub(n, Ordering::AcqRel);
            self.jobs.fetch_sub(1, Ordering::AcqRel);
            return false;
        }
        true
    }

    /// Counts a job of `n` bytes out: written, or never sent.
    fn done(&self, n: usize) {
        self.bytes.fetch_sub(n, Ordering::AcqRel);
        self.jobs.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The writer thread, to wait for when the server stops.
pub struct WriterThread {
    done: Receiver<()>,
}

impl WriterThread {
    /// Waits until every queued write is done (the thread ends once every [`LogWriter`] and
    /// [`LogHandle`] is gone), or `grace` has passed: a hung file system must not keep the
    /// server from stopping.
    pub fn finish(self, grace: Duration) -> bool {
        matches!(
            self.done.recv_timeout(grace),
            Ok(()) | Err(RecvTimeoutError::Disconnected)
        )
    }
}

impl LogWriter {
    /// Starts the writer thread.
    pub fn spawn() -> std::io::Result<(Self, WriterThread)> {
        let (tx, rx) = std::sync::mpsc::channel();
        let (done_tx, done) = std::sync::mpsc::channel();
        let queued = Arc::new(Queued::default());
        let counter = queued.clone();
        std::thread::Builder::new()
            .name("appmux-logs".into())
            .spawn(move || {
                run(&rx, &counter);
                let _ = done_tx.send(());
            })?;
        Ok((Self { tx, queued }, WriterThread { done }))
    }

    /// The log at `path`; nothing is opened until something is written.
    pub fn open(&self, path: PathBuf, spec: LogSpec) -> LogHandle {
        LogHandle {
            path: path.clone(),
            shared: Arc::new(Shared {
                log: Mutex::new(AppLog::new(path, spec)),
                dropped: AtomicU64::new(0),
            }),
            writer: self.clone(),
        }
    }

    /// Runs `f` on the writer thread once everything queued so far is written. False (and `f`
    /// is not run) when the queue is full.
    pub fn after_queued(&self, f: impl FnOnce() + Send + 'static) -> bool {
        self.queue(Job::After(Box::new(f)))
    }

    /// Queues a job unless that would pass a bound; false when it was refused.
    fn queue(&self, job: Job) -> bool {
        let n = job.bytes();
        if !self.queued.admit(n) {
            return false;
        }
        if self.tx.send(job).is_err() {
            self.queued.done(n);
            return false;
        }
        true
    }
}

/// The server's side of one app's log: writes and markers are queued, never done here.
pub struct LogHandle {
    path: PathBuf,
    shared: Arc<Shared>,
    writer: LogWriter,
}

impl std::fmt::Debug for LogHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogHandle")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl LogHandle {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes lost so far, to a full queue or to failed writes.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Queues app output.
    pub fn write(&self, bytes: &[u8]) {
        self.write_owned(bytes.to_vec());
    }

    /// Queues app output, taking the buffer rather than a copy.
    pub fn write_owned(&self, bytes: Vec<u8>) {
        if bytes.is_empty() {
            return;
        }
        let len = bytes.len();
        if !self
            .writer
            .queue(Job::Write(self.shared.clone(), bytes, now_ms()))
        {
            self.lost(len);
        }
    }

    /// The same log with other rotation settings, counting on from the bytes lost so far.
    /// Writes queued through this handle before stay in order with those through the new one,
    /// since both go through the one queue.
    pub fn with_spec(&self, spec: LogSpec) -> LogHandle {
        let handle = self.writer.open(self.path.clone(), spec);
        handle
            .shared
            .dropped
            .store(self.dropped(), Ordering::Relaxed);
        handle
    }

    /// Queues emptying the log and its rotated files: what was queued before is gone, what is
    /// queued after starts a fresh file. False when the queue is full and nothing was queued.
    pub fn clear(&self) -> bool {
        self.writer.queue(Job::Clear(self.shared.clone()))
    }

    /// Queues a marker line, stamped now.
    pub fn marker(&self, text: &str) {
        let job = Job::Marker(self.shared.clone(), now_ms(), text.to_owned());
        if !self.writer.queue(job) {
            self.lost(text.len());
        }
    }

    fn lost(&self, n: usize) {
        let before = self.shared.dropped.fetch_add(n as u64, Ordering::Relaxed);
        if before == 0 {
            tracing::warn!(path = %self.path.display(), "the log writer is behind; dropping output");
        }
    }
}

/// The writer thread: jobs in order until every sender is gone.
fn run(rx: &Receiver<Job>, queued: &Queued) {
    while let Ok(job) = rx.recv() {
        let n = job.bytes();
        match job {
            Job::Write(shared, bytes, time) => with_log(&shared, |log| log.write_at(&bytes, time)),
            Job::Marker(shared, time, text) => with_log(&shared, |log| log.marker_at(time, &text)),
            Job::After(f) => f(),
            Job::Clear(shared) => with_log(&shared, AppLog::clear),
        }
        queued.done(n);
    }
}

/// Runs `f` on the log and adds what it failed to write to the shared count.
fn with_log(shared: &Shared, f: impl FnOnce(&mut AppLog)) {
    // Only this thread locks the log, so the lock is never contended; a panic while holding
    // it (none is expected) must not stop the logging of every other app.
    let mut log = shared.log.lock().unwrap_or_else(|e| e.into_inner());
    let before = log.dropped();
    f(&mut log);
    let lost = log.dropped() - before;
    if lost > 0 {
        shared.dropped.fetch_add(lost, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::tail;

    fn spec() -> LogSpec {
        LogSpec {
            max_size: 1 << 30,
            max_files: 2,
        }
    }

    #[test]
    fn writes_and_markers_keep_their_order_and_flush_follows_them() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, thread) = LogWriter::spawn().unwrap();
        let log = writer.open(dir.path().join("app.log"), spec());
        log.marker("started");
        log.write(b"one\ntwo");
        log.marker("exited");
        let (tx, rx) = std::sync::mpsc::channel();
        let path = log.path().to_owned();
        assert!(writer.after_queued(move || {
            let _ = tx.send(tail(&path, None).unwrap());
        }));
        let text = String::from_utf8(rx.recv().unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[0].ends_with(" started"));
        assert_eq!(&lines[1..3], ["one", "two"]);
        assert!(lines[3].ends_with(" exited"));
        assert_eq!(log.dropped(), 0);
        drop((log, writer));
        assert!(thread.finish(Duration::from_secs(30)));
    }

    #[test]
    fn a_clear_falls_between_the_writes_queued_before_and_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, thread) = LogWriter::spawn().unwrap();
        let log = writer.open(dir.path().join("app.log"), spec());
        // Writes queued before the clear but not yet written when it was asked for.
        let release = hold(&writer);
        log.write(b"before\n");
        assert!(log.clear());
        log.write(b"after\n");
        let bigger = log.with_spec(LogSpec {
            max_size: 1 << 20,
            max_files: 1,
        });
        bigger.write(b"bigger\n");
        release.send(()).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let path = log.path().to_owned();
        assert!(writer.after_queued(move || {
            let _ = tx.send(tail(&path, None).unwrap());
        }));
        assert_eq!(rx.recv().unwrap(), b"after\nbigger\n");
        drop((log, bigger, writer));
        assert!(thread.finish(Duration::from_secs(30)));
    }

    #[test]
    fn a_stuck_writer_costs_bounded_memory_and_counts_what_it_drops() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, thread) = LogWriter::spawn().unwrap();
        let log = writer.open(dir.path().join("app.log"), spec());
        // The writer waits on this job, as it would on a hung file system.
        let release = hold(&writer);
        let chunk = vec![b'x'; 64 * 1024];
        let sent = 2 * QUEUE_BYTES / chunk.len();
        for _ in 0..sent {
            log.write(&chunk);
        }
        let dropped = log.dropped();
        assert!(dropped >= (QUEUE_BYTES / 2) as u64, "dropped {dropped}");
        assert!(writer.queued.bytes.load(Ordering::Acquire) <= QUEUE_BYTES);
        release.send(()).unwrap();
        drop(writer);
        let path = log.path().to_owned();
        drop(log);
        assert!(thread.finish(Duration::from_secs(30)));
        let written = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        assert_eq!(written + dropped, (sent * chunk.len()) as u64);
    }

    #[test]
    fn a_stuck_writer_refuses_small_jobs_past_its_count_and_takes_them_again_once_it_drains() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, thread) = LogWriter::spawn().unwrap();
        let log = writer.open(dir.path().join("app.log"), spec());
        let release = hold(&writer);
        // The stuck job is one; the rest fill the count, far below the byte bound.
        for _ in 1..QUEUE_JOBS {
            log.write(b"x");
        }
        assert_eq!(log.dropped(), 0);
        log.write(b"y");
        assert_eq!(log.dropped(), 1, "a job past the count is refused");
        assert!(!writer.after_queued(|| {}));
        release.send(()).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        wait_for_room(&writer, move || {
            let _ = tx.send(());
        });
        rx.recv_timeout(Duration::from_secs(30)).unwrap();
        // The job that answered is counted out once it returns.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while writer.queued.jobs.load(Ordering::Acquire) != 0 {
            assert!(std::time::Instant::now() < deadline, "jobs left counted");
            std::thread::yield_now();
        }
        drop((log, writer));
        assert!(thread.finish(Duration::from_secs(30)));
    }

    /// Queues a job that keeps the writer waiting, as a hung file system would, until the
    /// returned sender sends.
    fn hold(writer: &LogWriter) -> std::sync::mpsc::Sender<()> {
        let (release, stuck) = std::sync::mpsc::channel::<()>();
        assert!(writer.after_queued(move || {
            let _ = stuck.recv();
        }));
        release
    }

    /// Queues `f`, retrying while the queue is still full.
    fn wait_for_room(writer: &LogWriter, f: impl FnOnce() + Send + Clone + 'static) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !writer.after_queued(f.clone()) {
            assert!(
                std::time::Instant::now() < deadline,
                "the queue never drained"
            );
            std::thread::yield_now();
        }
    }
}
