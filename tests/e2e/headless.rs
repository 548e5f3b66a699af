//! Headless use: the JSON control API from a plain socket client, `appmux api` and `events`,
//! boot integration, completions and the man page.

use std::io::{BufRead, BufReader, Write};

use serde_json::{Value, json};

use crate::harness::*;

#[test]
fn the_control_api_speaks_json_lines_over_the_socket() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "api", "--", "sleep", "1000"]);
    let mut api = Api::connect(&env);
    api.send(&json!({"type": "hello", "version": 1}));
    let hello = api.recv();
    assert_eq!(hello["type"], "hello");
    assert_eq!(
        hello["server_pid"].as_u64().map(|p| p as u32),
        env.server_pid()
    );

    let list = api.cmd("1", "apps.list", json!({}));
    let apps = list["result"].as_array().expect("a list of apps");
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["name"], "sleep");
    assert_eq!(apps[0]["session"], "api");
    assert_eq!(apps[0]["state"], "running");

    let run = api.cmd(
        "2",
        "apps.run",
        json!({"session": "api", "name": "echoer", "cmd": "echo via-api; sleep 1000"}),
    );
    assert_eq!(run["result"]["name"], "echoer");
    env.wait_capture("api:echoer", "via-api");

    let keys = api.cmd(
        "3",
        "panes.send-keys",
        json!({"target": "api:echoer", "keys": ["C-c"]}),
    );
    assert!(keys.get("error").is_none(), "{keys}");
    let capture = api.cmd("4", "panes.capture", json!({"target": "api:echoer"}));
    assert!(
        capture["result"]["text"]
            .as_str()
            .unwrap()
            .contains("via-api")
    );

    // Errors are responses, and the connection stays usable.
    let unknown = api.cmd("5", "apps.frobnicate", json!({}));
    assert_eq!(unknown["error"]["code"], "unknown_action");
    let missing = api.cmd("6", "apps.start", json!({}));
    assert_eq!(missing["error"]["code"], "missing_arg");
    let absent = api.cmd("7", "apps.stop", json!({"session": "nope", "apps": ["x"]}));
    assert_eq!(absent["error"]["code"], "not_found");
    api.send_text("{this is not json");
    assert_eq!(api.recv()["error"]["code"], "bad_json");
    let again = api.cmd("8", "sessions.list", json!({}));
    assert_eq!(again["result"][0]["name"], "api");
}

#[test]
fn subscribers_get_state_and_exit_events() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "ev", "--", "sleep", "1000"]);
    let mut api = Api::connect(&env);
    api.send(&json!({"type": "subscribe", "id": "s", "topics": ["apps:state", "apps:exit"]}));
    let ack = api.recv();
    assert_eq!(
        ack["result"]["subscribed"],
        json!(["apps:state", "apps:exit"])
    );
    env.ok(&["restart", "sleep", "-t", "ev"]);
    let mut seen = Vec::new();
    while !(seen.iter().any(|e: &Value| e["topic"] == "apps:exit")
        && seen
            .iter()
            .any(|e| e["topic"] == "apps:state" && e["payload"]["state"] == "running"))
    {
        let e = api.recv();
        assert_eq!(e["type"], "event");
        seen.push(e);
    }
    let exit = seen.iter().find(|e| e["topic"] == "apps:exit").unwrap();
    assert_eq!(exit["payload"]["app"], "sleep");
    assert_eq!(exit["payload"]["session"], "ev");
    assert_eq!(exit["payload"]["signal"], 15);
}

#[test]
fn an_oversized_line_closes_only_that_connection() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "big", "--", "sleep", "1000"]);
    let pid = env.app("big", None).unwrap()["pid"].as_u64().unwrap();
    let mut api = Api::connect(&env);
    let huge = format!(
        "{{\"type\":\"cmd\",\"id\":\"x\",\"action\":\"{}\"}}",
        "a".repeat(10 << 20)
    );
    // The server may close before reading it all; a broken pipe is the expected outcome then.
    let _ = api.writer.write_all(huge.as_bytes());
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut api.reader, &mut rest);
    assert!(rest.is_empty() || rest.contains("too_large"), "{rest}");
    let app = env.app("big", None).unwrap();
    assert_eq!(app["pid"].as_u64(), Some(pid));
    assert_eq!(app["state"], "running");
}

#[test]
fn appmux_api_bridges_stdin_and_stdout() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "br", "--", "sleep", "1000"]);
    let mut child = env
        .cmd(&["api"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, r#"{{"type":"hello","version":1}}"#).unwrap();
    writeln!(
        stdin,
        r#"{{"type":"cmd","id":"1","action":"apps.list","args":{{"session":"br"}}}}"#
    )
    .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["type"], "hello");
    assert_eq!(lines[1]["result"][0]["name"], "sleep");
}

#[test]
fn appmux_events_prints_the_stream() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "evs", "--", "sleep", "1000"]);
    let mut child = env
        .cmd(&["events", "--json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut got = Vec::new();
    wait_until("an exit event from `events --json`", || {
        env.ok(&["restart", "sleep", "-t", "evs"]);
        while let Ok(l) = rx.recv_timeout(std::time::Duration::from_millis(300)) {
            got.push(l);
        }
        got.iter()
            .any(|l| l.contains("\"apps:exit\""))
            .then_some(())
    });
    let _ = child.kill();
    let _ = child.wait();
    let v: Value = serde_json::from_str(&got[0]).unwrap();
    assert_eq!(v["type"], "event");
}

/// The systemd user unit is where systemd looks for it, `$XDG_CONFIG_HOME/systemd/user`,
/// named by the socket; `unstartup` removes it from there.
#[test]
fn unstartup_removes_the_unit_from_the_config_home() {
    let env = Env::new();
    let units = env.path("config").join("systemd/user");
    std::fs::create_dir_all(&units).unwrap();
    let unit = units.join("appmux.service");
    std::fs::write(&unit, "[Unit]\n").unwrap();
    let out = env.ok(&["unstartup"]);
    assert!(out.contains(&unit.display().to_string()), "{out}");
    assert!(!unit.exists());
}

#[test]
fn startup_completions_and_man() {
    let env = Env::new();
    let unit = env.ok(&["startup", "--print"]);
    assert!(unit.contains("server --foreground --resurrect"), "{unit}");
    assert!(unit.contains("[Install]"));
    if !std::path::Path::new("/run/systemd/system").exists() {
        let out = env.run(&["startup"]);
        assert_ne!(out.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&out.stderr).contains("systemd"));
    }
    let out = env.run(&["unstartup"]);
    assert_ne!(out.status.code(), Some(0), "there is no unit to remove");
    for shell in ["bash", "zsh", "fish"] {
        let script = env.ok(&["completions", shell]);
        assert!(script.contains("appmux") && script.len() > 500, "{shell}");
    }
    assert!(env.ok(&["man"]).contains(".TH appmux"));
}
