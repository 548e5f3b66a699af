//! The one task that owns the model. Everything that changes sessions, apps or clients arrives
//! here as an event (from connection tasks, PTY readers and signals) and is handled in order.
//! The one exception is a pane's terminal, which its PTY reader parses output into beside this
//! task, behind a lock of its own (`pane::shared`); the output event that follows carries what
//! this task must act on. Frames are rendered after each batch of events for the clients that are dirty,
//! at most one per client per frame interval and only when its previous frame has been written.
//! When nothing happens the loop sleeps in `select!` with no timer armed: an idle server does not
//! wake up.

use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::metrics;
use crate::pane::process::{ExitStatus, Process, PtyEvent};
use crate::protocol::{Reply, ServerMsg, parts};
use crate::server::clients::{Client, Outgoing};
use crate::server::model::{App, AppId, ClientId, SessionId};
use crate::server::{Event, Server, Stopped};

/// How long apps get to exit on SIGHUP/SIGTERM when the server stops, before SIGKILL.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
/// How long a removed app's processes get between SIGTERM and SIGKILL.
const KILL_GRACE: Duration = Duration::from_secs(2);
/// The longest the loop parses PTY output before it renders and serves clients again.
const PTY_SLICE: Duration = Duration::from_millis(4);

impl Server {
    /// Runs until shutdown completes. Returns the outboxes of the clients waiting for the
    /// server to be gone, to be answered once the socket and the lock are released.
    pub async fn run(
        mut self,
        mut events: mpsc::Receiver<Event>,
        mut pty: mpsc::Receiver<PtyEvent>,
        mut usage: mpsc::Receiver<metrics::Report>,
    ) -> anyhow::Result<Stopped> {
        use tokio::signal::unix::{SignalKind, signal};
        // Caught before anything starts, so a stop during resurrection is a graceful one (a
        // signal that comes early waits in its stream for the loop).
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        let mut quit = signal(SignalKind::quit())?;
        // SIGHUP is caught (and ignored) so that losing the terminal or SSH connection that
        // started us never stops the server.
        let mut hup = signal(SignalKind::hangup())?;
        self.load_saved();
        for o in &self.orphans {
            tracing::warn!(session = %o.session, app = %o.app, pid = o.pid,
                "a process of the previous server is still running; `appmux resurrect --kill-orphans` ends it");
        }
        if self.settings.resurrect {
            let report = self.resurrect(false);
            tracing::info!(?report, "resurrected");
        }
        if let Some(first) = self.settings.first_session.take() {
            let name = first.name.clone();
            match self.new_session(first) {
                Ok(_) => tracing::info!(session = ?name, "started the project's session"),
                Err(e) => {
                    tracing::warn!(session = ?name, "not starting the project's session: {e}")
                }
            }
        }
        super::notify::notify("READY=1");
        let mut watch_notes = self.watch.take_receiver();
        loop {
            let wake = self.next_wake();
            tokio::select! {
                // In this order: a flood of output (always ready) must not hold back a stop,
                // a metrics report (memory limits) or changed files.
                biased;
                _ = term.recv() => self.begin_shutdown("SIGTERM"),
                _ = int.recv() => self.begin_shutdown("SIGINT"),
                _ = quit.recv() => self.begin_shutdown("SIGQUIT"),
                _ = hup.recv() => tracing::info!("ignoring SIGHUP"),
                Some(ev) = events.recv() => self.on_event(ev),
                Some(report) = usage.recv() => self.on_usage(report),
                Some(note) = recv_some(&mut watch_notes) => {
                    if let Some(rx) = watch_notes.as_mut() {
                        self.on_watch_notes(note, rx);
                    }
                }
                Some(ev) = pty.recv() => {
                    // Bounded by time, so a flood leaves room for input, frames and the
                    // connection tasks that write them.
                    let start = Instant::now();
                    self.on_pty(ev);
                    while start.elapsed() < PTY_SLICE {
                        match pty.try_recv() {
                            Ok(ev) => self.on_pty(ev),
                            Err(_) => break,
                        }
                    }
                }
                _ = sleep_until(wake), if wake.is_some() => {}
            }
            // Drain whatever else is ready before rendering, so bursts coalesce into one frame.
            while let Ok(ev) = events.try_recv() {
                self.on_event(ev);
            }
            let now = Instant::now();
            self.apply_resizes(now);
            self.finish_due_exits(now);
            self.kill_due(now);
            self.release_held_stops(now);
            self.tick_apps(now);
            self.sync_watches();
            self.tick_watches(now);
            self.tick_schedules(now);
            let probes_due = self.tick_probes(now);
            self.expire_client_timers(now);
            self.expire_syncs(now);
            if self.save_due.is_some_and(|t| t <= now) {
                self.save_now();
            }
            self.sync_metrics_order();
            self.answer_due_ls(now);
            self.trim.run_due(now);
            if self.shutdown_complete(now) {
                break;
            }
            if self.render_due(now) || probes_due {
                // Frames are written by the connection tasks on this same thread: let them
                // run now rather than after the next slice of PTY output. Probes still due
                // wait for the next turn, after the input that came in meanwhile.
                tokio::task::yield_now().await;
            }
            // After the frames: waking the log writer never delays an echo.
            self.queue_held_logs();
        }
        self.queue_held_logs();
        self.detach_all("server exited");
        Ok(Stopped {
            waiters: self
                .shutdown_waiters
                .iter()
                .filter_map(|id| self.clients.get(id).map(|c| c.outbox()))
                .collect(),
            killed: std::mem::take(&mut self.killed_at_shutdown),
        })
    }

