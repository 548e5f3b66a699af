//! How a PTY's output is read, parsed into the pane's shared terminal and handed to the server.
//!
//! While the app is quiet, its PTY is read on the server's event loop: a keystroke's echo is
//! read, parsed and drawn in the one wake-up, as tmux does it, with no thread between. Once one
//! wake-up finds [`FLOOD`] bytes or more waiting, the app is flooding and reading moves to a
//! thread of the pane's own, which reads and parses beside the event loop and beside other
//! panes' threads, so a flood in several panes uses every core. After [`QUIET`] without
//! output the thread gives the PTY back and ends. A quiet pane has no thread.
//!
//! One side reads at a time: the event loop stops watching the PTY while the thread has it.
//! Whichever side reads the end (EOF, or EIO once every process holding the terminal is gone)
//! reports it, once, after all the output it read. Without a runtime (unit tests that spawn
//! processes without one) the thread reads from the start and keeps the PTY.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::sync::mpsc;

use crate::pane::events::{Output, PtyEvent, RunKey};
use crate::pane::shared::SharedTerm;

/// What one wake-up of the event loop reads at most; reaching it means the app floods.
pub const FLOOD: usize = 16 * 1024;
/// The most a flood thread gathers before it parses and sends.
const CHUNK: usize = 64 * 1024;
/// How long a flood thread waits for more output before it gives the PTY back.
const QUIET: Duration = Duration::from_millis(100);
const THREAD_STACK: usize = 128 * 1024;

/// The reading side of one run's PTY.
struct Pipe {
    fd: Arc<OwnedFd>,
    key: RunKey,
    term: SharedTerm,
    events: mpsc::Sender<PtyEvent>,
}

/// How a flood thread's turn ended.
enum Back {
    /// The app went quiet: the event loop reads again.
    Quiet,
    /// The output ended, and was reported.
    Ended,
}

/// Starts reading `fd`: on the current runtime's event loop when there is one, else on a
/// thread.
pub fn start(
    fd: Arc<OwnedFd>,
    key: RunKey,
    term: SharedTerm,
    events: mpsc::Sender<PtyEvent>,
) -> Result<()> {
    let pipe = Arc::new(Pipe {
        fd,
        key,
        term,
        events,
    });
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => {
            // SAFETY: the `Arc` inside keeps the descriptor open, unchanged, for as long as the
            // `AsyncFd` holds it.
            let watched =
                unsafe { AsyncFd::register_with_interest(pipe.fd.clone(), Interest::READABLE) }
                    .map_err(|e| e.into_parts().1)
                    .context("watching the PTY")?;
            rt.spawn(watch(pipe, watched));
        }
        Err(_) => {
            std::thread::Builder::new()
                .name(thread_name(key))
                .stack_size(THREAD_STACK)
                .spawn(move || {
                    pump(&pipe, None);
                })
                .context("spawning the PTY reader thread")?;
        }
    }
    Ok(())
}

fn thread_name(key: RunKey) -> String {
    format!("pty-read-{}-{}", key.app, key.run)
}

/// The event loop's side: reads what a wake-up finds, up to [`FLOOD`], and hands the PTY to
/// the flood thread when that much was waiting.
async fn watch(pipe: Arc<Pipe>, watched: AsyncFd<Arc<OwnedFd>>) {
    loop {
        let Ok(mut ready) = watched.readable().await else {
            end(&pipe).await;
            return;
        };
        let mut buf = vec![0u8; FLOOD];
        let mut len = 0;
        let mut ended = false;
        while len < FLOOD {
            match rustix::io::read(pipe.fd.as_fd(), &mut buf[len..]) {
                Ok(0) => ended = true,
                Ok(n) => {
                    len += n;
                    continue;
                }
                Err(rustix::io::Errno::AGAIN) => ready.clear_ready(),
                Err(rustix::io::Errno::INTR) => continue,
                Err(_) => ended = true,
            }
            break;
        }
        drop(ready);
        if len > 0 {
            buf.truncate(len);
            let out = parse(&pipe, buf);
            if pipe.events.send(out).await.is_err() {
                return;
            }
        }
        if ended {
            end(&pipe).await;
            return;
        }
        if len < FLOOD {
            continue;
        }
        // Flooding: a thread reads until the app is quiet.
        match flood(pipe.clone()).await {
            Ok(Back::Quiet) => {}
            Ok(Back::Ended) => return,
            Err(e) => tracing::warn!("no PTY reader thread, reading on the event loop: {e:#}"),
        }
    }
}

