//! `delete` (`rm`), `flush` and `reload` through the real binary: what `ls`, the panes, the
//! sidebar, the processes, the log files and a resurrected server show afterwards, what bad
//! input leaves untouched, and the same verbs in the control API.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{start, stderr};
use crate::harness::*;

/// The names of a session's apps, in order.
fn names(env: &Env, session: &str) -> Vec<String> {
    let ls = env.ls_json();
    let s = ls["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == session)
        .unwrap_or_else(|| panic!("no session {session}: {ls}"))
        .clone();
    s["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits until the app runs; returns its pid.
fn running(env: &Env, session: &str, app: &str) -> u32 {
    wait_until(&format!("{session}:{app} to run"), || {
        let a = env.app(session, Some(app))?;
        (a["state"] == "running").then_some(())?;
        a["pid"].as_u64().map(|p| p as u32)
    })
}

/// The app's log as `appmux logs` prints it.
fn logs(env: &Env, session: &str, app: &str) -> String {
    env.ok(&["logs", app, "-t", session, "-n", "1000"])
}

/// A log file is emptied when it is gone or has nothing in it.
fn is_empty(path: &Path) -> bool {
    std::fs::metadata(path).map_or(true, |m| m.len() == 0)
}

const PAIR: &str = r#"
session = "pair"
[[app]]
name = "alpha"
cmd = "trap 'echo got-term >> term-seen' TERM; echo alpha-up; while :; do sleep 1; done"
stop_timeout = "1s"
[[app]]
name = "beta"
cmd = "echo beta-up; exec sleep 100000"
"#;

#[test]
fn delete_stops_a_running_app_and_removes_it_for_good() {
    let env = Env::new();
    let file = start(&env, "pair", PAIR);
    let alpha = running(&env, "pair", "alpha");
    let beta = running(&env, "pair", "beta");
    env.wait_capture("pair:alpha", "alpha-up");
    let t = env.attach(&["attach", "-t", "pair"], 120, 30);
    t.wait_for("alpha-up");
    t.wait_for("beta");

    env.ok(&["delete", "alpha", "-t", "pair"]);
    assert_eq!(names(&env, "pair"), ["beta"]);
    // The sidebar and the pane let go of it: the pane shows the app that is left.
    t.wait_for_fn("no alpha on the screen", |s| {
        !s.contents().contains("alpha") && s.contents().contains("beta-up")
    });
    // The stop signal first (the app traps it and carries on), SIGKILL at its stop timeout.
    let seen = file.with_file_name("term-seen");
    wait_until("the stop signal to reach alpha", || {
        let text = std::fs::read_to_string(&seen).ok()?;
        text.contains("got-term").then_some(())
    });
    wait_until("alpha's processes to be gone", || {
        (!alive(alpha) && Env::tree(alpha).is_empty()).then_some(())
    });
    let log = std::fs::read_to_string(env.log_file("pair", "alpha")).unwrap();
    assert!(
        log.contains(&format!("deleted; stopping pid {alpha}")),
        "{log}"
    );
    assert_eq!(
        running(&env, "pair", "beta"),
        beta,
        "the other app is not touched"
    );
    drop(t);

    // Saved without it: a resurrected server does not bring it back.
    env.ok(&["kill-server"]);
    env.ok(&["resurrect"]);
    assert_eq!(names(&env, "pair"), ["beta"]);
}

const THREE: &str = r#"
session = "three"
[[app]]
name = "alpha"
cmd = "exec sleep 100000"
[[app]]
name = "beta"
cmd = "exec sleep 100000"
"#;

#[test]
fn deleting_an_unknown_name_or_every_app_changes_nothing() {
    let env = Env::new();
    start(&env, "three", THREE);
    let pids = [
        running(&env, "three", "alpha"),
        running(&env, "three", "beta"),
    ];
    // Every name is checked before any app is touched.
    let out = env.run(&["delete", "alpha", "bteta", "-t", "three"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("can't find app `bteta` in session three; did you mean `beta`?"),
        "{err}"
    );
    // A session keeps an app for its last pane.
    let out = env.run(&["rm", "all", "-t", "three"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("without apps"), "{}", stderr(&out));
    assert_eq!(names(&env, "three"), ["alpha", "beta"]);
    assert_eq!(
        [
            running(&env, "three", "alpha"),
            running(&env, "three", "beta")
        ],
        pids
    );
}

#[test]
fn rm_deletes_an_ad_hoc_app_from_run() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "solo", "--", "sleep", "100000"]);
    let out = env.ok(&[
        "run",
        "--name",
        "tmp",
        "-t",
        "solo",
        "--",
        "sh",
        "-c",
        "echo tmp-up; exec sleep 100000",
    ]);
    assert_eq!(out.trim(), "solo:tmp");
    let pid = running(&env, "solo", "tmp");
    env.ok(&["rm", "tmp", "-t", "solo"]);
    assert_eq!(names(&env, "solo"), ["sleep"]);
    wait_until("tmp's process to be gone", || (!alive(pid)).then_some(()));
}

const CHATTY: &str = r#"
session = "chat"
[[app]]
name = "chatty"
cmd = "i=0; while [ $i -lt 40 ]; do echo old-line-$i; i=$((i+1)); done; while read l; do echo new-$l; done"
log = { max_size = "200B", max_files = 3 }
[[app]]
name = "quiet"
cmd = "echo quiet-line; exec sleep 100000"
"#;

#[test]
fn flush_empties_current_and_rotated_logs_and_later_output_still_logs() {
    let env = Env::new();
    start(&env, "chat", CHATTY);
    let live = env.log_file("chat", "chatty");
    let rotated = |i: u32| PathBuf::from(format!("{}.{i}", live.display()));
    wait_until("chatty's output, rotated", || {
        let text = logs(&env, "chat", "chatty");
        (text.contains("old-line-39") && rotated(1).exists()).then_some(())
    });
    wait_until("quiet's output", || {
        logs(&env, "chat", "quiet")
            .contains("quiet-line")
            .then_some(())
    });

    env.ok(&["flush", "chatty", "-t", "chat"]);
    assert!(
        is_empty(&live),
        "{}",
        std::fs::read_to_string(&live).unwrap()
    );
    for i in 1..=3 {
        assert!(
            is_empty(&rotated(i)),
            "{} is not empty",
            rotated(i).display()
        );
    }
    assert_eq!(logs(&env, "chat", "chatty").trim(), "");
    // Only the app named.
    assert!(logs(&env, "chat", "quiet").contains("quiet-line"));

    // What the app prints next lands in the emptied log.
    env.ok(&["send-keys", "-t", "chat:chatty", "hello", "Enter"]);
    wait_until("new output in the emptied log", || {
        logs(&env, "chat", "chatty")
            .contains("new-hello")
            .then_some(())
    });
    assert!(!logs(&env, "chat", "chatty").contains("old-line"));

    // No app named: every app of the session.
    env.ok(&["flush", "-t", "chat"]);
    assert_eq!(logs(&env, "chat", "chatty").trim(), "");
    assert_eq!(logs(&env, "chat", "quiet").trim(), "");
}

const BEFORE: &str = r#"
session = "live"
[[app]]
name = "keep"
cmd = "echo keep-up; exec sleep 100000"
[[app]]
name = "api"
cmd = "echo api-says-$GREETING; exec sleep 100000"
env = { GREETING = "one" }
[[app]]
name = "old"
cmd = "echo old-up; exec sleep 100000"
"#;

const AFTER: &str = r#"
session = "live"
[[app]]
name = "keep"
cmd = "echo keep-up; exec sleep 100000"
[[app]]
name = "extra"
cmd = "echo extra-up; exec sleep 100000"
[[app]]
name = "api"
cmd = "echo api-says-$GREETING; exec sleep 100000"
env = { GREETING = "two" }
"#;

#[test]
fn reload_adds_changes_and_removes_apps_and_leaves_the_rest_alone() {
    let env = Env::new();
    let file = start(&env, "live", BEFORE);
    let keep = running(&env, "live", "keep");
    let api = running(&env, "live", "api");
    let old = running(&env, "live", "old");
    env.wait_capture("live:api", "api-says-one");
    std::fs::write(&file, AFTER).unwrap();
    let plan = "+ extra\n~ api (env)\n- old\n";

    // A dry run prints the plan and changes nothing.
    assert_eq!(env.ok(&["reload", "-t", "live", "--dry-run"]), plan);
    assert_eq!(names(&env, "live"), ["keep", "api", "old"]);
    assert_eq!(running(&env, "live", "api"), api);
    assert_eq!(running(&env, "live", "old"), old);

    assert_eq!(env.ok(&["reload", "-t", "live"]), plan);
    assert_eq!(names(&env, "live"), ["keep", "api", "extra"]);
    env.wait_capture("live:extra", "extra-up");
    let restarted = wait_until("api to run again", || {
        let pid = running(&env, "live", "api");
        (pid != api).then_some(pid)
    });
    assert!(restarted != api);
    // The same terminal, with the new run (and its new environment) below the old one.
    let screen = env.wait_capture("live:api", "api-says-two");
    assert!(screen.contains("api-says-one"), "{screen}");
    wait_until("old's process to be gone", || (!alive(old)).then_some(()));
    assert_eq!(
        running(&env, "live", "keep"),
        keep,
        "unchanged: not touched"
    );

    assert_eq!(env.ok(&["reload", "-t", "live"]), "no changes\n");
    // The action of the vocabulary is the same verb.
    let again = env.ok(&["action", "-t", "live", "app.reload", "--", "--dry-run"]);
    assert_eq!(again, "no changes\n");
}

#[test]
fn a_key_bound_to_app_reload_applies_the_file_and_shows_the_plan() {
    let env = Env::new();
    let cfg = env.path("config").join("appmux");
    std::fs::create_dir_all(cfg.join("keymaps")).unwrap();
    let keymap = "prefix-key = \"C-b\"\n[prefix]\nd = \"client.detach\"\nL = \"app.reload\"\n";
    std::fs::write(cfg.join("keymaps/mine.toml"), keymap).unwrap();
    std::fs::write(cfg.join("config.toml"), "keymap = \"mine\"\n").unwrap();
    let file = start(&env, "live", BEFORE);
    let mut t = env.attach(&["attach", "-t", "live"], 120, 30);
    t.wait_for("keep-up");
    std::fs::write(&file, AFTER).unwrap();
    t.send(b"\x02L");
    t.wait_for("reload: + extra  ~ api (env)  - old");
    assert_eq!(names(&env, "live"), ["keep", "api", "extra"]);
}

#[test]
fn reload_of_a_broken_file_reports_where_as_check_does_and_changes_nothing() {
    let env = Env::new();
    let file = start(&env, "live", BEFORE);
    let pids: Vec<u32> = ["keep", "api", "old"]
        .iter()
        .map(|a| running(&env, "live", a))
        .collect();
    let broken = "session = \"live\"\n[[app]]\nname = \"keep\"\ncomand = \"true\"\n";
    std::fs::write(&file, broken).unwrap();
    let check = env.run(&["check", file.to_str().unwrap()]);
    let problems = stderr(&check);
    assert!(
        problems.contains(&format!("{}:4:1: unknown key `comand`", file.display())),
        "{problems}"
    );
    for args in [
        &["reload", "-t", "live"][..],
        &["reload", "-t", "live", "--dry-run"],
    ] {
        let out = env.run(args);
        assert!(!out.status.success(), "{args:?}");
        assert_eq!(stderr(&out), format!("appmux: {problems}"));
    }
    assert_eq!(names(&env, "live"), ["keep", "api", "old"]);
    let now: Vec<u32> = ["keep", "api", "old"]
        .iter()
        .map(|a| running(&env, "live", a))
        .collect();
    assert_eq!(now, pids);

    // A session that was not started from a project file has nothing to reload.
    env.ok(&["new", "-d", "-s", "plain", "--", "sleep", "100000"]);
    let out = env.run(&["reload", "-t", "plain"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no project file"), "{}", stderr(&out));
}

#[test]
fn reload_while_apps_are_still_starting_runs_each_app_once() {
    let env = Env::new();
    let before = "session = \"quick\"\n[[app]]\nname = \"svc\"\ncmd = \"exec sleep 2718281\"\n";
    let after = "session = \"quick\"\n[[app]]\nname = \"svc\"\ncmd = \"exec sleep 2718282\"\n\
                 [[app]]\nname = \"more\"\ncmd = \"exec sleep 2718283\"\n";
    let file = start(&env, "quick", before);
    // At once, while svc has just been spawned, and twice.
    std::fs::write(&file, after).unwrap();
    assert_eq!(env.ok(&["reload", "-t", "quick"]), "+ more\n~ svc (cmd)\n");
    assert_eq!(env.ok(&["reload", "-t", "quick"]), "no changes\n");
    wait_until("one process per app, of the new spec", || {
        let counts = [
            processes_matching("2718281").len(),
            processes_matching("2718282").len(),
            processes_matching("2718283").len(),
        ];
        (counts == [0, 1, 1]).then_some(())
    });
    let svc = running(&env, "quick", "svc");
    assert_eq!(processes_matching("2718282"), [svc]);
    assert_eq!(
        processes_matching("2718283"),
        [running(&env, "quick", "more")]
    );
}

const CTL: &str = r#"
session = "ctl"
[[app]]
name = "svc"
cmd = "echo svc-old; exec sleep 100000"
"#;

const CTL_AFTER: &str = r#"
session = "ctl"
[[app]]
name = "svc"
cmd = "echo svc-new; exec sleep 100000"
[[app]]
name = "side"
cmd = "echo side-up; exec sleep 100000"
"#;

#[test]
fn the_control_api_reloads_flushes_and_deletes() {
    let env = Env::new();
    let file = start(&env, "ctl", CTL);
    running(&env, "ctl", "svc");
    let mut api = Api::connect(&env);
    api.hello();
    let mut sub = Api::connect(&env);
    sub.hello();
    sub.reader
        .get_ref()
        .set_read_timeout(Some(timeout()))
        .unwrap();
    sub.send(&json!({"type": "subscribe", "id": "s", "topics": ["apps:state"]}));

    std::fs::write(&file, CTL_AFTER).unwrap();
    let plan =
        json!({"added": ["side"], "changed": [{"app": "svc", "fields": ["cmd"]}], "removed": []});
    let dry = api.cmd("1", "reload", json!({"session": "ctl", "dry_run": true}));
    assert_eq!(dry["result"], plan, "{dry}");
    assert_eq!(names(&env, "ctl"), ["svc"]);
    let done = api.cmd("2", "reload", json!({"session": "ctl"}));
    assert_eq!(done["result"], plan, "{done}");
    running(&env, "ctl", "side");
    env.wait_capture("ctl:svc", "svc-new");

    wait_until("svc's new output in its log", || {
        logs(&env, "ctl", "svc").contains("svc-new").then_some(())
    });
    let flushed = api.cmd("3", "flush", json!({"session": "ctl", "apps": ["svc"]}));
    assert_eq!(flushed["result"], json!({}), "{flushed}");
    assert_eq!(logs(&env, "ctl", "svc").trim(), "");

    let deleted = api.cmd("4", "delete", json!({"session": "ctl", "apps": ["side"]}));
    assert_eq!(deleted["result"], json!({}), "{deleted}");
    assert_eq!(names(&env, "ctl"), ["svc"]);
    loop {
        let v = sub.recv();
        let payload = &v["payload"];
        if v["type"] == "event" && payload["app"] == "side" && payload["state"] == "deleted" {
            assert_eq!(payload["session"], "ctl");
            break;
        }
    }
    let unknown = api.cmd("5", "rm", json!({"session": "ctl", "apps": ["sdie"]}));
    assert_eq!(unknown["error"]["code"], "not_found", "{unknown}");
    assert_eq!(names(&env, "ctl"), ["svc"]);

    std::fs::write(&file, "[[app]]\nname = 3\ncmd = \"true\"\n").unwrap();
    let broken = api.cmd("6", "reload", json!({"session": "ctl"}));
    let message: &Value = &broken["error"]["message"];
    assert!(
        message
            .as_str()
            .unwrap()
            .starts_with(&format!("{}:2:8: ", file.display())),
        "{broken}"
    );
    env.ok(&["new", "-d", "-s", "plain", "--", "sleep", "100000"]);
    let none = api.cmd("7", "reload", json!({"session": "plain"}));
    assert_eq!(none["error"]["code"], "failed", "{none}");
}
