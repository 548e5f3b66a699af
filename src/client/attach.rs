//! The attached client: puts the user's terminal in raw mode on the alternate screen, forwards
//! what the user types and every resize, and writes the server's frames to the terminal. The
//! terminal is restored on every way out: detach, server gone, SIGTERM, SIGHUP, and a panic.

use std::io::{Read, Write};
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};

use crate::client::connect::Connection;
use crate::client::raw::RawGuard;
use crate::protocol::{AttachRequest, ClientMsg, ServerMsg, TermInfo, codec};
use crate::size::Size;

/// How an attach session ended.
#[derive(Debug)]
pub enum Ending {
    Detached { session: String, reason: String },
    ServerGone { session: String },
    Signal { session: String, signal: i32 },
}

impl Ending {
    /// The line printed after the terminal is restored, like tmux's `[detached ...]`.
    pub fn message(&self) -> String {
        match self {
            Ending::Detached { session, reason } if reason == "detached" => {
                format!("[detached (from session {session})]")
            }
            // The last pane's program ended: tmux says just this.
            Ending::Detached { reason, .. } if reason == "exited" => "[exited]".to_owned(),
            Ending::Detached { session, reason } => format!("[{reason} (session {session})]"),
            Ending::ServerGone { .. } => "[server exited]".to_owned(),
            Ending::Signal { session, signal } => format!(
                "[detached by {} (from session {session})]",
                crate::pane::process::signal_name(*signal)
            ),
        }
    }
}

/// The size of the terminal on stdout, with a sane fallback.
pub fn terminal_size() -> Size {
    rustix::termios::tcgetwinsize(std::io::stdout())
        .ok()
        .filter(|w| w.ws_col > 0 && w.ws_row > 0)
        .map(|w| Size {
            cols: w.ws_col,
            rows: w.ws_row,
        })
        .unwrap_or(Size { cols: 80, rows: 24 })
        .clamped()
}

pub fn term_info() -> TermInfo {
    TermInfo {
        term: std::env::var("TERM").unwrap_or_default(),
        colorterm: std::env::var("COLORTERM").unwrap_or_default(),
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
    }
}

/// The attach message for `req`, at this terminal's size and with its description; an error
/// when stdin or stdout is not a terminal.
pub fn message(mut req: AttachRequest) -> Result<ClientMsg> {
    if !rustix::termios::isatty(std::io::stdin()) || !rustix::termios::isatty(std::io::stdout()) {
        bail!("attaching needs a terminal (stdin and stdout must be a tty)");
    }
    req.size = terminal_size();
    req.term = term_info();
    Ok(ClientMsg::Attach(req))
}

/// Runs an attach whose [`message`] went out over `conn` until detached.
pub fn run(mut conn: Connection) -> Result<Ending> {
    // Errors (no such session ...) are printed before the terminal is touched.
    let session = match conn.recv()? {
        Some(ServerMsg::Attached { session }) => session,
        Some(ServerMsg::Error(e)) => bail!("{e}"),
        Some(other) => bail!("unexpected answer from the server: {other:?}"),
        None => bail!("the server closed the connection"),
    };
    let (guard, setup) = RawGuard::enter().context("putting the terminal in raw mode")?;
    let writer = Arc::new(Mutex::new(
        conn.stream.try_clone().context("cloning the socket")?,
    ));
    let signalled = Arc::new(AtomicI32::new(0));
    spawn_signals(writer.clone(), conn.stream.try_clone()?, signalled.clone())?;
    // Typing is forwarded once the first frame is on the screen: what is typed before waits in
    // the terminal, and the frame does not wait for the thread to start.
    let mut input = Some(writer);
    let ending = pump_output(&mut conn, &session, setup, || match input.take() {
        Some(writer) => spawn_input(writer),
        None => Ok(()),
    });
    drop(guard);
    let ending = ending?;
    let sig = signalled.load(Ordering::SeqCst);
    Ok(match ending {
        Ending::ServerGone { session } if sig != 0 => Ending::Signal {
            session,
            signal: sig,
        },
        other => other,
    })
}

