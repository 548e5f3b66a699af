//! The supervisor half of the server: adding apps to sessions, routing requests, PTY events
//! and timers to the app model (`crate::app::model`), and applying what it returns (spawn with
//! the server's channel and pane variables, kills after a grace period, events to subscribers,
//! redraws). Decisions live in `crate::app`; this file only routes and applies them.

use std::collections::HashSet;
use std::time::Instant;

use crate::app::lifecycle::{Control, Effect};
use crate::app::model::{NewApp, Spawned};
use crate::config::AppSpec;
use crate::contract::{AppEvent, AppExit, EventPayload};
use crate::pane::emulator::Emulator;
use crate::pane::process::{ExitStatus, Output, RunKey};
use crate::paths;
use crate::server::Server;
use crate::server::model::{App, AppId, SessionId, unique_name};
use crate::server::settings::PANE_ENV_OVERRIDES;
use crate::size::Size;

/// An app's environment: the session's, with the spec's own variables over it.
pub fn app_env(session: &[(String, String)], spec: &AppSpec) -> Vec<(String, String)> {
    let mut env = session.to_vec();
    env.retain(|(k, _)| !spec.env.iter().any(|(sk, _)| sk == k));
    env.extend(spec.env.iter().cloned());
    env
}

impl Server {
    /// Adds an app to a session without starting it. Every app enters here, whether from a
    /// project, `run`, the control API or the state file, so this is where its name and limits
    /// are checked. `spec.name` is made valid and unique when empty or derived; an explicit
    /// name that is invalid or taken is refused.
    pub fn add_app(
        &mut self,
        session: SessionId,
        spec: AppSpec,
        ad_hoc: bool,
        explicit_name: bool,
    ) -> Result<AppId, String> {
        let mut taken = self.app_names(session);
        self.add_app_to(session, spec, ad_hoc, explicit_name, &mut taken)
    }

    /// The names of a session's apps, for adding several with [`Server::add_app_to`].
    pub fn app_names(&self, session: SessionId) -> HashSet<String> {
        self.sessions.get(&session).map_or_else(HashSet::new, |s| {
            s.apps()
                .iter()
                .filter_map(|a| self.apps.get(a).map(|a| a.name().to_owned()))
                .collect()
        })
    }

    /// [`Server::add_app`] with the session's app names at hand (and kept up to date), so that
    /// adding a project's apps costs time linear in their number.
    pub fn add_app_to(
        &mut self,
        session: SessionId,
        mut spec: AppSpec,
        ad_hoc: bool,
        explicit_name: bool,
        taken: &mut HashSet<String>,
    ) -> Result<AppId, String> {
        if explicit_name {
            crate::names::check_app(&spec.name)?;
        } else {
            spec.name = crate::names::derive(crate::names::Kind::App, &spec.name, "app");
        }
        spec.check_limits()?;
        let s = self.sessions.get(&session).ok_or("no such session")?;
        if explicit_name && taken.contains(&spec.name) {
            return Err(format!(
                "app `{}` already exists in session {}",
                spec.name,
                s.name()
            ));
        }
        spec.name = unique_name(&spec.name, taken);
        taken.insert(spec.name.clone());
        let log_dir =
            paths::session_log_dir(&self.settings.label, s.name()).map_err(|e| e.to_string())?;
        let env = app_env(s.env(), &spec);
        let size = s.detached_size();
        let id = AppId(self.next_id());
        let log = self
            .logs
            .open(paths::app_log_file(&log_dir, &spec.name), spec.log.clone());
        let mut term = Emulator::new(size, self.settings.history_limit);
        term.set_vs16_wide(self.settings.options.vs16_wide);
        term.set_palette(self.palette);
        let app = App::new(NewApp {
            id,
            session,
            spec,
            env,
            term,
            log,
            ad_hoc,
        });
        self.apps.insert(id, app);
        self.watches_changed();
        if let Some(s) = self.sessions.get_mut(&session) {
            s.add_app(id);
            if let Some(spec) = self.apps.get(&id).map(App::spec) {
                s.remember_instance(spec);
            }
        }
        // A second app shows the sidebar by default, which narrows the panes.
        self.resize_session(session);
        Ok(id)
    }

    /// Applies a user's request to an app.
    pub fn app_op(&mut self, id: AppId, op: Control) {
        self.forget_orders(id);
        let idle = self.apps.get(&id).is_some_and(|a| !a.life().has_process());
        if matches!(op, Control::Start | Control::Restart)
            && idle
            && !self.start_with_dependencies(id)
        {
            return;
        }
        let Some(app) = self.apps.get_mut(&id) else {
            return;
        };
        let effect = app.control(op, Instant::now());
        tracing::info!(app = %app.name(), ?op, ?effect, "app request");
        self.apply(id, effect);
        self.app_changed(id);
        self.notify_state(id);
    }

    /// Tells `apps:state` subscribers when an app's state or pid changed.
    pub fn notify_state(&mut self, id: AppId) {
        let Some(app) = self.apps.get_mut(&id) else {
            return;
        };
        let session = app.session();
        if !app.publish() {
            return;
        }
        self.state_changed();
        if let Some(payload) = self.app_payload(id) {
            self.publish("apps:state", EventPayload::App(payload));
        }
        // Its dependents may start now, or learn that they cannot.
        self.release_waiting(session);
    }

