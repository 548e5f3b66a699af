//! Dependencies and probes through the real binary: apps start in order once what they need is
//! ready, wait (and say why) when it cannot be, stop dependents first, follow a restarted
//! dependency; readiness and health probes of every kind against real servers and commands,
//! including the ones that hang; `wait`, `why` and `describe` for scripts and people.

use std::io::{Read, Write};
use std::net::TcpListener;

use serde_json::Value;

use super::{start, stderr};
use crate::harness::*;

fn app(env: &Env, session: &str, name: &str) -> Value {
    env.app(session, Some(name))
        .unwrap_or_else(|| panic!("no app {session}:{name}"))
}

fn wait_state(env: &Env, session: &str, name: &str, state: &str) -> Value {
    wait_until(&format!("{session}:{name} to be {state}"), || {
        let a = env.app(session, Some(name))?;
        (a["state"] == state).then_some(a)
    })
}

/// Waits until the app waits for what cannot happen (`blocked` says why).
fn wait_blocked(env: &Env, session: &str, name: &str) -> Value {
    wait_until(&format!("{session}:{name} to be blocked"), || {
        let a = env.app(session, Some(name))?;
        a["blocked"].is_string().then_some(a)
    })
}

/// A port nothing listens on (bound, read, and let go).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_dependent_starts_only_once_its_dependency_is_ready() {
    let env = Env::new();
    start(
        &env,
        "chain",
        r#"
session = "chain"
[[app]]
name = "web"
cmd = "echo web up; sleep 1000"
depends_on = ["db"]

[[app]]
name = "db"
cmd = "sleep 1; echo listening on 5432; sleep 1000"
ready = { log = "listening on .*5432", interval = "100ms" }
"#,
    );
    // Declared first, started second: it waits, and says for what.
    let web = app(&env, "chain", "web");
    assert_eq!(web["state"], "waiting", "{web}");
    assert_eq!(web["pid"], Value::Null);
    assert_eq!(web["waiting_for"][0]["app"], "db", "{web}");
    assert_eq!(web["waiting_for"][0]["condition"], "ready", "{web}");
    assert_eq!(web["depends_on"][0]["app"], "db", "{web}");
    let db = app(&env, "chain", "db");
    assert_eq!(db["ready"], false, "{db}");
    let ls = env.ok(&["ls"]);
    assert!(ls.contains("waiting for db ready"), "{ls}");
    // `wait` returns once web is ready (running: it has no probe).
    let out = env.run(&["wait", "web", "--timeout", "30s", "-t", "chain"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let db = app(&env, "chain", "db");
    assert_eq!(db["ready"], true, "db was ready before web started: {db}");
    let web = app(&env, "chain", "web");
    assert_eq!(web["state"], "running");
    assert_eq!(web["ready"], Value::Null, "no readiness probe: {web}");
    assert!(web["waiting_for"].as_array().unwrap().is_empty());
    // The log says when db became ready, before web's start.
    let db_log = env.ok(&["logs", "db", "-t", "chain", "-n", "100"]);
    assert!(db_log.contains("ready (run 1)"), "{db_log}");
}

#[test]
fn a_failed_one_shot_task_leaves_its_dependent_waiting_with_the_reason() {
    let env = Env::new();
    start(
        &env,
        "mig",
        r#"
session = "mig"
[[app]]
name = "api"
cmd = "echo api; sleep 1000"
depends_on = { migrate = "completed" }

[[app]]
name = "migrate"
cmd = "echo migrating; exit 1"
restart = "never"
"#,
    );
    wait_state(&env, "mig", "migrate", "exited");
    let api = wait_blocked(&env, "mig", "api");
    assert_eq!(api["state"], "waiting");
    assert_eq!(api["pid"], Value::Null, "never started: {api}");
    assert!(
        api["blocked"].as_str().unwrap().contains("migrate"),
        "{api}"
    );
    let out = env.run(&["wait", "api", "--timeout", "20s", "-t", "mig"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("migrate") && err.contains("code 1"), "{err}");
    let why = env.ok(&["why", "api", "-t", "mig"]);
    assert!(
        why.contains("cannot start") && why.contains("migrate"),
        "{why}"
    );
    // A failed task can never be completed: `wait --for completed` says so at once.
    let out = env.run(&[
        "wait",
        "migrate",
        "--for",
        "completed",
        "-t",
        "mig",
        "--timeout",
        "1s",
    ]);
    assert_eq!(out.status.code(), Some(1), "a failed task never completes");
}

#[test]
fn a_dependency_that_never_becomes_ready_keeps_its_dependent_waiting() {
    let env = Env::new();
    let port = free_port();
    start(
        &env,
        "never",
        &format!(
            r#"
session = "never"
[[app]]
name = "db"
cmd = "sleep 1000"
ready = {{ tcp = "127.0.0.1:{port}", interval = "100ms", timeout = "200ms" }}

[[app]]
name = "web"
cmd = "echo web; sleep 1000"
depends_on = ["db"]

[[app]]
name = "cache"
cmd = "sleep 1000"
ready = {{ tcp = "127.0.0.1:{port}", interval = "100ms", timeout_total = "1s" }}

[[app]]
name = "worker"
cmd = "sleep 1000"
depends_on = ["cache"]
"#
        ),
    );
    // No limit: `wait` times out and says what web is doing.
    let out = env.run(&["wait", "web", "--timeout", "1s", "-t", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("timed out") && err.contains("waiting for db"),
        "{err}"
    );
    let web = app(&env, "never", "web");
    assert_eq!(web["state"], "waiting");
    assert_eq!(web["pid"], Value::Null);
    // With `timeout_total`, cache gives up: not ready, and worker is blocked by it.
    let worker = wait_blocked(&env, "never", "worker");
    assert!(
        worker["blocked"].as_str().unwrap().contains("not ready"),
        "{worker}"
    );
    let ls = env.ok(&["ls"]);
    assert!(ls.contains("not ready"), "{ls}");
    let why = env.ok(&["why", "db", "-t", "never"]);
    assert!(
        why.contains("readiness probe") && why.contains("failed"),
        "{why}"
    );
    let out = env.run(&["wait", "worker", "-t", "never", "--timeout", "20s"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not ready"), "{}", stderr(&out));
}

/// A one-connection-at-a-time HTTP server: `200 OK` for `/ok`, `503` otherwise, or nothing
/// at all (it accepts and holds the connection) when `silent`.
fn http_server(silent: bool) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            if silent {
                held.push(stream);
                continue;
            }
            let mut buf = [0u8; 1024];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]);
            let status = if request.starts_with("GET /ok ") {
                "200 OK"
            } else {
                "503 Service Unavailable"
            };
            let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n");
        }
    });
    port
}

