//! A pane's terminal machinery: the child process in its PTY (`process`), how its output is
//! read (`reader`: on the event loop while quiet, on a thread while flooding) and reported
//! (`events`), the emulated screen with its replies and history (`emulator`, `history`),
//! shared by the reader that parses into it and the server (`shared`), the byte filter in front of the parser
//! (`filter`) and the layer beside it for what needs the screen (`layer`), the modes and
//! queries vt100 leaves to us (`modes`), screen rows written with their attributes for
//! `capture --ansi` (`capture`), and the encoding of keys and mouse events for the child
//! (`encode`). Nothing here knows about sessions, clients or
//! rendering.

pub mod capture;
pub mod emulator;
pub mod encode;
pub mod events;
pub mod filter;
pub mod history;
pub mod hyperlink;
pub mod layer;
pub mod modes;
pub mod process;
pub mod reader;
pub mod shared;
