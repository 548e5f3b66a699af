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
enum Mode {
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
    mode: Mode,
    /// The body of the bracketed paste in progress.
    paste: Vec<u8>,
}

/// The outcome of decoding at the start of the pending bytes in ground mode.
#[derive(Debug)]
enum Parse {
    /// The first `usize` (at least one) bytes form the event, or are dropped when it is `None`.
    Done(Option<InputEvent>, usize),
    /// The first `usize` bytes start something that continues in another mode.
    Enter(Mode, usize),
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
            Mode::Ground => {
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
            Mode::Paste => {
                let (consumed, finished) = scan_paste(rest, &mut self.paste);
                if finished {
                    events.push(InputEvent::Paste(std::mem::take(&mut self.paste)));
                }
                (consumed, finished)
            }
            Mode::SkipCsi => skip_csi(rest),
            Mode::SkipString { osc } => skip_string(rest, osc),
        };
        if finished {
            self.mode = Mode::Ground;
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
        b'M' => KeyCode::Enter,
        b'I' => KeyCode::Tab,
        b'X' => KeyCode::Char('='),
        // Application keypad: `j`..`y` are `*+,-./0123456789`.
        b'j'..=b'y' => KeyCode::Char(char::from(byte - b'j' + b'*')),
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
            return Parse::Enter(Mode::SkipString { osc }, MAX_SEQUENCE);
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
            return Parse::Enter(Mode::SkipCsi, MAX_SEQUENCE);
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
        Some(csi) if csi.is_paste_start() => Parse::Enter(Mode::Paste, seq.len()),
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
mod tests {
    use super::*;
    use crate::pane::encode::{KeyModes, encode_key};
    use proptest::prelude::*;

    fn decode(bytes: &[u8]) -> Vec<InputEvent> {
        InputDecoder::new().feed(bytes)
    }

    fn decode_chunks(chunks: &[&[u8]]) -> Vec<InputEvent> {
        let mut decoder = InputDecoder::new();
        chunks
            .iter()
            .flat_map(|chunk| decoder.feed(chunk))
            .collect()
    }

    fn key(code: KeyCode, mods: Mods) -> InputEvent {
        InputEvent::Key(Key::new(code, mods))
    }

    fn plain(code: KeyCode) -> InputEvent {
        key(code, Mods::NONE)
    }

    fn ch(c: char) -> InputEvent {
        plain(KeyCode::Char(c))
    }

    fn reply(bytes: &[u8]) -> InputEvent {
        InputEvent::TerminalReply(bytes.to_vec())
    }

    fn mouse(kind: MouseKind, col: u16, row: u16, mods: Mods) -> InputEvent {
        InputEvent::Mouse(MouseEvent {
            kind,
            col,
            row,
            mods,
        })
    }

    const CTRL_ALT: Mods = Mods {
        ctrl: true,
        alt: true,
        shift: false,
    };
    const CTRL_SHIFT: Mods = Mods {
        ctrl: true,
        alt: false,
        shift: true,
    };

    #[test]
    fn control_bytes() {
        assert_eq!(decode(b"\x00"), vec![key(KeyCode::Char(' '), Mods::CTRL)]);
        for byte in 0x01..=0x1au8 {
            let want = match byte {
                0x09 => plain(KeyCode::Tab),
                0x0d => plain(KeyCode::Enter),
                _ => key(KeyCode::Char(char::from(b'a' + byte - 1)), Mods::CTRL),
            };
            assert_eq!(decode(&[byte]), vec![want], "byte {byte:#04x}");
        }
        assert_eq!(
            decode(b"\x08\x0a"),
            vec![
                InputEvent::Key(Key::ctrl('h')),
                InputEvent::Key(Key::ctrl('j'))
            ]
        );
        let tail: Vec<_> = ['\\', ']', '^', '_']
            .map(|c| InputEvent::Key(Key::ctrl(c)))
            .to_vec();
        assert_eq!(decode(b"\x1c\x1d\x1e\x1f"), tail);
        assert_eq!(decode(b"\x7f"), vec![plain(KeyCode::Backspace)]);
    }

    #[test]
    fn printable_ascii() {
        for byte in 0x20..0x7fu8 {
            assert_eq!(decode(&[byte]), vec![ch(char::from(byte))]);
        }
    }

    #[test]
    fn utf8_in_one_feed_and_split_across_feeds() {
        let text = "aé€😀z";
        let want: Vec<_> = text.chars().map(ch).collect();
        assert_eq!(decode(text.as_bytes()), want);
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            assert_eq!(
                decode_chunks(&[&bytes[..cut], &bytes[cut..]]),
                want,
                "cut at {cut}"
            );
        }
        let one_at_a_time: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(decode_chunks(&one_at_a_time), want);
    }

    #[test]
    fn invalid_utf8_becomes_replacement() {
        let r = ch(REPLACEMENT);
        assert_eq!(decode(b"\xff"), vec![r.clone()]);
        assert_eq!(decode(b"\x80a"), vec![r.clone(), ch('a')]);
        assert_eq!(decode(b"\xe2\x82a"), vec![r.clone(), ch('a')]);
        assert_eq!(
            decode(b"\xed\xa0\x80"),
            vec![r.clone(), r.clone(), r.clone()]
        );
        // An incomplete character waits for more input rather than becoming U+FFFD.
        assert_eq!(decode(b"\xe2\x82"), vec![]);
    }

    #[test]
    fn escape_and_alt_keys() {
        assert_eq!(decode(b"\x1b"), vec![plain(KeyCode::Escape)]);
        assert_eq!(decode(b"a\x1b"), vec![ch('a'), plain(KeyCode::Escape)]);
        assert_eq!(decode(b"\x1ba"), vec![key(KeyCode::Char('a'), Mods::ALT)]);
        assert_eq!(decode(b"\x1b\r"), vec![key(KeyCode::Enter, Mods::ALT)]);
        assert_eq!(decode(b"\x1b\x01"), vec![key(KeyCode::Char('a'), CTRL_ALT)]);
        assert_eq!(
            decode(b"\x1b\x7f"),
            vec![key(KeyCode::Backspace, Mods::ALT)]
        );
        assert_eq!(
            decode("\x1bé".as_bytes()),
            vec![key(KeyCode::Char('é'), Mods::ALT)]
        );
        assert_eq!(
            decode_chunks(&[b"\x1b\xc3", b"\xa9"]),
            vec![key(KeyCode::Char('é'), Mods::ALT)]
        );
        assert_eq!(
            decode_chunks(&[b"\x1b", b"a"]),
            vec![plain(KeyCode::Escape), ch('a')]
        );
    }

    #[test]
    fn double_escape() {
        assert_eq!(decode(b"\x1b\x1b"), vec![key(KeyCode::Escape, Mods::ALT)]);
        assert_eq!(decode(b"\x1b\x1b[A"), vec![key(KeyCode::Up, Mods::ALT)]);
        assert_eq!(decode(b"\x1b\x1bOP"), vec![key(KeyCode::F(1), Mods::ALT)]);
        assert_eq!(
            decode(b"\x1b\x1ba"),
            vec![plain(KeyCode::Escape), key(KeyCode::Char('a'), Mods::ALT)]
        );
        assert_eq!(
            decode(b"\x1b\x1b[1;3A"),
            vec![plain(KeyCode::Escape), key(KeyCode::Up, Mods::ALT)]
        );
        assert_eq!(
            decode(b"\x1b\x1b[I"),
            vec![plain(KeyCode::Escape), InputEvent::FocusIn]
        );
        assert_eq!(
            decode(b"\x1b\x1b\x1b"),
            vec![plain(KeyCode::Escape), key(KeyCode::Escape, Mods::ALT)]
        );
    }

    #[test]
    fn incomplete_sequences_wait_for_the_next_feed() {
        assert_eq!(decode_chunks(&[b"\x1b[", b"A"]), vec![plain(KeyCode::Up)]);
        assert_eq!(
            decode_chunks(&[b"\x1b[1;", b"5", b"A"]),
            vec![key(KeyCode::Up, Mods::CTRL)]
        );
        assert_eq!(decode_chunks(&[b"\x1bO", b"P"]), vec![plain(KeyCode::F(1))]);
        let mut decoder = InputDecoder::new();
        assert_eq!(decoder.feed(b"\x1b[<0;1"), vec![]);
        assert_eq!(decoder.pending, b"\x1b[<0;1");
    }

    #[test]
    fn cursor_keys() {
        for (letter, code) in [
            (b'A', KeyCode::Up),
            (b'B', KeyCode::Down),
            (b'C', KeyCode::Right),
            (b'D', KeyCode::Left),
        ]
        .into_iter()
        .chain([(b'H', KeyCode::Home), (b'F', KeyCode::End)])
        {
            assert_eq!(decode(&[ESC, b'[', letter]), vec![plain(code)]);
            assert_eq!(decode(&[ESC, b'O', letter]), vec![plain(code)]);
            for (m, mods) in [
                (b'2', Mods::SHIFT),
                (b'3', Mods::ALT),
                (b'5', Mods::CTRL),
                (b'6', CTRL_SHIFT),
            ] {
                assert_eq!(
                    decode(&[ESC, b'[', b'1', b';', m, letter]),
                    vec![key(code, mods)]
                );
            }
        }
        let all = Mods {
            ctrl: true,
            alt: true,
            shift: true,
        };
        assert_eq!(decode(b"\x1b[1;8A"), vec![key(KeyCode::Up, all)]);
        assert_eq!(decode(b"\x1b[1;9A"), vec![key(KeyCode::Up, Mods::ALT)]);
    }

    #[test]
    fn function_keys() {
        for (letter, n) in [(b'P', 1), (b'Q', 2), (b'R', 3), (b'S', 4)] {
            assert_eq!(decode(&[ESC, b'O', letter]), vec![plain(KeyCode::F(n))]);
            assert_eq!(
                decode(&[ESC, b'[', b'1', b';', b'5', letter]),
                vec![key(KeyCode::F(n), Mods::CTRL)]
            );
        }
        let tilde = [
            (11, 1),
            (12, 2),
            (13, 3),
            (14, 4),
            (15, 5),
            (17, 6),
            (18, 7),
            (19, 8),
        ]
        .into_iter()
        .chain([(20, 9), (21, 10), (23, 11), (24, 12)]);
        for (number, n) in tilde {
            assert_eq!(
                decode(format!("\x1b[{number}~").as_bytes()),
                vec![plain(KeyCode::F(n))]
            );
            let modified = format!("\x1b[{number};3~");
            assert_eq!(
                decode(modified.as_bytes()),
                vec![key(KeyCode::F(n), Mods::ALT)]
            );
        }
    }

    #[test]
    fn editing_keys() {
        let keys = [
            (1, KeyCode::Home),
            (7, KeyCode::Home),
            (4, KeyCode::End),
            (8, KeyCode::End),
            (2, KeyCode::Insert),
            (3, KeyCode::Delete),
            (5, KeyCode::PageUp),
            (6, KeyCode::PageDown),
        ];
        for (number, code) in keys {
            assert_eq!(
                decode(format!("\x1b[{number}~").as_bytes()),
                vec![plain(code)]
            );
            let modified = format!("\x1b[{number};6~");
            assert_eq!(decode(modified.as_bytes()), vec![key(code, CTRL_SHIFT)]);
        }
        assert_eq!(decode(b"\x1b[Z"), vec![plain(KeyCode::BackTab)]);
        assert_eq!(decode(b"\x1b[1;4Z"), vec![key(KeyCode::BackTab, Mods::ALT)]);
    }

    #[test]
    fn keypad_in_application_mode() {
        assert_eq!(decode(b"\x1bOM"), vec![plain(KeyCode::Enter)]);
        assert_eq!(
            decode(b"\x1bOp\x1bOy\x1bOj\x1bOX"),
            vec![ch('0'), ch('9'), ch('*'), ch('=')]
        );
        // An unknown byte after `ESC O` means M-O was typed.
        assert_eq!(
            decode(b"\x1bOz"),
            vec![key(KeyCode::Char('O'), Mods::ALT), ch('z')]
        );
    }

    #[test]
    fn focus_events() {
        assert_eq!(
            decode(b"\x1b[I\x1b[O"),
            vec![InputEvent::FocusIn, InputEvent::FocusOut]
        );
    }

    #[test]
    fn paste_in_one_feed_and_across_feeds() {
        assert_eq!(
            decode(b"a\x1b[200~x\x1b[Ay\ny\x1b[201~b"),
            vec![ch('a'), InputEvent::Paste(b"x\x1b[Ay\ny".to_vec()), ch('b')]
        );
        assert_eq!(
            decode(b"\x1b[200~\x1b[201~"),
            vec![InputEvent::Paste(Vec::new())]
        );
        let chunks: &[&[u8]] = &[b"\x1b[20", b"0~hel", b"lo\x1b", b"[20", b"1", b"~!"];
        assert_eq!(
            decode_chunks(chunks),
            vec![InputEvent::Paste(b"hello".to_vec()), ch('!')]
        );
        // An ESC at a chunk end inside a paste is paste content, not the Escape key.
        let chunks: &[&[u8]] = &[b"\x1b[200~a\x1b", b"b\x1b[201~"];
        assert_eq!(
            decode_chunks(chunks),
            vec![InputEvent::Paste(b"a\x1bb".to_vec())]
        );
        // A stray end marker is dropped.
        assert_eq!(decode(b"\x1b[201~x"), vec![ch('x')]);
    }

    #[test]
    fn paste_is_capped() {
        let mut decoder = InputDecoder::new();
        assert_eq!(decoder.feed(b"\x1b[200~"), vec![]);
        let block = vec![b'p'; 1 << 20];
        for _ in 0..17 {
            assert_eq!(decoder.feed(&block), vec![]);
            assert!(decoder.paste.len() <= MAX_PASTE && decoder.pending.len() < PASTE_END.len());
        }
        let events = decoder.feed(b"\x1b[201~q");
        assert_eq!(events.len(), 2);
        assert!(matches!(&events[0], InputEvent::Paste(body) if body.len() == MAX_PASTE));
        assert_eq!(events[1], ch('q'));
    }

    #[test]
    fn sgr_mouse() {
        let none = Mods::NONE;
        let cases: &[(&[u8], InputEvent)] = &[
            (
                b"\x1b[<0;1;1M",
                mouse(MouseKind::Press(MouseButton::Left), 0, 0, none),
            ),
            (
                b"\x1b[<1;10;5M",
                mouse(MouseKind::Press(MouseButton::Middle), 9, 4, none),
            ),
            (
                b"\x1b[<2;3;4m",
                mouse(MouseKind::Release(Some(MouseButton::Right)), 2, 3, none),
            ),
            (
                b"\x1b[<0;3;4m",
                mouse(MouseKind::Release(Some(MouseButton::Left)), 2, 3, none),
            ),
            (
                b"\x1b[<32;7;8M",
                mouse(MouseKind::Drag(MouseButton::Left), 6, 7, none),
            ),
            (b"\x1b[<35;7;8M", mouse(MouseKind::Move, 6, 7, none)),
            (b"\x1b[<64;1;1M", mouse(MouseKind::ScrollUp, 0, 0, none)),
            (
                b"\x1b[<65;300;2M",
                mouse(MouseKind::ScrollDown, 299, 1, none),
            ),
            (
                b"\x1b[<4;1;1M",
                mouse(MouseKind::Press(MouseButton::Left), 0, 0, Mods::SHIFT),
            ),
            (
                b"\x1b[<8;1;1M",
                mouse(MouseKind::Press(MouseButton::Left), 0, 0, Mods::ALT),
            ),
            (
                b"\x1b[<16;1;1M",
                mouse(MouseKind::Press(MouseButton::Left), 0, 0, Mods::CTRL),
            ),
            (
                b"\x1b[<0;99999;0M",
                mouse(MouseKind::Press(MouseButton::Left), u16::MAX, 0, none),
            ),
        ];
        for (bytes, want) in cases {
            assert_eq!(decode(bytes), vec![want.clone()], "{bytes:?}");
        }
        // Horizontal wheel, extra buttons and malformed reports are dropped.
        assert_eq!(
            decode(b"\x1b[<66;1;1M\x1b[<128;1;1M\x1b[<0;1M\x1b[<0;1;1;1M"),
            vec![]
        );
    }

    #[test]
    fn x10_mouse() {
        assert_eq!(
            decode(b"\x1b[M !!"),
            vec![mouse(MouseKind::Press(MouseButton::Left), 0, 0, Mods::NONE)]
        );
        assert_eq!(
            decode(b"\x1b[M#+*"),
            vec![mouse(MouseKind::Release(None), 10, 9, Mods::NONE)]
        );
        assert_eq!(
            decode(b"\x1b[M`!!"),
            vec![mouse(MouseKind::ScrollUp, 0, 0, Mods::NONE)]
        );
        assert_eq!(
            decode_chunks(&[b"\x1b[M", b"0", b"\xff\xff"]),
            vec![mouse(
                MouseKind::Press(MouseButton::Left),
                222,
                222,
                Mods::CTRL
            )]
        );
    }

    #[test]
    fn replies_are_classified() {
        let replies: &[&[u8]] = &[
            b"\x1b[12;40R",
            b"\x1b[1;1R",
            b"\x1b[2;5R",
            b"\x1b[?12;40R",
            b"\x1b[?1;2c",
            b"\x1b[?62;22c",
            b"\x1b[>0;276;0c",
            b"\x1b[?2004;1$y",
            b"\x1b[12;2$y",
            b"\x1b[?7u",
            b"\x1b[8;24;80t",
            b"\x1b[0n",
            b"\x1b]11;rgb:0000/0000/0000\x07",
            b"\x1b]11;rgb:ffff/ffff/ffff\x1b\\",
            b"\x1bP1$r0m\x1b\\",
            b"\x1bP>|xterm(390)\x1b\\",
            b"\x1b_Gi=1;OK\x1b\\",
        ];
        for &bytes in replies {
            assert_eq!(decode(bytes), vec![reply(bytes)], "{bytes:?}");
            let mut with_text = bytes.to_vec();
            with_text.push(b'x');
            assert_eq!(decode(&with_text), vec![reply(bytes), ch('x')]);
        }
        // Modern xterm sends F3 with modifiers as `CSI 1;m R`.
        assert_eq!(decode(b"\x1b[1;5R"), vec![key(KeyCode::F(3), Mods::CTRL)]);
        assert_eq!(decode(b"\x1b[R"), vec![plain(KeyCode::F(3))]);
    }

    #[test]
    fn replies_may_span_feeds() {
        let osc: &[u8] = b"\x1b]10;rgb:1/2/3\x1b\\";
        // Cutting right after the introducing ESC would make it the Escape key, so cuts start
        // after `ESC ]`.
        for cut in 2..osc.len() {
            assert_eq!(
                decode_chunks(&[&osc[..cut], &osc[cut..]]),
                vec![reply(osc)],
                "cut {cut}"
            );
        }
    }

    #[test]
    fn unknown_and_aborted_csi_are_dropped() {
        assert_eq!(
            decode(b"\x1b[99x\x1b[?1;2;3z\x1b[1 q\x1b[>1~a"),
            vec![ch('a')]
        );
        assert_eq!(decode(b"\x1b[1$1~a"), vec![ch('a')]);
        // A control character cannot be part of CSI: the partial sequence goes, the key stays.
        assert_eq!(decode(b"\x1b[12\r"), vec![plain(KeyCode::Enter)]);
        assert_eq!(decode(b"\x1b[12\x1b[B"), vec![plain(KeyCode::Down)]);
    }

    #[test]
    fn interrupted_strings_are_typed_alt_keys() {
        assert_eq!(
            decode(b"\x1b]ls\r"),
            vec![
                key(KeyCode::Char(']'), Mods::ALT),
                ch('l'),
                ch('s'),
                plain(KeyCode::Enter)
            ]
        );
        assert_eq!(
            decode_chunks(&[b"\x1bP", b"x", b"\x7f"]),
            vec![
                key(KeyCode::Char('P'), Mods::ALT),
                ch('x'),
                plain(KeyCode::Backspace)
            ]
        );
        assert_eq!(
            decode(b"\x1b_a\x1b[A"),
            vec![
                key(KeyCode::Char('_'), Mods::ALT),
                ch('a'),
                plain(KeyCode::Up)
            ]
        );
        // BEL only ends OSC; in DCS it is a typed C-g.
        assert_eq!(
            decode(b"\x1bP\x07"),
            vec![
                key(KeyCode::Char('P'), Mods::ALT),
                InputEvent::Key(Key::ctrl('g'))
            ]
        );
    }

    #[test]
    fn over_long_sequences_are_discarded() {
        let mut csi = b"\x1b[".to_vec();
        csi.extend(std::iter::repeat_n(b'1', 3 * MAX_SEQUENCE));
        csi.extend_from_slice(b"Ax");
        assert_eq!(decode(&csi), vec![ch('x')]);
        let chunks: Vec<&[u8]> = csi.chunks(100).collect();
        assert_eq!(decode_chunks(&chunks), vec![ch('x')]);

        for (intro, end) in [
            (&b"\x1b]"[..], &b"\x07"[..]),
            (b"\x1b]", b"\x1b\\"),
            (b"\x1bP", b"\x1b\\"),
        ] {
            let mut string = intro.to_vec();
            string.extend(std::iter::repeat_n(b'a', 3 * MAX_SEQUENCE));
            string.extend_from_slice(end);
            string.push(b'x');
            assert_eq!(decode(&string), vec![ch('x')]);
            let mut decoder = InputDecoder::new();
            let events: Vec<_> = string
                .chunks(7)
                .flat_map(|chunk| {
                    let events = decoder.feed(chunk);
                    assert!(decoder.pending.len() <= MAX_SEQUENCE + 2);
                    events
                })
                .collect();
            assert_eq!(events, vec![ch('x')]);
        }
        // A skipped string still stops at a control character, which is then decoded.
        let mut string = b"\x1b]".to_vec();
        string.extend(std::iter::repeat_n(b'a', MAX_SEQUENCE));
        string.push(b'\r');
        assert_eq!(decode(&string), vec![plain(KeyCode::Enter)]);
    }

    /// Byte strings rich in the pieces escape sequences are made of, so random inputs reach
    /// deep into the decoder rather than mostly producing plain keys.
    fn input_bytes() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            any::<u8>().prop_map(|b| vec![b]),
            proptest::sample::select(vec![
                &b"\x1b"[..],
                b"\x1b[",
                b"\x1bO",
                b"\x1b]",
                b"\x1bP",
                b"\x1b_",
                b"\x1b\\",
                b"\x1b[200~",
                b"\x1b[201~",
                b"\x1b[<",
                b"\x1b[M",
                b"\x07",
                b";",
                b"1",
                b"5",
                b"~",
                b"A",
                b"M",
                b"m",
                b"R",
                b"c",
                b"?",
                b"$",
                b"\xc3",
                b"\xa9",
                b"\xe2\x82",
                b"\r",
                b"a",
            ])
            .prop_map(<[u8]>::to_vec),
        ];
        proptest::collection::vec(piece, 0..64).prop_map(|pieces| pieces.concat())
    }

    /// Cuts `bytes` at the given points, skipping any point right after an ESC.
    fn cut_without_trailing_esc(bytes: &[u8], mut points: Vec<usize>) -> Vec<&[u8]> {
        points.retain(|&p| p > 0 && p < bytes.len() && bytes[p - 1] != ESC);
        points.sort_unstable();
        points.dedup();
        let mut chunks = Vec::new();
        let mut start = 0;
        for point in points {
            chunks.push(&bytes[start..point]);
            start = point;
        }
        chunks.push(&bytes[start..]);
        chunks
    }

    /// One byte per chunk, except that an ESC is kept with the byte after it.
    fn bytewise_keeping_esc(bytes: &[u8]) -> Vec<&[u8]> {
        let mut chunks = Vec::new();
        let mut start = 0;
        for (at, &byte) in bytes.iter().enumerate() {
            if byte != ESC {
                chunks.push(&bytes[start..=at]);
                start = at + 1;
            }
        }
        if start < bytes.len() {
            chunks.push(&bytes[start..]);
        }
        chunks
    }

    /// Keys that survive encode-then-decode unchanged. Excluded: control characters as `Char`
    /// (they decode as Ctrl keys), Shift on characters (it is part of the character), Ctrl on
    /// characters without a unique control byte (C-i is Tab, C-m Enter, C-[ Escape, C-@ is
    /// C-Space, C-? is Backspace, C-2..C-8 alias other keys, others send the plain character),
    /// Alt + `[`, `O`, `]`, `P`, `_` (they start sequences), modifiers other than Alt on Enter,
    /// Tab, Backspace, Escape and BackTab, and function keys without an encoding.
    fn unambiguous_key() -> impl Strategy<Value = Key> {
        let printable = any::<char>().prop_filter("not a control", |&c| c >= ' ' && c != '\x7f');
        let chars = (printable, any::<bool>())
            .prop_filter("Alt + sequence introducer", |&(c, alt)| {
                !(alt && "[O]P_".contains(c))
            })
            .prop_map(|(c, alt)| Key::new(KeyCode::Char(c), Mods { alt, ..Mods::NONE }));
        let ctrl_chars = (
            proptest::sample::select("abcdefghjklnopqrstuvwxyz \\]^_".chars().collect::<Vec<_>>()),
            any::<bool>(),
        )
            .prop_map(|(c, alt)| {
                Key::new(
                    KeyCode::Char(c),
                    Mods {
                        ctrl: true,
                        alt,
                        shift: false,
                    },
                )
            });
        let simple = (
            proptest::sample::select(vec![
                KeyCode::Enter,
                KeyCode::Tab,
                KeyCode::Backspace,
                KeyCode::Escape,
                KeyCode::BackTab,
            ]),
            any::<bool>(),
        )
            .prop_map(|(code, alt)| Key::new(code, Mods { alt, ..Mods::NONE }));
        let special = (
            prop_oneof![
                proptest::sample::select(vec![
                    KeyCode::Up,
                    KeyCode::Down,
                    KeyCode::Left,
                    KeyCode::Right,
                    KeyCode::Home,
                    KeyCode::End,
                    KeyCode::PageUp,
                    KeyCode::PageDown,
                    KeyCode::Insert,
                    KeyCode::Delete,
                ]),
                (1u8..=12).prop_map(KeyCode::F),
            ],
            any::<(bool, bool, bool)>(),
        )
            .prop_map(|(code, (ctrl, alt, shift))| Key::new(code, Mods { ctrl, alt, shift }));
        prop_oneof![chars, ctrl_chars, simple, special]
    }

    proptest! {
        /// Arbitrary bytes never panic, and the decoder's buffers stay bounded whatever arrives.
        #[test]
        fn arbitrary_bytes_never_panic(chunks in proptest::collection::vec(
            prop_oneof![input_bytes(), proptest::collection::vec(any::<u8>(), 0..256)], 0..8)
        ) {
            let mut decoder = InputDecoder::new();
            for chunk in &chunks {
                decoder.feed(chunk);
                prop_assert!(decoder.pending.len() <= MAX_SEQUENCE + 2);
                prop_assert!(decoder.paste.len() <= MAX_PASTE);
            }
        }

        /// Chunking property (see the module docs): cutting the input anywhere except right
        /// after an ESC byte does not change the decoded events.
        #[test]
        fn chunking_does_not_change_events(
            bytes in input_bytes(),
            points in proptest::collection::vec(0usize..512, 0..16),
        ) {
            let whole = decode(&bytes);
            let chunks = cut_without_trailing_esc(&bytes, points);
            prop_assert_eq!(decode_chunks(&chunks), whole);
        }

        /// The same property for byte-at-a-time feeding, with each ESC kept together with the
        /// byte after it (the only chunk ending in ESC is then a trailing ESC run).
        #[test]
        fn bytewise_feeding_matches_one_feed(bytes in input_bytes()) {
            prop_assert_eq!(decode_chunks(&bytewise_keeping_esc(&bytes)), decode(&bytes));
        }

        /// Text without control bytes decodes to the characters `from_utf8_lossy` finds,
        /// provided the input does not end inside a character (that part waits for more).
        #[test]
        fn text_decodes_like_lossy_utf8(
            mut bytes in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            bytes.retain(|&b| b >= 0x20 && b != 0x7f);
            bytes.push(b'.');
            let want: Vec<_> = String::from_utf8_lossy(&bytes).chars().map(ch).collect();
            prop_assert_eq!(decode(&bytes), want);
        }

        /// decode(encode(key)) == key for every key the byte encoding represents unambiguously,
        /// in both cursor modes.
        #[test]
        fn encoded_keys_decode_to_themselves(
            key in unambiguous_key(),
            app_cursor in any::<bool>(),
        ) {
            let mut bytes = Vec::new();
            encode_key(key, KeyModes { app_cursor, ..KeyModes::default() }, &mut bytes);
            prop_assert_eq!(decode(&bytes), vec![InputEvent::Key(key)], "bytes {:?}", bytes);
        }
    }
}
