//! File watching for `watch` apps: one inotify watcher (the `notify` crate) for the whole
//! server, made when the first app watches something and dropped when none does. Each watched
//! directory gets a watch of its own (never a recursive walk by `notify`), so directories an
//! app ignores (`target`, `.git`) cost no watch and send no event; the parent of each watched
//! path is watched too, so that a watched directory or file that is removed and made again is
//! seen and watched again. While nothing changes nothing runs: no timer, no per-file work.
//!
//! The watcher's thread filters events down to changes (an open or a read is none) and hands
//! them to the state task through a bounded queue; when the queue is full it drops the change
//! and raises a flag that makes the task treat it as a lost change. The task routes each
//! change to the apps it concerns (`WatchSpec::concerns`: below a watched path, not ignored)
//! and feeds their [`Debounce`]; when a burst has been quiet for the app's `watch_debounce`,
//! the app restarts once, with a marker naming the burst's first path. Which states restart
//! and the debounce itself are `crate::app::watch`'s; the restart is the ordinary one, so a
//! `restart = true` dependent follows as after any restart.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use notify::event::{AccessKind, AccessMode, CreateKind, EventKind, ModifyKind, RenameMode};
use notify::{INotifyWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use crate::app::lifecycle::Control;
use crate::app::watch::{Debounce, restarts_on_change};
use crate::server::Server;
use crate::server::model::AppId;
use crate::watch_spec::WatchSpec;

/// Changes queued from the watcher's thread to the state task. A burst larger than this while
/// the task is busy loses changes, which the overflow flag reports.
const WATCH_QUEUE: usize = 4096;
/// The most changes the task takes in one turn before it serves clients and timers again.
const WATCH_SLICE: usize = 1024;
/// The most directories watched for the whole server: beyond it (or the kernel's
/// `max_user_watches`) new directories are not watched, and the log says so.
const MAX_DIRS: usize = 200_000;

/// What the watcher's thread reports.
#[derive(Debug)]
pub enum Note {
    /// Something at `path` changed. A directory made (or moved) there wants watches; a path
    /// removed (or moved away) has lost its own.
    Changed {
        path: PathBuf,
        new_dir: bool,
        removed: bool,
    },
    /// The kernel's queue overflowed: changes were lost.
    Rescan,
}

/// The server's watcher and the bursts in progress.
pub struct Watches {
    watcher: Option<INotifyWatcher>,
    tx: mpsc::Sender<Note>,
    rx: Option<mpsc::Receiver<Note>>,
    /// Raised by the watcher's thread when the queue was full and a change was dropped.
    overflow: Arc<AtomicBool>,
    /// The directories with a watch now.
    dirs: BTreeSet<PathBuf>,
    bursts: HashMap<AppId, Debounce>,
    /// Apps or their specs changed: the watches are brought in line at the end of the turn.
    stale: bool,
    /// A warning about the watch limit was logged (once is enough).
    warned: bool,
}

impl Default for Watches {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel(WATCH_QUEUE);
        Self {
            watcher: None,
            tx,
            rx: Some(rx),
            overflow: Arc::default(),
            dirs: BTreeSet::new(),
            bursts: HashMap::new(),
            stale: false,
            warned: false,
        }
    }
}

impl Watches {
    /// The receiving end of the queue, for the loop to select on (once).
    pub fn take_receiver(&mut self) -> Option<mpsc::Receiver<Note>> {
        self.rx.take()
    }

    /// How many directories are watched now.
    pub fn watched_dirs(&self) -> usize {
        self.dirs.len()
    }

    /// The watcher, made on first use; `None` (logged) if inotify cannot be had.
    fn watcher(&mut self) -> Option<&mut INotifyWatcher> {
        if self.watcher.is_none() {
            let (tx, overflow) = (self.tx.clone(), self.overflow.clone());
            let handler =
                move |event: notify::Result<notify::Event>| forward(event, &tx, &overflow);
            match INotifyWatcher::new(handler, notify::Config::default()) {
                Ok(w) => self.watcher = Some(w),
                Err(e) => {
                    if !self.warned {
                        tracing::warn!("file watching is off: {e}");
                        self.warned = true;
                    }
                    return None;
                }
            }
        }
        self.watcher.as_mut()
    }

