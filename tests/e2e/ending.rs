//! Panes that end as tmux's do: an ad-hoc shell's pane closes when the shell exits, the last
//! one ends the session and the client prints `[exited]`; `remain_on_exit` keeps them, and a
//! configured app keeps its pane.

use crate::harness::*;

fn app_names(env: &Env, session: &str) -> Vec<String> {
    env.ls_json()["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == session)
        .map(|s| {
            s["apps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn has_border(t: &Term) -> bool {
    t.contents().contains('│')
}

#[test]
fn exit_in_a_splits_shell_closes_the_pane_and_its_app() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "ex"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02%");
    wait_until("two shells", || {
        (app_names(&env, "ex").len() == 2).then_some(())
    });
    wait_until("a border", || has_border(&t).then_some(()));
    t.type_str("exit\r");
    // The split closes: no border, one shell left in the list and the count.
    wait_until("the split to close", || (!has_border(&t)).then_some(()));
    wait_until("one app left", || {
        (app_names(&env, "ex").len() == 1).then_some(())
    });
    t.type_str("echo still-$((20+1))\r");
    t.wait_for("still-21");
}

#[test]
fn exit_in_the_last_pane_ends_the_session_and_the_shell_gets_its_prompt_back() {
    let env = Env::new();
    // The user's own shell, with a prompt of its own, runs appmux.
    let mut t = Term::spawn_program(
        &env,
        "/usr/bin/env",
        &["PS1=outer$ ", "/bin/sh", "-i"],
        &env.path("home"),
        100,
        30,
    );
    t.wait_for("outer$");
    t.type_str(&format!("PS1='sh$ ' {BIN} new -s last\r"));
    t.wait_for("sh$");
    t.type_str("exit\r");
    let screen = t.wait_for("[exited]");
    assert!(!screen.contains("session last"), "{screen}");
    wait_until("the outer prompt after [exited]", || {
        let c = t.contents();
        let at = c.find("[exited]")?;
        c[at..].contains("outer$").then_some(())
    });
    wait_until("the session to be gone", || {
        let out = env.run(&["ls", "--json"]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (!text.contains("\"last\"")).then_some(())
    });
}

#[test]
fn remain_on_exit_keeps_the_pane_showing_the_exit() {
    let env = Env::new();
    env.write_config("remain_on_exit = true\n");
    let mut t = env.attach(&["new", "-s", "keep"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02%");
    wait_until("a border", || has_border(&t).then_some(()));
    t.type_str("exit 3\r");
    t.wait_for("with code 3");
    assert!(has_border(&t), "the pane stays");
    assert_eq!(app_names(&env, "keep").len(), 2);
}

#[test]
fn a_configured_app_keeps_its_pane() {
    let env = Env::new();
    let dir = env.project(
        "conf",
        r#"
session = "conf"
[[app]]
name = "once"
cmd = "echo once-ran; exit 4"
restart = "never"
[[app]]
name = "other"
cmd = "sleep 1000"
"#,
    );
    let file = dir.join("appmux.toml");
    let t = env.attach(
        &["new", "-s", "conf", "-c", file.to_str().unwrap()],
        100,
        30,
    );
    t.wait_for("once-ran");
    t.wait_for("with code 4");
    wait_until("once listed as exited", || {
        let app = env.app("conf", Some("once"))?;
        (app["state"] == "exited").then_some(())
    });
    assert_eq!(app_names(&env, "conf"), ["once", "other"]);
    assert!(t.contents().contains("once-ran"), "the pane still shows it");
}

#[test]
fn a_configured_app_with_remain_on_exit_false_closes_like_a_shell() {
    let env = Env::new();
    let dir = env.project(
        "brief",
        r#"
session = "brief"
[[app]]
name = "brief"
cmd = "echo brief-ran; read line"
restart = "never"
remain_on_exit = false
"#,
    );
    let file = dir.join("appmux.toml");
    let mut t = env.attach(
        &["new", "-s", "brief", "-c", file.to_str().unwrap()],
        100,
        30,
    );
    t.wait_for("brief-ran");
    t.type_str("\r");
    t.wait_for("[exited]");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn the_last_panes_program_exiting_in_a_session_with_other_apps_shows_the_next() {
    let env = Env::new();
    let dir = env.project(
        "svc",
        r#"
session = "svc"
[[app]]
name = "svc"
cmd = "echo svc-up; exec sleep 1000"
"#,
    );
    let file = dir.join("appmux.toml");
    env.ok(&["new", "-d", "-c", file.to_str().unwrap()]);
    env.wait_capture("svc:svc", "svc-up");
    let script = "echo tmp-up; read line";
    env.ok(&[
        "run", "-t", "svc", "--name", "tmp", "--", "sh", "-c", script,
    ]);
    env.wait_capture("svc:tmp", "tmp-up");
    env.ok(&["action", "-t", "svc", "app.show", "tmp"]);
    wait_until("tmp in the pane", || {
        env.capture("svc").contains("tmp-up").then_some(())
    });
    env.ok(&["send-keys", "-t", "svc:tmp", "Enter"]);
    // The session stays with its app, shown in the pane; tmp is gone from the list.
    wait_until("tmp to leave", || {
        (app_names(&env, "svc") == ["svc"]).then_some(())
    });
    assert!(env.capture("svc").contains("svc-up"));
}
