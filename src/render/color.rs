//! Colours a client's terminal can show: how many it has ([`depth`], from what the client
//! reported about its environment) and the nearest colour it can show for any other
//! ([`downsample`], [`downsample_buffer`]).
//!
//! This module owns only that mapping. It must not read the environment itself (the client
//! reports `TERM`, `COLORTERM` and `NO_COLOR`, and the server asks here) and must not decide
//! what anything is coloured (themes do). The renderer downsamples a composed frame before
//! diffing it, so everything drawn — themes, and app output copied from panes — gets the same
//! treatment.
//!
//! Nearest means the smallest squared distance in RGB. For 256 colours the candidates are the
//! xterm 6×6×6 cube and grey ramp (indices 16–255), whose values are fixed; the first 16 are
//! left out because every terminal sets them differently. For 16 colours the candidates are the
//! ANSI colours with the classic VGA values, since the user's real palette is unknown; with
//! those, pure red, green and blue map to the normal (not bright) colours.

use ratatui::buffer::Buffer;
use ratatui::style::Color;

/// How many colours a terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    TrueColor,
    Ansi256,
    Ansi16,
    /// No colour at all: `NO_COLOR`, or a `dumb` terminal. Attributes (bold, reverse ...) stay.
    None,
}

impl ColorDepth {
    pub const ALL: [ColorDepth; 4] = [
        ColorDepth::TrueColor,
        ColorDepth::Ansi256,
        ColorDepth::Ansi16,
        ColorDepth::None,
    ];
}

/// The depth from what the client reported: `NO_COLOR` set and non-empty (the caller passes
/// that as `no_color`) or `TERM=dumb` → None; `COLORTERM` `truecolor` or `24bit`, or a
/// `TERM` ending in `-direct` → TrueColor; a `TERM` containing `256color` → Ansi256; else
/// Ansi16.
pub fn depth(term: &str, colorterm: &str, no_color: bool) -> ColorDepth {
    let colorterm = colorterm.trim().to_ascii_lowercase();
    if no_color || term == "dumb" {
        ColorDepth::None
    } else if colorterm == "truecolor" || colorterm == "24bit" || term.ends_with("-direct") {
        ColorDepth::TrueColor
    } else if term.contains("256color") {
        ColorDepth::Ansi256
    } else {
        ColorDepth::Ansi16
    }
}

/// The 16 ANSI colours in index order, with the values they are compared by.
const ANSI16: [(Color, [u8; 3]); 16] = [
    (Color::Black, [0, 0, 0]),
    (Color::Red, [170, 0, 0]),
    (Color::Green, [0, 170, 0]),
    (Color::Yellow, [170, 170, 0]),
    (Color::Blue, [0, 0, 170]),
    (Color::Magenta, [170, 0, 170]),
    (Color::Cyan, [0, 170, 170]),
    (Color::Gray, [170, 170, 170]),
    (Color::DarkGray, [85, 85, 85]),
    (Color::LightRed, [255, 85, 85]),
    (Color::LightGreen, [85, 255, 85]),
    (Color::LightYellow, [255, 255, 85]),
    (Color::LightBlue, [85, 85, 255]),
    (Color::LightMagenta, [255, 85, 255]),
    (Color::LightCyan, [85, 255, 255]),
    (Color::White, [255, 255, 255]),
];

/// The channel values of the xterm 6×6×6 cube.
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// The colour `c` as `depth` can show it. Colours the terminal can show are returned
/// unchanged; with `ColorDepth::None` every colour becomes `Color::Reset`.
pub fn downsample(c: Color, depth: ColorDepth) -> Color {
    match (depth, c) {
        (ColorDepth::TrueColor, _) | (_, Color::Reset) => c,
        (ColorDepth::None, _) => Color::Reset,
        (ColorDepth::Ansi256, Color::Rgb(r, g, b)) => Color::Indexed(nearest_256([r, g, b])),
        (ColorDepth::Ansi16, Color::Rgb(r, g, b)) => nearest_16([r, g, b]),
        (ColorDepth::Ansi16, Color::Indexed(i)) => match ANSI16.get(usize::from(i)) {
            Some(&(named, _)) => named,
            None => nearest_16(xterm_rgb(i)),
        },
        // Named colours, and indexed ones on a 256-colour terminal.
        _ => c,
    }
}