    /// Adds a watch to each of `dirs` not watched yet.
    fn add(&mut self, dirs: BTreeSet<PathBuf>) {
        let new: Vec<PathBuf> = dirs.difference(&self.dirs).cloned().collect();
        if new.is_empty() {
            return;
        }
        for dir in new {
            if self.dirs.len() >= MAX_DIRS {
                self.limit_reached(&format!("more than {MAX_DIRS} directories"));
                break;
            }
            let Some(watcher) = self.watcher() else {
                return;
            };
            match watcher.watch(&dir, RecursiveMode::NonRecursive) {
                Ok(()) => {
                    self.dirs.insert(dir);
                }
                Err(e) if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) => {
                    self.limit_reached("the kernel's limit (fs.inotify.max_user_watches)");
                    break;
                }
                // Gone since it was listed: its parent's watch reports it if it comes back.
                Err(e) => tracing::debug!(dir = %dir.display(), "not watched: {e}"),
            }
        }
    }

    fn limit_reached(&mut self, what: &str) {
        if !self.warned {
            tracing::warn!(
                "watching stopped adding directories at {what}; changes below the others are not seen"
            );
            self.warned = true;
        }
    }

    /// Brings the watches in line with `wanted`: the others are removed, and the watcher
    /// goes with the last of them.
    fn sync(&mut self, wanted: BTreeSet<PathBuf>) {
        let gone: Vec<PathBuf> = self.dirs.difference(&wanted).cloned().collect();
        for dir in gone {
            self.unwatch(&dir);
        }
        if wanted.is_empty() {
            // Its thread ends and the inotify descriptor closes with it.
            self.watcher = None;
            self.warned = false;
            return;
        }
        self.add(wanted);
    }

    /// `path` is no longer there: the watches of it and everything below it go. A directory
    /// moved elsewhere on the same file system keeps its watch in the kernel (under its old
    /// name in the watcher), so each is removed rather than only forgotten.
    fn forget(&mut self, path: &Path) {
        let gone: Vec<PathBuf> = self
            .dirs
            .iter()
            .filter(|d| d.starts_with(path))
            .cloned()
            .collect();
        for dir in gone {
            self.unwatch(&dir);
        }
    }

    fn unwatch(&mut self, dir: &Path) {
        self.dirs.remove(dir);
        if let Some(w) = &mut self.watcher {
            // The watch may have gone with its directory already; an error says only that.
            let _ = w.unwatch(dir);
        }
    }
}

/// On the watcher's thread: an event reduced to what the state task needs, queued without
/// waiting.
fn forward(event: notify::Result<notify::Event>, tx: &mpsc::Sender<Note>, overflow: &AtomicBool) {
    let event = match event {
        Ok(event) => event,
        Err(e) => {
            tracing::warn!("file watching: {e}");
            return;
        }
    };
    if event.need_rescan() {
        if tx.try_send(Note::Rescan).is_err() {
            overflow.store(true, Ordering::Relaxed);
        }
        return;
    }
    let (new_dir, removed) = match event.kind {
        EventKind::Create(CreateKind::Folder) => (true, false),
        EventKind::Create(_) => (event.paths.first().is_some_and(|p| p.is_dir()), false),
        EventKind::Modify(ModifyKind::Name(RenameMode::From)) | EventKind::Remove(_) => {
            (false, true)
        }
        EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
            (event.paths.first().is_some_and(|p| p.is_dir()), false)
        }
        // The two halves of a rename came as `From` and `To` already.
        EventKind::Modify(ModifyKind::Name(_)) => return,
        EventKind::Modify(_) | EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
            (false, false)
        }
        // Opening or reading a file changes nothing.
        EventKind::Access(_) | EventKind::Any | EventKind::Other => return,
    };
    for path in event.paths {
        let note = Note::Changed {
            path,
            new_dir,
            removed,
        };
        if tx.try_send(note).is_err() {
            overflow.store(true, Ordering::Relaxed);
        }
    }
}

/// An app's watched paths as `ls --json` lists them: relative to the project directory.
pub fn watched_paths(spec: Option<&WatchSpec>) -> Vec<String> {
    spec.map_or_else(Vec::new, |s| {
        let rel = s.paths.iter().map(|p| s.relative(p).display().to_string());
        rel.collect()
    })
}

/// `describe`'s `watch`: the paths, the ignore patterns and the debounce; null without one.
pub fn describe(spec: Option<&WatchSpec>) -> Option<crate::contract::WatchInfo> {
    spec.map(|s| crate::contract::WatchInfo {
        paths: watched_paths(Some(s)),
        ignore: s.ignore.clone(),
        debounce: crate::units::format_duration(s.debounce),
    })
}

/// The directories that watching `spec` takes: each watched path's parent (which sees the
/// path itself removed and made again) and every directory at or below a watched directory
/// that no pattern ignores. Symbolic links are not followed.
fn wanted_dirs<'a>(specs: impl Iterator<Item = &'a WatchSpec>) -> BTreeSet<PathBuf> {
    let mut dirs = BTreeSet::new();
    for spec in specs {
        for root in &spec.paths {
            if let Some(parent) = root.parent() {
                dirs.insert(parent.to_path_buf());
            }
            walk(root, spec, &mut dirs);
        }
    }
    dirs
}

/// Every directory at or below `top` that `spec` does not ignore, into `dirs`.
fn walk(top: &Path, spec: &WatchSpec, dirs: &mut BTreeSet<PathBuf>) {
    if !top.is_dir() || spec.ignores(top) {
        return;
    }
    let mut stack = vec![top.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if dirs.len() >= MAX_DIRS {
            return;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            let path = entry.path();
            if is_dir && !spec.ignores(&path) {
                stack.push(path);
            }
        }
        dirs.insert(dir);
    }
}

