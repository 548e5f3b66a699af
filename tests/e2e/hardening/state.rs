//! Saved state is never lost, shared or exposed: sessions created before `resurrect` push no
//! saved session out, two servers never share a file, the state dir and its files are private
//! whatever the umask, nothing is written through a symlink, and damaged, cut, half-restorable
//! or newer state files are reported and kept.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::harness::*;

fn state_dir(env: &Env) -> PathBuf {
    env.path("state").join("appmux")
}

fn state_file(env: &Env) -> PathBuf {
    state_dir(env).join("sessions-default.json")
}

fn saved(path: &Path) -> Option<Value> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// The names of the sessions in a state file, in its order.
fn saved_names(path: &Path) -> Vec<String> {
    saved(path)
        .and_then(|s| {
            let list = s["sessions"].as_array()?.clone();
            Some(
                list.iter()
                    .filter_map(|x| Some(x["name"].as_str()?.to_owned()))
                    .collect(),
            )
        })
        .unwrap_or_default()
}

fn session_names(env: &Env, args: &[&str]) -> Vec<String> {
    let out = env.ok(&[args, &["ls", "--json"]].concat());
    let ls: Value = serde_json::from_str(&out).unwrap();
    ls["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A detached session running `sh -c SCRIPT` as its one app.
fn new_session(env: &Env, name: &str, script: &str) {
    env.ok(&["new", "-d", "-s", name, "--", "sh", "-c", script]);
}

/// Waits until the state file names exactly these sessions (in any order).
fn wait_saved(env: &Env, names: &[&str]) {
    let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    want.sort();
    wait_until(&format!("the state file to hold {names:?}"), || {
        let mut got = saved_names(&state_file(env));
        got.sort();
        (got == want).then_some(())
    });
}

#[test]
fn a_session_created_before_resurrect_keeps_the_saved_ones_and_both_come_back() {
    let env = Env::new();
    new_session(&env, "main", "echo saved-main; exec sleep 1000");
    new_session(&env, "other", "echo saved-other; exec sleep 1000");
    wait_saved(&env, &["main", "other"]);
    env.ok(&["kill-server"]);

    // After a boot, a plain `appmux` creates `main` before anyone thinks of resurrecting.
    new_session(&env, "main", "echo new-main; exec sleep 1000");
    wait_saved(&env, &["main", "main", "other"]);
    let out = env.ok(&["resurrect"]);
    assert!(out.contains("restored other"), "{out}");
    assert!(out.contains("restored main as main-2"), "{out}");
    let mut names = session_names(&env, &[]);
    names.sort();
    assert_eq!(names, ["main", "main-2", "other"]);
    env.wait_capture("main-2", "saved-main");
    env.wait_capture("main", "new-main");

    // All three are saved now, and all three come back after the next stop.
    wait_saved(&env, &["main", "main-2", "other"]);
    env.ok(&["kill-server"]);
    let out = env.ok(&["resurrect"]);
    for name in ["main", "main-2", "other"] {
        assert!(out.contains(&format!("restored {name}\n")), "{out}");
    }
}

#[test]
fn servers_on_sockets_of_the_same_name_share_no_state() {
    let env = Env::new();
    let one = env.path("one").join("sock");
    let two = env.path("two").join("sock");
    let (one, two) = (one.to_str().unwrap(), two.to_str().unwrap());
    let script = |what: &str| format!("trap '' HUP; echo from-{what}; exec sleep 1000");
    env.ok(&[
        "-S",
        one,
        "new",
        "-d",
        "-s",
        "main",
        "--",
        "sh",
        "-c",
        &script("one"),
    ]);
    env.ok(&[
        "-S",
        two,
        "new",
        "-d",
        "-s",
        "main",
        "--",
        "sh",
        "-c",
        &script("two"),
    ]);
    let ls: Value = serde_json::from_str(&env.ok(&["-S", two, "ls", "--json"])).unwrap();
    let two_app = ls["sessions"][0]["apps"][0]["pid"].as_u64().unwrap() as u32;
    let files = || -> Vec<PathBuf> {
        std::fs::read_dir(state_dir(&env))
            .unwrap()
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| p.to_string_lossy().ends_with(".json"))
            .collect()
    };
    wait_until("a state file for each server", || {
        (files()
            .iter()
            .filter(|f| saved_names(f) == ["main"])
            .count()
            == 2)
            .then_some(())
    });

    // The second server saves last: its file must not be what the first one resurrects.
    env.ok(&["-S", one, "kill-server"]);
    env.ok(&["-S", two, "save"]);
    let out = env.ok(&["-S", one, "resurrect", "--kill-orphans"]);
    assert!(out.contains("restored main"), "{out}");
    assert!(!out.contains("ended"), "{out}");
    assert!(alive(two_app), "the other server's app was killed");
    let capture = wait_until("the first server's own session", || {
        let out = env.ok(&["-S", one, "capture", "-t", "main"]);
        out.contains("from-one").then_some(out)
    });
    assert!(!capture.contains("from-two"), "{capture}");
    for sock in [one, two] {
        env.ok(&["-S", sock, "kill-server"]);
    }
}

#[test]
fn servers_on_different_sockets_write_separate_app_logs() {
    let env = Env::new();
    for name in ["a", "b"] {
        let script = format!("echo log-of-{name}; exec sleep 1000");
        env.ok(&[
            "-L", name, "new", "-d", "-s", "main", "--", "sh", "-c", &script,
        ]);
    }
    for (name, other) in [("a", "b"), ("b", "a")] {
        let log = wait_until(&format!("the log of server {name}"), || {
            let out = env.run(&["-L", name, "logs", "main:sh", "-n", "100"]);
            let log = String::from_utf8_lossy(&out.stdout).into_owned();
            log.contains(&format!("log-of-{name}")).then_some(log)
        });
        assert!(!log.contains(&format!("log-of-{other}")), "{log}");
    }
    let paths: Vec<String> = ["a", "b"]
        .iter()
        .map(|name| {
            let ls: Value = serde_json::from_str(&env.ok(&["-L", name, "ls", "--json"])).unwrap();
            ls["sessions"][0]["apps"][0]["log_file"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_ne!(paths[0], paths[1]);
    for name in ["a", "b"] {
        env.ok(&["-L", name, "kill-server"]);
    }
}

#[test]
fn the_state_dir_and_its_files_are_private_whatever_the_umask() {
    let env = Env::new();
    let mut cmd = env.cmd(&["server", "--foreground"]);
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // SAFETY: umask is async-signal-safe and touches no memory of ours.
    unsafe {
        cmd.pre_exec(|| {
            libc::umask(0);
            Ok(())
        });
    }
    let mut server = cmd.spawn().unwrap();
    wait_until("the foreground server", || env.server_pid());
    env.cmd(&[
        "new",
        "-d",
        "-s",
        "s",
        "--",
        "sh",
        "-c",
        "echo hi; exec sleep 1000",
    ])
    .env("AWS_SECRET_ACCESS_KEY", "very-secret")
    .output()
    .unwrap();
    let log = env.log_file("s", "sh");
    wait_until("the session and its log to be written", || {
        let state = std::fs::read_to_string(state_file(&env)).ok()?;
        (state.contains("very-secret") && log.exists()).then_some(())
    });
    assert_eq!(mode(&state_dir(&env)), 0o700);
    assert_eq!(mode(&state_file(&env)), 0o600);
    assert_eq!(mode(log.parent().unwrap()), 0o700);
    assert_eq!(mode(log.parent().unwrap().parent().unwrap()), 0o700);
    assert_eq!(mode(&log), 0o600);
    env.ok(&["kill-server"]);
    wait_until("the server to exit", || server.try_wait().unwrap());
}

#[test]
fn a_loose_state_dir_and_its_files_are_made_private() {
    let env = Env::new();
    let dir = state_dir(&env);
    let old_log = dir.join("logs/old/app.log");
    std::fs::create_dir_all(old_log.parent().unwrap()).unwrap();
    std::fs::write(&old_log, b"old output\n").unwrap();
    std::fs::write(state_file(&env), br#"{"version":1,"sessions":[]}"#).unwrap();
    std::fs::write(dir.join("server-default.log"), b"").unwrap();
    for (path, m) in [
        (dir.clone(), 0o755),
        (dir.join("logs"), 0o755),
        (dir.join("logs/old"), 0o755),
        (old_log.clone(), 0o644),
        (state_file(&env), 0o644),
        (dir.join("server-default.log"), 0o644),
    ] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(m)).unwrap();
    }
    new_session(&env, "s", "exec sleep 1000");
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("logs")), 0o700);
    assert_eq!(mode(&dir.join("logs/old")), 0o700);
    assert_eq!(mode(&old_log), 0o600);
    assert_eq!(mode(&dir.join("server-default.log")), 0o600);
    wait_saved(&env, &["s"]);
    assert_eq!(mode(&state_file(&env)), 0o600);
}

#[test]
fn state_and_logs_are_never_written_through_a_symlink() {
    let env = Env::new();
    let dir = state_dir(&env);
    std::fs::create_dir_all(dir.join("logs/s")).unwrap();
    let victim = env.path("victim");
    std::fs::write(&victim, b"precious\n").unwrap();
    std::os::unix::fs::symlink(&victim, dir.join("sessions-default.json.tmp")).unwrap();
    std::os::unix::fs::symlink(&victim, env.log_file("s", "sh")).unwrap();
    new_session(&env, "s", "echo through-the-link; exec sleep 1000");
    env.wait_capture("s", "through-the-link");
    wait_until("the log write to be refused", || {
        (env.app("s", None)?["log_dropped"].as_u64()? > 0).then_some(())
    });
    wait_saved(&env, &["s"]);
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious\n");
    assert!(
        std::fs::symlink_metadata(dir.join("sessions-default.json"))
            .unwrap()
            .is_file()
    );
}

/// A state file with the session `keep` as a real server saved it, for tests to spoil.
fn saved_keep(env: &Env) -> Value {
    new_session(env, "keep", "echo kept; exec sleep 1000");
    wait_saved(env, &["keep"]);
    env.ok(&["kill-server"]);
    saved(&state_file(env)).unwrap()
}

#[test]
fn a_session_that_cannot_be_restored_leaves_nothing_and_resurrect_fails() {
    let env = Env::new();
    let mut state = saved_keep(&env);
    let marker = env.path("started");
    let good = state["sessions"][0].clone();
    let mut twice = good.clone();
    twice["name"] = "twice".into();
    let app = &mut twice["apps"][0];
    let script = format!("touch {}; exec sleep 1000", marker.display());
    app["spec"]["cmd"] = serde_json::json!({ "Shell": script });
    let copy = app.clone();
    twice["apps"].as_array_mut().unwrap().push(copy);
    let mut lost = good.clone();
    lost["name"] = "lost".into();
    lost["windows"][0]["panes"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .for_each(|v| *v = "nosuchapp".into());
    state["sessions"] = Value::Array(vec![twice, good, lost]);
    std::fs::write(state_file(&env), state.to_string()).unwrap();

    let out = env.run(&["resurrect"]);
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("restored keep"), "{stdout}");
    assert!(stderr.contains("session twice"), "{stderr}");
    assert!(stderr.contains("session lost"), "{stderr}");
    assert_eq!(session_names(&env, &[]), ["keep"]);
    assert!(!marker.exists(), "an app of the failed session was started");
    // The sessions that failed are kept in the file put aside.
    let aside = stderr
        .split("kept as ")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap();
    assert_eq!(saved_names(Path::new(aside)), ["twice", "keep", "lost"]);
}

#[test]
fn a_cut_state_file_restores_its_complete_sessions() {
    let env = Env::new();
    new_session(&env, "first", "echo first; exec sleep 1000");
    new_session(&env, "second", "echo second; exec sleep 1000");
    wait_saved(&env, &["first", "second"]);
    env.ok(&["kill-server"]);
    let bytes = std::fs::read(state_file(&env)).unwrap();
    let second = String::from_utf8_lossy(&bytes).find("\"second\"").unwrap();
    std::fs::write(state_file(&env), &bytes[..second + 4]).unwrap();

    let out = env.run(&["resurrect"]);
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("restored first"), "{stdout}");
    assert!(stderr.contains("1 complete session"), "{stderr}");
    assert!(stderr.contains("kept as"), "{stderr}");
    assert_eq!(session_names(&env, &[]), ["first"]);
}

