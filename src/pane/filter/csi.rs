//! The filter's CSI sequences: finding their end quickly (every colour change is one), and the
//! few it changes or reports because vt100 gets them wrong or ignores them: REP counts are
//! clamped, DECSET/DECRST 1047 and 1048 become sequences vt100 knows, ICH is followed by an ECH
//! so its blanks take the current background (xterm's BCE), insert mode (IRM, `CSI 4 h`) and
//! auto-wrap (DECAWM, `CSI ? 7 h`) are tracked for the printed text that follows, and tab
//! movements (CHT, CBT), tab clears (TBC) and the cursor saves of mode 1049 become [`Act`]s
//! for the emulator, which knows the screen. So do selective erase (DECSED, DECSEL, which vt100
//! would carry out as plain erases) and soft reset (DECSTR); blink (SGR 5, 6, 25) and
//! protection (DECSCA) are tracked for the text that follows.

use super::{Act, CAN, ESC, Filter, Out, Piece, SUB, State};

/// Where a CSI sequence is: its ESC in the current input if it began there, the start of its
/// parameters (0 when they began in an earlier read) and its final byte.
type Span = (Option<usize>, usize, usize);

/// The parameter bytes of one CSI sequence: those carried from earlier reads, then the rest.
#[derive(Clone, Copy)]
struct Params<'a> {
    carried: &'a [u8],
    rest: &'a [u8],
}

impl Params<'_> {
    /// The first parameter of a sequence whose only intermediate is `i` at its end, with no
    /// private marker (0 when empty); `None` for another sequence.
    fn with_intermediate(&self, i: u8) -> Option<u32> {
        let mut value = 0u32;
        let mut seen = false;
        for b in self.bytes() {
            match b {
                b'0'..=b'9' if !seen => {
                    value = value.saturating_mul(10).saturating_add(u32::from(b - b'0'));
                }
                _ if b == i && !seen => seen = true,
                b';' if !seen => {}
                // Controls, DEL and high bytes inside the sequence are not part of it.
                0x00..=0x1f | 0x7f.. => {}
                _ => return None,
            }
        }
        seen.then_some(value)
    }

    fn bytes(&self) -> impl Iterator<Item = u8> + Clone + '_ {
        self.carried.iter().chain(self.rest).copied()
    }

    /// Whether the sequence has the private marker `?` and nothing else unusual.
    fn dec_private(&self) -> bool {
        let mut rest = self.bytes().skip(1);
        self.bytes().next() == Some(b'?') && rest.all(|b| !other(b) && b != b':')
    }

    /// Whether the sequence is a plain one: no private marker and no intermediate.
    fn plain(&self) -> bool {
        self.bytes().all(|b| !other(b))
    }

    /// The first parameter of a plain sequence (0 when empty); `None` for another sequence.
    fn first(&self) -> Option<u32> {
        if !self.plain() {
            return None;
        }
        let mut value = 0u32;
        for b in self.bytes() {
            match b {
                b'0'..=b'9' => {
                    value = value.saturating_mul(10).saturating_add(u32::from(b - b'0'));
                }
                b':' | b';' => break,
                // Controls, DEL and high bytes inside the sequence are not part of it.
                _ => {}
            }
        }
        Some(value)
    }

    /// The first parameter of a plain sequence as a count: at least 1, at most what vte keeps.
    fn count(&self) -> Option<u16> {
        self.first().map(|n| n.clamp(1, u32::from(u16::MAX)) as u16)
    }
}

/// A private marker or an intermediate byte: either makes a sequence another one.
fn other(b: u8) -> bool {
    matches!(b, 0x20..=0x2f | b'<'..=b'?')
}