/// Downsamples the foreground, background and underline colour of every cell in place.
pub fn downsample_buffer(buf: &mut Buffer, depth: ColorDepth) {
    if depth == ColorDepth::TrueColor {
        return;
    }
    for cell in &mut buf.content {
        cell.fg = downsample(cell.fg, depth);
        cell.bg = downsample(cell.bg, depth);
        cell.underline_color = downsample(cell.underline_color, depth);
    }
}

fn distance(a: [u8; 3], b: [u8; 3]) -> u32 {
    a.iter()
        .zip(b)
        .map(|(&x, y)| (i32::from(x) - i32::from(y)).unsigned_abs().pow(2))
        .sum()
}

/// The index of the cube level nearest to one channel value.
fn cube_level(v: u8) -> usize {
    (0..CUBE.len())
        .min_by_key(|&i| (i32::from(CUBE[i]) - i32::from(v)).unsigned_abs())
        .unwrap_or(0)
}

/// The nearest of xterm's indices 16–255: the nearest cube entry (channel by channel, which
/// is the nearest in the cube because the distance is a sum over channels) or the nearest
/// step of the grey ramp, whichever is closer.
fn nearest_256(rgb: [u8; 3]) -> u8 {
    let levels = rgb.map(cube_level);
    let cube_index = 16 + 36 * levels[0] + 6 * levels[1] + levels[2];
    let cube = distance(rgb, levels.map(|l| CUBE[l]));
    let mean = rgb.iter().map(|&v| u32::from(v)).sum::<u32>() / 3;
    // Ramp step n (0..=23) is grey 8 + 10n.
    let step = (mean.saturating_sub(3) / 10).min(23);
    let grey = [step, (step + 1).min(23)]
        .into_iter()
        .map(|s| (s, distance(rgb, [(8 + 10 * s) as u8; 3])))
        .min_by_key(|&(_, d)| d)
        .unwrap_or((step, u32::MAX));
    // Indices are at most 255 by construction (cube 16..=231, ramp 232..=255).
    if grey.1 < cube {
        232 + grey.0 as u8
    } else {
        cube_index as u8
    }
}

/// The nearest of the 16 ANSI colours.
fn nearest_16(rgb: [u8; 3]) -> Color {
    ANSI16
        .iter()
        .min_by_key(|(_, value)| distance(rgb, *value))
        .map_or(Color::Reset, |&(named, _)| named)
}

