//! The client side: reaching the server, one-shot requests, and the attached terminal.
//! Nothing here imports server code; the protocol is the only contract.

pub mod attach;
pub mod connect;
pub mod raw;
