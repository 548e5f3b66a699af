//! Moving between sessions, tabs and panes from anywhere: the session-layer session verbs
//! (rename, next, previous, last, find), where a switcher's choice takes a client, what its
//! kill and rename do, and the switcher's entries built from the model. The switcher's keys
//! are its own state machine (`crate::switcher`, routed by `modes::switcher`); this file
//! carries out what it decides.

use crate::action::SessionAction;
use crate::app::lifecycle::State;
use crate::pane::process::ExitStatus;
use crate::server::Server;
use std::collections::BTreeMap;

use crate::server::model::{App, AppId, ClientId, SessionId, check_session_name};
use crate::server::modes::{ClientMode, PromptKind};
use crate::server::session::Session;
use crate::switcher::{Entry, Switcher, Target};

/// Which session a client was in before this one, for `session.last` (tmux `switch-client -l`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionHistory {
    last: Option<SessionId>,
}

impl SessionHistory {
    /// The client went from `from` to `to`.
    pub fn moved(&mut self, from: SessionId, to: SessionId) {
        if from != to {
            self.last = Some(from);
        }
    }

    /// The session to go back to from `current`, if it still exists.
    pub fn last(
        &self,
        current: SessionId,
        exists: impl Fn(SessionId) -> bool,
    ) -> Option<SessionId> {
        self.last.filter(|l| *l != current && exists(*l))
    }
}

/// The session after (or before) `current` in `order`, wrapping around; `None` when there is
/// no other.
pub fn neighbour(order: &[SessionId], current: SessionId, forward: bool) -> Option<SessionId> {
    let n = order.len();
    let at = order.iter().position(|s| *s == current)?;
    let next = if forward {
        (at + 1) % n
    } else {
        (at + n - 1) % n
    };
    (next != at).then(|| order[next])
}

/// A pane's state as the switcher shows it.
fn state_text(app: &App) -> String {
    match app.life().state {
        State::Running => "running".into(),
        State::Stopped => "stopped".into(),
        State::Waiting => "waiting".into(),
        State::Stopping { .. } => "stopping".into(),
        State::Exited(ExitStatus::Code(c)) => format!("exited {c}"),
        State::Exited(ExitStatus::Signal(s)) => format!("killed {s}"),
        State::Backoff { .. } => "restarting".into(),
        State::Errored(_) => "errored".into(),
    }
}

impl Server {
    /// The session verbs that act inside a session, for an attached client or the CLI.
    pub(super) fn session_verb(
        &mut self,
        client: Option<ClientId>,
        session: SessionId,
        a: &SessionAction,
    ) -> Result<(), String> {
        match a {
            SessionAction::Rename(Some(name)) => self.rename_session(session, name),
            SessionAction::Rename(None) | SessionAction::Find(None) => {
                let c = client.ok_or("without a name this needs an attached client")?;
                let (kind, text) = match a {
                    SessionAction::Find(_) => (PromptKind::Find, String::new()),
                    _ => (PromptKind::RenameSession, self.session_name(session)),
                };
                self.set_mode(c, ClientMode::Prompt { kind, text });
                Ok(())
            }
            SessionAction::Find(Some(text)) => {
                let c = client.ok_or("finding a pane needs an attached client")?;
                self.find_pane(c, text)
            }
            SessionAction::Next | SessionAction::Prev | SessionAction::Last => {
                let c = client.ok_or("switching sessions needs an attached client")?;
                let to = match a {
                    SessionAction::Last => {
                        let history = self.attached_mut(c).map(|a| a.history).unwrap_or_default();
                        history
                            .last(session, |s| self.sessions.contains_key(&s))
                            .ok_or("no last session")?
                    }
                    _ => {
                        let order: Vec<SessionId> = self.sessions.keys().copied().collect();
                        neighbour(&order, session, *a == SessionAction::Next)
                            .ok_or("no other session")?
                    }
                };
                self.switch_client(c, to)
            }
            // The server layer is carried out in `verbs`.
            SessionAction::List | SessionAction::New { .. } | SessionAction::Kill(_) => Ok(()),
        }
    }

