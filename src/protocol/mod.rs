//! The client–server protocol: message types and the framed, versioned codec.
//! Nothing here does IO beyond reading and writing one frame.

pub mod codec;
pub mod messages;

pub use codec::{CodecError, Decoded};
pub use messages::*;