    /// Session, app name and the `ls --json` fields of an app.
    fn app_payload(&self, id: AppId) -> Option<AppEvent> {
        let app = self.apps.get(&id)?;
        let session = self
            .sessions
            .get(&app.session())
            .map(|s| s.name().to_owned());
        Some(AppEvent {
            session,
            app: app.name().to_owned(),
            info: crate::server::dispatch::app_info(app),
        })
    }

    /// Carries out what an app's lifecycle decided.
    pub fn apply(&mut self, id: AppId, effect: Effect) {
        let Some(app) = self.apps.get(&id) else {
            return;
        };
        match effect {
            Effect::None => {}
            // Nothing starts while the server is on its way out.
            Effect::Spawn if self.shutdown.is_some() => {}
            Effect::Spawn => self.spawn_app(id),
            Effect::Signal => app.signal_stop(),
            Effect::Kill => app.kill_now(),
        }
    }

    /// Starts a new run of an app, with the variables that tell it which pane it is in.
    fn spawn_app(&mut self, id: AppId) {
        let socket = self.settings.socket.display().to_string();
        let Some(app) = self.apps.get(&id) else {
            return;
        };
        let session_name = self
            .sessions
            .get(&app.session())
            .map(|s| s.name().to_owned())
            .unwrap_or_default();
        let pane_env = self.settings.pane_env(&socket, &session_name, app.name());
        let tx = self.pty_tx.clone();
        let Some(app) = self.apps.get_mut(&id) else {
            return;
        };
        let spawned = app.spawn(pane_env, PANE_ENV_OVERRIDES, tx, Instant::now());
        let restarted = app.run() > 1;
        self.app_changed(id);
        if let Spawned::Running { .. } = spawned {
            if restarted {
                self.dependency_restarted(id);
            }
            self.notify_state(id);
        }
    }

    /// Output of the current run.
    pub(super) fn app_output(&mut self, key: RunKey, out: Output) {
        let Some(app) = self.app_run(key) else { return };
        let now = Instant::now();
        let fed = app.output(out, now);
        let echo = app.take_echo(now);
        let id = app.id();
        self.after_output(id, fed.bells, fed.clipboard);
        if fed.redraw && echo {
            self.app_echoed(id);
        } else if fed.redraw {
            self.app_changed(id);
        }
        if let Some(change) = fed.probe {
            self.probe_changed(id, change);
        }
    }

    /// The app for a PTY event, if the event belongs to its current run.
    pub(super) fn app_run(&mut self, key: RunKey) -> Option<&mut App> {
        self.apps
            .get_mut(&AppId(key.app))
            .filter(|a| a.is_current(key))
    }

    /// Shows an exit in the app's pane and log, applies what the lifecycle decided, and tells
    /// subscribers.
    pub(super) fn app_exited(&mut self, id: AppId, status: ExitStatus) {
        let now = Instant::now();
        let Some(app) = self.apps.get_mut(&id) else {
            return;
        };
        let exited = app.exited(status, now);
        if let Some((at, p)) = exited.leftovers {
            self.kill_at(at, p);
        }
        if let Some(mut app) = self.app_payload(id) {
            // This exit's status, whatever state the app went on to.
            (app.info.exit_code, app.info.signal) = match status {
                ExitStatus::Code(c) => (Some(c), None),
                ExitStatus::Signal(s) => (None, Some(s)),
            };
            let run_s = exited.uptime.as_secs_f64();
            self.publish("apps:exit", EventPayload::Exit(AppExit { app, run_s }));
        }
        self.apply(id, exited.effect);
        self.app_changed(id);
        self.notify_state(id);
        self.close_exited(id);
    }

    /// The earliest lifecycle timer (backoff restart or stop timeout).
    pub(super) fn app_deadline(&self) -> Option<Instant> {
        self.apps.values().filter_map(App::deadline).min()
    }

    /// Fires due lifecycle timers.
    pub(super) fn tick_apps(&mut self, now: Instant) {
        let due: Vec<AppId> = self
            .apps
            .values()
            .filter(|a| a.deadline().is_some_and(|t| t <= now))
            .map(App::id)
            .collect();
        for id in due {
            if let Some(app) = self.apps.get_mut(&id) {
                let effect = app.tick(now);
                self.apply(id, effect);
                self.app_changed(id);
                self.notify_state(id);
            }
        }
    }

    /// Stops an app for good because its session goes away: SIGHUP (its terminal is going),
    /// the stop signal, and SIGKILL for whatever is left after a grace period.
    pub(super) fn retire_app(&mut self, id: AppId) {
        self.watches_changed();
        if let Some(p) = self.apps.remove(&id).and_then(App::retire) {
            self.kill_later(p);
        }
    }

    /// Resizes an app's terminal and PTY.
    pub(super) fn resize_app(&mut self, id: AppId, size: Size) {
        if let Some(a) = self.apps.get_mut(&id) {
            a.resize(size);
        }
    }
}
