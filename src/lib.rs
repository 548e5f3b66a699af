//! appmux: a terminal multiplexer that doubles as an app launcher and supervisor.
//!
//! The library holds everything; `main.rs` only parses the command line and maps errors to exit
//! codes. The tree follows the architecture in DESIGN.md: `client` and `server` meet only in
//! `protocol`; `pane` is a PTY plus its emulated terminal; `render` turns state into frames;
//! `paths` builds every per-user path; `size` is the one type the wire format, panes and
//! rendering share.

#![forbid(unsafe_op_in_unsafe_fn)]

/// The version `--version` prints: the package's, with the git revision it was built from
/// (`0.1.0 (1a2b3c4)`, `-dirty` for uncommitted changes) when built from a checkout.
pub const VERSION: &str = env!("APPMUX_VERSION");

pub mod action;
pub mod app;
pub mod cli;
pub mod client;
pub mod command;
pub mod commands;
pub mod config;
pub mod contract;
pub mod copy;
pub mod cron;
pub mod dependency;
pub mod ids;
pub mod input;
pub mod keys;
pub mod layout;
pub mod logs;
pub mod metrics;
pub mod names;
pub mod pane;
pub mod paths;
pub mod probe_spec;
pub mod protocol;
pub mod render;
pub mod server;
pub mod size;
pub mod suggest;
pub mod switcher;
pub mod target;
pub mod units;
pub mod watch_spec;
