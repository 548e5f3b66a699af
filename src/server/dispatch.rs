//! One-shot requests from the CLI (new, ls, kill-session, kill-server, capture, send-keys) and
//! the session and app operations they share with attach: creating sessions, starting and
//! stopping apps, and resolving `NAME[:APP]` targets.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::keys::{SendItem, parse_send_keys};
use crate::pane::encode;
use crate::pane::process::{ExitStatus, Process, RunKey, SpawnSpec};
use crate::pane::term::Terminal;
use crate::protocol::{
    AppInfo, AttachRequest, ListReport, NewSession, Reply, Request, ServerMsg, SessionInfo, Size,
};
use crate::server::model::{
    App, AppId, AppState, ClientId, Pane, PaneId, Session, SessionId, Window, check_session_name,
    unique_name,
};
use crate::server::state::Server;

/// The session plain `appmux` attaches to (or creates) when no name is given.
pub const DEFAULT_SESSION: &str = "main";

impl Server {
    pub(super) fn request(&mut self, id: ClientId, req: Request) {
        let reply = match req {
            Request::NewSession(new) => self.new_session(new).map(|s| Reply::Created {
                name: self.sessions[&s].name.clone(),
            }),
            Request::List => Ok(Reply::List(self.list())),
            Request::KillSession { target } => self.kill_session(&target).map(|()| Reply::Done),
            Request::KillServer => {
                self.begin_shutdown("kill-server");
                Ok(Reply::Done)
            }
            Request::Capture {
                target,
                ansi,
                scrollback,
            } => self
                .resolve_app(Some(&target))
                .map(|app| Reply::Capture(self.apps[&app].term.capture(ansi, scrollback))),
            Request::SendKeys {
                target,
                keys,
                literal,
            } => self
                .send_keys(&target, &keys, literal)
                .map(|()| Reply::Done),
        };
        let msg = match reply {
            Ok(r) => ServerMsg::Reply(r),
            Err(e) => ServerMsg::Error(e),
        };
        self.send(id, &msg);
    }

    /// For attach: the named session, or the most recently used one; created when asked to.
    pub(super) fn find_or_create_for_attach(
        &mut self,
        req: &AttachRequest,
    ) -> Result<SessionId, String> {
        let found = match &req.target {
            Some(name) => self.session_by_name(name),
            None => match &req.create {
                Some(new) => self.session_by_name(new.name.as_deref().unwrap_or(DEFAULT_SESSION)),
                None => self.most_recent_session(),
            },
        };
        if let Some(s) = found {
            return Ok(s);
        }
        match &req.create {
            Some(new) => {
                let mut new = new.clone();
                new.name = new
                    .name
                    .or_else(|| req.target.clone())
                    .or_else(|| Some(DEFAULT_SESSION.to_owned()));
                new.size.get_or_insert(req.size);
                self.new_session(new)
            }
            None => Err(match &req.target {
                Some(name) => format!("can't find session: {name}"),
                None => "no sessions".to_owned(),
            }),
        }
    }

    pub fn session_by_name(&self, name: &str) -> Option<SessionId> {
        self.sessions
            .values()
            .find(|s| s.name == name)
            .map(|s| s.id)
    }

    fn most_recent_session(&self) -> Option<SessionId> {
        self.sessions
            .values()
            .max_by_key(|s| s.last_used)
            .map(|s| s.id)
    }