impl Filter {
    /// A CSI sequence from `at` up to its final byte or the end of the read, in one loop (it is
    /// the most common sequence by far: every colour change is one). Returns where it stopped.
    /// Parameters are read only for the few sequences the filter acts on, once their final
    /// byte is seen.
    pub(super) fn csi<F: FnMut(Piece<'_>)>(
        &mut self,
        out: &mut Out<'_, F>,
        mut at: usize,
    ) -> usize {
        let State::Csi { start, body } = self.state else {
            return at;
        };
        let input = out.input;
        loop {
            let Some(n) = end_of_parameters(&input[at..]) else {
                self.carry_csi(&input[body..]);
                return input.len();
            };
            at += n;
            let b = input[at];
            at += 1;
            match b {
                // SGR, the most common of all, with its parameters all in this read.
                b'm' if self.csi_carry.1 == 0 => {
                    self.state = State::Ground;
                    if let Some(blink) = sgr_blink(&input[body..at - 1], self.marks.blink) {
                        self.marks.blink = blink;
                    }
                    return at;
                }
                0x40..=0x7e => {
                    self.state = State::Ground;
                    if matches!(
                        b,
                        b'b' | b'h'
                            | b'l'
                            | b'@'
                            | b'I'
                            | b'Z'
                            | b'g'
                            | b'm'
                            | b'q'
                            | b'J'
                            | b'K'
                            | b'p'
                    ) {
                        self.final_byte(out, (start, body, at - 1));
                    }
                    return at;
                }
                ESC | CAN | SUB => {
                    self.control(b);
                    return at;
                }
                // Other controls act without ending the sequence; DEL and bytes above 0x7f
                // are ignored in it, as in vte.
                _ => self.control(b),
            }
        }
    }

    /// Keeps the parameters of a CSI sequence that continues in the next read.
    fn carry_csi(&mut self, bytes: &[u8]) {
        let (buf, len) = &mut self.csi_carry;
        let have = usize::from(*len);
        if *len == u8::MAX || have + bytes.len() > buf.len() {
            *len = u8::MAX;
            return;
        }
        buf[have..have + bytes.len()].copy_from_slice(bytes);
        *len = (have + bytes.len()) as u8;
    }

    /// A sequence the filter may act on ended at `span`'s final byte.
    fn final_byte<F: FnMut(Piece<'_>)>(&mut self, out: &mut Out<'_, F>, span: Span) {
        let (carry, carried) = self.csi_carry;
        self.csi_carry.1 = 0;
        let (_, body, fin) = span;
        let input = out.input;
        let Some(carried) = carry.get(..usize::from(carried)) else {
            // Too long to have kept: only a REP needs an answer then, the worst case.
            if input[fin] == b'b' {
                self.clamp_rep(out, span, u32::MAX);
            }
            return;
        };
        let params = Params {
            carried,
            rest: &input[body..fin],
        };
        match input[fin] {
            b'b' => {
                if let Some(n) = params.first() {
                    self.clamp_rep(out, span, n.max(1));
                }
            }
            b'h' | b'l' if params.dec_private() => self.dec_modes(out, span, params),
            b'h' | b'l' if params.plain() => {
                // IRM is the only ANSI mode that changes what printing does.
                each_mode(params.bytes(), |m| {
                    if m == 4 {
                        self.insert = input[fin] == b'h';
                    }
                });
            }
            b'@' => {
                // ICH: vt100 inserts default blanks; an ECH of the same count at the same
                // place gives them the current attributes, as xterm does.
                if let Some(n) = params.count() {
                    out.replace(fin + 1, 0, format!("\x1b[{n}X").as_bytes());
                }
            }
            b'I' => {
                if let Some(n) = params.count() {
                    out.piece(fin + 1, Piece::Act(Act::Tab(n)));
                }
            }
            b'Z' => {
                if let Some(n) = params.count() {
                    out.piece(fin + 1, Piece::Act(Act::BackTab(n)));
                }
            }
            b'g' => match params.first() {
                Some(0) => out.piece(fin + 1, Piece::Act(Act::ClearTab)),
                Some(3) => out.piece(fin + 1, Piece::Act(Act::ClearTabs)),
                _ => {}
            },
            b'm' => self.sgr(params),
            b'q' => {
                // DECSCA: `CSI Ps " q`.
                if let Some(n) = params.with_intermediate(b'"') {
                    self.marks.protect = n == 1;
                }
            }
            b'J' | b'K' if params.dec_private() => self.selective_erase(out, span, params),
            b'p' if params.with_intermediate(b'!') == Some(0) => {
                self.soft_reset();
                out.piece(fin + 1, Piece::Act(Act::SoftReset));
            }
            _ => {}
        }
    }

    /// SGR whose parameters began in an earlier read (`csi` takes the others itself): only
    /// blink matters to the filter (see [`blink_after`]).
    fn sgr(&mut self, params: Params) {
        if let Some(blink) = blink_after(params.bytes(), self.marks.blink) {
            self.marks.blink = blink;
        }
    }

