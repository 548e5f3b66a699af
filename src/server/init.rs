//! appmux as PID 1 of a container (`docker run IMAGE appmux server --foreground`). PID 1 must
//! reap every orphan the kernel hands it, and gets no default action for SIGTERM or SIGINT.
//! So the process splits in two before anything else runs: the child is the server; the
//! parent stays PID 1, reaps whatever exits, passes SIGTERM, SIGINT, SIGHUP and SIGQUIT on to
//! the server (which stops its apps gracefully: stop signals, their timeouts, then SIGKILL),
//! and exits with the server's status once it is gone. Under `docker run --init` (tini) the
//! server is not PID 1 and none of this happens.

use anyhow::{Context, Result};
use signal_hook::consts::{SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM};

/// Whether this process is PID 1.
pub fn is_pid_one() -> bool {
    std::process::id() == 1
}

/// Runs `server` in a child process while this one reaps and forwards signals; returns only
/// in the child, whose result is the server's. Call before any thread is started.
pub fn split(server: impl FnOnce() -> Result<()>) -> Result<()> {
    // PID 1 drops a signal it has no handler for, so the stop signals are held back across
    // the fork: the parent takes one that came meanwhile once its handlers are in place, and
    // the child gets the mask it had.
    let held = hold_signals();
    // SAFETY: no other thread exists yet (the caller's contract), so the child may run
    // anything; the parent only installs signal handlers and waits.
    let pid = unsafe { libc::fork() };
    match pid {
        -1 => {
            release_signals(&held);
            Err(std::io::Error::last_os_error()).context("forking the server from PID 1")
        }
        0 => {
            release_signals(&held);
            server()
        }
        child => std::process::exit(reap_until_gone(child, &held)),
    }
}

/// Blocks the signals PID 1 forwards or reaps on; returns the mask to go back to.
fn hold_signals() -> libc::sigset_t {
    // SAFETY: sigset_t is plain data that sigemptyset initialises; sigprocmask only reads
    // `set` and writes `old`, both valid for the call.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in [SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT] {
            libc::sigaddset(&mut set, sig);
        }
        libc::sigprocmask(libc::SIG_BLOCK, &set, &mut old);
        old
    }
}

/// Goes back to the mask `hold_signals` returned; what was held is delivered now.
fn release_signals(old: &libc::sigset_t) {
    // SAFETY: `old` is a mask sigprocmask filled in.
    unsafe {
        libc::sigprocmask(libc::SIG_SETMASK, old, std::ptr::null_mut());
    }
}

/// PID 1's loop: forward the stop signals to the server, reap every child, and return the
/// server's exit status once it has been reaped.
fn reap_until_gone(server: libc::pid_t, held: &libc::sigset_t) -> i32 {
    let signals = signal_hook::iterator::Signals::new([SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT]);
    // With the handlers in place (or not to be had), what was held back is taken now.
    release_signals(held);
    let mut signals = match signals {
        Ok(s) => s,
        Err(e) => {
            eprintln!("appmux: PID 1 cannot take signals ({e}); only waiting for the server");
            return wait_for(server);
        }
    };
    // A child may have exited before the handlers were in place.
    if let Some(code) = reap(server) {
        return code;
    }
    for sig in signals.forever() {
        if sig == SIGCHLD {
            if let Some(code) = reap(server) {
                return code;
            }
        } else if let Some(p) = rustix::process::Pid::from_raw(server) {
            let sig = rustix::process::Signal::from_named_raw(sig)
                .unwrap_or(rustix::process::Signal::TERM);
            let _ = rustix::process::kill_process(p, sig);
        }
    }
    wait_for(server)
}

/// Reaps every child that has exited; the server's exit status once it is among them.
fn reap(server: libc::pid_t) -> Option<i32> {
    let mut gone = None;
    loop {
        match rustix::process::wait(rustix::process::WaitOptions::NOHANG) {
            Ok(Some((pid, status))) => {
                if pid.as_raw_nonzero().get() == server {
                    gone = Some(exit_code(status));
                }
            }
            Ok(None) => return gone,
            Err(rustix::io::Errno::INTR) => {}
            Err(_) => return gone,
        }
    }
}

fn wait_for(server: libc::pid_t) -> i32 {
    let Some(pid) = rustix::process::Pid::from_raw(server) else {
        return 1;
    };
    loop {
        match rustix::process::waitpid(Some(pid), rustix::process::WaitOptions::empty()) {
            Ok(Some((_, status))) => return exit_code(status),
            Err(rustix::io::Errno::INTR) | Ok(None) => {}
            Err(_) => return 1,
        }
    }
}

/// A shell's view of a status: the exit code, or 128 + the signal that ended it.
fn exit_code(status: rustix::process::WaitStatus) -> i32 {
    match (status.exit_status(), status.terminating_signal()) {
        (Some(code), _) => code,
        (None, Some(sig)) => 128 + sig,
        (None, None) => 1,
    }
}
