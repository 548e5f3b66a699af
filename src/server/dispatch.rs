//! One-shot requests from the CLI: an action of the vocabulary (run through `perform` and
//! answered with what it produced), and the requests that carry what has no text form (a new
//! session with the client's environment, an app from a full spec); and the session and app
//! operations they share with attach: creating and killing sessions, adding apps, and resolving
//! `NAME[:APP]` targets.

use std::time::SystemTime;

use std::path::PathBuf;

use crate::app::deps::Gate;
use crate::app::lifecycle::Control;
use crate::config::{AppSpec, CommandSpec, RestartPolicy};
use crate::contract::{EventPayload, SessionEvent};
use crate::keys::{SendItem, parse_send_keys};
use crate::pane::encode;
use crate::pane::process::ExitStatus;
use crate::protocol::{
    AppInfo, AttachRequest, DependencyInfo, ListReport, NewSession, Reply, Request, ServerMsg,
    SessionInfo,
};
use crate::server::Server;
use crate::server::model::{
    App, AppId, ClientId, PaneId, SessionId, check_session_name, unix_secs,
};
use crate::server::session::{Origin, Session};
use crate::server::verbs::Outcome;
use crate::size::Size;
use crate::target::Tab;

/// The session plain `appmux` attaches to (or creates) when no name is given.
pub const DEFAULT_SESSION: &str = "main";

impl Server {
    pub(super) fn request(&mut self, id: ClientId, req: Request) {
        let reply = match req {
            Request::NewSession(new) => self.new_session(new).map(|s| Reply::Created {
                name: self.sessions[&s].name().to_owned(),
            }),
            Request::List => return self.action_request(id, None, "session.list"),
            Request::FlushLogs => return self.flush_logs(id),
            Request::Run { session, spec } => self
                .run_app(session.as_deref(), *spec)
                .map(|o| self.reply_of(o)),
            Request::Save => self.try_save().map(|()| Reply::Done),
            Request::Resurrect { kill_orphans } => {
                Ok(Reply::Resurrected(self.resurrect(kill_orphans)))
            }
            Request::InsidePane { appmux } => {
                if let Some(c) = self.clients.get_mut(&id) {
                    c.set_inside_pane(appmux);
                }
                Ok(Reply::Done)
            }
            Request::Action { session, action } => {
                return self.action_request(id, session.as_deref(), &action);
            }
            Request::Retired2
            | Request::Retired3
            | Request::Retired4
            | Request::Retired5
            | Request::Retired6 => Err("this request was retired; send an action".to_owned()),
        };
        let msg = match reply {
            Ok(r) => ServerMsg::Reply(r),
            Err(e) => ServerMsg::Error(e),
        };
        self.send(id, &msg);
    }

    /// An action from the CLI, in its text form, answered with what it produced. `ls` waits
    /// for fresh metrics; `kill-server` is answered once the server is gone, so that the next
    /// command finds no server.
    fn action_request(&mut self, id: ClientId, session: Option<&str>, text: &str) {
        let outcome = text
            .parse::<crate::action::Action>()
            .map_err(|e| e.to_string())
            .and_then(|action| self.perform(session, &action));
        let msg = match outcome {
            Ok(Outcome::Sessions) => return self.list_request(id),
            Ok(Outcome::Stopping) => {
                self.shutdown_waiters.push(id);
                return;
            }
            Ok(o) => ServerMsg::Reply(self.reply_of(o)),
            Err(e) => ServerMsg::Error(e),
        };
        self.send(id, &msg);
    }

    /// An outcome as the CLI's reply.
    fn reply_of(&self, outcome: Outcome) -> Reply {
        match outcome {
            Outcome::Done | Outcome::Stopping => Reply::Done,
            Outcome::Sessions => Reply::List(self.list()),
            Outcome::Apps(only) => Reply::List(self.report_of(only)),
            Outcome::Created(name) => Reply::Created { name },
            Outcome::Screen(text) => Reply::Capture(text),
            Outcome::Report(r) => Reply::Json(serde_json::to_string(&r).unwrap_or_default()),
            Outcome::Added {
                session,
                name,
                project_file,
            } => Reply::App {
                session,
                name,
                project_file,
            },
            Outcome::Reloaded(plan) => Reply::Reloaded(plan),
        }
    }

