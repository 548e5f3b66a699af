//! Accepting connections: peer-UID check, the versioned handshake, then one reader and one
//! writer task per connection that turn frames into [`Event`]s and outgoing messages into
//! bytes. A bad peer (other user, wrong magic, wrong version, malformed or oversized frame) loses
//! its connection and nothing else.
//!
//! Connections are bounded too: one that does not complete its handshake (the binary preamble,
//! or a first JSON line) within [`HANDSHAKE_TIMEOUT`] is dropped, as is one that begins a frame
//! and does not finish it within [`FRAME_TIMEOUT`]. Descriptors near the process limit are kept
//! for the apps: past the threshold a new connection is refused with a reason. Failing accepts
//! (out of descriptors all the same) back off and are logged once per burst.

use std::os::fd::AsRawFd;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;

use crate::protocol::codec::{self, CodecError, Decoded, PREAMBLE_LEN};
use crate::protocol::{ClientMsg, ServerMsg};
use crate::server::Event;
use crate::server::clients::{OUTBOX, Outgoing, Ticket};
use crate::server::control;
use crate::server::model::ClientId;
use crate::server::tty;

/// How long a new connection has to send its preamble or its first JSON line.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a frame may take to arrive once it has begun.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(5);
/// What a client connection reads from its socket at once.
const READ_BUFFER: usize = 8 * 1024;
/// The first and the longest pause after a failed accept.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(1));

/// Counts a run of failures of one kind, logging the first and a summary when it ends, so a
/// burst costs a few log lines rather than one per attempt.
struct Burst {
    what: &'static str,
    count: u64,
}

impl Burst {
    fn new(what: &'static str) -> Self {
        Self { what, count: 0 }
    }

    fn hit(&mut self, detail: &dyn std::fmt::Display) {
        if self.count == 0 {
            tracing::warn!("{}: {detail} (repeats are counted, not logged)", self.what);
        }
        self.count += 1;
    }

    fn end(&mut self) {
        if self.count > 1 {
            tracing::warn!("{}: {} times in all", self.what, self.count);
        }
        self.count = 0;
    }
}

/// The lowest descriptor number past which new connections are refused: a quarter of the
/// process limit (between 32 and 256) stays for the apps' PTYs, pipes and logs. Descriptors are
/// handed out lowest first, so an accepted descriptor this high means this many are open.
fn fd_threshold() -> i32 {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .current
        .unwrap_or(u64::MAX)
        .min(i32::MAX as u64) as i32;
    // Under a tiny limit, connections still get half.
    (limit - (limit / 4).clamp(32, 256)).max(limit / 2)
}

/// Accepts forever, handing each connection its own tasks.
pub async fn accept_loop(
    listener: UnixListener,
    events: mpsc::Sender<Event>,
    writers: mpsc::Sender<()>,
) {
    let uid = rustix::process::getuid().as_raw();
    let threshold = fd_threshold();
    let mut failed = Burst::new("accepting a connection failed");
    let mut refused = Burst::new("refusing connections to keep descriptors for the apps");
    let mut backoff = ACCEPT_BACKOFF.0;
    let mut next = 0u64;
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(e) => {
                // Out of descriptors, typically: the listener stays readable, so retrying at
                // once would spin. Pause, longer each time, until an accept works again.
                failed.hit(&e);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(ACCEPT_BACKOFF.1);
                continue;
            }
        };
        failed.end();
        backoff = ACCEPT_BACKOFF.0;
        if stream.as_raw_fd() >= threshold {
            refused.hit(&format!("{threshold} descriptors are open"));
            refuse(&stream, threshold);
            continue;
        }
        refused.end();
        match stream.peer_cred() {
            Ok(cred) if cred.uid() == uid => {}
            Ok(cred) => {
                tracing::warn!(
                    peer_uid = cred.uid(),
                    "refusing a connection from another user"
                );
                continue;
            }
            Err(e) => {
                tracing::warn!("refusing a connection without credentials: {e}");
                continue;
            }
        }
        next += 1;
        // Client ids live in their own range so they never collide with model ids.
        let id = ClientId(next);
        tokio::spawn(connection(stream, id, events.clone(), writers.clone()));
    }
}

