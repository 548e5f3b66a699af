//! Decodes the bytes the user's outer terminal sends (typed keys, pastes, mouse reports, focus
//! changes and replies to queries) into [`InputEvent`]s.
//!
//! This module owns only the grammar of terminal input and the little state needed to carry an
//! incomplete sequence from one read to the next. It must not decide what an event means
//! (keymap bindings, which pane gets it) and must not do I/O: the server feeds it bytes.
//!
//! Every buffer is bounded: escape sequences are cut off at [`MAX_SEQUENCE`] bytes and pastes
//! at [`MAX_PASTE`] bytes, so a hostile byte stream cannot make the decoder grow without limit.
//!
//! Chunking: for any input and any way of cutting it into chunks such that no chunk except the
//! last ends with an ESC byte, feeding the chunks one after another yields exactly the events of
//! feeding the whole input at once. An ESC at the end of a chunk is the one place where chunking
//! matters, because without a timer a trailing lone ESC has to be taken as the Escape key.

use crate::keys::{Key, KeyCode, Mods};

const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;
const REPLACEMENT: char = '\u{FFFD}';
const PASTE_END: &[u8] = b"\x1b[201~";

/// Longest escape sequence, counted from its ESC, that is buffered. A CSI or string sequence
/// that has not ended by then is discarded up to its end.
pub const MAX_SEQUENCE: usize = 4096;
/// Longest paste body kept; bytes beyond it are dropped until the paste ends.
pub const MAX_PASTE: usize = 16 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseButton {
    Left,
    Middle,
    Right,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseKind {
    Press(MouseButton),
    /// The released button, when the report says which (X10 reports do not).
    Release(Option<MouseButton>),
    Drag(MouseButton),
    Move,
    ScrollUp,
    ScrollDown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MouseEvent {
    pub kind: MouseKind,
    /// 0-based column.
    pub col: u16,
    /// 0-based row.
    pub row: u16,
    pub mods: Mods,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputEvent {
    Key(Key),
    /// Text between ESC[200~ and ESC[201~ (the outer terminal has bracketed paste on).
    Paste(Vec<u8>),
    Mouse(MouseEvent),
    FocusIn,
    FocusOut,
    /// Something the outer terminal sent as a reply to a query (CPR `CSI r;c R`, DA
    /// `CSI ? ... c`, DA2 `CSI > ... c`, OSC replies `ESC ] ... BEL/ST`, DCS replies
    /// `ESC P ... ST`, DECRQM replies `CSI ? ... $ y`, kitty keyboard reply `CSI ? flags u`).
    /// These are never typed into a pane.
    TerminalReply(Vec<u8>),
}

/// What the decoder is in the middle of, beyond the bytes in `pending`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Decoding {
    /// Between events; `pending` holds the start of an incomplete event, if any.
    #[default]
    Ground,
    /// Inside a bracketed paste; the body so far is in `paste`.
    Paste,
    /// Discarding the rest of an over-long CSI sequence.
    SkipCsi,
    /// Discarding the rest of an over-long OSC (`osc`), DCS or APC string.
    SkipString { osc: bool },
}

/// Turns the byte stream from the outer terminal into events, one read at a time.
#[derive(Debug, Default)]
pub struct InputDecoder {
    /// Bytes received but not yet decoded: at most one incomplete sequence (or, in paste mode,
    /// a possible start of the end marker).
    pending: Vec<u8>,
    mode: Decoding,
    /// The body of the bracketed paste in progress.
    paste: Vec<u8>,
}

/// The outcome of decoding at the start of the pending bytes in ground mode.
#[derive(Debug)]
enum Parse {
    /// The first `usize` (at least one) bytes form the event, or are dropped when it is `None`.
    Done(Option<InputEvent>, usize),
    /// The first `usize` bytes start something that continues in another mode.
    Enter(Decoding, usize),
    /// More bytes are needed before anything can be decided.
    Incomplete,
}

impl InputDecoder {
    /// Creates a decoder with nothing pending.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes as much as possible; an incomplete escape sequence at the end is kept for the
    /// next call, except that a lone ESC at the very end of `bytes` is the Escape key (there is
    /// no timer).
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<InputEvent> {
        self.pending.extend_from_slice(bytes);
        let mut events = Vec::new();
        let mut pos = 0;
        while pos < self.pending.len() {
            match self.step(pos, &mut events) {
                Some(consumed) => pos += consumed,
                None => break,
            }
        }
        self.pending.drain(..pos);
        events
    }

    /// Decodes at `pos` in the current mode. Returns how many bytes were consumed, or `None`
    /// when nothing more can be done until more bytes arrive. Zero bytes are only consumed
    /// together with a switch back to ground mode, so the caller's loop always progresses.
    fn step(&mut self, pos: usize, events: &mut Vec<InputEvent>) -> Option<usize> {
        let rest = &self.pending[pos..];
        let (consumed, finished) = match self.mode {
            Decoding::Ground => {
                return match parse(rest) {
                    Parse::Done(event, len) => {
                        events.extend(event);
                        Some(len)
                    }
                    Parse::Enter(mode, len) => {
                        self.mode = mode;
                        Some(len)
                    }
                    Parse::Incomplete => None,
                };
            }
            Decoding::Paste => {
                let (consumed, finished) = scan_paste(rest, &mut self.paste);
                if finished {
                    events.push(InputEvent::Paste(std::mem::take(&mut self.paste)));
                }
                (consumed, finished)
            }
            Decoding::SkipCsi => skip_csi(rest),
            Decoding::SkipString { osc } => skip_string(rest, osc),
        };
        if finished {
            self.mode = Decoding::Ground;
        }
        (finished || consumed > 0).then_some(consumed)
    }
}

/// Decodes one event at the start of `buf`, the undecoded input up to the end of what has been
/// received so far.
fn parse(buf: &[u8]) -> Parse {
    match buf.first() {
        None => Parse::Incomplete,
        Some(&ESC) => parse_escape(buf),
        Some(_) => match plain_key(buf) {
            Some((key, len)) => Parse::Done(Some(InputEvent::Key(key)), len),
            None => Parse::Incomplete,
        },
    }
}

fn key_event(code: KeyCode, mods: Mods) -> Option<InputEvent> {
    Some(InputEvent::Key(Key::new(code, mods)))
}

fn with_alt(key: Key) -> Key {
    Key::new(
        key.code,
        Mods {
            alt: true,
            ..key.mods
        },
    )
}

/// Decodes a key that is not an escape sequence: a C0 control, an ASCII character, DEL or a
/// UTF-8 character. `None` means a UTF-8 character is cut short and needs more bytes.
fn plain_key(buf: &[u8]) -> Option<(Key, usize)> {
    let &first = buf.first()?;
    if first.is_ascii() {
        return Some((ascii_key(first), 1));
    }
    decode_utf8(buf).map(|(c, len)| (Key::plain(KeyCode::Char(c)), len))
}

/// Maps one ASCII byte to the key that sends it.
fn ascii_key(byte: u8) -> Key {
    match byte {
        0x00 => Key::new(KeyCode::Char(' '), Mods::CTRL),
        0x09 => Key::plain(KeyCode::Tab),
        0x0d => Key::plain(KeyCode::Enter),
        ESC => Key::plain(KeyCode::Escape),
        0x01..=0x1a => Key::ctrl(char::from(b'a' + byte - 1)),
        // 0x1c..=0x1f are Ctrl with the four characters `\`, `]`, `^` and `_`.
        0x1c..=0x1f => Key::ctrl(char::from(b'\\' + (byte - 0x1c))),
        0x7f => Key::plain(KeyCode::Backspace),
        _ => Key::plain(KeyCode::Char(char::from(byte))),
    }
}

/// Decodes the UTF-8 character starting `buf` (whose first byte is not ASCII). Invalid bytes
/// become U+FFFD, consuming the same bytes `String::from_utf8_lossy` would; `None` means the
/// character is valid so far but incomplete.
fn decode_utf8(buf: &[u8]) -> Option<(char, usize)> {
    let width = match buf.first()? {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return Some((REPLACEMENT, 1)),
    };
    let candidate = &buf[..width.min(buf.len())];
    match std::str::from_utf8(candidate) {
        Ok(text) => Some((text.chars().next().unwrap_or(REPLACEMENT), candidate.len())),
        Err(err) => err.error_len().map(|len| (REPLACEMENT, len)),
    }
}

/// Decodes input starting with ESC: the Escape key, an Alt key, or an escape sequence.
fn parse_escape(buf: &[u8]) -> Parse {
    let Some(&next) = buf.get(1) else {
        // A lone ESC at the very end of the input is the Escape key: there is no timer to wait
        // for the rest of a sequence, and terminals send sequences in one write.
        return Parse::Done(key_event(KeyCode::Escape, Mods::NONE), 1);
    };
    match next {
        b'[' => parse_csi(buf),
        b'O' => parse_ss3(buf),
        b']' | b'P' | b'_' => parse_string(buf),
        ESC => parse_double_escape(buf),
        _ => match plain_key(&buf[1..]) {
            Some((key, len)) => Parse::Done(Some(InputEvent::Key(with_alt(key))), 1 + len),
            None => Parse::Incomplete,
        },
    }
}

/// Decodes input starting with two ESCs. Some terminals send Alt + a special key as ESC before
/// the key's sequence, so `ESC ESC [ A` is M-Up and a trailing `ESC ESC` is M-Escape. Otherwise
/// the first ESC is the Escape key on its own. Only one level is looked at, so a long run of
/// ESC bytes cannot recurse deeply.
fn parse_double_escape(buf: &[u8]) -> Parse {
    let inner = match buf.get(2) {
        None => return Parse::Done(key_event(KeyCode::Escape, Mods::ALT), 2),
        Some(b'[') => parse_csi(&buf[1..]),
        Some(b'O') => parse_ss3(&buf[1..]),
        Some(_) => return Parse::Done(key_event(KeyCode::Escape, Mods::NONE), 1),
    };
    match inner {
        Parse::Incomplete => Parse::Incomplete,
        Parse::Done(Some(InputEvent::Key(key)), len) if !key.mods.alt => {
            Parse::Done(Some(InputEvent::Key(with_alt(key))), 1 + len)
        }
        _ => Parse::Done(key_event(KeyCode::Escape, Mods::NONE), 1),
    }
}

/// Decodes `ESC O x`: application-mode cursor keys, F1..F4 and keypad keys. Any other byte
/// after `ESC O` means the user typed M-O, so only those two bytes are consumed.
fn parse_ss3(buf: &[u8]) -> Parse {
    let Some(&byte) = buf.get(2) else {
        return Parse::Incomplete;
    };
    let code = match byte {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'P'..=b'S' => KeyCode::F(byte - b'P' + 1),
        // Application keypad: Enter, `=`, and `j`..`y` for `*+,-./0123456789`.
        b'M' => KeyCode::KeypadEnter,
        b'I' => KeyCode::Tab,
        b'X' => KeyCode::Keypad('='),
        b'j'..=b'y' => KeyCode::Keypad(char::from(byte - b'j' + b'*')),
        _ => return Parse::Done(key_event(KeyCode::Char('O'), Mods::ALT), 2),
    };
    Parse::Done(key_event(code, Mods::NONE), 3)
}

/// Decodes `ESC ] ... BEL/ST` (OSC), `ESC P ... ST` (DCS) and `ESC _ ... ST` (APC), which only
/// arrive as replies to queries. Replies never contain control characters, so a control
/// character or an ESC that does not start ST means the user typed Alt + `]`, `P` or `_`: that
/// key is emitted and the bytes after it are decoded as typed.
fn parse_string(buf: &[u8]) -> Parse {
    let osc = buf.get(1) == Some(&b']');
    let mut at = 2;
    loop {
        if at >= MAX_SEQUENCE {
            return Parse::Enter(Decoding::SkipString { osc }, MAX_SEQUENCE);
        }
        let Some(&byte) = buf.get(at) else {
            return Parse::Incomplete;
        };
        match byte {
            BEL if osc => return reply(&buf[..=at]),
            ESC => match buf.get(at + 1) {
                None => return Parse::Incomplete,
                Some(b'\\') => return reply(&buf[..at + 2]),
                Some(_) => return alt_introducer(buf),
            },
            0x00..=0x1f | 0x7f => return alt_introducer(buf),
            _ => at += 1,
        }
    }
}

/// Emits the key for the two bytes `ESC x` that only looked like the start of a sequence.
fn alt_introducer(buf: &[u8]) -> Parse {
    let c = buf.get(1).map_or(REPLACEMENT, |&b| char::from(b));
    Parse::Done(key_event(KeyCode::Char(c), Mods::ALT), 2)
}

fn reply(seq: &[u8]) -> Parse {
    Parse::Done(Some(InputEvent::TerminalReply(seq.to_vec())), seq.len())
}

/// Decodes a CSI sequence `ESC [ params intermediates final`. A byte that cannot be part of a
/// CSI sequence aborts it: the bytes before it are dropped and it is decoded afresh.
fn parse_csi(buf: &[u8]) -> Parse {
    let mut at = 2;
    let final_at = loop {
        if at >= MAX_SEQUENCE {
            return Parse::Enter(Decoding::SkipCsi, MAX_SEQUENCE);
        }
        let Some(&byte) = buf.get(at) else {
            return Parse::Incomplete;
        };
        match byte {
            0x20..=0x3f => at += 1,
            0x40..=0x7e => break at,
            _ => return Parse::Done(None, at),
        }
    };
    let seq = &buf[..=final_at];
    if seq == b"\x1b[M" {
        return parse_x10_mouse(buf);
    }
    match split_csi(seq) {
        Some(csi) if csi.is_paste_start() => Parse::Enter(Decoding::Paste, seq.len()),
        Some(csi) => Parse::Done(csi_event(&csi, seq), seq.len()),
        None => Parse::Done(None, seq.len()),
    }
}

/// A CSI sequence split into its parts.
#[derive(Debug)]
struct Csi<'a> {
    /// The private marker `<`, `=`, `>` or `?` right after `CSI`, if any.
    prefix: Option<u8>,
    /// Numeric parameters; `None` for an empty one. Only the first sub-parameter of a
    /// colon-separated group is kept.
    params: Vec<Option<u32>>,
    intermediates: &'a [u8],
    final_byte: u8,
}

impl Csi<'_> {
    fn param(&self, index: usize) -> Option<u32> {
        self.params.get(index).copied().flatten()
    }

    fn is_paste_start(&self) -> bool {
        self.prefix.is_none()
            && self.intermediates.is_empty()
            && self.final_byte == b'~'
            && self.params == [Some(200)]
    }
}

