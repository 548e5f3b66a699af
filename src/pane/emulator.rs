//! One app's terminal: the vt100 parser behind the output filter (`filter`), the replies to
//! the queries apps send (so they never hang waiting for an answer, attached client or not),
//! the modes vt100 ignores (`modes`), the sequences it needs the screen for (`layer`), the
//! compact history, title, bell and clipboard writes.
//! It knows nothing of PTYs or clients: bytes in, screen state and reply bytes out.
//!
//! A panic inside the parser is caught here and costs only this pane's screen: the terminal is
//! rebuilt at the same size with its history kept.

use std::fmt::Write as _;
use std::num::NonZeroU16;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use crate::pane::encode::KeyModes;
use crate::pane::filter::{Filter, INVALID, OSC_MAX, Piece};
use crate::pane::history::History;
use crate::pane::layer::{Layer, Terminal};
use crate::pane::modes::{Bytes, Modes, MouseEncoding};
use crate::size::Size;

pub use crate::pane::modes::{DA1_REPLY, DA2_REPLY};

/// How long a synchronized update (DECSET 2026) may keep the previous frame on screen when
/// the app never ends it.
pub const SYNC_TIMEOUT: Duration = Duration::from_secs(1);
/// Shown in a pane whose parser was rebuilt after a panic.
const RESET_NOTE: &str = "\r\n\x1b[m[appmux: terminal reset after an internal error]\r\n";

/// An RGB colour, 8 bits a channel.
pub type Rgb = (u8, u8, u8);

/// The colours OSC 10, 11 and 12 queries are answered with: the client terminal's when it
/// told us, otherwise a dark terminal's (the common case; apps only use them to pick a light
/// or dark theme).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    pub fg: Rgb,
    pub bg: Rgb,
    pub cursor: Rgb,
}

impl Default for Palette {
    fn default() -> Self {
        Self {
            fg: (0xe5, 0xe5, 0xe5),
            bg: (0x00, 0x00, 0x00),
            cursor: (0xe5, 0xe5, 0xe5),
        }
    }
}

/// A clipboard write (OSC 52) an app asked for: the selection letters and the base64 data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClipboardWrite {
    pub selection: Vec<u8>,
    pub data: Vec<u8>,
}

/// The vt100 callback half: collects what the parser cannot act on itself.
#[derive(Debug)]
pub struct Hooks {
    replies: Vec<u8>,
    history: History,
    title: Option<String>,
    bells: u32,
    modes: Modes,
    /// The screen as it was when a synchronized update began, and when that was.
    frozen: Option<(Box<vt100::Screen>, Instant)>,
    clipboard: Option<ClipboardWrite>,
}

impl Hooks {
    fn new(history: History) -> Self {
        Self {
            replies: Vec::new(),
            history,
            title: None,
            bells: 0,
            modes: Modes::default(),
            frozen: None,
            clipboard: None,
        }
    }

    fn end_sync(&mut self) {
        self.frozen = None;
        self.modes.synchronized = false;
    }
}

impl vt100::Callbacks for Hooks {
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.bells = self.bells.saturating_add(1);
    }

    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.title = Some(sanitize_title(title));
    }

    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, ty: &[u8], data: &[u8]) {
        // A string the filter cut short is not what the app meant to copy.
        if data.len() + ty.len() + 8 < OSC_MAX {
            self.clipboard = Some(ClipboardWrite {
                selection: ty.to_vec(),
                data: data.to_vec(),
            });
        }
    }

    // Clipboard reads (`OSC 52 ; c ; ?`) are never answered: an app must not read what the
    // user copied elsewhere.

    fn unhandled_csi(
        &mut self,
        screen: &mut vt100::Screen,
        i1: Option<u8>,
        i2: Option<u8>,
        params: &[&[u16]],
        c: char,
    ) {
        let was = self.modes.synchronized;
        self.modes
            .csi(screen, (i1, i2), params, c, &mut self.replies);
        match (was, self.modes.synchronized) {
            (false, true) => self.frozen = Some((Box::new(screen.clone()), Instant::now())),
            (true, false) => self.frozen = None,
            _ => {}
        }
    }

    /// Unit tests reach the panic path through this OSC; nothing else does.
    #[cfg(test)]
    fn unhandled_osc(&mut self, _: &mut vt100::Screen, params: &[&[u8]]) {
        if params == [b"appmux-test-panic"] {
            panic!("a test asked the parser to panic");
        }
    }

    fn on_scroll(&mut self, row: vt100::capture::RowContents<'_>, alternate_screen: bool) {
        // Like tmux, only the main screen feeds history: a full-screen app's redraws are not
        // lines the user printed.
        if !alternate_screen {
            self.history.push(row);
        }
    }
}

