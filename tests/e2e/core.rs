//! The core multiplexer end to end: start, attach, detach, reattach, two clients, detached
//! sessions without a terminal, ls, kill, capture, send-keys, foreground server, socket choice.

use std::time::Duration;

use crate::harness::*;

#[test]
fn plain_appmux_starts_a_server_creates_a_session_and_attaches() {
    let env = Env::new();
    let mut t = env.attach(&[], 80, 24);
    t.wait_for("sh$");
    // The status line names the session and hints at help and detach.
    let status = t.last_row();
    assert!(status.contains("[main]"), "status line: {status:?}");
    assert!(
        status.contains("C-b ?") && status.contains("C-b d"),
        "{status:?}"
    );
    t.type_str("echo $((40+2))\r");
    t.wait_for("42");
    let app = env.app("main", None).expect("the session has an app");
    assert_eq!(app["state"], "running");
    assert_eq!(app["name"], "sh");
}

#[test]
fn detach_restores_the_terminal_and_apps_keep_running() {
    let env = Env::new();
    let before = {
        let t = env.attach(&[], 80, 24);
        let _ = &t;
        // Read the cooked settings the client started from, before it switched to raw.
        t.termios()
    };
    let mut t = env.attach(&[], 80, 24);
    t.wait_for("sh$");
    t.type_str("sleep 1000 &\r");
    t.wait_for("sh$");
    let pid = env.app("main", None).unwrap()["pid"].as_u64().unwrap();
    t.send(b"\x02d");
    assert_eq!(t.wait_exit(), 0);
    t.wait_eof();
    t.wait_for("[detached (from session main)]");
    let screen = t.parser.lock().unwrap().screen().clone();
    assert!(!screen.alternate_screen(), "left on the alternate screen");
    assert!(!screen.hide_cursor(), "cursor left hidden");
    assert!(!screen.bracketed_paste(), "bracketed paste left on");
    assert_eq!(screen.mouse_protocol_mode(), vt100::MouseProtocolMode::None);
    let after = t.termios();
    use rustix::termios::LocalModes;
    assert!(
        after
            .local_modes
            .contains(LocalModes::ECHO | LocalModes::ICANON)
    );
    assert_eq!(after.local_modes, before.local_modes);
    assert_eq!(after.input_modes, before.input_modes);
    assert_eq!(after.output_modes, before.output_modes);
    // The shell and what it started still run.
    let app = env.app("main", None).unwrap();
    assert_eq!(app["pid"].as_u64().unwrap(), pid);
    assert_eq!(app["state"], "running");
    assert_eq!(env.ls_json()["sessions"][0]["attached"], 0);
}

#[test]
fn reattach_from_a_terminal_of_another_size_resizes_the_app() {
    let env = Env::new();
    env.ok(&[
        "new",
        "-d",
        "-s",
        "w",
        "-x",
        "80",
        "-y",
        "24",
        "--",
        "sh",
        "-c",
        "trap 'echo WINCH $(stty size)' WINCH; echo ready; while :; do sleep 0.05; done",
    ]);
    env.wait_capture("w", "ready");
    let t = env.attach(&["attach", "-t", "w"], 100, 31);
    // The current screen shows at once, and the app learns the new size (31 rows minus the
    // status line).
    t.wait_for("ready");
    t.wait_for("WINCH 30 100");
    env.wait_capture("w", "WINCH 30 100");
}

#[test]
fn detach_and_reattach_at_a_new_size_shows_the_same_screen() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "r"], 90, 20);
    t.wait_for("sh$");
    t.type_str("echo first-client\r");
    t.wait_for("first-client");
    t.send(b"\x02d");
    t.wait_exit();
    let mut t2 = env.attach(&["attach", "-t", "r"], 60, 15);
    t2.wait_for("first-client");
    t2.type_str("stty size\r");
    t2.wait_for("14 60");
}

#[test]
fn two_clients_see_every_update_and_both_can_type() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "two"]);
    let mut a = env.attach(&["attach", "-t", "two"], 80, 24);
    let mut b = env.attach(&["attach", "-t", "two"], 80, 24);
    a.wait_for("sh$");
    b.wait_for("sh$");
    a.type_str("echo from-a-$((1+1))\r");
    a.wait_for("from-a-2");
    b.wait_for("from-a-2");
    b.type_str("echo from-b-$((2+2))\r");
    a.wait_for("from-b-4");
    b.wait_for("from-b-4");
    assert_eq!(env.ls_json()["sessions"][0]["attached"], 2);
}

