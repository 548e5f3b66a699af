//! Copy mode: scrolling a pane's history and screen with a cursor, searching, selecting by
//! character, line or rectangle, and yanking the selection as text. Pure: it works on a frozen
//! snapshot of plain-text lines taken when copy mode starts (as tmux does), so the app may keep
//! printing without moving what the user is reading.

use crate::action::CopyAction;

/// How a selection grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectKind {
    Char,
    Line,
    Rect,
}

/// A point in the snapshot: line index (0 = oldest history line) and column (in chars).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

/// What an action asks of the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Nothing,
    /// Leave copy mode.
    Exit,
    /// Leave copy mode with this text for the paste buffer (and the clipboard).
    Yank(String),
    /// Prompt for a search term (forward or backward).
    Prompt {
        forward: bool,
    },
}

#[derive(Debug, Clone)]
pub struct CopyMode {
    lines: Vec<String>,
    /// Rows visible in the pane.
    height: usize,
    /// First visible line.
    pub top: usize,
    pub cursor: Pos,
    /// The selection's fixed end, and how it grows.
    pub anchor: Option<(Pos, SelectKind)>,
    pub search: Option<String>,
    forward: bool,
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

impl CopyMode {
    /// Starts on a snapshot whose last `height` lines are the visible screen, the cursor at the
    /// app's cursor position.
    pub fn new(lines: Vec<String>, height: usize, cursor_row: usize, cursor_col: usize) -> Self {
        let height = height.max(1);
        let top = lines.len().saturating_sub(height);
        let line = (top + cursor_row).min(lines.len().saturating_sub(1));
        Self {
            lines,
            height,
            top,
            cursor: Pos {
                line,
                col: cursor_col,
            },
            anchor: None,
            search: None,
            forward: true,
        }
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Visible lines with their index in the snapshot.
    pub fn visible(&self) -> impl Iterator<Item = (usize, &str)> {
        self.lines
            .iter()
            .enumerate()
            .skip(self.top)
            .take(self.height)
            .map(|(i, l)| (i, l.as_str()))
    }

    pub fn resize(&mut self, height: usize) {
        self.height = height.max(1);
        self.follow_cursor();
    }

    fn last_line(&self) -> usize {
        self.lines.len().saturating_sub(1)
    }

    fn line_len(&self, line: usize) -> usize {
        self.lines.get(line).map_or(0, |l| char_len(l))
    }

    /// Keeps the cursor on screen by scrolling.
    fn follow_cursor(&mut self) {
        if self.cursor.line < self.top {
            self.top = self.cursor.line;
        } else if self.cursor.line >= self.top + self.height {
            self.top = self.cursor.line + 1 - self.height;
        }
        let max_top = self.lines.len().saturating_sub(self.height);
        self.top = self.top.min(max_top);
    }

    fn move_lines(&mut self, delta: isize) {
        self.cursor.line = self
            .cursor
            .line
            .saturating_add_signed(delta)
            .min(self.last_line());
        self.follow_cursor();
    }

    /// Scrolls the view (and the cursor with it) by `delta` lines.
    fn scroll(&mut self, delta: isize) {
        let max_top = self.lines.len().saturating_sub(self.height);
        self.top = self.top.saturating_add_signed(delta).min(max_top);
        self.cursor.line = self
            .cursor
            .line
            .saturating_add_signed(delta)
            .min(self.last_line());
        self.follow_cursor();
    }

    /// Scrolls the view alone by `delta` lines (the mouse wheel), within the snapshot; the
    /// cursor keeps its row on screen.
    pub fn scroll_view(&mut self, delta: isize) {
        let max_top = self.lines.len().saturating_sub(self.height);
        let top = self.top.saturating_add_signed(delta).min(max_top);
        let moved = top as isize - self.top as isize;
        self.top = top;
        self.cursor.line = self
            .cursor
            .line
            .saturating_add_signed(moved)
            .min(self.last_line());
        self.follow_cursor();
    }

    /// Whether the view shows the end of the snapshot (the app's screen as it was).
    pub fn at_bottom(&self) -> bool {
        self.top >= self.lines.len().saturating_sub(self.height)
    }

    /// Applies a copy-mode action.
    pub fn act(&mut self, a: &CopyAction) -> Outcome {
        let page = self.height as isize;
        match a {
            CopyAction::Enter => {}
            CopyAction::Exit => return Outcome::Exit,
            CopyAction::Up => self.move_lines(-1),
            CopyAction::Down => self.move_lines(1),
            CopyAction::Left => self.cursor.col = self.cursor.col.saturating_sub(1),
            CopyAction::Right => {
                self.cursor.col = (self.cursor.col + 1).min(self.line_len(self.cursor.line))
            }
            CopyAction::LineStart => self.cursor.col = 0,
            CopyAction::LineEnd => {
                self.cursor.col = self.line_len(self.cursor.line).saturating_sub(1)
            }
            CopyAction::WordNext => self.word_next(),
            CopyAction::WordPrev => self.word_prev(),
            CopyAction::WordEnd => self.word_end(),
            CopyAction::Top => {
                self.cursor = Pos::default();
                self.follow_cursor();
            }
            CopyAction::Bottom => {
                self.cursor.line = self.last_line();
                self.follow_cursor();
            }
            CopyAction::PageUp => self.scroll(-page),
            CopyAction::PageDown => self.scroll(page),
            CopyAction::HalfUp => self.scroll(-page / 2),
            CopyAction::HalfDown => self.scroll(page / 2),
            CopyAction::SearchForward => return Outcome::Prompt { forward: true },
            CopyAction::SearchBackward => return Outcome::Prompt { forward: false },
            CopyAction::SearchNext => {
                self.find(self.forward);
            }
            CopyAction::SearchPrev => {
                self.find(!self.forward);
            }
            CopyAction::SelectChar => self.toggle_selection(SelectKind::Char),
            CopyAction::SelectLine => self.toggle_selection(SelectKind::Line),
            CopyAction::SelectRect => self.toggle_selection(SelectKind::Rect),
            CopyAction::ClearSelection => self.anchor = None,
            CopyAction::Yank => {
                return match self.selected_text() {
                    Some(t) => Outcome::Yank(t),
                    None => Outcome::Exit,
                };
            }
        }
        Outcome::Nothing
    }

    fn toggle_selection(&mut self, kind: SelectKind) {
        self.anchor = match self.anchor {
            Some((_, k)) if k == kind => None,
            Some((p, _)) => Some((p, kind)),
            None => Some((self.cursor, kind)),
        };
    }

    fn char_at(&self, p: Pos) -> Option<char> {
        self.lines.get(p.line)?.chars().nth(p.col)
    }

    fn is_word(c: Option<char>) -> bool {
        c.is_some_and(|c| !c.is_whitespace())
    }

    /// Forward one position, wrapping to the next line; false at the end.
    fn step(&mut self) -> bool {
        if self.cursor.col + 1 < self.line_len(self.cursor.line) {
            self.cursor.col += 1;
            true
        } else if self.cursor.line < self.last_line() {
            self.cursor.line += 1;
            self.cursor.col = 0;
            true
        } else {
            false
        }
    }

    fn step_back(&mut self) -> bool {
        if self.cursor.col > 0 {
            self.cursor.col = self.cursor.col.min(self.line_len(self.cursor.line)) - 1;
            true
        } else if self.cursor.line > 0 {
            self.cursor.line -= 1;
            self.cursor.col = self.line_len(self.cursor.line).saturating_sub(1);
            true
        } else {
            false
        }
    }

    fn word_next(&mut self) {
        let start_line = self.cursor.line;
        while Self::is_word(self.char_at(self.cursor)) && self.cursor.line == start_line {
            if !self.step() {
                break;
            }
        }
        self.skip_non_word(true);
        self.follow_cursor();
    }

    /// Steps forward (or back) to the next word character, or to the end of the text.
    fn skip_non_word(&mut self, forward: bool) {
        while !Self::is_word(self.char_at(self.cursor)) {
            let moved = if forward {
                self.step()
            } else {
                self.step_back()
            };
            if !moved {
                break;
            }
        }
    }

    fn word_prev(&mut self) {
        self.step_back();
        self.skip_non_word(false);
        while self.cursor.col > 0
            && Self::is_word(self.char_at(Pos {
                col: self.cursor.col - 1,
                ..self.cursor
            }))
        {
            self.cursor.col -= 1;
        }
        self.follow_cursor();
    }

    fn word_end(&mut self) {
        self.step();
        self.skip_non_word(true);
        while Self::is_word(self.char_at(Pos {
            col: self.cursor.col + 1,
            ..self.cursor
        })) {
            self.cursor.col += 1;
        }
        self.follow_cursor();
    }

    /// The snapshot position shown at `row` (from the top of the view) and `col`: where a
    /// click lands. Rows past the snapshot's end land on its last line.
    pub fn pos_in_view(&self, row: u16, col: u16) -> Pos {
        Pos {
            line: (self.top + usize::from(row)).min(self.last_line()),
            col: usize::from(col),
        }
    }

    /// Moves the cursor to `to`, clearing the selection (a click).
    pub fn click(&mut self, to: Pos) {
        self.anchor = None;
        self.cursor = to;
        self.follow_cursor();
    }

    /// Grows a character selection from where the cursor is (or from the selection's anchor)
    /// to `to`: a mouse drag.
    pub fn drag_to(&mut self, to: Pos) {
        if self.anchor.is_none() {
            self.anchor = Some((self.cursor, SelectKind::Char));
        }
        self.cursor = to;
        self.follow_cursor();
    }

    /// Selects the word at `at` (a run of non-blank characters; a blank selects itself), as a
    /// double-click does.
    pub fn select_word(&mut self, at: Pos) {
        let chars: Vec<char> = self
            .lines
            .get(at.line)
            .map_or_else(Vec::new, |l| l.chars().collect());
        let word = |c: usize| chars.get(c).is_some_and(|c| !c.is_whitespace());
        let (mut from, mut to) = (at.col, at.col);
        if word(at.col) {
            while from > 0 && word(from - 1) {
                from -= 1;
            }
            while word(to + 1) {
                to += 1;
            }
        }
        self.anchor = Some((
            Pos {
                line: at.line,
                col: from,
            },
            SelectKind::Char,
        ));
        self.cursor = Pos {
            line: at.line,
            col: to,
        };
        self.follow_cursor();
    }

    /// Selects the whole line at `at`, as a triple-click does.
    pub fn select_line(&mut self, at: Pos) {
        let at = Pos { col: 0, ..at };
        self.anchor = Some((at, SelectKind::Line));
        self.cursor = at;
        self.follow_cursor();
    }

    /// Sets the search term and jumps to the first match in its direction.
    pub fn search_for(&mut self, term: &str, forward: bool) -> bool {
        self.search = Some(term.to_owned()).filter(|t| !t.is_empty());
        self.forward = forward;
        self.find(forward)
    }

    /// Moves to the next match after (or before) the cursor, wrapping; false when none.
    pub fn find(&mut self, forward: bool) -> bool {
        let Some(term) = self.search.clone() else {
            return false;
        };
        let n = self.lines.len();
        let here = self.cursor;
        for step in 0..=n {
            let line = if forward {
                (here.line + step) % n.max(1)
            } else {
                (here.line + n * 2 - step) % n.max(1)
            };
            let Some(text) = self.lines.get(line) else {
                return false;
            };
            let cols: Vec<usize> = text
                .match_indices(term.as_str())
                .map(|(b, _)| char_len(&text[..b]))
                .collect();
            let pick = if forward {
                cols.into_iter().find(|&c| step > 0 || c > here.col)
            } else {
                cols.into_iter().rev().find(|&c| step > 0 || c < here.col)
            };
            if let Some(col) = pick {
                self.cursor = Pos { line, col };
                self.follow_cursor();
                return true;
            }
        }
        false
    }

    /// The columns of search matches on snapshot line `line`: (start col, length in chars).
    pub fn matches_on(&self, line: usize) -> Vec<(usize, usize)> {
        let (Some(term), Some(text)) = (self.search.as_deref(), self.lines.get(line)) else {
            return Vec::new();
        };
        let len = char_len(term);
        text.match_indices(term)
            .map(|(b, _)| (char_len(&text[..b]), len))
            .collect()
    }

    /// Whether the cell at (line, col) is inside the selection.
    pub fn selected(&self, line: usize, col: usize) -> bool {
        let Some((anchor, kind)) = self.anchor else {
            return false;
        };
        let (a, b) = if anchor <= self.cursor {
            (anchor, self.cursor)
        } else {
            (self.cursor, anchor)
        };
        if line < a.line || line > b.line {
            return false;
        }
        match kind {
            SelectKind::Line => true,
            SelectKind::Rect => {
                let (l, r) = (
                    anchor.col.min(self.cursor.col),
                    anchor.col.max(self.cursor.col),
                );
                (l..=r).contains(&col)
            }
            SelectKind::Char => (line > a.line || col >= a.col) && (line < b.line || col <= b.col),
        }
    }

    /// The selection as text (lines joined by newlines, trailing blanks trimmed).
    pub fn selected_text(&self) -> Option<String> {
        let (anchor, kind) = self.anchor?;
        let (a, b) = if anchor <= self.cursor {
            (anchor, self.cursor)
        } else {
            (self.cursor, anchor)
        };
        let mut out = Vec::new();
        for line in a.line..=b.line {
            let text = self.lines.get(line).map(String::as_str).unwrap_or_default();
            let chars: Vec<char> = text.chars().collect();
            let (from, to) = match kind {
                SelectKind::Line => (0, chars.len()),
                SelectKind::Rect => {
                    let l = anchor.col.min(self.cursor.col);
                    let r = anchor.col.max(self.cursor.col) + 1;
                    (l, r)
                }
                SelectKind::Char => {
                    let from = if line == a.line { a.col } else { 0 };
                    let to = if line == b.line {
                        b.col + 1
                    } else {
                        chars.len()
                    };
                    (from, to)
                }
            };
            let piece: String = chars
                .get(from.min(chars.len())..to.min(chars.len()))
                .unwrap_or_default()
                .iter()
                .collect();
            out.push(piece.trim_end().to_owned());
        }
        Some(out.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(lines: &[&str], height: usize) -> CopyMode {
        let lines: Vec<String> = lines.iter().map(|s| (*s).to_owned()).collect();
        let n = lines.len();
        CopyMode::new(lines, height, height.min(n).saturating_sub(1), 0)
    }

    #[test]
    fn starts_at_the_bottom_and_scrolls_into_history() {
        let lines: Vec<String> = (0..100).map(|i| format!("line {i}")).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let mut m = mode(&refs, 10);
        assert_eq!(m.top, 90);
        assert_eq!(m.cursor.line, 99);
        m.act(&CopyAction::PageUp);
        assert_eq!(m.top, 80);
        m.act(&CopyAction::Top);
        assert_eq!((m.top, m.cursor.line), (0, 0));
        m.act(&CopyAction::Bottom);
        assert_eq!(m.top, 90);
    }

    #[test]
    fn the_wheel_moves_the_view_and_the_cursor_keeps_its_row() {
        let lines: Vec<String> = (0..20).map(|i| format!("line {i}")).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let mut m = mode(&refs, 10);
        assert!(m.at_bottom());
        m.scroll_view(-3);
        assert_eq!((m.top, m.cursor.line), (7, 16));
        assert!(!m.at_bottom());
        m.scroll_view(-30);
        assert_eq!((m.top, m.cursor.line), (0, 9));
        m.scroll_view(30);
        assert_eq!((m.top, m.cursor.line), (10, 19));
        assert!(m.at_bottom());
    }

    #[test]
    fn search_both_ways_with_wraparound() {
        let mut m = mode(&["alpha", "beta needle", "gamma", "needle delta"], 4);
        m.cursor = Pos { line: 0, col: 0 };
        assert!(m.search_for("needle", true));
        assert_eq!(m.cursor, Pos { line: 1, col: 5 });
        m.act(&CopyAction::SearchNext);
        assert_eq!(m.cursor, Pos { line: 3, col: 0 });
        m.act(&CopyAction::SearchNext);
        assert_eq!(
            m.cursor,
            Pos { line: 1, col: 5 },
            "wraps to the first match"
        );
        m.act(&CopyAction::SearchPrev);
        assert_eq!(m.cursor, Pos { line: 3, col: 0 });
        assert_eq!(m.matches_on(1), vec![(5, 6)]);
        assert!(!m.search_for("absent", true));
    }

    #[test]
    fn character_line_and_rectangle_selections_yank_text() {
        let mut m = mode(&["hello world", "second line", "third"], 3);
        m.cursor = Pos { line: 0, col: 6 };
        m.act(&CopyAction::SelectChar);
        m.cursor = Pos { line: 1, col: 5 };
        assert_eq!(
            m.act(&CopyAction::Yank),
            Outcome::Yank("world\nsecond".into())
        );

        m.anchor = None;
        m.cursor = Pos { line: 1, col: 3 };
        m.act(&CopyAction::SelectLine);
        m.act(&CopyAction::Down);
        assert_eq!(m.selected_text().unwrap(), "second line\nthird");

        m.anchor = None;
        m.cursor = Pos { line: 0, col: 1 };
        m.act(&CopyAction::SelectRect);
        m.cursor = Pos { line: 2, col: 3 };
        assert_eq!(m.selected_text().unwrap(), "ell\neco\nhir");
        assert!(m.selected(1, 2) && !m.selected(1, 4));
    }

    #[test]
    fn clicks_select_words_lines_and_drags() {
        let mut m = mode(&["one two-x  three", "second line", "last"], 3);
        assert_eq!(m.pos_in_view(1, 4), Pos { line: 1, col: 4 });
        assert_eq!(m.pos_in_view(9, 0), Pos { line: 2, col: 0 }, "past the end");
        m.select_word(Pos { line: 0, col: 5 });
        assert_eq!(m.selected_text().unwrap(), "two-x");
        m.select_word(Pos { line: 0, col: 0 });
        assert_eq!(m.selected_text().unwrap(), "one");
        m.select_word(Pos { line: 0, col: 15 });
        assert_eq!(m.selected_text().unwrap(), "three");
        m.select_word(Pos { line: 0, col: 9 });
        assert_eq!(m.selected_text().unwrap(), "", "a blank selects itself");
        m.select_word(Pos { line: 2, col: 40 });
        assert_eq!(m.selected_text().unwrap(), "", "past the line's end");
        m.select_line(Pos { line: 1, col: 7 });
        assert_eq!(m.selected_text().unwrap(), "second line");
        m.click(Pos { line: 0, col: 4 });
        assert!(m.anchor.is_none());
        m.drag_to(Pos { line: 1, col: 5 });
        assert_eq!(m.selected_text().unwrap(), "two-x  three\nsecond");
        m.drag_to(Pos { line: 0, col: 1 });
        assert_eq!(
            m.selected_text().unwrap(),
            "ne t",
            "dragging back before the start"
        );
    }

    #[test]
    fn word_motions() {
        let mut m = mode(&["one two  three", "four"], 2);
        m.cursor = Pos { line: 0, col: 0 };
        m.act(&CopyAction::WordNext);
        assert_eq!(m.cursor.col, 4);
        m.act(&CopyAction::WordNext);
        assert_eq!(m.cursor.col, 9);
        m.act(&CopyAction::WordEnd);
        assert_eq!(m.cursor.col, 13);
        m.act(&CopyAction::WordNext);
        assert_eq!(m.cursor, Pos { line: 1, col: 0 });
        m.act(&CopyAction::WordPrev);
        assert_eq!(m.cursor, Pos { line: 0, col: 9 });
    }

    #[test]
    fn empty_snapshots_and_extremes_do_not_panic() {
        let mut m = CopyMode::new(Vec::new(), 0, 5, 5);
        for a in [
            CopyAction::Up,
            CopyAction::Down,
            CopyAction::Left,
            CopyAction::Right,
            CopyAction::WordNext,
            CopyAction::WordPrev,
            CopyAction::WordEnd,
            CopyAction::PageUp,
            CopyAction::PageDown,
            CopyAction::Top,
            CopyAction::Bottom,
            CopyAction::SelectRect,
            CopyAction::LineEnd,
            CopyAction::Yank,
        ] {
            m.act(&a);
        }
        m.search_for("x", false);
        assert!(m.selected_text().is_some());
    }
}