    fn next_wake(&self) -> Option<Instant> {
        let exits = self.apps.values().filter_map(App::exit_deadline);
        let frames = self.clients.values().filter_map(Client::frame_due);
        let resizes = self.clients.values().filter_map(Client::resize_due);
        let timers = self.clients.values().filter_map(Client::timer);
        let kills = self.kills.iter().map(|(t, _)| *t);
        exits
            .chain(frames)
            .chain(resizes)
            .chain(timers)
            .chain(kills)
            .chain(self.ls_deadline())
            .chain(self.shutdown)
            .chain(self.save_due)
            .chain(self.app_deadline())
            .chain(self.probe_deadline())
            .chain(self.watch_deadline())
            .chain(self.schedule_deadline())
            .chain(self.held_stop_deadline())
            .chain(self.sync_deadline())
            .chain(self.trim.deadline())
            .min()
    }

    /// Queues the output each app printed since the last turn for its log.
    pub(super) fn queue_held_logs(&mut self) {
        for app in self.apps.values_mut() {
            app.flush_log();
        }
    }

    fn on_event(&mut self, ev: Event) {
        match ev {
            Event::Connected(id, out) => {
                self.clients.insert(id, Client::new(id, out));
            }
            Event::Msg(id, msg) => self.on_client_msg(id, *msg),
            Event::Written(id) => {
                if let Some(c) = self.clients.get_mut(&id) {
                    c.frame_written();
                }
            }
            Event::Gone(id) => self.client_gone(id),
            Event::Control(id, line) => self.control_line(id, &line),
            Event::LogsWritten(id) => self.send(id, &ServerMsg::Reply(Reply::Done)),
            Event::LogRead {
                client,
                title,
                lines,
            } => self.show_log(client, title, lines),
            Event::Probe(done) => self.probe_done(*done),
        }
    }

    fn on_pty(&mut self, ev: PtyEvent) {
        match ev {
            PtyEvent::Output(key, out) => {
                self.trim.output(out.bytes.len(), Instant::now());
                self.app_output(key, out);
            }
            PtyEvent::Eof(key) => {
                let Some(app) = self.app_run(key) else { return };
                if let Some(status) = app.output_ended() {
                    self.app_exited(AppId(key.app), status);
                }
            }
            PtyEvent::Exited(key, status) => {
                let Some(app) = self.app_run(key) else { return };
                if let Some(status) = app.reaped(status, Instant::now()) {
                    self.app_exited(AppId(key.app), status);
                }
            }
        }
    }

    fn finish_due_exits(&mut self, now: Instant) {
        let due: Vec<(AppId, ExitStatus)> = self
            .apps
            .values_mut()
            .filter_map(|a| Some((a.id(), a.take_due_exit(now)?)))
            .collect();
        for (id, status) in due {
            self.app_exited(id, status);
        }
    }

    /// Schedules SIGKILL for what is left of a removed app's process after a grace period.
    pub fn kill_later(&mut self, p: Process) {
        self.kill_at(Instant::now() + KILL_GRACE, p);
    }

    /// Schedules SIGKILL for whatever is left in a process's session at `t`.
    pub fn kill_at(&mut self, t: Instant, p: Process) {
        self.kills.push((t, p));
    }

    fn kill_due(&mut self, now: Instant) {
        self.kills.retain(|(t, p)| {
            if *t > now {
                return true;
            }
            p.signal_all(rustix::process::Signal::KILL);
            false
        });
    }

    /// Records that something worth saving changed; the file is written shortly after.
    pub fn state_changed(&mut self) {
        if self.save_due.is_none() {
            self.save_due = Some(Instant::now() + crate::server::persist::SAVE_DELAY);
        }
    }

