//! What a PTY reports to the server: output (already parsed into the pane's terminal), the end
//! of output, and the child's exit, each tagged with the run it belongs to.

use crate::pane::shared::Parsed;

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
    /// Output, already parsed into the pane's terminal.
    Output(RunKey, Output),
    /// The PTY returned EOF or an error: every process holding it is gone.
    Eof(RunKey),
    /// The child was reaped.
    Exited(RunKey, ExitStatus),
}

/// A piece of output the reader thread parsed: the bytes go on to the log and the readiness
/// probe, the rest to the server.
#[derive(Debug)]
pub struct Output {
    pub bytes: Vec<u8>,
    pub parsed: Parsed,
}