#[test]
fn new_detached_works_without_any_terminal_and_the_server_is_its_own_session() {
    let env = Env::new();
    let out = env
        .cmd(&[
            "new",
            "-d",
            "-s",
            "bg",
            "-x",
            "120",
            "-y",
            "40",
            "--",
            "sh",
            "-c",
            "stty size; sleep 1000",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.wait_capture("bg", "40 120");
    let pid = env.server_pid().unwrap();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    // Field 6 of stat is the session id: the server leads its own session.
    assert_eq!(fields[3], pid.to_string(), "server is not a session leader");
    kill(pid, libc::SIGHUP);
    assert_eq!(env.server_pid(), Some(pid), "SIGHUP stopped the server");
    assert_eq!(env.app("bg", None).unwrap()["state"], "running");
}

#[test]
fn ls_lists_sessions_apps_and_the_server_pid() {
    let env = Env::new();
    // Exited commands keep their session, to be listed.
    env.write_config("remain_on_exit = true\n");
    env.ok(&["new", "-d", "-s", "alpha", "--", "sleep", "1000"]);
    env.ok(&["new", "-d", "-s", "beta", "--", "sh", "-c", "exit 7"]);
    let ls = wait_until("beta to exit", || {
        let ls = env.ls_json();
        (ls["sessions"][1]["apps"][0]["state"] == "exited").then_some(ls)
    });
    assert!(ls["server_pid"].as_u64().unwrap() > 0);
    let alpha = &ls["sessions"][0];
    assert_eq!(alpha["name"], "alpha");
    assert!(alpha["created"].as_u64().unwrap() > 1_600_000_000);
    assert_eq!(alpha["attached"], 0);
    let app = &alpha["apps"][0];
    assert_eq!(app["name"], "sleep");
    assert_eq!(app["state"], "running");
    assert!(app["pid"].as_u64().unwrap() > 0);
    assert!(app["exit_code"].is_null());
    let beta = &ls["sessions"][1]["apps"][0];
    assert_eq!(beta["exit_code"], 7);
    assert!(beta["pid"].is_null());
    let text = env.ok(&["ls"]);
    assert!(
        text.contains("alpha") && text.contains("beta") && text.contains("exited 7"),
        "{text}"
    );
    // The pane says how the app ended, and the session stays (remain_on_exit).
    env.wait_capture("beta", "exited with code 7");
}

#[test]
fn kill_session_and_kill_server_stop_their_processes() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "k1", "--", "sleep", "1000"]);
    env.ok(&[
        "new",
        "-d",
        "-s",
        "k2",
        "--",
        "sh",
        "-c",
        "trap '' HUP TERM; sleep 1000",
    ]);
    let p1 = env.app("k1", None).unwrap()["pid"].as_u64().unwrap() as u32;
    let p2 = env.app("k2", None).unwrap()["pid"].as_u64().unwrap() as u32;
    env.ok(&["kill-session", "-t", "k1"]);
    assert!(wait_gone(p1, timeout()), "k1's app survived kill-session");
    let names: Vec<String> = env.ls_json()["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["k2"]);
    let server = env.server_pid().unwrap();
    env.ok(&["kill-server"]);
    assert!(wait_gone(server, timeout()), "server survived kill-server");
    assert!(
        wait_gone(p2, timeout()),
        "an app ignoring SIGTERM survived kill-server"
    );
    let out = env.run(&["ls"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no server running"));
}

#[test]
fn capture_keeps_colours_and_history_on_request() {
    let env = Env::new();
    env.ok(&[
        "new", "-d", "-s", "cap", "-x", "40", "-y", "10", "--", "sh", "-c",
        "i=0; while [ $i -lt 50 ]; do echo line-$i; i=$((i+1)); done; printf '\\033[31mred\\033[0m\\n'; sleep 1000",
    ]);
    let plain = env.wait_capture("cap", "red");
    assert!(
        !plain.contains("line-0\n"),
        "history leaked into the screen: {plain}"
    );
    assert!(!plain.contains('\x1b'));
    let ansi = env.ok(&["capture", "-t", "cap", "--ansi"]);
    assert!(ansi.contains("\x1b[31mred"), "{ansi:?}");
    let all = env.ok(&["capture", "-t", "cap:sh", "--scrollback"]);
    assert!(all.contains("line-0\nline-1\n"), "{all}");
    assert!(all.contains("line-49\nred"), "{all}");
}

/// Runs a raw-mode byte printer in a pane and returns the session name.
fn key_echo(env: &Env, name: &str) {
    env.ok(&[
        "new",
        "-d",
        "-s",
        name,
        "--",
        "python3",
        "-c",
        "import os,sys,tty\ntty.setraw(0)\nprint('ready', end='\\r\\n', flush=True)\n\
         while True:\n    b = os.read(0, 64)\n    print(b.hex(' '), end='\\r\\n', flush=True)",
    ]);
    env.wait_capture(name, "ready");
}

#[test]
fn send_keys_speaks_tmux_key_names_and_literal_text() {
    let env = Env::new();
    key_echo(&env, "keys");
    let cases: &[(&[&str], &str)] = &[
        (&["Enter"], "0d"),
        (&["C-c"], "03"),
        (&["Escape"], "1b"),
        (&["Up"], "1b 5b 41"),
        (&["F1"], "1b 4f 50"),
        (&["M-x"], "1b 78"),
        (&["C-Left"], "1b 5b 31 3b 35 44"),
        (&["hi"], "68 69"),
    ];
    for (keys, hex) in cases {
        let mut args = vec!["send-keys", "-t", "keys"];
        args.extend_from_slice(keys);
        env.ok(&args);
        env.wait_capture("keys", &format!("\n{hex}\n"));
    }
}

#[test]
fn send_keys_into_a_shell_runs_commands_and_interrupts() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "sh1"]);
    env.wait_capture("sh1", "$");
    let shell = env.app("sh1", None).unwrap()["pid"].as_u64().unwrap() as u32;
    let sleeping = || {
        Env::tree(shell).into_iter().any(|p| {
            std::fs::read(format!("/proc/{p}/cmdline")).is_ok_and(|c| c.starts_with(b"sleep\0"))
        })
    };
    env.ok(&["send-keys", "-t", "sh1", "sleep 1000; echo after", "Enter"]);
    // C-c must reach the running sleep, not a line the shell has not read yet.
    wait_until("sleep to run", || sleeping().then_some(()));
    env.ok(&["send-keys", "-t", "sh1", "C-c"]);
    wait_until("sleep to be interrupted", || (!sleeping()).then_some(()));
    env.ok(&["send-keys", "-t", "sh1", "echo interrupted", "Enter"]);
    let screen = env.wait_capture("sh1", "\ninterrupted");
    assert!(!screen.contains("\nafter"), "{screen}");
}

