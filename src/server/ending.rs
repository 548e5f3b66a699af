//! Panes that end as tmux's do: when the program of a pane is an ad-hoc shell or command (a
//! split's or a new tab's shell, the command of a session made without a project file, an app
//! added with `run` and shown in a pane) and it exits for good, its panes close and it leaves
//! the session's apps; the last pane closing ends the session, and its clients are told
//! `exited` (unless the session holds other apps: then the pane shows the next of them).
//! `remain_on_exit` (config.toml, or per app) keeps them, showing the exit. Configured apps
//! (declared in the project file) keep their pane unless they say otherwise.
//!
//! This file decides only that; closing panes is the session model's and ending a session the
//! dispatcher's. An app that is restarting, in backoff, stopped on request, or exiting because
//! the server shuts down is never closed here.

use crate::app::lifecycle::State;
use crate::server::Server;
use crate::server::model::AppId;

/// What decides whether an app that exited takes its panes with it.
#[derive(Debug, Clone, Copy)]
struct ExitFacts {
    /// It exited and its lifecycle does not start it again (not restarting, not in backoff,
    /// not stopped on request, not errored), and the server is not shutting down.
    for_good: bool,
    /// Declared in the session's project file (not a pane's shell, not from `run`, not the
    /// command of a plain session).
    configured: bool,
    /// A pane shows it, or it is a split's or a new tab's shell.
    in_a_pane: bool,
    /// Its own `remain_on_exit`.
    remain: Option<bool>,
    /// `remain_on_exit` in config.toml.
    remain_default: bool,
}

fn closes(f: ExitFacts) -> bool {
    let remain = f.remain.unwrap_or(f.configured || f.remain_default);
    f.for_good && f.in_a_pane && !remain
}

impl Server {
    /// Whether an app that just exited for good takes its panes with it.
    fn closes_on_exit(&self, id: AppId) -> bool {
        let Some(app) = self.apps.get(&id) else {
            return false;
        };
        let Some(s) = self.sessions.get(&app.session()) else {
            return false;
        };
        closes(ExitFacts {
            for_good: self.shutdown.is_none() && matches!(app.life().state, State::Exited(_)),
            configured: !app.is_ad_hoc() && !app.is_pane_shell() && s.project_file().is_some(),
            in_a_pane: app.is_pane_shell() || s.shows(id),
            remain: app.spec().remain_on_exit,
            remain_default: self.settings.options.remain_on_exit,
        })
    }

    /// After an app's exit: closes its panes (and the session, with its last pane) when it is
    /// an ad-hoc program that does not remain on exit.
    pub(super) fn close_exited(&mut self, id: AppId) {
        if !self.closes_on_exit(id) {
            return;
        }
        let Some(session) = self.apps.get(&id).map(|a| a.session()) else {
            return;
        };
        let Some(s) = self.sessions.get(&session) else {
            return;
        };
        let panes = s.panes_showing(id);
        // The session's last pane: tmux ends the session. One that holds other apps (a
        // project's) is not ended for this; the pane shows the next of them instead.
        let last = panes.len() >= s.pane_count();
        let next = s.apps().iter().copied().find(|a| *a != id);
        if last && next.is_none() {
            tracing::info!(session = %s.name(), "the last pane's program exited: the session ends");
            self.end_session(session, "exited");
            return;
        }
        if let Some(s) = self.sessions.get_mut(&session) {
            for pane in panes {
                let _ = match next.filter(|_| last) {
                    Some(next) => s.show_in(pane, next).map(drop),
                    None => s.close_pane(pane).map(drop),
                };
            }
            s.remove_app(id);
        }
        if let Some(app) = self.apps.get(&id) {
            tracing::info!(app = %app.name(), "an ad-hoc program exited: its panes close");
        }
        self.retire_app(id);
        self.after_layout_change(session);
        self.session_changed(session);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell() -> ExitFacts {
        ExitFacts {
            for_good: true,
            configured: false,
            in_a_pane: true,
            remain: None,
            remain_default: false,
        }
    }

    #[test]
    fn an_ad_hoc_program_in_a_pane_closes_unless_told_to_remain() {
        assert!(closes(shell()));
        let remain_default = true;
        assert!(!closes(ExitFacts {
            remain_default,
            ..shell()
        }));
        // Its own setting wins over config.toml's, either way.
        assert!(closes(ExitFacts {
            remain: Some(false),
            remain_default,
            ..shell()
        }));
        assert!(!closes(ExitFacts {
            remain: Some(true),
            ..shell()
        }));
    }

    #[test]
    fn configured_apps_remain_unless_they_say_otherwise() {
        let configured = ExitFacts {
            configured: true,
            ..shell()
        };
        assert!(!closes(configured));
        assert!(closes(ExitFacts {
            remain: Some(false),
            ..configured
        }));
    }

    #[test]
    fn nothing_closes_that_will_run_again_or_is_in_no_pane() {
        assert!(!closes(ExitFacts {
            for_good: false,
            ..shell()
        }));
        assert!(!closes(ExitFacts {
            in_a_pane: false,
            ..shell()
        }));
    }
}
