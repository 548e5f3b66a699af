//! The client's terminal in the server's hands: once the first frame shows, the server reads
//! the typing from the client's terminal and writes frames to it (a key and its echo cross no
//! client process), lets go of it before the client restores it, and a client that cannot hand
//! it over (`APPMUX_RELAY=1` here) forwards both ways as before.

use crate::harness::*;

/// Where descriptor `fd` of process `pid` points.
fn fd_target(pid: u32, fd: &str) -> Option<String> {
    let link = std::fs::read_link(format!("/proc/{pid}/fd/{fd}")).ok()?;
    Some(link.display().to_string())
}

/// Whether process `pid` has the client's terminal open.
fn holds(pid: u32, tty: &str) -> bool {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|fds| {
            fds.filter_map(|e| e.ok())
                .filter_map(|e| fd_target(pid, e.file_name().to_str()?))
                .any(|target| target == tty)
        })
        .unwrap_or(false)
}

/// The names of process `pid`'s threads.
fn threads(pid: u32) -> Vec<String> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|tasks| {
            tasks
                .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
                .map(|name| name.trim().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_server_types_and_draws_through_the_clients_own_terminal() {
    let env = Env::new();
    let mut t = env.attach(&[], 80, 24);
    t.wait_for("sh$");
    let server = env.server_pid().unwrap();
    let tty = fd_target(t.pid(), "0").unwrap();
    assert!(tty.starts_with("/dev/pts/"), "{tty}");
    wait_until("the server to hold the client's terminal", || {
        holds(server, &tty).then_some(())
    });
    // The client reads nothing: no thread of it forwards typing.
    assert!(
        !threads(t.pid()).iter().any(|n| n == "stdin"),
        "{:?}",
        threads(t.pid())
    );
    t.type_str("echo $((6*7))x\r");
    t.wait_for("42x");
    // A resize still travels through the client (SIGWINCH is its).
    t.resize(100, 30);
    t.type_str("stty size\r");
    t.wait_for("29 100");
}

#[test]
fn a_client_that_relays_types_and_draws_as_before() {
    let env = Env::new();
    let home = env.path("home");
    let mut t = Term::spawn_program(&env, "env", &["APPMUX_RELAY=1", BIN], &home, 80, 24);
    t.wait_for("sh$");
    let tty = fd_target(t.pid(), "0").unwrap();
    let server = env.server_pid().unwrap();
    wait_until("the client's input thread", || {
        threads(t.pid()).iter().any(|n| n == "stdin").then_some(())
    });
    assert!(
        !holds(server, &tty),
        "the server opened a relaying client's terminal"
    );
    t.type_str("echo $((6*7))y\r");
    t.wait_for("42y");
    // Beside it, a client that handed its terminal over: both show what either types.
    let mut direct = env.attach(&["attach"], 80, 24);
    direct.wait_for("42y");
    direct.type_str("echo from-direct\r");
    t.wait_for("from-direct");
    t.send(b"\x02d");
    assert_eq!(t.wait_exit(), 0);
    direct.wait_for("from-direct");
}

#[test]
fn after_a_detach_the_terminal_belongs_to_the_shell_again() {
    let env = Env::new();
    let home = env.path("home");
    // The client runs from a shell that reads a line once it is back.
    let script = format!("\"{BIN}\"; echo back-home; read line; echo got:$line; sleep 30");
    let mut t = Term::spawn_program(&env, "sh", &["-c", &script], &home, 80, 24);
    t.wait_for("sh$");
    let server = env.server_pid().unwrap();
    let tty = fd_target(t.pid(), "0").unwrap();
    wait_until("the server to hold the client's terminal", || {
        holds(server, &tty).then_some(())
    });
    t.send(b"\x02d");
    t.wait_for("back-home");
    // Let go before the client restored the terminal, so nothing typed now is the server's.
    assert!(!holds(server, &tty), "the server still holds {tty}");
    t.type_str("hello\r");
    t.wait_for("got:hello");
    assert!(!t.parser.lock().unwrap().screen().alternate_screen());
}

#[test]
fn a_client_killed_outright_leaves_no_terminal_behind_in_the_server() {
    let env = Env::new();
    let t = env.attach(&[], 80, 24);
    t.wait_for("sh$");
    let server = env.server_pid().unwrap();
    let tty = fd_target(t.pid(), "0").unwrap();
    wait_until("the server to hold the client's terminal", || {
        holds(server, &tty).then_some(())
    });
    kill(t.pid(), libc::SIGKILL);
    wait_until("the server to let go of the terminal", || {
        (!holds(server, &tty)).then_some(())
    });
    wait_until("the client to count as gone", || {
        (env.ls_json()["sessions"][0]["attached"] == 0).then_some(())
    });
    assert_eq!(env.app("main", None).unwrap()["state"], "running");
}
