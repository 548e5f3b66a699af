//! Saving and resurrecting sessions. The state (sessions, tabs, layouts, which app is in which
//! pane, app specs including ad-hoc apps, restart counters, pids with their start times) is
//! written atomically (write, fsync, rename) shortly after anything changes, to
//! `$XDG_STATE_HOME/appmux/sessions-SOCKET.json`.
//!
//! Resurrecting skips sessions that already run, restores the rest one by one (a session that
//! cannot be read is reported and skipped, and a file with problems is kept aside), pre-fills
//! each pane with the tail of its app's log, and starts apps by `autostart`. Processes left over
//! from a server that was killed (same pid and start time as saved) are reported, and ended on
//! request instead of being started twice.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::AppSpec;
use crate::layout::{Layout, PaneId};
use crate::paths;
use crate::protocol::{AppOp, Orphan, ResurrectReport, Size};
use crate::render::overlay::plain_lines;
use crate::server::model::{AppId, Session, SessionId, Window, unix_secs};
use crate::server::state::Server;

/// Format version of the state file.
const VERSION: u32 = 1;
/// Changes are written at most this often.
pub const SAVE_DELAY: Duration = Duration::from_millis(300);
/// Lines of the previous output shown in a restored pane.
const RESTORED_LINES: usize = 200;
/// The largest state file read: thousands of sessions fit; a runaway file is refused.
const MAX_STATE_BYTES: u64 = 64 << 20;

#[derive(Debug, Serialize, Deserialize)]
struct SavedState {
    version: u32,
    saved_at: u64,
    sessions: Vec<Value>,
    /// Leftovers of an earlier server, still tracked until they are ended or gone.
    #[serde(default)]
    orphans: Vec<Orphan>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SavedSession {
    pub name: String,
    pub created: u64,
    pub project_file: Option<String>,
    pub cwd: Option<String>,
    pub env: Vec<(String, String)>,
    pub size: Size,
    pub active_window: usize,
    pub windows: Vec<SavedWindow>,
    pub apps: Vec<SavedApp>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SavedWindow {
    pub name: String,
    pub renamed: bool,
    pub layout: Layout,
    /// Pane to app name.
    pub panes: BTreeMap<u64, String>,
    pub active: u64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SavedApp {
    pub spec: AppSpec,
    pub ad_hoc: bool,
    pub pane_shell: bool,
    pub restarts: u32,
    pub pid: Option<u32>,
    /// The process start time from /proc (clock ticks since boot), to recognise the same
    /// process after a restart of the server.
    pub pid_start: Option<u64>,
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

pub fn state_file(label: &str) -> anyhow::Result<PathBuf> {
    Ok(paths::state_dir()?.join(format!("sessions-{label}.json")))
}

/// Write to a temporary file, fsync it, rename it over the old one, fsync the directory.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("json.tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()
}

fn now_secs() -> u64 {
    unix_secs(SystemTime::now())
}

impl Server {
    fn saved_session(&self, s: &Session) -> SavedSession {
        let name_of = |a: &AppId| self.apps.get(a).map(|a| a.name.clone()).unwrap_or_default();
        SavedSession {
            name: s.name.clone(),
            created: unix_secs(s.created),
            project_file: s.project_file.clone(),
            cwd: s.cwd.clone(),
            env: s.env.clone(),
            size: s.detached_size,
            active_window: s.active_window,
            windows: s
                .windows
                .iter()
                .map(|w| SavedWindow {
                    name: w.name.clone(),
                    renamed: w.renamed,
                    layout: w.layout.clone(),
                    panes: w.panes.iter().map(|(p, a)| (p.0, name_of(a))).collect(),
                    active: w.active.0,
                })
                .collect(),
            apps: s
                .apps
                .iter()
                .filter_map(|a| self.apps.get(a))
                .map(|a| SavedApp {
                    spec: a.spec.clone(),
                    ad_hoc: a.ad_hoc,
                    pane_shell: a.pane_shell,
                    restarts: a.life.restarts,
                    pid: a.pid(),
                    pid_start: a.pid().and_then(start_time),
                })
                .collect(),
        }
    }

    /// Writes the state file now.
    pub fn save_now(&mut self) {
        self.save_due = None;
        let Ok(path) = state_file(&self.settings.label) else {
            return;
        };
        let state = SavedState {
            version: VERSION,
            saved_at: now_secs(),
            sessions: self
                .sessions
                .values()
                .filter_map(|s| serde_json::to_value(self.saved_session(s)).ok())
                .collect(),
            orphans: self.live_orphans(),
        };
        let bytes = match serde_json::to_vec_pretty(&state) {
            Ok(b) => b,
            Err(e) => return tracing::warn!("could not encode the state: {e}"),
        };
        if let Err(e) = write_atomically(&path, &bytes) {
            tracing::warn!(path = %path.display(), "could not save the state: {e}");
        }
    }

    /// Reads the state file: the sessions that parse, and a problem per session that does not.
    fn read_saved(&self, report: &mut ResurrectReport) -> Vec<SavedSession> {
        let Ok(path) = state_file(&self.settings.label) else {
            return Vec::new();
        };
        let bytes = match crate::config::file::read_regular(&path, MAX_STATE_BYTES) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
            Err(e) => {
                report.problems.push(format!("{}: {e}", path.display()));
                return Vec::new();
            }
        };
        let mut bad = false;
        let sessions = match serde_json::from_slice::<SavedState>(&bytes) {
            Ok(state) => state
                .sessions
                .into_iter()
                .enumerate()
                .filter_map(|(i, v)| match serde_json::from_value::<SavedSession>(v) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        bad = true;
                        report.problems.push(format!("saved session #{i}: {e}"));
                        None
                    }
                })
                .collect(),
            Err(e) => {
                bad = true;
                report.problems.push(format!("{}: {e}", path.display()));
                Vec::new()
            }
        };
        if bad {
            let aside = path.with_extension(format!("json.bad-{}", now_secs()));
            if std::fs::rename(&path, &aside).is_ok() {
                report.kept_aside = Some(aside.display().to_string());
            }
        }
        sessions
    }

