//! The wire format between client and server: a fixed preamble carrying the protocol version,
//! then length-prefixed postcard frames with a size cap. Both a blocking (client) and an async
//! (server) reader live here so the two sides cannot drift apart.
//!
//! A frame is `u32` big-endian payload length followed by the payload. A frame whose message tag
//! is newer than this build knows is reported as [`Decoded::Unknown`] and skipped; anything
//! else that fails to decode is an error that ends the connection.

use std::io::{self, Read, Write};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::io::{AsyncRead, AsyncReadExt};

/// The first bytes of every binary connection, in both directions.
pub const MAGIC: &[u8; 6] = b"APPMUX";
/// Bumped whenever a message changes shape or a peer must understand a new one. Removed
/// message tags are never reused. Version 2: server messages larger than a frame arrive as
/// `ServerMsg::Part`s, and a resurrect report names renamed sessions. Version 3: every verb of
/// the action vocabulary (listing, killing, capture, send-keys, app lifecycle) travels as
/// `Request::Action` and is answered with its data; request tags 2 to 6 are retired.
/// Version 5: an `AppSpec` carries `port`, `instance`, `watch`, `cron_restart`, `schedule` and
/// `max_memory`, and an `AppInfo` `instance`, `group`, `watch` and `next_run` (postcard has no
/// field names, so a new field changes the shape). Version 6: an `AppSpec` carries
/// `remain_on_exit`. Version 7: an attached client may hand its terminal to the server
/// (`ClientMsg::TakeTerminal`, `Handed`, `ServerMsg::Terminal`), and waits for the answer.
pub const VERSION: u16 = 7;
/// Preamble length: magic plus big-endian version.
pub const PREAMBLE_LEN: usize = MAGIC.len() + 2;
/// No frame may be larger than this, in either direction.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;
/// A frame being received grows by at most this much ahead of the bytes that arrived, so a
/// header announcing a large frame costs nothing until the frame comes.
const READ_STEP: usize = 64 * 1024;

/// Why a connection had to be closed.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("not an appmux peer (bad handshake)")]
    BadMagic,
    #[error("protocol version mismatch: this side speaks {ours}, the peer speaks {theirs}")]
    Version { ours: u16, theirs: u16 },
    #[error("frame of {0} bytes exceeds the {MAX_FRAME}-byte cap")]
    TooLarge(usize),
    #[error("malformed frame: {0}")]
    Malformed(#[from] postcard::Error),
    #[error("a frame was begun and not finished within {0:?}")]
    Stalled(Duration),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// A decoded frame: a message this build knows, or a newer one to skip.
#[derive(Debug)]
pub enum Decoded<T> {
    Message(T),
    Unknown(u32),
}

/// Implemented by the two message enums so the decoder can tell "newer than me" from "garbage".
pub trait Tagged {
    /// How many variants this build knows; tags at or above it are unknown, not malformed.
    const KNOWN_TAGS: u32;
}

/// The preamble this build sends.
pub fn preamble() -> [u8; PREAMBLE_LEN] {
    let mut p = [0u8; PREAMBLE_LEN];
    p[..MAGIC.len()].copy_from_slice(MAGIC);
    p[MAGIC.len()..].copy_from_slice(&VERSION.to_be_bytes());
    p
}

/// Checks a received preamble.
pub fn check_preamble(p: &[u8; PREAMBLE_LEN]) -> Result<(), CodecError> {
    if &p[..MAGIC.len()] != MAGIC {
        return Err(CodecError::BadMagic);
    }
    let theirs = u16::from_be_bytes([p[MAGIC.len()], p[MAGIC.len() + 1]]);
    if theirs != VERSION {
        return Err(CodecError::Version {
            ours: VERSION,
            theirs,
        });
    }
    Ok(())
}

/// Encodes one message as a complete frame (header included).
pub fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    let mut out = vec![0u8; 4];
    // Serialising into a Vec cannot fail for our message types (no maps with non-string keys,
    // no custom serialisers that error).
    out = postcard::to_io(msg, out).unwrap_or_else(|_| vec![0u8; 4]);
    let len = (out.len() - 4) as u32;
    out[..4].copy_from_slice(&len.to_be_bytes());
    out
}

/// Decodes a frame payload.
pub fn decode<T: DeserializeOwned + Tagged>(payload: &[u8]) -> Result<Decoded<T>, CodecError> {
    match postcard::from_bytes::<T>(payload) {
        Ok(m) => Ok(Decoded::Message(m)),
        Err(e) => match read_varint(payload) {
            Some(tag) if tag >= T::KNOWN_TAGS => Ok(Decoded::Unknown(tag)),
            _ => Err(CodecError::Malformed(e)),
        },
    }
}

