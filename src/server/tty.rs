//! An attached client's own terminal, held by the server. A client offers it once the terminal
//! is in raw mode and shows the first frame ([`ClientMsg::TakeTerminal`]); from then on the
//! connection's writer task reads what the user types from it and writes frames to it, so a
//! keystroke and its echo cross no client process (tmux's server does the same). The client
//! keeps the terminal's settings, its size (SIGWINCH) and the way out.
//!
//! The terminal is opened here by its path, never inherited: an open file description of the
//! server's own, so its `O_NONBLOCK` does not leak into the shell the client runs from, and
//! `O_NOCTTY`, so it never becomes the server's controlling terminal. What was opened must be
//! the character device the client named (the device number is checked before and after the
//! open) and a terminal. Anything else refuses the offer, and the client relays as before.
//!
//! [`ClientMsg::TakeTerminal`]: crate::protocol::ClientMsg::TakeTerminal

use std::io;
use std::os::fd::OwnedFd;

use rustix::fs::{FileType, Mode, OFlags};
use tokio::io::unix::AsyncFd;

use crate::protocol::TtyHandle;

/// What a read from the terminal takes at once: more than a terminal's input queue holds.
const READ_AT_ONCE: usize = 8 * 1024;

/// Opens the terminal `handle` names for reading and writing, non-blocking, registered with
/// the event loop (so this runs inside the runtime).
pub fn open(handle: &TtyHandle) -> Result<AsyncFd<OwnedFd>, String> {
    let is_it = |st: &rustix::fs::Stat| {
        FileType::from_raw_mode(st.st_mode) == FileType::CharacterDevice
            && st.st_rdev == handle.rdev
            && st.st_dev == handle.dev
    };
    // Terminals live under /dev; nothing else is even looked at (a path on a hung network
    // mount would stall the server's loop).
    if !handle.path.starts_with("/dev/") {
        return Err(format!("{} is not under /dev", handle.path));
    }
    // Looked at before it is opened: opening a device can do things, and only the one terminal
    // the client named is wanted.
    let before = rustix::fs::stat(handle.path.as_str()).map_err(|e| format!("{e}"))?;
    if !is_it(&before) {
        return Err(format!("{} is not the client's terminal", handle.path));
    }
    let flags = OFlags::RDWR | OFlags::NOCTTY | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let fd = rustix::fs::open(handle.path.as_str(), flags, Mode::empty())
        .map_err(|e| format!("opening {}: {e}", handle.path))?;
    let after = rustix::fs::fstat(&fd).map_err(|e| format!("{e}"))?;
    if !is_it(&after) || !rustix::termios::isatty(&fd) {
        return Err(format!("{} is not the client's terminal", handle.path));
    }
    // SAFETY: the `OwnedFd` moves into the `AsyncFd` and stays open, the same descriptor, for
    // as long as it is registered.
    unsafe { AsyncFd::register(fd) }
        .map_err(|e| format!("watching {}: {}", handle.path, e.into_parts().1))
}

/// What the user typed next: `None` once the terminal hangs up (or fails), and never when
/// there is no terminal. Cancel-safe: bytes are only taken when they are returned.
pub async fn read(tty: Option<&AsyncFd<OwnedFd>>) -> Option<Vec<u8>> {
    let Some(tty) = tty else {
        return std::future::pending().await;
    };
    let mut buf = [0u8; READ_AT_ONCE];
    loop {
        let mut ready = tty.readable().await.ok()?;
        match ready.try_io(|fd| rustix::io::read(fd.get_ref(), &mut buf).map_err(io::Error::from)) {
            Ok(Ok(0)) => return None,
            Ok(Ok(n)) => return Some(buf[..n].to_vec()),
            Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
            Ok(Err(_)) => return None,
            Err(_would_block) => {}
        }
    }
}

/// Writes what the terminal takes of `bytes` (waiting until it takes some); with no terminal,
/// the bytes are dropped as written.
pub async fn write_some(tty: Option<&AsyncFd<OwnedFd>>, bytes: &[u8]) -> io::Result<usize> {
    let Some(tty) = tty else {
        return Ok(bytes.len());
    };
    loop {
        let mut ready = tty.writable().await?;
        match ready.try_io(|fd| rustix::io::write(fd.get_ref(), bytes).map_err(io::Error::from)) {
            Ok(Ok(0)) if !bytes.is_empty() => return Err(io::ErrorKind::WriteZero.into()),
            Ok(Ok(n)) => return Ok(n),
            Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
            Ok(Err(e)) => return Err(e),
            Err(_would_block) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    /// What a client names `path` by, as `st` describes it.
    fn handle(path: &str, st: &rustix::fs::Stat) -> TtyHandle {
        TtyHandle {
            path: path.into(),
            rdev: st.st_rdev,
            dev: st.st_dev,
        }
    }

    /// A PTY: its master side, and its terminal as a client names it.
    fn pty() -> (Box<dyn portable_pty::MasterPty + Send>, TtyHandle) {
        let pair = portable_pty::native_pty_system()
            .openpty(portable_pty::PtySize::default())
            .unwrap();
        let path = pair.master.tty_name().unwrap();
        let path = path.to_str().unwrap();
        (pair.master, handle(path, &rustix::fs::stat(path).unwrap()))
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// Asserts that opening `handle` is refused, saying `why`.
    fn refused(handle: &TtyHandle, why: &str) {
        let e = open(handle).unwrap_err();
        assert!(e.contains(why), "{e}");
    }

    #[test]
    fn the_named_terminal_is_opened_and_carries_bytes_both_ways() {
        let (master, named) = pty();
        runtime().block_on(async {
            let tty = open(&named).unwrap();
            // Raw, so what is typed arrives as it is and a frame is not echoed back.
            let mut raw = rustix::termios::tcgetattr(tty.get_ref()).unwrap();
            raw.make_raw();
            rustix::termios::tcsetattr(tty.get_ref(), rustix::termios::OptionalActions::Now, &raw)
                .unwrap();
            assert_eq!(write_some(Some(&tty), b"frame").await.unwrap(), 5);
            let mut got = [0u8; 16];
            let n = master.try_clone_reader().unwrap().read(&mut got).unwrap();
            assert_eq!(&got[..n], b"frame");
            let mut typing = master.take_writer().unwrap();
            typing.write_all(b"typed").unwrap();
            typing.flush().unwrap();
            assert_eq!(read(Some(&tty)).await.as_deref(), Some(&b"typed"[..]));
        });
    }

    #[test]
    fn anything_but_the_named_terminal_is_refused() {
        let (_master, named) = pty();
        runtime().block_on(async {
            let mut wrong = named.clone();
            wrong.rdev += 1;
            refused(&wrong, "not the client's terminal");
            // The same number on another devpts instance (a container's) is another terminal.
            let mut elsewhere = named.clone();
            elsewhere.dev += 1;
            refused(&elsewhere, "not the client's terminal");
            let null = rustix::fs::stat("/dev/null").unwrap();
            assert!(open(&handle("/dev/null", &null)).is_err());
            let file = tempfile::NamedTempFile::new().unwrap();
            let st = rustix::fs::stat(file.path()).unwrap();
            refused(
                &handle(file.path().to_str().unwrap(), &st),
                "not under /dev",
            );
            let mut gone = named.clone();
            gone.path = "/dev/pts/no-such".into();
            assert!(open(&gone).is_err());
        });
    }
}