/// Splits `seq` (a whole CSI sequence) into its parts; `None` when the parts are out of order.
fn split_csi(seq: &[u8]) -> Option<Csi<'_>> {
    let (&final_byte, body) = seq.get(2..)?.split_last()?;
    let (prefix, body) = match body.split_first() {
        Some((&marker, rest)) if (b'<'..=b'?').contains(&marker) => (Some(marker), rest),
        _ => (None, body),
    };
    let params_len = body
        .iter()
        .take_while(|b| (b'0'..=b';').contains(b))
        .count();
    let (params, intermediates) = body.split_at(params_len);
    if !intermediates.iter().all(|b| (0x20..=0x2f).contains(b)) {
        return None;
    }
    let params = if params.is_empty() {
        Vec::new()
    } else {
        params.split(|&b| b == b';').map(parse_param).collect()
    };
    Some(Csi {
        prefix,
        params,
        intermediates,
        final_byte,
    })
}

/// Parses one parameter, ignoring sub-parameters after `:`. Huge numbers saturate.
fn parse_param(text: &[u8]) -> Option<u32> {
    let digits = text.split(|&b| b == b':').next().unwrap_or_default();
    if digits.is_empty() {
        return None;
    }
    Some(digits.iter().fold(0u32, |n, &d| {
        n.saturating_mul(10)
            .saturating_add(u32::from(d.wrapping_sub(b'0')))
    }))
}