/// Reads postcard's leading varint (the enum tag).
fn read_varint(bytes: &[u8]) -> Option<u32> {
    let mut value: u32 = 0;
    for (i, b) in bytes.iter().take(5).enumerate() {
        value |= u32::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn frame_len(header: [u8; 4]) -> Result<usize, CodecError> {
    let len = u32::from_be_bytes(header) as usize;
    if len > MAX_FRAME {
        return Err(CodecError::TooLarge(len));
    }
    Ok(len)
}

/// Blocking: reads one frame payload; `Ok(None)` on a clean EOF between frames.
pub fn read_frame(r: &mut impl Read) -> Result<Option<Vec<u8>>, CodecError> {
    let mut header = [0u8; 4];
    match r.read_exact(&mut header) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let mut payload = vec![0u8; frame_len(header)?];
    r.read_exact(&mut payload)?;
    Ok(Some(payload))
}

/// Async: reads one frame payload; `Ok(None)` on a clean EOF between frames. The wait for a
/// frame to begin is unbounded; once its first byte is in, the whole frame must arrive within
/// `limit`, and the buffer grows with the bytes that arrive rather than with the length the
/// header announced.
pub async fn read_frame_async(
    r: &mut (impl AsyncRead + Unpin),
    limit: Duration,
) -> Result<Option<Vec<u8>>, CodecError> {
    let mut header = [0u8; 4];
    if r.read(&mut header[..1]).await? == 0 {
        return Ok(None);
    }
    let rest = async {
        r.read_exact(&mut header[1..]).await?;
        let len = frame_len(header)?;
        let mut payload = Vec::new();
        while payload.len() < len {
            let start = payload.len();
            payload.resize(start + (len - start).min(READ_STEP), 0);
            r.read_exact(&mut payload[start..]).await?;
        }
        Ok(payload)
    };
    match tokio::time::timeout(limit, rest).await {
        Ok(payload) => payload.map(Some),
        Err(_) => Err(CodecError::Stalled(limit)),
    }
}

/// Blocking: writes one message as a frame.
pub fn write_msg<T: Serialize>(w: &mut impl Write, msg: &T) -> io::Result<()> {
    w.write_all(&encode(msg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Old {
        A(u32),
        B(String),
    }
    impl Tagged for Old {
        const KNOWN_TAGS: u32 = 2;
    }
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum New {
        A(u32),
        B(String),
        C(Vec<u8>),
    }

    #[test]
    fn frames_round_trip_through_the_blocking_reader() {
        let mut bytes = encode(&Old::A(7));
        bytes.extend(encode(&Old::B("hi".into())));
        let mut r = &bytes[..];
        let a = read_frame(&mut r).unwrap().unwrap();
        assert!(matches!(
            decode::<Old>(&a).unwrap(),
            Decoded::Message(Old::A(7))
        ));
        let b = read_frame(&mut r).unwrap().unwrap();
        assert!(matches!(decode::<Old>(&b).unwrap(), Decoded::Message(Old::B(s)) if s == "hi"));
        assert!(read_frame(&mut r).unwrap().is_none());
    }

    #[test]
    fn newer_tags_are_unknown_but_garbage_is_malformed() {
        let newer = encode(&New::C(vec![1, 2, 3]));
        assert!(matches!(
            decode::<Old>(&newer[4..]).unwrap(),
            Decoded::Unknown(2)
        ));
        assert!(matches!(
            decode::<Old>(&[1, 0xff]),
            Err(CodecError::Malformed(_))
        ));
    }

    #[test]
    fn oversized_header_is_refused_before_allocating() {
        let bytes = u32::MAX.to_be_bytes();
        let err = read_frame(&mut &bytes[..]).unwrap_err();
        assert!(matches!(err, CodecError::TooLarge(_)));
    }

    #[test]
    fn preamble_checks_magic_and_version() {
        check_preamble(&preamble()).unwrap();
        let mut p = preamble();
        p[7] ^= 1;
        assert!(matches!(
            check_preamble(&p),
            Err(CodecError::Version { .. })
        ));
        assert!(matches!(
            check_preamble(b"GET / HT"),
            Err(CodecError::BadMagic)
        ));
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn async_frames_arrive_whole_and_a_half_sent_one_times_out() {
        let limit = Duration::from_millis(200);
        let mut bytes = encode(&Old::B("x".repeat(3 * READ_STEP)));
        bytes.extend(encode(&Old::A(1)));
        block_on(async {
            let mut r = &bytes[..];
            let big = read_frame_async(&mut r, limit).await.unwrap().unwrap();
            assert!(
                matches!(decode::<Old>(&big).unwrap(), Decoded::Message(Old::B(s)) if s.len() == 3 * READ_STEP)
            );
            assert!(read_frame_async(&mut r, limit).await.unwrap().is_some());
            assert!(read_frame_async(&mut r, limit).await.unwrap().is_none());
            // A header announcing a megabyte, a few bytes, then nothing more.
            let (mut client, mut server) = tokio::io::duplex(64);
            use tokio::io::AsyncWriteExt;
            client.write_all(&(1u32 << 20).to_be_bytes()).await.unwrap();
            client.write_all(b"abc").await.unwrap();
            let err = read_frame_async(&mut server, limit).await.unwrap_err();
            assert!(matches!(err, CodecError::Stalled(_)), "{err}");
        });
    }

    proptest::proptest! {
        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(0u8..=255, 0..64)) {
            let _ = decode::<Old>(&bytes);
            let _ = read_frame(&mut &bytes[..]);
        }

        #[test]
        fn any_message_round_trips(n in 0u32.., s in ".{0,40}") {
            for m in [Old::A(n), Old::B(s.clone())] {
                let f = encode(&m);
                let p = read_frame(&mut &f[..]).unwrap().unwrap();
                match decode::<Old>(&p).unwrap() {
                    Decoded::Message(got) => proptest::prop_assert_eq!(got, m),
                    Decoded::Unknown(t) => proptest::prop_assert!(false, "unknown {}", t),
                }
            }
        }
    }
}
