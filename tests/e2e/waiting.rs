//! `start`, `stop` and `restart` wait until the apps got where they were asked, print one
//! line per app, and exit 1 with the reason when one did not; `--no-wait` returns at once.

use crate::harness::*;

const PROJECT: &str = r#"
session = "v"
[[app]]
name = "api"
cmd = "exec sleep 1000"
min_uptime = "300ms"
[[app]]
name = "web"
cmd = "sleep 0.5; echo listening; exec sleep 1000"
ready = { log = "listening", interval = "100ms" }
[[app]]
name = "stubborn"
cmd = "trap '' TERM; echo stubborn-up; while :; do sleep 0.1; done"
stop_timeout = "1h"
autostart = false
[[app]]
name = "bad"
cmd = "exit 3"
restart = "on-failure"
backoff = { initial = "5s" }
autostart = false
"#;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn state(env: &Env, app: &str) -> String {
    env.app("v", Some(app)).unwrap()["state"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn session(env: &Env) {
    let dir = env.project("v", PROJECT);
    env.ok(&["new", "-d", "-c", dir.join("appmux.toml").to_str().unwrap()]);
}

#[test]
fn stop_start_and_restart_wait_and_say_what_happened() {
    let env = Env::new();
    session(&env);
    // `restart` returns once web's readiness probe passed, not as soon as it runs.
    let out = env.ok(&["restart", "web", "api", "-t", "v"]);
    assert!(
        out.contains("web: ready") && out.contains("api: running"),
        "{out}"
    );
    let web = env.app("v", Some("web")).unwrap();
    assert_eq!(
        (web["state"].as_str(), web["ready"].as_bool()),
        (Some("running"), Some(true))
    );
    // `stop all` returns once every app is stopped.
    let out = env.ok(&["stop", "all", "-t", "v"]);
    for app in ["api", "web", "stubborn", "bad"] {
        assert!(out.contains(&format!("{app}: stopped")), "{out}");
        assert_eq!(state(&env, app), "stopped");
    }
    let out = env.ok(&["start", "api", "-t", "v"]);
    assert_eq!(out, "api: running\n");
    assert!(env.app("v", Some("api")).unwrap()["uptime_s"].is_number());
}

#[test]
fn start_fails_with_the_reason_when_an_app_dies_at_once() {
    let env = Env::new();
    session(&env);
    let out = env.run(&["start", "bad", "api", "-t", "v"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = stdout(&out);
    assert!(
        said.contains("bad: failed: it exited with code 3"),
        "{said}"
    );
    assert!(said.contains("api: running"), "{said}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad did not get up"), "{err}");
    // Bad input changes nothing: an unknown name is refused before anything is touched.
    let out = env.run(&["stop", "api", "nosuch", "-t", "v"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nosuch"));
    assert_eq!(state(&env, "api"), "running");
}

#[test]
fn stop_gives_up_at_its_limit_and_no_wait_returns_at_once() {
    let env = Env::new();
    session(&env);
    env.ok(&["start", "stubborn", "-t", "v"]);
    env.wait_capture("v:stubborn", "stubborn-up");
    // It ignores SIGTERM and its stop timeout is an hour: --timeout bounds the wait.
    let out = env.run(&["stop", "stubborn", "-t", "v", "--timeout", "500ms"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stdout(&out).contains("stubborn: failed: timed out, still stopping"),
        "{out:?}"
    );
    // --no-wait returns while it is still on its way out.
    env.ok(&["stop", "stubborn", "-t", "v", "--no-wait"]);
    assert_eq!(state(&env, "stubborn"), "stopping");
    env.ok(&["action", "-t", "v", "app.kill", "stubborn"]);
    wait_until("stubborn to be killed", || {
        (state(&env, "stubborn") != "stopping").then_some(())
    });
}
