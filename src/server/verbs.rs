//! The app verbs and the server layer of the action vocabulary, carried out for
//! `Server::run_action`: start, stop, restart and kill a list of apps, show, run, list, capture,
//! send-keys, flush, and delete and reload (whose work is in `delete` and `reload`); sessions
//! (list, new, kill) and the server (kill). Also [`Server::perform`],
//! where the command line and the control API come in: it finds the session an action runs in
//! from the name they give. What an action produced comes back as an [`Outcome`], which each
//! front end turns into its own answer (a `Reply`, a JSON result).

use std::path::PathBuf;

use crate::action::{Action, AppAction, Layer, RunApp, ServerAction, SessionAction};
use crate::app::lifecycle::Control;
use crate::config::AppSpec;
use crate::contract::Report;
use crate::protocol::{ListReport, NewSession, ReloadPlan};
use crate::server::Server;
use crate::server::model::{App, AppId, SessionId};

/// What an action produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Done, with nothing to report.
    Done,
    /// Every session and its apps (`session.list`).
    Sessions,
    /// The apps of one session, or of every session (`app.list`).
    Apps(Option<SessionId>),
    /// A session was created under this name.
    Created(String),
    /// An app's screen as text (`app.capture`).
    Screen(String),
    /// An app was added: where it lives.
    Added {
        session: String,
        name: String,
        project_file: Option<String>,
    },
    /// The server is stopping (`server.kill`).
    Stopping,
    /// A report as JSON (`describe`, `why`, `wait`).
    Report(crate::contract::Report),
    /// What a reload changed, or would change (`app.reload`).
    Reloaded(ReloadPlan),
}

impl Server {
    /// Runs an action for the command line or the control API in the session they name, or
    /// the most recent one. The server layer needs none, and `app.list` lists every session
    /// unless one is named.
    pub(super) fn perform(
        &mut self,
        session: Option<&str>,
        action: &Action,
    ) -> Result<Outcome, String> {
        let sid = match action {
            _ if action.layer() == Layer::Server => None,
            Action::App(AppAction::List) => session
                .map(|name| self.resolve_session(Some(name)))
                .transpose()?,
            _ => Some(self.resolve_session(session)?),
        };
        // Actions on a client's view act for the session's most recently active client.
        let client = match action {
            Action::App(_) | Action::Session(_) | Action::Server(_) => None,
            _ => sid.and_then(|s| self.sessions.get(&s)?.size_owner()),
        };
        self.run_action(client, sid, action)
    }

    /// A session's sessions-and-apps report: every session, or only `only`.
    pub(super) fn report_of(&self, only: Option<SessionId>) -> ListReport {
        let mut report = self.list();
        if let Some(name) = only.and_then(|s| self.sessions.get(&s)).map(|s| s.name()) {
            report.sessions.retain(|s| s.name == name);
        }
        report
    }

    pub(super) fn session_action(&mut self, a: &SessionAction) -> Result<Outcome, String> {
        match a {
            SessionAction::List => Ok(Outcome::Sessions),
            SessionAction::New { name, cwd, cmd } => {
                let id = self.new_session(NewSession {
                    name: name.clone(),
                    cmd: cmd.clone(),
                    cwd: cwd.clone(),
                    env: std::env::vars().collect(),
                    size: None,
                    apps: Vec::new(),
                    project_file: None,
                })?;
                Ok(Outcome::Created(self.sessions[&id].name().to_owned()))
            }
            SessionAction::Kill(target) => {
                self.kill_session(target)?;
                Ok(Outcome::Done)
            }
            // The session layer runs in a session (`switching`).
            SessionAction::Rename(_)
            | SessionAction::Next
            | SessionAction::Prev
            | SessionAction::Last
            | SessionAction::Find(_) => Err("this action runs in a session".into()),
        }
    }

    pub(super) fn server_action(&mut self, a: &ServerAction) -> Result<Outcome, String> {
        match a {
            ServerAction::Kill => {
                self.begin_shutdown("server.kill");
                Ok(Outcome::Stopping)
            }
            ServerAction::SourceFile(file) => self.source_file(file.as_deref()),
        }
    }

    /// The app verbs that change apps or the session.
    pub(super) fn app_action(
        &mut self,
        session: SessionId,
        a: &AppAction,
    ) -> Result<Outcome, String> {
        let (names, c) = match a {
            AppAction::Start(apps) => (apps, Control::Start),
            AppAction::Stop(apps) => (apps, Control::Stop),
            AppAction::Restart(apps) => (apps, Control::Restart),
            AppAction::Kill(apps) => (apps, Control::Kill),
            AppAction::Show(name) => {
                let app = self.apps_named(session, std::slice::from_ref(name))?[0];
                self.show_app(session, app);
                return Ok(Outcome::Done);
            }
            AppAction::Run(run) => return self.run_in(session, run),
            AppAction::List
            | AppAction::Capture(_)
            | AppAction::SendKeys(_)
            | AppAction::Describe(_)
            | AppAction::Why(_)
            | AppAction::Wait(_) => {
                return self.app_io(Some(session), a);
            }
            AppAction::Delete(d) => {
                let mut ids = self.apps_named(session, &d.apps)?;
                let mut seen = std::collections::HashSet::new();
                ids.retain(|id| seen.insert(*id));
                self.delete_apps(session, &ids, d.force)?;
                return Ok(Outcome::Done);
            }
            AppAction::Flush(names) => {
                self.flush_apps(session, names)?;
                return Ok(Outcome::Done);
            }
            AppAction::Reload { dry_run } => {
                return self.reload(session, *dry_run).map(Outcome::Reloaded);
            }
            AppAction::Scale(scale) => {
                return self
                    .scale(session, &scale.app, scale.count)
                    .map(|r| Outcome::Report(Report::Scale(r)));
            }
        };
        // Every name is found before any app is touched: a typo changes nothing.
        let apps = self.apps_named(session, names)?;
        if c == Control::Stop {
            self.stop_in_order(&apps);
            return Ok(Outcome::Done);
        }
        for app in apps {
            self.app_op(app, c);
        }
        Ok(Outcome::Done)
    }