/// Titles come from apps: keep printable characters only, bounded.
fn sanitize_title(title: &[u8]) -> String {
    String::from_utf8_lossy(title)
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == INVALID { '\u{FFFD}' } else { c })
        .take(256)
        .collect()
}

fn nz(v: u16) -> NonZeroU16 {
    NonZeroU16::new(v).unwrap_or(NonZeroU16::MIN)
}

/// The reply to an OSC 10/11/12 query, ended the way the query was.
fn color_reply(which: u8, (r, g, b): Rgb, bel: bool, out: &mut Vec<u8>) {
    let _ = write!(
        Bytes(out),
        "\x1b]{which};rgb:{r:02x}{r:02x}/{g:02x}{g:02x}/{b:02x}{b:02x}"
    );
    out.extend_from_slice(if bel { b"\x07" } else { b"\x1b\\" });
}

/// Which rows of a terminal's displayed screen may have changed, and when, so that a renderer
/// that keeps what it drew need not compare rows that cannot have changed. Output that only
/// prints a little text on the cursor's row (an echoed key) marks that row; anything else
/// marks every row.
#[derive(Debug, Clone)]
pub struct RowChanges {
    /// Tells terminals apart: a renderer's memory of one says nothing about another.
    pub serial: u64,
    /// Counts changes to the displayed screen.
    pub count: u64,
    /// The last change that may have touched any row.
    all: u64,
    /// The last change that touched only this row.
    rows: Vec<u64>,
}

impl RowChanges {
    fn new(rows: u16) -> Self {
        static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Self {
            serial: SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            count: 0,
            all: 0,
            rows: vec![0; usize::from(rows)],
        }
    }

    /// Records a change: of one row, or (`None`) of any.
    fn record(&mut self, row: Option<u16>) {
        self.count += 1;
        match row.and_then(|r| self.rows.get_mut(usize::from(r))) {
            Some(at) => *at = self.count,
            None => self.all = self.count,
        }
    }

    /// Whether every change after `seen` (a `count` of this terminal) is known row by row.
    pub fn known_since(&self, serial: u64, seen: u64) -> bool {
        serial == self.serial && self.all <= seen
    }

    /// Whether `row` changed after `seen`; only meaningful when [`Self::known_since`] holds.
    pub fn changed_since(&self, row: u16, seen: u64) -> bool {
        self.rows.get(usize::from(row)).is_none_or(|&at| at > seen)
    }
}

/// A pane's emulated terminal.
pub struct Emulator {
    parser: vt100::Parser<Hooks>,
    filter: Filter,
    layer: Layer,
    palette: Palette,
    changes: RowChanges,
}

impl Emulator {
    /// A blank terminal of `size` keeping up to `history_limit` scrolled-off lines.
    pub fn new(size: Size, history_limit: usize) -> Self {
        Self {
            parser: new_parser(size, Hooks::new(History::new(history_limit))),
            filter: Filter::new(),
            layer: Layer::new(size.cols),
            palette: Palette::default(),
            changes: RowChanges::new(size.rows),
        }
    }

    /// The row that `bytes` can change, when it is the only one: short printable text that
    /// cannot reach the right margin (so nothing wraps or scrolls), arriving between escape
    /// sequences, outside a synchronized update.
    fn only_row(&self, bytes: &[u8]) -> Option<u16> {
        if bytes.len() > 64 || self.in_sync() || !self.filter.between_sequences() {
            return None;
        }
        let text = std::str::from_utf8(bytes).ok()?;
        if text.chars().any(char::is_control) {
            return None;
        }
        let screen = self.parser.screen();
        let (row, col) = screen.cursor_position();
        // Each character takes at most two columns.
        let widest = 2 * text.chars().count();
        (usize::from(col) + widest < usize::from(screen.size().1.get())).then_some(row)
    }

