//! A child process in a PTY, and what serves it: a reader that parses output into the pane's
//! shared terminal and hands it to the server through a bounded channel (`pane::reader`: on the
//! event loop while the app is quiet, on a thread of its own while it floods), a writer thread that feeds input the PTY could not take at once
//! (so a child that stops reading never blocks the server), and a waiter that decides exit by
//! `waitpid`.
//!
//! Input is written straight from the caller while nothing is queued: the PTY is non-blocking,
//! so a keystroke reaches the child without a thread hop, and whatever the PTY does not take
//! right away goes to the writer thread, which keeps the order. The reader shares that
//! non-blocking file description.
//!
//! The writer's queue is bounded in bytes: input past [`INPUT_MAX`] is refused with
//! [`InputFull`], and query replies are dropped once [`REPLY_ROOM`] bytes wait (an app that
//! does not read gains nothing from more of them). The queue goes with the `Process`: dropping
//! it wakes the writer thread, which ends and frees what was still queued, as it does when the
//! PTY hangs up.
//!
//! This module owns process-level OS calls (spawn, signals, reaping); parsing is the shared
//! terminal's.

use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc as std_mpsc;

use anyhow::{Context, Result};
use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};
use tokio::sync::mpsc;

use crate::pane::reader;
use crate::pane::shared::SharedTerm;
use crate::size::Size;

pub use crate::pane::events::{ExitStatus, Output, PtyEvent, RunKey, signal_name};

/// What to run.
#[derive(Debug, Clone)]
pub struct SpawnSpec {
    pub argv: Vec<String>,
    pub cwd: Option<String>,
    pub env: Vec<(String, String)>,
    pub size: Size,
}

/// A running child in a PTY.
pub struct Process {
    pid: u32,
    master: Box<dyn MasterPty + Send>,
    input: Input,
    // Kept so portable-pty's handle lives as long as the process; reaping is ours.
    _child: Box<dyn portable_pty::Child + Send + Sync>,
}

const THREAD_STACK: usize = 128 * 1024;
/// The most input bytes queued for a child that does not take them; more is refused.
pub const INPUT_MAX: usize = 4 * 1024 * 1024;
/// Query replies are dropped once this many input bytes wait for the child.
pub const REPLY_ROOM: usize = 64 * 1024;

/// Input refused because the child has not taken what was queued before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the app is not reading its input: {queued} bytes wait already, and {len} more would pass \
     the limit of {INPUT_MAX}; nothing was sent"
)]
pub struct InputFull {
    pub queued: usize,
    pub len: usize,
}

