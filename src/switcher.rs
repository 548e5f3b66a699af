//! The switcher's state machine (tmux `mode-tree.c`): a tree of sessions → tabs → panes, a
//! filter typed after `/`, a selection that moves over what the filter leaves, and the
//! questions it asks before killing or renaming. Keys go in, an [`Outcome`] comes out; the
//! server builds the entries from its model, carries out outcomes and renders the tree (the
//! renderer takes [`Switcher::rows`]). Pure: no server state, no I/O.
//!
//! Entries are rebuilt by the server whenever it draws (states and screens change while the
//! switcher is open); the selection is kept by target, so it survives a rebuild.

use crate::ids::SessionId;
use crate::keys::{Key, KeyCode};
use crate::layout::PaneId;

/// What an entry stands for. Tabs are named by their index in the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Session(SessionId),
    Tab(SessionId, usize),
    Pane(SessionId, usize, PaneId),
}

impl Target {
    /// 0 for a session, 1 for a tab, 2 for a pane.
    pub fn depth(self) -> u8 {
        match self {
            Self::Session(_) => 0,
            Self::Tab(..) => 1,
            Self::Pane(..) => 2,
        }
    }

    pub fn session(self) -> SessionId {
        match self {
            Self::Session(s) | Self::Tab(s, _) | Self::Pane(s, _, _) => s,
        }
    }

    /// Whether `self` is `other` or inside it.
    fn within(self, other: Target) -> bool {
        match (self, other) {
            (a, b) if a == b => true,
            (Self::Tab(s, _) | Self::Pane(s, _, _), Self::Session(o)) => s == o,
            (Self::Pane(s, t, _), Self::Tab(o, ot)) => s == o && t == ot,
            _ => false,
        }
    }

    /// What `,` renames: the tab itself or the tab a pane is in; a session entry renames the
    /// session.
    fn tab_or_session(self) -> Target {
        match self {
            Self::Pane(s, t, _) => Self::Tab(s, t),
            other => other,
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Self::Session(_) => "session",
            Self::Tab(..) => "tab",
            Self::Pane(..) => "pane",
        }
    }
}

/// One line of the tree, in tree order (a session, its tabs, each tab's panes).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub target: Target,
    /// The name a rename starts from (the session's or tab's; the app's for a pane).
    pub name: String,
    /// What the line shows after its indent: `work (2 tabs)`, `0: web`, `web running`.
    pub label: String,
    /// Also matched by the filter but not shown: a pane's screen text.
    pub text: String,
    /// Where this client is now.
    pub current: bool,
}

impl Entry {
    fn matches(&self, filter: &str) -> bool {
        let filter = filter.to_lowercase();
        filter.is_empty()
            || self.label.to_lowercase().contains(&filter)
            || self.text.to_lowercase().contains(&filter)
    }
}

/// What the switcher is doing with its keys.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// Moving over the tree.
    Browse,
    /// Typing the filter.
    Filter,
    /// Asking y/n before killing this.
    Confirm(Target),
    /// Typing a new name for this session or tab.
    Rename { target: Target, text: String },
}

/// What a key asks of the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing beyond a redraw.
    Stay,
    /// Close the switcher.
    Close,
    /// Move this client there and close the switcher.
    Switch(Target),
    /// Kill it (the user said yes).
    Kill(Target),
    /// Rename this session or tab.
    Rename(Target, String),
}

/// One visible row: its entry and whether it is selected.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    pub entry: &'a Entry,
    pub selected: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Switcher {
    entries: Vec<Entry>,
    filter: String,
    stage: Stage,
    selected: Option<Target>,
}

/// Rows moved by PageUp and PageDown.
const PAGE: isize = 10;

impl Switcher {
    /// A switcher over `entries`, the current pane (or the first entry) selected.
    pub fn new(entries: Vec<Entry>, filter: String) -> Self {
        let selected = entries
            .iter()
            .filter(|e| e.current)
            .max_by_key(|e| e.target.depth())
            .map(|e| e.target);
        let mut s = Self {
            entries,
            filter,
            stage: Stage::Browse,
            selected,
        };
        s.fix_selection();
        s
    }

    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    pub fn selected(&self) -> Option<Target> {
        self.selected
    }

    /// New entries (the model changed); the selection stays on its target while it exists.
    pub fn set_entries(&mut self, entries: Vec<Entry>) {
        self.entries = entries;
        self.fix_selection();
    }