    /// Which rows changed when.
    pub fn changes(&self) -> &RowChanges {
        &self.changes
    }

    /// Parses output from the app. Returns the bytes to write back to the app (query replies).
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut row = self.only_row(bytes);
        let Self {
            parser,
            filter,
            layer,
            palette,
            changes,
        } = self;
        let cols = parser.screen().size().1.get();
        filter.run(bytes, cols, |piece| match piece {
            Piece::Bytes(bytes) => {
                if !process(parser, bytes) {
                    row = None;
                }
            }
            Piece::Text {
                text,
                insert,
                wrap,
                marks,
            } => {
                layer.print(parser, text, (insert, wrap), marks);
                row = None;
            }
            Piece::Act(act) => {
                layer.act(parser, act);
                row = None;
            }
            Piece::ColorQuery { which, bel } => {
                let rgb = match which {
                    10 => palette.fg,
                    11 => palette.bg,
                    _ => palette.cursor,
                };
                color_reply(which, rgb, bel, &mut parser.callbacks_mut().replies);
            }
            Piece::Reset => {
                let hooks = parser.callbacks_mut();
                hooks.modes.reset();
                hooks.frozen = None;
                layer.reset(cols);
            }
        });
        changes.record(row);
        std::mem::take(&mut self.parser.callbacks_mut().replies)
    }

    pub fn resize(&mut self, size: Size) {
        let (rows, cols) = self.parser.screen().size();
        if (rows.get(), cols.get()) != (size.rows, size.cols) {
            self.parser.set_size(nz(size.rows), nz(size.cols));
            self.layer.resize(size.cols);
            // The app redraws for its new size; an update in progress is void.
            self.parser.callbacks_mut().end_sync();
            self.changes.rows.resize(usize::from(size.rows), 0);
            self.changes.record(None);
        }
    }

    /// Whether VS16 makes the narrow character before it two columns wide (`[terminal]
    /// vs16_wide`); by default it does not, as in the C library's `wcwidth`.
    pub fn set_vs16_wide(&mut self, wide: bool) {
        self.filter.set_vs16_wide(wide);
    }

    /// The colours OSC 10/11/12 queries are answered with.
    pub fn set_palette(&mut self, palette: Palette) {
        self.palette = palette;
    }

    /// The screen to show: during a synchronized update, the frame from before it began.
    pub fn display_screen(&self) -> &vt100::Screen {
        match &self.parser.callbacks().frozen {
            Some((screen, _)) => screen,
            None => self.parser.screen(),
        }
    }

    /// A synchronized update is in progress: output changes nothing on display yet.
    pub fn in_sync(&self) -> bool {
        self.parser.callbacks().frozen.is_some()
    }

    /// When a synchronized update in progress stops holding back the display.
    pub fn sync_deadline(&self) -> Option<Instant> {
        self.parser
            .callbacks()
            .frozen
            .as_ref()
            .map(|(_, since)| *since + SYNC_TIMEOUT)
    }

    /// Ends a synchronized update that went on past its deadline; true when one did.
    pub fn expire_sync(&mut self, now: Instant) -> bool {
        if self.sync_deadline().is_some_and(|t| t <= now) {
            self.parser.callbacks_mut().end_sync();
            self.changes.record(None);
            return true;
        }
        false
    }

    /// The modes vt100 does not track.
    pub fn modes(&self) -> &Modes {
        &self.parser.callbacks().modes
    }

    /// Kitty keyboard flags in effect for the current screen.
    pub fn kitty_flags(&self) -> u8 {
        let alt = self.parser.screen().alternate_screen();
        self.modes().kitty_flags(alt)
    }

    /// The mouse reporting the app asked for, and its encoding.
    pub fn mouse(&self) -> (vt100::MouseProtocolMode, MouseEncoding) {
        let screen = self.parser.screen();
        (
            screen.mouse_protocol_mode(),
            self.modes().mouse_encoding(screen),
        )
    }

    /// Forgets the input modes an app left behind (a new run starts in this terminal).
    pub fn reset_modes(&mut self) {
        let hooks = self.parser.callbacks_mut();
        hooks.modes.reset();
        hooks.frozen = None;
        self.filter.reset_text_modes();
        self.changes.record(None);
    }

    /// The last clipboard write the app asked for, if it has not been taken yet.
    pub fn take_clipboard(&mut self) -> Option<ClipboardWrite> {
        self.parser.callbacks_mut().clipboard.take()
    }

    pub fn size(&self) -> Size {
        let (rows, cols) = self.parser.screen().size();
        Size {
            cols: cols.get(),
            rows: rows.get(),
        }
    }

    pub fn screen(&self) -> &vt100::Screen {
        self.parser.screen()
    }

    pub fn history(&self) -> &History {
        &self.parser.callbacks().history
    }

    pub fn title(&self) -> Option<&str> {
        self.parser.callbacks().title.as_deref()
    }

    /// Bells rung since the last call.
    pub fn take_bells(&mut self) -> u32 {
        std::mem::take(&mut self.parser.callbacks_mut().bells)
    }

    /// The modes that decide how keys are encoded for this app.
    pub fn key_modes(&self) -> KeyModes {
        let s = self.parser.screen();
        KeyModes {
            app_cursor: s.application_cursor(),
            app_keypad: s.application_keypad(),
            modify_other_keys: self.modes().modify_other_keys,
            kitty: self.modes().kitty_flags(s.alternate_screen()),
        }
    }

    /// The app wants focus-in and focus-out reports (DECSET 1004).
    pub fn focus_events(&self) -> bool {
        self.modes().focus_events
    }

    pub fn bracketed_paste(&self) -> bool {
        self.parser.screen().bracketed_paste()
    }

    /// The screen as text, one line per row; with `scrollback`, history rows first; with `ansi`,
    /// SGR codes are kept.
    pub fn capture(&self, ansi: bool, scrollback: bool) -> String {
        let mut out = String::new();
        if scrollback {
            let h = self.history();
            for i in 0..h.len() {
                if ansi {
                    out.push_str(h.row_formatted(i).unwrap_or_default());
                    out.push_str("\x1b[m\n");
                } else {
                    out.push_str(h.row_plain(i).unwrap_or_default().trim_end());
                    out.push('\n');
                }
            }
        }
        let screen = self.parser.screen();
        let (_, cols) = screen.size();
        if ansi {
            for row in 0..screen.size().0.get() {
                crate::pane::capture::formatted_row(screen, row, &mut out);
                out.push_str("\x1b[m\n");
            }
        } else {
            for row in screen.rows(0, cols.get()) {
                out.push_str(row.trim_end());
                out.push('\n');
            }
        }
        if out.contains(INVALID) {
            out = out.replace(INVALID, "\u{FFFD}");
        }
        if let (std::borrow::Cow::Owned(clean), _) = crate::pane::filter::unmarked(&out) {
            out = clean;
        }
        out
    }
}

