//! One supervised app as the server holds it: its spec and environment, its emulated terminal,
//! its current process, its lifecycle and its log. This is the only place that changes those
//! fields. The server asks it to carry out a request, a spawn, a piece of output or an exit,
//! and gets back what follows as data (an [`Effect`] to apply, an [`Exited`] to report), so
//! the decisions stay here and the routing stays in the server.

use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::app::deps::Gate;
use crate::app::lifecycle::{AfterStop, Control, Effect, Lifecycle, State};
use crate::app::policy::RestartRule;
use crate::config::AppSpec;
use crate::ids::{AppId, SessionId};
use crate::logs::LogHandle;
use crate::metrics::Usage;
use crate::pane::emulator::{ClipboardWrite, Emulator};
use crate::pane::process::Output;
use crate::pane::process::{ExitStatus, Process, PtyEvent, RunKey, SpawnSpec};
use crate::pane::shared::{SharedTerm, TermGuard};
use crate::size::Size;

mod limits;
mod probes;
mod schedule;
use probes::Probes;
pub use probes::{ProbeChange, ProbeJob};

/// How long an exited app waits for its last output (PTY end of file) before the exit is shown
/// anyway (a grandchild may keep the PTY open).
pub const EXIT_DRAIN: Duration = Duration::from_millis(250);

/// Bytes fed to a terminal when a new run starts in it: reset attributes, character sets and
/// input modes a crashed app may have left on, show the cursor in its default shape. Nothing in
/// it moves the cursor, so the next run starts below the last one.
const RUN_RESET: &str = "\x1b[m\x1b[?25h\x1b[?1l\x1b>\x1b[?2004l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l\x1b(B\x1b)B\x0f\x1b[0 q";

/// The exit that was reaped but not yet shown, waiting for the last output to drain.
#[derive(Debug, Clone, Copy)]
struct PendingExit {
    status: ExitStatus,
    deadline: Instant,
}

/// How long after a keystroke the app's next output counts as its echo.
const ECHO_WINDOW: Duration = Duration::from_millis(100);

/// What a new app is made of; the server builds the parts it owns (terminal size and
/// palette, the log's writer, the session's environment).
pub struct NewApp {
    pub id: AppId,
    pub session: SessionId,
    pub spec: AppSpec,
    /// The environment it starts with (the session's, then the spec's own variables).
    pub env: Vec<(String, String)>,
    pub term: Emulator,
    pub log: LogHandle,
    /// Added by `run` rather than declared in the project file.
    pub ad_hoc: bool,
}

/// A managed program: its spec, its terminal, its current process, its life and its log.
pub struct App {
    id: AppId,
    session: SessionId,
    spec: AppSpec,
    env: Vec<(String, String)>,
    /// Shared with the current run's PTY reader thread, which parses output into it.
    term: SharedTerm,
    process: Option<Process>,
    /// Incremented at each start; PTY events of older runs are ignored.
    run: u32,
    /// Output not yet queued for the log: it is queued after the frame that shows it went
    /// out ([`App::flush_log`]), so waking the log writer never delays an echo. The buffer
    /// goes to the log writer as it is, with no copy.
    held_log: Vec<u8>,
    /// When input was last typed into it, until its next output (the echo) arrives.
    typed_at: Option<Instant>,
    /// When the terminal's synchronized update stops holding its display, as its last output
    /// left it (the terminal itself is locked only when that time comes).
    sync_until: Option<Instant>,
    life: Lifecycle,
    started: Instant,
    /// Output seen in the current run (an app is "starting" until it prints or passes min_uptime).
    saw_output: bool,
    /// The PTY hit EOF for the current run.
    eof: bool,
    pending_exit: Option<PendingExit>,
    log: LogHandle,
    usage: Option<Usage>,
    ad_hoc: bool,
    /// The state and pid last sent to `apps:state` subscribers.
    published: Option<(&'static str, Option<u32>)>,
    /// A shell started for a split or a new tab: it lives and dies with its pane.
    pane_shell: bool,
    /// It rang the bell while the user was not looking at it; cleared when its pane gets focus.
    bell: bool,
    probes: Probes,
    /// What it waits for, while its dependencies hold it.
    gate: Option<Gate>,
    /// When its last run ended, for `why`.
    last_exit_at: Option<Instant>,
    /// Its `cron_restart` and `schedule` timers.
    timers: crate::app::schedule::Timers,
    /// Samples in a row above `max_memory`.
    memory: crate::app::limits::MemoryGuard,
}

/// How a spawn went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spawned {
    Running {
        pid: u32,
    },
    /// The program could not start; the failure is shown and logged, and reported as exit
    /// code 127 once [`App::take_due_exit`] says so, so the restart policy applies.
    Failed,
}

