//! The app model with real parts: a real PTY and process, a real log writer, a real emulator.
//! Time is passed in where the model takes it.

use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::*;
use crate::command::{CommandSpec, RestartPolicy};
use crate::logs::LogWriter;

struct Rig {
    app: App,
    events: mpsc::Receiver<PtyEvent>,
    tx: mpsc::Sender<PtyEvent>,
    _logs: LogWriter,
    _dir: tempfile::TempDir,
}

fn rig(script: &str, tweak: impl FnOnce(&mut AppSpec)) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let (logs, _thread) = LogWriter::spawn().unwrap();
    let mut spec = AppSpec::ad_hoc(
        "web".into(),
        CommandSpec::Shell(script.into()),
        dir.path().to_path_buf(),
    );
    tweak(&mut spec);
    let log = logs.open(dir.path().join("web.log"), spec.log.clone());
    let path = std::env::var("PATH").unwrap_or_default();
    let app = App::new(NewApp {
        id: AppId(7),
        session: SessionId(1),
        spec,
        env: vec![("PATH".into(), path), ("FROM_SPEC".into(), "1".into())],
        term: Emulator::new(Size { cols: 40, rows: 10 }, 100),
        log,
        ad_hoc: true,
    });
    let (tx, events) = mpsc::channel(64);
    Rig {
        app,
        events,
        tx,
        _logs: logs,
        _dir: dir,
    }
}

impl Rig {
    fn spawn(&mut self, pane_env: Vec<(String, String)>) -> Spawned {
        self.app
            .spawn(pane_env, &["FROM_SPEC"], self.tx.clone(), Instant::now())
    }

    /// Feeds PTY events to the app until its run's exit is ready to show.
    fn run_to_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            assert!(Instant::now() < deadline, "no exit");
            if let Some(status) = self.app.take_due_exit(Instant::now()) {
                return status;
            }
            let Ok(ev) = self.events.try_recv() else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            let done = match ev {
                PtyEvent::Output(key, out) if self.app.is_current(key) => {
                    self.app.output(out, Instant::now());
                    None
                }
                PtyEvent::Eof(key) if self.app.is_current(key) => self.app.output_ended(),
                PtyEvent::Exited(key, status) if self.app.is_current(key) => {
                    self.app.reaped(status, Instant::now())
                }
                _ => None,
            };
            if let Some(status) = done {
                return status;
            }
        }
    }

    fn screen(&self) -> String {
        self.app.term().screen().contents()
    }
}

#[test]
fn a_run_prints_into_the_terminal_and_its_exit_is_shown_after_its_output() {
    let mut rig = rig("echo hello $FROM_SPEC $PANE", |_| {});
    let spawned = rig.spawn(vec![("PANE".into(), "p1".into())]);
    let Spawned::Running { pid } = spawned else {
        panic!("{spawned:?}")
    };
    assert_eq!(rig.app.pid(), Some(pid));
    assert_eq!(rig.app.state_label(), "running");
    let status = rig.run_to_exit();
    assert_eq!(status, ExitStatus::Code(0));
    let exited = rig.app.exited(status, Instant::now());
    // Overridden variables are dropped from the app's own environment, pane ones added.
    assert!(rig.screen().contains("hello p1"), "{}", rig.screen());
    assert!(
        rig.screen().contains("[web exited with code 0]"),
        "{}",
        rig.screen()
    );
    // An app that exits 0 under the default policy (on-failure) is not restarted.
    assert_eq!(exited.effect, Effect::None);
    assert!(exited.leftovers.is_none());
    assert_eq!(rig.app.pid(), None);
    assert_eq!(rig.app.state_label(), "exited");
}

#[test]
fn a_failing_app_backs_off_and_its_next_run_starts_below_a_rule() {
    let mut rig = rig("echo run; exit 3", |s| {
        s.restart = RestartPolicy::Always;
    });
    rig.spawn(Vec::new());
    let status = rig.run_to_exit();
    let now = Instant::now();
    let exited = rig.app.exited(status, now);
    assert_eq!(exited.effect, Effect::None, "a backoff waits first");
    assert_eq!(rig.app.state_label(), "waiting");
    let due = rig.app.deadline().expect("a backoff deadline");
    assert_eq!(rig.app.tick(due), Effect::Spawn);
    rig.spawn(Vec::new());
    assert!(rig.screen().contains("restart #1"), "{}", rig.screen());
    let status = rig.run_to_exit();
    assert_eq!(status, ExitStatus::Code(3));
    rig.app.exited(status, Instant::now());
    let screen = rig.screen();
    let first = screen.find("run").unwrap();
    let rule = screen.find("restart #1").unwrap();
    assert!(first < rule && screen[rule..].contains("run"), "{screen}");
}

