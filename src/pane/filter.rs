//! The byte filter in front of the vt100 parser: it fixes what vt100 gets wrong or leaves
//! unbounded, as a small streaming state machine that follows the same escape-sequence grammar
//! as the parser (ECMA-48 as `vte` implements it), so its view of "is this byte printed?"
//! always matches the parser's.
//!
//! It owns these jobs and nothing else:
//! - DEC special graphics: `ESC ( 0` / `ESC ) 0` designations and SO/SI shifts are tracked, and
//!   printed bytes in the line-drawing range become the Unicode box-drawing characters that
//!   vt100 would otherwise show as `q`, `x`, `l` ...
//! - invalid UTF-8 becomes [`INVALID`], which vt100 prints (it silently drops U+FFFD); the
//!   renderer and `capture` show it as U+FFFD; VS16 becomes [`VS16_MARK`] unless wide VS16 is
//!   asked for, so that widths agree with the C library's; the layer's marks are dropped;
//! - OSC strings are bounded at [`OSC_MAX`] bytes (vte would buffer an unterminated one
//!   forever), and OSC 10/11/12 colour queries are reported with their terminator, which the
//!   parser's callbacks do not see;
//! - REP (`CSI n b`) counts are clamped so one short sequence cannot make the parser print
//!   millions of characters;
//! - DEC modes 1047 and 1048, which vt100 ignores, become the mode 47, erase and cursor
//!   save/restore sequences that it carries out (`csi`);
//! - sequences vt100 ignores or gets wrong are rewritten into ones it carries out (IND, NEL,
//!   ICH with the current background) or, when carrying them out needs the screen, reported
//!   as [`Act`]s in their place in the stream (tab stops and tab movements, DECALN, the
//!   cursor saves whose attributes vt100 keeps only once); text printed in insert mode or with
//!   auto-wrap off is handed out as [`Piece::Text`], for the emulator to print a character at
//!   a time;
//! - OSC 8 hyperlinks are reported as [`Piece::Link`], and text printed inside one is handed
//!   out as [`Piece::Text`] too, for the emulator to mark (`crate::pane::hyperlink`).
//!
//! Output is handed to a sink as pieces, in order: unchanged input is passed through as slices
//! of the input (the common case costs one scan and no copy), changed stretches go through a
//! reused scratch buffer, and queries arrive between the bytes before and after them so that
//! replies keep the order of the queries.

use crate::pane::hyperlink::{Link, MAX_URI};

/// What vt100 is given in place of an invalid UTF-8 sequence: it refuses to print U+FFFD itself.
pub const INVALID: char = '\u{FFFC}';
const INVALID_UTF8: &[u8] = "\u{FFFC}".as_bytes();

/// Appended by the layer to a cell printed with blink on, which vt100 does not keep: a
/// deprecated tag character, zero columns wide, that the filter drops from what apps print.
pub const BLINK_MARK: char = '\u{E0001}';
/// Appended by the layer to a cell printed protected (DECSCA 1), like [`BLINK_MARK`].
pub const PROTECT_MARK: char = '\u{E0002}';
/// What the filter prints in place of U+FE0F (VS16, emoji presentation) unless wide VS16 is
/// asked for: vt100 makes a cell wide when VS16 is appended to a narrow character, where the C
/// library's `wcwidth`, which the programs inside use, counts the character alone and VS16 as
/// nothing. Shown and captured as U+FE0F again.
pub const VS16_MARK: char = '\u{E0003}';
const VS16: &[u8] = "\u{FE0F}".as_bytes();
/// The first byte of the marks in UTF-8 (and of every tag character).
const MARK_LEAD: u8 = 0xf3;

/// A cell's text without the layer's marks, and whether it had each.
pub fn unmarked(contents: &str) -> (std::borrow::Cow<'_, str>, Marks) {
    if !contents.as_bytes().contains(&MARK_LEAD) {
        return (contents.into(), Marks::default());
    }
    let marks = Marks {
        blink: contents.contains(BLINK_MARK),
        protect: contents.contains(PROTECT_MARK),
    };
    let vs16 = contents.contains(VS16_MARK);
    if marks == Marks::default() && !vs16 {
        return (contents.into(), marks);
    }
    let mut text = contents.replace([BLINK_MARK, PROTECT_MARK], "");
    if vs16 {
        text = text.replace(VS16_MARK, "\u{FE0F}");
    }
    (text.into(), marks)
}