/// Tells a connection that came too close to the descriptor limit why it is closed: a JSON
/// error line for a control client (when its first byte is already there), otherwise the
/// preamble and an error message, which the appmux client prints. Best effort: nothing waits.
fn refuse(stream: &UnixStream, threshold: i32) {
    let why = format!(
        "the server is refusing connections: {threshold} file descriptors are open, and the rest \
         are kept for its apps; try again once other connections have closed"
    );
    // Straight to the socket, which is non-blocking: tokio knows nothing of a just accepted
    // stream's readiness and would say it may not be read or written yet.
    let mut first = [0u8; 1];
    let bytes = match rustix::io::read(stream, &mut first) {
        Ok(1) if first[0] == b'{' => control::error_line(None, "busy", &why),
        _ => {
            let mut b = codec::preamble().to_vec();
            b.extend(codec::encode(&ServerMsg::Error(why)));
            b
        }
    };
    let _ = rustix::io::write(stream, &bytes);
}

/// `writers` is only held, never used: the server waits for every clone to drop so that queued
/// replies (such as the answer to `kill-server`) are flushed before it exits.
async fn connection(
    stream: tokio::net::UnixStream,
    id: ClientId,
    events: mpsc::Sender<Event>,
    writers: mpsc::Sender<()>,
) {
    let (mut rd, mut wr) = stream.into_split();
    let handshake_by = tokio::time::Instant::now() + HANDSHAKE_TIMEOUT;
    let mut pre = [0u8; PREAMBLE_LEN];
    let first = tokio::time::timeout_at(handshake_by, rd.read_exact(&mut pre[..1])).await;
    if !matches!(first, Ok(Ok(_))) {
        return;
    }
    // JSON text starts with `{`, maybe after whitespace; the binary preamble never does.
    if pre[0] == b'{' || pre[0].is_ascii_whitespace() {
        return json_connection(rd, wr, pre[0], id, events, writers, handshake_by).await;
    }
    let rest = tokio::time::timeout_at(handshake_by, rd.read_exact(&mut pre[1..])).await;
    if !matches!(rest, Ok(Ok(_))) {
        tracing::debug!(client = id.0, "no handshake; dropping the connection");
        return;
    }
    // Our preamble goes out whatever theirs said, so a client of another version can print
    // which versions disagree.
    if wr.write_all(&codec::preamble()).await.is_err() {
        return;
    }
    if let Err(e) = codec::check_preamble(&pre) {
        tracing::warn!(client = id.0, "handshake refused: {e}");
        return;
    }
    let (out_tx, out_rx) = mpsc::channel(OUTBOX);
    if events.send(Event::Connected(id, out_tx)).await.is_err() {
        return;
    }
    tokio::spawn(writer(wr, out_rx, id, events.clone(), writers));
    if let Err(e) = reader(&mut rd, id, &events).await {
        tracing::warn!(client = id.0, "closing connection: {e}");
    }
    let _ = events.send(Event::Gone(id)).await;
}

/// A control connection: JSON lines both ways (see `control`).
async fn json_connection(
    rd: OwnedReadHalf,
    wr: OwnedWriteHalf,
    first: u8,
    id: ClientId,
    events: mpsc::Sender<Event>,
    writers: mpsc::Sender<()>,
    handshake_by: tokio::time::Instant,
) {
    let (out_tx, out_rx) = mpsc::channel(OUTBOX);
    if events
        .send(Event::Connected(id, out_tx.clone()))
        .await
        .is_err()
    {
        return;
    }
    tokio::spawn(writer(wr, out_rx, id, events.clone(), writers));
    if let Err(e) = control::json_reader(rd, first, id, &events, &out_tx, handshake_by).await {
        tracing::warn!(client = id.0, "closing control connection: {e}");
    }
    let _ = events.send(Event::Gone(id)).await;
}

