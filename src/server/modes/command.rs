//! The command prompt (`C-b :`, tmux's `status.c`): a line typed in the status line, read as an
//! action of the vocabulary or one of tmux's commands (`crate::action::tmux`), and dispatched
//! through `run_action` as a bound key would be. An error shows in the status line and nothing
//! else happens.
//!
//! This file owns the prompt's state machine ([`CommandLine`]: editing, history walking, and
//! when to complete, submit or cancel; pure, tested without a server), the history the server
//! keeps across its sessions and clients ([`History`], bounded), and the glue that routes a key
//! of the mode. Parsing and completion are the action table's.

use std::collections::VecDeque;

use crate::action::complete::{Names, complete, usage_of};
use crate::action::tmux::{Context, parse_command};
use crate::keys::{Key, KeyCode};
use crate::server::Server;
use crate::server::model::{ClientId, SessionId};
use crate::server::modes::ClientMode;

/// How many lines the history keeps; the oldest goes first.
pub const HISTORY_LEN: usize = 100;

/// The longest line the prompt takes, in bytes: far more than any command needs.
const MAX_LINE: usize = 4096;

/// Command lines entered, oldest first, shared by every client of the server.
#[derive(Debug, Default)]
pub struct History(VecDeque<String>);

impl History {
    /// Keeps a line, unless it is empty or repeats the last one.
    pub fn push(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty() || self.0.back().is_some_and(|l| l == line) {
            return;
        }
        if self.0.len() == HISTORY_LEN {
            self.0.pop_front();
        }
        self.0.push_back(line.to_owned());
    }

    pub fn get(&self, index: usize) -> Option<&str> {
        self.0.get(index).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What a key did to the prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Still typing; the line may have changed.
    Edit,
    /// Escape or C-c: close with nothing done.
    Cancel,
    /// Enter: run this line.
    Submit(String),
    /// Tab: complete the word before the cursor.
    Complete,
}

/// The line being typed: its text, the cursor (a byte offset on a character boundary), and
/// where in the history Up/Down have walked to, with the line that was being typed before.
#[derive(Debug, Clone, Default)]
pub struct CommandLine {
    text: String,
    cursor: usize,
    walk: Option<(usize, String)>,
    /// What the last Tab matched, when it matched several; shown until the next key.
    matches: Vec<String>,
}

impl CommandLine {
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text before the cursor.
    pub fn before(&self) -> &str {
        &self.text[..self.cursor]
    }

    /// The status-line form: `:` then the text, with a bar at the cursor.
    pub fn display(&self) -> String {
        let mut out = format!(":{}▏{}", self.before(), &self.text[self.cursor..]);
        if !self.matches.is_empty() {
            out.push_str("   ");
            out.push_str(&self.matches.join("  "));
        }
        out
    }

    /// Shows what a completion matched (see `display`).
    pub fn set_matches(&mut self, matches: Vec<String>) {
        self.matches = matches;
    }

    /// One key, tmux's emacs-style line editing.
    pub fn key(&mut self, key: Key, history: &History) -> Step {
        let ctrl = key.mods.ctrl;
        self.matches.clear();
        match key.code {
            KeyCode::Escape => return Step::Cancel,
            KeyCode::Char('c' | 'g') if ctrl => return Step::Cancel,
            KeyCode::Enter | KeyCode::KeypadEnter => return Step::Submit(self.text.clone()),
            KeyCode::Tab => return Step::Complete,
            KeyCode::Left | KeyCode::Char('b') if key.code == KeyCode::Left || ctrl => {
                self.cursor = self.prev(self.cursor);
            }
            KeyCode::Right | KeyCode::Char('f') if key.code == KeyCode::Right || ctrl => {
                self.cursor = self.next(self.cursor);
            }
            KeyCode::Home | KeyCode::Char('a') if key.code == KeyCode::Home || ctrl => {
                self.cursor = 0;
            }
            KeyCode::End | KeyCode::Char('e') if key.code == KeyCode::End || ctrl => {
                self.cursor = self.text.len();
            }
            KeyCode::Backspace | KeyCode::Char('h') if key.code == KeyCode::Backspace || ctrl => {
                let from = self.prev(self.cursor);
                self.text.replace_range(from..self.cursor, "");
                self.cursor = from;
            }
            KeyCode::Delete | KeyCode::Char('d') if key.code == KeyCode::Delete || ctrl => {
                let to = self.next(self.cursor);
                self.text.replace_range(self.cursor..to, "");
            }
            // tmux: C-u deletes the whole line, C-k to its end, C-w the word before the cursor.
            KeyCode::Char('u') if ctrl => {
                self.text.clear();
                self.cursor = 0;
            }
            KeyCode::Char('k') if ctrl => self.text.truncate(self.cursor),
            KeyCode::Char('w') if ctrl => {
                let before = self.before().trim_end();
                let from = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
                self.text.replace_range(from..self.cursor, "");
                self.cursor = from;
            }
            KeyCode::Up | KeyCode::Char('p') if key.code == KeyCode::Up || ctrl => {
                self.walk_history(history, true);
            }
            KeyCode::Down | KeyCode::Char('n') if key.code == KeyCode::Down || ctrl => {
                self.walk_history(history, false);
            }
            KeyCode::Char(c) if !ctrl && !key.mods.alt && !c.is_control() => self.insert(c),
            KeyCode::Keypad(c) => self.insert(c),
            _ => {}
        }
        Step::Edit
    }