    /// DECSED and DECSEL (`CSI ? Ps J`, `CSI ? Ps K`): vt100 would erase everything, so the
    /// sequence is taken out (or, when part of it went out already or controls are inside it,
    /// ended as an unknown one) and reported for the layer, which spares protected cells.
    fn selective_erase<F: FnMut(Piece<'_>)>(
        &mut self,
        out: &mut Out<'_, F>,
        span: Span,
        params: Params,
    ) {
        let (start, _, fin) = span;
        let mut first = None;
        each_param(params.bytes().skip(1), |value, _| {
            first.get_or_insert(value);
        });
        let start = start.filter(|&at| clean(&out.input[at..fin]));
        match start {
            Some(start) => out.replace(start, fin + 1 - start, b""),
            None => out.replace(fin, 1, b"z"),
        }
        if let Some(mode @ 0..=2) = first {
            let act = Act::SelectiveErase {
                line: out.input[fin] == b'K',
                mode: mode as u8,
                origin: self.origin,
            };
            out.piece(fin + 1, Piece::Act(act));
        }
    }

    /// A REP whose `count` is over the line width (`rep_max`, kept by `run`) is clamped to it,
    /// or dropped when its beginning went out with an earlier read.
    fn clamp_rep<F: FnMut(Piece<'_>)>(&mut self, out: &mut Out<'_, F>, span: Span, count: u32) {
        let rep_max = self.rep_max;
        if count <= u32::from(rep_max) {
            return;
        }
        match span {
            (Some(start), _, fin) => {
                let clamped = format!("\x1b[{}b", rep_max.max(1));
                out.replace(start, fin + 1 - start, clamped.as_bytes());
            }
            (None, _, fin) => out.replace(fin, 1, b"z"),
        }
    }

    /// DECSET and DECRST. Modes 1047 (the alternate screen, cleared on leaving it) and 1048
    /// (save or restore the cursor), which vt100 does not know, become what it does know: mode
    /// 47, ED 2, DECSC and DECRC; other modes set in the same sequence keep a sequence each.
    /// Auto-wrap (7) is noted for the text that follows, and the cursor saves and restores
    /// (1048, 1049) are reported after the sequence for the attributes vt100 keeps only once.
    fn dec_modes<F: FnMut(Piece<'_>)>(&mut self, out: &mut Out<'_, F>, span: Span, params: Params) {
        let (start, _, fin) = span;
        let set = out.input[fin] == b'h';
        let modes = || params.bytes().skip(1);
        let mut acts = Vec::new();
        let mut rewrite = false;
        each_mode(modes(), |m| match m {
            3 => acts.push(Act::ColumnMode),
            6 => self.origin = set,
            7 => self.no_wrap = !set,
            1047 => rewrite = true,
            1048 => {
                rewrite = true;
                acts.push(if set {
                    Act::SaveCursor
                } else {
                    Act::RestoreCursor
                });
            }
            1049 => acts.push(if set {
                Act::EnterAlternate
            } else {
                Act::LeaveAlternate
            }),
            _ => {}
        });
        if rewrite {
            self.rewrite_modes(out, (start, fin), set, modes());
        }
        for act in acts {
            out.piece(fin + 1, Piece::Act(act));
        }
    }

    /// Replaces a DECSET or DECRST holding mode 1047 or 1048 (see [`Self::dec_modes`]).
    fn rewrite_modes<F: FnMut(Piece<'_>)>(
        &mut self,
        out: &mut Out<'_, F>,
        (start, fin): (Option<usize>, usize),
        set: bool,
        modes: impl Iterator<Item = u8>,
    ) {
        // The whole sequence is replaced when it is all in this read and holds nothing else
        // (vte carries out C0 controls met inside a sequence, and an ESC may be followed by
        // one before its `[`). Otherwise what went out, or must go out, is ended as an unknown
        // sequence and the replacement follows it.
        let start = start.filter(|&at| clean(&out.input[at..fin]));
        let mut with = if start.is_none() {
            b"z".to_vec()
        } else {
            Vec::new()
        };
        each_mode(modes, |m| match (m, set) {
            (1047, true) => with.extend_from_slice(b"\x1b[?47h"),
            (1047, false) => with.extend_from_slice(b"\x1b[?47h\x1b[2J\x1b[?47l"),
            (1048, true) => {
                self.save();
                with.extend_from_slice(b"\x1b7");
            }
            (1048, false) => {
                self.restore();
                with.extend_from_slice(b"\x1b8");
            }
            (m, _) => {
                let end = if set { 'h' } else { 'l' };
                with.extend_from_slice(format!("\x1b[?{m}{end}").as_bytes());
            }
        });
        match start {
            Some(start) => out.replace(start, fin + 1 - start, &with),
            None => out.replace(fin, 1, &with),
        }
    }
}