impl Process {
    /// Spawns `spec` in a new PTY; output is parsed into `term`, then it and the exit arrive
    /// on `events` tagged with `key`.
    pub fn spawn(
        spec: &SpawnSpec,
        key: RunKey,
        term: SharedTerm,
        events: mpsc::Sender<PtyEvent>,
    ) -> Result<Self> {
        check_program(spec)?;
        let pair = native_pty_system()
            .openpty(pty_size(spec.size))
            .context("opening a pseudo-terminal")?;
        let mut cmd = CommandBuilder::from_argv(spec.argv.iter().map(Into::into).collect());
        cmd.env_clear();
        for (k, v) in &spec.env {
            cmd.env(k, v);
        }
        if let Some(cwd) = &spec.cwd {
            cmd.cwd(cwd);
        }
        let child = pair
            .slave
            .spawn_command(cmd)
            .with_context(|| format!("starting `{}`", spec.argv.join(" ")))?;
        drop(pair.slave);
        let pid = child.process_id().context("the child has no pid")?;
        let fd = Arc::new(nonblocking_master(&*pair.master)?);
        let writer = pair.master.take_writer().context("taking the PTY writer")?;
        reader::start(fd.clone(), key, term, events.clone())?;
        let input = spawn_writer(writer, fd, key)?;
        spawn_waiter(pid, key, events)?;
        Ok(Self {
            pid,
            master: pair.master,
            input,
            _child: child,
        })
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Writes bytes to the child's input, or queues what the PTY does not take at once; never
    /// blocks. Refused whole when the queue would pass [`INPUT_MAX`].
    pub fn write(&self, bytes: Vec<u8>) -> Result<(), InputFull> {
        self.input.write(bytes, INPUT_MAX)
    }

    /// Writes replies to the app's queries; dropped when the app has left [`REPLY_ROOM`] bytes
    /// of input unread, since it is not reading them.
    pub fn reply(&self, bytes: Vec<u8>) {
        if let Err(full) = self.input.write(bytes, REPLY_ROOM) {
            tracing::debug!(
                pid = self.pid,
                queued = full.queued,
                "dropping query replies"
            );
        }
    }

    /// Resizes the PTY; the kernel sends SIGWINCH to the foreground process group.
    pub fn resize(&self, size: Size) {
        if let Err(e) = self.master.resize(pty_size(size)) {
            tracing::warn!(pid = self.pid, "resizing the PTY failed: {e}");
        }
    }

    /// Sends `sig` to every process in the child's session (its process group, the terminal's
    /// foreground job, and anything else it started on this PTY).
    pub fn signal_all(&self, sig: rustix::process::Signal) {
        signal_session(self.pid, sig);
    }
}

/// Why the program cannot run, in one short line, looked up as the spawn will look it up (`PATH`
/// from the child's environment, relative to its working directory). The PTY library's own
/// message for a missing command spells out the whole `PATH`.
fn check_program(spec: &SpawnSpec) -> Result<()> {
    use std::path::{Path, PathBuf};
    let Some(program) = spec.argv.first().filter(|p| !p.is_empty()) else {
        anyhow::bail!("the command is empty");
    };
    let cwd = spec
        .cwd
        .as_deref()
        .map(PathBuf::from)
        .filter(|d| d.is_dir())
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"));
    let runnable =
        |p: &Path| p.is_file() && rustix::fs::access(p, rustix::fs::Access::EXEC_OK).is_ok();
    if program.contains('/') {
        let path = cwd.join(program);
        if path.is_dir() {
            anyhow::bail!("`{program}`: is a directory");
        }
        if !path.exists() {
            anyhow::bail!("`{program}`: no such file");
        }
        if !runnable(&path) {
            anyhow::bail!("`{program}`: permission denied");
        }
        return Ok(());
    }
    let search = spec
        .env
        .iter()
        .rev()
        .find(|(k, _)| k == "PATH")
        .map_or("", |(_, v)| v.as_str());
    let candidates: Vec<PathBuf> = std::env::split_paths(search)
        .map(|dir| cwd.join(dir).join(program))
        .collect();
    if candidates.iter().any(|p| runnable(p)) {
        Ok(())
    } else if candidates.iter().any(|p| p.is_file()) {
        anyhow::bail!("`{program}`: permission denied")
    } else {
        anyhow::bail!("`{program}`: command not found")
    }
}

fn pty_size(size: Size) -> PtySize {
    PtySize {
        rows: size.rows,
        cols: size.cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

/// A duplicate of the PTY master, switched to non-blocking mode. The flag belongs to the open
/// file description, so it holds for every duplicate: the reader and writer threads wait in
/// `poll(2)` instead of blocking in `read` and `write`.
fn nonblocking_master(master: &dyn MasterPty) -> Result<OwnedFd> {
    let raw = master
        .as_raw_fd()
        .context("the PTY master has no file descriptor")?;
    // SAFETY: `master` owns `raw` and is alive for this call; `dup` makes our own copy.
    let fd = rustix::io::dup(unsafe { BorrowedFd::borrow_raw(raw) })
        .context("duplicating the PTY master")?;
    let flags = rustix::fs::fcntl_getfl(&fd).context("reading the PTY flags")?;
    rustix::fs::fcntl_setfl(&fd, flags | rustix::fs::OFlags::NONBLOCK)
        .context("making the PTY non-blocking")?;
    Ok(fd)
}

/// Waits until the PTY takes input; false when it hung up (no process holds the terminal) or
/// `stop` was signalled (the `Process` is gone).
fn wait_writable(fd: BorrowedFd<'_>, stop: &Stop) -> bool {
    let mut pfds = [
        libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLOUT,
            revents: 0,
        },
        libc::pollfd {
            fd: stop.wake.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        },
    ];
    // SAFETY: `pfds` is two valid, initialized pollfds and the count says two.
    unsafe {
        libc::poll(pfds.as_mut_ptr(), 2, -1);
    }
    let hung_up = pfds[0].revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0;
    !hung_up && !stop.stopped()
}

/// Tells the writer thread to end: set when the `Process` is dropped (with a wake-up on the
/// eventfd, which the thread polls beside the PTY) or when the thread itself gave up.
struct Stop {
    flag: AtomicBool,
    wake: OwnedFd,
}

impl Stop {
    fn new() -> Result<Self> {
        use rustix::event::{EventfdFlags, eventfd};
        let wake = eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)
            .context("creating the PTY writer's eventfd")?;
        Ok(Self {
            flag: AtomicBool::new(false),
            wake,
        })
    }

    fn stopped(&self) -> bool {
        self.flag.load(Ordering::Acquire)
    }

    fn stop(&self) {
        self.flag.store(true, Ordering::Release);
        let _ = rustix::io::write(&self.wake, &1u64.to_ne_bytes());
    }
}

/// The input side of a PTY: direct non-blocking writes while the writer thread is idle, the
/// writer thread otherwise.
struct Input {
    fd: Arc<OwnedFd>,
    queue: std_mpsc::Sender<Vec<u8>>,
    /// Bytes handed to the writer thread and not yet fully written. Only the owner of the
    /// `Process` adds to it, so seeing zero means every earlier byte is in the PTY and a direct
    /// write keeps the order.
    queued: Arc<AtomicUsize>,
    stop: Arc<Stop>,
}

impl Input {
    /// Writes or queues `bytes` unless the queue would pass `limit`.
    fn write(&self, mut bytes: Vec<u8>, limit: usize) -> Result<(), InputFull> {
        if bytes.is_empty() || self.stop.stopped() {
            // Nothing to do, or the PTY is gone and its input goes nowhere.
            return Ok(());
        }
        let queued = self.queued.load(Ordering::Acquire);
        if queued.saturating_add(bytes.len()) > limit {
            return Err(InputFull {
                queued,
                len: bytes.len(),
            });
        }
        if queued == 0 {
            match rustix::io::write(&*self.fd, &bytes) {
                Ok(n) if n == bytes.len() => return Ok(()),
                Ok(n) => drop(bytes.drain(..n)),
                Err(rustix::io::Errno::AGAIN | rustix::io::Errno::INTR) => {}
                // The PTY is gone (the child exited); its input goes nowhere.
                Err(_) => return Ok(()),
            }
        }
        let len = bytes.len();
        self.queued.fetch_add(len, Ordering::AcqRel);
        if self.queue.send(bytes).is_err() {
            // The writer thread is gone only when the PTY is; dropping input then is right.
            self.queued.fetch_sub(len, Ordering::AcqRel);
        }
        Ok(())
    }
}

impl Drop for Input {
    fn drop(&mut self) {
        self.stop.stop();
    }
}

fn spawn_writer(mut writer: Box<dyn Write + Send>, fd: Arc<OwnedFd>, key: RunKey) -> Result<Input> {
    let (tx, rx) = std_mpsc::channel::<Vec<u8>>();
    let queued = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(Stop::new()?);
    let (pending, thread_stop, poll_fd) = (queued.clone(), stop.clone(), fd.clone());
    std::thread::Builder::new()
        .name(format!("pty-write-{}-{}", key.app, key.run))
        .stack_size(THREAD_STACK)
        .spawn(move || {
            while let Ok(bytes) = rx.recv() {
                let written = !thread_stop.stopped()
                    && write_all(&mut *writer, poll_fd.as_fd(), &thread_stop, &bytes);
                pending.fetch_sub(bytes.len(), Ordering::AcqRel);
                if !written {
                    // Returning drops `rx` and every message still in it.
                    thread_stop.stop();
                    return;
                }
            }
            // Dropping portable-pty's writer sends EOF to the child, as before.
        })
        .context("spawning the PTY writer thread")?;
    Ok(Input {
        fd,
        queue: tx,
        queued,
        stop,
    })
}

/// Writes all of `bytes` to the non-blocking PTY, waiting in `poll(2)` while it is full; false
/// when the PTY is gone or the writer was told to stop.
fn write_all(writer: &mut dyn Write, fd: BorrowedFd<'_>, stop: &Stop, mut bytes: &[u8]) -> bool {
    while !bytes.is_empty() {
        match writer.write(bytes) {
            Ok(0) => return false,
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if !wait_writable(fd, stop) {
                    return false;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    true
}

fn spawn_waiter(pid: u32, key: RunKey, events: mpsc::Sender<PtyEvent>) -> Result<()> {
    std::thread::Builder::new()
        .name(format!("pty-wait-{pid}"))
        .stack_size(THREAD_STACK)
        .spawn(move || {
            let status = wait_for(pid);
            let _ = events.blocking_send(PtyEvent::Exited(key, status));
        })
        .context("spawning the child waiter thread")?;
    Ok(())
}

fn wait_for(pid: u32) -> ExitStatus {
    let Some(pid) = rustix::process::Pid::from_raw(pid as i32) else {
        return ExitStatus::Code(-1);
    };
    loop {
        match rustix::process::waitpid(Some(pid), rustix::process::WaitOptions::empty()) {
            Ok(Some((_, st))) => {
                if let Some(sig) = st.terminating_signal() {
                    return ExitStatus::Signal(sig);
                }
                if let Some(code) = st.exit_status() {
                    return ExitStatus::Code(code);
                }
            }
            Ok(None) => {}
            Err(rustix::io::Errno::INTR) => {}
            Err(_) => return ExitStatus::Code(-1),
        }
    }
}

/// Sends `sig` to the process group `sid` and to every other process whose session is `sid`
/// (the jobs of an interactive shell live in groups of their own). Each process gets the
/// signal once: a shell that traps it would otherwise run its trap twice. Processes that called
/// setsid themselves have left the app and are not chased.
pub fn signal_session(sid: u32, sig: rustix::process::Signal) {
    if let Some(pgid) = rustix::process::Pid::from_raw(sid as i32) {
        let _ = rustix::process::kill_process_group(pgid, sig);
    }
    for pid in session_members(sid) {
        if proc_group(pid) == Some(sid) {
            continue;
        }
        if let Some(p) = rustix::process::Pid::from_raw(pid as i32) {
            let _ = rustix::process::kill_process(p, sig);
        }
    }
}

/// Pids of the processes in session `sid`, read from /proc.
pub fn session_members(sid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| proc_session(*pid) == Some(sid))
        .collect()
}

/// Field `n` (1-based, counted from the state field as 3) of /proc/PID/stat; the command name
/// may contain spaces and parentheses, so parsing starts after the last `)`. The file is closed
/// at once.
fn proc_stat_field(pid: u32, n: usize) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(n - 3)?.parse().ok()
}

/// Field 5 of /proc/PID/stat: the process group id.
fn proc_group(pid: u32) -> Option<u32> {
    proc_stat_field(pid, 5)
}

/// Field 6 of /proc/PID/stat: the session id.
pub fn proc_session(pid: u32) -> Option<u32> {
    proc_stat_field(pid, 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_names_read_like_kill_l() {
        assert_eq!(signal_name(9), "SIGKILL");
        assert_eq!(signal_name(15), "SIGTERM");
    }

    #[test]
    fn a_program_that_cannot_run_is_refused_in_one_short_line() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
        let check = |program: &str| {
            let spec = SpawnSpec {
                argv: vec![program.to_owned()],
                cwd: Some(dir.path().display().to_string()),
                env: vec![(
                    "PATH".into(),
                    format!("/usr/bin:/bin:{}", dir.path().display()),
                )],
                size: Size { cols: 80, rows: 24 },
            };
            check_program(&spec).map_err(|e| e.to_string())
        };
        assert_eq!(check("sh"), Ok(()));
        assert_eq!(check("/bin/sh"), Ok(()));
        assert_eq!(
            check("nosuchcmd"),
            Err("`nosuchcmd`: command not found".into())
        );
        assert_eq!(check("plain"), Err("`plain`: permission denied".into()));
        assert_eq!(check("./plain"), Err("`./plain`: permission denied".into()));
        assert_eq!(check("./absent"), Err("`./absent`: no such file".into()));
        assert_eq!(check("/tmp"), Err("`/tmp`: is a directory".into()));
        assert_eq!(check(""), Err("the command is empty".into()));
    }

    fn spawn(argv: &[&str]) -> (Process, mpsc::Receiver<PtyEvent>) {
        let (tx, rx) = mpsc::channel(64);
        let spec = SpawnSpec {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            cwd: None,
            env: vec![("PATH".into(), std::env::var("PATH").unwrap_or_default())],
            size: Size { cols: 80, rows: 24 },
        };
        let key = RunKey { app: 1, run: 1 };
        let term = SharedTerm::new(crate::pane::emulator::Emulator::new(spec.size, 100));
        drop(term.start_run(1));
        (Process::spawn(&spec, key, term, tx).unwrap(), rx)
    }

    /// Reads output until `want` bytes have arrived or the PTY closes.
    fn read_output(rx: &mut mpsc::Receiver<PtyEvent>, want: usize) -> Vec<u8> {
        let mut out = Vec::new();
        while out.len() < want {
            match rx.blocking_recv() {
                Some(PtyEvent::Output(_, o)) => out.extend_from_slice(&o.bytes),
                Some(PtyEvent::Exited(..)) => {}
                Some(PtyEvent::Eof(_)) | None => break,
            }
        }
        out
    }

    #[test]
    fn input_arrives_whole_and_in_order_through_direct_and_queued_writes() {
        // A raw, non-echoing terminal: cat's output is exactly its input.
        let (p, mut rx) = spawn(&["sh", "-c", "stty raw -echo; echo go; exec cat"]);
        assert!(String::from_utf8_lossy(&read_output(&mut rx, 3)).contains("go"));
        // Bursts far beyond the PTY's buffer force the writer thread to take over, with small
        // writes behind them that must wait their turn.
        let mut sent = Vec::new();
        for i in 0..200u32 {
            let chunk: Vec<u8> = if i % 20 == 0 {
                (0..50_000u32)
                    .map(|b| b"abcdefgh"[(b % 8) as usize])
                    .collect()
            } else {
                format!("<{i}>").into_bytes()
            };
            sent.extend_from_slice(&chunk);
            p.write(chunk).unwrap();
        }
        let got = read_output(&mut rx, sent.len());
        assert_eq!(got.len(), sent.len());
        assert!(got == sent, "output differs from input");
        p.signal_all(rustix::process::Signal::KILL);
    }

    #[test]
    fn input_for_a_child_that_does_not_read_is_bounded_and_dropped_with_it() {
        let (p, mut rx) = spawn(&["sh", "-c", "stty raw -echo; echo go; exec sleep 100"]);
        assert!(String::from_utf8_lossy(&read_output(&mut rx, 2)).contains("go"));
        // Never blocks, and is refused once the queue is full.
        let chunk = vec![b'x'; 64 * 1024];
        let sent = (0..2 * INPUT_MAX / chunk.len())
            .take_while(|_| p.write(chunk.clone()).is_ok())
            .count();
        assert!(sent < INPUT_MAX / chunk.len() + 2, "{sent} chunks queued");
        let queued = p.input.queued.load(Ordering::Acquire);
        assert!(queued > INPUT_MAX - 2 * chunk.len(), "{queued}");
        let full = p.write(chunk.clone()).unwrap_err();
        assert_eq!((full.queued, full.len), (queued, chunk.len()));
        // Replies are dropped too, long before.
        p.reply(b"\x1b[?62;22c".to_vec());
        assert_eq!(p.input.queued.load(Ordering::Acquire), queued);
        // Dropping the process ends the writer thread and frees the queue, though the child
        // still runs.
        let stop = p.input.stop.clone();
        let pid = p.pid();
        drop(p);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while Arc::strong_count(&stop) > 1 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        signal_session(pid, rustix::process::Signal::KILL);
        assert_eq!(Arc::strong_count(&stop), 1, "the writer thread lives on");
    }

    #[test]
    fn the_writer_gives_up_when_the_child_is_gone() {
        let (p, mut rx) = spawn(&["sh", "-c", "stty raw -echo; echo go; exec sleep 100"]);
        assert!(String::from_utf8_lossy(&read_output(&mut rx, 2)).contains("go"));
        while p.write(vec![b'x'; 64 * 1024]).is_ok() {}
        p.signal_all(rustix::process::Signal::KILL);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !p.input.stop.stopped() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(
            p.input.stop.stopped(),
            "the writer still pushes into a dead PTY"
        );
        // Input for a gone PTY goes nowhere, quietly.
        assert_eq!(p.write(b"late".to_vec()), Ok(()));
    }

    #[test]
    fn a_stop_signal_reaches_each_process_once() {
        // The trap is slow, so a second TERM would arrive while it runs and run it again.
        let (p, mut rx) = spawn(&[
            "sh",
            "-c",
            "trap 'echo caught; sleep 0.5; exit 0' TERM; echo go; while :; do sleep 0.05; done",
        ]);
        assert!(String::from_utf8_lossy(&read_output(&mut rx, 2)).contains("go"));
        p.signal_all(rustix::process::Signal::TERM);
        let out = String::from_utf8_lossy(&read_output(&mut rx, usize::MAX)).into_owned();
        assert_eq!(out.matches("caught").count(), 1, "{out:?}");
    }

    #[test]
    fn own_session_is_found_in_proc() {
        let me = std::process::id();
        let sid = proc_session(me).unwrap();
        assert!(session_members(sid).contains(&me));
    }
}
