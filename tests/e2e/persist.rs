//! Save and resurrect: after kill-server, after a SIGKILLed server (orphans), with a damaged
//! state file, and without duplicating what already runs.

use serde_json::Value;

use crate::harness::*;

const PROJECT: &str = r#"
session = "keep"
[[app]]
name = "api"
# Ignoring SIGHUP lets it outlive a server killed with SIGKILL (its terminal hangs up).
cmd = "trap '' HUP; echo api-output-before; exec sleep 1000"
[[app]]
name = "later"
cmd = "echo later; exec sleep 1000"
autostart = false
"#;

fn state_file(env: &Env) -> std::path::PathBuf {
    env.path("state").join("appmux/sessions-default.json")
}

fn saved(env: &Env) -> Option<Value> {
    serde_json::from_slice(&std::fs::read(state_file(env)).ok()?).ok()
}

/// Starts the project, adds a split, a tab and an ad-hoc app, and waits until all of it is saved.
fn build_session(env: &Env) {
    let dir = env.project("proj", PROJECT);
    env.ok(&[
        "new",
        "-d",
        "-x",
        "100",
        "-y",
        "30",
        "-c",
        dir.join("appmux.toml").to_str().unwrap(),
    ]);
    env.wait_capture("keep:api", "api-output-before");
    env.ok(&[
        "run",
        "--name",
        "adhoc",
        "-t",
        "keep",
        "--",
        "sh",
        "-c",
        "echo adhoc-ran; exec sleep 1000",
    ]);
    env.ok(&["action", "-t", "keep", "pane.split-right"]);
    env.ok(&["action", "-t", "keep", "tab.new"]);
    env.ok(&["action", "-t", "keep", "tab.rename", "second"]);
    wait_until("the state file to hold the whole session", || {
        let s = saved(env)?;
        let session = s["sessions"].as_array()?.first()?.clone();
        (session["windows"].as_array()?.len() == 2
            && session["apps"].as_array()?.len() == 5
            && session["windows"][1]["name"] == "second")
            .then_some(())
    });
}