    /// Processes of the saved sessions that are still alive (same pid and start time).
    pub fn find_orphans(&self) -> Vec<Orphan> {
        let Ok(path) = state_file(&self.settings.label) else {
            return Vec::new();
        };
        if !path.exists() {
            return Vec::new();
        }
        let saved = match crate::config::file::read_regular(&path, MAX_STATE_BYTES)
            .ok()
            .and_then(|b| serde_json::from_slice::<SavedState>(&b).ok())
        {
            Some(s) => s,
            None => return Vec::new(),
        };
        let known = saved.orphans.into_iter();
        let from_apps = saved
            .sessions
            .into_iter()
            .filter_map(|v| serde_json::from_value::<SavedSession>(v).ok())
            .flat_map(|s| {
                let session = s.name.clone();
                s.apps.into_iter().filter_map(move |a| {
                    Some(Orphan {
                        session: session.clone(),
                        app: a.spec.name.clone(),
                        pid: a.pid?,
                        started: a.pid_start?,
                    })
                })
            });
        let mut found: Vec<Orphan> = known
            .chain(from_apps)
            .filter(|o| start_time(o.pid) == Some(o.started))
            .collect();
        found.sort_by_key(|o| o.pid);
        found.dedup_by_key(|o| o.pid);
        found
    }

    /// The orphans found at start that are still running: those that were only dying then
    /// (from the hangup of the killed server's PTYs) drop out.
    pub fn live_orphans(&self) -> Vec<Orphan> {
        let alive = |o: &&Orphan| start_time(o.pid) == Some(o.started);
        self.orphans.iter().filter(alive).cloned().collect()
    }