    /// For attach: the named session, or the most recently used one; created when asked to.
    /// A client inside a pane (`inside` is its `$APPMUX`) may not attach the session it runs in.
    pub(super) fn find_or_create_for_attach(
        &mut self,
        req: &AttachRequest,
        inside: Option<&str>,
    ) -> Result<(SessionId, Vec<AppId>), String> {
        if req.only_new {
            let mut new = req.create.clone().ok_or("no session to create")?;
            new.size.get_or_insert(req.size);
            return self.create_session(new, false);
        }
        let found = match &req.target {
            Some(name) => self.session_by_name(name),
            None => match &req.create {
                Some(new) => self.session_by_name(new.name.as_deref().unwrap_or(DEFAULT_SESSION)),
                None => self.most_recent_session(),
            },
        };
        if let Some(s) = found {
            if let Some(app) = inside.and_then(|var| self.pane_app_of(s, var)) {
                let name = self.sessions[&s].name();
                return Err(format!(
                    "not attaching session {name} to itself: this terminal is its app `{app}` \
                     (`appmux attach -f -t {name}` attaches anyway)"
                ));
            }
            return Ok((s, Vec::new()));
        }
        match &req.create {
            Some(new) => {
                let mut new = new.clone();
                new.name = new
                    .name
                    .or_else(|| req.target.clone())
                    .or_else(|| Some(DEFAULT_SESSION.to_owned()));
                new.size.get_or_insert(req.size);
                self.create_session(new, false)
            }
            None => Err(match &req.target {
                Some(name) => format!("can't find session: {name}"),
                None => "no sessions".to_owned(),
            }),
        }
    }

    /// The app of `session` whose pane sets `$APPMUX` to `var`, if any.
    fn pane_app_of(&self, session: SessionId, var: &str) -> Option<&str> {
        let socket = self.settings.socket.display().to_string();
        let s = self.sessions.get(&session)?;
        s.apps()
            .iter()
            .filter_map(|a| self.apps.get(a))
            .find(|a| crate::server::settings::appmux_var(&socket, s.name(), a.name()) == var)
            .map(|a| a.name())
    }

    /// Answers once the log thread has written everything queued so far, so that `logs` reads
    /// what was printed before it asked.
    fn flush_logs(&mut self, id: ClientId) {
        self.queue_held_logs();
        let events = self.events.clone();
        let queued = self.logs.after_queued(move || {
            let _ = events.blocking_send(crate::server::Event::LogsWritten(id));
        });
        if !queued {
            let behind = "the logs are being written too slowly to flush now; try again";
            self.send(id, &ServerMsg::Error(behind.into()));
        }
    }

    pub fn app_by_name(&self, session: SessionId, name: &str) -> Option<AppId> {
        self.sessions
            .get(&session)?
            .apps()
            .iter()
            .copied()
            .find(|a| self.apps.get(a).is_some_and(|a| a.name() == name))
    }

    pub fn session_by_name(&self, name: &str) -> Option<SessionId> {
        self.sessions
            .values()
            .find(|s| s.name() == name)
            .map(|s| s.id())
    }

    pub(super) fn most_recent_session(&self) -> Option<SessionId> {
        self.sessions
            .values()
            .max_by_key(|s| s.last_used())
            .map(|s| s.id())
    }

    /// Creates a session. A project session gets its apps (autostart ones started) and shows
    /// the first in its pane; otherwise one app runs the command, or the shell.
    pub fn new_session(&mut self, new: NewSession) -> Result<SessionId, String> {
        self.create_session(new, true).map(|(id, _)| id)
    }

