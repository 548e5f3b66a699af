//! The modes vt100 does not track (focus events, synchronized output, urxvt mouse coordinates,
//! modifyOtherKeys, the kitty keyboard flag stacks) and the replies to the queries apps send
//! (DA1, DA2, DSR/CPR, XTVERSION, DECRQM, XTWINOPS size reports, the kitty keyboard query).
//!
//! This module owns only that bookkeeping and the exact bytes of the replies: `emulator` hands it
//! every CSI sequence vt100 did not act on, together with the screen, and writes the replies
//! back to the app. It must not print to the screen and knows nothing of clients.

use std::fmt::Write as _;

/// The DA1 reply: a VT220-class terminal with ANSI colour (22), like tmux and xterm.
pub const DA1_REPLY: &[u8] = b"\x1b[?62;22c";
/// The DA2 reply identifies appmux: 'A' (65) as the terminal type, then a version number.
pub const DA2_REPLY: &[u8] = b"\x1b[>65;1;0c";
/// What XTWINOPS pixel reports assume a cell measures, in pixels (width, height): appmux
/// cannot know the client's font, and a common size beats no answer.
pub const CELL_PIXELS: (u16, u16) = (8, 16);

/// How deep a kitty keyboard flag stack goes; pushing more drops the oldest entry, as in kitty.
const KITTY_STACK: usize = 16;

/// The mouse coordinate encodings an app can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MouseEncoding {
    #[default]
    Default,
    Utf8,
    Sgr,
    Urxvt,
}

/// One screen's kitty keyboard flags: a stack whose top is in effect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct KittyStack(Vec<u8>);

impl KittyStack {
    fn current(&self) -> u8 {
        self.0.last().copied().unwrap_or(0)
    }

    fn push(&mut self, flags: u8) {
        if self.0.len() == KITTY_STACK {
            self.0.remove(0);
        }
        self.0.push(flags);
    }

    fn pop(&mut self, n: usize) {
        let keep = self.0.len().saturating_sub(n);
        self.0.truncate(keep);
    }

    /// `CSI = flags ; mode u`: 1 sets the flags, 2 adds bits, 3 removes bits.
    fn set(&mut self, flags: u8, mode: u16) {
        let now = self.current();
        let new = match mode {
            2 => now | flags,
            3 => now & !flags,
            _ => flags,
        };
        match self.0.last_mut() {
            Some(top) => *top = new,
            None => self.0.push(new),
        }
    }
}

/// What vt100 does not track, per pane.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Modes {
    /// DECSET 1004: the app wants `CSI I` / `CSI O` when its pane gains or loses focus.
    pub focus_events: bool,
    /// DECSET 2026: an update is in progress; the pane keeps showing the previous frame.
    pub synchronized: bool,
    /// DECSET 1015: urxvt-style mouse coordinates.
    pub urxvt_mouse: bool,
    /// Insert mode (IRM, `CSI 4 h`); the filter and the layer carry it out.
    pub insert: bool,
    /// Auto-wrap is off (DECRST 7); the filter and the layer carry it out.
    pub no_wrap: bool,
    /// modifyOtherKeys level (`CSI > 4 ; n m`): 0 off, 1 or 2.
    pub modify_other_keys: u8,
    /// Kitty keyboard flags of the main and the alternate screen.
    kitty: [KittyStack; 2],
}

impl Modes {
    /// The kitty keyboard flags in effect on the current screen.
    pub fn kitty_flags(&self, alternate: bool) -> u8 {
        self.kitty[usize::from(alternate)].current()
    }

    /// Everything back to a fresh terminal's state (RIS, or a new run of the app).
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Acts on a CSI sequence vt100 passed over: tracks modes and appends any reply to `out`.
    pub fn csi(
        &mut self,
        screen: &vt100::Screen,
        (i1, i2): (Option<u8>, Option<u8>),
        params: &[&[u16]],
        c: char,
        out: &mut Vec<u8>,
    ) {
        let param = |i: usize| params.get(i).and_then(|p| p.first()).copied();
        let first = param(0).unwrap_or(0);
        match (i1, i2, c) {
            (None, None, 'c') if first == 0 => out.extend_from_slice(DA1_REPLY),
            (Some(b'>'), None, 'c') if first == 0 => out.extend_from_slice(DA2_REPLY),
            (None, None, 'n') if first == 5 => out.extend_from_slice(b"\x1b[0n"),
            (None, None, 'n') if first == 6 => {
                let (row, col) = screen.cursor_position();
                let _ = write!(Bytes(out), "\x1b[{};{}R", row + 1, col + 1);
            }
            (Some(b'?'), None, 'n') if first == 6 => {
                let (row, col) = screen.cursor_position();
                let _ = write!(Bytes(out), "\x1b[?{};{}R", row + 1, col + 1);
            }
            (Some(b'>'), None, 'q') if first == 0 => {
                let _ = write!(
                    Bytes(out),
                    "\x1bP>|appmux {}\x1b\\",
                    env!("CARGO_PKG_VERSION")
                );
            }
            (None, None, 't') => window_report(screen, first, out),
            (Some(b'?'), None, 'h' | 'l') => self.dec_set(params, c == 'h'),
            (None, None, 'h' | 'l') if params.iter().any(|p| p.first() == Some(&4)) => {
                self.insert = c == 'h';
            }
            (Some(b'?'), Some(b'$'), 'p') => {
                let status = self.dec_mode_status(screen, first);
                let _ = write!(Bytes(out), "\x1b[?{first};{status}$y");
            }
            (Some(b'$'), None, 'p') => {
                let _ = write!(
                    Bytes(out),
                    "\x1b[{first};{}$y",
                    self.ansi_mode_status(first)
                );
            }
            (Some(b'>'), None, 'm') if first == 4 => {
                self.modify_other_keys = param(1).unwrap_or(0).min(2) as u8;
            }
            (Some(b'>'), None, 'n') if first == 4 => self.modify_other_keys = 0,
            (Some(b'?'), None, 'u') => {
                let flags = self.kitty_flags(screen.alternate_screen());
                let _ = write!(Bytes(out), "\x1b[?{flags}u");
            }
            (Some(b'>'), None, 'u') => {
                self.kitty[usize::from(screen.alternate_screen())].push(kitty_bits(first));
            }
            (Some(b'<'), None, 'u') => {
                let n = usize::from(first.max(1));
                self.kitty[usize::from(screen.alternate_screen())].pop(n);
            }
            (Some(b'='), None, 'u') => {
                let mode = param(1).unwrap_or(1);
                self.kitty[usize::from(screen.alternate_screen())].set(kitty_bits(first), mode);
            }
            _ => {}
        }
    }

