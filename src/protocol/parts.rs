//! Server messages larger than a frame: [`frames`] encodes any [`ServerMsg`] as bytes for the
//! socket in which no frame passes [`MAX_FRAME`], cutting a message that would into
//! [`ServerMsg::Part`]s, and [`Reassembly`] on the client puts the parts back together. A
//! capture with its scrollback or a frame of a dense screen can pass the cap; nothing else
//! changes for them.
//!
//! This module only turns messages into bytes and back; it does no IO.

use super::codec::{self, CodecError, Decoded, MAX_FRAME};
use super::messages::ServerMsg;

/// The bytes of one part: a part's frame (tag, flag and length prefix included) stays within
/// the cap.
pub const PART_BYTES: usize = MAX_FRAME - 64;
/// The largest message a client puts back together from parts.
pub const MAX_MESSAGE: usize = 1024 * 1024 * 1024;

/// `msg` as one or more complete frames, none of which passes [`MAX_FRAME`].
pub fn frames(msg: &ServerMsg) -> Vec<u8> {
    let frame = codec::encode(msg);
    if frame.len() - 4 <= MAX_FRAME {
        return frame;
    }
    let payload = &frame[4..];
    let mut out = Vec::with_capacity(payload.len() + payload.len() / PART_BYTES * 16 + 16);
    let mut pieces = payload.chunks(PART_BYTES).peekable();
    while let Some(piece) = pieces.next() {
        out.extend_from_slice(&codec::encode(&ServerMsg::Part {
            bytes: piece.to_vec(),
            more: pieces.peek().is_some(),
        }));
    }
    out
}

/// Why parts could not be put back together.
#[derive(Debug, thiserror::Error)]
pub enum PartsError {
    #[error("a message of more than {MAX_MESSAGE} bytes")]
    TooLarge,
    #[error("a message in parts holds parts itself")]
    Nested,
    #[error(transparent)]
    Codec(#[from] CodecError),
}

/// Collects [`ServerMsg::Part`]s until the message they carry is complete.
#[derive(Debug, Default)]
pub struct Reassembly {
    payload: Vec<u8>,
}

impl Reassembly {
    /// Takes one decoded message. A part is kept and yields nothing until the last one, which
    /// yields the whole message (or nothing when that message is newer than this build); any
    /// other message passes through.
    pub fn push(&mut self, msg: ServerMsg) -> Result<Option<ServerMsg>, PartsError> {
        let ServerMsg::Part { bytes, more } = msg else {
            return Ok(Some(msg));
        };
        if self.payload.len().saturating_add(bytes.len()) > MAX_MESSAGE {
            self.payload = Vec::new();
            return Err(PartsError::TooLarge);
        }
        self.payload.extend_from_slice(&bytes);
        if more {
            return Ok(None);
        }
        let payload = std::mem::take(&mut self.payload);
        match codec::decode::<ServerMsg>(&payload)? {
            Decoded::Message(ServerMsg::Part { .. }) => Err(PartsError::Nested),
            Decoded::Message(m) => Ok(Some(m)),
            Decoded::Unknown(_) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Reply;

    /// Reads every frame of `bytes`, checking the cap, and reassembles what they carry.
    fn receive(bytes: &[u8]) -> Vec<ServerMsg> {
        let mut r = bytes;
        let mut parts = Reassembly::default();
        let mut got = Vec::new();
        while let Some(payload) = codec::read_frame(&mut r).unwrap() {
            assert!(payload.len() <= MAX_FRAME);
            let Decoded::Message(m) = codec::decode::<ServerMsg>(&payload).unwrap() else {
                panic!("an unknown message");
            };
            got.extend(parts.push(m).unwrap());
        }
        got
    }

    #[test]
    fn small_messages_are_one_frame_as_before() {
        let msg = ServerMsg::Output(b"hello".to_vec());
        assert_eq!(frames(&msg), codec::encode(&msg));
    }

    #[test]
    fn large_messages_are_cut_into_frames_within_the_cap_and_put_back_together() {
        let text = "abcdefghijklmnopqrstuvwxyz".repeat((MAX_FRAME + PART_BYTES) / 26 + 1);
        let capture = ServerMsg::Reply(Reply::Capture(text));
        let output = ServerMsg::Output(vec![7u8; 2 * MAX_FRAME]);
        let mut bytes = frames(&capture);
        bytes.extend(frames(&ServerMsg::Error("between".into())));
        bytes.extend(frames(&output));
        assert_eq!(
            receive(&bytes),
            vec![capture, ServerMsg::Error("between".into()), output]
        );
    }

    #[test]
    fn bad_parts_are_errors() {
        let mut parts = Reassembly::default();
        let inner = codec::encode(&ServerMsg::Part {
            bytes: vec![1],
            more: false,
        });
        let nested = ServerMsg::Part {
            bytes: inner[4..].to_vec(),
            more: false,
        };
        assert!(matches!(parts.push(nested), Err(PartsError::Nested)));
        let garbage = ServerMsg::Part {
            bytes: vec![0xff, 0xff],
            more: false,
        };
        assert!(matches!(parts.push(garbage), Err(PartsError::Codec(_))));
        // A newer message in parts is skipped, like a newer message in one frame.
        let newer = ServerMsg::Part {
            bytes: vec![100, 1, 2],
            more: false,
        };
        assert!(parts.push(newer).unwrap().is_none());
    }
}
