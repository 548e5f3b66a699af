//! What the server does with what pane terminals report, and the outer-terminal modes each
//! client needs for what it shows: focus events when the focused pane changes, bells (marked on
//! the app, forwarded at most once a second per client), clipboard writes (forwarded only when
//! the `clipboard` option is on), synchronized updates that ran past their deadline, and what
//! clients' terminals say about themselves (colours, kitty keyboard support).
//!
//! Nothing an app prints reaches a client's terminal from here except as a sequence appmux
//! writes itself: a BEL, an OSC 52 write it rebuilt, mode switches.

use std::time::{Duration, Instant};

use vt100::{CursorStyle, MouseProtocolMode};

use crate::pane::emulator::{ClipboardWrite, Rgb};
use crate::server::Server;
use crate::server::model::{App, AppId, ClientId, SessionId};

/// At most one BEL per client per this long.
pub const BELL_INTERVAL: Duration = Duration::from_secs(1);
/// Focus reports sent to apps that asked for them (DECSET 1004).
const FOCUS_IN: &[u8] = b"\x1b[I";
const FOCUS_OUT: &[u8] = b"\x1b[O";

/// The modes appmux has switched on in a client's terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OuterModes {
    /// Button tracking with SGR coordinates (1000, 1002, 1006).
    pub mouse: bool,
    /// Any-motion tracking (1003), only while a visible pane asked for it.
    pub motion: bool,
    /// Focus reports (1004), while the focused pane asked for them.
    pub focus: bool,
    /// The focused pane's cursor shape (DECSCUSR); `None` until first set.
    pub cursor: Option<CursorStyle>,
    /// Application keypad (DECKPAM), while the focused pane is in it, so that the terminal
    /// sends keypad keys as keys of their own.
    pub keypad: bool,
}

impl OuterModes {
    /// Appends what switches a terminal from `self` to `next`.
    pub fn switch_to(&self, next: &OuterModes, out: &mut Vec<u8>) {
        if next.mouse != self.mouse {
            out.extend_from_slice(if next.mouse {
                b"\x1b[?1000h\x1b[?1002h\x1b[?1006h"
            } else {
                b"\x1b[?1000l\x1b[?1002l\x1b[?1006l"
            });
        }
        if next.motion != self.motion {
            out.extend_from_slice(if next.motion {
                b"\x1b[?1003h"
            } else {
                b"\x1b[?1003l"
            });
        }
        if next.focus != self.focus {
            out.extend_from_slice(if next.focus {
                b"\x1b[?1004h"
            } else {
                b"\x1b[?1004l"
            });
        }
        if next.keypad != self.keypad {
            out.extend_from_slice(if next.keypad { b"\x1b=" } else { b"\x1b>" });
        }
        if let Some(style) = next.cursor.filter(|c| Some(*c) != self.cursor) {
            out.extend_from_slice(format!("\x1b[{} q", decscusr(style)).as_bytes());
        }
    }
}

/// The DECSCUSR parameter of a cursor style.
fn decscusr(style: CursorStyle) -> u8 {
    match style {
        CursorStyle::Default => 0,
        CursorStyle::BlinkBlock => 1,
        CursorStyle::SteadyBlock => 2,
        CursorStyle::BlinkUnderline => 3,
        CursorStyle::SteadyUnderline => 4,
        CursorStyle::BlinkVerticalBar => 5,
        CursorStyle::SteadyVerticalBar => 6,
    }
}

/// What the panes a client shows want from its terminal.
pub fn wanted_modes(
    mouse_option: bool,
    visible: impl Iterator<Item = MouseProtocolMode>,
    focused: Option<Focused>,
) -> OuterModes {
    let mut modes = OuterModes {
        mouse: mouse_option,
        ..OuterModes::default()
    };
    for mode in visible {
        modes.mouse |= mode != MouseProtocolMode::None;
        modes.motion |= mode == MouseProtocolMode::AnyMotion;
    }
    if let Some(f) = focused {
        modes.cursor = Some(f.cursor);
        modes.focus = f.focus_events;
        modes.keypad = f.app_keypad;
    }
    modes
}

/// What the focused pane's app has asked of the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Focused {
    pub cursor: CursorStyle,
    /// Focus reports (DECSET 1004).
    pub focus_events: bool,
    /// Application keypad (DECKPAM).
    pub app_keypad: bool,
}

impl Server {
    /// After output from `app` was parsed: its bells and clipboard writes.
    pub(super) fn after_output(
        &mut self,
        app: AppId,
        bells: u32,
        clipboard: Option<ClipboardWrite>,
    ) {
        if bells > 0 {
            self.ring(app, Instant::now());
        }
        if let Some(write) = clipboard {
            self.forward_clipboard(app, write);
        }
    }