fn layout_summary(env: &Env) -> (usize, Vec<String>) {
    let s = saved(env).unwrap();
    let session = &s["sessions"][0];
    let windows = session["windows"].as_array().unwrap();
    let mut apps: Vec<String> = session["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["spec"]["name"].as_str().unwrap().to_owned())
        .collect();
    apps.sort();
    (windows.len(), apps)
}

#[test]
fn kill_server_then_resurrect_restores_layout_apps_and_output() {
    let env = Env::new();
    build_session(&env);
    let before = layout_summary(&env);
    env.ok(&["kill-server"]);
    let out = env.ok(&["resurrect"]);
    assert!(out.contains("restored keep"), "{out}");
    let ls = env.ls_json();
    let apps: Vec<&Value> = ls["sessions"][0]["apps"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    let state_of = |n: &str| {
        apps.iter()
            .find(|a| a["name"] == n)
            .map(|a| a["state"].clone())
    };
    assert_eq!(state_of("api"), Some("running".into()));
    assert_eq!(
        state_of("later"),
        Some("stopped".into()),
        "autostart = false stays stopped"
    );
    assert!(state_of("adhoc").is_some(), "the ad-hoc app comes back");
    // The pane shows the previous output, marked, then the new run.
    let screen = env.wait_capture("keep:api", "restored");
    assert!(screen.contains("api-output-before"), "{screen}");
    env.wait_capture("keep:adhoc", "adhoc-ran");
    wait_until("the restored state to be saved again", || {
        (layout_summary(&env) == before).then_some(())
    });
    // Running it again duplicates nothing.
    let again = env.ok(&["resurrect"]);
    assert!(again.contains("skipped keep"), "{again}");
    assert_eq!(env.ls_json()["sessions"].as_array().unwrap().len(), 1);
}

#[test]
fn a_killed_server_leaves_orphans_that_resurrect_reports_and_can_end() {
    let env = Env::new();
    build_session(&env);
    let api = env.app("keep", Some("api")).unwrap()["pid"]
        .as_u64()
        .unwrap() as u32;
    let server = env.server_pid().unwrap();
    kill(server, libc::SIGKILL);
    assert!(wait_gone(server, timeout()));
    assert!(alive(api), "apps outlive a killed server");
    let out = env.ok(&["resurrect"]);
    assert!(out.contains(&format!("pid {api}")), "{out}");
    assert!(alive(api), "reporting does not kill");
    let ls = env.ls_json();
    assert!(
        ls["orphans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["pid"] == api)
    );
    env.ok(&["kill-server"]);
    let out = env.ok(&["resurrect", "--kill-orphans"]);
    assert!(out.contains("ended"), "{out}");
    assert!(
        wait_gone(api, timeout()),
        "--kill-orphans ends the leftover process"
    );
    wait_until("api to run again", || {
        (env.app("keep", Some("api"))?["state"] == "running").then_some(())
    });
}

#[test]
fn a_damaged_state_file_is_kept_aside_and_the_rest_restored() {
    let env = Env::new();
    build_session(&env);
    env.ok(&["kill-server"]);
    let mut s = saved(&env).unwrap();
    let mut broken = s["sessions"][0].clone();
    broken["name"] = Value::String("broken".into());
    broken["windows"] = Value::String("not a list".into());
    s["sessions"].as_array_mut().unwrap().push(broken);
    std::fs::write(state_file(&env), serde_json::to_vec(&s).unwrap()).unwrap();
    let out = env.run(&["resurrect"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("restored keep"), "{stdout}");
    assert!(stderr.contains("could not restore"), "{stderr}");
    assert!(stderr.contains("kept as"), "{stderr}");
    env.ok(&["kill-server"]);

    std::fs::write(state_file(&env), b"{\"version\":1,\"sessions\":[{\"name\":").unwrap();
    let out = env.run(&["resurrect"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not restore"));
    let aside = std::fs::read_dir(env.path("state").join("appmux"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".bad-"))
        .count();
    assert!(aside >= 1);
}

#[test]
fn resurrect_in_config_restores_at_server_start() {
    let env = Env::new();
    build_session(&env);
    env.ok(&["kill-server"]);
    let cfg = env.path("config").join("appmux");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "resurrect = true\n").unwrap();
    env.ok(&["new", "-d", "-s", "other"]);
    wait_until("the saved session to come back", || {
        (env.app("keep", Some("api"))?["state"] == "running").then_some(())
    });
}

#[test]
fn resurrect_brings_each_app_back_as_it_was_left() {
    let env = Env::new();
    let dir = env.project(
        "left",
        r#"
session = "left"
[[app]]
name = "up"
cmd = "exec sleep 1000"
[[app]]
name = "down"
cmd = "exec sleep 1000"
[[app]]
name = "crash"
cmd = "exit 1"
restart = "always"
max_restarts = 2
backoff = { initial = "50ms", max = "100ms" }
[[app]]
name = "manual"
cmd = "exec sleep 1000"
autostart = false
"#,
    );
    env.ok(&["new", "-d", "-c", dir.join("appmux.toml").to_str().unwrap()]);
    env.ok(&["stop", "down", "-t", "left"]);
    env.ok(&["start", "manual", "-t", "left"]);
    let states = |env: &Env| -> Vec<(String, String)> {
        env.ls_json()["sessions"][0]["apps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let s = |k: &str| a[k].as_str().unwrap_or_default().to_owned();
                (s("name"), s("state"))
            })
            .collect()
    };
    let left = [
        ("up", "running"),
        ("down", "stopped"),
        ("crash", "errored"),
        ("manual", "running"),
    ];
    let as_left: Vec<(String, String)> = left
        .iter()
        .map(|(a, s)| (a.to_string(), s.to_string()))
        .collect();
    wait_until("the apps to settle", || {
        (states(&env) == as_left).then_some(())
    });
    wait_until("the state file to hold them as they are", || {
        let s = saved(&env)?;
        let apps = s["sessions"][0]["apps"].as_array()?;
        let left: Vec<&str> = apps.iter().filter_map(|a| a["left"].as_str()).collect();
        (left == ["running", "stopped", "errored", "running"]).then_some(())
    });
    env.ok(&["kill-server"]);
    env.ok(&["resurrect"]);
    let back = [
        ("up", "running"),
        ("down", "stopped"),
        ("crash", "stopped"),
        ("manual", "running"),
    ];
    let back: Vec<(String, String)> = back
        .iter()
        .map(|(a, s)| (a.to_string(), s.to_string()))
        .collect();
    wait_until("the apps to come back as they were left", || {
        (states(&env) == back).then_some(())
    });
    let down = env.app("left", Some("down")).unwrap();
    assert!(down["pid"].is_null(), "{down}");
}
