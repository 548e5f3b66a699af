//! The foreground server as a container's main process: `-c FILE` starts the project's
//! session, SIGTERM stops every app gracefully and the exit status says whether the stop was
//! clean; as PID 1 (in a new PID namespace) it also reaps the orphans the kernel hands it.

use std::process::{Command, Stdio};

use crate::harness::*;

const PROJECT: &str = r#"
session = "box"
[[app]]
name = "web"
cmd = "echo web-up; exec sleep 1000"
"#;

fn term(pid: u32) {
    let pid = rustix::process::Pid::from_raw(pid as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
}

#[test]
fn sigterm_stops_the_projects_apps_and_exits_0_when_the_stop_was_clean() {
    let env = Env::new();
    let dir = env.project("box", PROJECT);
    let config = dir.join("appmux.toml");
    let mut server = env
        .cmd(&["-c", config.to_str().unwrap(), "server", "--foreground"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    env.wait_capture("box:web", "web-up");
    let app = wait_until("web's pid", || env.app("box", Some("web"))?["pid"].as_u64());
    term(server.id());
    let status = wait_until("the server to exit", || server.try_wait().unwrap());
    assert_eq!(status.code(), Some(0));
    assert!(!alive(app as u32), "the app outlived the server");
}

#[test]
fn an_app_that_had_to_be_killed_makes_the_exit_status_non_zero() {
    let env = Env::new();
    let dir = env.project(
        "box",
        r#"
session = "box"
[[app]]
name = "stubborn"
cmd = "trap '' TERM HUP; echo stubborn-up; while :; do sleep 0.1; done"
stop_timeout = "1s"
"#,
    );
    let config = dir.join("appmux.toml");
    let mut server = env
        .cmd(&["-c", config.to_str().unwrap(), "server", "--foreground"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    env.wait_capture("box:stubborn", "stubborn-up");
    term(server.id());
    let out = wait_until("the server to exit", || server.try_wait().unwrap());
    assert_eq!(out.code(), Some(1));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut server.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("stubborn outlived the stop timeout"), "{err}");
}

/// Whether this machine lets us make a PID namespace (root, or user namespaces allowed).
fn can_unshare() -> bool {
    Command::new("unshare")
        .args(["-p", "-f", "--mount-proc", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The children of `pid`, from /proc.
fn children(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("children")).ok())
        .flat_map(|c| {
            c.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

#[test]
fn as_pid_one_it_reaps_orphans_and_passes_sigterm_on() {
    if !can_unshare() {
        eprintln!("no PID namespace can be made here (not root, no user namespaces): skipped");
        return;
    }
    let env = Env::new();
    // The subshell exits at once, so the loop it started is orphaned to PID 1, which must
    // reap it once it ends (when the test writes `go`).
    let dir = env.project(
        "box",
        r#"
session = "box"
[[app]]
name = "web"
cmd = """(exec sh -c 'while [ ! -e go ]; do sleep 0.05; done' orphan-loop &); echo web-up; exec sleep 1000"""
"#,
    );
    let config = dir.join("appmux.toml");
    let mut outer = Command::new("unshare")
        .args(["-p", "-f", "--mount-proc", env!("CARGO_BIN_EXE_appmux")])
        .args(["-c", config.to_str().unwrap(), "server", "--foreground"])
        .env_clear()
        .envs(env.vars())
        .current_dir(env.path("home"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    env.wait_capture("box:web", "web-up");
    // PID 1 of the namespace, as the host sees it.
    let init = wait_until("the namespace's PID 1", || {
        children(outer.id()).first().copied()
    });
    let orphan = wait_until("the orphan", || {
        processes_matching("orphan-loop").first().copied()
    });
    std::fs::write(dir.join("go"), "").unwrap();
    wait_until("the orphan to exit and be reaped", || {
        (!std::path::Path::new(&format!("/proc/{orphan}")).exists()).then_some(())
    });
    // The server and its apps, as the host sees them.
    let mut tree = children(init);
    let mut i = 0;
    while i < tree.len() {
        tree.extend(children(tree[i]));
        i += 1;
    }
    assert!(tree.len() >= 2, "the server and its app: {tree:?}");
    term(init);
    let status = wait_until("the server to exit", || outer.try_wait().unwrap());
    assert_eq!(status.code(), Some(0));
    assert!(tree.iter().all(|p| !alive(*p)), "left running: {tree:?}");
}

#[test]
fn a_stop_signal_is_heard_while_an_app_floods_its_pane() {
    let env = Env::new();
    let dir = env.project(
        "box",
        r#"
session = "box"
[[app]]
name = "flood"
cmd = "exec yes flooding"
"#,
    );
    let config = dir.join("appmux.toml");
    for signal in [rustix::process::Signal::TERM, rustix::process::Signal::QUIT] {
        let mut server = env
            .cmd(&["-c", config.to_str().unwrap(), "server", "--foreground"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        env.wait_capture("box:flood", "flooding");
        let pid = rustix::process::Pid::from_raw(server.id() as i32).unwrap();
        rustix::process::kill_process(pid, signal).unwrap();
        let status = wait_until("the server to stop", || server.try_wait().unwrap());
        assert_eq!(status.code(), Some(0), "{signal:?}");
    }
}
