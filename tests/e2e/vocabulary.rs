//! One command table: `appmux action list` (and `--json`) prints every entry with its
//! arguments and other names, and the command line and the control API reach the same actions
//! by any of those names.

use std::io::{BufRead, BufReader, Write};

use serde_json::{Value, json};

use crate::harness::*;

#[test]
fn action_list_json_prints_every_entry_with_its_arguments_and_aliases() {
    let env = Env::new();
    // No server is needed to read the table.
    let listed: Value = serde_json::from_str(&env.ok(&["action", "list", "--json"]))
        .expect("action list --json is JSON");
    let listed = listed.as_array().expect("a list of entries");
    let table = appmux::action::table();
    assert_eq!(listed.len(), table.len());
    for (entry, spec) in listed.iter().zip(table) {
        assert_eq!(entry["name"], spec.name);
        assert_eq!(entry["aliases"], json!(spec.aliases), "{}", spec.name);
        assert_eq!(entry["usage"], spec.usage, "{}", spec.name);
        assert_eq!(entry["layer"], spec.layer.as_str(), "{}", spec.name);
        assert!(!entry["about"].as_str().unwrap_or_default().is_empty());
        let args = entry["args"].as_array().expect("a list of arguments");
        assert_eq!(args.len(), spec.args.len(), "{}", spec.name);
        for (a, arg) in args.iter().zip(spec.args) {
            assert_eq!(a["key"], arg.key);
            assert_eq!(a["aliases"], json!(arg.aliases));
            assert_eq!(a["kind"], arg.kind.as_str());
            assert_eq!(a["required"], arg.required);
            assert_eq!(a["api_required"], arg.api_needs.is_some());
            assert!(!a["about"].as_str().unwrap_or_default().is_empty());
        }
    }

    // The control API's names, as the README documents them, are all in it.
    let entry = |name: &str| {
        listed
            .iter()
            .find(|e| e["name"] == name || e["aliases"].as_array().unwrap().contains(&json!(name)))
            .unwrap_or_else(|| panic!("{name} is not listed"))
    };
    for name in [
        "sessions.list",
        "sessions.new",
        "sessions.kill",
        "apps.list",
        "apps.start",
        "apps.stop",
        "apps.restart",
        "apps.kill",
        "apps.run",
        "panes.capture",
        "panes.send-keys",
        "server.kill",
        "pane.split-right",
        "copy.yank",
    ] {
        entry(name);
    }
    let keys = |name: &str| -> Vec<String> {
        entry(name)["args"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|a| {
                let aliases = a["aliases"].as_array().unwrap().clone();
                std::iter::once(a["key"].clone()).chain(aliases)
            })
            .map(|k| k.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(keys("apps.start"), ["apps", "name", "app"]);
    assert_eq!(keys("apps.run"), ["name", "restart", "cwd", "cmd"]);
    assert_eq!(
        keys("panes.capture"),
        ["target", "ansi", "scrollback", "start", "end"]
    );
    assert_eq!(keys("panes.send-keys"), ["target", "literal", "keys"]);
    assert_eq!(keys("sessions.kill"), ["name", "session"]);

    // For people: every entry's `NAME USAGE` line as before, then its help, arguments and
    // other names.
    let text = env.ok(&["action", "list"]);
    let lines: Vec<&str> = text.lines().collect();
    for spec in table {
        let line = format!("{} {}", spec.name, spec.usage);
        assert!(lines.contains(&line.trim_end()), "no line `{line}`");
        for alias in spec.aliases {
            assert!(text.contains(alias), "alias {alias} not shown");
        }
    }
    assert!(text.contains("--restart RESTART"), "{text}");
}

/// Sends one control API command and returns its response.
fn control(env: &Env, action: &str, args: Value) -> Value {
    let mut s = raw_socket(&env.socket());
    let line = json!({"type": "cmd", "id": "1", "action": action, "args": args});
    writeln!(s, "{line}").unwrap();
    let mut reader = BufReader::new(s);
    loop {
        let mut text = String::new();
        assert!(
            reader.read_line(&mut text).unwrap() > 0,
            "the server hung up"
        );
        let v: Value = serde_json::from_str(&text).expect("a JSON line");
        if v["type"] == "response" {
            return v;
        }
    }
}

fn state(env: &Env, session: &str, app: &str) -> Option<String> {
    Some(env.app(session, Some(app))?["state"].as_str()?.to_owned())
}

#[test]
fn the_command_line_and_the_control_api_run_the_same_actions() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "v", "--", "sleep", "1000"]);

    // The server's answer is printed: the app added, a screen, a listing.
    let script = "echo via-action; exec sleep 1000";
    let added = env.ok(&[
        "action", "-t", "v", "app.run", "--", "--name", "echoer", "sh", "-c", script,
    ]);
    assert_eq!(added, "v:echoer\n");
    env.wait_capture("v:echoer", "via-action");
    let screen = env.ok(&["action", "app.capture", "--", "--target", "v:echoer"]);
    assert!(screen.contains("via-action"), "{screen}");
    let apps: Value = serde_json::from_str(&env.ok(&["action", "-t", "v", "apps.list"]))
        .expect("a listing as JSON");
    assert_eq!(
        apps["sessions"][0]["apps"].as_array().map(Vec::len),
        Some(2)
    );

    // Several apps at once, by the API's name, then `all` from the command line.
    let stop = control(
        &env,
        "apps.stop",
        json!({"session": "v", "apps": ["sleep", "echoer"]}),
    );
    assert_eq!(stop["result"], json!({}), "{stop}");
    for app in ["sleep", "echoer"] {
        wait_until("both apps to stop", || {
            (state(&env, "v", app)? == "stopped").then_some(())
        });
    }
    env.ok(&["action", "-t", "v", "app.start", "all"]);
    for app in ["sleep", "echoer"] {
        wait_until("both apps to run again", || {
            (state(&env, "v", app)? == "running").then_some(())
        });
    }
    // A name that does not exist changes nothing.
    let typo = control(
        &env,
        "app.stop",
        json!({"session": "v", "apps": ["sleep", "nope"]}),
    );
    assert_eq!(typo["error"]["code"], "not_found", "{typo}");
    assert_eq!(state(&env, "v", "sleep").as_deref(), Some("running"));

    // The server layer: a session made and killed from the command line, listed by the API.
    let made = env.ok(&[
        "action",
        "session.new",
        "--",
        "--name",
        "w",
        "sleep",
        "1000",
    ]);
    assert_eq!(made, "w\n");
    let list = control(&env, "ls", json!({}));
    let names: Vec<&str> = list["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names.len(), 2, "{list}");
    assert!(names.contains(&"w") && names.contains(&"v"), "{list}");
    env.ok(&["action", "sessions.kill", "w"]);
    let sessions = env.ls_json()["sessions"].as_array().unwrap().len();
    assert_eq!(sessions, 1);

    // Bad options are usage errors, found before anything is sent.
    let bad = env.run(&["action", "app.run", "--", "--nmae", "x", "ls"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("`app.run` has no option `--nmae`"), "{err}");
}
