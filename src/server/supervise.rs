//! Orchestration between a session's apps: dependency gates (an app starts only once what it
//! depends on meets its condition, and `start APP` starts the stopped apps it needs), ordered
//! stops (dependents before their dependencies), the `restart = true` cascade, and the probe
//! loop (jobs out to the runner, results and timers back to the app that owns the probe). The
//! decisions are the app model's and `crate::app::deps`'s; this file looks up names and routes.

use std::collections::HashMap;
use std::time::Instant;

use crate::app::deps::{DepStatus, Gate};
use crate::app::lifecycle::{Control, State};
use crate::app::model::ProbeChange;
use crate::app::probe::{ProbeState, Role, Transition};
use crate::contract::{EventPayload, ProbeEvent};
use crate::pane::process::{ExitStatus, Process};
use crate::server::Server;
use crate::server::model::{App, AppId, SessionId};
use crate::server::probes::{self, ProbeDone};

/// The longest a removed app's hang-up waits for its dependents to go.
const HOLD_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);
/// How often held hang-ups look at their dependents.
const HOLD_POLL: std::time::Duration = std::time::Duration::from_millis(20);

/// A removed app's process whose hang-up waits until its dependents' processes are gone.
pub struct HeldStop {
    process: Process,
    signal: i32,
    after: Vec<u32>,
    deadline: Instant,
}

/// Whether a process (or an unreaped zombie) with this pid exists.
fn pid_alive(pid: u32) -> bool {
    rustix::process::Pid::from_raw(pid as i32)
        .is_some_and(|p| rustix::process::test_kill_process(p).is_ok())
}

/// The most apps whose due probes are served in one turn of the loop. Apps of a project start
/// together, so probes with the same interval fall due together, each attempt costing the loop
/// tens of microseconds of socket work: 200 of them in one turn held a typed key for 15–25 ms.
/// In batches, a key waits for one batch at most.
const PROBE_BATCH: usize = 8;

impl Server {
    /// The app named `name` in `session`.
    pub(super) fn app_in(&self, session: SessionId, name: &str) -> Option<AppId> {
        let s = self.sessions.get(&session)?;
        s.apps()
            .iter()
            .copied()
            .find(|a| self.apps.get(a).is_some_and(|a| a.name() == name))
    }

    /// Every app of `session` as its dependents see it, by name.
    fn dep_statuses(&self, session: SessionId) -> HashMap<String, DepStatus> {
        let Some(s) = self.sessions.get(&session) else {
            return HashMap::new();
        };
        s.apps()
            .iter()
            .filter_map(|a| self.apps.get(a))
            .map(|a| (a.name().to_owned(), a.dep_status()))
            .collect()
    }

    /// Whether `id` may start now.
    pub(super) fn gate_of(&self, id: AppId) -> Gate {
        let Some(app) = self.apps.get(&id) else {
            return Gate::Go;
        };
        let deps = self.dependencies_of(app);
        if deps.is_empty() {
            return Gate::Go;
        }
        let statuses = self.dep_statuses(app.session());
        crate::app::deps::gate(&deps, |name| statuses.get(name).copied())
    }

    /// A start asked for by a user, a project or a reload: the stopped apps it depends on are
    /// started first (each through its own gate), then it starts, or waits at its gate.
    /// Returns true when it may start now.
    pub(super) fn start_with_dependencies(&mut self, id: AppId) -> bool {
        let Some(app) = self.apps.get(&id) else {
            return false;
        };
        if app.spec().depends_on.is_empty() || app.life().has_process() {
            return true;
        }
        let session = app.session();
        let needed: Vec<AppId> = self
            .dependencies_of(app)
            .iter()
            .filter_map(|d| self.app_in(session, &d.app))
            .collect();
        for dep in needed {
            let idle = self.apps.get(&dep).is_some_and(|a| {
                matches!(
                    a.life().state,
                    State::Stopped | State::Exited(_) | State::Errored(_)
                )
            });
            // A one-shot that completed stays completed: starting it again would run it twice.
            let completed = self
                .apps
                .get(&dep)
                .is_some_and(|a| a.dep_status().finished == Some(ExitStatus::Code(0)));
            if idle && !completed && dep != id {
                self.app_op(dep, Control::Start);
            }
        }
        match self.gate_of(id) {
            Gate::Go => true,
            gate => {
                tracing::info!(app = %self.apps[&id].name(), ?gate, "waiting for dependencies");
                if let Some(app) = self.apps.get_mut(&id) {
                    app.hold(gate);
                }
                self.app_changed(id);
                self.notify_state(id);
                false
            }
        }
    }