/// Whether the UTF-8 character `c` is one of the layer's marks, or the lead of a hyperlink
/// marker (`crate::pane::hyperlink`): U+E0001 to U+E0006, which apps may not print (they are
/// deprecated or unassigned tag characters), so that no app can forge one.
fn is_mark(c: &[u8]) -> bool {
    c.first() == Some(&MARK_LEAD)
        && std::str::from_utf8(c)
            .ok()
            .and_then(|s| s.chars().next())
            .is_some_and(|c| ('\u{E0001}'..='\u{E0006}').contains(&c))
}

/// The longest OSC string passed on; the rest of a longer one is dropped.
pub const OSC_MAX: usize = 1 << 20;

const ESC: u8 = 0x1b;
const HT: u8 = 0x09;
const BEL: u8 = 0x07;
const SO: u8 = 0x0e;
const SI: u8 = 0x0f;
const CAN: u8 = 0x18;
const SUB: u8 = 0x1a;

/// A piece of the filtered stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Bytes for the parser.
    Bytes(&'a [u8]),
    /// An OSC 10/11/12 colour query (`OSC 1x ; ? ST`) just ended; answer it now.
    ColorQuery { which: u8, bel: bool },
    /// RIS (`ESC c`) just reset the terminal; reset what vt100 does not know about too.
    Reset,
    /// An OSC 8 hyperlink began (`Some`) or ended (`None`, also for an invalid one, which
    /// shows as plain text).
    Link(Option<crate::pane::hyperlink::Link>),
    /// Printed text (with the C0 controls among it) while insert mode is on, auto-wrap off,
    /// blink on, protection on (DECSCA) or a hyperlink open, which vt100 does not carry out.
    Text {
        text: &'a [u8],
        insert: bool,
        wrap: bool,
        marks: Marks,
    },
    /// A sequence that needs the screen to be carried out, just after its bytes.
    Act(Act),
}

/// What the emulator carries out itself, knowing the screen: the filter knows only the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// HT (once) or CHT: forward to the next tab stop, this many times.
    Tab(u16),
    /// CBT: back to the previous tab stop, this many times.
    BackTab(u16),
    /// HTS: a tab stop at the cursor's column.
    SetTab,
    /// TBC 0: no tab stop at the cursor's column.
    ClearTab,
    /// TBC 3: no tab stops at all.
    ClearTabs,
    /// DECALN: the screen filled with `E`.
    Align,
    /// DECSC (or DECSET 1048) saved the cursor of the screen in use.
    SaveCursor,
    /// DECRC (or DECRST 1048) restored the cursor of the screen in use.
    RestoreCursor,
    /// DECSET 1049 saved the main screen's cursor and went to the alternate screen.
    EnterAlternate,
    /// DECRST 1049 went back to the main screen and restored its cursor.
    LeaveAlternate,
    /// DECSED (`line` false) or DECSEL (`line` true) with this mode (0 to 2): erase what is
    /// not protected. `origin` says whether origin mode is on.
    SelectiveErase { line: bool, mode: u8, origin: bool },
    /// DECSTR: the modes back to their defaults, the screen kept.
    SoftReset,
    /// DECCOLM (DECSET or DECRST 3): the width stays the pane's, but the screen is cleared,
    /// the margins reset and the cursor homed, as a VT100 and tmux do.
    ColumnMode,
}

/// The attributes of printed text that vt100 does not keep, which the layer marks cells with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Marks {
    /// SGR 5 or 6.
    pub blink: bool,
    /// DECSCA 1: selective erase spares the cell.
    pub protect: bool,
}

/// A character set that can be designated into G0 or G1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Charset {
    #[default]
    Ascii,
    /// DEC special graphics (line drawing).
    Graphics,
    /// The British set: `#` is a pound sign.
    Uk,
}

impl Charset {
    fn from_final(b: u8) -> Self {
        match b {
            b'0' => Charset::Graphics,
            b'A' => Charset::Uk,
            _ => Charset::Ascii,
        }
    }