/// Interprets a complete CSI sequence; `None` drops it.
fn csi_event(csi: &Csi<'_>, seq: &[u8]) -> Option<InputEvent> {
    let is_reply = match (csi.prefix, csi.intermediates, csi.final_byte) {
        (None, b"", _) => return plain_csi_event(csi, seq),
        (Some(b'<'), b"", b'M' | b'm') => return sgr_mouse(csi),
        (Some(b'?'), b"", b'c' | b'u' | b'R' | b'n') => true,
        (Some(b'?') | None, b"$", b'y') => true,
        (Some(b'>'), b"", b'c') => true,
        _ => false,
    };
    is_reply.then(|| InputEvent::TerminalReply(seq.to_vec()))
}

/// Interprets a CSI sequence without private marker or intermediates.
fn plain_csi_event(csi: &Csi<'_>, seq: &[u8]) -> Option<InputEvent> {
    let mods = modifiers(csi.param(1));
    let code = match csi.final_byte {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'P' => KeyCode::F(1),
        b'Q' => KeyCode::F(2),
        b'S' => KeyCode::F(4),
        b'R' if is_modified_f3(csi) => KeyCode::F(3),
        b'Z' => {
            return key_event(
                KeyCode::BackTab,
                Mods {
                    shift: false,
                    ..mods
                },
            );
        }
        b'I' if csi.params.is_empty() => return Some(InputEvent::FocusIn),
        b'O' if csi.params.is_empty() => return Some(InputEvent::FocusOut),
        b'~' => tilde_code(csi.param(0))?,
        b'R' | b't' | b'n' => return Some(InputEvent::TerminalReply(seq.to_vec())),
        _ => return None,
    };
    key_event(code, mods)
}