    /// Re-evaluates the gates of `session`'s waiting apps after a change: the ones that may go
    /// start, the others keep (or update) what they wait for.
    pub(super) fn release_waiting(&mut self, session: SessionId) {
        let Some(s) = self.sessions.get(&session) else {
            return;
        };
        let waiting: Vec<AppId> = s
            .apps()
            .iter()
            .copied()
            .filter(|a| self.apps.get(a).is_some_and(|a| a.gate().is_some()))
            .collect();
        for id in waiting {
            // An earlier start in this loop may have changed things; look again.
            if self.apps.get(&id).is_none_or(|a| a.gate().is_none()) {
                continue;
            }
            match self.gate_of(id) {
                Gate::Go => self.app_op(id, Control::Start),
                gate => {
                    let changed = self.apps.get(&id).and_then(App::gate) != Some(&gate);
                    if changed && let Some(app) = self.apps.get_mut(&id) {
                        app.hold(gate);
                        self.app_changed(id);
                    }
                }
            }
        }
        self.advance_stops(session);
        self.cascade_restarts(session);
    }

    /// Stops `ids` with dependents first: an app whose dependents (among `ids`) still run is
    /// stopped once they are gone.
    pub(super) fn stop_in_order(&mut self, ids: &[AppId]) {
        let deferred: Vec<AppId> = ids
            .iter()
            .copied()
            .filter(|&id| !self.live_dependents(id, ids).is_empty())
            .collect();
        for &id in ids {
            if deferred.contains(&id) {
                if let Some(app) = self.apps.get(&id) {
                    tracing::info!(app = %app.name(), "stops after its dependents");
                }
                self.deferred_stops.push((id, ids.to_vec()));
            } else {
                self.stop_now(id);
            }
        }
    }

    /// A stop on request; while the server shuts down, a hang-up (shells ignore SIGTERM).
    fn stop_now(&mut self, id: AppId) {
        if self.shutdown.is_some() {
            if let Some(app) = self.apps.get(&id) {
                app.hang_up();
            }
        } else {
            self.app_op(id, Control::Stop);
        }
    }

    /// For each of `apps` that has a process and live dependents among `apps`: the pids of
    /// those dependents, which must be gone before it is hung up.
    pub(super) fn dependencies_of_live(&self, apps: Vec<AppId>) -> Vec<(AppId, Vec<u32>)> {
        apps.iter()
            .filter(|id| self.apps.get(id).is_some_and(|a| a.life().has_process()))
            .map(|&id| {
                let pids = self
                    .live_dependents(id, &apps)
                    .iter()
                    .filter_map(|d| self.apps.get(d).and_then(App::pid))
                    .collect::<Vec<u32>>();
                (id, pids)
            })
            .filter(|(_, pids)| !pids.is_empty())
            .collect()
    }

    /// Removes `id` for good, holding its hang-up until the processes `after` are gone (or
    /// the kill grace has passed).
    pub(super) fn retire_after(&mut self, id: AppId, after: Vec<u32>) {
        self.watches_changed();
        let Some((process, signal)) = self.apps.remove(&id).and_then(App::retire_later) else {
            return;
        };
        let deadline = Instant::now() + HOLD_LIMIT;
        self.held_stops.push(HeldStop {
            process,
            signal,
            after,
            deadline,
        });
    }