    /// Restores every saved session that does not run yet.
    pub fn resurrect(&mut self, kill_orphans: bool) -> ResurrectReport {
        self.orphans = self.live_orphans();
        let mut report = ResurrectReport {
            orphans: self.orphans.clone(),
            ..Default::default()
        };
        if kill_orphans {
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
        for saved in self.read_saved(&mut report) {
            if self.session_by_name(&saved.name).is_some() {
                report.skipped.push(saved.name);
                continue;
            }
            let name = saved.name.clone();
            match self.restore_session(saved) {
                Ok(()) => report.restored.push(name),
                Err(e) => report.problems.push(format!("session {name}: {e}")),
            }
        }
        self.save_now();
        report
    }

    fn restore_session(&mut self, saved: SavedSession) -> Result<(), String> {
        crate::server::model::check_session_name(&saved.name)?;
        let id = SessionId(self.next_id());
        self.sessions.insert(
            id,
            Session {
                env: saved.env.clone(),
                cwd: saved.cwd.clone(),
                project_file: saved.project_file.clone(),
                ..Session::new(
                    id,
                    saved.name.clone(),
                    // A creation time too far ahead to represent is taken as now.
                    UNIX_EPOCH
                        .checked_add(Duration::from_secs(saved.created))
                        .unwrap_or_else(SystemTime::now),
                    saved.size.clamped(),
                )
            },
        );
        let mut by_name = BTreeMap::new();
        for app in saved.apps {
            let orphan = self
                .orphans
                .iter()
                .any(|o| o.session == saved.name && o.app == app.spec.name);
            let autostart = app.spec.autostart && !orphan;
            let name = app.spec.name.clone();
            let aid = self.add_app(id, app.spec, app.ad_hoc, true)?;
            if let Some(a) = self.apps.get_mut(&aid) {
                a.pane_shell = app.pane_shell;
                a.life.restarts = app.restarts;
                let tail =
                    crate::logs::tail(a.log.path(), Some(RESTORED_LINES)).unwrap_or_default();
                let mut text = String::new();
                for line in plain_lines(&tail)
                    .iter()
                    .filter(|l| !l.starts_with(crate::logs::MARKER))
                {
                    text.push_str(line);
                    text.push_str("\r\n");
                }
                text.push_str("\x1b[2m── restored: output of the previous server ──\x1b[m\r\n");
                a.term.feed(text.as_bytes());
            }
            if autostart || app.pane_shell {
                self.app_op(aid, AppOp::Start);
            }
            by_name.insert(name, aid);
        }
        let mut windows = Vec::new();
        for w in saved.windows {
            let panes: BTreeMap<PaneId, AppId> = w
                .panes
                .iter()
                .filter_map(|(p, n)| Some((PaneId(*p), *by_name.get(n)?)))
                .collect();
            if panes.len() != w.layout.len()
                || w.layout.panes().iter().any(|p| !panes.contains_key(p))
            {
                return Err(format!(
                    "tab `{}` names panes or apps that are not there",
                    w.name
                ));
            }
            let active = PaneId(w.active);
            let mut window = Window::new(w.name, active, panes[&active]);
            window.renamed = w.renamed;
            window.layout = w.layout;
            window.panes = panes;
            windows.push(window);
        }
        if windows.is_empty()
            && let Some(first) = by_name.values().next().copied()
        {
            let name = self.apps[&first].name.clone();
            windows.push(Window::new(name, PaneId(self.next_id()), first));
        }
        let s = self.sessions.get_mut(&id).ok_or("session vanished")?;
        s.active_window = saved.active_window.min(windows.len().saturating_sub(1));
        s.windows = windows;
        self.resize_session(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_own_start_time_is_readable() {
        assert!(start_time(std::process::id()).is_some());
    }

    #[test]
    fn an_exited_process_has_no_start_time_even_before_it_is_reaped() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        // Not waited for: once it exits it stays a zombie until `wait` below.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while start_time(pid).is_some() {
            assert!(std::time::Instant::now() < deadline, "never seen exited");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(
            std::fs::metadata(format!("/proc/{pid}")).is_ok(),
            "reaped too early"
        );
        child.wait().unwrap();
    }

    #[test]
    fn atomic_writes_replace_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        write_atomically(&p, b"one").unwrap();
        write_atomically(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert!(!p.with_extension("json.tmp").exists());
    }
}
