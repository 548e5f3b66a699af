//! The dependency graph between a session's apps, and the gate that decides when a waiting app
//! may start.
//!
//! This module owns the graph built from the `depends_on` vocabulary (`Condition`,
//! `Dependency`, re-exported from the `dependency` leaf that the config layer shares): start
//! and stop order, closures, dependents, cycles and unknown names; the gate
//! (`gate`: go, wait, or blocked with a reason) and the bookkeeping for `restart = true`
//! (`RestartCascade`). Pure: app states come in as `DepStatus` snapshots that the server builds
//! from its lifecycles, and nothing here spawns, signals or keeps time. The gate is a function
//! of those snapshots, so the server re-evaluates it when a dependency's state changes (an
//! event), never on a timer. Locating errors in a file is the config layer's job.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};

use crate::dependency::cycle_among;
pub use crate::dependency::{Condition, Dependency, GraphError, find_cycle};
use crate::pane::process::ExitStatus;
use crate::suggest::closest;

/// The apps of a session and who depends on whom. Always acyclic, with every name known.
#[derive(Debug, Clone)]
pub struct DepGraph {
    names: Vec<String>,
    index: HashMap<String, usize>,
    declared: Vec<Vec<Dependency>>,
    links: Links,
    start: Vec<usize>,
}

/// Edges by index, each listed once: `needs[a]` are a's dependencies, `needed_by[b]` the apps
/// that depend on b.
#[derive(Debug, Clone, Default)]
struct Links {
    needs: Vec<Vec<usize>>,
    needed_by: Vec<Vec<usize>>,
}

impl Links {
    /// Links between `names`; dependencies on names not in `index` are skipped and returned.
    fn build<'a>(
        names: &[&'a str],
        index: &HashMap<String, usize>,
        deps: &[&'a [Dependency]],
    ) -> (Self, Vec<GraphError>) {
        let mut links = Self {
            needs: vec![Vec::new(); names.len()],
            needed_by: vec![Vec::new(); names.len()],
        };
        let mut unknown = Vec::new();
        for (a, list) in deps.iter().enumerate() {
            for dep in list.iter() {
                let Some(&b) = index.get(dep.app.as_str()) else {
                    unknown.push(GraphError::UnknownDependency {
                        app: names[a].to_owned(),
                        dependency: dep.app.clone(),
                        suggestion: closest(&dep.app, others(names, a)).map(str::to_owned),
                    });
                    continue;
                };
                if !links.needs[a].contains(&b) {
                    links.needs[a].push(b);
                    links.needed_by[b].push(a);
                }
            }
        }
        (links, unknown)
    }
}

/// The names other than the one at `skip`: an app is never the suggestion for its own
/// dependency, which would be a cycle.
fn others<'n>(names: &[&'n str], skip: usize) -> impl Iterator<Item = &'n str> {
    let kept = names.iter().enumerate().filter(move |(i, _)| *i != skip);
    kept.map(|(_, name)| *name)
}

/// Kahn's algorithm, taking the earliest-declared available node each time, so apps that do not
/// depend on each other keep their declaration order. A node is available once every node in
/// `before[node]` is placed; `after[node]` are the nodes that wait for it.
fn ordered(before: &[Vec<usize>], after: &[Vec<usize>]) -> Vec<usize> {
    let mut pending: Vec<usize> = before.iter().map(Vec::len).collect();
    let mut available: BinaryHeap<Reverse<usize>> = (0..before.len())
        .filter(|&n| pending[n] == 0)
        .map(Reverse)
        .collect();
    let mut order = Vec::with_capacity(before.len());
    while let Some(Reverse(node)) = available.pop() {
        order.push(node);
        for &next in &after[node] {
            pending[next] -= 1;
            if pending[next] == 0 {
                available.push(Reverse(next));
            }
        }
    }
    order
}

