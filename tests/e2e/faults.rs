//! Bad input and faults: each must get a clear error and change nothing that worked.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;

use crate::harness::*;

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn usage_errors_exit_2_and_runtime_errors_exit_1_with_one_line() {
    let env = Env::new();
    let out = env.run(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = env.run(&["ls", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));

    env.ok(&["new", "-d", "-s", "dup"]);
    let out = env.run(&["new", "-d", "-s", "dup"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("duplicate session: dup"), "{err}");

    let mut t = env.attach(&["attach", "-t", "missing"], 80, 24);
    assert_eq!(t.wait_exit(), 1);
    t.wait_for("can't find session: missing");
    assert_eq!(env.ls_json()["sessions"].as_array().unwrap().len(), 1);
}

#[test]
fn absurd_sizes_are_refused_without_panicking() {
    let env = Env::new();
    for size in ["0", "501", "100000", "-5", "abc"] {
        let out = env.run(&["new", "-d", "-x", size, "-y", "10"]);
        assert_eq!(out.status.code(), Some(2), "size {size}");
        assert!(!stderr_of(&out).contains("panicked"));
    }
    // The largest accepted size works and so does a 1x1 client.
    env.ok(&[
        "new",
        "-d",
        "-s",
        "big",
        "-x",
        "500",
        "-y",
        "200",
        "--",
        "sh",
        "-c",
        "stty size; sleep 100",
    ]);
    env.wait_capture("big", "200 500");
    let mut t = env.attach(&["attach", "-t", "big"], 1, 1);
    wait_until("a frame on a 1x1 client", || {
        let raw = t.raw_output();
        // The first frame opens with an attribute reset and a clear.
        raw.windows(7).any(|w| w == b"\x1b[m\x1b[2J").then_some(())
    });
    // Shrinking to 1x1 pushed the output into history; growing back shows the live screen.
    t.resize(50, 10);
    wait_until("the app to follow the client to 50x9", || {
        env.ok(&["send-keys", "-t", "big", "x"]);
        (env.app("big", None)?["state"] == "running").then_some(())
    });
    let all = env.ok(&["capture", "-t", "big", "--scrollback"]);
    assert!(all.contains("200 500"), "{all}");
    assert_eq!(env.app("big", None).unwrap()["state"], "running");
}

fn assert_untouched(env: &Env, pid: u64) {
    let app = env.app("victim", None).expect("session survives");
    assert_eq!(app["pid"].as_u64(), Some(pid));
    assert_eq!(app["state"], "running");
}

#[test]
fn garbage_oversized_frames_and_version_mismatch_drop_only_that_connection() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "victim", "--", "sleep", "1000"]);
    let pid = env.app("victim", None).unwrap()["pid"].as_u64().unwrap();
    let sock = env.socket();

    let mut s = raw_socket(&sock);
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert_closed(s, "a bad connection");
    assert_untouched(&env, pid);

    // A good handshake, then a frame header announcing 4 GiB.
    let mut s = raw_socket(&sock);
    s.write_all(&appmux::protocol::codec::preamble()).unwrap();
    s.write_all(&u32::MAX.to_be_bytes()).unwrap();
    assert_closed(s, "a bad connection");
    assert_untouched(&env, pid);

    // A good handshake, then a malformed frame.
    let mut s = raw_socket(&sock);
    s.write_all(&appmux::protocol::codec::preamble()).unwrap();
    s.write_all(&[0, 0, 0, 3, 0xff, 0xff, 0xff]).unwrap();
    assert_closed(s, "a bad connection");
    assert_untouched(&env, pid);

    // A newer protocol version: the server answers with its own preamble, then closes.
    let mut s = raw_socket(&sock);
    s.write_all(b"APPMUX\x00\x63").unwrap();
    let mut pre = [0u8; 8];
    s.read_exact(&mut pre).unwrap();
    assert_eq!(pre, appmux::protocol::codec::preamble());
    assert_closed(s, "a bad connection");
    assert_untouched(&env, pid);
}

/// Clients send their first message in the same write as the handshake (attach does, to save
/// a round trip): the server reads the preamble exactly and answers what follows it.
#[test]
fn a_request_sent_with_the_handshake_is_answered() {
    use appmux::protocol::codec;
    use appmux::protocol::{ClientMsg, Reply, Request, ServerMsg};
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "early"]);
    let sock = env.socket();
    let mut s = raw_socket(&sock);
    let mut hello = codec::preamble().to_vec();
    hello.extend_from_slice(&codec::encode(&ClientMsg::Request(Request::List)));
    s.write_all(&hello).unwrap();
    let mut pre = [0u8; 8];
    s.read_exact(&mut pre).unwrap();
    assert_eq!(pre, codec::preamble());
    let payload = codec::read_frame(&mut s).unwrap().expect("an answer");
    match codec::decode::<ServerMsg>(&payload).unwrap() {
        codec::Decoded::Message(ServerMsg::Reply(Reply::List(report))) => {
            assert!(
                report.sessions.iter().any(|x| x.name == "early"),
                "{report:?}"
            );
        }
        other => panic!("not the listing: {other:?}"),
    }
}

