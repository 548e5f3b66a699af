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
use crate::target::Line;

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
            Piece::Link(link) => {
                layer.set_link(link.map(|l| crate::pane::hyperlink::links().intern(l)));
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
        self.layer.set_link(None);
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
        self.capture_lines(ansi, scrollback.then_some(Line::Edge), None)
    }

    /// The lines from `start` to `end` (tmux's `capture-pane -S/-E`, see
    /// [`crate::target::line_span`]), one per row; with `ansi`, SGR codes are kept.
    pub fn capture_lines(&self, ansi: bool, start: Option<Line>, end: Option<Line>) -> String {
        let h = self.history();
        let screen = self.parser.screen();
        let (rows, cols) = screen.size();
        let (top, bottom) = crate::target::line_span(start, end, h.len(), rows.get().into());
        let mut out = String::new();
        let mut push = |row: &str| {
            if ansi {
                out.push_str(row);
                out.push_str("\x1b[m\n");
            } else {
                out.push_str(row.trim_end());
                out.push('\n');
            }
        };
        for i in top..h.len().min(bottom + 1) {
            if ansi {
                push(&h.row_formatted(i).unwrap_or_default());
            } else {
                push(&h.row_plain(i).unwrap_or_default());
            }
        }
        if bottom >= h.len() {
            let first = top.saturating_sub(h.len());
            let count = bottom - h.len() + 1 - first;
            if ansi {
                let mut row = String::new();
                for r in (first..first + count).filter_map(|r| u16::try_from(r).ok()) {
                    row.clear();
                    crate::pane::capture::formatted_row(screen, r, &mut row);
                    push(&row);
                }
            } else {
                for row in screen.rows(0, cols.get()).skip(first).take(count) {
                    push(&row);
                }
            }
        }
        plain(out)
    }
}

impl Emulator {
    /// Every line the pane holds, history first, then the screen's rows, as plain text with
    /// trailing blanks trimmed: what copy mode walks and searches.
    pub fn plain_lines(&self) -> Vec<String> {
        let h = self.history();
        let screen = self.parser.screen();
        let (_, cols) = screen.size();
        let line = |l: &str| plain(l.trim_end().to_owned());
        (0..h.len())
            .filter_map(|i| h.row_plain(i))
            .map(|l| line(&l))
            .chain(screen.rows(0, cols.get()).map(|r| line(&r)))
            .collect()
    }
}

/// Text read out of a pane as it is shown: the filter's stand-in for invalid UTF-8 becomes
/// U+FFFD, and the marks the layer keeps on cells (blink, protection, VS16, hyperlinks) go.
pub fn plain(mut text: String) -> String {
    if text.contains(INVALID) {
        text = text.replace(INVALID, "\u{FFFD}");
    }
    if let (std::borrow::Cow::Owned(clean), _) = crate::pane::filter::unmarked(&text) {
        text = clean;
    }
    match crate::pane::hyperlink::strip(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(stripped) => stripped,
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
mod tests;
