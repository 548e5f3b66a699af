//! A child process in a PTY, and the three named threads that serve it: a reader that only moves
//! output bytes into a bounded channel, a writer that feeds input to the PTY (so a child that
//! stops reading never blocks the server), and a waiter that decides exit by `waitpid`.
//!
//! This module owns process-level OS calls (spawn, signals, reaping); it never parses output.

use std::io::{Read, Write};
use std::sync::mpsc as std_mpsc;

use anyhow::{Context, Result};
use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};
use tokio::sync::mpsc;

use crate::protocol::Size;

/// Identifies one run of one app, so that bytes from a previous run are never fed to a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RunKey {
    pub app: u64,
    pub run: u32,
}

/// How a child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Code(i32),
    Signal(i32),
}

impl std::fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExitStatus::Code(c) => write!(f, "exited with code {c}"),
            ExitStatus::Signal(s) => write!(f, "killed by signal {s} ({})", signal_name(*s)),
        }
    }
}

/// `SIGTERM`-style name of a signal number.
pub fn signal_name(sig: i32) -> String {
    const NAMES: [&str; 31] = [
        "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
        "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
        "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];
    match usize::try_from(sig)
        .ok()
        .and_then(|s| NAMES.get(s.wrapping_sub(1)))
    {
        Some(name) => format!("SIG{name}"),
        None => format!("signal {sig}"),
    }
}

/// What the PTY threads report.
#[derive(Debug)]
pub enum PtyEvent {
    Output(RunKey, Vec<u8>),
    /// The PTY returned EOF or an error: every process holding it is gone.
    Eof(RunKey),
    /// The child was reaped.
    Exited(RunKey, ExitStatus),
}

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
    input: std_mpsc::Sender<Vec<u8>>,
    // Kept so portable-pty's handle lives as long as the process; reaping is ours.
    _child: Box<dyn portable_pty::Child + Send + Sync>,
}

const READ_CHUNK: usize = 64 * 1024;
const THREAD_STACK: usize = 128 * 1024;

impl Process {
    /// Spawns `spec` in a new PTY; output and exit arrive on `events` tagged with `key`.
    pub fn spawn(spec: &SpawnSpec, key: RunKey, events: mpsc::Sender<PtyEvent>) -> Result<Self> {
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
        let reader = pair
            .master
            .try_clone_reader()
            .context("cloning the PTY reader")?;
        let writer = pair.master.take_writer().context("taking the PTY writer")?;
        spawn_reader(reader, key, events.clone())?;
        let input = spawn_writer(writer, key)?;
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

    /// Queues bytes for the child's input; never blocks.
    pub fn write(&self, bytes: Vec<u8>) {
        if !bytes.is_empty() {
            // The writer thread is gone only when the PTY is; dropping input then is right.
            let _ = self.input.send(bytes);
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

fn pty_size(size: Size) -> PtySize {
    PtySize {
        rows: size.rows,
        cols: size.cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

fn spawn_reader(
    mut reader: Box<dyn Read + Send>,
    key: RunKey,
    events: mpsc::Sender<PtyEvent>,
) -> Result<()> {
    std::thread::Builder::new()
        .name(format!("pty-read-{}-{}", key.app, key.run))
        .stack_size(THREAD_STACK)
        .spawn(move || {
            let mut buf = vec![0u8; READ_CHUNK];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        // A full channel blocks this thread, which stops reading the PTY, which
                        // makes the app wait: back-pressure instead of lost bytes.
                        if events
                            .blocking_send(PtyEvent::Output(key, buf[..n].to_vec()))
                            .is_err()
                        {
                            return;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                }
            }
            let _ = events.blocking_send(PtyEvent::Eof(key));
        })
        .context("spawning the PTY reader thread")?;
    Ok(())
}

fn spawn_writer(
    mut writer: Box<dyn Write + Send>,
    key: RunKey,
) -> Result<std_mpsc::Sender<Vec<u8>>> {
    let (tx, rx) = std_mpsc::channel::<Vec<u8>>();
    std::thread::Builder::new()
        .name(format!("pty-write-{}-{}", key.app, key.run))
        .stack_size(THREAD_STACK)
        .spawn(move || {
            while let Ok(bytes) = rx.recv() {
                if writer
                    .write_all(&bytes)
                    .and_then(|()| writer.flush())
                    .is_err()
                {
                    return;
                }
            }
        })
        .context("spawning the PTY writer thread")?;
    Ok(tx)
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

/// Sends `sig` to the process group `sid` and to every process whose session is `sid`.
/// Processes that called setsid themselves have left the app and are not chased.
pub fn signal_session(sid: u32, sig: rustix::process::Signal) {
    if let Some(pgid) = rustix::process::Pid::from_raw(sid as i32) {
        let _ = rustix::process::kill_process_group(pgid, sig);
    }
    for pid in session_members(sid) {
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

/// Field 6 of /proc/PID/stat (the session id); the command name may contain spaces and
/// parentheses, so parsing starts after the last `)`.
fn proc_session(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(3)?.parse().ok()
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
    fn own_session_is_found_in_proc() {
        let me = std::process::id();
        let sid = proc_session(me).unwrap();
        assert!(session_members(sid).contains(&me));
    }
}