/// The stop signal (`stop_signal`, SIGTERM when it names none) to a process group, and SIGCONT
/// so that a stopped (SIGTSTP) group can act on it.
fn send_stop_signal(p: &Process, stop_signal: i32) {
    use rustix::process::Signal;
    p.signal_all(Signal::from_named_raw(stop_signal).unwrap_or(Signal::TERM));
    p.signal_all(Signal::CONT);
}

/// A process group whose terminal goes away: SIGHUP, then its stop signal. Also for a removed
/// app's process held until its dependents are gone.
pub fn hang_up_process(p: &Process, stop_signal: i32) {
    p.signal_all(rustix::process::Signal::HUP);
    send_stop_signal(p, stop_signal);
}

/// Output, taken in.
#[derive(Debug)]
pub struct Fed {
    /// Clients should redraw: false while the app holds its display for a synchronized
    /// update, so they are not woken for a half-drawn screen.
    pub redraw: bool,
    /// A `log` readiness probe saw its line.
    pub probe: Option<ProbeChange>,
    /// Bells the output rang.
    pub bells: u32,
    /// The clipboard write it asked for last.
    pub clipboard: Option<ClipboardWrite>,
}

/// An exit, handled: what the server must apply and report.
pub struct Exited {
    pub effect: Effect,
    /// A stopped app's process group, to SIGKILL at this instant if anything of it is left.
    pub leftovers: Option<(Instant, Process)>,
    pub uptime: Duration,
}

impl App {
    pub fn new(new: NewApp) -> Self {
        let probes = Probes::new(&new.spec);
        let timers =
            crate::app::schedule::Timers::new(&new.spec, chrono::Local::now(), Instant::now());
        Self {
            id: new.id,
            session: new.session,
            spec: new.spec,
            env: new.env,
            term: SharedTerm::new(new.term),
            process: None,
            run: 0,
            life: Lifecycle::default(),
            started: Instant::now(),
            saw_output: false,
            eof: false,
            pending_exit: None,
            log: new.log,
            usage: None,
            ad_hoc: new.ad_hoc,
            published: None,
            pane_shell: false,
            bell: false,
            probes,
            gate: None,
            last_exit_at: None,
            typed_at: None,
            held_log: Vec::new(),
            sync_until: None,
            timers,
            memory: Default::default(),
        }
    }

    pub fn id(&self) -> AppId {
        self.id
    }

    pub fn session(&self) -> SessionId {
        self.session
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    pub fn spec(&self) -> &AppSpec {
        &self.spec
    }

    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// The terminal, locked until the guard is dropped: keep it no longer than a frame or a
    /// command needs, since the app's output waits for it.
    pub fn term(&self) -> TermGuard<'_> {
        self.term.lock()
    }

