//! Accepting connections: peer-UID check, the versioned handshake, then one reader and one
//! writer task per connection that turn frames into [`Event`]s and outgoing messages into
//! bytes. A bad peer (other user, wrong magic, wrong version, malformed or oversized frame) loses
//! its connection and nothing else.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixListener;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;

use crate::protocol::ClientMsg;
use crate::protocol::codec::{self, CodecError, Decoded, PREAMBLE_LEN};
use crate::server::clients::{OUTBOX, Outgoing};
use crate::server::control;
use crate::server::model::ClientId;
use crate::server::state::Event;

/// Accepts forever, handing each connection its own tasks.
pub async fn accept_loop(
    listener: UnixListener,
    events: mpsc::Sender<Event>,
    writers: mpsc::Sender<()>,
) {
    let uid = rustix::process::getuid().as_raw();
    let mut next = 0u64;
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                continue;
            }
        };
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

/// `writers` is only held, never used: the server waits for every clone to drop so that queued
/// replies (such as the answer to `kill-server`) are flushed before it exits.
async fn connection(
    stream: tokio::net::UnixStream,
    id: ClientId,
    events: mpsc::Sender<Event>,
    writers: mpsc::Sender<()>,
) {
    let (mut rd, mut wr) = stream.into_split();
    let mut pre = [0u8; PREAMBLE_LEN];
    if rd.read_exact(&mut pre[..1]).await.is_err() {
        return;
    }
    // JSON text starts with `{`, maybe after whitespace; the binary preamble never does.
    if pre[0] == b'{' || pre[0].is_ascii_whitespace() {
        return json_connection(rd, wr, pre[0], id, events, writers).await;
    }
    if rd.read_exact(&mut pre[1..]).await.is_err() {
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
    if let Err(e) = control::json_reader(rd, first, id, &events, &out_tx).await {
        tracing::warn!(client = id.0, "closing control connection: {e}");
    }
    let _ = events.send(Event::Gone(id)).await;
}

async fn reader(
    rd: &mut OwnedReadHalf,
    id: ClientId,
    events: &mpsc::Sender<Event>,
) -> Result<(), CodecError> {
    while let Some(payload) = codec::read_frame_async(rd).await? {
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

async fn writer(
    mut wr: OwnedWriteHalf,
    mut rx: mpsc::Receiver<Outgoing>,
    id: ClientId,
    events: mpsc::Sender<Event>,
    _writers: mpsc::Sender<()>,
) {
    while let Some(out) = rx.recv().await {
        match out {
            Outgoing::Frame(bytes, is_render) => {
                if wr.write_all(&bytes).await.is_err() {
                    break;
                }
                if is_render && events.send(Event::Written(id)).await.is_err() {
                    break;
                }
            }
            Outgoing::Close => break,
        }
    }
    let _ = wr.shutdown().await;
}