#[test]
fn damaged_files_kept_aside_in_the_same_second_keep_their_own_names() {
    let env = Env::new();
    std::fs::create_dir_all(state_dir(&env)).unwrap();
    for damage in ["first damage", "second damage"] {
        std::fs::write(state_file(&env), damage).unwrap();
        let out = env.run(&["resurrect"]);
        assert!(!out.status.success());
        env.ok(&["kill-server"]);
    }
    let mut kept: Vec<Vec<u8>> = std::fs::read_dir(state_dir(&env))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".json.bad-"))
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    kept.sort();
    assert_eq!(kept, [b"first damage".to_vec(), b"second damage".to_vec()]);
}

#[test]
fn a_state_file_of_a_newer_format_is_refused_and_left_as_it_is() {
    let env = Env::new();
    let mut state = saved_keep(&env);
    state["version"] = 99.into();
    let newer = serde_json::to_vec(&state).unwrap();
    std::fs::write(state_file(&env), &newer).unwrap();

    let out = env.run(&["resurrect"]);
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("newer appmux"), "{stderr}");
    assert!(session_names(&env, &[]).is_empty());
    // Nothing this server does replaces it.
    new_session(&env, "other", "exec sleep 1000");
    let out = env.run(&["save"]);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("newer appmux"), "{}", text(&out).1);
    env.ok(&["kill-server"]);
    assert_eq!(std::fs::read(state_file(&env)).unwrap(), newer);
}