    /// The current run's process, to write input to or to signal.
    pub fn process(&self) -> Option<&Process> {
        self.process.as_ref()
    }

    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(Process::pid)
    }

    /// When its last run ended.
    pub fn last_exit_at(&self) -> Option<Instant> {
        self.last_exit_at
    }

    /// The current run's number (1 for the first start).
    pub fn run(&self) -> u32 {
        self.run
    }

    pub fn life(&self) -> &Lifecycle {
        &self.life
    }

    pub fn log(&self) -> &LogHandle {
        &self.log
    }

    pub fn usage(&self) -> Option<Usage> {
        self.usage
    }

    pub fn is_ad_hoc(&self) -> bool {
        self.ad_hoc
    }

    pub fn is_pane_shell(&self) -> bool {
        self.pane_shell
    }

    pub fn has_bell(&self) -> bool {
        self.bell
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

    pub fn uptime(&self) -> Option<Duration> {
        self.process.as_ref().map(|_| self.started.elapsed())
    }

    /// Counts as up in the status line's summary: running, and not crash-looping. A run that
    /// follows exits before `min_uptime` counts only once it has itself lasted `min_uptime`;
    /// an app waiting out a backoff is not running, so it never counts.
    pub fn counts_as_up(&self) -> bool {
        self.life.state == State::Running
            && (self.life.tracker.quick_exits == 0
                || self.uptime().is_some_and(|u| u >= self.spec.min_uptime))
    }

    fn rule(&self) -> RestartRule {
        RestartRule {
            policy: self.spec.restart,
            backoff: self.spec.backoff.clone(),
            min_uptime: self.spec.min_uptime,
            max_restarts: self.spec.max_restarts,
        }
    }

    /// A split's or a new tab's shell lives and dies with its pane; shown elsewhere, it
    /// becomes an app of the session like any other.
    pub fn set_pane_shell(&mut self, pane_shell: bool) {
        self.pane_shell = pane_shell;
    }

    pub fn ring_bell(&mut self) {
        self.bell = true;
    }

    /// Clears the bell mark; true when there was one.
    pub fn clear_bell(&mut self) -> bool {
        std::mem::take(&mut self.bell)
    }

    /// A CPU and memory sample, kept only while a process runs.
    pub fn set_usage(&mut self, usage: Usage) {
        if self.process.is_some() {
            self.usage = Some(usage);
        }
    }

    /// True when the state or pid changed since it was last published (and records it as
    /// published).
    pub fn publish(&mut self) -> bool {
        let now = (self.state_label(), self.pid());
        if self.published == Some(now) {
            return false;
        }
        self.published = Some(now);
        true
    }

    /// Carries the restart count over from a saved state.
    pub fn restore_restarts(&mut self, restarts: u32) {
        self.life.restarts = restarts;
    }

    /// Whether it came from `run` (true) or is declared in the session's project file.
    pub fn set_ad_hoc(&mut self, ad_hoc: bool) {
        self.ad_hoc = ad_hoc;
    }

    /// A new spec for the same app (a reloaded project file changed it), with the environment
    /// built from it. The app keeps its terminal, its pane and its restart count; the current
    /// run goes on with what it was started with until it is restarted, and every later run
    /// uses the new spec. New log rotation settings take effect from the next write.
    pub fn replace_spec(&mut self, spec: AppSpec, env: Vec<(String, String)>) {
        if spec.log != self.spec.log {
            self.flush_log();
            self.log = self.log.with_spec(spec.log.clone());
        }
        self.probes = Probes::new(&spec);
        if spec.cron_restart != self.spec.cron_restart || spec.schedule != self.spec.schedule {
            self.timers =
                crate::app::schedule::Timers::new(&spec, chrono::Local::now(), Instant::now());
        }
        self.spec = spec;
        self.env = env;
    }

    /// Runs, or is due to run again (after backoff, or once a restart's stop is done); false
    /// when stopped, exited, errored or on its way to stopped.
    pub fn is_up(&self) -> bool {
        matches!(
            self.life.state,
            State::Running
                | State::Waiting
                | State::Backoff { .. }
                | State::Stopping {
                    then: AfterStop::Start | AfterStop::Judge,
                    ..
                }
        )
    }

    /// A user's request, decided by the lifecycle.
    pub fn control(&mut self, op: Control, now: Instant) -> Effect {
        let timeout = self.spec.stop_timeout;
        match op {
            Control::Start => self.life.start(),
            Control::Stop => self.life.stop(now, timeout),
            Control::Restart => self.life.restart(now, timeout),
            Control::Kill => self.life.kill(),
        }
    }

    /// The configured stop signal to the whole process group, and SIGCONT so that a stopped
    /// (SIGTSTP) app can act on it.
    pub fn signal_stop(&self) {
        if let Some(p) = &self.process {
            send_stop_signal(p, self.spec.stop_signal);
        }
    }

    /// SIGKILL to the whole process group.
    pub fn kill_now(&self) {
        if let Some(p) = &self.process {
            p.signal_all(rustix::process::Signal::KILL);
        }
    }

    /// Its terminal is going away: SIGHUP, then the stop signal.
    pub fn hang_up(&self) {
        if let Some(p) = &self.process {
            hang_up_process(p, self.spec.stop_signal);
        }
    }

    /// Removed from its session: hung up, and its process handed back for a later SIGKILL of
    /// whatever is left after a grace period.
    pub fn retire(mut self) -> Option<Process> {
        self.flush_log();
        self.hang_up();
        self.process
    }

    /// Removed from its session while apps that depend on it still run: its process and stop
    /// signal, handed back untouched, to be hung up once they are gone.
    pub fn retire_later(mut self) -> Option<(Process, i32)> {
        self.flush_log();
        let signal = self.spec.stop_signal;
        self.process.map(|p| (p, signal))
    }

    /// Deleted by the user: the stop signal goes to its process group now, and the process is
    /// handed back with the instant its stop timeout ends, for SIGKILL of whatever is left then.
    pub fn delete(mut self, now: Instant) -> Option<(Instant, Process)> {
        self.log_marker(&match self.pid() {
            Some(pid) => format!("deleted; stopping pid {pid}"),
            None => "deleted".to_owned(),
        });
        self.signal_stop();
        let kill_at = crate::app::deadline_after(now, self.spec.stop_timeout);
        self.process.map(|p| (kill_at, p))
    }

    /// Starts a new run in a fresh PTY at the terminal's size, with `pane_env` (the variables
    /// that tell a pane where it is) over the app's environment.
    pub fn spawn(
        &mut self,
        pane_env: Vec<(String, String)>,
        overrides: &[&str],
        events: mpsc::Sender<PtyEvent>,
        now: Instant,
    ) -> Spawned {
        let mut env = self.env.clone();
        env.retain(|(k, _)| !overrides.contains(&k.as_str()));
        env.extend(pane_env);
        let spec = SpawnSpec {
            argv: self.spec.cmd.argv(),
            cwd: Some(self.spec.cwd.display().to_string()),
            env,
            size: self.term().size(),
        };
        self.run += 1;
        self.eof = false;
        self.pending_exit = None;
        self.saw_output = false;
        self.started = now;
        self.memory.reset();
        {
            let mut term = self.term.start_run(self.run);
            if self.run > 1 {
                separate_runs(&mut term, self.life.restarts);
            }
        }
        let key = RunKey {
            app: self.id.0,
            run: self.run,
        };
        match Process::spawn(&spec, key, self.term.clone(), events) {
            Ok(p) => {
                let pid = p.pid();
                tracing::info!(app = %self.name(), pid, run = self.run, "app started");
                self.log_marker(&format!(
                    "started pid {pid} (run {}): {}",
                    self.run,
                    self.spec.cmd.display()
                ));
                self.process = Some(p);
                self.life.spawned();
                self.gate = None;
                self.probes.run_started(now);
                Spawned::Running { pid }
            }
            Err(e) => {
                tracing::warn!(app = %self.name(), "start failed: {e:#}");
                // One line, in the log's marker format, like the start and exit lines.
                let reason = format!("{e:#}").lines().collect::<Vec<_>>().join(" ");
                self.log
                    .marker(&format!("failed to start (run {}): {reason}", self.run));
                self.term()
                    .feed(format!("appmux: failed to start: {reason}\r\n").as_bytes());
                self.life.spawned();
                // Reported like a shell reports a missing command; backoff applies.
                self.eof = true;
                self.pending_exit = Some(PendingExit {
                    status: ExitStatus::Code(127),
                    deadline: now,
                });
                Spawned::Failed
            }
        }
    }

    /// Queues held output for the log.
    pub fn flush_log(&mut self) {
        if !self.held_log.is_empty() {
            self.log.write_owned(std::mem::take(&mut self.held_log));
        }
    }

    /// Queues a marker line, after the output held before it.
    fn log_marker(&mut self, text: &str) {
        self.flush_log();
        self.log.marker(text);
    }

    /// Input was typed into the app: its next output is probably the echo.
    pub fn typed(&mut self, now: Instant) {
        self.typed_at = Some(now);
    }

    /// True once, for the first output after typing, when it came within [`ECHO_WINDOW`]: the
    /// frame showing it should not wait.
    pub fn take_echo(&mut self, now: Instant) -> bool {
        self.typed_at
            .take()
            .is_some_and(|t| now.saturating_duration_since(t) < ECHO_WINDOW)
    }

    /// When a synchronized update stops holding the display back, as the last output left it.
    pub fn sync_until(&self) -> Option<Instant> {
        self.sync_until
    }

    /// Shows the live screen if a synchronized update ran past its deadline: true when it did.
    pub fn expire_sync(&mut self, now: Instant) -> bool {
        if self.sync_until.is_none_or(|t| t > now) {
            return false;
        }
        let mut term = self.term.lock();
        let expired = term.expire_sync(now);
        self.sync_until = term.sync_deadline();
        expired
    }

    /// True when a PTY event belongs to the current run (older runs' events are ignored).
    pub fn is_current(&self, key: RunKey) -> bool {
        key.app == self.id.0 && key.run == self.run
    }

    /// Output of the current run, which its reader thread parsed already: logged, query
    /// replies written back to the app, then shown to a `log` readiness probe.
    pub fn output(&mut self, out: Output, now: Instant) -> Fed {
        self.saw_output = true;
        if let Some(p) = &self.process
            && !out.parsed.replies.is_empty()
        {
            p.reply(out.parsed.replies);
        }
        let probe = self.scan_output(&out.bytes, now);
        if self.held_log.is_empty() {
            self.held_log = out.bytes;
        } else {
            self.held_log.extend_from_slice(&out.bytes);
        }
        self.sync_until = out.parsed.sync_deadline;
        Fed {
            redraw: out.parsed.redraw,
            probe,
            bells: out.parsed.bells,
            clipboard: out.parsed.clipboard,
        }
    }

    /// The run's output ended; the exit to show now, if it was reaped already.
    pub fn output_ended(&mut self) -> Option<ExitStatus> {
        self.eof = true;
        self.pending_exit.take().map(|p| p.status)
    }

    /// The run's process was reaped; the exit to show now, or `None` while its last output
    /// may still be on its way (for at most [`EXIT_DRAIN`]).
    pub fn reaped(&mut self, status: ExitStatus, now: Instant) -> Option<ExitStatus> {
        if self.eof {
            return Some(status);
        }
        self.pending_exit = Some(PendingExit {
            status,
            deadline: now + EXIT_DRAIN,
        });
        None
    }

    /// When an exit waiting for output is due to be shown anyway.
    pub fn exit_deadline(&self) -> Option<Instant> {
        self.pending_exit.map(|p| p.deadline)
    }

    /// The waiting exit, once its deadline passed.
    pub fn take_due_exit(&mut self, now: Instant) -> Option<ExitStatus> {
        let p = self.pending_exit.filter(|p| p.deadline <= now)?;
        self.pending_exit = None;
        Some(p.status)
    }

    /// Records an exit in the log and the pane, and lets the lifecycle decide what follows.
    pub fn exited(&mut self, status: ExitStatus, now: Instant) -> Exited {
        let uptime = now.saturating_duration_since(self.started);
        let process = self.process.take();
        // A stop means the whole tree: what outlived the leader (a grandchild ignoring the
        // signal) gets SIGKILL when the stop timeout ends, or now if it already has.
        let kill_at = match self.life.state {
            State::Stopping { kill_at, .. } => Some(kill_at.unwrap_or(now).max(now)),
            _ => None,
        };
        self.pending_exit = None;
        self.usage = None;
        self.probes.run_ended();
        self.last_exit_at = Some(now);
        tracing::info!(app = %self.name(), %status, ?uptime, "app exited");
        let secs = uptime.as_secs_f64();
        let run = self.run;
        self.log_marker(&match &process {
            // Named by pid, as the start marker is, so the two pair up.
            Some(p) => format!("pid {} {status} after {secs:.1}s (run {run})", p.pid()),
            None => format!("{status} after {secs:.1}s (run {run})"),
        });
        let rule = self.rule();
        let effect = self.life.exited(status, uptime, &rule, now);
        self.show_exit(status, now);
        Exited {
            effect,
            leftovers: kill_at.zip(process),
            uptime,
        }
    }

    /// The exit banner in the pane, on a line of its own.
    fn show_exit(&mut self, status: ExitStatus, now: Instant) {
        let (_, col) = self.term().screen().cursor_position();
        let newline = if col > 0 { "\r\n" } else { "" };
        let what = match self.life.state {
            State::Backoff { until, .. } => format!(
                "{status}; restarting in {:.1}s",
                until.saturating_duration_since(now).as_secs_f64()
            ),
            State::Errored(_) => format!(
                "{status}; errored after {} quick restarts, start it by hand",
                self.spec.max_restarts
            ),
            _ => status.to_string(),
        };
        let note = format!("{newline}\x1b[m\x1b[7m[{} {what}]\x1b[m", self.name());
        self.term().feed(note.as_bytes());
    }

    /// The lifecycle's next timer (backoff restart or stop timeout).
    pub fn deadline(&self) -> Option<Instant> {
        self.life.deadline()
    }

    /// Fires the lifecycle's timer.
    pub fn tick(&mut self, now: Instant) -> Effect {
        self.life.tick(now)
    }

    /// Resizes the terminal and the PTY.
    pub fn resize(&mut self, size: Size) {
        self.term().resize(size);
        if let Some(p) = &self.process {
            p.resize(size);
        }
    }
}

/// Resets what the last run left on and draws a rule, so the new run starts clean below the
/// old one's output.
fn separate_runs(term: &mut Emulator, restarts: u32) {
    term.reset_modes();
    let cols = usize::from(term.size().cols);
    let label = format!(" restart #{restarts} ");
    let rule = "─".repeat(cols.saturating_sub(label.len() + 4) / 2);
    // Leaving the alternate screen restores the cursor saved on entering it, which is
    // right only when the run is on it; elsewhere the saved cursor may be anywhere.
    let leave_alt = if term.screen().alternate_screen() {
        "\x1b[?1049l"
    } else {
        ""
    };
    let sep = format!("{leave_alt}{RUN_RESET}\r\n\x1b[2m{rule}──{label}──{rule}\x1b[m\r\n");
    term.feed(sep.as_bytes());
}

#[cfg(test)]
mod tests;