fn new_parser(size: Size, hooks: Hooks) -> vt100::Parser<Hooks> {
    // vt100's own scrollback stays at zero; every scrolled row goes to `History`.
    vt100::Parser::new_with_callbacks(nz(size.rows), nz(size.cols), 0, hooks)
}

/// Hands `bytes` to the parser; a panic in it costs the screen (see [`rebuild`]) and returns
/// false.
fn process(parser: &mut vt100::Parser<Hooks>, bytes: &[u8]) -> bool {
    if catch_unwind(AssertUnwindSafe(|| parser.process(bytes))).is_err() {
        rebuild(parser);
        return false;
    }
    true
}

impl Terminal for vt100::Parser<Hooks> {
    fn screen(&self) -> &vt100::Screen {
        vt100::Parser::screen(self)
    }

    fn process(&mut self, bytes: &[u8]) {
        process(self, bytes);
    }
}

/// Replaces a parser that panicked with a fresh one of the same size, keeping its history and
/// title, and says so on the new screen.
fn rebuild(parser: &mut vt100::Parser<Hooks>) {
    let (rows, cols) = parser.screen().size();
    let old = parser.callbacks_mut();
    let mut hooks = Hooks::new(std::mem::replace(&mut old.history, History::new(0)));
    hooks.title = old.title.take();
    let size = Size {
        cols: cols.get(),
        rows: rows.get(),
    };
    *parser = new_parser(size, hooks);
    parser.process(RESET_NOTE.as_bytes());
    tracing::warn!("a pane's terminal was reset after a parser panic");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(cols: u16, rows: u16) -> Emulator {
        Emulator::new(Size { cols, rows }, 100)
    }

    #[test]
    fn answers_device_attributes_and_cursor_position() {
        let mut t = term(20, 5);
        assert_eq!(t.feed(b"\x1b[c"), DA1_REPLY);
        assert_eq!(t.feed(b"\x1b[>c"), DA2_REPLY);
        assert_eq!(t.feed(b"\x1b[5n"), b"\x1b[0n");
        assert_eq!(t.feed(b"ab\r\ncd\x1b[6n"), b"\x1b[2;3R");
        assert_eq!(t.feed(b"plain text"), b"");
    }

    #[test]
    fn scrolled_rows_go_to_history_and_capture() {
        let mut t = term(10, 3);
        for i in 0..6 {
            t.feed(format!("line{i}\r\n").as_bytes());
        }
        assert_eq!(t.history().len(), 4);
        assert_eq!(t.capture(false, false), "line4\nline5\n\n");
        assert_eq!(
            t.capture(false, true),
            "line0\nline1\nline2\nline3\nline4\nline5\n\n"
        );
    }

    #[test]
    fn history_is_bounded_and_ansi_capture_keeps_colours() {
        let mut t = Emulator::new(Size { cols: 10, rows: 2 }, 3);
        for i in 0..50 {
            t.feed(format!("\x1b[31mred{i}\x1b[m\r\n").as_bytes());
        }
        assert_eq!(t.history().len(), 3);
        let ansi = t.capture(true, true);
        assert!(ansi.contains("\x1b[31mred47"), "{ansi:?}");
    }

    #[test]
    fn alternate_screen_does_not_feed_history() {
        let mut t = term(10, 2);
        t.feed(b"\x1b[?1049h");
        for i in 0..10 {
            t.feed(format!("x{i}\r\n").as_bytes());
        }
        t.feed(b"\x1b[?1049l");
        assert_eq!(t.history().len(), 0);
    }

    #[test]
    fn modes_1047_and_1048_switch_screens_and_save_the_cursor() {
        let mut t = term(10, 3);
        t.feed(b"main\x1b[?1047h");
        assert!(t.screen().alternate_screen());
        t.feed(b"\x1b[Halt");
        assert_eq!(t.screen().contents(), "alt");
        // Leaving 1047 clears the alternate screen; the main one is as it was.
        t.feed(b"\x1b[?1047l");
        assert!(!t.screen().alternate_screen());
        assert_eq!(t.screen().contents(), "main");
        t.feed(b"\x1b[?47h");
        assert_eq!(t.screen().contents(), "");
        t.feed(b"\x1b[?47l");
        // 1048 saves and restores the cursor, also beside other modes in one sequence.
        t.feed(b"\x1b[2;3H\x1b[?1048;25h\x1b[3;5H");
        assert_eq!(t.screen().cursor_position(), (2, 4));
        t.feed(b"\x1b[?1048l");
        assert_eq!(t.screen().cursor_position(), (1, 2));
        assert_eq!(t.feed(b"\x1b[?1047$p"), b"\x1b[?1047;2$y");
    }

    #[test]
    fn answers_version_modes_sizes_and_kitty_queries() {
        let mut t = term(20, 5);
        let version = format!("\x1bP>|appmux {}\x1b\\", env!("CARGO_PKG_VERSION"));
        assert_eq!(t.feed(b"\x1b[>q"), version.as_bytes());
        assert_eq!(t.feed(b"\x1b[>0q"), version.as_bytes());
        // DECRQM: known modes report set (1) or reset (2), unknown ones 0.
        assert_eq!(t.feed(b"\x1b[?2004$p"), b"\x1b[?2004;2$y");
        assert_eq!(t.feed(b"\x1b[?2004h\x1b[?2004$p"), b"\x1b[?2004;1$y");
        assert_eq!(t.feed(b"\x1b[?25$p"), b"\x1b[?25;1$y");
        assert_eq!(t.feed(b"\x1b[?25l\x1b[?25$p"), b"\x1b[?25;2$y");
        assert_eq!(t.feed(b"\x1b[?1049h\x1b[?1049$p"), b"\x1b[?1049;1$y");
        assert_eq!(
            t.feed(b"\x1b[?1002h\x1b[?1006h\x1b[?1002$p\x1b[?1000$p\x1b[?1006$p"),
            b"\x1b[?1002;1$y\x1b[?1000;2$y\x1b[?1006;1$y"
        );
        assert_eq!(
            t.feed(b"\x1b[?1004h\x1b[?1015h\x1b[?1004$p\x1b[?1015$p"),
            b"\x1b[?1004;1$y\x1b[?1015;1$y"
        );
        assert_eq!(t.feed(b"\x1b[?2026$p"), b"\x1b[?2026;2$y");
        assert_eq!(
            t.feed(b"\x1b[?7$p\x1b[?12345$p"),
            b"\x1b[?7;1$y\x1b[?12345;0$y"
        );
        assert_eq!(t.feed(b"\x1b[4$p\x1b[3$p"), b"\x1b[4;2$y\x1b[3;0$y");
        assert_eq!(
            t.feed(b"\x1b[4h\x1b[?7l\x1b[4$p\x1b[?7$p\x1b[4l\x1b[?7h"),
            b"\x1b[4;1$y\x1b[?7;2$y"
        );
        assert!(t.focus_events());
        // XTWINOPS size reports; a resize request changes nothing.
        assert_eq!(t.feed(b"\x1b[18t"), b"\x1b[8;5;20t");
        assert_eq!(t.feed(b"\x1b[14t"), b"\x1b[4;80;160t");
        assert_eq!(t.feed(b"\x1b[16t"), b"\x1b[6;16;8t");
        assert_eq!(t.feed(b"\x1b[8;65535;65535t\x1b[3;10;10t"), b"");
        assert_eq!(t.size(), Size { cols: 20, rows: 5 });
        // Kitty keyboard flags: a stack per screen.
        assert_eq!(t.feed(b"\x1b[?u"), b"\x1b[?0u");
        assert_eq!(t.feed(b"\x1b[>1u\x1b[?u"), b"\x1b[?1u");
        assert_eq!(t.kitty_flags(), 1);
        assert_eq!(t.feed(b"\x1b[?1049l\x1b[?u"), b"\x1b[?0u");
        assert_eq!(
            t.feed(b"\x1b[=5;1u\x1b[?u\x1b[<u\x1b[?u"),
            b"\x1b[?5u\x1b[?0u"
        );
        // modifyOtherKeys.
        t.feed(b"\x1b[>4;2m");
        assert_eq!(t.modes().modify_other_keys, 2);
        t.feed(b"\x1b[>4m");
        assert_eq!(t.modes().modify_other_keys, 0);
        // RIS resets what vt100 does not know about.
        t.feed(b"\x1b[>1u\x1bc");
        assert_eq!(t.kitty_flags(), 0);
        assert!(!t.focus_events());
    }

    #[test]
    fn colour_queries_use_the_palette_and_the_apps_terminator() {
        let mut t = term(20, 5);
        assert_eq!(t.feed(b"\x1b]11;?\x07"), b"\x1b]11;rgb:0000/0000/0000\x07");
        assert_eq!(
            t.feed(b"\x1b]10;?\x1b\\"),
            b"\x1b]10;rgb:e5e5/e5e5/e5e5\x1b\\"
        );
        t.set_palette(Palette {
            fg: (1, 2, 3),
            bg: (0xff, 0xfe, 0x80),
            cursor: (0x10, 0x20, 0x30),
        });
        // The order of replies follows the order of queries (vim asks OSC 11 then DA1).
        let mut want = b"\x1b]11;rgb:ffff/fefe/8080\x1b\\".to_vec();
        want.extend_from_slice(DA1_REPLY);
        want.extend_from_slice(b"\x1b]12;rgb:1010/2020/3030\x07");
        assert_eq!(t.feed(b"\x1b]11;?\x1b\\\x1b[c\x1b]12;?\x07"), want);
        // Setting a colour is not answered.
        assert_eq!(t.feed(b"\x1b]11;#000000\x07"), b"");
    }

    #[test]
    fn line_drawing_and_invalid_utf8_on_screen() {
        let mut t = term(20, 3);
        t.feed(b"\x1b(0lqk\r\nx x\r\nmqj\x1b(B q");
        assert_eq!(t.capture(false, false), "┌─┐\n│ │\n└─┘ q\n");
        let mut t = term(20, 2);
        t.feed(b"a\xffb");
        assert_eq!(t.capture(false, false), "a\u{FFFD}b\n\n");
    }

    #[test]
    fn synchronized_output_holds_the_previous_frame() {
        let mut t = term(20, 3);
        t.feed(b"before");
        t.feed(b"\x1b[?2026h\x1b[2J\x1b[Hhalf");
        assert!(t.in_sync());
        assert!(t.display_screen().contents().starts_with("before"));
        assert_eq!(t.screen().contents(), "half");
        t.feed(b" done\x1b[?2026l");
        assert!(!t.in_sync());
        assert_eq!(t.display_screen().contents(), "half done");
        // An update never ended stops holding the display after the timeout.
        t.feed(b"\x1b[?2026hmore");
        let deadline = t.sync_deadline().unwrap();
        assert!(!t.expire_sync(deadline - Duration::from_millis(1)));
        assert!(t.expire_sync(deadline));
        assert_eq!(t.display_screen().contents(), "half donemore");
    }

    #[test]
    fn clipboard_writes_are_kept_and_reads_are_not_answered() {
        let mut t = term(20, 3);
        assert_eq!(t.feed(b"\x1b]52;c;?\x07"), b"");
        assert_eq!(t.take_clipboard(), None);
        t.feed(b"\x1b]52;c;aGk=\x07");
        assert_eq!(
            t.take_clipboard(),
            Some(ClipboardWrite {
                selection: b"c".to_vec(),
                data: b"aGk=".to_vec()
            })
        );
        assert_eq!(t.take_clipboard(), None);
    }

    #[test]
    fn escape_bombs_stay_bounded() {
        let mut t = term(80, 24);
        // REP is clamped to the line; a huge count costs no more than a line.
        t.feed(b"x\x1b[1000000000b");
        assert_eq!(t.screen().cursor_position(), (1, 1));
        // Thousands of parameters.
        let mut csi = b"\x1b[".to_vec();
        for _ in 0..10_000 {
            csi.extend_from_slice(b"1;");
        }
        csi.push(b'm');
        t.feed(&csi);
        // An unterminated OSC swallows what follows, up to its bound, then output prints again.
        t.feed(b"\x1b]0;");
        for _ in 0..(OSC_MAX / 4096 + 2) {
            t.feed(&[b'y'; 4096]);
        }
        t.feed(b"\x07\x1b[2J\x1b[Hvisible");
        assert!(t.screen().contents().starts_with("visible"));
    }

    #[test]
    fn a_parser_panic_resets_only_the_screen() {
        let mut t = term(60, 4);
        for i in 0..6 {
            t.feed(format!("line{i}\r\n").as_bytes());
        }
        let history = t.history().len();
        t.feed(b"\x1b]2;kept\x07");
        t.feed(b"before\x1b]appmux-test-panic\x07after");
        assert_eq!(t.history().len(), history);
        assert_eq!(t.title(), Some("kept"));
        let screen = t.capture(false, false);
        assert!(
            screen.contains("terminal reset after an internal error"),
            "{screen}"
        );
        assert_eq!(t.size(), Size { cols: 60, rows: 4 });
        // And it goes on working.
        assert_eq!(t.feed(b"\x1b[c"), DA1_REPLY);
        t.feed(b"next");
        assert!(t.capture(false, false).contains("next"));
    }

    #[test]
    fn hyperlinks_are_stripped_cleanly() {
        let mut t = term(30, 2);
        t.feed(b"see \x1b]8;id=1;https://example.com/\x1b\\the link\x1b]8;;\x1b\\ here");
        assert_eq!(t.capture(false, false), "see the link here\n\n");
        t.feed(b"\r\n\x1b]8;;http://x\x07bel\x1b]8;;\x07!");
        assert_eq!(t.capture(false, false), "see the link here\nbel!\n");
    }

    #[test]
    fn titles_are_sanitized() {
        let mut t = term(10, 2);
        t.feed(b"\x1b]2;hello\x07world\x1b\\");
        assert_eq!(t.title(), Some("hello"));
    }
}