impl Server {
    /// Apps were added or removed, or a spec changed: the watches follow at the end of the
    /// turn.
    pub(super) fn watches_changed(&mut self) {
        self.watch.stale = true;
    }

    /// The watches as the apps now want them, when something changed.
    pub(super) fn sync_watches(&mut self) {
        if !std::mem::take(&mut self.watch.stale) {
            return;
        }
        let watching: Vec<AppId> = self
            .apps
            .values()
            .filter(|a| a.spec().watch.is_some())
            .map(|a| a.id())
            .collect();
        self.watch.bursts.retain(|id, _| watching.contains(id));
        let specs = self.apps.values().filter_map(|a| a.spec().watch.as_deref());
        let wanted = wanted_dirs(specs);
        self.watch.sync(wanted);
    }

    /// Changes from the watcher: the first, and whatever else is queued (a slice at most).
    pub(super) fn on_watch_notes(&mut self, first: Note, rx: &mut mpsc::Receiver<Note>) {
        let now = Instant::now();
        self.on_watch_note(first, now);
        for _ in 1..WATCH_SLICE {
            match rx.try_recv() {
                Ok(note) => self.on_watch_note(note, now),
                Err(_) => break,
            }
        }
        if self.watch.overflow.swap(false, Ordering::Relaxed) {
            self.on_watch_note(Note::Rescan, now);
        }
    }

    fn on_watch_note(&mut self, note: Note, now: Instant) {
        let (path, new_dir, removed) = match note {
            Note::Changed {
                path,
                new_dir,
                removed,
            } => (path, new_dir, removed),
            Note::Rescan => return self.lost_changes(now),
        };
        if removed {
            self.watch.forget(&path);
        }
        let mut dirs = BTreeSet::new();
        let mut hits = Vec::new();
        for app in self.apps.values() {
            let Some(spec) = app.spec().watch.as_deref() else {
                continue;
            };
            if !spec.concerns(&path) {
                continue;
            }
            if new_dir {
                walk(&path, spec, &mut dirs);
            }
            hits.push((app.id(), spec.relative(&path).to_path_buf(), spec.debounce));
        }
        self.watch.add(dirs);
        for (id, rel, quiet) in hits {
            self.watch
                .bursts
                .entry(id)
                .or_default()
                .note(rel, now, quiet);
        }
    }

    /// Changes were lost (a queue overflowed): every watching app counts as changed, named by
    /// its first watched path, and the watches are made again for what may have appeared.
    fn lost_changes(&mut self, now: Instant) {
        tracing::warn!("file changes were lost; every watching app counts as changed");
        let hits: Vec<(AppId, PathBuf, std::time::Duration)> = self
            .apps
            .values()
            .filter_map(|a| {
                let spec = a.spec().watch.as_deref()?;
                let first = spec.paths.first()?;
                Some((a.id(), spec.relative(first).to_path_buf(), spec.debounce))
            })
            .collect();
        for (id, rel, quiet) in hits {
            self.watch
                .bursts
                .entry(id)
                .or_default()
                .note(rel, now, quiet);
        }
        // Removals may have been lost too: a directory that is gone has lost its watch.
        self.watch.dirs.retain(|d| d.is_dir());
        self.watches_changed();
    }

    /// Bursts that have been quiet long enough: each app restarts once, if its state says so.
    pub(super) fn tick_watches(&mut self, now: Instant) {
        let due: Vec<(AppId, PathBuf)> = self
            .watch
            .bursts
            .iter_mut()
            .filter_map(|(id, d)| Some((*id, d.take_due(now)?)))
            .collect();
        for (id, path) in due {
            let Some(app) = self.apps.get(&id) else {
                continue;
            };
            if !restarts_on_change(&app.life().state) {
                tracing::info!(app = %app.name(), path = %path.display(), "changed while not running; left as it is");
                continue;
            }
            tracing::info!(app = %app.name(), path = %path.display(), "restarting: a watched file changed");
            app.log()
                .marker(&format!("restarting: {} changed", path.display()));
            self.app_op(id, Control::Restart);
        }
    }

    /// When the earliest burst ends.
    pub(super) fn watch_deadline(&self) -> Option<Instant> {
        self.watch
            .bursts
            .values()
            .filter_map(Debounce::deadline)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_directories_get_no_watch() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().to_path_buf();
        for d in ["src/a/b", "src/target/debug", "src/.git/objects", "other"] {
            std::fs::create_dir_all(base.join(d)).unwrap();
        }
        let spec = WatchSpec {
            base: base.clone(),
            paths: vec![base.join("src")],
            ignore: vec!["target".into(), ".git".into()],
            debounce: crate::watch_spec::DEFAULT_DEBOUNCE,
        };
        let dirs = wanted_dirs([&spec].into_iter());
        let want: BTreeSet<PathBuf> = ["", "src", "src/a", "src/a/b"]
            .iter()
            .map(|d| {
                if d.is_empty() {
                    base.clone()
                } else {
                    base.join(d)
                }
            })
            .collect();
        assert_eq!(dirs, want);
    }
}
