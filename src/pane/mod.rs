//! A pane's terminal machinery: the child process in its PTY (`process`), the emulated screen
//! with its replies and history (`term`, `history`), and the encoding of keys for the child
//! (`encode`). Nothing here knows about sessions, clients or rendering.

pub mod encode;
pub mod history;
pub mod process;
pub mod term;