    /// Creates a session with one window and one pane running the command (or the shell).
    pub fn new_session(&mut self, new: NewSession) -> Result<SessionId, String> {
        if self.shutdown.is_some() {
            return Err("the server is shutting down".into());
        }
        let name = match new.name {
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
        let argv = if new.cmd.is_empty() {
            vec![self.settings.shell_for(&new.env)]
        } else {
            new.cmd
        };
        let app_name = argv
            .first()
            .map(|a| a.rsplit('/').next().unwrap_or(a).to_owned())
            .unwrap_or_default();
        self.sessions.insert(
            id,
            Session {
                id,
                name: name.clone(),
                created: SystemTime::now(),
                apps: Vec::new(),
                windows: Vec::new(),
                active_window: 0,
                last_used: Instant::now(),
                size_owner: None,
                detached_size: size,
            },
        );
        let spec = SpawnSpec {
            argv,
            cwd: new.cwd,
            env: new.env,
            size,
        };
        let app = self.add_app(id, &app_name, spec);
        let pane = PaneId(self.next_id());
        if let Some(s) = self.sessions.get_mut(&id) {
            s.windows.push(Window {
                name: self.apps[&app].name.clone(),
                panes: vec![Pane { id: pane, app }],
                active: 0,
            });
        }
        tracing::info!(session = %name, "session created");
        Ok(id)
    }

    /// tmux-style numeric names: the smallest number not in use.
    fn next_session_name(&self) -> String {
        (0..)
            .map(|n: u64| n.to_string())
            .find(|n| self.session_by_name(n).is_none())
            .unwrap_or_default()
    }

    /// Adds an app to a session and starts it. A start failure is shown in the app's pane as
    /// an exit with code 127, like a shell reports a missing command.
    pub fn add_app(&mut self, session: SessionId, base: &str, spec: SpawnSpec) -> AppId {
        let id = AppId(self.next_id());
        let taken: Vec<String> = self.sessions[&session]
            .apps
            .iter()
            .filter_map(|a| self.apps.get(a).map(|a| a.name.clone()))
            .collect();
        let name = unique_name(base, taken.iter().map(String::as_str));
        let term = Terminal::new(spec.size, self.settings.history_limit);
        let app = App {
            id,
            session,
            name,
            spec,
            term,
            process: None,
            run: 0,
            state: AppState::Running,
            started: Instant::now(),
            eof: false,
            pending_exit: None,
            restarts: 0,
        };
        self.apps.insert(id, app);
        if let Some(s) = self.sessions.get_mut(&session) {
            s.apps.push(id);
        }
        self.start_app(id);
        id
    }

    /// Starts a new run of an app in a fresh PTY.
    pub fn start_app(&mut self, id: AppId) {
        let socket = self.settings.socket.display().to_string();
        let session_name = self
            .apps
            .get(&id)
            .and_then(|a| self.sessions.get(&a.session))
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let tx = self.pty_tx.clone();
        let Some(app) = self.apps.get_mut(&id) else {
            return;
        };
        app.run += 1;
        app.eof = false;
        app.pending_exit = None;
        app.started = Instant::now();
        let mut spec = app.spec.clone();
        spec.env
            .retain(|(k, _)| !crate::server::settings::PANE_ENV_OVERRIDES.contains(&k.as_str()));
        spec.env
            .extend(self.settings.pane_env(&socket, &session_name, &app.name));
        let key = RunKey {
            app: id.0,
            run: app.run,
        };
        match Process::spawn(&spec, key, tx) {
            Ok(p) => {
                tracing::info!(app = %app.name, pid = p.pid(), "app started");
                app.process = Some(p);
                app.state = AppState::Running;
            }
            Err(e) => {
                tracing::warn!(app = %app.name, "start failed: {e:#}");
                app.term.feed(
                    format!("appmux: {e:#}\r\n")
                        .replace('\n', "\r\n")
                        .as_bytes(),
                );
                self.app_exited_now(id, ExitStatus::Code(127));
            }
        }
    }

    fn app_exited_now(&mut self, id: AppId, status: ExitStatus) {
        if let Some(a) = self.apps.get_mut(&id) {
            a.pending_exit = Some(crate::server::model::PendingExit {
                status,
                deadline: Instant::now(),
            });
            a.eof = true;
        }
    }

    /// Asks an app to stop: SIGHUP (its terminal is going away) and SIGTERM to everything in its
    /// session. The exit arrives later through the waiter thread.
    pub fn stop_app(&mut self, id: AppId) {
        if let Some(p) = self.apps.get(&id).and_then(|a| a.process.as_ref()) {
            p.signal_all(rustix::process::Signal::HUP);
            p.signal_all(rustix::process::Signal::CONT);
            p.signal_all(rustix::process::Signal::TERM);
        }
    }

    fn kill_session(&mut self, target: &str) -> Result<(), String> {
        let name = target.split(':').next().unwrap_or(target);
        let id = self
            .session_by_name(name)
            .ok_or_else(|| format!("can't find session: {name}"))?;
        let clients: Vec<ClientId> = self
            .clients
            .values()
            .filter(|c| c.session() == Some(id))
            .map(|c| c.id)
            .collect();
        for c in clients {
            self.detach(c, "session killed");
        }
        let session = self.sessions.remove(&id).ok_or("session vanished")?;
        for app in session.apps {
            self.stop_app(app);
            if let Some(a) = self.apps.remove(&app) {
                // Whatever ignores SIGHUP and SIGTERM gets SIGKILL after a grace period, so
                // nothing survives the session.
                if let Some(p) = a.process {
                    self.kill_later(p);
                }
            }
        }
        tracing::info!(session = %session.name, "session killed");
        if self.sessions.is_empty() && self.settings.exit_empty {
            self.begin_shutdown("no sessions left");
        }
        Ok(())
    }

    /// `NAME`, `NAME:APP`, or none (the most recent session); the app defaults to the focused one.
    pub fn resolve_app(&self, target: Option<&str>) -> Result<AppId, String> {
        let (session_name, app_name) = match target {
            Some(t) => match t.split_once(':') {
                Some((s, a)) => (Some(s), Some(a).filter(|a| !a.is_empty())),
                None => (Some(t), None),
            },
            None => (None, None),
        };
        let sid = match session_name.filter(|s| !s.is_empty()) {
            Some(name) => self
                .session_by_name(name)
                .ok_or_else(|| format!("can't find session: {name}"))?,
            None => self.most_recent_session().ok_or("no sessions")?,
        };
        let session = &self.sessions[&sid];
        match app_name {
            None => session
                .focused_app()
                .ok_or_else(|| "session has no panes".to_owned()),
            Some(name) => session
                .apps
                .iter()
                .copied()
                .find(|a| self.apps.get(a).is_some_and(|a| a.name == name))
                .ok_or_else(|| format!("can't find app `{name}` in session {}", session.name)),
        }
    }

    fn send_keys(&mut self, target: &str, keys: &[String], literal: bool) -> Result<(), String> {
        let id = self.resolve_app(Some(target))?;
        let app = &self.apps[&id];
        let process = app
            .process
            .as_ref()
            .ok_or_else(|| format!("app `{}` is not running", app.name))?;
        let mut out = Vec::new();
        for item in parse_send_keys(keys, literal) {
            match item {
                SendItem::Key(k) => encode::encode_key(k, app.term.key_modes(), &mut out),
                SendItem::Text(t) => encode::encode_text(&t, &mut out),
            }
        }
        process.write(out);
        Ok(())
    }

    fn list(&self) -> ListReport {
        let sessions = self
            .sessions
            .values()
            .map(|s| SessionInfo {
                name: s.name.clone(),
                created: s
                    .created
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0),
                attached: self
                    .clients
                    .values()
                    .filter(|c| c.session() == Some(s.id))
                    .count(),
                apps: s
                    .apps
                    .iter()
                    .filter_map(|a| self.apps.get(a))
                    .map(app_info)
                    .collect(),
            })
            .collect();
        ListReport {
            server_pid: std::process::id(),
            sessions,
        }
    }
}

fn app_info(a: &App) -> AppInfo {
    let (exit_code, signal) = match a.state {
        AppState::Exited(ExitStatus::Code(c)) => (Some(c), None),
        AppState::Exited(ExitStatus::Signal(s)) => (None, Some(s)),
        AppState::Running => (None, None),
    };
    AppInfo {
        name: a.name.clone(),
        state: a.state.label().to_owned(),
        pid: a.pid(),
        exit_code,
        signal,
        restarts: a.restarts,
        uptime_s: a.process.as_ref().map(|_| a.started.elapsed().as_secs()),
        cmd: a.spec.argv.clone(),
    }
}
