//! The client–server protocol: message types, the framed, versioned codec, and messages too
//! large for one frame sent in parts. Nothing here does IO beyond reading and writing one frame.

pub mod codec;
pub mod messages;
pub mod parts;

pub use codec::{CodecError, Decoded};
pub use messages::*;

/// What a client asks its terminal when it attaches: the foreground and background colours
/// (OSC 10 and 11), the kitty keyboard flags (an answer at all means the protocol is
/// supported), and whether it has 24-bit colour (XTGETTCAP `Tc` and `RGB`, hex-encoded; a
/// terminal without XTGETTCAP drops the string). The answers arrive as input; the server reads
/// them and never types them into a pane.
pub const TERMINAL_QUERIES: &[u8] =
    b"\x1b]10;?\x1b\\\x1b]11;?\x1b\\\x1b[?u\x1bP+q5463;524742\x1b\\";
