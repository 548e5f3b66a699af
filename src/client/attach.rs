//! The attached client: puts the user's terminal in raw mode on the alternate screen, shows the
//! server's first frame, then hands the terminal to the server (`server::tty`), which reads the
//! typing and writes the frames itself, so a key and its echo cross no client process. Where
//! the server cannot open the terminal (or `APPMUX_RELAY=1`), the client forwards what the user
//! types and writes the frames, as before. Either way the client sends every resize, and the
//! terminal is restored on every way out: detach, server gone, SIGTERM, SIGHUP, and a panic.

use std::io::{Read, Write};
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};

use crate::client::connect::Connection;
use crate::client::raw::RawGuard;
use crate::protocol::{AttachRequest, ClientMsg, ServerMsg, TermInfo, TtyHandle, codec};
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
    let mut typing = Typing::Before {
        writer,
        offer: offer_terminal(),
    };
    let ending = pump_output(&mut conn, &session, setup, &mut typing);
    if ending.is_err() {
        // Leaving on an error: the server may hold the terminal, so it is told, and given a
        // moment to let go (it closes the connection once it has), before the terminal is put
        // back.
        let _ = conn.stream.shutdown(Shutdown::Write);
        let _ = conn
            .stream
            .set_read_timeout(Some(DETACH_GRACE))
            .map(|()| std::io::copy(&mut conn.stream, &mut std::io::sink()));
    }
    drop(guard);
    let ending = ending?;
    let sig = signalled.load(Ordering::SeqCst);
    Ok(match ending {
        Ending::ServerGone { session } if sig != 0 => Ending::Signal {
            session,
            signal: sig,
        },
        Ending::Detached { session, reason } if sig != 0 && reason == "detached" => {
            Ending::Signal {
                session,
                signal: sig,
            }
        }
        other => other,
    })
}

/// Who reads what the user types. Typing waits in the terminal until the first frame is on
/// the screen (the frame does not wait for a thread to start); then the terminal is offered to
/// the server, which reads and writes it itself when it can, and otherwise the client forwards
/// typing as it reads it.
enum Typing {
    /// Before the first frame; `offer` is the terminal to offer, if it can be named.
    Before {
        writer: Arc<Mutex<UnixStream>>,
        offer: Option<TtyHandle>,
    },
    /// Offered; waiting for the answer.
    Offered { writer: Arc<Mutex<UnixStream>> },
    /// The client forwards typing, or the server reads it: settled.
    Settled,
}

impl Typing {
    fn frame_shown(&mut self) -> Result<()> {
        if let Typing::Before { writer, offer } = self {
            let writer = writer.clone();
            match offer.take() {
                Some(tty) => {
                    // Unanswered only when the connection is gone, which ends the loop.
                    send(&writer, &ClientMsg::TakeTerminal(tty));
                    *self = Typing::Offered { writer };
                }
                None => {
                    *self = Typing::Settled;
                    spawn_input(writer)?;
                }
            }
        }
        Ok(())
    }

    /// The server's answer: every frame before it has been written, so a taken terminal is
    /// the server's from now on.
    fn answered(&mut self, taken: bool) -> Result<()> {
        match std::mem::replace(self, Typing::Settled) {
            Typing::Offered { writer } if taken => {
                send(&writer, &ClientMsg::Handed);
            }
            Typing::Offered { writer } => spawn_input(writer)?,
            // An answer to no offer changes nothing: typing keeps the way it has.
            other => *self = other,
        }
        Ok(())
    }
}

/// The terminal to offer the server: stdin and stdout on one terminal, named by its path.
/// `APPMUX_RELAY=1` keeps the client forwarding both ways.
fn offer_terminal() -> Option<TtyHandle> {
    if std::env::var_os("APPMUX_RELAY").is_some_and(|v| v == "1") {
        return None;
    }
    let stdin = rustix::fs::fstat(std::io::stdin()).ok()?;
    let stdout = rustix::fs::fstat(std::io::stdout()).ok()?;
    if stdin.st_rdev != stdout.st_rdev
        || rustix::fs::FileType::from_raw_mode(stdin.st_mode)
            != rustix::fs::FileType::CharacterDevice
    {
        return None;
    }
    let path = rustix::termios::ttyname(std::io::stdin(), Vec::new()).ok()?;
    Some(TtyHandle {
        path: path.into_string().ok()?,
        rdev: stdin.st_rdev,
        dev: stdin.st_dev,
    })
}

/// Writes frames to the terminal until the server detaches us or goes away, telling `typing`
/// of each frame and of the server's answer to the offer. `setup` goes out first, with the
/// first frame (one write, and the screen never shows the alternate screen empty).
fn pump_output(
    conn: &mut Connection,
    session: &str,
    mut setup: Vec<u8>,
    typing: &mut Typing,
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
                typing.frame_shown()?;
            }
            Ok(Some(ServerMsg::Terminal { taken })) => typing.answered(taken)?,
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

/// How long a client detaching on a signal waits for the server's answer.
const DETACH_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

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
                // The server answers once it no longer writes to a terminal it holds, and the
                // output loop ends on that; a server that does not answer is cut off.
                std::thread::sleep(DETACH_GRACE);
                let _ = stream.shutdown(Shutdown::Both);
                break;
            }
        })
        .context("spawning the signal thread")?;
    Ok(())
}
