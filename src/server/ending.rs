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

impl Server {
    /// Whether an app that just exited for good takes its panes with it.
    fn closes_on_exit(&self, id: AppId) -> bool {
        let Some(app) = self.apps.get(&id) else {
            return false;
        };
        let Some(s) = self.sessions.get(&app.session()) else {
            return false;
        };
        if self.shutdown.is_some() || !matches!(app.life().state, State::Exited(_)) {
            return false;
        }
        let configured = !app.is_ad_hoc() && !app.is_pane_shell() && s.project_file().is_some();
        let remain = app
            .spec()
            .remain_on_exit
            .unwrap_or(configured || self.settings.options.remain_on_exit);
        !remain && (app.is_pane_shell() || s.shows(id))
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
