//! Things drawn over the panes: the pager (an app's log, the help list), searchable and
//! scrollable; and the text helpers it needs to show logs, which hold raw terminal output.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

/// A scrollable, searchable list of lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pager {
    pub title: String,
    pub lines: Vec<String>,
    /// Index of the first line shown.
    pub top: usize,
    /// The active search term; matches are highlighted.
    pub search: Option<String>,
    /// When each line began (a log's, from its index, as text): empty when the text has no
    /// times.
    pub times: Vec<Option<String>>,
    /// Whether lines are shown with their times (`t` toggles).
    pub show_times: bool,
}

impl Pager {
    pub fn new(title: String, lines: Vec<String>) -> Self {
        Self {
            title,
            lines,
            top: 0,
            search: None,
            times: Vec::new(),
            show_times: false,
        }
    }

    /// A pager over lines that each carry the time they began, shown without times at first.
    pub fn with_times(title: String, lines: Vec<(Option<String>, String)>) -> Self {
        let (times, lines) = lines.into_iter().unzip();
        Self {
            times,
            ..Self::new(title, lines)
        }
    }

    /// Shows or hides the times, when the lines have them.
    pub fn toggle_times(&mut self) {
        self.show_times = !self.show_times && !self.times.is_empty();
    }

    /// What goes before line `i`: its time, blank when unknown, or nothing while times are
    /// hidden.
    fn prefix(&self, i: usize) -> String {
        if !self.show_times {
            return String::new();
        }
        match self.times.get(i).and_then(Option::as_deref) {
            Some(t) => format!("{t:<TIME_WIDTH$} "),
            None => " ".repeat(TIME_WIDTH + 1),
        }
    }

    /// Rows of text in an area of `height` rows: one row is the title and, when there is
    /// room, the last one holds the key help.
    fn text_rows(height: u16) -> u16 {
        if height > 2 {
            height - 2
        } else {
            height.saturating_sub(1)
        }
    }

    /// Lines of text visible in an area of `height` rows, so that a page down shows the line
    /// after the last one shown, and the end shows the last line.
    pub fn page(height: u16) -> usize {
        usize::from(Self::text_rows(height)).max(1)
    }

    pub fn scroll(&mut self, delta: isize, height: u16) {
        let max = self.lines.len().saturating_sub(Self::page(height));
        self.top = self.top.saturating_add_signed(delta).min(max);
    }

    pub fn to_end(&mut self, height: u16) {
        self.top = self.lines.len().saturating_sub(Self::page(height));
    }

    /// Moves to the next (or previous) line containing the search term, wrapping around.
    pub fn find(&mut self, forward: bool) -> bool {
        let Some(term) = self.search.clone().filter(|t| !t.is_empty()) else {
            return false;
        };
        let n = self.lines.len();
        for step in 1..=n {
            let i = if forward {
                (self.top + step) % n
            } else {
                (self.top + n - step % n) % n
            };
            if self.lines[i].contains(&term) {
                self.top = i;
                return true;
            }
        }
        false
    }
}

/// Columns of a time as the pager shows it: `2026-12-01T10:00:00.123Z`.
const TIME_WIDTH: usize = 24;

/// Draws the pager over `area`: a title bar, the lines, and matches in reverse video.
pub fn draw_pager(buf: &mut Buffer, area: Rect, p: &Pager) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    buf.set_style(area, Style::reset());
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            buf[(x, y)].set_symbol(" ");
        }
    }
    let bar = Style::new().add_modifier(Modifier::REVERSED);
    buf.set_style(Rect::new(area.x, area.y, area.width, 1), bar);
    let pos = format!(
        " {}-{}/{} ",
        (p.top + 1).min(p.lines.len()),
        (p.top + Pager::page(area.height)).min(p.lines.len()),
        p.lines.len()
    );
    buf.set_stringn(
        area.x,
        area.y,
        format!(" {}", p.title),
        area.width as usize,
        bar,
    );
    if pos.len() + p.title.len() + 2 < area.width as usize {
        buf.set_stringn(
            area.right() - pos.len() as u16,
            area.y,
            &pos,
            pos.len(),
            bar,
        );
    }
    let hit = Style::new().bg(Color::Yellow).fg(Color::Black);
    let rows = Pager::text_rows(area.height);
    for (row, (i, line)) in p
        .lines
        .iter()
        .enumerate()
        .skip(p.top)
        .take(usize::from(rows))
        .enumerate()
    {
        let y = area.y + 1 + row as u16;
        let prefix = p.prefix(i);
        let shown = prefix.chars().count();
        let dim = Style::new().fg(Color::DarkGray);
        buf.set_stringn(area.x, y, &prefix, area.width as usize, dim);
        if shown < area.width as usize {
            let width = area.width as usize - shown;
            buf.set_stringn(area.x + shown as u16, y, line, width, Style::new());
        }
        if let Some(term) = p.search.as_deref().filter(|t| !t.is_empty()) {
            for (byte, _) in line.match_indices(term) {
                let col = (shown + line[..byte].chars().count()) as u16;
                let len = term.chars().count() as u16;
                if col < area.width {
                    let w = len.min(area.width - col);
                    buf.set_style(Rect::new(area.x + col, y, w, 1), hit);
                }
            }
        }
    }
    let help = if p.times.is_empty() {
        " q close  j/k line  Space/b page  g/G top/end  / search  n/N "
    } else {
        " q close  j/k line  Space/b page  g/G top/end  / search  n/N  t times "
    };
    let last = area.bottom() - 1;
    if area.height > 2 {
        buf.set_stringn(
            area.x,
            last,
            help,
            area.width as usize,
            Style::new().fg(Color::DarkGray),
        );
    }
}

