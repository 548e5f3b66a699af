//! Saving and resurrecting sessions. The state (sessions, tabs, layouts, which app is in which
//! pane, app specs including ad-hoc apps, how each app was left, restart counters, pids with
//! their start times) is written shortly after anything changes, to the state file named by the
//! socket's identity (`$XDG_STATE_HOME/appmux/sessions-IDENTITY.json`); `statefile` owns the
//! file itself.
//!
//! Nothing saved is lost by the server that reads it: the sessions of the file that are not
//! restored yet are written again with every save, so creating a session before `resurrect`
//! (as a plain `appmux` after boot does) pushes none out, and a file that could not be read in
//! full is kept aside before it is first replaced. A file of a newer format is never replaced.
//!
//! Resurrecting skips sessions that already run (same name and creation time), restores the
//! rest one by one — under a new name (`NAME-2`) when a different session of the same name runs
//! — and gives up on a session that cannot be restored whole, leaving nothing of it. Each pane
//! is pre-filled with the tail of its app's log, and each app comes back as it was left:
//! running apps start, stopped, exited and errored ones stay stopped. Processes left over from
//! a server that was killed (same pid and start time as saved) are reported, and ended on
//! request instead of being started twice.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::lifecycle::Control;
use crate::app::lifecycle::{AfterStop, State};
use crate::config::AppSpec;
use crate::layout::float::FloatRect;
use crate::layout::{Layout, PaneId};
use crate::paths;
use crate::protocol::{Orphan, ResurrectReport};
use crate::render::overlay::plain_lines;
use crate::server::Server;
use crate::server::model::{AppId, SessionId, unique_name, unix_secs};
use crate::server::session::{Float, Origin, Session, Window};
use crate::server::statefile::{self, VERSION};
use crate::size::Size;

/// Changes are written at most this often.
pub const SAVE_DELAY: Duration = Duration::from_millis(300);
/// Lines of the previous output shown in a restored pane.
const RESTORED_LINES: usize = 200;

#[derive(Debug, Serialize)]
struct SavedState<'a> {
    version: u64,
    saved_at: u64,
    sessions: Vec<Value>,
    /// Leftovers of an earlier server, still tracked until they are ended or gone.
    orphans: &'a [Orphan],
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedSession {
    pub name: String,
    pub created: u64,
    /// The rest of the creation time, which tells apart two sessions of one name made within
    /// the same second (files written before it was saved have 0).
    #[serde(default)]
    pub created_nanos: u32,
    pub project_file: Option<String>,
    pub cwd: Option<String>,
    pub env: Vec<(String, String)>,
    pub size: Size,
    pub active_window: usize,
    pub windows: Vec<SavedWindow>,
    pub apps: Vec<SavedApp>,
    /// What new instances of each entry with `instances` are made from, so that one scaled to
    /// 0 can be scaled up again after a resurrect.
    #[serde(default)]
    pub groups: Vec<AppSpec>,
}

impl SavedSession {
    /// The same session, saved at different times, has the same name and creation time.
    fn is_same(&self, other: &SavedSession) -> bool {
        self.name == other.name && self.created_at() == other.created_at()
    }

    /// Whether this is the running session `s`.
    fn is_running_as(&self, s: &Session) -> bool {
        self.name == s.name() && self.created_at() == s.created()
    }