    /// The replacement for printed byte `b` in this set, if it changes.
    fn map(self, b: u8) -> Option<&'static str> {
        match self {
            Charset::Ascii => None,
            Charset::Uk => (b == b'#').then_some("£"),
            Charset::Graphics => match b {
                0x5f..=0x7e => Some(DEC_GRAPHICS[usize::from(b - 0x5f)]),
                _ => None,
            },
        }
    }
}

/// DEC special graphics for `_` (0x5f) to `~` (0x7e), as xterm draws them.
const DEC_GRAPHICS: [&str; 32] = [
    " ", "◆", "▒", "␉", "␌", "␍", "␊", "°", "±", "␤", "␋", "┘", "┐", "┌", "└", "┼", "⎺", "⎻", "─",
    "⎼", "⎽", "├", "┤", "┴", "┬", "│", "≤", "≥", "π", "≠", "£", "·",
];

/// Where in the escape-sequence grammar the stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    #[default]
    Ground,
    Escape,
    /// `ESC` and an intermediate byte; the second is noted so that only a plain
    /// `ESC ( F` designates.
    EscIntermediate {
        first: u8,
        more: bool,
    },
    /// A CSI sequence: `start` is where its ESC is in the current input, if it began in it;
    /// its parameters begin at `body` (0 when they began in an earlier read).
    Csi {
        start: Option<usize>,
        body: usize,
    },
    /// An OSC string of `len` bytes so far; its first bytes are kept to recognise queries.
    Osc {
        len: usize,
    },
    /// The rest of an over-long OSC string, dropped up to its end.
    OscSkip,
    /// DCS, SOS, PM or APC: nothing in it is printed. `dcs` strings also end at 0x9c, as in vte.
    Str {
        dcs: bool,
    },
}

/// The filter's state between reads.
#[derive(Debug, Default)]
pub struct Filter {
    state: State,
    /// G0 and G1.
    sets: [Charset; 2],
    /// SO is in effect: G1 is used for printing.
    shifted: bool,
    /// Charsets, marks and origin mode saved with the cursor (DECSC), restored by DECRC.
    saved: Option<Saved>,
    /// The first bytes of the OSC string in progress.
    osc_head: [u8; 8],
    /// The parameter bytes of a CSI sequence that earlier reads ended in the middle of, up to
    /// 32 (a longer one counts as unknown: `u8::MAX`).
    csi_carry: ([u8; 32], u8),
    /// The start of a UTF-8 character that the previous read cut short.
    partial: ([u8; 4], u8),
    /// Insert mode (IRM) is on.
    insert: bool,
    /// Auto-wrap (DECAWM) is off.
    no_wrap: bool,
    /// An OSC 8 hyperlink is open: printed text is handed out for the emulator to mark.
    link: bool,
    /// The body of the OSC 8 string in progress, after `8;`, up to just past
    /// [`crate::pane::hyperlink::MAX_URI`] bytes (a longer one is refused).
    osc8: Vec<u8>,
    /// Blink and protection for the text that follows.
    marks: Marks,
    /// Origin mode (DECOM) is on.
    origin: bool,
    /// VS16 is passed on as it is, for vt100 to widen the cell before it.
    vs16_wide: bool,
    /// The largest REP count let through in the current read.
    rep_max: u16,
    scratch: Vec<u8>,
}

/// What DECSC saves beyond vt100's cursor: G0 and G1, the shift, the marks and origin mode.
#[derive(Debug, Clone, Copy)]
struct Saved {
    sets: [Charset; 2],
    shifted: bool,
    marks: Marks,
    origin: bool,
}

/// Collects output pieces: runs of unchanged input are handed out as slices, changes are
/// assembled in the scratch buffer.
struct Out<'a, F: FnMut(Piece<'_>)> {
    input: &'a [u8],
    /// Input before this index has been handed out or copied to the scratch buffer.
    start: usize,
    scratch: &'a mut Vec<u8>,
    sink: F,
}