    /// The rows the filter leaves: entries that match, with the sessions and tabs they are in.
    pub fn rows(&self) -> Vec<Row<'_>> {
        let matched: Vec<Target> = self
            .entries
            .iter()
            .filter(|e| e.matches(&self.filter))
            .map(|e| e.target)
            .collect();
        self.entries
            .iter()
            .filter(|e| matched.iter().any(|m| m.within(e.target)))
            .map(|e| Row {
                entry: e,
                selected: Some(e.target) == self.selected,
            })
            .collect()
    }

    /// The status text for the current stage.
    pub fn message(&self) -> String {
        let name = |t: Target| {
            self.entries
                .iter()
                .find(|e| e.target == t)
                .map_or(String::new(), |e| e.name.clone())
        };
        match &self.stage {
            Stage::Browse if self.filter.is_empty() => {
                "↑↓ select  Enter switch  / filter  x kill  , rename  $ rename session  q close"
                    .into()
            }
            Stage::Browse => format!(
                "filter: {}  (/ edit, Esc clears)  Enter switch  x kill  q close",
                self.filter
            ),
            Stage::Filter => format!("filter: {}▏", self.filter),
            Stage::Confirm(t) => format!("kill {} {}? y/n", t.kind(), name(*t)),
            Stage::Rename { target, text } => format!("rename {}: {text}▏", target.kind()),
        }
    }

    /// One key.
    pub fn key(&mut self, key: Key) -> Outcome {
        match std::mem::replace(&mut self.stage, Stage::Browse) {
            Stage::Browse => self.browse_key(key),
            Stage::Filter => self.filter_key(key),
            Stage::Confirm(target) => match key.code {
                KeyCode::Char('y' | 'Y') => Outcome::Kill(target),
                _ => Outcome::Stay,
            },
            Stage::Rename { target, text } => self.rename_key(target, text, key),
        }
    }

    fn browse_key(&mut self, key: Key) -> Outcome {
        let ctrl = key.mods.ctrl;
        match key.code {
            KeyCode::Up | KeyCode::Char('k') if !ctrl => self.move_by(-1),
            KeyCode::Char('p') if ctrl => self.move_by(-1),
            KeyCode::Down | KeyCode::Char('j') if !ctrl => self.move_by(1),
            KeyCode::Char('n') if ctrl => self.move_by(1),
            KeyCode::PageUp => self.move_by(-PAGE),
            KeyCode::PageDown => self.move_by(PAGE),
            KeyCode::Home | KeyCode::Char('g') => self.move_to(0),
            KeyCode::End | KeyCode::Char('G') => self.move_to(usize::MAX),
            KeyCode::Enter => {
                return self.selected.map_or(Outcome::Close, Outcome::Switch);
            }
            KeyCode::Char('/') => self.stage = Stage::Filter,
            KeyCode::Char('x') => {
                if let Some(t) = self.selected {
                    self.stage = Stage::Confirm(t);
                }
            }
            KeyCode::Char(c @ (',' | '$')) => {
                if let Some(t) = self.selected {
                    let target = if c == '$' {
                        Target::Session(t.session())
                    } else {
                        t.tab_or_session()
                    };
                    let text = self
                        .entries
                        .iter()
                        .find(|e| e.target == target)
                        .map(|e| e.name.clone())
                        .unwrap_or_default();
                    self.stage = Stage::Rename { target, text };
                }
            }
            KeyCode::Escape if !self.filter.is_empty() => {
                self.filter.clear();
                self.fix_selection();
            }
            KeyCode::Escape | KeyCode::Char('q') => return Outcome::Close,
            _ => {}
        }
        Outcome::Stay
    }

    fn filter_key(&mut self, key: Key) -> Outcome {
        self.stage = Stage::Filter;
        match key.code {
            KeyCode::Enter => self.stage = Stage::Browse,
            KeyCode::Escape => {
                self.filter.clear();
                self.stage = Stage::Browse;
            }
            KeyCode::Up => self.move_by(-1),
            KeyCode::Down => self.move_by(1),
            KeyCode::Backspace if self.filter.is_empty() => self.stage = Stage::Browse,
            KeyCode::Backspace => {
                self.filter.pop();
            }
            KeyCode::Char('u') if key.mods.ctrl => self.filter.clear(),
            KeyCode::Char(c) if !key.mods.ctrl && !key.mods.alt => self.filter.push(c),
            _ => {}
        }
        self.fix_selection();
        Outcome::Stay
    }

    fn rename_key(&mut self, target: Target, mut text: String, key: Key) -> Outcome {
        match key.code {
            KeyCode::Escape => return Outcome::Stay,
            KeyCode::Enter => {
                let name = text.trim();
                return if name.is_empty() {
                    Outcome::Stay
                } else {
                    Outcome::Rename(target, name.to_owned())
                };
            }
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char('u') if key.mods.ctrl => text.clear(),
            KeyCode::Char(c) if !key.mods.ctrl && !key.mods.alt => text.push(c),
            _ => {}
        }
        self.stage = Stage::Rename { target, text };
        Outcome::Stay
    }

    /// Moves the selection over the visible rows, wrapping around.
    fn move_by(&mut self, delta: isize) {
        let rows = self.rows();
        let n = rows.len() as isize;
        if n == 0 {
            return;
        }
        let at = rows.iter().position(|r| r.selected).unwrap_or(0) as isize;
        let to = if delta.abs() == 1 {
            (at + delta).rem_euclid(n)
        } else {
            (at + delta).clamp(0, n - 1)
        };
        self.selected = Some(rows[to as usize].entry.target);
    }

    fn move_to(&mut self, index: usize) {
        let rows = self.rows();
        if let Some(r) = rows.get(index.min(rows.len().saturating_sub(1))) {
            self.selected = Some(r.entry.target);
        }
    }

    /// Keeps the selection on a visible row: where it was if it still shows, else the first
    /// entry the filter matches itself (not one only shown around a match), else where this
    /// client is, else the first row.
    fn fix_selection(&mut self) {
        let rows = self.rows();
        if rows.iter().any(|r| r.selected) {
            return;
        }
        let first_match = rows
            .iter()
            .find(|r| !self.filter.is_empty() && r.entry.matches(&self.filter))
            .map(|r| r.entry.target);
        let here = rows
            .iter()
            .filter(|r| r.entry.current)
            .max_by_key(|r| r.entry.target.depth())
            .map(|r| r.entry.target);
        self.selected = first_match
            .or(here)
            .or_else(|| rows.first().map(|r| r.entry.target));
    }
}

#[cfg(test)]
mod tests;