    /// A bell: the app is marked unless it is the one the user is looking at, and each client
    /// of the session hears it, at most once per [`BELL_INTERVAL`].
    fn ring(&mut self, app: AppId, now: Instant) {
        let Some(session) = self.apps.get(&app).map(|a| a.session()) else {
            return;
        };
        let watched = self.sessions.get(&session).and_then(|s| s.focused_app()) == Some(app)
            && self.clients.values().any(|c| c.session() == Some(session));
        if let Some(a) = self.apps.get_mut(&app)
            && !watched
        {
            a.ring_bell();
        }
        for c in self.clients.values_mut() {
            if c.session() != Some(session) {
                continue;
            }
            if let Some(at) = c.attached_mut()
                && at
                    .last_bell
                    .is_none_or(|t| now.duration_since(t) >= BELL_INTERVAL)
            {
                at.last_bell = Some(now);
                at.pending.push(0x07);
                at.dirty = true;
            }
        }
        self.app_changed(app);
    }

    /// An app's OSC 52 write goes to its session's clients as a sequence appmux builds, only
    /// when the `clipboard` option allows it.
    fn forward_clipboard(&mut self, app: AppId, write: ClipboardWrite) {
        if !self.settings.options.clipboard {
            return;
        }
        let Some(session) = self.apps.get(&app).map(|a| a.session()) else {
            return;
        };
        let mut seq = b"\x1b]52;".to_vec();
        seq.extend_from_slice(&write.selection);
        seq.push(b';');
        seq.extend_from_slice(&write.data);
        seq.push(0x07);
        for c in self.clients.values_mut() {
            if c.session() == Some(session)
                && let Some(at) = c.attached_mut()
            {
                at.pending.extend_from_slice(&seq);
                at.dirty = true;
            }
        }
    }

    /// Tells apps that asked (DECSET 1004) when their pane gains or loses focus, and clears the
    /// bell mark of the app that gained it. Called whenever a session changed.
    pub(super) fn report_focus(&mut self, session: SessionId) {
        let now = self.sessions.get(&session).and_then(|s| s.focused_app());
        let before = match now {
            Some(app) => self.focus.insert(session, app),
            None => self.focus.remove(&session),
        };
        if before == now {
            return;
        }
        if let Some(a) = before.and_then(|b| self.apps.get(&b))
            && a.term().focus_events()
            && let Some(p) = a.process()
        {
            p.reply(FOCUS_OUT.to_vec());
        }
        if let Some(a) = now.and_then(|n| self.apps.get_mut(&n)) {
            a.clear_bell();
            if a.term().focus_events()
                && let Some(p) = a.process()
            {
                p.reply(FOCUS_IN.to_vec());
            }
        }
    }

    /// The client's terminal gained or lost focus: the focused pane hears of it if it asked.
    pub(super) fn client_focus(&mut self, session: SessionId, gained: bool) {
        let Some(app) = self.sessions.get(&session).and_then(|s| s.focused_app()) else {
            return;
        };
        if let Some(a) = self.apps.get(&app)
            && a.term().focus_events()
            && let Some(p) = a.process()
        {
            p.reply(if gained { FOCUS_IN } else { FOCUS_OUT }.to_vec());
        }
    }

    /// The earliest moment a synchronized update in some pane stops holding its display.
    pub(super) fn sync_deadline(&self) -> Option<Instant> {
        self.apps.values().filter_map(App::sync_until).min()
    }

    /// Shows the live screen of panes whose synchronized update ran past its deadline.
    pub(super) fn expire_syncs(&mut self, now: Instant) {
        let expired: Vec<AppId> = self
            .apps
            .values_mut()
            .filter_map(|a| a.expire_sync(now).then_some(a.id()))
            .collect();
        for app in expired {
            self.app_changed(app);
        }
    }

    /// A reply from a client's terminal to the queries the client sent when it attached
    /// ([`crate::protocol::TERMINAL_QUERIES`]): its
    /// colours (which panes' OSC 10/11 queries are then answered with) and kitty keyboard
    /// support.
    pub(super) fn terminal_reply(&mut self, id: ClientId, bytes: &[u8]) {
        if bytes.starts_with(b"\x1b[?") && bytes.ends_with(b"u") {
            if let Some(a) = self.attached_mut(id) {
                a.kitty = true;
            }
            return;
        }
        if says_truecolor(bytes) {
            let auto = self.settings.options.colors == crate::config::options::Colors::Auto;
            if let Some(a) = self.attached_mut(id).filter(|_| auto) {
                use crate::render::color::ColorDepth;
                if a.depth != ColorDepth::TrueColor && a.depth != ColorDepth::None {
                    a.depth = ColorDepth::TrueColor;
                    a.invalidate();
                }
            }
            return;
        }
        let Some((which, rgb)) = parse_color_reply(bytes) else {
            return;
        };
        let mut palette = self.palette;
        match which {
            10 => {
                palette.fg = rgb;
                palette.cursor = rgb;
            }
            _ => palette.bg = rgb,
        }
        if palette != self.palette {
            self.palette = palette;
            for a in self.apps.values_mut() {
                a.term().set_palette(palette);
            }
        }
    }
}