    fn session_name(&self, session: SessionId) -> String {
        self.sessions
            .get(&session)
            .map(|s| s.name().to_owned())
            .unwrap_or_default()
    }

    /// Renames a session: the name must be valid and not another session's.
    pub fn rename_session(&mut self, session: SessionId, name: &str) -> Result<(), String> {
        check_session_name(name)?;
        if self.session_by_name(name).is_some_and(|s| s != session) {
            return Err(format!("duplicate session: {name}"));
        }
        let s = self.session_mut(session)?;
        tracing::info!(from = %s.name(), to = %name, "session renamed");
        s.rename(name.to_owned());
        let clients: Vec<ClientId> = self
            .clients
            .values()
            .filter(|c| c.session() == Some(session))
            .map(|c| c.id())
            .collect();
        for c in clients {
            let msg = crate::protocol::ServerMsg::Attached {
                session: name.to_owned(),
            };
            self.send(c, &msg);
        }
        self.state_changed();
        self.session_changed(session);
        Ok(())
    }

    /// Takes a client to a session, tab or pane.
    pub(super) fn go_to(&mut self, id: ClientId, target: Target) -> Result<(), String> {
        let session = target.session();
        self.switch_client(id, session)?;
        // Choosing a tab or pane moves the session's focus, which every client of it sees; a
        // read-only client only goes to the session.
        let read_only = self
            .clients
            .get(&id)
            .and_then(|c| c.attached())
            .is_some_and(|a| a.read_only);
        if read_only {
            return Ok(());
        }
        let (tab, pane) = match target {
            Target::Session(_) => return Ok(()),
            Target::Tab(_, t) => (t, None),
            Target::Pane(_, t, p) => (t, Some(p)),
        };
        self.session_mut(session)?.select(tab, pane)?;
        self.after_layout_change(session);
        Ok(())
    }

    /// Kills what the switcher had selected (the user said yes). A session's last tab or pane
    /// takes the session with it, as in tmux.
    pub(super) fn kill_target(&mut self, target: Target) -> Result<(), String> {
        let session = target.session();
        let s = self.sessions.get(&session).ok_or("no such session")?;
        let last_tab = s.windows().len() < 2;
        match target {
            Target::Session(_) => {}
            Target::Tab(_, t) if !last_tab => {
                self.close_tab(session, t);
                return Ok(());
            }
            Target::Pane(_, _, p) if s.pane_count() > 1 => return self.close_pane(session, p),
            _ => {}
        }
        self.end_session(session, "session killed");
        Ok(())
    }

    /// Renames the session or tab the switcher had selected.
    pub(super) fn rename_target(&mut self, target: Target, name: &str) -> Result<(), String> {
        match target {
            Target::Session(s) => self.rename_session(s, name),
            Target::Tab(s, t) | Target::Pane(s, t, _) => {
                crate::names::check(crate::names::Kind::Tab, name)?;
                self.session_mut(s)?.rename_tab_at(t, name.to_owned())?;
                self.session_changed(s);
                self.state_changed();
                Ok(())
            }
        }
    }

    /// `session.find`: the panes whose app name or screen holds `text`; one is jumped to,
    /// several are shown in the switcher with the text as its filter.
    pub(super) fn find_pane(&mut self, id: ClientId, text: &str) -> Result<(), String> {
        let entries = self.switcher_entries(id);
        let needle = text.to_lowercase();
        let hits: Vec<Target> = entries
            .iter()
            .filter(|e| e.target.depth() == 2)
            .filter(|e| {
                e.label.to_lowercase().contains(&needle) || e.text.to_lowercase().contains(&needle)
            })
            .map(|e| e.target)
            .collect();
        match hits.as_slice() {
            [] => Err(format!("no pane matches `{text}`")),
            [only] => self.go_to(id, *only),
            _ => {
                let sw = Switcher::new(entries, text.to_owned());
                self.set_mode(id, ClientMode::Switcher(Box::new(sw)));
                Ok(())
            }
        }
    }