    /// When the session was created; a time too far ahead to represent (a damaged or hostile
    /// file) is taken as now rather than a panic.
    fn created_at(&self) -> SystemTime {
        UNIX_EPOCH
            .checked_add(Duration::from_secs(self.created))
            .and_then(|t| t.checked_add(Duration::from_nanos(u64::from(self.created_nanos))))
            .unwrap_or_else(SystemTime::now)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedWindow {
    pub name: String,
    pub renamed: bool,
    pub layout: Layout,
    /// Pane to app name.
    pub panes: BTreeMap<u64, String>,
    pub active: u64,
    /// Floating panes, bottom first (none in files written before there were any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub floats: Vec<SavedFloat>,
    #[serde(default)]
    pub floats_shown: bool,
}

/// A floating pane: the app it shows (by name) and its rectangle in the pane area.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedFloat {
    pub app: String,
    pub rect: FloatRect,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedApp {
    pub spec: AppSpec,
    pub ad_hoc: bool,
    pub pane_shell: bool,
    pub restarts: u32,
    pub pid: Option<u32>,
    /// The process start time from /proc (clock ticks since boot), to recognise the same
    /// process after a restart of the server.
    pub pid_start: Option<u64>,
    /// How the app was left; files written before this was saved start apps by `autostart`.
    #[serde(default)]
    pub left: Option<LeftAs>,
}

/// How an app was left when the state was saved. Only a running app (or one about to run
/// again) is started by `resurrect`, as `pm2 resurrect` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeftAs {
    Running,
    Stopped,
    Exited,
    Errored,
}

impl LeftAs {
    fn of(state: &State) -> Self {
        match state {
            State::Running
            | State::Waiting
            | State::Backoff { .. }
            | State::Stopping {
                then: AfterStop::Start | AfterStop::Judge,
                ..
            } => Self::Running,
            State::Stopped | State::Stopping { .. } => Self::Stopped,
            State::Exited(_) => Self::Exited,
            State::Errored(_) => Self::Errored,
        }
    }
}

/// How the state file on disk stands towards what this server would write over it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Standing {
    /// Missing, or holding nothing the server has not taken in.
    #[default]
    Read,
    /// Holds something that could not be read: it is kept aside before it is replaced.
    Damaged,
    /// Written by a newer appmux (this format version): never replaced.
    Newer(u64),
}

/// What the server knows of its state file beyond its own sessions.
#[derive(Debug, Default)]
pub struct SavedFile {
    /// Sessions of the file not restored yet; every save writes them again.
    pending: Vec<SavedSession>,
    standing: Standing,
    /// What was wrong with the file when it was read at start, until `resurrect` reads it
    /// again or it is kept aside.
    problems: Vec<String>,
    /// Problems of a file kept aside by a save, with where it went, for the next `resurrect`.
    unreported: Option<(Vec<String>, String)>,
    /// The last save failure, so a failing save is logged once, not at every change.
    last_error: Option<String>,
}

/// A state file as read: the sessions that parse, and what was wrong with the rest.
#[derive(Debug, Default)]
struct Loaded {
    sessions: Vec<SavedSession>,
    orphans: Vec<Orphan>,
    problems: Vec<String>,
    standing: Standing,
}

fn load(path: &Path) -> Loaded {
    let shown = path.display();
    let contents = match statefile::read(path) {
        Ok(statefile::Read::Missing) => return Loaded::default(),
        Ok(statefile::Read::Newer(v)) => {
            return Loaded {
                problems: vec![format!(
                    "{shown} was written by a newer appmux (state format {v}; this one reads \
                     format {VERSION}): nothing was restored from it, and it is left as it is"
                )],
                standing: Standing::Newer(v),
                ..Default::default()
            };
        }
        Ok(statefile::Read::Found(c)) => c,
        Err(e) => {
            return Loaded {
                problems: vec![format!("{shown}: {e}")],
                standing: Standing::Damaged,
                ..Default::default()
            };
        }
    };
    let mut loaded = Loaded::default();
    if let Some(damage) = contents.damage {
        loaded.problems.push(format!("{shown}: {damage}"));
        loaded.standing = Standing::Damaged;
    }
    for (i, v) in contents.sessions.into_iter().enumerate() {
        match serde_json::from_value::<SavedSession>(v) {
            Ok(s) => loaded.sessions.push(s),
            Err(e) => {
                loaded.problems.push(format!("saved session #{i}: {e}"));
                loaded.standing = Standing::Damaged;
            }
        }
    }
    loaded.orphans = contents
        .orphans
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect();
    loaded
}