#[test]
fn foreground_server_logs_to_stderr() {
    let env = Env::new();
    let mut server = env
        .cmd(&["server", "--foreground"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = server.stderr.take().unwrap();
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = log.clone();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            sink.lock().unwrap().push_str(&(line + "\n"));
        }
    });
    wait_until("the server to log its start", || {
        log.lock().unwrap().contains("server started").then_some(())
    });
    env.ok(&["new", "-d", "-s", "fg"]);
    assert_eq!(env.server_pid(), Some(server.id()));
    env.ok(&["kill-server"]);
    let status = wait_until("the server to exit", || server.try_wait().unwrap());
    assert!(status.success());
    assert!(log.lock().unwrap().contains("session created"));
}

#[test]
fn socket_name_and_path_isolate_servers() {
    let env = Env::new();
    env.ok(&["-L", "one", "new", "-d", "-s", "a"]);
    env.ok(&["-L", "two", "new", "-d", "-s", "b"]);
    let one = env.ok(&["-L", "one", "ls"]);
    assert!(one.starts_with("a:") && !one.contains("b:"), "{one}");
    let out = env.run(&["ls"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the default socket has no server"
    );
    let path = env.path("custom.sock");
    let p = path.to_str().unwrap();
    env.ok(&["-S", p, "new", "-d", "-s", "c"]);
    assert!(env.ok(&["-S", p, "ls"]).starts_with("c:"));
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let meta = std::fs::metadata(&path).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let dir = std::fs::metadata(env.path("run").join("appmux")).unwrap();
    assert_eq!(dir.permissions().mode() & 0o777, 0o700);
    for args in [
        ["-L", "one", "kill-server"],
        ["-L", "two", "kill-server"],
        ["-S", p, "kill-server"],
    ] {
        env.ok(&args);
    }
}

#[test]
fn an_exited_app_shows_its_signal_and_the_session_stays() {
    let env = Env::new();
    env.write_config("remain_on_exit = true\n");
    env.ok(&[
        "new",
        "-d",
        "-s",
        "sig",
        "--",
        "sh",
        "-c",
        "echo bye; kill -9 $$",
    ]);
    let screen = env.wait_capture("sig", "killed by signal 9");
    assert!(screen.contains("bye"));
    let app = env.app("sig", None).unwrap();
    assert_eq!(app["state"], "exited");
    assert_eq!(app["signal"], 9);
    std::thread::sleep(Duration::from_millis(0));
}