/// Whether an XTGETTCAP answer (`DCS 1 + r NAME[=VALUE] ST`, names hex-encoded) says the
/// terminal has `Tc` or `RGB`: 24-bit colour. `DCS 0 + r` means it has neither.
fn says_truecolor(bytes: &[u8]) -> bool {
    let Some(body) = bytes.strip_prefix(b"\x1bP1+r") else {
        return false;
    };
    let body = body.strip_suffix(b"\x1b\\").unwrap_or(body);
    body.split(|&b| b == b';').any(|cap| {
        let name = cap.split(|&b| b == b'=').next().unwrap_or_default();
        name.eq_ignore_ascii_case(b"5463") || name.eq_ignore_ascii_case(b"524742")
    })
}

/// Parses `OSC 10|11 ; rgb:R/G/B` (each 1 to 4 hex digits) ended by BEL or ST.
fn parse_color_reply(bytes: &[u8]) -> Option<(u8, Rgb)> {
    let body = bytes.strip_prefix(b"\x1b]")?;
    let body = body
        .strip_suffix(b"\x07")
        .or_else(|| body.strip_suffix(b"\x1b\\"))?;
    let text = std::str::from_utf8(body).ok()?;
    let (which, spec) = text.split_once(';')?;
    let which: u8 = match which {
        "10" => 10,
        "11" => 11,
        _ => return None,
    };
    let mut parts = spec.strip_prefix("rgb:")?.split('/');
    let mut channel = || -> Option<u8> {
        let hex = parts.next()?;
        if hex.is_empty() || hex.len() > 4 {
            return None;
        }
        let v = u32::from_str_radix(hex, 16).ok()?;
        let max = (1u32 << (4 * hex.len())) - 1;
        Some((v * 255 / max) as u8)
    };
    let rgb = (channel()?, channel()?, channel()?);
    Some((which, rgb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_xtgettcap_answer_with_tc_or_rgb_means_truecolor() {
        assert!(says_truecolor(b"\x1bP1+r5463\x1b\\"));
        assert!(says_truecolor(b"\x1bP1+r524742=382F382F38\x1b\\"));
        assert!(says_truecolor(b"\x1bP1+r6B6264=5E3F;5463=\x1b\\"));
        assert!(!says_truecolor(b"\x1bP0+r5463\x1b\\"));
        assert!(!says_truecolor(b"\x1bP1+r6B6264=5E3F\x1b\\"));
        assert!(!says_truecolor(b"\x1b]11;rgb:0/0/0\x1b\\"));
    }

    #[test]
    fn colour_replies_parse_at_any_depth() {
        assert_eq!(
            parse_color_reply(b"\x1b]11;rgb:0000/8080/ffff\x1b\\"),
            Some((11, (0, 0x80, 0xff)))
        );
        assert_eq!(
            parse_color_reply(b"\x1b]10;rgb:f/80/abc\x07"),
            Some((10, (0xff, 0x80, 0xab)))
        );
        assert_eq!(parse_color_reply(b"\x1b]12;rgb:0/0/0\x07"), None);
        assert_eq!(parse_color_reply(b"\x1b]11;#000000\x07"), None);
        assert_eq!(parse_color_reply(b"\x1b]11;rgb:0/0\x07"), None);
    }

    #[test]
    fn mode_switches_are_only_sent_on_change() {
        let none = OuterModes::default();
        let mut out = Vec::new();
        none.switch_to(&none, &mut out);
        assert!(out.is_empty());
        let wanted = wanted_modes(
            false,
            [MouseProtocolMode::None, MouseProtocolMode::AnyMotion].into_iter(),
            Some(Focused {
                cursor: CursorStyle::SteadyVerticalBar,
                focus_events: true,
                app_keypad: true,
            }),
        );
        none.switch_to(&wanted, &mut out);
        assert_eq!(
            out,
            b"\x1b[?1000h\x1b[?1002h\x1b[?1006h\x1b[?1003h\x1b[?1004h\x1b=\x1b[6 q"
        );
        out.clear();
        let later = wanted_modes(true, std::iter::empty(), None);
        wanted.switch_to(&later, &mut out);
        assert_eq!(out, b"\x1b[?1003l\x1b[?1004l\x1b>");
    }
}