    /// Flash messages and pane numbers go away on time.
    fn expire_client_timers(&mut self, now: Instant) {
        for c in self.clients.values_mut() {
            c.expire(now);
        }
    }

    /// Marks every client that shows `app` as needing a frame.
    pub fn app_changed(&mut self, app: AppId) {
        let Some(session) = self.apps.get(&app).map(|a| a.session()) else {
            return;
        };
        // A client in the switcher shows every session: its tree and preview follow them all.
        for c in self.clients.values_mut() {
            if c.session() == Some(session) || c.in_switcher() {
                c.mark_dirty();
            }
        }
    }

    /// Marks every client that shows `app` as needing a frame at once: it echoed typing.
    pub(super) fn app_echoed(&mut self, app: AppId) {
        let Some(session) = self.apps.get(&app).map(|a| a.session()) else {
            return;
        };
        for c in self.clients.values_mut() {
            if c.session() == Some(session) {
                c.mark_urgent();
            } else if c.in_switcher() {
                c.mark_dirty();
            }
        }
    }

    /// Marks every client attached to `session` as needing a frame, and tells apps whose
    /// pane gained or lost focus.
    pub fn session_changed(&mut self, session: SessionId) {
        for c in self.clients.values_mut() {
            if c.session() == Some(session) || c.in_switcher() {
                c.mark_dirty();
            }
        }
        self.report_focus(session);
    }

    /// Renders every client whose frame is due; true when any was.
    fn render_due(&mut self, now: Instant) -> bool {
        let ids: Vec<ClientId> = self
            .clients
            .values()
            .filter(|c| c.frame_due().is_some_and(|t| t <= now))
            .map(Client::id)
            .collect();
        for id in &ids {
            self.render_client(*id, now);
        }
        !ids.is_empty()
    }

    /// Sends a message that is not a frame; a client whose outbox is full is dropped, since it
    /// has stopped reading for far longer than any frame interval.
    pub fn send(&mut self, id: ClientId, msg: &ServerMsg) {
        let Some(c) = self.clients.get_mut(&id) else {
            return;
        };
        if !c.send(Outgoing::Frame(parts::frames(msg), false)) {
            tracing::warn!(client = id.0, "client outbox full; dropping the client");
            self.client_gone(id);
        }
    }

    pub fn begin_shutdown(&mut self, why: &str) {
        if self.shutdown.is_some() {
            return;
        }
        tracing::info!("stopping: {why}");
        super::notify::notify("STOPPING=1");
        // The sessions as they run now are what resurrect brings back.
        self.save_now();
        // Every app gets its stop timeout (at least the grace a shell needs to go on SIGHUP).
        let grace = self
            .apps
            .values()
            .filter(|a| a.process().is_some())
            .map(|a| a.spec().stop_timeout)
            .fold(SHUTDOWN_GRACE, Duration::max);
        self.shutdown = Some(Instant::now() + grace);
        // Dependents first: an app is hung up once the apps that depend on it are gone.
        let all: Vec<AppId> = self.apps.keys().copied().collect();
        self.stop_in_order(&all);
    }

    fn shutdown_complete(&mut self, now: Instant) -> bool {
        let Some(deadline) = self.shutdown else {
            return false;
        };
        let running = self.apps.values().any(|a| a.process().is_some());
        if running && now < deadline {
            return false;
        }
        for app in self.apps.values() {
            // Whether anything of it still runs: an app that did exit may not have been seen
            // to yet, its output still being read after a flood.
            let alive = app.process().is_some()
                && app
                    .pid()
                    .and_then(|pid| rustix::process::Pid::from_raw(pid as i32))
                    .is_some_and(|g| rustix::process::test_kill_process_group(g).is_ok());
            if alive {
                tracing::warn!(app = %app.name(), "still running after its stop timeout: SIGKILL");
                self.killed_at_shutdown.push(app.name().to_owned());
            }
            app.kill_now();
        }
        self.kill_held_stops();
        for (_, p) in &self.kills {
            p.signal_all(rustix::process::Signal::KILL);
        }
        true
    }

    fn detach_all(&mut self, reason: &str) {
        let ids: Vec<ClientId> = self
            .clients
            .values()
            .filter(|c| c.attached().is_some())
            .map(Client::id)
            .collect();
        for id in ids {
            if let Some(c) = self.clients.get(&id) {
                c.release_terminal();
            }
            self.send(
                id,
                &ServerMsg::Detached {
                    reason: reason.to_owned(),
                },
            );
        }
    }
}

/// The next item of a queue the loop may not have (then it never resolves).
async fn recv_some<T>(rx: &mut Option<mpsc::Receiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(t: Option<Instant>) {
    if let Some(t) = t {
        tokio::time::sleep_until(t.into()).await;
    }
}
