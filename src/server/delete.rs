//! Deleting apps from a session, for `appmux delete` (`rm`) and for `reload` when the project
//! file no longer has an app. Everything is checked before anything changes. Then each app
//! leaves the panes that show it (a pane closes, or, when it is the session's only pane, shows
//! another app of the session), the session's list (so the sidebar and `ls`) and the app map;
//! its process group gets the stop signal at once and SIGKILL when its stop timeout ends. The
//! saved state follows, so `resurrect` does not bring it back. Its log files stay.

use std::time::Instant;

use crate::contract::{AppDeleted, EventPayload};

use crate::server::Server;
use crate::server::model::{AppId, SessionId};

impl Server {
    /// `app.delete`: stops and removes `ids` from `session`. Refused, changing nothing, when
    /// other apps depend on them (unless `force`) or when the session would be left without
    /// an app.
    pub(super) fn delete_apps(
        &mut self,
        session: SessionId,
        ids: &[AppId],
        force: bool,
    ) -> Result<(), String> {
        let blocking = self.dependents_blocking_delete(session, ids);
        if !force && !blocking.is_empty() {
            return Err(format!(
                "other apps depend on it: {}; `--force` deletes it anyway",
                blocking.join(", ")
            ));
        }
        self.check_delete(session, ids)?;
        self.remove_apps(session, ids);
        Ok(())
    }

    /// The apps of `session`, other than `ids`, that depend on one of `ids`: deleting would
    /// leave them waiting for something that is gone.
    pub(super) fn dependents_blocking_delete(
        &self,
        session: SessionId,
        ids: &[AppId],
    ) -> Vec<String> {
        let doomed: Vec<&str> = ids
            .iter()
            .filter_map(|id| self.apps.get(id))
            .map(|a| a.name())
            .collect();
        let Some(s) = self.sessions.get(&session) else {
            return Vec::new();
        };
        s.apps()
            .iter()
            .filter(|id| !ids.contains(id))
            .filter_map(|id| self.apps.get(id))
            .filter(|a| {
                a.spec()
                    .depends_on
                    .iter()
                    .any(|d| doomed.contains(&d.app.as_str()))
            })
            .map(|a| {
                let on: Vec<&str> = a
                    .spec()
                    .depends_on
                    .iter()
                    .map(|d| d.app.as_str())
                    .filter(|n| doomed.contains(n))
                    .collect();
                format!("{} (on {})", a.name(), on.join(", "))
            })
            .collect()
    }

    /// A session keeps at least one app: its last pane must show something.
    pub(super) fn check_delete(&self, session: SessionId, ids: &[AppId]) -> Result<(), String> {
        let s = self.sessions.get(&session).ok_or("no such session")?;
        if s.apps().iter().all(|a| ids.contains(a)) {
            return Err(format!(
                "that would leave session {0} without apps; `appmux kill-session -t {0}` ends it",
                s.name()
            ));
        }
        Ok(())
    }

    /// Removes apps already checked by [`Server::check_delete`], stopping their processes.
    pub(super) fn remove_apps(&mut self, session: SessionId, ids: &[AppId]) {
        let now = Instant::now();
        let session_name = self
            .sessions
            .get(&session)
            .map(|s| s.name().to_owned())
            .unwrap_or_default();
        for &id in ids {
            self.unshow(session, id, ids);
            if let Some(s) = self.sessions.get_mut(&session) {
                s.remove_app(id);
            }
            let Some(app) = self.apps.remove(&id) else {
                continue;
            };
            self.watches_changed();
            let name = app.name().to_owned();
            tracing::info!(session = %session_name, app = %name, pid = ?app.pid(), "app deleted");
            if let Some((at, process)) = app.delete(now) {
                self.kill_at(at, process);
            }
            let payload = AppDeleted {
                session: session_name.clone(),
                app: name,
                state: "deleted".to_owned(),
            };
            self.publish("apps:state", EventPayload::Deleted(payload));
        }
        // The sidebar may go with the apps, which widens the panes.
        self.after_layout_change(session);
        self.session_changed(session);
        // Apps that depended on them (a forced delete) now wait for what is gone.
        self.release_waiting(session);
    }

    /// Takes `app` out of every pane that shows it: the pane closes, or, as the session's
    /// only pane, shows the first app of the session that stays (none of `gone`).
    fn unshow(&mut self, session: SessionId, app: AppId, gone: &[AppId]) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        for pane in s.panes_showing(app) {
            if s.pane_count() > 1 {
                let _ = s.close_pane(pane);
                continue;
            }
            let next = s
                .apps()
                .iter()
                .copied()
                .find(|a| !gone.contains(a) && !s.shows(*a));
            if let Some(next) = next {
                let _ = s.show_in(pane, next);
            }
        }
    }
}
