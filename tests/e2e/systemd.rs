//! The server as a systemd service: `READY=1` and `STOPPING=1` on `NOTIFY_SOCKET`, plain log
//! lines when stderr is not a terminal, and no timestamps of its own when journald reads it.

use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixDatagram;
use std::time::Duration;

use crate::harness::*;

/// The next datagram on `sock`, waiting at most the harness's usual while.
fn next_state(sock: &UnixDatagram) -> String {
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut buf = [0u8; 256];
    let n = sock.recv(&mut buf).expect("a datagram from the server");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[test]
fn the_foreground_server_tells_systemd_when_it_is_ready_and_when_it_stops() {
    let env = Env::new();
    let notify_path = env.path("notify.sock");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    // stderr goes to a file that JOURNAL_STREAM names, as systemd's journal stream would be.
    let log_path = env.path("server.stderr");
    let log = std::fs::File::create(&log_path).unwrap();
    let meta = log.metadata().unwrap();
    let mut server = env
        .cmd(&["server", "--foreground"])
        .env("NOTIFY_SOCKET", &notify_path)
        .env("JOURNAL_STREAM", format!("{}:{}", meta.dev(), meta.ino()))
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    assert_eq!(next_state(&notify), "READY=1");
    // Ready means the socket answers.
    env.ok(&["new", "-d", "-s", "svc"]);
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(server.id() as i32).unwrap(),
        rustix::process::Signal::TERM,
    )
    .unwrap();
    assert_eq!(next_state(&notify), "STOPPING=1");
    let status = wait_until("the server to exit", || server.try_wait().unwrap());
    assert!(status.success());
    let text = std::fs::read_to_string(&log_path).unwrap();
    assert!(text.contains("server started"), "{text}");
    assert!(
        !text.contains('\x1b'),
        "colour codes in a journal: {text:?}"
    );
    // journald stamps each line itself: the lines start with the level.
    assert!(
        text.lines()
            .all(|l| !l.starts_with(|c: char| c.is_ascii_digit())),
        "{text}"
    );
}

#[test]
fn a_foreground_server_writing_to_a_pipe_logs_plain_lines_with_times() {
    let env = Env::new();
    let log_path = env.path("server.stderr");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = env
        .cmd(&["server", "--foreground"])
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    wait_until("the server to answer", || env.server_pid());
    env.ok(&["kill-server"]);
    wait_until("the server to exit", || server.try_wait().unwrap());
    let text = std::fs::read_to_string(&log_path).unwrap();
    assert!(text.contains("server started"), "{text}");
    assert!(!text.contains('\x1b'), "{text:?}");
    assert!(
        text.lines().all(|l| l.starts_with("20")),
        "each line starts with its time: {text}"
    );
}

#[test]
fn the_projects_apps_do_not_inherit_the_notify_socket() {
    let env = Env::new();
    let notify_path = env.path("notify.sock");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    let dir = env.project(
        "svc",
        "session = \"svc\"\n[[app]]\nname = \"app\"\ncmd = \"echo notify=${NOTIFY_SOCKET:-unset}; exec sleep 1000\"\n",
    );
    let config = dir.join("appmux.toml");
    let mut server = env
        .cmd(&["-c", config.to_str().unwrap(), "server", "--foreground"])
        .env("NOTIFY_SOCKET", &notify_path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert_eq!(next_state(&notify), "READY=1");
    env.wait_capture("svc:app", "notify=unset");
    env.ok(&["kill-server"]);
    wait_until("the server to exit", || server.try_wait().unwrap());
}