impl DepGraph {
    /// Builds the graph of `apps` (name, `depends_on`) in declaration order. Reports every
    /// duplicate name and unknown dependency (with a did-you-mean), or else the first cycle.
    pub fn new<'a>(
        apps: impl IntoIterator<Item = (&'a str, &'a [Dependency])>,
    ) -> Result<Self, Vec<GraphError>> {
        let (names, deps): (Vec<&str>, Vec<&[Dependency]>) = apps.into_iter().unzip();
        let mut index = HashMap::new();
        let mut errors = Vec::new();
        for (i, name) in names.iter().enumerate() {
            if index.insert((*name).to_owned(), i).is_some() {
                errors.push(GraphError::DuplicateApp((*name).to_owned()));
            }
        }
        let (links, unknown) = Links::build(&names, &index, &deps);
        errors.extend(unknown);
        if !errors.is_empty() {
            return Err(errors);
        }
        if let Some(cycle) = cycle_among(&links.needs) {
            let names = cycle.into_iter().map(|i| names[i].to_owned()).collect();
            return Err(vec![GraphError::Cycle(names)]);
        }
        let start = ordered(&links.needs, &links.needed_by);
        Ok(Self {
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            index,
            declared: deps.iter().map(|d| d.to_vec()).collect(),
            links,
            start,
        })
    }

    /// The app names in declaration order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    pub fn contains(&self, app: &str) -> bool {
        self.index.contains_key(app)
    }

    /// `app`'s `depends_on` as declared.
    pub fn dependencies(&self, app: &str) -> Result<&[Dependency], GraphError> {
        Ok(&self.declared[self.lookup(app)?])
    }

    /// Every app after all of its dependencies; independent apps in declaration order.
    pub fn start_order(&self) -> Vec<&str> {
        self.start.iter().map(|&i| self.names[i].as_str()).collect()
    }

    /// Every app before all of its dependencies (dependents stop first); independent apps in
    /// declaration order.
    pub fn stop_order(&self) -> Vec<&str> {
        let order = ordered(&self.links.needed_by, &self.links.needs);
        order.into_iter().map(|i| self.names[i].as_str()).collect()
    }

    /// `app` and everything it depends on, directly or not, in start order: what `start APP`
    /// starts.
    pub fn closure(&self, app: &str) -> Result<Vec<&str>, GraphError> {
        let reached = self.reach(self.lookup(app)?, &self.links.needs);
        Ok(self.in_start_order(&reached))
    }

    /// The apps that depend on `app`, directly or not, in start order (reversed, a valid order
    /// to stop them in).
    pub fn dependents(&self, app: &str) -> Result<Vec<&str>, GraphError> {
        let from = self.lookup(app)?;
        let mut reached = self.reach(from, &self.links.needed_by);
        reached[from] = false;
        Ok(self.in_start_order(&reached))
    }

    /// The apps that name `app` in their own `depends_on`, in declaration order: the gates to
    /// re-evaluate when `app`'s state changes.
    pub fn direct_dependents(&self, app: &str) -> Result<Vec<&str>, GraphError> {
        let from = self.lookup(app)?;
        let mut found = self.links.needed_by[from].clone();
        found.sort_unstable();
        Ok(found.into_iter().map(|i| self.names[i].as_str()).collect())
    }

    fn lookup(&self, app: &str) -> Result<usize, GraphError> {
        self.index
            .get(app)
            .copied()
            .ok_or_else(|| GraphError::NoSuchApp {
                name: app.to_owned(),
                suggestion: closest(app, self.names()).map(str::to_owned),
            })
    }

    fn reach(&self, from: usize, edges: &[Vec<usize>]) -> Vec<bool> {
        let mut seen = vec![false; self.names.len()];
        seen[from] = true;
        let mut todo = vec![from];
        while let Some(node) = todo.pop() {
            for &next in &edges[node] {
                if !seen[next] {
                    seen[next] = true;
                    todo.push(next);
                }
            }
        }
        seen
    }

    fn in_start_order(&self, keep: &[bool]) -> Vec<&str> {
        let kept = self.start.iter().filter(|&&i| keep[i]);
        kept.map(|&i| self.names[i].as_str()).collect()
    }
}

/// A dependency's state as the gate sees it; the server builds one from the app's lifecycle
/// and probes each time it evaluates a gate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DepStatus {
    /// It has a live process.
    pub live: bool,
    /// Its readiness probe passed in this run, or it has no probe and is running.
    pub ready: bool,
    /// Its last run ended and nothing will start it again by itself (not in backoff): how.
    pub finished: Option<ExitStatus>,
    /// It died young too often and waits for a manual start.
    pub errored: bool,
    /// Its readiness probe gave up (`timeout_total` passed) in this run.
    pub gave_up: bool,
    /// It is stopped, and is neither waiting to start nor about to restart.
    pub stopped: bool,
}

/// Whether a waiting app may start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    Go,
    /// The dependencies and conditions not met yet, in `depends_on` order.
    Wait(Vec<(String, Condition)>),
    /// Dependencies that cannot meet their condition without someone acting, each with why.
    Blocked(Vec<(String, Condition, String)>),
}

impl Gate {
    /// The (app, condition) pairs the gate is held by, for `waiting_for` in listings.
    pub fn waiting_for(&self) -> Vec<(String, Condition)> {
        match self {
            Self::Go => Vec::new(),
            Self::Wait(list) => list.clone(),
            Self::Blocked(list) => list.iter().map(|(a, c, _)| (a.clone(), *c)).collect(),
        }
    }
}