    /// Makes a session; its apps are started now with `start`, else they are returned for the
    /// caller to start (an attaching client first sizes the session, so that they start at its
    /// panes' size).
    pub fn create_session(
        &mut self,
        new: NewSession,
        start: bool,
    ) -> Result<(SessionId, Vec<AppId>), String> {
        if self.shutdown.is_some() {
            return Err("the server is shutting down".into());
        }
        let name = match new.name.clone() {
            Some(n) => n,
            None => self.next_session_name(),
        };
        check_session_name(&name)?;
        if self.session_by_name(&name).is_some() {
            return Err(format!("duplicate session: {name}"));
        }
        let size = new
            .size
            .map(Size::clamped)
            .unwrap_or(Size { cols: 80, rows: 24 });
        let id = SessionId(self.next_id());
        self.sessions.insert(
            id,
            Session::new(
                id,
                name.clone(),
                SystemTime::now(),
                size,
                Origin {
                    env: new.env.clone(),
                    cwd: new.cwd.clone(),
                    project_file: new.project_file.clone(),
                },
            ),
        );
        let specs = if new.apps.is_empty() {
            vec![self.command_spec(&new)]
        } else {
            new.apps
        };
        let mut ids = Vec::new();
        let mut taken = std::collections::HashSet::new();
        for spec in specs {
            match self.add_app_to(id, spec, false, false, &mut taken) {
                Ok(app) => ids.push(app),
                Err(e) => {
                    self.remove_session(id);
                    return Err(e);
                }
            }
        }
        let shown = ids
            .iter()
            .copied()
            .find(|a| self.apps[a].spec().autostart)
            .unwrap_or(ids[0]);
        let autostart: Vec<AppId> = ids
            .iter()
            .copied()
            .filter(|a| self.apps[a].spec().autostart)
            .collect();
        if start {
            for app in &autostart {
                self.app_op(*app, Control::Start);
            }
        }
        let pane = PaneId(self.next_id());
        let window_name = self.apps[&shown].name().to_owned();
        if let Some(s) = self.sessions.get_mut(&id) {
            s.new_tab(window_name, pane, shown);
        }
        tracing::info!(session = %name, apps = ids.len(), "session created");
        self.state_changed();
        self.publish(
            "sessions",
            EventPayload::Session(SessionEvent {
                event: "created".into(),
                session: name.clone(),
            }),
        );
        Ok((id, if start { Vec::new() } else { autostart }))
    }

    /// The single app of a plain session: the command given, or the shell. Like a tmux pane, it
    /// is not restarted when it exits.
    fn command_spec(&self, new: &NewSession) -> AppSpec {
        let argv = if new.cmd.is_empty() {
            vec![self.settings.shell_for(&new.env)]
        } else {
            new.cmd.clone()
        };
        let name = argv
            .first()
            .map(|a| a.rsplit('/').next().unwrap_or(a).to_owned())
            .unwrap_or_default();
        let cwd = new
            .cwd
            .clone()
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/"));
        let mut spec = AppSpec::ad_hoc(name, CommandSpec::Argv(argv), cwd);
        spec.restart = RestartPolicy::Never;
        spec
    }

    /// tmux-style numeric names: the smallest number not in use.
    fn next_session_name(&self) -> String {
        (0..)
            .map(|n: u64| n.to_string())
            .find(|n| self.session_by_name(n).is_none())
            .unwrap_or_default()
    }

    pub(super) fn kill_session(&mut self, target: &str) -> Result<(), String> {
        let name = target.split([':', '.']).next().unwrap_or(target);
        let id = self
            .session_by_name(name)
            .ok_or_else(|| format!("can't find session: {name}"))?;
        self.end_session(id, "session killed");
        Ok(())
    }

