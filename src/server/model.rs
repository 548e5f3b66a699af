//! The server's model: sessions, their windows and panes, and the apps that run in them. Plain
//! data with small helpers; the event loop in `state.rs` is the only owner and mutator.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime};

use crate::app::lifecycle::{Lifecycle, State};
use crate::app::policy::RestartRule;
use crate::config::AppSpec;
use crate::layout::Layout;
use crate::logs::LogHandle;
use crate::metrics::Usage;
use crate::pane::emulator::Emulator;
use crate::pane::process::{ExitStatus, Process};
use crate::size::Size;

/// Newtype ids: never reused within one server's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub u64);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppId(pub u64);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(pub u64);
pub use crate::layout::PaneId;

/// A tab: a layout of panes, the app each pane shows, and which pane has focus.
#[derive(Debug)]
pub struct Window {
    pub name: String,
    /// The name follows the focused app until the user renames the tab.
    pub renamed: bool,
    pub layout: Layout,
    pub panes: BTreeMap<PaneId, AppId>,
    pub active: PaneId,
    /// The previously focused pane, where focus goes when the active one closes.
    pub last: Option<PaneId>,
    /// The preset last applied with `pane.layout-next`, to cycle from.
    pub preset: Option<crate::layout::Preset>,
}

impl Window {
    pub fn new(name: String, pane: PaneId, app: AppId) -> Self {
        Self {
            name,
            renamed: false,
            layout: Layout::new(pane),
            panes: BTreeMap::from([(pane, app)]),
            active: pane,
            last: None,
            preset: None,
        }
    }

    pub fn active_app(&self) -> Option<AppId> {
        self.panes.get(&self.active).copied()
    }

    /// Moves focus to `pane`, remembering the previous one.
    pub fn focus(&mut self, pane: PaneId) {
        if pane != self.active && self.panes.contains_key(&pane) {
            self.last = Some(self.active);
            self.active = pane;
        }
    }
}

#[derive(Debug)]
pub struct Session {
    pub id: SessionId,
    pub name: String,
    pub created: SystemTime,
    /// Apps in the order they were added.
    pub apps: Vec<AppId>,
    pub windows: Vec<Window>,
    pub active_window: usize,
    /// The previously active tab.
    pub last_window: Option<usize>,
    /// Used to pick the session for `attach` without `-t`.
    pub last_used: Instant,
    /// The client whose size the session's apps follow (the most recently active one).
    pub size_owner: Option<ClientId>,
    /// The size apps get when no client is attached.
    pub detached_size: Size,
    /// The environment new apps of this session start from (the creating client's).
    pub env: Vec<(String, String)>,
    /// The working directory of ad-hoc apps (the creating client's).
    pub cwd: Option<String>,
    /// The project file the session came from, if any.
    pub project_file: Option<String>,
}

impl Session {
    /// A session with no apps or tabs yet, created at `created`, sized `size` until a client
    /// attaches; where it came from (`env`, `cwd`, `project_file`) is empty.
    pub fn new(id: SessionId, name: String, created: SystemTime, size: Size) -> Self {
        Self {
            id,
            name,
            created,
            apps: Vec::new(),
            windows: Vec::new(),
            active_window: 0,
            last_window: None,
            last_used: Instant::now(),
            size_owner: None,
            detached_size: size,
            env: Vec::new(),
            cwd: None,
            project_file: None,
        }
    }

    pub fn active_window(&self) -> Option<&Window> {
        self.windows.get(self.active_window)
    }

    pub fn active_window_mut(&mut self) -> Option<&mut Window> {
        self.windows.get_mut(self.active_window)
    }

    /// The app in the focused pane.
    pub fn focused_app(&self) -> Option<AppId> {
        self.active_window()?.active_app()
    }

    /// Every app shown in some pane of some window.
    pub fn shown_apps(&self) -> impl Iterator<Item = AppId> + '_ {
        self.windows.iter().flat_map(|w| w.panes.values().copied())
    }
}