#[test]
fn http_tcp_and_exec_probes_pass_and_fail_for_real() {
    let env = Env::new();
    let good = http_server(false);
    let silent = http_server(true);
    start(
        &env,
        "probes",
        &format!(
            r#"
session = "probes"
[[app]]
name = "http-ok"
cmd = "sleep 1000"
ready = {{ http = "http://127.0.0.1:{good}/ok", interval = "100ms" }}

[[app]]
name = "http-503"
cmd = "sleep 1000"
ready = {{ http = "http://127.0.0.1:{good}/down", interval = "100ms" }}

[[app]]
name = "http-silent"
cmd = "sleep 1000"
ready = {{ http = "http://127.0.0.1:{silent}/", interval = "100ms", timeout = "300ms" }}

[[app]]
name = "tcp-ok"
cmd = "sleep 1000"
ready = {{ tcp = "127.0.0.1:{good}", interval = "100ms" }}

[[app]]
name = "exec-ok"
cmd = "sleep 1000"
env = {{ MARK = "here" }}
ready = {{ exec = "test \"$MARK\" = here && test -f appmux.toml", interval = "100ms" }}

[[app]]
name = "exec-hangs"
cmd = "sleep 1000"
ready = {{ exec = ["sleep", "4242"], interval = "100ms", timeout = "200ms" }}

[[app]]
name = "exec-missing"
cmd = "sleep 1000"
ready = {{ exec = ["no-such-probe-command"], interval = "100ms" }}
"#
        ),
    );
    for name in ["http-ok", "tcp-ok", "exec-ok"] {
        let out = env.run(&["wait", name, "-t", "probes", "--timeout", "30s"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
    }
    let failing = [
        ("http-503", "HTTP status 503"),
        ("http-silent", "timed out"),
        ("exec-hangs", "timed out"),
        ("exec-missing", "command not found"),
    ];
    for (name, reason) in failing {
        let why = wait_until(&format!("{name}'s probe to fail"), || {
            let v: Value =
                serde_json::from_str(&env.ok(&["why", name, "-t", "probes", "--json"])).ok()?;
            v["ready"]["last"]["error"]
                .as_str()?
                .contains(reason)
                .then_some(v)
        });
        assert_eq!(app(&env, "probes", name)["ready"], false, "{why}");
    }
    // A hung exec probe is killed at its timeout, not left behind.
    wait_until("hung probes to be killed", || {
        (processes_matching("sleep 4242").len() <= 1).then_some(())
    });
    let d: Value =
        serde_json::from_str(&env.ok(&["describe", "http-ok", "-t", "probes", "--json"])).unwrap();
    assert_eq!(d["probes"]["ready"]["kind"], "http", "{d}");
    assert_eq!(d["probes"]["ready"]["state"], "ready", "{d}");
    assert_eq!(d["probes"]["ready"]["last"]["ok"], true, "{d}");
}

#[test]
fn a_health_probe_that_keeps_failing_restarts_the_app_through_its_policy() {
    let env = Env::new();
    let port = free_port();
    start(
        &env,
        "sick",
        &format!(
            r#"
session = "sick"
[[app]]
name = "api"
cmd = "echo serving; sleep 1000"
restart = "always"
min_uptime = "100ms"
backoff = {{ initial = "2s" }}
health = {{ tcp = "127.0.0.1:{port}", interval = "100ms", failures = 3 }}
"#
        ),
    );
    let mut events = env
        .cmd(&["events", "--json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let first = wait_state(&env, "sick", "api", "running")["pid"].clone();
    let api = wait_until("api to be restarted", || {
        let a = env.app("sick", Some("api"))?;
        (a["restarts"].as_u64()? >= 1).then_some(a)
    });
    assert_ne!(api["pid"], first);
    let log = env.ok(&["logs", "api", "-t", "sick", "-n", "100"]);
    assert!(
        log.contains("unhealthy: health probe tcp 127.0.0.1") && log.contains("failed 3 times"),
        "{log}"
    );
    let _ = events.kill();
    let out = events.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|l| l.contains("apps:probe")
            && l.contains("unhealthy")
            && l.contains("\"failures\":3")),
        "{text}"
    );
}

#[test]
fn probes_that_fall_due_together_are_all_served_and_keep_running() {
    // More apps than the loop serves probes for in one turn (it takes them in batches, so that
    // a typed key never waits behind all of them), every probe due at the same moment: each
    // app is probed, becomes healthy, and keeps being probed on its interval.
    const APPS: usize = 30;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    });
    let mut toml = String::from("session = \"many\"\n");
    for i in 0..APPS {
        toml += &format!(
            "[[app]]\nname = \"app{i}\"\ncmd = \"sleep 1000\"\n\
             health = {{ http = \"http://127.0.0.1:{port}/\", interval = \"200ms\" }}\n"
        );
    }
    let env = Env::new();
    start(&env, "many", &toml);
    wait_until("every app healthy", || {
        let ls = env.ls_json();
        let apps = ls["sessions"][0]["apps"].as_array()?.clone();
        (apps.len() == APPS && apps.iter().all(|a| a["health"] == "healthy")).then_some(())
    });
    let before = served.load(std::sync::atomic::Ordering::Relaxed);
    wait_until("three more rounds of probes", || {
        (served.load(std::sync::atomic::Ordering::Relaxed) >= before + 3 * APPS).then_some(())
    });
}