/// Whether `seq` (a CSI sequence up to its final byte) is whole, `ESC [` and no controls
/// inside: vte carries out C0 controls met inside a sequence, and an ESC may be followed by one
/// before its `[`, so only such a sequence may be taken out whole.
fn clean(seq: &[u8]) -> bool {
    seq.get(..2) == Some(b"\x1b[") && !seq[2..].iter().any(|&b| b < 0x20 || b == 0x7f)
}

/// What the SGR walk skips: nothing, the kind of an extended colour, or its parameters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Skip {
    None,
    Colour,
    Params(u8),
}

/// [`blink_after`] for parameters all in one slice, with a quicker way through the common
/// lists: digits and `;` only, extended colours spelled out (`38;5;n`, `38;2;r;g;b`, also for 48
/// and 58). Anything else goes the long way, from the start.
fn sgr_blink(params: &[u8], blink: bool) -> Option<bool> {
    match common_sgr_blink(params, blink) {
        Some(blink) => Some(blink),
        None => blink_after(params.iter().copied(), blink),
    }
}

/// Blink after an SGR whose parameters are a common list (see [`sgr_blink`]), or `None` for
/// any other list.
fn common_sgr_blink(mut rest: &[u8], mut blink: bool) -> Option<bool> {
    loop {
        // An extended colour: its kind says how many parameters to step over, unread.
        let fields = match rest {
            [b'3' | b'4' | b'5', b'8', b';', b'5', b';', ..] => 1,
            [b'3' | b'4' | b'5', b'8', b';', b'2', b';', ..] => 3,
            _ => 0,
        };
        if fields > 0 {
            rest = &rest[5..];
            for field in 0..fields {
                let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
                rest = &rest[digits..];
                match rest {
                    [] => return Some(blink),
                    [b';', tail @ ..] if field + 1 < fields => rest = tail,
                    [b';', ..] => {}
                    _ => return None,
                }
            }
        } else {
            // A plain parameter, at most three digits (empty is 0).
            let digits = rest
                .iter()
                .take(4)
                .take_while(|b| b.is_ascii_digit())
                .count();
            let value = rest[..digits]
                .iter()
                .fold(0u32, |v, &b| v * 10 + u32::from(b - b'0'));
            match (digits, value) {
                (4, _) | (_, 38 | 48 | 58) => return None,
                (_, 0 | 25) => blink = false,
                (_, 5 | 6) => blink = true,
                _ => {}
            }
            rest = &rest[digits..];
        }
        match rest {
            [] => return Some(blink),
            [b';', tail @ ..] => {
                rest = tail;
                if rest.is_empty() {
                    // A trailing `;` ends with an empty parameter, a reset.
                    return Some(false);
                }
            }
            _ => return None,
        }
    }
}

/// Whether blink is on after an SGR with these parameter bytes, from `blink` before it; `None`
/// when the sequence is not a plain SGR (a private marker or an intermediate makes it another
/// one). Parameters are read by [`each_param`]: 5 and 6 turn blink on, 0 and 25 off, and
/// the parameters of extended colours (`38;5;n`, `38;2;r;g;b`) and sub-parameters
/// (`38:5:5`) are skipped so their numbers do not count.
fn blink_after(bytes: impl Iterator<Item = u8> + Clone, mut blink: bool) -> Option<bool> {
    if bytes.clone().any(other) {
        return None;
    }
    let mut skip = Skip::None;
    each_param(bytes, |value, sub| {
        skip = match skip {
            Skip::Params(n) if n > 1 => Skip::Params(n - 1),
            Skip::Params(_) => Skip::None,
            Skip::Colour => match value {
                5 => Skip::Params(1),
                2 => Skip::Params(3),
                _ => Skip::None,
            },
            Skip::None if sub => Skip::None,
            Skip::None => match value {
                0 | 25 => {
                    blink = false;
                    Skip::None
                }
                5 | 6 => {
                    blink = true;
                    Skip::None
                }
                38 | 48 | 58 => Skip::Colour,
                _ => Skip::None,
            },
        };
    });
    Some(blink)
}

