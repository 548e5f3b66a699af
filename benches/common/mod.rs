//! Deterministic inputs shared by the criterion benches: the kinds of output apps print, built in
//! code from a fixed seed so every run (and every machine) measures the same bytes.
//!
//! Each bench target compiles this module separately and uses only part of it.
#![allow(dead_code)]

use std::fmt::Write as _;

/// A small xorshift generator: reproducible, dependency-free, good enough to vary the text.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "compiling",
    "server",
    "request",
    "GET",
    "/api/v1/users",
    "200",
    "ok",
    "warning:",
    "unused",
    "variable",
    "thread",
    "main",
    "finished",
    "release",
    "target",
    "in",
    "0.42s",
    "debug",
    "info",
    "listening",
    "on",
    "127.0.0.1:8080",
    "connection",
    "closed",
    "retry",
    "error[E0308]:",
];

/// CJK ideographs and kana: two columns each.
const CJK: &[char] = &[
    '中', '文', '字', '符', '测', '试', '終', '端', '日', '本', '語', 'ア', 'プ', 'リ', '한', '국',
];

/// Emoji that terminals draw two columns wide.
const EMOJI: &[char] = &['😀', '🚀', '🔥', '✅', '📦', '🐍', '🦀', '🎉', '💡', '🌍'];

fn words(rng: &mut Rng, out: &mut String, n: usize) {
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
    }
}

/// Typical mixed output, about `len` bytes: plain log lines, lines with 16-colour and 256-colour
/// SGR, lines with CJK text, and long lines that wrap several times at 120 columns.
pub fn mixed(len: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x5eed_0001);
    let mut s = String::with_capacity(len + 1024);
    let mut n = 0u64;
    while s.len() < len {
        n += 1;
        match rng.below(10) {
            0..=3 => {
                let _ = write!(s, "{n:>6} ");
                let count = 4 + rng.below(10) as usize;
                words(&mut rng, &mut s, count);
            }
            4..=5 => {
                let _ = write!(s, "\x1b[1;3{}m{n:>6}\x1b[0m ", 1 + rng.below(7));
                let count = 3 + rng.below(6) as usize;
                words(&mut rng, &mut s, count);
                let _ = write!(s, " \x1b[38;5;{}m", rng.below(256));
                words(&mut rng, &mut s, 3);
                s.push_str("\x1b[m");
            }
            6..=7 => {
                let _ = write!(s, "{n:>6} ");
                for _ in 0..(10 + rng.below(30)) {
                    s.push(CJK[rng.below(CJK.len() as u64) as usize]);
                }
                s.push(' ');
                words(&mut rng, &mut s, 3);
            }
            _ => {
                // Several screen widths of text with no newline: exercises wrapping.
                let count = 60 + rng.below(60) as usize;
                words(&mut rng, &mut s, count);
            }
        }
        s.push_str("\r\n");
    }
    s.into_bytes()
}

/// Worst case for attributes: every printed cell has its own 256-colour or truecolour
/// foreground and background.
pub fn sgr_heavy(len: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x5eed_0002);
    let mut s = String::with_capacity(len + 1024);
    let mut col = 0;
    while s.len() < len {
        let c = char::from(b'!' + rng.below(94) as u8);
        if rng.below(2) == 0 {
            let _ = write!(
                s,
                "\x1b[38;5;{};48;5;{}m{c}",
                rng.below(256),
                rng.below(256)
            );
        } else {
            let (r, g, b) = (rng.below(256), rng.below(256), rng.below(256));
            let _ = write!(s, "\x1b[38;2;{r};{g};{b};48;2;{b};{r};{g}m{c}");
        }
        col += 1;
        if col == 100 {
            s.push_str("\x1b[m\r\n");
            col = 0;
        }
    }
    s.into_bytes()
}

/// Wide characters almost everywhere: CJK and emoji, some lines wrapping, some colour.
pub fn wide_heavy(len: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x5eed_0003);
    let mut s = String::with_capacity(len + 1024);
    while s.len() < len {
        let count = 20 + rng.below(100);
        if rng.below(4) == 0 {
            let _ = write!(s, "\x1b[3{}m", 1 + rng.below(7));
        }
        for _ in 0..count {
            if rng.below(4) == 0 {
                s.push(EMOJI[rng.below(EMOJI.len() as u64) as usize]);
            } else {
                s.push(CJK[rng.below(CJK.len() as u64) as usize]);
            }
        }
        s.push_str("\x1b[m\r\n");
    }
    s.into_bytes()
}

/// Redraws a whole `cols` x `rows` screen with 256-colour words on background `bg`. Two screens
/// with different backgrounds differ in every cell.
pub fn coloured_screen(cols: u16, rows: u16, seed: u64, bg: u8) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut s = format!("\x1b[48;5;{bg}m\x1b[H\x1b[2J");
    for row in 0..rows {
        let _ = write!(s, "\x1b[{};1H", row + 1);
        coloured_line(&mut rng, &mut s, cols);
    }
    s.push_str("\x1b[m");
    s.into_bytes()
}

/// Appends exactly `cols` cells of 256-colour words (the last one cut to fit).
pub fn coloured_line(rng: &mut Rng, s: &mut String, cols: u16) {
    let mut col = 0u16;
    while col < cols {
        let word = WORDS[rng.below(WORDS.len() as u64) as usize];
        let word = &word[..word.len().min(usize::from(cols - col))];
        let _ = write!(s, "\x1b[38;5;{}m{word}", rng.below(256));
        col += word.len() as u16;
        if col < cols {
            s.push(' ');
            col += 1;
        }
    }
}