/// `CSI 1;m R` is F3 with modifiers `m` in modern xterm, but also a cursor position report for
/// row 1. It is taken as the key when `m` is a real modifier (2 or more), since a key without
/// modifiers is sent as `SS3 R`; every other `CSI ... R` (except a bare `CSI R`) is a reply.
fn is_modified_f3(csi: &Csi<'_>) -> bool {
    match csi.params.as_slice() {
        [] => true,
        [Some(1), Some(m)] => *m >= 2,
        _ => false,
    }
}

/// The key sent as `CSI n ~`.
fn tilde_code(n: Option<u32>) -> Option<KeyCode> {
    let n = n?;
    let function = |number: u32| u8::try_from(number).ok().map(KeyCode::F);
    match n {
        1 | 7 => Some(KeyCode::Home),
        2 => Some(KeyCode::Insert),
        3 => Some(KeyCode::Delete),
        4 | 8 => Some(KeyCode::End),
        5 => Some(KeyCode::PageUp),
        6 => Some(KeyCode::PageDown),
        11..=15 => function(n - 10),
        17..=21 => function(n - 11),
        23 | 24 => function(n - 12),
        _ => None,
    }
}

/// Decodes the xterm modifier parameter 1 + Shift(1) + Alt(2) + Ctrl(4); Meta(8) counts as Alt.
fn modifiers(param: Option<u32>) -> Mods {
    let bits = param.unwrap_or(1).saturating_sub(1);
    Mods {
        shift: bits & 1 != 0,
        alt: bits & (2 | 8) != 0,
        ctrl: bits & 4 != 0,
    }
}