#[test]
fn a_program_that_cannot_start_reports_code_127_through_the_same_exit_path() {
    let mut rig = rig("", |s| {
        s.cmd = CommandSpec::Argv(vec!["/no/such/program".into()]);
    });
    assert_eq!(rig.spawn(Vec::new()), Spawned::Failed);
    assert!(rig.screen().contains("failed to start"), "{}", rig.screen());
    let status = rig.app.take_due_exit(Instant::now());
    assert_eq!(status, Some(ExitStatus::Code(127)));
}

#[test]
fn an_exit_waits_for_the_last_output_but_not_forever() {
    let mut rig = rig("true", |_| {});
    let now = Instant::now();
    // Reaped before the PTY closed: held back until its deadline.
    assert_eq!(rig.app.reaped(ExitStatus::Code(0), now), None);
    assert_eq!(rig.app.exit_deadline(), Some(now + EXIT_DRAIN));
    assert_eq!(rig.app.take_due_exit(now), None);
    assert_eq!(
        rig.app.take_due_exit(now + EXIT_DRAIN),
        Some(ExitStatus::Code(0))
    );
    // The PTY closing first lets the exit through at once.
    assert_eq!(rig.app.output_ended(), None);
    assert_eq!(
        rig.app.reaped(ExitStatus::Code(1), now),
        Some(ExitStatus::Code(1))
    );
}

#[test]
fn a_stop_signals_and_the_exit_hands_back_the_group_for_a_timed_kill() {
    let mut rig = rig("trap '' TERM; echo up; sleep 30", |s| {
        s.stop_timeout = Duration::from_secs(5);
    });
    rig.spawn(Vec::new());
    let now = Instant::now();
    assert_eq!(rig.app.control(Control::Stop, now), Effect::Signal);
    assert_eq!(rig.app.state_label(), "stopping");
    assert_eq!(rig.app.deadline(), Some(now + Duration::from_secs(5)));
    // The stop timeout passes: SIGKILL.
    assert_eq!(rig.app.tick(now + Duration::from_secs(5)), Effect::Kill);
    rig.app.kill_now();
    let status = rig.run_to_exit();
    let exited = rig.app.exited(status, Instant::now());
    assert_eq!(exited.effect, Effect::None);
    assert!(
        exited.leftovers.is_some(),
        "a stopped group is killed for good"
    );
    assert_eq!(rig.app.state_label(), "stopped");
}

#[test]
fn state_is_published_once_per_change() {
    let mut rig = rig("sleep 30", |_| {});
    assert!(rig.app.publish());
    assert!(!rig.app.publish());
    rig.spawn(Vec::new());
    assert!(rig.app.publish(), "started: a new state and pid");
    assert!(!rig.app.publish());
    if let Some(p) = rig.app.retire() {
        p.signal_all(rustix::process::Signal::KILL);
    }
}

#[test]
fn events_of_an_older_run_are_not_the_current_ones() {
    let mut rig = rig("sleep 30", |_| {});
    rig.spawn(Vec::new());
    let first = RunKey { app: 7, run: 1 };
    assert!(rig.app.is_current(first));
    rig.app.kill_now();
    rig.spawn(Vec::new());
    assert!(!rig.app.is_current(first));
    assert!(rig.app.is_current(RunKey { app: 7, run: 2 }));
    assert!(!rig.app.is_current(RunKey { app: 8, run: 2 }));
    rig.app.kill_now();
}

#[test]
fn usage_is_kept_only_while_a_process_runs_and_bells_clear_once() {
    let mut rig = rig("sleep 30", |_| {});
    let usage = Usage {
        cpu_percent: 1.0,
        rss_bytes: 1,
    };
    rig.app.set_usage(usage);
    assert!(rig.app.usage().is_none());
    rig.spawn(Vec::new());
    rig.app.set_usage(usage);
    assert!(rig.app.usage().is_some());
    rig.app.ring_bell();
    assert!(rig.app.has_bell());
    assert!(rig.app.clear_bell());
    assert!(!rig.app.clear_bell());
    rig.app.kill_now();
}

