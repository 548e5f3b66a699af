//! The user's terminal while attached. [`RawGuard`] saves the terminal settings, switches to raw
//! mode and the alternate screen, and puts everything back when dropped or when the process
//! panics, so a crash never leaves a terminal in raw mode.

use std::io::Write;
use std::sync::{Mutex, Once};

use rustix::termios::{self, OptionalActions, Termios};

/// What we turn on when attaching: alternate screen, cleared, bracketed paste.
const ENTER: &[u8] = b"\x1b[?1049h\x1b[H\x1b[2J\x1b[?2004h";
/// What we ask the terminal when attaching (its colours, kitty keyboard support), sent before
/// the screen is cleared so that a terminal that prints what it does not understand leaves
/// nothing behind. The server reads the answers; they are never typed into a pane.
const QUERIES: &[u8] = crate::protocol::TERMINAL_QUERIES;
/// What we turn off when leaving: every mode we or an app could have enabled through us
/// (mouse modes and encodings, focus events, bracketed paste, kitty keys), attributes, cursor
/// shape and visibility, the numeric keypad, then back to the main screen.
const LEAVE: &[u8] = b"\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l\x1b[?1015l\
\x1b[?1004l\x1b[?2004l\x1b[<u\x1b[m\x1b[0 q\x1b[?25h\x1b>\x1b[?1049l";

/// The settings to restore, reachable from the panic hook.
static SAVED: Mutex<Option<Termios>> = Mutex::new(None);
static HOOK: Once = Once::new();

/// Raw mode for as long as this lives.
pub struct RawGuard {
    _private: (),
}

impl RawGuard {
    /// Raw mode now; the returned bytes (the alternate screen, the queries, bracketed paste)
    /// are for the caller to write ahead of the first frame, in the same write.
    pub fn enter() -> std::io::Result<(Self, Vec<u8>)> {
        let stdin = std::io::stdin();
        let saved = termios::tcgetattr(&stdin)?;
        let mut raw = saved.clone();
        raw.make_raw();
        if let Ok(mut s) = SAVED.lock() {
            *s = Some(saved);
        }
        install_panic_hook();
        termios::tcsetattr(&stdin, OptionalActions::Now, &raw)?;
        let mut setup = Vec::new();
        if queries_welcome() {
            setup.extend_from_slice(b"\x1b[?1049h");
            setup.extend_from_slice(QUERIES);
        }
        setup.extend_from_slice(ENTER);
        Ok((Self { _private: () }, setup))
    }
}

impl Drop for RawGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// The Linux console prints OSC strings it does not know; every other terminal ignores them.
fn queries_welcome() -> bool {
    !matches!(
        std::env::var("TERM").as_deref(),
        Ok("linux" | "dumb") | Err(_)
    )
}

/// Puts the terminal back; safe to call more than once.
fn restore() {
    let saved = SAVED.lock().ok().and_then(|mut s| s.take());
    if let Some(saved) = saved {
        let mut out = std::io::stdout();
        let _ = out.write_all(LEAVE);
        let _ = out.flush();
        let _ = termios::tcsetattr(std::io::stdin(), OptionalActions::Now, &saved);
    }
}

fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}