/// The exit that was reaped but not yet shown, waiting for the last output to drain.
#[derive(Debug, Clone, Copy)]
pub struct PendingExit {
    pub status: ExitStatus,
    pub deadline: Instant,
}

/// A managed program: its spec, its terminal, its current process, its life and its log.
pub struct App {
    pub id: AppId,
    pub session: SessionId,
    pub name: String,
    pub spec: AppSpec,
    /// The environment it starts with (the session's, then the spec's own variables).
    pub env: Vec<(String, String)>,
    pub term: Emulator,
    pub process: Option<Process>,
    /// Incremented at each start; PTY events of older runs are ignored.
    pub run: u32,
    pub life: Lifecycle,
    pub started: Instant,
    /// Output seen in the current run (an app is "starting" until it prints or passes min_uptime).
    pub saw_output: bool,
    /// The PTY hit EOF for the current run.
    pub eof: bool,
    pub pending_exit: Option<PendingExit>,
    pub log: LogHandle,
    pub usage: Option<Usage>,
    /// Added by `run` rather than declared in the project file.
    pub ad_hoc: bool,
    /// The state and pid last sent to `apps:state` subscribers.
    pub published: Option<(&'static str, Option<u32>)>,
    /// A shell started for a split or a new tab: it lives and dies with its pane.
    pub pane_shell: bool,
    /// It rang the bell while the user was not looking at it; cleared when its pane gets focus.
    pub bell: bool,
}

impl App {
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(Process::pid)
    }

    /// The state name of `ls --json`: the lifecycle's.
    pub fn state_label(&self) -> &'static str {
        self.life.label()
    }

    /// A fresh run that has printed nothing and is not yet past `min_uptime`: the sidebar
    /// shows it as starting (ls already calls it running, since its process is up).
    pub fn is_starting(&self) -> bool {
        self.life.state == State::Running
            && !self.saw_output
            && self.started.elapsed() < self.spec.min_uptime
    }

    pub fn uptime(&self) -> Option<std::time::Duration> {
        self.process.as_ref().map(|_| self.started.elapsed())
    }

    pub fn rule(&self) -> RestartRule {
        RestartRule {
            policy: self.spec.restart,
            backoff: self.spec.backoff.clone(),
            min_uptime: self.spec.min_uptime,
            max_restarts: self.spec.max_restarts,
        }
    }
}

/// Seconds since the Unix epoch (0 for times before it), as `ls` and the state file give them.
pub fn unix_secs(t: std::time::SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Picks `base`, or `base-2`, `base-3` ... so that `taken` does not already contain it. The
/// suffix is kept within the name length limit by shortening `base`.
pub fn unique_name(base: &str, taken: &std::collections::HashSet<String>) -> String {
    let base = if base.is_empty() { "app" } else { base };
    if !taken.contains(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n: u64| {
            let suffix = format!("-{n}");
            let keep = crate::names::MAX_LEN.saturating_sub(suffix.len());
            base.chars()
                .take(keep)
                .chain(suffix.chars())
                .collect::<String>()
        })
        .find(|cand| !taken.contains(cand))
        .unwrap_or_else(|| base.to_owned())
}

/// Session names appear in targets (`NAME:APP`), listings and file names: see `names`.
pub fn check_session_name(name: &str) -> Result<(), String> {
    crate::names::check_session(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_unique() {
        let taken = ["sh", "sh-2", "vim"].map(String::from).into();
        assert_eq!(unique_name("sh", &taken), "sh-3");
        assert_eq!(unique_name("bash", &taken), "bash");
        assert_eq!(unique_name("", &taken), "app");
        let long = "x".repeat(crate::names::MAX_LEN);
        let taken = [long.clone()].into();
        let unique = unique_name(&long, &taken);
        assert_eq!(crate::names::check_app(&unique), Ok(()), "{unique}");
        assert!(unique.ends_with("-2"));
    }

    #[test]
    fn session_names_are_checked() {
        assert!(check_session_name("work").is_ok());
        assert!(check_session_name("a:b").is_err());
        assert!(check_session_name("").is_err());
        assert!(check_session_name("/abs/path").is_err());
    }
}