/// Decodes an SGR mouse report `CSI < b;x;y M` (press, drag, move, wheel) or `... m` (release).
fn sgr_mouse(csi: &Csi<'_>) -> Option<InputEvent> {
    let [Some(bits), Some(x), Some(y)] = csi.params.as_slice() else {
        return None;
    };
    let release = csi.final_byte == b'm';
    mouse_event(*bits, release, coordinate(*x), coordinate(*y))
}

/// Converts a 1-based report coordinate to a 0-based one.
fn coordinate(value: u32) -> u16 {
    u16::try_from(value.saturating_sub(1)).unwrap_or(u16::MAX)
}

/// Decodes an X10 mouse report: `CSI M` then three bytes, each 32 more than its value, with
/// 1-based coordinates.
fn parse_x10_mouse(buf: &[u8]) -> Parse {
    let Some(&[bits, x, y]) = buf.get(3..6) else {
        return Parse::Incomplete;
    };
    let value = |byte: u8| u32::from(byte.saturating_sub(32));
    let event = mouse_event(
        value(bits),
        false,
        coordinate(value(x)),
        coordinate(value(y)),
    );
    Parse::Done(event, 6)
}

/// Builds a mouse event from xterm's button bits: the low two bits are the button (3 means
/// released or none), then +4 Shift, +8 Alt, +16 Ctrl, +32 motion and +64 wheel. Horizontal
/// wheel and extra buttons have no event and are dropped.
fn mouse_event(bits: u32, release: bool, col: u16, row: u16) -> Option<InputEvent> {
    if bits & 128 != 0 {
        return None;
    }
    let button = match bits & 3 {
        0 => Some(MouseButton::Left),
        1 => Some(MouseButton::Middle),
        2 => Some(MouseButton::Right),
        _ => None,
    };
    let kind = if bits & 64 != 0 {
        match (bits & 3, release) {
            (0, false) => MouseKind::ScrollUp,
            (1, false) => MouseKind::ScrollDown,
            _ => return None,
        }
    } else if release {
        MouseKind::Release(button)
    } else if bits & 32 != 0 {
        button.map_or(MouseKind::Move, MouseKind::Drag)
    } else {
        button.map_or(MouseKind::Release(None), MouseKind::Press)
    };
    let mods = Mods {
        shift: bits & 4 != 0,
        alt: bits & 8 != 0,
        ctrl: bits & 16 != 0,
    };
    Some(InputEvent::Mouse(MouseEvent {
        kind,
        col,
        row,
        mods,
    }))
}