    /// Hangs up the held processes whose dependents are gone (or that waited long enough).
    pub(super) fn release_held_stops(&mut self, now: Instant) {
        if self.held_stops.is_empty() {
            return;
        }
        let (due, keep): (Vec<HeldStop>, Vec<HeldStop>) = std::mem::take(&mut self.held_stops)
            .into_iter()
            .map(|mut h| {
                h.after.retain(|&pid| pid_alive(pid));
                h
            })
            .partition(|h| h.after.is_empty() || h.deadline <= now);
        self.held_stops = keep;
        for h in due {
            crate::app::model::hang_up_process(&h.process, h.signal);
            self.kill_later(h.process);
        }
    }

    /// When held stops need a look: shortly (their dependents' exits are not events once
    /// the apps are removed), and never past their limit.
    pub(super) fn held_stop_deadline(&self) -> Option<Instant> {
        let soonest = self.held_stops.iter().map(|h| h.deadline).min()?;
        Some(soonest.min(Instant::now() + HOLD_POLL))
    }

    /// SIGKILL to every held process (the server is going).
    pub(super) fn kill_held_stops(&mut self) {
        for h in self.held_stops.drain(..) {
            h.process.signal_all(rustix::process::Signal::KILL);
        }
    }

    /// The apps among `among` that depend on `id` and still have a process.
    fn live_dependents(&self, id: AppId, among: &[AppId]) -> Vec<AppId> {
        let Some(name) = self.apps.get(&id).map(|a| a.name().to_owned()) else {
            return Vec::new();
        };
        among
            .iter()
            .copied()
            .filter(|other| {
                self.apps.get(other).is_some_and(|a| {
                    a.life().has_process() && self.dependencies_of(a).iter().any(|d| d.app == name)
                })
            })
            .collect()
    }

    /// Deferred stops whose dependents have gone.
    fn advance_stops(&mut self, session: SessionId) {
        let due: Vec<AppId> = self
            .deferred_stops
            .iter()
            .filter(|(id, among)| {
                self.apps.get(id).is_some_and(|a| a.session() == session)
                    && self.live_dependents(*id, among).is_empty()
            })
            .map(|(id, _)| *id)
            .collect();
        self.deferred_stops
            .retain(|(id, _)| !due.contains(id) && self.apps.contains_key(id));
        for id in due {
            self.stop_now(id);
        }
    }

    /// Forgets pending orders for an app that a user asked something else of.
    pub(super) fn forget_orders(&mut self, id: AppId) {
        self.deferred_stops.retain(|(d, _)| *d != id);
    }

    /// A dependency restarted: its running dependents with `restart = true` on it are marked,
    /// to restart once it meets their condition again.
    pub(super) fn dependency_restarted(&mut self, id: AppId) {
        let Some(app) = self.apps.get(&id) else {
            return;
        };
        let (session, name) = (app.session(), app.name().to_owned());
        let Some(s) = self.sessions.get(&session) else {
            return;
        };
        let marks: Vec<AppId> = s
            .apps()
            .iter()
            .copied()
            .filter(|d| {
                self.apps.get(d).is_some_and(|a| {
                    a.life().has_process()
                        && self
                            .dependencies_of(a)
                            .iter()
                            .any(|dep| dep.app == name && dep.restart)
                })
            })
            .collect();
        for dependent in marks {
            let waits = self.cascade.entry(dependent).or_default();
            if !waits.contains(&name) {
                waits.push(name.clone());
            }
        }
    }