    /// Ends a session: its clients are detached with `reason` (the line they print), its apps
    /// stopped, and the server stops with its last session when it is told to.
    pub(super) fn end_session(&mut self, id: SessionId, reason: &str) {
        let clients: Vec<ClientId> = self
            .clients
            .values()
            .filter(|c| c.session() == Some(id))
            .map(crate::server::clients::Client::id)
            .collect();
        for c in clients {
            self.detach(c, reason);
        }
        let Some(session) = self.remove_session(id) else {
            return;
        };
        tracing::info!(session = %session.name(), reason, "session ended");
        self.state_changed();
        self.publish(
            "sessions",
            EventPayload::Session(SessionEvent {
                event: "killed".into(),
                session: session.name().to_owned(),
            }),
        );
        if self.sessions.is_empty() && self.settings.exit_empty {
            self.begin_shutdown("no sessions left");
        }
    }

    /// Removes a session with everything kept for it: its apps are stopped and dropped.
    pub(super) fn remove_session(&mut self, id: SessionId) -> Option<Session> {
        let held = self.dependencies_of_live(session_apps(self, id));
        let session = self.sessions.remove(&id)?;
        self.focus.remove(&id);
        for &app in session.apps() {
            match held.iter().find(|(a, _)| *a == app) {
                // Dependents first: hung up once the apps that depend on it are gone.
                Some((_, after)) => self.retire_after(app, after.clone()),
                None => self.retire_app(app),
            }
        }
        Some(session)
    }

    /// The app a target names (see `crate::target`): `SESSION`, `SESSION:APP`,
    /// `SESSION:TAB.PANE` and their shorter forms; none is the most recent session's focused app.
    pub fn resolve_app(&self, target: Option<&str>) -> Result<AppId, String> {
        let t = crate::target::parse(target.unwrap_or_default())?;
        let sid = self.resolve_session(t.session)?;
        let session = &self.sessions[&sid];
        let Some(place) = t.place else {
            return session
                .focused_app()
                .ok_or_else(|| "session has no panes".to_owned());
        };
        let named = session
            .apps()
            .iter()
            .copied()
            .find(|a| self.apps.get(a).is_some_and(|a| a.name() == place.text));
        if let Some(app) = named {
            return Ok(app);
        }
        let windows = session.windows();
        let window = match place.tab {
            Tab::Current => session.active_window(),
            Tab::Index(i) => windows.get(i as usize),
            Tab::Name(name) => windows.iter().find(|w| w.name() == name),
        };
        let Some(window) = window else {
            return Err(match place.tab {
                Tab::Name(name) if place.pane.is_none() => {
                    format!(
                        "can't find app or tab `{name}` in session {}",
                        session.name()
                    )
                }
                _ => format!(
                    "can't find tab `{}` in session {}",
                    place.text,
                    session.name()
                ),
            });
        };
        let pane = match place.pane {
            None => window.active(),
            Some(i) => *window
                .layout()
                .panes()
                .get(i as usize)
                .ok_or_else(|| format!("can't find pane {i} in tab `{}`", window.name()))?,
        };
        window
            .panes()
            .get(&pane)
            .copied()
            .ok_or_else(|| format!("pane {} shows no app", place.text))
    }

    pub(super) fn send_keys(
        &mut self,
        target: &str,
        keys: &[String],
        literal: bool,
    ) -> Result<(), String> {
        let id = self.resolve_app(Some(target))?;
        let app = &self.apps[&id];
        let process = app
            .process()
            .ok_or_else(|| format!("app `{}` is not running", app.name()))?;
        let mut out = Vec::new();
        for item in parse_send_keys(keys, literal) {
            match item {
                SendItem::Key(k) => encode::encode_key(k, app.term().key_modes(), &mut out),
                SendItem::Text(t) => encode::encode_text(&t, &mut out),
            }
        }
        process
            .write(out)
            .map_err(|e| format!("app `{}`: {e}", app.name()))
    }

    /// The session named, or the most recent one. A whole target (`SESSION:TAB.PANE`) names
    /// its session, as tmux reads a session target; session names hold no `:` or `.`.
    pub fn resolve_session(&self, name: Option<&str>) -> Result<SessionId, String> {
        let name = name.and_then(|n| n.split([':', '.']).next());
        match name.filter(|n| !n.is_empty()) {
            Some(n) => self
                .session_by_name(n)
                .ok_or_else(|| format!("can't find session: {n}")),
            None => self
                .most_recent_session()
                .ok_or_else(|| "no sessions".to_owned()),
        }
    }

