//! The JSON contract end to end: every `--json` output and control API message of the real
//! binary, on a session that exercises probes, dependencies, instances, watch, env, exits and
//! events, conforms to what `appmux schema` says, and carries `"schema": 1`.

#[path = "contract/validate.rs"]
mod validate;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use serde_json::{Value, json};

use crate::harness::*;

const PROJECT: &str = r#"session = "shape"
[[app]]
name = "db"
cmd = "echo listening; exec sleep 1000"
ready = { log = "listening", interval = "100ms" }
health = { exec = "true", interval = "200ms" }
env = { API_KEY = "s3cret", LEVEL = "debug" }
watch = ["src"]

[[app]]
name = "api"
cmd = "echo api-up; exec sleep 1000"
depends_on = { db = "ready" }
instances = 2
port = 4300

[[app]]
name = "job"
cmd = "echo once; exit 3"
restart = "never"
"#;

/// The schema of document `name`, as `appmux schema NAME` prints it.
fn schema(env: &Env, name: &str) -> Value {
    serde_json::from_str(&env.ok(&["schema", name])).expect("a schema is JSON")
}

/// Panics with every problem when `doc` does not conform to document `name`'s schema, both as
/// printed alone and as part of the whole contract.
fn conforms(env: &Env, whole: &Value, name: &str, doc: &Value) {
    let errors = validate::errors(&schema(env, name), doc);
    assert!(errors.is_empty(), "{name}: {errors:#?}\nin {doc:#}");
    let in_whole = json!({"$defs": whole["$defs"], "anyOf": [whole["documents"][name]]});
    let errors = validate::errors(&in_whole, doc);
    assert!(errors.is_empty(), "{name} in the whole schema: {errors:#?}");
}