    /// DECSET / DECRST of the modes tracked here. vt100 reports the whole parameter list once
    /// for each mode it did not know, so this must be idempotent.
    fn dec_set(&mut self, params: &[&[u16]], on: bool) {
        for p in params {
            match p.first() {
                Some(1004) => self.focus_events = on,
                Some(1015) => self.urxvt_mouse = on,
                Some(2026) => self.synchronized = on,
                Some(7) => self.no_wrap = !on,
                _ => {}
            }
        }
    }

    /// DECRQM for private modes: 0 not recognised, 1 set, 2 reset, 3 permanently set.
    fn dec_mode_status(&self, screen: &vt100::Screen, mode: u16) -> u8 {
        use vt100::MouseProtocolEncoding as E;
        use vt100::MouseProtocolMode as M;
        let flag = |on: bool| if on { 1 } else { 2 };
        let mouse = screen.mouse_protocol_mode();
        let encoding = screen.mouse_protocol_encoding();
        match mode {
            1 => flag(screen.application_cursor()),
            7 => flag(!self.no_wrap),
            9 => flag(mouse == M::Press),
            25 => flag(!screen.hide_cursor()),
            47 | 1047 | 1049 => flag(screen.alternate_screen()),
            66 => flag(screen.application_keypad()),
            1000 => flag(mouse == M::PressRelease),
            1002 => flag(mouse == M::ButtonMotion),
            1003 => flag(mouse == M::AnyMotion),
            1004 => flag(self.focus_events),
            1005 => flag(encoding == E::Utf8),
            1006 => flag(encoding == E::Sgr),
            1015 => flag(self.urxvt_mouse),
            2004 => flag(screen.bracketed_paste()),
            2026 => flag(self.synchronized),
            _ => 0,
        }
    }

    /// DECRQM for ANSI modes: insert mode (4) is set (1) or reset (2); newline mode (20) is not
    /// implemented, so it is permanently reset (4); the rest are not recognised.
    fn ansi_mode_status(&self, mode: u16) -> u8 {
        match mode {
            4 if self.insert => 1,
            4 => 2,
            20 => 4,
            _ => 0,
        }
    }

    /// The mouse encoding in effect: SGR wins over urxvt, which wins over UTF-8.
    pub fn mouse_encoding(&self, screen: &vt100::Screen) -> MouseEncoding {
        match screen.mouse_protocol_encoding() {
            vt100::MouseProtocolEncoding::Sgr => MouseEncoding::Sgr,
            _ if self.urxvt_mouse => MouseEncoding::Urxvt,
            vt100::MouseProtocolEncoding::Utf8 => MouseEncoding::Utf8,
            vt100::MouseProtocolEncoding::Default => MouseEncoding::Default,
        }
    }
}

/// The kitty flags are five bits; anything above is ignored.
fn kitty_bits(v: u16) -> u8 {
    (v & 0x1f) as u8
}

/// XTWINOPS reports (14: text area in pixels, 16: cell in pixels, 18 and 19: text area in
/// characters). Window moves, resizes and title stacks are ignored: the pane's size belongs to
/// the layout.
fn window_report(screen: &vt100::Screen, op: u16, out: &mut Vec<u8>) {
    let (rows, cols) = screen.size();
    let (rows, cols) = (u32::from(rows.get()), u32::from(cols.get()));
    let (cw, ch) = (u32::from(CELL_PIXELS.0), u32::from(CELL_PIXELS.1));
    let _ = match op {
        14 => write!(Bytes(out), "\x1b[4;{};{}t", rows * ch, cols * cw),
        16 => write!(Bytes(out), "\x1b[6;{ch};{cw}t"),
        18 => write!(Bytes(out), "\x1b[8;{rows};{cols}t"),
        19 => write!(Bytes(out), "\x1b[9;{rows};{cols}t"),
        _ => Ok(()),
    };
}

/// `fmt::Write` over a byte vector, for formatting replies without an intermediate String.
pub struct Bytes<'a>(pub &'a mut Vec<u8>);

impl std::fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kitty_stack_push_pop_set() {
        let mut s = KittyStack::default();
        assert_eq!(s.current(), 0);
        s.set(1, 1);
        assert_eq!(s.current(), 1);
        s.push(3);
        assert_eq!(s.current(), 3);
        s.set(8, 2);
        assert_eq!(s.current(), 11);
        s.set(1, 3);
        assert_eq!(s.current(), 10);
        s.pop(1);
        assert_eq!(s.current(), 1);
        s.pop(5);
        assert_eq!(s.current(), 0);
        for i in 0..100 {
            s.push(i % 32);
        }
        assert_eq!(s.0.len(), KITTY_STACK);
        assert_eq!(s.current(), 99 % 32);
    }
}