#[test]
fn killing_an_attached_client_leaves_the_server_and_app_and_reattach_shows_the_screen() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "victim"], 80, 24);
    t.wait_for("sh$");
    t.type_str("echo still-here\r");
    t.wait_for("still-here");
    let pid = env.app("victim", None).unwrap()["pid"].as_u64().unwrap();
    kill(t.pid(), libc::SIGKILL);
    t.wait_exit();
    wait_until("the server to notice the client left", || {
        (env.ls_json()["sessions"][0]["attached"] == 0).then_some(())
    });
    assert_untouched(&env, pid);
    let t2 = env.attach(&["attach", "-t", "victim"], 80, 24);
    t2.wait_for("still-here");
}

#[test]
fn sigterm_and_sighup_to_the_client_restore_the_terminal() {
    let env = Env::new();
    for sig in [libc::SIGTERM, libc::SIGHUP] {
        let mut t = env.attach(&[], 80, 24);
        t.wait_for("sh$");
        t.wait_for_fn("the alternate screen", |s| s.alternate_screen());
        kill(t.pid(), sig);
        t.wait_exit();
        t.wait_eof();
        let raw = t.raw_output();
        let tail = String::from_utf8_lossy(&raw[raw.len().saturating_sub(200)..]).into_owned();
        assert!(
            tail.contains("\x1b[?1049l"),
            "main screen not restored: {tail:?}"
        );
        assert!(!t.parser.lock().unwrap().screen().alternate_screen());
        use rustix::termios::LocalModes;
        assert!(
            t.termios()
                .local_modes
                .contains(LocalModes::ECHO | LocalModes::ICANON)
        );
    }
    assert_eq!(env.app("main", None).unwrap()["state"], "running");
}

#[test]
fn twenty_racing_starts_make_exactly_one_server() {
    let env = Env::new();
    let children: Vec<_> = (0..20)
        .map(|i| {
            env.cmd(&["new", "-d", "-s", &format!("race{i}")])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    let ls = env.ls_json();
    assert_eq!(ls["sessions"].as_array().unwrap().len(), 20);
    let sock = env.socket().display().to_string();
    let servers: Vec<u32> = processes_matching(&sock)
        .into_iter()
        .filter(|p| {
            std::fs::read(format!("/proc/{p}/cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains("server"))
                .unwrap_or(false)
        })
        .collect();
    assert_eq!(servers, vec![ls["server_pid"].as_u64().unwrap() as u32]);
}

#[test]
fn a_stale_socket_is_replaced_and_a_live_one_is_never_stolen() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "first"]);
    let pid = env.server_pid().unwrap();
    // A second server on the same socket refuses to start and the first keeps working.
    let out = env.run(&["server", "--foreground"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("already running"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(env.server_pid(), Some(pid));

    kill(pid, libc::SIGKILL);
    assert!(wait_gone(pid, timeout()));
    assert!(
        env.socket().exists(),
        "the dead server's socket should be left behind"
    );
    env.ok(&["new", "-d", "-s", "second"]);
    // Through `ok`, so that a failing `ls` shows why.
    let ls = env.ls_json();
    let new_pid = ls["server_pid"].as_u64().expect("ls names the server");
    assert_ne!(new_pid, u64::from(pid));
    let names: Vec<_> = ls["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["second"]);
}

#[test]
fn an_unsafe_runtime_dir_is_refused() {
    let env = Env::new();
    let dir = env.path("run").join("appmux");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = env.run(&["new", "-d"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("0700"), "{}", stderr_of(&out));

    std::fs::remove_dir(&dir).unwrap();
    let elsewhere = env.path("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &dir).unwrap();
    let out = env.run(&["new", "-d"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("symlink"), "{}", stderr_of(&out));
}

#[test]
fn a_client_that_stops_reading_blocks_nobody() {
    let env = Env::new();
    // The pane stays when its command is interrupted, so the stuck client can be shown the end.
    env.write_config("remain_on_exit = true\n");
    env.ok(&[
        "new",
        "-d",
        "-s",
        "flood",
        "--",
        "sh",
        "-c",
        "while :; do echo flood-line; done",
    ]);
    let stuck = env.attach(&["attach", "-t", "flood"], 80, 24);
    stuck.wait_for("flood-line");
    kill(stuck.pid(), libc::SIGSTOP);
    let mut live = env.attach(&["attach", "-t", "flood"], 80, 24);
    live.wait_for("flood-line");
    // The server keeps answering and the other client keeps getting frames.
    for _ in 0..3 {
        env.ok(&["ls"]);
    }
    live.send(b"\x02d");
    assert_eq!(live.wait_exit(), 0);
    kill(stuck.pid(), libc::SIGCONT);
    env.ok(&["send-keys", "-t", "flood", "C-c"]);
    stuck.wait_for("killed by signal 2");
    drop(stuck);
}