    /// Adds an ad-hoc app and starts it.
    pub fn run_app(&mut self, session: Option<&str>, mut spec: AppSpec) -> Result<Outcome, String> {
        let sid = self.resolve_session(session)?;
        let explicit = !spec.name.is_empty();
        if !explicit {
            let argv = spec.cmd.argv();
            let first = match &spec.cmd {
                CommandSpec::Shell(s) => s.split_whitespace().next().unwrap_or("app").to_owned(),
                CommandSpec::Argv(_) => argv.first().cloned().unwrap_or_default(),
            };
            spec.name = first.rsplit('/').next().unwrap_or(&first).to_owned();
        }
        // `add_app` resizes the panes when the new app brings the sidebar in.
        let id = self.add_app(sid, spec, true, explicit)?;
        self.app_op(id, Control::Start);
        let s = &self.sessions[&sid];
        Ok(Outcome::Added {
            session: s.name().to_owned(),
            name: self.apps[&id].name().to_owned(),
            project_file: s.project_file().map(str::to_owned),
        })
    }

    pub fn list(&self) -> ListReport {
        let sessions = self
            .sessions
            .values()
            .map(|s| SessionInfo {
                name: s.name().to_owned(),
                created: unix_secs(s.created()),
                attached: self
                    .clients
                    .values()
                    .filter(|c| c.session() == Some(s.id()))
                    .count(),
                project_file: s.project_file().map(str::to_owned),
                apps: s
                    .apps()
                    .iter()
                    .filter_map(|a| self.apps.get(a))
                    .map(app_info)
                    .collect(),
            })
            .collect();
        ListReport {
            server_pid: std::process::id(),
            sessions,
            orphans: self.live_orphans(),
        }
    }
}

pub(super) fn app_info(a: &App) -> AppInfo {
    let (exit_code, signal) = match a.life().last_exit() {
        Some(ExitStatus::Code(c)) => (Some(c), None),
        Some(ExitStatus::Signal(s)) => (None, Some(s)),
        None => (None, None),
    };
    AppInfo {
        name: a.name().to_owned(),
        state: a.state_label().to_owned(),
        pid: a.pid(),
        exit_code,
        signal,
        restarts: a.life().restarts,
        uptime_s: a.uptime().map(|d| d.as_secs()),
        cpu_percent: a.usage().map(|u| u.cpu_percent),
        rss_bytes: a.usage().map(|u| u.rss_bytes),
        cmd: a.spec().cmd.argv(),
        log_dropped: a.log().dropped(),
        log_file: a.log().path().display().to_string(),
        ready: a.readiness(),
        health: a.health().map(str::to_owned),
        waiting_for: a
            .gate()
            .map(|g| g.waiting_for())
            .unwrap_or_default()
            .into_iter()
            .map(|(app, condition)| DependencyInfo {
                app,
                condition: condition.as_str().to_owned(),
                restart: None,
            })
            .collect(),
        blocked: match a.gate() {
            Some(Gate::Blocked(list)) => Some(
                list.iter()
                    .map(|(_, _, why)| why.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            _ => None,
        },
        depends_on: a
            .spec()
            .depends_on
            .iter()
            .map(|d| DependencyInfo {
                app: d.app.clone(),
                condition: d.condition.as_str().to_owned(),
                restart: Some(d.restart),
            })
            .collect(),
        instance: a.spec().instance.as_ref().map(|i| i.index),
        group: a.spec().instance.as_ref().map(|i| i.group.clone()),
        watch: crate::server::watch::watched_paths(a.spec().watch.as_deref()),
        next_run: a.next_run().map(|t| crate::app::schedule::rfc3339(&t)),
    }
}

fn session_apps(server: &Server, id: SessionId) -> Vec<AppId> {
    server
        .sessions
        .get(&id)
        .map(|s| s.apps().to_vec())
        .unwrap_or_default()
}