/// The RGB value of an xterm 256-colour index; the first 16 use the values in `ANSI16`.
fn xterm_rgb(i: u8) -> [u8; 3] {
    match i {
        0..=15 => ANSI16[usize::from(i)].1,
        16..=231 => {
            let n = usize::from(i - 16);
            [CUBE[n / 36], CUBE[n / 6 % 6], CUBE[n % 6]]
        }
        _ => [8 + 10 * (i - 232); 3],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::{Modifier, Style};

    #[test]
    fn depth_follows_the_environment() {
        assert_eq!(
            depth("xterm-256color", "truecolor", false),
            ColorDepth::TrueColor
        );
        assert_eq!(depth("xterm", "24bit", false), ColorDepth::TrueColor);
        assert_eq!(depth("xterm-direct", "", false), ColorDepth::TrueColor);
        assert_eq!(depth("tmux-256color", "", false), ColorDepth::Ansi256);
        assert_eq!(depth("xterm", "", false), ColorDepth::Ansi16);
        assert_eq!(depth("linux", "yes", false), ColorDepth::Ansi16);
        assert_eq!(depth("xterm-256color", "truecolor", true), ColorDepth::None);
        assert_eq!(depth("dumb", "", false), ColorDepth::None);
    }

    #[test]
    fn rgb_to_256_picks_the_cube_or_the_grey_ramp() {
        let to256 = |r, g, b| downsample(Color::Rgb(r, g, b), ColorDepth::Ansi256);
        assert_eq!(to256(255, 0, 0), Color::Indexed(196));
        assert_eq!(to256(0, 255, 0), Color::Indexed(46));
        assert_eq!(to256(0, 0, 255), Color::Indexed(21));
        assert_eq!(to256(0, 0, 0), Color::Indexed(16));
        assert_eq!(to256(255, 255, 255), Color::Indexed(231));
        // Greys between the cube's levels land on the ramp.
        assert_eq!(to256(128, 128, 128), Color::Indexed(244));
        assert_eq!(to256(30, 30, 30), Color::Indexed(234));
        assert_eq!(to256(238, 238, 238), Color::Indexed(255));
        // Mid colours: Nord's frost blue, an orange, a near-cube purple.
        assert_eq!(to256(0x88, 0xc0, 0xd0), Color::Indexed(110));
        assert_eq!(to256(255, 135, 0), Color::Indexed(208));
        assert_eq!(to256(130, 90, 180), Color::Indexed(97));
    }

    #[test]
    fn rgb_to_16_picks_the_nearest_ansi_colour() {
        let to16 = |r, g, b| downsample(Color::Rgb(r, g, b), ColorDepth::Ansi16);
        assert_eq!(to16(255, 0, 0), Color::Red);
        assert_eq!(to16(0, 255, 0), Color::Green);
        assert_eq!(to16(0, 0, 255), Color::Blue);
        assert_eq!(to16(0, 0, 0), Color::Black);
        assert_eq!(to16(255, 255, 255), Color::White);
        assert_eq!(to16(128, 128, 128), Color::Gray);
        assert_eq!(to16(60, 60, 60), Color::DarkGray);
        assert_eq!(to16(255, 165, 0), Color::Yellow);
        assert_eq!(to16(255, 100, 100), Color::LightRed);
        assert_eq!(to16(0x2e, 0x34, 0x40), Color::DarkGray);
    }

    #[test]
    fn indexed_colours_are_kept_or_mapped() {
        assert_eq!(
            downsample(Color::Indexed(200), ColorDepth::Ansi256),
            Color::Indexed(200)
        );
        assert_eq!(
            downsample(Color::Indexed(1), ColorDepth::Ansi16),
            Color::Red
        );
        assert_eq!(
            downsample(Color::Indexed(15), ColorDepth::Ansi16),
            Color::White
        );
        assert_eq!(
            downsample(Color::Indexed(196), ColorDepth::Ansi16),
            Color::Red
        );
        assert_eq!(
            downsample(Color::Indexed(21), ColorDepth::Ansi16),
            Color::Blue
        );
        assert_eq!(
            downsample(Color::Indexed(232), ColorDepth::Ansi16),
            Color::Black
        );
        assert_eq!(
            downsample(Color::Indexed(255), ColorDepth::Ansi16),
            Color::White
        );
    }

    #[test]
    fn every_index_survives_the_round_trip_through_rgb() {
        for i in 16..=255u8 {
            assert_eq!(nearest_256(xterm_rgb(i)), i, "index {i}");
        }
    }

    #[test]
    fn named_and_reset_are_kept_except_without_colour() {
        for depth in [
            ColorDepth::TrueColor,
            ColorDepth::Ansi256,
            ColorDepth::Ansi16,
        ] {
            assert_eq!(downsample(Color::Cyan, depth), Color::Cyan);
            assert_eq!(downsample(Color::Reset, depth), Color::Reset);
        }
        assert_eq!(
            downsample(Color::Rgb(1, 2, 3), ColorDepth::TrueColor),
            Color::Rgb(1, 2, 3)
        );
        for c in [Color::Cyan, Color::Rgb(1, 2, 3), Color::Indexed(9)] {
            assert_eq!(downsample(c, ColorDepth::None), Color::Reset);
        }
    }

    #[test]
    fn buffers_lose_colours_but_keep_attributes() {
        let area = Rect::new(0, 0, 3, 1);
        let mut buf = Buffer::empty(area);
        let style = Style::new()
            .fg(Color::Rgb(255, 0, 0))
            .bg(Color::Indexed(21))
            .underline_color(Color::Green)
            .add_modifier(Modifier::BOLD | Modifier::REVERSED);
        buf.set_style(area, style);

        let mut ansi = buf.clone();
        downsample_buffer(&mut ansi, ColorDepth::Ansi16);
        let cell = &ansi[(1, 0)];
        assert_eq!(
            (cell.fg, cell.bg, cell.underline_color),
            (Color::Red, Color::Blue, Color::Green)
        );

        downsample_buffer(&mut buf, ColorDepth::None);
        let cell = &buf[(2, 0)];
        assert_eq!(
            (cell.fg, cell.bg, cell.underline_color),
            (Color::Reset, Color::Reset, Color::Reset)
        );
        assert_eq!(cell.modifier, Modifier::BOLD | Modifier::REVERSED);
    }
}