    /// Marked dependents whose restarted dependencies meet their conditions again restart.
    fn cascade_restarts(&mut self, session: SessionId) {
        if self.cascade.is_empty() {
            return;
        }
        let statuses = self.dep_statuses(session);
        let due: Vec<AppId> = self
            .cascade
            .iter()
            .filter(|(id, waits)| {
                let Some(app) = self.apps.get(id).filter(|a| a.session() == session) else {
                    return false;
                };
                let deps: Vec<_> = self
                    .dependencies_of(app)
                    .iter()
                    .filter(|d| waits.contains(&d.app))
                    .cloned()
                    .collect();
                crate::app::deps::gate(&deps, |n| statuses.get(n).copied()) == Gate::Go
            })
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            self.cascade.remove(&id);
            if let Some(app) = self.apps.get(&id) {
                tracing::info!(app = %app.name(), "restarting: a dependency it asked to follow restarted");
                app.log()
                    .marker("restarting: a dependency with restart = true restarted and is back");
            }
            self.app_op(id, Control::Restart);
        }
    }

    /// Probe timers and due attempts of the apps whose probes need the loop now, earliest
    /// first and at most [`PROBE_BATCH`] apps per call. Returns whether more are due: the loop
    /// then yields to input and frames before it serves them.
    pub(super) fn tick_probes(&mut self, now: Instant) -> bool {
        let mut due: Vec<(Instant, AppId)> = self
            .apps
            .values()
            .filter_map(|a| {
                a.probe_deadline()
                    .filter(|t| *t <= now)
                    .map(|t| (t, a.id()))
            })
            .collect();
        due.sort_unstable();
        let more = due.len() > PROBE_BATCH;
        for (_, id) in due.into_iter().take(PROBE_BATCH) {
            let Some(app) = self.apps.get_mut(&id) else {
                continue;
            };
            let changes = app.probe_tick(now);
            let jobs = app.due_probes(now);
            for job in jobs {
                probes::spawn(job, self.events.clone());
            }
            for change in changes {
                self.probe_changed(id, change);
            }
        }
        more
    }

    /// A probe attempt came back.
    pub(super) fn probe_done(&mut self, done: ProbeDone) {
        let ProbeDone { job, outcome } = done;
        let now = Instant::now();
        let Some(app) = self.apps.get_mut(&job.app) else {
            return;
        };
        let change = app.probe_result(job.run, job.role, job.attempt, outcome, now);
        if let Some(change) = change {
            self.probe_changed(job.app, change);
        }
    }

    /// Readiness or health changed: the effect is applied, subscribers told, gates looked at.
    pub(super) fn probe_changed(&mut self, id: AppId, change: ProbeChange) {
        let Some(app) = self.apps.get(&id) else {
            return;
        };
        let session = app.session();
        let state = match &change.transition {
            Transition::Ready => ProbeState::Ready,
            Transition::GaveUp { .. } => ProbeState::GaveUp,
            Transition::Healthy => ProbeState::Healthy,
            Transition::Unhealthy { .. } => ProbeState::Unhealthy,
            Transition::None => return,
        };
        tracing::info!(app = %app.name(), role = ?change.role, state = state.as_str(), "probe verdict");
        let (failures, reason) = match &change.transition {
            Transition::GaveUp { last_failure } => (None, Some(last_failure.clone())),
            Transition::Unhealthy { failures, reason } => {
                (Some(*failures), Some(Some(reason.clone())))
            }
            _ => (None, None),
        };
        let payload = ProbeEvent {
            session: self.sessions.get(&session).map(|s| s.name().to_owned()),
            app: app.name().to_owned(),
            probe: match change.role {
                Role::Ready => "ready",
                Role::Health => "health",
            }
            .to_owned(),
            state: state.as_str().to_owned(),
            failures,
            reason,
        };
        self.publish("apps:probe", EventPayload::Probe(payload));
        self.apply(id, change.effect);
        self.app_changed(id);
        self.notify_state(id);
        self.release_waiting(session);
    }

    /// The earliest probe timer of any app.
    pub(super) fn probe_deadline(&self) -> Option<Instant> {
        self.apps.values().filter_map(App::probe_deadline).min()
    }
}