async fn reader(
    rd: &mut OwnedReadHalf,
    id: ClientId,
    events: &mpsc::Sender<Event>,
) -> Result<(), CodecError> {
    // Buffered, so a keystroke's frame is one read from the socket, not one per header part.
    let mut rd = tokio::io::BufReader::with_capacity(READ_BUFFER, rd);
    while let Some(payload) = codec::read_frame_async(&mut rd, FRAME_TIMEOUT).await? {
        match codec::decode::<ClientMsg>(&payload)? {
            Decoded::Message(m) => {
                if events.send(Event::Msg(id, Box::new(m))).await.is_err() {
                    break;
                }
            }
            Decoded::Unknown(tag) => {
                tracing::debug!(client = id.0, tag, "skipping an unknown message");
            }
        }
    }
    Ok(())
}

/// What the writer does next.
enum Step {
    Out(Outgoing),
    /// Typing read from the held terminal.
    Typed(Vec<u8>),
    /// Bytes of the screen being written went to the held terminal.
    Wrote(usize),
    /// The held terminal hung up (or failed).
    HungUp,
    /// The server let go of the connection.
    End,
}

/// Writes what the server queues, in order. Once it holds the client's own terminal
/// (`Outgoing::Take`), it also reads typing from it (as `Input`, like a client's) and writes
/// screens to it, until `Release`; a terminal that hangs up ends the connection. Typing is read
/// while a screen waits for a slow terminal (the prefix and `d` still get through), and what
/// the server queued after that screen waits for it.
async fn writer(
    mut wr: OwnedWriteHalf,
    mut rx: mpsc::Receiver<Outgoing>,
    id: ClientId,
    events: mpsc::Sender<Event>,
    _writers: mpsc::Sender<()>,
) {
    let mut tty = None;
    // The screen being written to the terminal, how much of it is written, and its share of
    // the byte budget.
    let mut screen: Option<(Vec<u8>, usize, Ticket)> = None;
    loop {
        // What the server queued first: a `Release` is acted on before the terminal is read again.
        let step = tokio::select! {
            biased;
            out = rx.recv(), if screen.is_none() => out.map_or(Step::End, Step::Out),
            wrote = tty::write_some(
                tty.as_ref(),
                screen.as_ref().map_or(&[][..], |(b, at, _)| &b[*at..]),
            ), if screen.is_some() => wrote.map_or(Step::HungUp, Step::Wrote),
            typed = tty::read(tty.as_ref()) => typed.map_or(Step::HungUp, Step::Typed),
        };
        let out = match step {
            Step::Out(out) => out,
            Step::Typed(bytes) => {
                let typed = Event::Msg(id, Box::new(ClientMsg::Input(bytes)));
                if events.send(typed).await.is_err() {
                    break;
                }
                continue;
            }
            Step::Wrote(n) => {
                let done = screen.as_mut().is_some_and(|(b, at, _)| {
                    *at += n;
                    *at >= b.len()
                });
                if done {
                    screen = None;
                    if events.send(Event::Written(id)).await.is_err() {
                        break;
                    }
                }
                continue;
            }
            Step::HungUp => {
                let _ = events.send(Event::Gone(id)).await;
                break;
            }
            Step::End => break,
        };
        match out {
            Outgoing::Frame(bytes, is_render) | Outgoing::Counted(bytes, is_render, _) => {
                if wr.write_all(&bytes).await.is_err() {
                    break;
                }
                if is_render && events.send(Event::Written(id)).await.is_err() {
                    break;
                }
            }
            // A screen for a terminal let go of meanwhile is dropped: the client repaints.
            Outgoing::Screen(bytes, ticket) if tty.is_some() && !bytes.is_empty() => {
                screen = Some((bytes, 0, ticket));
            }
            Outgoing::Screen(..) => {
                if events.send(Event::Written(id)).await.is_err() {
                    break;
                }
            }
            Outgoing::Take(t) => tty = Some(t),
            Outgoing::Release => tty = None,
            Outgoing::Close => break,
        }
    }
    // Let go of the terminal before the client can see the connection end.
    drop(tty);
    let _ = wr.shutdown().await;
}