/// Adds `bytes` to the paste body, dropping whatever would go past [`MAX_PASTE`].
fn push_capped(body: &mut Vec<u8>, bytes: &[u8]) {
    let room = MAX_PASTE.saturating_sub(body.len());
    body.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// Moves paste bytes from `rest` into `body` up to the end marker. Returns the bytes consumed
/// and whether the marker was found. A tail of `rest` that may be the start of the marker is
/// left unconsumed until more bytes show whether it is.
fn scan_paste(rest: &[u8], body: &mut Vec<u8>) -> (usize, bool) {
    if let Some(at) = rest.windows(PASTE_END.len()).position(|w| w == PASTE_END) {
        push_capped(body, &rest[..at]);
        return (at + PASTE_END.len(), true);
    }
    let keep = (1..PASTE_END.len())
        .rev()
        .find(|&len| rest.ends_with(&PASTE_END[..len]))
        .unwrap_or(0);
    let take = rest.len() - keep;
    push_capped(body, &rest[..take]);
    (take, false)
}

/// Discards the rest of an over-long CSI sequence. Returns the bytes consumed and whether the
/// sequence is over; a byte that cannot belong to a CSI sequence ends it without being consumed.
fn skip_csi(rest: &[u8]) -> (usize, bool) {
    for (at, &byte) in rest.iter().enumerate() {
        match byte {
            0x20..=0x3f => {}
            0x40..=0x7e => return (at + 1, true),
            _ => return (at, true),
        }
    }
    (rest.len(), false)
}

/// Discards the rest of an over-long string sequence, up to and including BEL (OSC only) or ST.
/// A control character or an ESC that does not start ST ends it without being consumed.
fn skip_string(rest: &[u8], osc: bool) -> (usize, bool) {
    for (at, &byte) in rest.iter().enumerate() {
        match byte {
            BEL if osc => return (at + 1, true),
            ESC => {
                return match rest.get(at + 1) {
                    None => (at, false),
                    Some(b'\\') => (at + 2, true),
                    Some(_) => (at, true),
                };
            }
            0x00..=0x1f | 0x7f => return (at, true),
            _ => {}
        }
    }
    (rest.len(), false)
}

#[cfg(test)]
mod tests;