    /// The tree of every session, its tabs and their panes, with this client's place marked.
    pub(super) fn switcher_entries(&self, id: ClientId) -> Vec<Entry> {
        let here = self.clients.get(&id).and_then(|c| c.session());
        let mut out = Vec::new();
        for (sid, s) in &self.sessions {
            let this = here == Some(*sid);
            let tabs = s.windows().len();
            out.push(Entry {
                target: Target::Session(*sid),
                name: s.name().to_owned(),
                label: format!(
                    "{} ({tabs} tab{})",
                    s.name(),
                    if tabs == 1 { "" } else { "s" }
                ),
                text: String::new(),
                current: this,
            });
            for (t, w) in s.windows().iter().enumerate() {
                let active_tab = this && t == s.active_window_index();
                out.push(Entry {
                    target: Target::Tab(*sid, t),
                    name: w.name().to_owned(),
                    label: format!("{t}: {}", w.name()),
                    text: String::new(),
                    current: active_tab,
                });
                for (i, pane) in w.layout().panes().iter().enumerate() {
                    let Some(app) = w.panes().get(pane).and_then(|a| self.apps.get(a)) else {
                        continue;
                    };
                    out.push(Entry {
                        target: Target::Pane(*sid, t, *pane),
                        name: app.name().to_owned(),
                        label: format!("{i}: {}  {}", app.name(), state_text(app)),
                        text: app.term().screen().contents(),
                        current: active_tab && *pane == w.active(),
                    });
                }
            }
        }
        out
    }

    /// Opens the switcher for a client.
    pub(super) fn open_switcher(&mut self, id: ClientId) {
        let sw = Switcher::new(self.switcher_entries(id), String::new());
        self.set_mode(id, ClientMode::Switcher(Box::new(sw)));
    }
}

/// The app whose screen previews a target: the pane's, or the focused pane's of a tab or a
/// session; with a title `session:tab.pane app`. Takes the models rather than the server, so
/// that a client can be borrowed beside it.
pub(super) fn preview_of<'a>(
    sessions: &'a BTreeMap<SessionId, Session>,
    apps: &'a BTreeMap<AppId, App>,
    target: Target,
) -> Option<(&'a App, String)> {
    let s = sessions.get(&target.session())?;
    let (t, pane) = match target {
        Target::Session(_) => (s.active_window_index(), None),
        Target::Tab(_, t) => (t, None),
        Target::Pane(_, t, p) => (t, Some(p)),
    };
    let w = s.windows().get(t)?;
    let pane = pane.unwrap_or(w.active());
    let app = apps.get(w.panes().get(&pane)?)?;
    let index = w.layout().panes().iter().position(|p| *p == pane)?;
    Some((app, format!("{}:{t}.{index} {}", s.name(), app.name())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_session_is_where_the_client_came_from_while_it_exists() {
        let (a, b, c) = (SessionId(1), SessionId(2), SessionId(3));
        let mut h = SessionHistory::default();
        assert_eq!(h.last(a, |_| true), None);
        h.moved(a, b);
        assert_eq!(h.last(b, |_| true), Some(a));
        h.moved(b, c);
        assert_eq!(h.last(c, |_| true), Some(b));
        // Going back and forth toggles between two.
        h.moved(c, b);
        assert_eq!(h.last(b, |_| true), Some(c));
        // A move to the same session changes nothing; a gone session is no last one.
        h.moved(b, b);
        assert_eq!(h.last(b, |_| true), Some(c));
        assert_eq!(h.last(b, |s| s != c), None);
    }

    #[test]
    fn next_and_previous_sessions_wrap_around() {
        let order = [SessionId(1), SessionId(4), SessionId(9)];
        assert_eq!(neighbour(&order, SessionId(9), true), Some(SessionId(1)));
        assert_eq!(neighbour(&order, SessionId(1), false), Some(SessionId(9)));
        assert_eq!(neighbour(&order, SessionId(4), true), Some(SessionId(9)));
        assert_eq!(neighbour(&order[..1], SessionId(1), true), None);
        assert_eq!(neighbour(&order, SessionId(5), true), None);
    }
}