/// Calls `f` with each top-level parameter of a list (empty ones are 0) and whether it had
/// sub-parameters (`38:5:1` is one parameter).
fn each_param(params: impl Iterator<Item = u8>, mut f: impl FnMut(u32, bool)) {
    let mut value = 0u32;
    let mut sub = false;
    for b in params {
        match b {
            b'0'..=b'9' if !sub => {
                value = value.saturating_mul(10).saturating_add(u32::from(b - b'0'));
            }
            b':' => sub = true,
            b';' => {
                f(value, sub);
                value = 0;
                sub = false;
            }
            _ => {}
        }
    }
    f(value, sub);
}

/// Where the first byte that is not a CSI parameter or intermediate byte (0x20 to 0x3f) is,
/// eight bytes at a time: an SGR sequence is mostly parameters.
pub(super) fn end_of_parameters(bytes: &[u8]) -> Option<usize> {
    const HIGH3: u64 = 0xe0e0_e0e0_e0e0_e0e0;
    const SPACES: u64 = 0x2020_2020_2020_2020;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const TOP: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in words.by_ref() {
        let mut w = [0; 8];
        w.copy_from_slice(word);
        // Zero in the bytes that are 0x20..=0x3f, non-zero elsewhere.
        let other = (u64::from_le_bytes(w) & HIGH3) ^ SPACES;
        if other != 0 {
            // The top bit of each byte that is non-zero; the lowest one is the first.
            let marks = (((other & LOW7) + LOW7) | other) & TOP;
            return Some(at + (marks.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = words.remainder();
    rest.iter().position(|&b| b & 0xe0 != 0x20).map(|n| at + n)
}

/// Calls `f` with each mode number of a DECSET or DECRST parameter list (after its `?`), or
/// of an SM or RM one.
fn each_mode(params: impl Iterator<Item = u8>, mut f: impl FnMut(u32)) {
    let mut mode = 0u32;
    let mut in_number = false;
    for b in params {
        match b {
            b'0'..=b'9' => {
                mode = mode.saturating_mul(10).saturating_add(u32::from(b - b'0'));
                in_number = true;
            }
            b';' => {
                if in_number {
                    f(mode);
                }
                mode = 0;
                in_number = false;
            }
            // Controls, DEL and high bytes inside the sequence are not part of it.
            _ => {}
        }
    }
    if in_number {
        f(mode);
    }
}

#[cfg(test)]
mod tests {
    use super::{blink_after, sgr_blink};

    /// The quick way through common SGR lists agrees with the full walk on every list of up to
    /// six bytes from the ones that matter, and on longer colour lists, from either blink state.
    #[test]
    fn quick_sgr_blink_agrees_with_the_full_walk() {
        const ALPHABET: &[u8] = b"0123568;:";
        let mut lists: Vec<Vec<u8>> = vec![Vec::new()];
        let mut last = lists.clone();
        for _ in 0..6 {
            last = last
                .iter()
                .flat_map(|l| ALPHABET.iter().map(move |&b| [l.as_slice(), &[b]].concat()))
                .collect();
            lists.extend(last.iter().cloned());
        }
        for colour in [
            "38;5;5",
            "48;2;5;6;0",
            "58;2;1;;25",
            "38;5;1;5",
            "38;2;1;2;3;6",
        ] {
            for tail in [
                "", ";", ";5", ";25", ";0;6", ";1", ":5", "\x07;5", ";1234;5", ";38;5",
            ] {
                lists.push(format!("{colour}{tail}").into_bytes());
                lists.push(format!("5;{colour}{tail}").into_bytes());
            }
        }
        for list in &lists {
            for blink in [false, true] {
                assert_eq!(
                    sgr_blink(list, blink),
                    blink_after(list.iter().copied(), blink),
                    "{:?} from blink {blink}",
                    String::from_utf8_lossy(list)
                );
            }
        }
    }
}