#[test]
fn a_new_spec_keeps_the_terminal_and_the_next_run_uses_it() {
    let mut rig = rig("echo first $FROM_SPEC", |_| {});
    rig.spawn(Vec::new());
    assert!(rig.app.is_up());
    let status = rig.run_to_exit();
    rig.app.exited(status, Instant::now());
    assert!(!rig.app.is_up(), "exited");
    let mut spec = rig.app.spec().clone();
    spec.cmd = CommandSpec::Shell("echo second $NEW_VAR".into());
    spec.log.max_files = 1;
    let path = std::env::var("PATH").unwrap_or_default();
    let env = vec![("PATH".into(), path), ("NEW_VAR".into(), "two".into())];
    rig.app.replace_spec(spec, env);
    assert_eq!(rig.app.spec().log.max_files, 1);
    rig.spawn(Vec::new());
    let status = rig.run_to_exit();
    rig.app.exited(status, Instant::now());
    let screen = rig.screen();
    let (first, second) = (screen.find("first"), screen.find("second two"));
    assert!(first.is_some() && first < second, "{screen}");
}

#[test]
fn a_deleted_app_gets_the_stop_signal_now_and_a_kill_at_its_stop_timeout() {
    let mut rig = rig("echo up; sleep 30", |s| {
        s.stop_timeout = Duration::from_secs(7);
    });
    rig.spawn(Vec::new());
    let pid = rig.app.pid().unwrap();
    let now = Instant::now();
    let Rig {
        app, mut events, ..
    } = rig;
    let (at, process) = app
        .delete(now)
        .expect("a running app hands back its process");
    assert_eq!(at, now + Duration::from_secs(7));
    assert_eq!(process.pid(), pid);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        assert!(Instant::now() < deadline, "the stop signal ended nothing");
        match events.try_recv() {
            Ok(PtyEvent::Exited(_, status)) => break status,
            Ok(_) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    assert_eq!(status, ExitStatus::Signal(libc::SIGTERM));
    process.signal_all(rustix::process::Signal::KILL);
}

#[test]
fn a_log_probe_reads_lines_as_a_terminal_shows_them() {
    use crate::app::probe::{ProbeKind, ProbeSpec, Transition};
    let mut rig = rig("sleep 30", |s| {
        let kind = ProbeKind::log("^listening on [0-9]+$").unwrap();
        s.ready = Some(Box::new(ProbeSpec::ready(kind)));
    });
    rig.spawn(Vec::new());
    let now = Instant::now();
    assert_eq!(rig.app.readiness(), Some(false));
    // Split across chunks, coloured, ending in CR LF: still one line that matches.
    assert!(
        rig.app
            .output(out(b"booting\r\n\x1b[32mlistening on "), now)
            .probe
            .is_none()
    );
    assert!(rig.app.dep_status().live && !rig.app.dep_status().ready);
    let fed = rig.app.output(out(b"8080\x1b[m\r\n"), now);
    let change = fed.probe.expect("the line matched");
    assert_eq!(change.transition, Transition::Ready);
    assert_eq!(rig.app.readiness(), Some(true));
    assert!(rig.app.dep_status().ready);
    // Once ready, later lines are not looked at.
    assert!(
        rig.app
            .output(out(b"listening on 1\r\n"), now)
            .probe
            .is_none()
    );
    rig.app.kill_now();
}

/// Output as the reader thread hands it on, parsed already.
fn out(bytes: &[u8]) -> crate::pane::process::Output {
    crate::pane::process::Output {
        bytes: bytes.to_vec(),
        parsed: Default::default(),
    }
}

#[test]
fn the_first_output_after_typing_counts_as_its_echo_once() {
    let mut rig = rig("sleep 30", |_| {});
    let now = Instant::now();
    assert!(!rig.app.take_echo(now), "nothing typed");
    rig.app.typed(now);
    assert!(rig.app.take_echo(now + Duration::from_millis(5)));
    assert!(
        !rig.app.take_echo(now + Duration::from_millis(6)),
        "only once"
    );
    rig.app.typed(now);
    assert!(
        !rig.app.take_echo(now + Duration::from_secs(1)),
        "output long after typing is no echo"
    );
}

#[test]
fn held_output_reaches_the_log_before_a_later_marker() {
    let mut rig = rig("sleep 30", |_| {});
    rig.spawn(Vec::new());
    rig.app
        .output(out(b"printed before the stop\r\n"), Instant::now());
    // Nothing flushed the held output: the marker must not overtake it.
    rig.app.signal_stop();
    let exited = rig.app.exited(ExitStatus::Signal(15), Instant::now());
    drop(exited);
    let (tx, rx) = std::sync::mpsc::channel();
    assert!(rig._logs.after_queued(move || tx.send(()).unwrap()));
    rx.recv_timeout(Duration::from_secs(20)).unwrap();
    let log = std::fs::read_to_string(rig.app.log().path()).unwrap();
    let printed = log.find("printed before the stop").expect(&log);
    let marker = log.find("killed by signal 15").expect(&log);
    assert!(printed < marker, "{log}");
    rig.app.kill_now();
}