    /// Pasted text goes in at the cursor; line breaks and other control characters are left
    /// out, so a paste never runs a line.
    pub fn paste(&mut self, text: &str) {
        self.matches.clear();
        for c in text.chars().filter(|c| !c.is_control()) {
            self.insert(c);
        }
    }

    fn insert(&mut self, c: char) {
        if self.text.len() + c.len_utf8() <= MAX_LINE {
            self.text.insert(self.cursor, c);
            self.cursor += c.len_utf8();
        }
    }

    /// Replaces the text from byte `start` to the cursor (a completed word).
    pub fn replace_before_cursor(&mut self, start: usize, with: &str) {
        if start > self.cursor || self.text.len() - (self.cursor - start) + with.len() > MAX_LINE {
            return;
        }
        self.text.replace_range(start..self.cursor, with);
        self.cursor = start + with.len();
    }

    /// Up (`older`) or Down through the history; Down past the newest line brings back what
    /// was being typed.
    fn walk_history(&mut self, history: &History, older: bool) {
        let index = match (&self.walk, older) {
            (None, false) => return,
            (None, true) => history.len().checked_sub(1),
            (Some((i, _)), true) => Some(i.saturating_sub(1)),
            (Some((i, _)), false) => Some(i + 1).filter(|&i| i < history.len()),
        };
        match index.and_then(|i| Some((i, history.get(i)?))) {
            Some((i, line)) => {
                let draft = match self.walk.take() {
                    Some((_, draft)) => draft,
                    None => std::mem::take(&mut self.text),
                };
                self.walk = Some((i, draft));
                self.text = line.to_owned();
            }
            None if !older => {
                if let Some((_, draft)) = self.walk.take() {
                    self.text = draft;
                }
            }
            None => return,
        }
        self.cursor = self.text.len();
    }

    fn prev(&self, at: usize) -> usize {
        self.text[..at].char_indices().last().map_or(0, |(i, _)| i)
    }

    fn next(&self, at: usize) -> usize {
        self.text[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8())
    }
}

impl Server {
    /// Opens the command prompt for a client.
    /// A message still shown would hide the prompt, so it goes.
    pub(in crate::server) fn open_command_prompt(&mut self, id: ClientId) {
        if let Some(a) = self.attached_mut(id) {
            a.flash = None;
        }
        self.set_mode(id, ClientMode::Command(Box::default()));
    }

    pub(super) fn command_key(
        &mut self,
        id: ClientId,
        session: SessionId,
        mut line: Box<CommandLine>,
        key: Key,
    ) {
        match line.key(key, &self.command_history) {
            Step::Edit => self.set_mode(id, ClientMode::Command(line)),
            Step::Cancel => self.set_mode(id, ClientMode::Normal),
            Step::Complete => {
                let names = self.completion_names(session);
                match complete(line.before(), &names) {
                    Some(c) => {
                        line.replace_before_cursor(c.start, &c.text);
                        if c.matches.len() > 1 {
                            line.set_matches(c.matches);
                        }
                    }
                    None => line.set_matches(usage_of(line.text()).into_iter().collect()),
                }
                self.set_mode(id, ClientMode::Command(line));
            }
            Step::Submit(text) => {
                self.set_mode(id, ClientMode::Normal);
                self.run_command_line(id, session, &text);
            }
        }
    }

    /// Runs one line: kept in the history, parsed, and dispatched as a bound key is; an error
    /// shows in the status line.
    fn run_command_line(&mut self, id: ClientId, session: SessionId, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        self.command_history.push(text);
        let name = self
            .sessions
            .get(&session)
            .map(|s| s.name().to_owned())
            .unwrap_or_default();
        match parse_command(text, Context { session: &name }) {
            Ok(action) => self.bound(id, session, &action),
            Err(e) => self.flash(id, e.to_string()),
        }
    }