async fn end(pipe: &Pipe) {
    let _ = pipe.events.send(PtyEvent::Eof(pipe.key)).await;
}

/// Reads on a thread of the pane's own until the app is quiet or its output ended. The thread
/// ends with its turn: a thread that parsed a flood keeps freed memory in its own cache (glibc's
/// tcache) until it exits, which across dozens of once-busy panes adds up, and starting one
/// costs far less than the quiet spell that ends it.
async fn flood(pipe: Arc<Pipe>) -> Result<Back> {
    let (done, back) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(thread_name(pipe.key))
        .stack_size(THREAD_STACK)
        .spawn(move || {
            let ended = pump(&pipe, Some(QUIET));
            let _ = done.send(if ended { Back::Ended } else { Back::Quiet });
        })
        .context("spawning the PTY reader thread")?;
    // A thread that died without a word ended the output as far as anyone can tell.
    Ok(back.await.unwrap_or(Back::Ended))
}

/// Reads, parses and sends until the output ends (true, once reported) or, with a `quiet`
/// limit, until nothing came for that long (false).
fn pump(pipe: &Pipe, quiet: Option<Duration>) -> bool {
    let mut buf = Vec::new();
    // Bytes read into `buf` and not yet sent.
    let mut len = 0;
    let ended = loop {
        if buf.is_empty() {
            buf = vec![0u8; CHUNK];
        }
        match rustix::io::read(pipe.fd.as_fd(), &mut buf[len..]) {
            Ok(0) => break true,
            // What is there now goes out together, up to a chunk: a flood travels in large
            // pieces (fewer wake-ups, log writes and lock turns).
            Ok(n) if len + n < CHUNK => len += n,
            Ok(n) => {
                len += n;
                if !send(pipe, &mut buf, &mut len) {
                    return true;
                }
            }
            Err(rustix::io::Errno::AGAIN) if len > 0 => {
                if !send(pipe, &mut buf, &mut len) {
                    return true;
                }
            }
            Err(rustix::io::Errno::AGAIN) => {
                // A quiet app holds no read buffer.
                buf = Vec::new();
                if !wait_readable(pipe.fd.as_fd(), quiet) {
                    return false;
                }
            }
            Err(rustix::io::Errno::INTR) => {}
            // EIO: every process holding the terminal is gone.
            Err(_) => break true,
        }
    };
    if len > 0 {
        send(pipe, &mut buf, &mut len);
    }
    if ended {
        let _ = pipe.events.blocking_send(PtyEvent::Eof(pipe.key));
    }
    true
}

/// Parses the first `len` bytes of `buf`, sends them on and empties `buf`; false when the server
/// is gone. A full channel blocks this thread, which stops reading the PTY, which makes the app
/// wait: back-pressure instead of lost bytes.
fn send(pipe: &Pipe, buf: &mut Vec<u8>, len: &mut usize) -> bool {
    let bytes = if *len < CHUNK / 4 {
        buf[..*len].to_vec()
    } else {
        // A large piece takes the buffer itself rather than a copy.
        let mut full = std::mem::replace(buf, vec![0u8; CHUNK]);
        full.truncate(*len);
        full
    };
    *len = 0;
    pipe.events.blocking_send(parse(pipe, bytes)).is_ok()
}

fn parse(pipe: &Pipe, bytes: Vec<u8>) -> PtyEvent {
    let parsed = pipe.term.parse(pipe.key.run, &bytes);
    PtyEvent::Output(pipe.key, Output { bytes, parsed })
}

/// Waits until `fd` has something to read (or hung up): false when `limit` passed first.
/// Spurious returns are harmless: the caller reads again and comes back on `EAGAIN`.
fn wait_readable(fd: std::os::fd::BorrowedFd<'_>, limit: Option<Duration>) -> bool {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let timeout = limit.map_or(-1, |d| i32::try_from(d.as_millis()).unwrap_or(i32::MAX));
    // SAFETY: `pfd` is one valid, initialized pollfd and the count says one.
    let n = unsafe { libc::poll(&mut pfd, 1, timeout) };
    n != 0
}