/// Field 22 of /proc/PID/stat: when the process started.
pub fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    // A process that has exited but is not reaped yet is no longer running.
    if matches!(fields.next(), Some("Z" | "X")) {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

/// Processes of the saved sessions that are still alive (same pid and start time).
fn orphans_of(loaded: &Loaded) -> Vec<Orphan> {
    let from_apps = loaded.sessions.iter().flat_map(|s| {
        s.apps.iter().filter_map(|a| {
            Some(Orphan {
                session: s.name.to_owned(),
                app: a.spec.name.clone(),
                pid: a.pid?,
                started: a.pid_start?,
            })
        })
    });
    let mut found: Vec<Orphan> = loaded
        .orphans
        .iter()
        .cloned()
        .chain(from_apps)
        .filter(|o| start_time(o.pid) == Some(o.started))
        .collect();
    found.sort_by_key(|o| o.pid);
    found.dedup_by_key(|o| o.pid);
    found
}

/// Every tab of a saved session shows apps of that session, in a layout of exactly its panes.
fn check_tabs(saved: &SavedSession) -> Result<(), String> {
    let apps: BTreeSet<&str> = saved.apps.iter().map(|a| a.spec.name.as_str()).collect();
    for w in &saved.windows {
        let panes: BTreeSet<PaneId> = w.panes.keys().map(|&p| PaneId(p)).collect();
        let layout: BTreeSet<PaneId> = w.layout.panes().into_iter().collect();
        if w.panes.values().any(|a| !apps.contains(a.as_str()))
            || panes != layout
            || w.panes.len() != w.layout.len()
            || !w.panes.contains_key(&w.active)
        {
            return Err(format!(
                "tab `{}` names panes or apps that are not there",
                w.name
            ));
        }
    }
    Ok(())
}

fn now_secs() -> u64 {
    unix_secs(SystemTime::now())
}

impl Server {
    fn state_path(&self) -> Result<PathBuf, String> {
        paths::state_file(&self.settings.label).map_err(|e| format!("{e:#}"))
    }

    /// A session as saved; `orphans` are the live leftovers of an earlier server.
    fn saved_session(&self, s: &Session, orphans: &[Orphan]) -> SavedSession {
        let name_of = |a: &AppId| {
            self.apps
                .get(a)
                .map(|a| a.name().to_owned())
                .unwrap_or_default()
        };
        SavedSession {
            name: s.name().to_owned(),
            created: unix_secs(s.created()),
            created_nanos: s
                .created()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos()),
            project_file: s.project_file().map(str::to_owned),
            cwd: s.cwd().map(str::to_owned),
            env: s.env().to_vec(),
            size: s.detached_size(),
            active_window: s.active_window_index(),
            windows: s
                .windows()
                .iter()
                .map(|w| SavedWindow {
                    name: w.name().to_owned(),
                    renamed: w.renamed(),
                    layout: w.layout().clone(),
                    panes: w.panes().iter().map(|(p, a)| (p.0, name_of(a))).collect(),
                    active: w.active().0,
                    floats: w
                        .floats()
                        .iter()
                        .map(|f| SavedFloat {
                            app: name_of(&f.app),
                            rect: f.rect,
                        })
                        .collect(),
                    floats_shown: w.floats_shown(),
                })
                .collect(),
            groups: s.groups().map(|(_, spec)| spec.clone()).collect(),
            apps: s
                .apps()
                .iter()
                .filter_map(|a| self.apps.get(a))
                .map(|a| SavedApp {
                    spec: a.spec().clone(),
                    ad_hoc: a.is_ad_hoc(),
                    pane_shell: a.is_pane_shell(),
                    restarts: a.life().restarts,
                    pid: a.pid(),
                    pid_start: a.pid().and_then(start_time),
                    // An app left unstarted because its previous process still runs is, to
                    // the user, running.
                    left: Some(
                        if a.life().state == State::Stopped
                            && orphans
                                .iter()
                                .any(|o| o.session == s.name() && o.app == a.name())
                        {
                            LeftAs::Running
                        } else {
                            LeftAs::of(&a.life().state)
                        },
                    ),
                })
                .collect(),
        }
    }

    /// Reads the state file as the server starts: its sessions are kept to be written again
    /// by every save until they are restored, and the processes it names that still run are
    /// the orphans.
    pub fn load_saved(&mut self) {
        let Ok(path) = self.state_path() else {
            return;
        };
        let loaded = load(&path);
        for p in &loaded.problems {
            tracing::warn!("saved state: {p}");
        }
        self.orphans = orphans_of(&loaded);
        self.saved = SavedFile {
            pending: loaded.sessions,
            standing: loaded.standing,
            problems: loaded.problems,
            ..Default::default()
        };
    }

    /// Writes the state file now; a failure is logged (once until it changes).
    pub fn save_now(&mut self) {
        match self.try_save() {
            Ok(()) => self.saved.last_error = None,
            Err(e) => {
                if self.saved.last_error.as_ref() != Some(&e) {
                    tracing::warn!("{e}");
                }
                self.saved.last_error = Some(e);
            }
        }
    }

    /// Writes the state file now: the running sessions and those saved but not restored yet.
    pub fn try_save(&mut self) -> Result<(), String> {
        self.save_due = None;
        // The sessions as they ran when the stop began were saved then; apps ending since are
        // not what resurrect should bring back.
        if self.shutdown.is_some() {
            return Ok(());
        }
        let path = self.state_path()?;
        match self.saved.standing {
            Standing::Read => {}
            Standing::Newer(v) => {
                return Err(format!(
                    "the state is not saved: {} was written by a newer appmux (state format {v}); \
                     move it away to save this server's sessions",
                    path.display()
                ));
            }
            Standing::Damaged => {
                let aside = self
                    .keep_aside(&path)
                    .map_err(|e| format!("the state is not saved: {e}"))?;
                if let Some(aside) = aside {
                    let problems = std::mem::take(&mut self.saved.problems);
                    self.saved.unreported = Some((problems, aside));
                }
            }
        }
        let orphans = self.live_orphans();
        let state = SavedState {
            version: VERSION,
            saved_at: now_secs(),
            sessions: self
                .sessions
                .values()
                .map(|s| self.saved_session(s, &orphans))
                .chain(self.saved.pending.iter().cloned())
                .filter_map(|s| serde_json::to_value(s).ok())
                .collect(),
            orphans: &orphans,
        };
        let bytes = serde_json::to_vec_pretty(&state)
            .map_err(|e| format!("could not encode the state: {e}"))?;
        statefile::write_atomically(&path, &bytes)
            .map_err(|e| format!("could not save the state to {}: {e}", path.display()))
    }

    /// Moves a damaged state file out of the way under a name of its own; `None` when there was
    /// no file. From here the file holds nothing the server has not taken in.
    fn keep_aside(&mut self, path: &Path) -> Result<Option<String>, String> {
        let kept = match statefile::keep_aside(path, "bad", now_secs()) {
            Ok(aside) => {
                let aside = aside.display().to_string();
                tracing::warn!("the state file had problems; it was kept as {aside}");
                Some(aside)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("could not keep {} aside: {e}", path.display())),
        };
        self.saved.standing = Standing::Read;
        Ok(kept)
    }

    /// The orphans found at start that are still running: those that were only dying then
    /// (from the hangup of the killed server's PTYs) drop out.
    pub fn live_orphans(&self) -> Vec<Orphan> {
        let alive = |o: &&Orphan| start_time(o.pid) == Some(o.started);
        self.orphans.iter().filter(alive).cloned().collect()
    }

    fn end_orphans(&mut self, report: &mut ResurrectReport) {
        for o in &self.orphans {
            // Only a process that is still the one saved (not a reused pid) is ended.
            if start_time(o.pid) == Some(o.started) {
                crate::pane::process::signal_session(o.pid, rustix::process::Signal::TERM);
                crate::pane::process::signal_session(o.pid, rustix::process::Signal::KILL);
                report.killed.push(o.pid);
            }
        }
        self.orphans.clear();
    }

    /// Restores every saved session that does not run yet.
    pub fn resurrect(&mut self, kill_orphans: bool) -> ResurrectReport {
        self.orphans = self.live_orphans();
        let mut report = ResurrectReport {
            orphans: self.orphans.clone(),
            ..Default::default()
        };
        if kill_orphans {
            self.end_orphans(&mut report);
        }
        if let Some((problems, aside)) = self.saved.unreported.take() {
            report.problems.extend(problems);
            report.kept_aside = Some(aside);
        }
        // The file is read again: it is what the server last wrote, plus whatever was put
        // there since. Sessions read earlier that are no longer in it still come back.
        let mut loaded = match self.state_path() {
            Ok(path) => load(&path),
            Err(e) => Loaded {
                problems: vec![e],
                ..Default::default()
            },
        };
        self.saved.problems.clear();
        for p in std::mem::take(&mut self.saved.pending) {
            if !loaded.sessions.iter().any(|s| s.is_same(&p)) {
                loaded.sessions.push(p);
            }
        }
        report.problems.append(&mut loaded.problems);
        let mut failed = false;
        for saved in loaded.sessions {
            failed |= !self.resurrect_one(saved, &mut report);
        }
        self.saved.standing = loaded.standing;
        if failed && self.saved.standing == Standing::Read {
            self.saved.standing = Standing::Damaged;
        }
        if self.saved.standing == Standing::Damaged
            && let Ok(path) = self.state_path()
        {
            match self.keep_aside(&path) {
                Ok(Some(aside)) => {
                    if let Some(earlier) = report.kept_aside.replace(aside) {
                        report
                            .problems
                            .push(format!("an earlier state file was kept as {earlier}"));
                    }
                }
                Ok(None) => {}
                Err(e) => report.problems.push(e),
            }
        }
        self.save_now();
        report
    }

    /// Restores one saved session unless it runs already; false when it could not be restored.
    fn resurrect_one(&mut self, saved: SavedSession, report: &mut ResurrectReport) -> bool {
        let live = self.sessions.values().find(|s| s.name() == saved.name);
        if live.is_some_and(|s| saved.is_running_as(s)) {
            report.skipped.push(saved.name);
            return true;
        }
        // Another session took the name since: both are kept, the restored one renamed.
        let name = match live {
            Some(_) => {
                let taken = self
                    .sessions
                    .values()
                    .map(|s| s.name().to_owned())
                    .collect();
                unique_name(&saved.name, &taken)
            }
            None => saved.name.clone(),
        };
        let original = saved.name.clone();
        match self.restore_session(saved, &name) {
            Ok(()) if name == original => report.restored.push(name),
            Ok(()) => report.renamed.push((original, name)),
            Err(e) => {
                report.problems.push(format!("session {original}: {e}"));
                return false;
            }
        }
        true
    }

    /// Restores a session whole, as `name`, or leaves nothing of it.
    fn restore_session(&mut self, saved: SavedSession, name: &str) -> Result<(), String> {
        crate::server::model::check_session_name(name)?;
        check_tabs(&saved)?;
        let id = SessionId(self.next_id());
        self.sessions.insert(
            id,
            Session::new(
                id,
                name.to_owned(),
                saved.created_at(),
                saved.size.clamped(),
                Origin {
                    env: saved.env.clone(),
                    cwd: saved.cwd.clone(),
                    project_file: saved.project_file.clone(),
                },
            ),
        );
        match self.restore_contents(id, saved, name) {
            Ok(to_start) => {
                for app in to_start {
                    self.app_op(app, Control::Start);
                }
                self.resize_session(id);
                Ok(())
            }
            Err(e) => {
                // Nothing of it has started yet, so dropping the session undoes all of it.
                self.remove_session(id);
                Err(e)
            }
        }
    }

    /// Adds the apps and tabs of a saved session to the new session `id`, starting nothing;
    /// returns the apps to start.
    fn restore_contents(
        &mut self,
        id: SessionId,
        saved: SavedSession,
        name: &str,
    ) -> Result<Vec<AppId>, String> {
        let mut by_name = BTreeMap::new();
        let mut to_start = Vec::new();
        if let Some(s) = self.sessions.get_mut(&id) {
            // Checked as any spec from the file is; the instances restored below replace
            // these with their own.
            let valid = |spec: &&AppSpec| {
                spec.check_limits().is_ok() && crate::names::check_app(&spec.name).is_ok()
            };
            for spec in saved.groups.iter().filter(valid) {
                s.remember_instance(spec);
            }
        }
        for app in saved.apps {
            let orphan = self
                .orphans
                .iter()
                .any(|o| o.session == saved.name && o.app == app.spec.name);
            let was_running = match app.left {
                Some(left) => left == LeftAs::Running,
                None => app.spec.autostart,
            };
            let app_name = app.spec.name.clone();
            let aid = self.add_app(id, app.spec, app.ad_hoc, true)?;
            if let Some(a) = self.apps.get_mut(&aid) {
                a.set_pane_shell(app.pane_shell);
                a.restore_restarts(app.restarts);
            }
            // Under another name the log is another session's, so there is nothing to show.
            if name == saved.name {
                self.show_previous_output(aid);
            }
            if (was_running && !orphan) || app.pane_shell {
                to_start.push(aid);
            }
            by_name.insert(app_name, aid);
        }
        let mut windows = Vec::new();
        for w in saved.windows {
            let panes: BTreeMap<PaneId, AppId> = w
                .panes
                .iter()
                .filter_map(|(p, n)| Some((PaneId(*p), *by_name.get(n)?)))
                .collect();
            let active = PaneId(w.active);
            let window = Window::restored(w.name, w.renamed, w.layout, panes, active)
                .ok_or("a tab's panes do not match its layout")?;
            // A floating pane whose app is gone or whose rectangle is impossible is dropped.
            let mut floats = Vec::new();
            for f in w.floats.iter().filter(|f| f.rect.is_sane()) {
                if let Some(app) = by_name.get(&f.app) {
                    floats.push(Float {
                        pane: PaneId(self.next_id()),
                        app: *app,
                        rect: f.rect,
                    });
                }
            }
            windows.push(window.with_floats(floats, w.floats_shown));
        }
        if windows.is_empty()
            && let Some(first) = by_name.values().next().copied()
        {
            let name = self.apps[&first].name().to_owned();
            windows.push(Window::new(name, PaneId(self.next_id()), first));
        }
        let s = self.sessions.get_mut(&id).ok_or("session vanished")?;
        s.restore_tabs(windows, saved.active_window);
        Ok(to_start)
    }

    /// Pre-fills an app's screen with the tail of its log, marked as the previous output.
    fn show_previous_output(&mut self, app: AppId) {
        let Some(a) = self.apps.get_mut(&app) else {
            return;
        };
        let tail = crate::logs::tail(a.log().path(), Some(RESTORED_LINES)).unwrap_or_default();
        let mut text = String::new();
        for line in plain_lines(&tail)
            .iter()
            .filter(|l| !l.starts_with(crate::logs::MARKER))
        {
            text.push_str(line);
            text.push_str("\r\n");
        }
        text.push_str("\x1b[2m── restored: output of the previous server ──\x1b[m\r\n");
        a.term().feed(text.as_bytes());
    }
}

#[cfg(test)]
mod tests;