impl<F: FnMut(Piece<'_>)> Out<'_, F> {
    /// Replaces `len` input bytes at `at` with `with`.
    fn replace(&mut self, at: usize, len: usize, with: &[u8]) {
        self.scratch.extend_from_slice(&self.input[self.start..at]);
        self.scratch.extend_from_slice(with);
        self.start = at + len;
    }

    /// Hands out everything up to `end`.
    fn flush(&mut self, end: usize) {
        if self.scratch.is_empty() {
            if end > self.start {
                (self.sink)(Piece::Bytes(&self.input[self.start..end]));
            }
        } else {
            self.scratch.extend_from_slice(&self.input[self.start..end]);
            (self.sink)(Piece::Bytes(&self.scratch[..]));
            self.scratch.clear();
        }
        self.start = end;
    }

    /// Hands out everything up to `end`, then `piece`.
    fn piece(&mut self, end: usize, piece: Piece<'_>) {
        self.flush(end);
        (self.sink)(piece);
    }

    /// Hands out everything up to `end` as printed text.
    fn text(&mut self, end: usize, (insert, wrap, marks): (bool, bool, Marks)) {
        let text = if self.scratch.is_empty() {
            &self.input[self.start..end]
        } else {
            self.scratch.extend_from_slice(&self.input[self.start..end]);
            &self.scratch[..]
        };
        if !text.is_empty() {
            (self.sink)(Piece::Text {
                text,
                insert,
                wrap,
                marks,
            });
        }
        self.scratch.clear();
        self.start = end;
    }
}

impl Filter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Filters one read of app output; `rep_max` is the largest REP count let through (the
    /// screen's width: REP repeats within a line in every real use).
    pub fn run(&mut self, input: &[u8], rep_max: u16, sink: impl FnMut(Piece<'_>)) {
        self.rep_max = rep_max;
        if let State::Csi { start, body } = &mut self.state {
            // It began in an earlier read.
            *start = None;
            *body = 0;
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        let mut out = Out {
            input,
            start: 0,
            scratch: &mut scratch,
            sink,
        };
        let mut pos = self.finish_partial(&mut out);
        while pos < input.len() {
            pos = match self.state {
                State::Ground => self.ground(&mut out, pos),
                State::Csi { .. } => self.csi(&mut out, pos),
                _ => {
                    self.sequence_byte(&mut out, pos);
                    pos + 1
                }
            };
        }
        out.flush(input.len());
        self.scratch = scratch;
    }

    /// Whether U+FE0F makes a narrow character before it wide (see [`VS16_MARK`]).
    pub fn set_vs16_wide(&mut self, wide: bool) {
        self.vs16_wide = wide;
    }

    /// Between escape sequences and characters: the next byte starts something new.
    pub fn between_sequences(&self) -> bool {
        self.state == State::Ground && self.partial.1 == 0
    }

    /// Forgets insert mode, auto-wrap off, the marks and origin mode (a new run of the app
    /// starts in the terminal).
    pub fn reset_text_modes(&mut self) {
        self.insert = false;
        self.no_wrap = false;
        self.link = false;
        self.marks = Marks::default();
        self.origin = false;
    }

    /// Whether printed text must be handed out as [`Piece::Text`].
    fn text_mode(&self) -> bool {
        self.insert || self.no_wrap || self.link || self.marks != Marks::default()
    }

    /// How printed text is to be handed out in text mode.
    fn text_modes(&self) -> (bool, bool, Marks) {
        (self.insert, !self.no_wrap, self.marks)
    }

    /// DECSC: what the cursor save keeps beyond vt100's.
    fn save(&mut self) {
        self.saved = Some(Saved {
            sets: self.sets,
            shifted: self.shifted,
            marks: self.marks,
            origin: self.origin,
        });
    }

    /// DECRC: what [`Self::save`] kept, if anything was.
    fn restore(&mut self) {
        if let Some(saved) = self.saved {
            self.sets = saved.sets;
            self.shifted = saved.shifted;
            self.marks = saved.marks;
            self.origin = saved.origin;
        }
    }

    /// DECSTR as xterm does it, for what the filter tracks: insert mode off, auto-wrap on,
    /// no marks, origin mode off, ASCII charsets, the saved cursor forgotten.
    fn soft_reset(&mut self) {
        self.reset_text_modes();
        self.sets = [Charset::Ascii; 2];
        self.shifted = false;
        self.saved = None;
    }

    /// The charset printed bytes are drawn from.
    fn active(&self) -> Charset {
        self.sets[usize::from(self.shifted)]
    }

    /// Completes a UTF-8 character the previous read cut short; returns where to go on.
    fn finish_partial<F: FnMut(Piece<'_>)>(&mut self, out: &mut Out<'_, F>) -> usize {
        let (bytes, len) = self.partial;
        let len = usize::from(len);
        if len == 0 {
            return 0;
        }
        let input = out.input;
        let width = utf8_width(bytes[0]);
        let take = (width - len).min(input.len());
        let mut buf = [0u8; 4];
        buf[..len].copy_from_slice(&bytes[..len]);
        buf[len..len + take].copy_from_slice(&input[..take]);
        match first_char(&buf[..len + take]) {
            Utf8::Valid(n) => {
                self.partial = ([0; 4], 0);
                let c = &buf[..n];
                if !self.vs16_wide && c == VS16 {
                    out.scratch
                        .extend_from_slice(VS16_MARK.encode_utf8(&mut [0; 4]).as_bytes());
                } else if !is_mark(c) {
                    out.scratch.extend_from_slice(c);
                }
                out.start = n - len;
                self.finish_text(out, n - len)
            }
            Utf8::Invalid(n) => {
                self.partial = ([0; 4], 0);
                out.scratch.extend_from_slice(INVALID_UTF8);
                let used = n.saturating_sub(len);
                out.start = used;
                self.finish_text(out, used)
            }
            Utf8::Incomplete => {
                self.partial.0[len..len + take].copy_from_slice(&input[..take]);
                self.partial.1 = (len + take) as u8;
                out.start = take;
                take
            }
        }
    }

    /// Hands out a completed character as text in text mode; returns `end`.
    fn finish_text<F: FnMut(Piece<'_>)>(&self, out: &mut Out<'_, F>, end: usize) -> usize {
        if self.text_mode() {
            out.text(end, self.text_modes());
        }
        end
    }

    /// Printed text up to the next byte that changes state; returns where that byte is.
    fn ground<F: FnMut(Piece<'_>)>(&mut self, out: &mut Out<'_, F>, pos: usize) -> usize {
        let input = out.input;
        let end = memchr::memchr3(ESC, SO, SI, &input[pos..]).map_or(input.len(), |n| pos + n);
        // HT goes to the emulator's tab stops, which vt100 does not have.
        if let Some(n) = memchr::memchr(HT, &input[pos..end]) {
            let tab = pos + n;
            self.text(out, pos, tab);
            out.piece(tab, Piece::Act(Act::Tab(1)));
            out.start = tab + 1;
            return tab + 1;
        }
        self.text(out, pos, end);
        match input.get(end) {
            // CSI, by far the most common sequence, goes straight to its loop.
            Some(&ESC) if input.get(end + 1) == Some(&b'[') => {
                self.state = State::Csi {
                    start: Some(end),
                    body: end + 2,
                };
                self.csi_carry.1 = 0;
                return end + 2;
            }
            Some(&ESC) => self.state = State::Escape,
            Some(&SO) => self.shifted = true,
            Some(&SI) => self.shifted = false,
            _ => return end,
        }
        end + 1
    }

    /// Printed text from `pos` to `end`: passed on as it is, changed where it must be, and
    /// handed out as [`Piece::Text`] in text mode.
    fn text<F: FnMut(Piece<'_>)>(&mut self, out: &mut Out<'_, F>, pos: usize, end: usize) {
        let text_mode = self.text_mode();
        if text_mode {
            out.flush(pos);
        }
        let set = self.active();
        let bytes = &out.input[pos..end];
        if set != Charset::Ascii
            || !bytes.is_ascii() && (std::str::from_utf8(bytes).is_err() || self.needs_marks(bytes))
        {
            self.slow_text(out, pos, end, set);
        }
        if text_mode {
            out.text(end, self.text_modes());
        }
    }

    /// Whether valid UTF-8 `text` holds a character the filter changes: a mark (or any tag
    /// character, whose lead byte they share, for [`Self::slow_text`] to tell apart) or VS16,
    /// unless wide VS16 is asked for. One scan for both lead bytes.
    fn needs_marks(&self, text: &[u8]) -> bool {
        if self.vs16_wide {
            return memchr::memchr(MARK_LEAD, text).is_some();
        }
        memchr::memchr2_iter(MARK_LEAD, VS16[0], text)
            .any(|n| text[n] == MARK_LEAD || text[n..].starts_with(VS16))
    }

    /// Text that needs changes: translated line drawing, invalid UTF-8, a character cut short
    /// at the end of the read.
    fn slow_text<F: FnMut(Piece<'_>)>(
        &mut self,
        out: &mut Out<'_, F>,
        mut at: usize,
        end: usize,
        set: Charset,
    ) {
        let input = out.input;
        while at < end {
            let b = input[at];
            if b < 0x80 {
                if let Some(glyph) = set.map(b) {
                    out.replace(at, 1, glyph.as_bytes());
                }
                at += 1;
                continue;
            }
            match first_char(&input[at..end]) {
                Utf8::Valid(n) => {
                    // The layer's marks mean something else here: an app's are dropped.
                    let c = &input[at..at + n];
                    if !self.vs16_wide && c == VS16 {
                        out.replace(at, n, VS16_MARK.encode_utf8(&mut [0; 4]).as_bytes());
                    } else if is_mark(c) {
                        out.replace(at, n, b"");
                    }
                    at += n;
                }
                Utf8::Invalid(n) => {
                    out.replace(at, n, INVALID_UTF8);
                    at += n;
                }
                Utf8::Incomplete if end == input.len() => {
                    // Kept until the next read says whether the character is whole.
                    let len = end - at;
                    self.partial.0[..len].copy_from_slice(&input[at..end]);
                    self.partial.1 = len as u8;
                    out.replace(at, len, b"");
                    at = end;
                }
                Utf8::Incomplete => {
                    // An escape sequence interrupts the character.
                    out.replace(at, end - at, INVALID_UTF8);
                    at = end;
                }
            }
        }
    }

    /// One byte inside an escape sequence or string.
    fn sequence_byte<F: FnMut(Piece<'_>)>(&mut self, out: &mut Out<'_, F>, at: usize) {
        let b = out.input[at];
        match self.state {
            // Text and CSI sequences are taken a run at a time by `run`.
            State::Ground | State::Csi { .. } => {}
            State::Escape => {
                self.escape_byte(b, at);
                self.escape_final(out, b, at);
            }
            State::EscIntermediate { first, more } => match b {
                0x20..=0x2f => {
                    self.state = State::EscIntermediate { first, more: true };
                }
                0x30..=0x7e => {
                    match first {
                        b'(' if !more => self.sets[0] = Charset::from_final(b),
                        b')' if !more => self.sets[1] = Charset::from_final(b),
                        b'#' if !more && b == b'8' => out.piece(at + 1, Piece::Act(Act::Align)),
                        _ => {}
                    }
                    self.state = State::Ground;
                }
                _ => self.control(b),
            },
            State::Osc { len } => self.osc_byte(out, at, len),
            State::OscSkip => match b {
                BEL => {
                    out.replace(at, 1, b"");
                    self.state = State::Ground;
                }
                ESC => self.state = State::Escape,
                CAN | SUB => self.state = State::Ground,
                _ => out.replace(at, 1, b""),
            },
            State::Str { dcs } => match b {
                ESC => self.state = State::Escape,
                CAN | SUB => self.state = State::Ground,
                0x9c if dcs => self.state = State::Ground,
                _ => {}
            },
        }
    }

    /// What an escape sequence's final byte `b` at `at` needs beyond vt100: IND and NEL, which
    /// it ignores, gain the line feed (and carriage return) they amount to; the rest are
    /// reported after the sequence.
    fn escape_final<F: FnMut(Piece<'_>)>(&mut self, out: &mut Out<'_, F>, b: u8, at: usize) {
        match b {
            b'c' => {
                self.reset_text_modes();
                out.piece(at + 1, Piece::Reset);
            }
            b'D' => out.replace(at, 1, b"D\n"),
            b'E' => out.replace(at, 1, b"E\r\n"),
            b'H' => out.piece(at + 1, Piece::Act(Act::SetTab)),
            b'7' => out.piece(at + 1, Piece::Act(Act::SaveCursor)),
            b'8' => out.piece(at + 1, Piece::Act(Act::RestoreCursor)),
            _ => {}
        }
    }

    /// C0 controls act inside escape and control sequences too; CAN and SUB cancel them.
    fn control(&mut self, b: u8) {
        match b {
            ESC => self.state = State::Escape,
            CAN | SUB => self.state = State::Ground,
            SO => self.shifted = true,
            SI => self.shifted = false,
            _ => {}
        }
    }

    fn escape_byte(&mut self, b: u8, at: usize) {
        self.state = State::Ground;
        match b {
            0x20..=0x2f => {
                self.state = State::EscIntermediate {
                    first: b,
                    more: false,
                }
            }
            b'[' => {
                self.state = State::Csi {
                    // The ESC is the byte before, when it was in this read.
                    start: at.checked_sub(1),
                    body: at + 1,
                };
                self.csi_carry.1 = 0;
            }
            b']' => {
                self.osc_head = [0; 8];
                self.state = State::Osc { len: 0 };
                self.osc8.clear();
            }
            b'P' => self.state = State::Str { dcs: true },
            b'X' | b'^' | b'_' => self.state = State::Str { dcs: false },
            b'c' => {
                self.sets = [Charset::Ascii; 2];
                self.shifted = false;
                self.saved = None;
            }
            b'7' => self.save(),
            b'8' => self.restore(),
            0x30..=0x7e => {}
            // Other bytes leave the escape pending, as in vte.
            _ => {
                self.state = State::Escape;
                self.control(b);
            }
        }
    }

    fn osc_byte<F: FnMut(Piece<'_>)>(&mut self, out: &mut Out<'_, F>, at: usize, len: usize) {
        let b = out.input[at];
        let end = match b {
            BEL => Some(true),
            ESC => Some(false),
            CAN | SUB => {
                self.state = State::Ground;
                return;
            }
            0x00..=0x1f => return,
            _ => None,
        };
        let Some(bel) = end else {
            if len < self.osc_head.len() {
                self.osc_head[len] = b;
            }
            if len >= 2 && self.osc_head[..2] == *b"8;" && self.osc8.len() <= MAX_URI {
                self.osc8.push(b);
            }
            if len + 1 >= OSC_MAX {
                // End it here (vte then hands over the truncated string) and drop the rest.
                out.replace(at, 1, &[b, BEL]);
                self.state = State::OscSkip;
            } else {
                self.state = State::Osc { len: len + 1 };
            }
            return;
        };
        self.state = if bel { State::Ground } else { State::Escape };
        if len >= 2 && self.osc_head[..2] == *b"8;" {
            let link = Link::parse(&self.osc8);
            self.link = link.is_some();
            out.piece(at + 1, Piece::Link(link));
            return;
        }
        let which = match &self.osc_head[..len.min(8)] {
            b"10;?" => 10,
            b"11;?" => 11,
            b"12;?" => 12,
            _ => return,
        };
        out.piece(at + 1, Piece::ColorQuery { which, bel });
    }
}

/// The length of the UTF-8 character a lead byte starts (1 for bytes that cannot start one).
fn utf8_width(lead: u8) -> usize {
    match lead {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => 1,
    }
}

enum Utf8 {
    /// A whole character of this many bytes.
    Valid(usize),
    /// This many bytes are one invalid sequence (as `String::from_utf8_lossy` counts them).
    Invalid(usize),
    /// Valid so far, but cut short.
    Incomplete,
}

/// Classifies the UTF-8 character at the start of `buf` (which is not empty).
fn first_char(buf: &[u8]) -> Utf8 {
    let width = utf8_width(buf[0]);
    let candidate = &buf[..width.min(buf.len())];
    match std::str::from_utf8(candidate) {
        Ok(_) if candidate.len() == width => Utf8::Valid(width),
        Ok(_) => Utf8::Incomplete,
        Err(e) => match e.error_len() {
            Some(n) => Utf8::Invalid(n),
            None => Utf8::Incomplete,
        },
    }
}

mod csi;
#[cfg(test)]
mod tests;
