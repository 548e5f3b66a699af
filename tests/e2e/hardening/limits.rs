//! Limits: values `check` accepts never crash or freeze the server, files that are not what
//! they seem are refused, names are checked where they enter, and the costs of `check` and of
//! a resize storm stay bounded. Every command that a regression would hang runs bounded, with
//! a guard that releases what it hangs on, so a failing test fails instead of hanging.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::Duration;

use appmux::client::connect::Connection;
use appmux::config::{AppSpec, CommandSpec};
use appmux::paths::SocketPaths;
use appmux::protocol::{AttachRequest, ClientMsg, NewSession, Request, TermInfo};
use appmux::size::Size;

use crate::harness::*;

/// A child that is killed if the test gives up on it.
struct Bounded(Child);

impl Drop for Bounded {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs appmux in `dir` and waits for it within the harness timeout (killing it after).
fn run_bounded_in(env: &Env, dir: &Path, args: &[&str]) -> Output {
    let child = env
        .cmd(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running appmux");
    let mut child = Bounded(child);
    wait_until(&format!("appmux {args:?} to finish"), || {
        child.0.try_wait().expect("waiting for appmux")
    });
    let mut out = Output {
        status: child.0.wait().expect("waiting for appmux"),
        stdout: Vec::new(),
        stderr: Vec::new(),
    };
    if let Some(mut s) = child.0.stdout.take() {
        let _ = s.read_to_end(&mut out.stdout);
    }
    if let Some(mut s) = child.0.stderr.take() {
        let _ = s.read_to_end(&mut out.stderr);
    }
    out
}

fn run_bounded(env: &Env, args: &[&str]) -> Output {
    run_bounded_in(env, &env.path("home"), args)
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A protocol connection to the test's server, with replies bounded by the harness timeout.
fn connect(env: &Env) -> Connection {
    let sock = SocketPaths::resolve(None, Some(&env.socket())).unwrap();
    let conn = Connection::open(&sock).expect("connecting to the server");
    conn.stream.set_read_timeout(Some(timeout())).unwrap();
    conn
}

fn mkfifo(path: &Path) {
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .expect("mkfifo");
}

/// On drop, opens the FIFO's other end for a moment, so whatever blocks opening it (a server
/// under test that regressed) is released and the test can end.
struct ReleaseFifo {
    path: PathBuf,
    /// The end to open: `true` to release a blocked writer, `false` a blocked reader.
    as_reader: bool,
}

impl Drop for ReleaseFifo {
    fn drop(&mut self) {
        let mut options = File::options();
        options.custom_flags(libc::O_NONBLOCK);
        if self.as_reader {
            options.read(true);
        } else {
            options.write(true);
        }
        let _ = options.open(&self.path);
    }
}

fn app_spec(env: &Env, name: &str, cmd: &str) -> AppSpec {
    AppSpec::ad_hoc(
        name.to_owned(),
        CommandSpec::Shell(cmd.to_owned()),
        env.path("home"),
    )
}

#[test]
fn durations_too_long_for_the_clock_are_refused_and_never_crash_the_server() {
    let env = Env::new();
    let huge = "18446744073709551615s";
    let dir = env.project(
        "huge",
        &format!(
            "[[app]]\nname = \"a\"\ncmd = \"exit 1\"\nstop_timeout = \"{huge}\"\n\
             backoff = {{ initial = \"{huge}\", max = \"{huge}\" }}\n"
        ),
    );
    let out = env.run_in(&dir, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    let found = format!("found \"{huge}\"");
    for wanted in [
        format!("appmux.toml:4:16: `stop_timeout` must be at most 1h, {found}"),
        format!("appmux.toml:5:23: `backoff.initial` must be at most 24h, {found}"),
        format!("appmux.toml:5:54: `backoff.max` must be at most 24h, {found}"),
    ] {
        assert!(err.contains(&wanted), "{wanted} not in:\n{err}");
    }

    // The same values from a client that skips the file are refused by the server, which
    // then keeps running.
    env.ok(&["new", "-d", "-s", "s", "--", "sleep", "1000"]);
    let pid = env.server_pid().expect("a server");
    let mut spec = app_spec(&env, "crash", "exit 1");
    spec.restart = appmux::config::RestartPolicy::Always;
    spec.stop_timeout = Duration::from_secs(u64::MAX);
    spec.backoff.initial = Duration::from_secs(u64::MAX);
    spec.backoff.max = Duration::from_secs(u64::MAX);
    let run = Request::Run {
        session: Some("s".into()),
        spec: Box::new(spec),
    };
    let err = connect(&env).request(run).unwrap_err().to_string();
    assert!(err.contains("`stop_timeout` must be at most 1h"), "{err}");

    // At the longest durations allowed, an exit backs off and a stop is sent: no overflow.
    let mut flap = app_spec(&env, "flap", "exit 1");
    flap.restart = appmux::config::RestartPolicy::Always;
    flap.backoff.initial = Duration::from_secs(24 * 3600);
    flap.backoff.max = Duration::from_secs(24 * 3600);
    let mut slow = app_spec(&env, "slow", "exec sleep 1000");
    slow.stop_timeout = Duration::from_secs(3600);
    for spec in [flap, slow] {
        let run = Request::Run {
            session: Some("s".into()),
            spec: Box::new(spec),
        };
        connect(&env).request(run).expect("an app at the limits");
    }
    wait_until("flap to wait a day for its restart", || {
        (env.app("s", Some("flap"))?["state"] == "waiting").then_some(())
    });
    env.wait_capture("s:flap", "restarting in 86400.0s");
    env.ok(&["stop", "slow", "-t", "s"]);
    wait_until("slow to stop", || {
        (env.app("s", Some("slow"))?["state"] == "stopped").then_some(())
    });
    assert_eq!(env.server_pid(), Some(pid), "the server kept running");
}

#[test]
fn a_log_file_that_blocks_never_freezes_the_server_and_its_loss_is_counted() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "logs", "--", "sleep", "1000"]);
    let first = env.app("logs", None).expect("the first app");
    let dir = PathBuf::from(first["log_file"].as_str().expect("a log file"))
        .parent()
        .expect("a log directory")
        .to_owned();
    wait_until("the session's log directory", || dir.is_dir().then_some(()));
    // Opening a FIFO for writing blocks until a reader comes: the log thread will wait here as
    // it would on a hung file system.
    let fifo = dir.join("stuck.log");
    mkfifo(&fifo);
    let _release = ReleaseFifo {
        path: fifo.clone(),
        as_reader: true,
    };
    let script = "i=0; while [ $i -lt 300 ]; do echo stuck-line-$i; i=$((i+1)); done; \
                  exec sleep 1000";
    let run = ["run", "-t", "logs", "--name", "stuck", "--", script];
    let out = run_bounded(&env, &run);
    assert!(out.status.success(), "{}", stderr_of(&out));

    // The server answers and the app runs while its log cannot be written.
    let out = run_bounded(&env, &["ls"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    env.wait_capture("logs:stuck", "stuck-line-299");
    let app = env.app("logs", Some("stuck")).expect("the stuck app");
    assert_eq!(app["log_file"].as_str(), fifo.to_str());

    // Once a reader comes, the open completes, and a log that is not a regular file is refused:
    // the output is counted as dropped (shown in ls and the sidebar), never written elsewhere.
    let reader = File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)
        .expect("opening the FIFO");
    wait_until("the refused log's output counted as dropped", || {
        let app = env.app("logs", Some("stuck"))?;
        (app["log_dropped"].as_u64()? > 0).then_some(())
    });
    // The server stops (and its log thread finishes) while the reader is still there.
    drop(env);
    drop(reader);
}

#[test]
fn a_config_that_is_not_a_small_regular_file_is_refused_and_the_server_answers() {
    let env = Env::new();
    let config = env.path("config").join("appmux");
    std::fs::create_dir_all(config.join("keymaps")).unwrap();
    let options = config.join("config.toml");
    mkfifo(&options);
    let _release = ReleaseFifo {
        path: options.clone(),
        as_reader: false,
    };
    let out = run_bounded(&env, &["new", "-d", "-s", "s", "--", "sleep", "1000"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = run_bounded(&env, &["ls"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("s: 1 app"));
    let out = run_bounded(&env, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let wanted = format!(
        "{}:1:1: cannot read the file: it is a FIFO, not a regular file",
        options.display()
    );
    assert!(stderr_of(&out).contains(&wanted), "{}", stderr_of(&out));

    // Files past the size cap are refused, not read into memory.
    std::fs::remove_file(&options).unwrap();
    let big = "# padding\n".repeat(500_000);
    std::fs::write(&options, &big).unwrap();
    let keymap = config.join("keymaps").join("big.toml");
    std::fs::write(&keymap, &big).unwrap();
    let out = run_bounded(&env, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    for file in [&options, &keymap] {
        let wanted = format!(
            "{}:1:1: cannot read the file: it is larger than 4MiB",
            file.display()
        );
        assert!(err.contains(&wanted), "{wanted} not in:\n{err}");
    }
}

/// Sends one control API command and returns its response.
fn control(env: &Env, action: &str, args: serde_json::Value) -> serde_json::Value {
    let mut s = raw_socket(&env.socket());
    let line = serde_json::json!({"type": "cmd", "id": "1", "action": action, "args": args});
    writeln!(s, "{line}").unwrap();
    let mut reader = BufReader::new(s);
    loop {
        let mut text = String::new();
        assert!(
            reader.read_line(&mut text).unwrap() > 0,
            "the server hung up"
        );
        let v: serde_json::Value = serde_json::from_str(&text).expect("a JSON line");
        if v["type"] == "response" {
            return v;
        }
    }
}

#[test]
fn names_that_are_paths_controls_or_too_long_are_refused_where_they_enter() {
    let env = Env::new();
    let long = "n".repeat(300);
    for bad in ["/abs/path", "../../x", "a\x1b[31mred", long.as_str()] {
        let out = env.run(&["new", "-d", "-s", bad, "--", "sleep", "1000"]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let err = stderr_of(&out);
        assert!(err.contains("invalid session name"), "{err:?}");
    }
    env.ok(&["new", "-d", "-s", "ok", "--", "sleep", "1000"]);
    for bad in ["../../x", "/tmp/x", "a\x1b]0;owned\x07", long.as_str()] {
        let out = env.run(&["run", "-t", "ok", "--name", bad, "--", "sleep", "1000"]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(stderr_of(&out).contains("invalid app name"));
    }

    // The same through the socket and the control API, which skip the command line.
    for bad in ["../../x", "a\0b", long.as_str()] {
        let run = Request::Run {
            session: Some("ok".into()),
            spec: Box::new(app_spec(&env, bad, "sleep 1000")),
        };
        let err = connect(&env).request(run).unwrap_err().to_string();
        assert!(err.contains("invalid app name"), "{err}");
        let args = serde_json::json!({"session": "ok", "name": bad, "cmd": "sleep 1000"});
        let response = control(&env, "apps.run", args);
        let message = response["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("invalid app name"), "{response}");
    }
    let new = Request::NewSession(NewSession {
        name: Some("/abs/path".into()),
        ..NewSession::default()
    });
    let err = connect(&env).request(new).unwrap_err().to_string();
    assert!(err.contains("invalid session name"), "{err}");

    // A name derived from a command is made valid instead of refused.
    let link = env.path("home").join("we\x1bird");
    std::os::unix::fs::symlink("/bin/sleep", &link).unwrap();
    env.ok(&["run", "-t", "ok", "--", "./we\x1bird", "1000"]);
    let ls = env.ok(&["ls"]);
    assert!(ls.contains("we_ird") && !ls.contains('\x1b'), "{ls:?}");
    let ls = env.ls_json();
    let apps = ls["sessions"][0]["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 2, "only the valid apps were added: {ls}");
    let logs = env.path("state").join("appmux").join("logs");
    for app in apps {
        let file = Path::new(app["log_file"].as_str().unwrap());
        assert!(file.starts_with(&logs), "{file:?}");
    }
    // Nothing was written outside the logs directory.
    let state = std::fs::read_dir(env.path("state").join("appmux")).unwrap();
    for entry in state {
        let name = entry.unwrap().file_name();
        let name = name.to_string_lossy();
        assert!(
            name == "logs" || !name.ends_with(".log") || name.starts_with("server-"),
            "{name}"
        );
    }
}

#[test]
fn check_of_forty_thousand_apps_takes_linear_time() {
    let env = Env::new();
    let mut text = String::with_capacity(2 << 20);
    for i in 0..40_000 {
        text.push_str(&format!("[[app]]\nname = \"app-{i}\"\ncmd = \"true\"\n\n"));
    }
    text.push_str("[[app]]\nname = \"app-0\"\ncmd = \"true\"\n");
    let dir = env.project("many", &text);
    // Bounded by the harness timeout: quadratic checking took minutes here.
    let out = run_bounded_in(&env, &dir, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    let wanted = "appmux.toml:160002:8: duplicate app name `app-0` (first defined on line 2)";
    assert!(err.contains(wanted), "{err}");
}

/// Counts SIGWINCH and prints the count and the terminal size for each line it reads.
const WINCH_COUNTER: &str = "import os, signal, sys
n = 0
def winch(*_):
    global n
    n += 1
signal.signal(signal.SIGWINCH, winch)
print('ready', flush=True)
for _ in sys.stdin:
    size = os.get_terminal_size(0)
    print(f'winch={n} size={size.lines}x{size.columns}', flush=True)
";

#[test]
fn a_resize_storm_is_coalesced_and_the_server_stays_responsive() {
    let env = Env::new();
    env.ok(&[
        "new",
        "-d",
        "-s",
        "storm",
        "--",
        "python3",
        "-c",
        WINCH_COUNTER,
    ]);
    env.wait_capture("storm", "ready");
    let mut conn = connect(&env);
    conn.send(&ClientMsg::Attach(AttachRequest {
        target: Some("storm".into()),
        size: Size { cols: 80, rows: 24 },
        read_only: false,
        term: TermInfo::default(),
        create: None,
        only_new: false,
    }))
    .unwrap();
    // Frames go unread by the storm; a reader keeps the socket drained.
    let mut drain = conn.stream.try_clone().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 65536];
        while matches!(drain.read(&mut buf), Ok(n) if n > 0) {}
    });
    let storm: u16 = 4000;
    let mut writer = conn.stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let mut frames = Vec::new();
        for i in 0..storm {
            let size = if i % 2 == 0 {
                Size {
                    cols: 300,
                    rows: 100,
                }
            } else {
                Size { cols: 40, rows: 10 }
            };
            frames.extend(appmux::protocol::codec::encode(&ClientMsg::Resize(size)));
        }
        let last = Size {
            cols: 100,
            rows: 30,
        };
        frames.extend(appmux::protocol::codec::encode(&ClientMsg::Resize(last)));
        writer.write_all(&frames).unwrap();
    });
    // The server answers while the storm arrives.
    for _ in 0..3 {
        let out = run_bounded(&env, &["ls"]);
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    sender.join().unwrap();
    // The app ends at the last size asked for (less the status line), having been resized
    // far fewer times than asked.
    let screen = wait_until("the app at the storm's last size", || {
        env.ok(&["send-keys", "-t", "storm", "Enter"]);
        let screen = env.capture("storm");
        let last = screen.lines().rev().find(|l| l.starts_with("winch="))?;
        last.ends_with("size=29x100").then(|| last.to_owned())
    });
    let winches: u32 = screen["winch=".len()..]
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(
        winches < u32::from(storm) / 4,
        "{winches} resizes reached the app for {storm} asked"
    );
    drop(conn);
}
