//! The supervisor half of the server: adding apps to sessions, carrying out the effects their
//! lifecycle decides (spawn, stop signal, SIGKILL), feeding their output to the log and the
//! terminal, handling exits, and the timers for backoff and stop timeouts. Decisions live in
//! `crate::app`; this file only applies them.

use std::collections::HashSet;
use std::time::Instant;

use crate::app::lifecycle::Control;
use crate::app::lifecycle::{Effect, State};
use crate::config::AppSpec;
use crate::pane::emulator::Emulator;
use crate::pane::process::{ExitStatus, Process, RunKey, SpawnSpec};
use crate::paths;
use crate::server::Server;
use crate::server::model::{App, AppId, PendingExit, SessionId, unique_name};
use crate::server::settings::PANE_ENV_OVERRIDES;
use crate::size::Size;

/// Bytes fed to a terminal when a new run starts in it: reset attributes, character sets and
/// input modes a crashed app may have left on, show the cursor in its default shape. Nothing in
/// it moves the cursor, so the next run starts below the last one.
const RUN_RESET: &str = "\x1b[m\x1b[?25h\x1b[?1l\x1b>\x1b[?2004l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l\x1b(B\x1b)B\x0f\x1b[0 q";

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
                .filter_map(|a| self.apps.get(a).map(|a| a.name.clone()))
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
        let mut env = s.env().to_vec();
        env.retain(|(k, _)| !spec.env.iter().any(|(sk, _)| sk == k));
        env.extend(spec.env.iter().cloned());
        let size = s.detached_size();
        let id = AppId(self.next_id());
        let app = App {
            id,
            session,
            name: spec.name.clone(),
            log: self
                .logs
                .open(paths::app_log_file(&log_dir, &spec.name), spec.log.clone()),
            spec,
            env,
            term: {
                let mut term = Emulator::new(size, self.settings.history_limit);
                term.set_palette(self.palette);
                term
            },
            process: None,
            run: 0,
            life: Default::default(),
            started: Instant::now(),
            saw_output: false,
            eof: false,
            pending_exit: None,
            usage: None,
            ad_hoc,
            published: None,
            pane_shell: false,
            bell: false,
        };
        self.apps.insert(id, app);
        if let Some(s) = self.sessions.get_mut(&session) {
            s.add_app(id);
        }
        // A second app shows the sidebar by default, which narrows the panes.
        self.resize_session(session);
        Ok(id)
    }

    /// Applies a user's request to an app.
    pub fn app_op(&mut self, id: AppId, op: Control) {
        let now = Instant::now();
        let Some(app) = self.apps.get_mut(&id) else {
            return;
        };
        let timeout = app.spec.stop_timeout;
        let effect = match op {
            Control::Start => app.life.start(),
            Control::Stop => app.life.stop(now, timeout),
            Control::Restart => app.life.restart(now, timeout),
            Control::Kill => app.life.kill(),
        };
        tracing::info!(app = %app.name, ?op, ?effect, "app request");
        self.apply(id, effect);
        self.app_changed(id);
        self.notify_state(id);
    }

    /// Tells `apps:state` subscribers when an app's state or pid changed.
    pub fn notify_state(&mut self, id: AppId) {
        let Some(app) = self.apps.get_mut(&id) else {
            return;
        };
        let now = (app.state_label(), app.pid());
        if app.published == Some(now) {
            return;
        }
        app.published = Some(now);
        self.state_changed();
        let payload = self.app_payload(id);
        self.publish("apps:state", payload);
    }

    /// Session, app name and the `ls --json` fields of an app.
    fn app_payload(&self, id: AppId) -> serde_json::Value {
        let Some(app) = self.apps.get(&id) else {
            return serde_json::Value::Null;
        };
        let session = self.sessions.get(&app.session).map(|s| s.name().to_owned());
        let mut v =
            serde_json::to_value(crate::server::dispatch::app_info(app)).unwrap_or_default();
        v["session"] = serde_json::json!(session);
        v["app"] = serde_json::json!(app.name);
        v
    }

    /// Carries out what the lifecycle decided.
    pub fn apply(&mut self, id: AppId, effect: Effect) {
        match effect {
            Effect::None => {}
            Effect::Spawn => self.spawn_app(id),
            Effect::Signal => {
                if let Some(app) = self.apps.get(&id)
                    && let Some(p) = &app.process
                {
                    match rustix::process::Signal::from_named_raw(app.spec.stop_signal) {
                        Some(sig) => p.signal_all(sig),
                        None => p.signal_all(rustix::process::Signal::TERM),
                    }
                    // A stopped (SIGTSTP) app could not act on the signal otherwise.
                    p.signal_all(rustix::process::Signal::CONT);
                }
            }
            Effect::Kill => {
                if let Some(p) = self.apps.get(&id).and_then(|a| a.process.as_ref()) {
                    p.signal_all(rustix::process::Signal::KILL);
                }
            }
        }
    }

    /// Starts a new run of an app in a fresh PTY, at its terminal's current size.
    fn spawn_app(&mut self, id: AppId) {
        let socket = self.settings.socket.display().to_string();
        let session_name = self
            .apps
            .get(&id)
            .and_then(|a| self.sessions.get(&a.session))
            .map(|s| s.name().to_owned())
            .unwrap_or_default();
        let tx = self.pty_tx.clone();
        let pane_env = |app: &str| self.settings.pane_env(&socket, &session_name, app);
        let Some(app) = self.apps.get(&id) else {
            return;
        };
        let mut env = app.env.clone();
        env.retain(|(k, _)| !PANE_ENV_OVERRIDES.contains(&k.as_str()));
        env.extend(pane_env(&app.name));
        let spec = SpawnSpec {
            argv: app.spec.cmd.argv(),
            cwd: Some(app.spec.cwd.display().to_string()),
            env,
            size: app.term.size(),
        };
        let Some(app) = self.apps.get_mut(&id) else {
            return;
        };
        app.run += 1;
        app.eof = false;
        app.pending_exit = None;
        app.saw_output = false;
        app.started = Instant::now();
        if app.run > 1 {
            app.term.reset_modes();
            let cols = usize::from(app.term.size().cols);
            let label = format!(" restart #{} ", app.life.restarts);
            let rule = "─".repeat(cols.saturating_sub(label.len() + 4) / 2);
            // Leaving the alternate screen restores the cursor saved on entering it, which is
            // right only when the run is on it; elsewhere the saved cursor may be anywhere.
            let leave_alt = if app.term.screen().alternate_screen() {
                "\x1b[?1049l"
            } else {
                ""
            };
            let sep = format!("{leave_alt}{RUN_RESET}\r\n\x1b[2m{rule}──{label}──{rule}\x1b[m\r\n");
            app.term.feed(sep.as_bytes());
        }
        let key = RunKey {
            app: id.0,
            run: app.run,
        };
        match Process::spawn(&spec, key, tx) {
            Ok(p) => {
                tracing::info!(app = %app.name, pid = p.pid(), run = app.run, "app started");
                app.log.marker(&format!(
                    "started pid {} (run {}): {}",
                    p.pid(),
                    app.run,
                    app.spec.cmd.display()
                ));
                app.process = Some(p);
                app.life.spawned();
                self.app_changed(id);
                self.notify_state(id);
                return;
            }
            Err(e) => {
                tracing::warn!(app = %app.name, "start failed: {e:#}");
                // One line, in the log's marker format, like the start and exit lines.
                let reason = format!("{e:#}").lines().collect::<Vec<_>>().join(" ");
                app.log
                    .marker(&format!("failed to start (run {}): {reason}", app.run));
                app.term
                    .feed(format!("appmux: failed to start: {reason}\r\n").as_bytes());
                app.life.spawned();
                // Reported like a shell reports a missing command; backoff applies.
                app.eof = true;
                app.pending_exit = Some(PendingExit {
                    status: ExitStatus::Code(127),
                    deadline: Instant::now(),
                });
            }
        }
        self.app_changed(id);
    }

    /// Output of the current run: logged first, then parsed; query replies go back to the app.
    /// While the app holds its display for a synchronized update, clients are not woken.
    pub(super) fn app_output(&mut self, key: RunKey, bytes: &[u8]) {
        let Some(app) = self.app_run(key) else { return };
        app.log.write(bytes);
        app.saw_output = true;
        let held = app.term.sync_deadline();
        let replies = app.term.feed(bytes);
        if let Some(p) = &app.process {
            p.reply(replies);
        }
        let unchanged = held.is_some() && app.term.sync_deadline() == held;
        let id = app.id;
        self.after_output(id);
        if !unchanged {
            self.app_changed(id);
        }
    }

    /// The app for a PTY event, if the event belongs to its current run.
    pub(super) fn app_run(&mut self, key: RunKey) -> Option<&mut App> {
        self.apps
            .get_mut(&AppId(key.app))
            .filter(|a| a.run == key.run)
    }

    /// Records an exit, shows it in the app's pane and log, and lets the lifecycle decide.
    pub(super) fn app_exited(&mut self, id: AppId, status: ExitStatus) {
        let now = Instant::now();
        let Some(app) = self.apps.get_mut(&id) else {
            return;
        };
        let uptime = app.started.elapsed();
        let process = app.process.take();
        // A stop means the whole tree: what outlived the leader (a grandchild ignoring the
        // signal) gets SIGKILL when the stop timeout ends, or now if it already has.
        let leftovers = match app.life.state {
            State::Stopping { kill_at, .. } => Some(kill_at.unwrap_or(now)),
            _ => None,
        };
        app.pending_exit = None;
        app.usage = None;
        tracing::info!(app = %app.name, %status, ?uptime, "app exited");
        let secs = uptime.as_secs_f64();
        app.log.marker(&match &process {
            // Named by pid, as the start marker is, so the two pair up.
            Some(p) => format!(
                "pid {} {status} after {secs:.1}s (run {})",
                p.pid(),
                app.run
            ),
            None => format!("{status} after {secs:.1}s (run {})", app.run),
        });
        let rule = app.rule();
        let effect = app.life.exited(status, uptime, &rule, now);
        let (_, col) = app.term.screen().cursor_position();
        let newline = if col > 0 { "\r\n" } else { "" };
        let what = match app.life.state {
            State::Backoff { until, .. } => format!(
                "{status}; restarting in {:.1}s",
                until.saturating_duration_since(now).as_secs_f64()
            ),
            State::Errored(_) => format!(
                "{status}; errored after {} quick restarts, start it by hand",
                app.spec.max_restarts
            ),
            _ => status.to_string(),
        };
        let note = format!("{newline}\x1b[m\x1b[7m[{} {what}]\x1b[m", app.name);
        app.term.feed(note.as_bytes());
        if let (Some(t), Some(p)) = (leftovers, process) {
            self.kill_at(t.max(now), p);
        }
        let mut exit = self.app_payload(id);
        let (code, signal) = match status {
            ExitStatus::Code(c) => (Some(c), None),
            ExitStatus::Signal(s) => (None, Some(s)),
        };
        exit["exit_code"] = serde_json::json!(code);
        exit["signal"] = serde_json::json!(signal);
        exit["run_s"] = serde_json::json!(uptime.as_secs_f64());
        self.publish("apps:exit", exit);
        self.apply(id, effect);
        self.app_changed(id);
        self.notify_state(id);
    }

    /// The earliest lifecycle timer (backoff restart or stop timeout).
    pub(super) fn app_deadline(&self) -> Option<Instant> {
        self.apps.values().filter_map(|a| a.life.deadline()).min()
    }

    /// Fires due lifecycle timers.
    pub(super) fn tick_apps(&mut self, now: Instant) {
        let due: Vec<AppId> = self
            .apps
            .values()
            .filter(|a| a.life.deadline().is_some_and(|t| t <= now))
            .map(|a| a.id)
            .collect();
        for id in due {
            if let Some(app) = self.apps.get_mut(&id) {
                let effect = app.life.tick(now);
                self.apply(id, effect);
                self.app_changed(id);
                self.notify_state(id);
            }
        }
    }

    /// Stops an app for good because its session goes away: SIGHUP (its terminal is going),
    /// the stop signal, and SIGKILL for whatever is left after a grace period.
    pub(super) fn retire_app(&mut self, id: AppId) {
        let Some(app) = self.apps.remove(&id) else {
            return;
        };
        if let Some(p) = app.process {
            p.signal_all(rustix::process::Signal::HUP);
            if let Some(sig) = rustix::process::Signal::from_named_raw(app.spec.stop_signal) {
                p.signal_all(sig);
            }
            p.signal_all(rustix::process::Signal::CONT);
            self.kill_later(p);
        }
    }

    /// Resizes an app's terminal and PTY.
    pub(super) fn resize_app(&mut self, id: AppId, size: Size) {
        if let Some(a) = self.apps.get_mut(&id) {
            a.term.resize(size);
            if let Some(p) = &a.process {
                p.resize(size);
            }
        }
    }
}