/// A document's version: 1, on the document or (for a bare array) on each entry.
fn versioned(doc: &Value) {
    match doc {
        Value::Array(items) => items.iter().for_each(versioned),
        other => assert_eq!(other["schema"], 1, "{other}"),
    }
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn every_json_output_conforms_to_appmux_schema() {
    let env = Env::new();
    let whole: Value = json_of(&env.ok(&["schema"]));
    assert_eq!(whole["schema"], 1);
    let check = |name: &str, doc: &Value| {
        versioned(doc);
        conforms(&env, &whole, name, doc);
    };

    // With no server, `ls --json` is an empty document, and exits 0.
    let empty = json_of(&env.ok(&["ls", "--json"]));
    assert_eq!(empty["server_pid"], Value::Null);
    assert_eq!(empty["sessions"], json!([]));
    check("ls", &empty);
    check(
        "action-list",
        &json_of(&env.ok(&["action", "list", "--json"])),
    );

    let dir = env.project("shape", PROJECT);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let file = dir.join("appmux.toml");
    let file = file.to_str().unwrap();
    let good = json_of(&env.ok(&["check", "--json", file]));
    assert_eq!(good["ok"], true);
    check("check", &good);
    let bad_file = env
        .project("bad", "[[app]]\nname = 3\n")
        .join("appmux.toml");
    let bad = env.run(&["check", "--json", bad_file.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = json_of(&String::from_utf8_lossy(&bad.stdout));
    assert_eq!(bad["ok"], false);
    assert!(
        bad["problems"]
            .to_string()
            .contains("appmux.toml:2:8: `name`"),
        "{bad}"
    );
    check("check", &bad);

    // Events from before the session exists: `sessions`, `apps:state`, `apps:exit`,
    // `apps:probe` and `metrics`.
    env.ok(&["new", "-d", "-s", "first", "--", "sleep", "1000"]);
    let mut events = env
        .cmd(&["events", "--json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = events.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // The subscription is in place once a session created after it is announced.
    let mut lines: Vec<String> = Vec::new();
    let mut tries = 0;
    wait_until("events to flow", || {
        tries += 1;
        let name = format!("probe-{tries}");
        env.ok(&["new", "-d", "-s", &name, "--", "sleep", "1000"]);
        env.ok(&["kill-session", "-t", &name]);
        lines.extend(rx.try_iter());
        lines
            .iter()
            .any(|l| l.contains("\"sessions\""))
            .then_some(())
    });
    env.ok(&["new", "-d", "-c", file]);
    wait_until("db healthy and api-0 running", || {
        let db = env.app("shape", Some("db"))?;
        let api = env.app("shape", Some("api-0"))?;
        (db["health"] == "healthy" && api["state"] == "running").then_some(())
    });
    env.wait_capture("shape:job", "once");
    env.ok(&["restart", "api-1", "-t", "shape"]);
    wait_until("an exit, a probe and a metrics event", || {
        lines.extend(rx.try_iter());
        let has = |t: &str| {
            lines
                .iter()
                .any(|l| l.contains(&format!("\"topic\":\"{t}\"")))
        };
        (has("apps:exit") && has("apps:probe") && has("apps:state") && has("metrics"))
            .then_some(())
            .or_else(|| {
                // Metrics are sampled while someone asks for them.
                env.ok(&["ls"]);
                None
            })
    });
    let _ = events.kill();
    let _ = events.wait();
    for line in &lines {
        check("events", &json_of(line));
    }

    let ls = env.ls_json();
    assert!(ls["server_pid"].is_u64());
    check("ls", &ls);
    for app in ["db", "api-0", "job"] {
        let d = json_of(&env.ok(&["describe", "--json", app, "-t", "shape"]));
        check("describe", &d);
        check(
            "why",
            &json_of(&env.ok(&["why", "--json", app, "-t", "shape"])),
        );
    }
    let db = json_of(&env.ok(&["describe", "--json", "db", "-t", "shape"]));
    assert_eq!(db["env"]["API_KEY"], "***");
    assert!(db["watch"]["paths"].is_array(), "{db}");
    assert!(db["probes"]["health"]["last"].is_object(), "{db}");
    check(
        "scale",
        &json_of(&env.ok(&["scale", "api", "3", "--json", "-t", "shape"])),
    );
    let logs = env.ok(&["logs", "--json", "db", "-t", "shape"]);
    assert!(logs.lines().count() >= 1, "{logs}");
    for line in logs.lines() {
        check("logs", &json_of(line));
    }

    // The control API through the socket: every kind of result, errors, a subscription.
    let mut api = Api::connect(&env);
    api.send(&json!({"type": "hello", "version": 1}));
    let mut replies = vec![api.recv()];
    for (id, action, args) in [
        ("1", "sessions.list", json!({})),
        ("2", "apps.list", json!({"session": "shape"})),
        ("3", "describe", json!({"session": "shape", "app": "db"})),
        ("4", "why", json!({"session": "shape", "app": "api-0"})),
        (
            "5",
            "wait",
            json!({"session": "shape", "apps": ["db"], "for": "ready"}),
        ),
        ("6", "panes.capture", json!({"target": "shape:db"})),
        ("7", "reload", json!({"session": "shape", "dry_run": true})),
        (
            "8",
            "apps.restart",
            json!({"session": "shape", "apps": ["job"]}),
        ),
        ("9", "apps.frobnicate", json!({})),
        (
            "10",
            "sessions.new",
            json!({"name": "other", "cmd": ["sleep", "1000"]}),
        ),
        (
            "11",
            "apps.run",
            json!({"session": "other", "name": "extra", "cmd": "sleep 1000"}),
        ),
        (
            "12",
            "scale",
            json!({"session": "shape", "app": "api", "count": 1}),
        ),
    ] {
        replies.push(api.cmd(id, action, args));
    }
    api.send(&json!({"type": "subscribe", "id": "s", "topics": ["apps:state"]}));
    replies.push(api.recv());
    assert!(
        replies
            .iter()
            .any(|r| r["error"]["code"] == "unknown_action")
    );
    for reply in &replies {
        assert!(
            reply.get("error").is_none() || reply["id"] == "9",
            "{reply}"
        );
        check("api", reply);
    }

    // And through the `api` bridge, as a program would use it.
    let mut bridge = env
        .cmd(&["api"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = bridge.stdin.take().unwrap();
    writeln!(stdin, "{}", json!({"type": "hello", "version": 1})).unwrap();
    writeln!(
        stdin,
        "{}",
        json!({"type": "cmd", "id": 1, "action": "apps.list"})
    )
    .unwrap();
    writeln!(stdin, "not json").unwrap();
    drop(stdin);
    let out = bridge.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 3, "{text}");
    for line in text.lines() {
        check("api", &json_of(line));
    }
}