    /// The app verbs that only read an app or type into it. Their target (`SESSION[:APP]`)
    /// defaults to `session`'s focused app, or the most recent session's.
    pub(super) fn app_io(
        &mut self,
        session: Option<SessionId>,
        a: &AppAction,
    ) -> Result<Outcome, String> {
        let default = session
            .and_then(|s| self.sessions.get(&s))
            .map(|s| s.name().to_owned());
        match a {
            AppAction::List => Ok(Outcome::Apps(session)),
            AppAction::Capture(c) => {
                let target = c.target.clone().or(default);
                let app = self.resolve_app(target.as_deref())?;
                let start = c
                    .start
                    .or(c.scrollback.then_some(crate::target::Line::Edge));
                let text = self.apps[&app].term().capture_lines(c.ansi, start, c.end);
                Ok(Outcome::Screen(text))
            }
            AppAction::SendKeys(k) => {
                let target = k.target.clone().or(default).unwrap_or_default();
                self.send_keys(&target, &k.keys, k.literal)?;
                Ok(Outcome::Done)
            }
            AppAction::Describe(name) | AppAction::Why(name) => {
                let session = session
                    .or_else(|| self.most_recent_session())
                    .ok_or("no sessions")?;
                let app = self.apps_named(session, std::slice::from_ref(name))?[0];
                let report = match a {
                    AppAction::Why(_) => self.why(app).map(|w| Report::Why(Box::new(w))),
                    _ => self.describe(app).map(|d| Report::Describe(Box::new(d))),
                };
                report
                    .map(Outcome::Report)
                    .ok_or_else(|| format!("can't find {name}"))
            }
            AppAction::Wait(w) => {
                let session = session
                    .or_else(|| self.most_recent_session())
                    .ok_or("no sessions")?;
                let apps = self.apps_named(session, &w.apps)?;
                Ok(Outcome::Report(Report::Wait(
                    self.wait_report(&apps, w.condition),
                )))
            }
            other => {
                let session = session.ok_or("no sessions")?;
                self.app_action(session, other)
            }
        }
    }

    /// The apps of `session` that `names` name: none means the focused pane's app, `all`
    /// every app.
    fn apps_named(&self, session: SessionId, names: &[String]) -> Result<Vec<AppId>, String> {
        let s = self.sessions.get(&session).ok_or("no such session")?;
        if names.is_empty() {
            let focused = s.focused_app().ok_or("no focused app")?;
            return Ok(vec![focused]);
        }
        if names.iter().any(|n| n == "all") {
            return Ok(s.apps().to_vec());
        }
        names
            .iter()
            .map(|name| {
                self.app_by_name(session, name).ok_or_else(|| {
                    let known = s.apps().iter().filter_map(|a| self.apps.get(a));
                    let hint = crate::suggest::closest(name, known.map(App::name))
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    format!("can't find app `{name}` in session {}{hint}", s.name())
                })
            })
            .collect()
    }

    /// `app.flush`: empties the logs of the apps named, or of every app of the session. Each
    /// is a job on the log thread's queue, after the output queued before it.
    fn flush_apps(&mut self, session: SessionId, names: &[String]) -> Result<(), String> {
        let ids = match names {
            [] => self
                .sessions
                .get(&session)
                .ok_or("no such session")?
                .apps()
                .to_vec(),
            names => self.apps_named(session, names)?,
        };
        let refused: Vec<&str> = ids
            .iter()
            .filter_map(|id| self.apps.get(id))
            .filter(|a| !a.log().clear())
            .map(App::name)
            .collect();
        if !refused.is_empty() {
            return Err(format!(
                "the logs are being written too slowly to empty them now ({}); try again",
                refused.join(", ")
            ));
        }
        Ok(())
    }

    /// `app.run`: the command as an ad-hoc app of `session`, in the session's directory
    /// unless another is given.
    fn run_in(&mut self, session: SessionId, run: &RunApp) -> Result<Outcome, String> {
        let s = self.sessions.get(&session).ok_or("no such session")?;
        let cwd = run
            .cwd
            .clone()
            .or_else(|| s.cwd().map(str::to_owned))
            .map_or_else(|| PathBuf::from("/"), PathBuf::from);
        let name = s.name().to_owned();
        let mut spec = AppSpec::ad_hoc(run.name.clone().unwrap_or_default(), run.command(), cwd);
        if let Some(policy) = run.restart {
            spec.restart = policy;
        }
        self.run_app(Some(&name), spec)
    }
}