/// Turns raw terminal output into plain lines: escape sequences removed, CR LF and lone CR
/// handled like a terminal would show them (the text after the last CR of a line wins), and
/// other control characters dropped.
pub fn plain_lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let last = raw.rsplit('\r').next().unwrap_or(raw);
        lines.push(strip_escapes(last));
    }
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// Removes CSI, OSC, DCS and two-byte escape sequences and control characters.
pub fn strip_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            if c == '\t' {
                out.push_str("    ");
            } else if !c.is_control() {
                out.push(c);
            }
            continue;
        }
        match chars.next() {
            Some('[') => {
                // Parameters and intermediates, then one final byte in @..~.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']' | 'P' | '_' | '^') => {
                // Strings end at BEL or ST (ESC \).
                while let Some(c) = chars.next() {
                    if c == '\x07' {
                        break;
                    }
                    if c == '\x1b' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            Some('(' | ')' | '*' | '+' | '#' | '%') => {
                chars.next();
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_bytes_become_plain_lines() {
        let raw =
            b"\x1b[31mred\x1b[0m\r\nprogress 10%\rprogress 100%\r\n\x1b]0;title\x07done\ttab\r\n";
        assert_eq!(plain_lines(raw), ["red", "progress 100%", "done    tab"]);
    }

    #[test]
    fn search_wraps_both_ways() {
        let mut p = Pager::new("t".into(), (0..10).map(|i| format!("line {i}")).collect());
        p.search = Some("line 7".into());
        assert!(p.find(true));
        assert_eq!(p.top, 7);
        p.search = Some("line 2".into());
        assert!(p.find(false));
        assert_eq!(p.top, 2);
        p.search = Some("absent".into());
        assert!(!p.find(true));
    }

    #[test]
    fn a_page_is_the_rows_drawn_and_the_end_shows_the_last_line() {
        let lines: Vec<String> = (1..=50).map(|i| format!("line {i}")).collect();
        for height in [3u16, 4, 10, 23] {
            let mut p = Pager::new("t".into(), lines.clone());
            p.to_end(height);
            let area = Rect::new(0, 0, 20, height);
            let mut buf = Buffer::empty(area);
            draw_pager(&mut buf, area, &p);
            let row = |y: u16| (0..20).map(|x| buf[(x, y)].symbol()).collect::<String>();
            assert_eq!(row(height - 2).trim_end(), "line 50", "height {height}");
            assert!(row(0).contains("-50/50"), "height {height}: {}", row(0));
        }
    }

    #[test]
    fn drawing_highlights_matches_and_survives_tiny_areas() {
        let mut p = Pager::new("log".into(), vec!["alpha beta".into(), "gamma".into()]);
        p.search = Some("beta".into());
        let area = Rect::new(0, 0, 30, 5);
        let mut buf = Buffer::empty(area);
        draw_pager(&mut buf, area, &p);
        assert_eq!(buf[(6, 1)].symbol(), "b");
        assert_eq!(buf[(6, 1)].bg, Color::Yellow);
        for (w, h) in [(0, 0), (1, 1), (2, 3)] {
            let area = Rect::new(0, 0, w, h);
            let mut buf = Buffer::empty(area);
            draw_pager(&mut buf, area, &p);
        }
    }
}