#[test]
fn start_app_starts_what_it_needs_and_stop_all_stops_dependents_first() {
    let env = Env::new();
    let dir = env.path("order");
    std::fs::create_dir_all(&dir).unwrap();
    let order = dir.join("order.txt");
    let script = |name: &str| {
        format!(
            "trap 'echo {name} >> {path}; exit 0' TERM; echo {name} up; while :; do sleep 0.05; done",
            path = order.display()
        )
    };
    start(
        &env,
        "order",
        &format!(
            r#"
session = "order"
[[app]]
name = "shell"
cmd = "sleep 1000"

[[app]]
name = "web"
cmd = "{}"
autostart = false
depends_on = {{ api = "started" }}

[[app]]
name = "api"
cmd = "{}"
autostart = false
depends_on = ["db"]

[[app]]
name = "db"
cmd = "{}"
autostart = false
"#,
            script("web"),
            script("api"),
            script("db")
        ),
    );
    assert_eq!(app(&env, "order", "db")["state"], "stopped");
    env.ok(&["start", "web", "-t", "order"]);
    let out = env.run(&[
        "wait",
        "web",
        "db",
        "api",
        "--for",
        "running",
        "-t",
        "order",
        "--timeout",
        "30s",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    env.ok(&["stop", "all", "-t", "order"]);
    for name in ["web", "api", "db"] {
        wait_state(&env, "order", name, "stopped");
    }
    let stopped = std::fs::read_to_string(&order).unwrap();
    assert_eq!(stopped, "web\napi\ndb\n", "dependents stop first");
}

#[test]
fn a_restart_true_dependent_follows_its_dependency() {
    let env = Env::new();
    start(
        &env,
        "follow",
        r#"
session = "follow"
[[app]]
name = "db"
cmd = "echo ready now; sleep 1000"
ready = { log = "ready now" }

[[app]]
name = "web"
cmd = "sleep 1000"
depends_on = { db = { condition = "ready", restart = true } }

[[app]]
name = "plain"
cmd = "sleep 1000"
depends_on = ["db"]
"#,
    );
    let out = env.run(&["wait", "web", "plain", "-t", "follow", "--timeout", "30s"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let web = app(&env, "follow", "web")["pid"].clone();
    let plain = app(&env, "follow", "plain")["pid"].clone();
    env.ok(&["restart", "db", "-t", "follow"]);
    wait_until("web to follow db", || {
        let a = env.app("follow", Some("web"))?;
        (a["restarts"] == 1 && a["state"] == "running").then_some(())
    });
    assert_ne!(app(&env, "follow", "web")["pid"], web);
    assert_eq!(
        app(&env, "follow", "plain")["pid"],
        plain,
        "no restart = true"
    );
}

#[test]
fn deleting_an_app_others_depend_on_is_refused_unless_forced() {
    let env = Env::new();
    start(
        &env,
        "del",
        r#"
session = "del"
[[app]]
name = "db"
cmd = "sleep 1000"

[[app]]
name = "web"
cmd = "sleep 1000"
depends_on = ["db"]
autostart = false
"#,
    );
    let out = env.run(&["delete", "db", "-t", "del"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("web"), "{}", stderr(&out));
    assert_eq!(app(&env, "del", "db")["state"], "running");
    env.ok(&["rm", "db", "--force", "-t", "del"]);
    assert!(env.app("del", Some("db")).is_none());
    // `start` waits, sees that web cannot start, and says why.
    let out = env.run(&["start", "web", "-t", "del"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("web: failed:") && said.contains("db"),
        "{said}"
    );
    assert!(
        stderr(&out).contains("web did not get up"),
        "{}",
        stderr(&out)
    );
    let web = wait_blocked(&env, "del", "web");
    assert_eq!(web["state"], "waiting");
    assert!(web["blocked"].as_str().unwrap().contains("db"), "{web}");
}

#[test]
fn the_sidebar_shows_waiting_and_ready_apps() {
    let env = Env::new();
    let file = env
        .project(
            "side",
            r#"
session = "side"
[[app]]
name = "db"
cmd = "echo booting; read line; echo up; sleep 1000"
ready = { log = "^up$" }

[[app]]
name = "web"
cmd = "sleep 1000"
depends_on = ["db"]
"#,
        )
        .join("appmux.toml");
    env.ok(&["new", "-d", "-c", file.to_str().unwrap()]);
    let term = env.attach(&["attach", "-t", "side"], 100, 30);
    term.wait_for("for db");
    term.wait_for("waiting");
    env.ok(&["send-keys", "-t", "side:db", "go", "Enter"]);
    term.wait_for("ready");
    wait_state(&env, "side", "web", "running");
}

#[test]
fn kill_session_and_kill_server_stop_dependents_first() {
    let env = Env::new();
    let dir = env.path("kills");
    std::fs::create_dir_all(&dir).unwrap();
    let project = |session: &str, order: &std::path::Path| {
        let script = |name: &str| {
            format!(
                "trap 'if [ -z \\\"$done\\\" ]; then done=1; echo {name} >> {path}; fi; exit 0' HUP TERM; echo {name} up; while :; do sleep 0.05; done",
                path = order.display()
            )
        };
        format!(
            r#"
session = "{session}"
[[app]]
name = "db"
cmd = "{}"

[[app]]
name = "api"
cmd = "{}"
depends_on = {{ db = "started" }}

[[app]]
name = "web"
cmd = "{}"
depends_on = {{ api = "started" }}
"#,
            script("db"),
            script("api"),
            script("web")
        )
    };
    for (session, kill) in [("ks", "kill-session"), ("kv", "kill-server")] {
        let order = dir.join(format!("{session}.txt"));
        start(&env, session, &project(session, &order));
        let out = env.run(&[
            "wait",
            "web",
            "--for",
            "running",
            "-t",
            session,
            "--timeout",
            "30s",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        // Each has set its trap once it says it is up; a stop before that leaves no line.
        for name in ["db", "api", "web"] {
            env.wait_capture(&format!("{session}:{name}"), &format!("{name} up"));
        }
        match kill {
            "kill-session" => env.ok(&["kill-session", "-t", session]),
            _ => env.ok(&["kill-server"]),
        };
        let stopped = wait_until(&format!("{kill} to stop all three"), || {
            let text = std::fs::read_to_string(&order).ok()?;
            (text.lines().count() == 3).then_some(text)
        });
        assert_eq!(stopped, "web\napi\ndb\n", "{kill}: dependents stop first");
    }
}