/// Where one dependency stands against its condition.
enum Verdict {
    Met,
    Unmet,
    Never(String),
}

fn verdict(dep: &Dependency, status: Option<DepStatus>) -> Verdict {
    let name = &dep.app;
    let Some(s) = status else {
        return Verdict::Never(format!("`{name}` is not an app of this session"));
    };
    let met = match dep.condition {
        // A one-shot that finished cleanly did start, even if its process is already gone.
        Condition::Started => s.live || s.finished == Some(ExitStatus::Code(0)),
        Condition::Ready => s.ready,
        Condition::Completed => s.finished == Some(ExitStatus::Code(0)),
    };
    if met {
        return Verdict::Met;
    }
    if s.errored {
        return Verdict::Never(format!("`{name}` is errored (it kept exiting too soon)"));
    }
    if let Some(exit) = s.finished {
        return Verdict::Never(format!("`{name}` {exit} and is not restarted"));
    }
    if s.stopped {
        return Verdict::Never(format!("`{name}` is stopped"));
    }
    if dep.condition == Condition::Ready && s.gave_up {
        let why = format!("`{name}` is not ready: its readiness probe gave up");
        return Verdict::Never(why);
    }
    Verdict::Unmet
}

/// Decides whether an app with `depends_on = deps` may start, given each dependency's status
/// (`None` for a name no longer in the session, say after `delete --force`).
pub fn gate(deps: &[Dependency], status: impl Fn(&str) -> Option<DepStatus>) -> Gate {
    let mut waiting = Vec::new();
    let mut blocked = Vec::new();
    for dep in deps {
        match verdict(dep, status(&dep.app)) {
            Verdict::Met => {}
            Verdict::Unmet => waiting.push((dep.app.clone(), dep.condition)),
            Verdict::Never(why) => blocked.push((dep.app.clone(), dep.condition, why)),
        }
    }
    if !blocked.is_empty() {
        Gate::Blocked(blocked)
    } else if !waiting.is_empty() {
        Gate::Wait(waiting)
    } else {
        Gate::Go
    }
}

/// `restart = true`: after a dependency restarts, the running apps that asked for it are
/// restarted once that dependency meets their condition again. A dependent restarted this way
/// is itself a restarted app, so its own dependents follow through the same bookkeeping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RestartCascade {
    /// Dependent → the restarted dependencies it waits on before its own restart.
    pending: BTreeMap<String, BTreeSet<String>>,
}

impl RestartCascade {
    /// `app` got a new run that was not its first (an automatic or manual restart). Marks the
    /// live apps with `restart = true` on it; returns them, in declaration order.
    pub fn restarted(
        &mut self,
        graph: &DepGraph,
        app: &str,
        status: impl Fn(&str) -> Option<DepStatus>,
    ) -> Vec<String> {
        let Ok(dependents) = graph.direct_dependents(app) else {
            return Vec::new();
        };
        let mut marked = Vec::new();
        for dependent in dependents {
            let asks = graph
                .dependencies(dependent)
                .unwrap_or_default()
                .iter()
                .any(|dep| dep.app == app && dep.restart);
            let live = status(dependent).is_some_and(|s| s.live);
            if asks && live {
                let waits = self.pending.entry(dependent.to_owned()).or_default();
                waits.insert(app.to_owned());
                marked.push(dependent.to_owned());
            }
        }
        marked
    }

    /// The marked apps whose restarted dependencies all meet their conditions now, in start
    /// order; they are unmarked, and the server restarts them.
    pub fn due(
        &mut self,
        graph: &DepGraph,
        status: impl Fn(&str) -> Option<DepStatus>,
    ) -> Vec<String> {
        let mut due = Vec::new();
        for app in graph.start_order() {
            let Some(waits) = self.pending.get(app) else {
                continue;
            };
            let declared = graph.dependencies(app).unwrap_or_default();
            let all_met = waits.iter().all(|dependency| {
                let dep = declared.iter().find(|d| &d.app == dependency);
                dep.is_some_and(|d| matches!(verdict(d, status(&d.app)), Verdict::Met))
            });
            if all_met {
                due.push(app.to_owned());
            }
        }
        for app in &due {
            self.pending.remove(app);
        }
        due
    }

    /// Drops `app`'s mark: it was stopped, deleted or restarted by other means.
    pub fn forget(&mut self, app: &str) {
        self.pending.remove(app);
    }

    pub fn is_pending(&self, app: &str) -> bool {
        self.pending.contains_key(app)
    }
}

#[cfg(test)]
mod tests;