/// Writes frames to the terminal until the server detaches us or goes away, calling `shown`
/// after each frame. `setup` goes out first, with the first frame (one write, and the screen
/// never shows the alternate screen empty).
fn pump_output(
    conn: &mut Connection,
    session: &str,
    mut setup: Vec<u8>,
    mut shown: impl FnMut() -> Result<()>,
) -> Result<Ending> {
    let mut stdout = std::io::stdout().lock();
    // The client may be moved to another session (the switcher, `C-b (`); the line printed at
    // the end names the one it was in last.
    let mut session = session.to_owned();
    let session = &mut session;
    loop {
        let mut msg = conn.recv();
        if !setup.is_empty() {
            // Whatever came, the terminal is set up before it is acted on (the way out undoes
            // that); a frame goes out in the same write.
            let mut first = std::mem::take(&mut setup);
            if let Ok(Some(ServerMsg::Output(bytes))) = &mut msg {
                first.append(bytes);
                *bytes = first;
            } else {
                stdout
                    .write_all(&first)
                    .and_then(|()| stdout.flush())
                    .context("writing to the terminal")?;
            }
        }
        match msg {
            Ok(Some(ServerMsg::Output(bytes))) => {
                stdout
                    .write_all(&bytes)
                    .context("writing to the terminal")?;
                stdout.flush().context("writing to the terminal")?;
                shown()?;
            }
            Ok(Some(ServerMsg::Detached { reason })) => {
                return Ok(Ending::Detached {
                    session: session.to_owned(),
                    reason,
                });
            }
            Ok(Some(ServerMsg::Attached { session: now })) => *session = now,
            Ok(Some(_)) => {}
            // A connection cut mid-frame is the server going away too (or our own shutdown
            // on a signal); a frame that breaks the protocol is not, and is reported as such.
            Ok(None) => {
                return Ok(Ending::ServerGone {
                    session: session.to_owned(),
                });
            }
            Err(e)
                if e.chain().any(|c| {
                    c.is::<std::io::Error>()
                        || matches!(c.downcast_ref(), Some(codec::CodecError::Io(_)))
                }) =>
            {
                return Ok(Ending::ServerGone {
                    session: session.to_owned(),
                });
            }
            Err(e) => return Err(e.context("reading from the server")),
        }
    }
}

fn send(writer: &Mutex<UnixStream>, msg: &ClientMsg) -> bool {
    let frame = codec::encode(msg);
    match writer.lock() {
        Ok(mut w) => w.write_all(&frame).is_ok(),
        Err(_) => false,
    }
}

/// Forwards raw terminal input; the server decodes keys.
fn spawn_input(writer: Arc<Mutex<UnixStream>>) -> Result<()> {
    std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match stdin.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        if !send(&writer, &ClientMsg::Input(buf[..n].to_vec())) {
                            break;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                }
            }
        })
        .context("spawning the input thread")?;
    Ok(())
}

/// SIGWINCH sends the new size; SIGTERM and SIGHUP detach and close the connection, which ends
/// the output loop so the main thread restores the terminal.
fn spawn_signals(
    writer: Arc<Mutex<UnixStream>>,
    stream: UnixStream,
    signalled: Arc<AtomicI32>,
) -> Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGWINCH};
    let mut signals =
        signal_hook::iterator::Signals::new([SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGQUIT])
            .context("installing signal handlers")?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                if sig == SIGWINCH {
                    send(&writer, &ClientMsg::Resize(terminal_size()));
                    continue;
                }
                signalled.store(sig, Ordering::SeqCst);
                send(&writer, &ClientMsg::Detach);
                let _ = stream.shutdown(Shutdown::Both);
                break;
            }
        })
        .context("spawning the signal thread")?;
    Ok(())
}