    /// The apps of the session and the server's sessions, for Tab.
    fn completion_names(&self, session: SessionId) -> Names {
        let apps = self
            .sessions
            .get(&session)
            .map(|s| {
                s.apps()
                    .iter()
                    .filter_map(|a| self.apps.get(a))
                    .map(|a| a.name().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        Names {
            apps,
            sessions: self
                .sessions
                .values()
                .map(|s| s.name().to_owned())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(line: &mut CommandLine, history: &History, text: &str) {
        for c in text.chars() {
            assert_eq!(line.key(Key::plain(KeyCode::Char(c)), history), Step::Edit);
        }
    }

    fn key(line: &mut CommandLine, history: &History, code: KeyCode) -> Step {
        line.key(Key::plain(code), history)
    }

    fn ctrl(line: &mut CommandLine, history: &History, c: char) -> Step {
        line.key(Key::ctrl(c), history)
    }

    #[test]
    fn typing_and_moving_edit_at_the_cursor() {
        let h = History::default();
        let mut l = CommandLine::default();
        typed(&mut l, &h, "split-window");
        key(&mut l, &h, KeyCode::Home);
        typed(&mut l, &h, "é");
        assert_eq!(l.display(), ":é▏split-window");
        key(&mut l, &h, KeyCode::Backspace);
        key(&mut l, &h, KeyCode::End);
        typed(&mut l, &h, " -h");
        key(&mut l, &h, KeyCode::Left);
        key(&mut l, &h, KeyCode::Left);
        key(&mut l, &h, KeyCode::Delete);
        assert_eq!(l.display(), ":split-window ▏h");
        typed(&mut l, &h, "-");
        assert_eq!(
            key(&mut l, &h, KeyCode::Enter),
            Step::Submit("split-window -h".into())
        );
    }

    #[test]
    fn control_keys_delete_words_and_lines_and_cancel() {
        let h = History::default();
        let mut l = CommandLine::default();
        typed(&mut l, &h, "app.restart web  ");
        ctrl(&mut l, &h, 'w');
        assert_eq!(l.text(), "app.restart ");
        ctrl(&mut l, &h, 'w');
        assert_eq!(l.text(), "");
        typed(&mut l, &h, "tab.new");
        ctrl(&mut l, &h, 'u');
        assert_eq!((l.text(), l.display().as_str()), ("", ":▏"));
        assert_eq!(key(&mut l, &h, KeyCode::Escape), Step::Cancel);
        assert_eq!(ctrl(&mut l, &h, 'c'), Step::Cancel);
        assert_eq!(key(&mut l, &h, KeyCode::Tab), Step::Complete);
        // Left at the start and Backspace on nothing change nothing.
        key(&mut l, &h, KeyCode::Left);
        key(&mut l, &h, KeyCode::Backspace);
        assert_eq!(l.display(), ":▏");
    }

    #[test]
    fn up_and_down_walk_the_history_and_come_back_to_the_draft() {
        let mut h = History::default();
        h.push("tab.new");
        h.push("split-window -h");
        h.push("split-window -h");
        h.push("  ");
        assert_eq!(h.len(), 2);
        let mut l = CommandLine::default();
        typed(&mut l, &h, "dra");
        key(&mut l, &h, KeyCode::Up);
        assert_eq!(l.text(), "split-window -h");
        key(&mut l, &h, KeyCode::Up);
        key(&mut l, &h, KeyCode::Up);
        assert_eq!(l.text(), "tab.new");
        key(&mut l, &h, KeyCode::Down);
        assert_eq!(l.text(), "split-window -h");
        key(&mut l, &h, KeyCode::Down);
        assert_eq!(l.display(), ":dra▏");
        key(&mut l, &h, KeyCode::Down);
        assert_eq!(l.text(), "dra");
    }

    #[test]
    fn a_paste_is_typed_without_its_line_breaks() {
        let h = History::default();
        let mut l = CommandLine::default();
        typed(&mut l, &h, "tab.rename ");
        l.paste("my\r\ntab\x1b");
        assert_eq!(l.display(), ":tab.rename mytab▏");
    }

    #[test]
    fn the_history_is_bounded() {
        let mut h = History::default();
        for i in 0..HISTORY_LEN + 10 {
            h.push(&format!("tab.select {i}"));
        }
        assert_eq!(h.len(), HISTORY_LEN);
        assert_eq!(h.get(0), Some("tab.select 10"));
    }

    #[test]
    fn a_completion_replaces_the_word_before_the_cursor() {
        let h = History::default();
        let mut l = CommandLine::default();
        typed(&mut l, &h, "select-layout ti");
        l.replace_before_cursor(14, "tiled ");
        assert_eq!(l.display(), ":select-layout tiled ▏");
    }
}
