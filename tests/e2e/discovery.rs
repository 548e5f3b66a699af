//! Config discovery as the binary does it: `appmux.toml` found in the nearest parent directory,
//! or named by `APPMUX_CONFIG` (with `-c` winning over it), and the session belonging to the
//! found file's directory.

use std::path::Path;

use crate::harness::*;

/// A project whose one app prints its working directory and stays up.
fn pwd_project(session: &str) -> String {
    format!("session = \"{session}\"\n\n[[app]]\nname = \"here\"\ncmd = \"pwd; exec sleep 1000\"\n")
}

/// The canonical form of `dir`, as `pwd` prints it (the temp dir may sit behind a symlink).
fn canonical(dir: &Path) -> String {
    dir.canonicalize().unwrap().display().to_string()
}

/// The `cwd` that `describe --json` reports for an app.
fn described_cwd(env: &Env, session: &str, app: &str) -> String {
    let out = env.ok(&["describe", app, "-t", session, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("describe --json is JSON");
    v["cwd"].as_str().expect("a cwd").to_owned()
}

#[test]
fn a_subdirectory_starts_the_parent_project_in_the_parent_directory() {
    let env = Env::new();
    let root = env.project("proj", &pwd_project("proj"));
    let deep = root.join("src").join("deep");
    std::fs::create_dir_all(&deep).unwrap();
    let out = env.run_in(&deep, &["new", "-d"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.wait_capture("proj:here", &canonical(&root));
    assert_eq!(
        Path::new(&described_cwd(&env, "proj", "here"))
            .canonicalize()
            .unwrap(),
        root.canonicalize().unwrap()
    );
    // The session belongs to the project's directory: a new tab's shell starts there too.
    env.ok(&["action", "-t", "proj", "tab.new"]);
    let shell = wait_until("the new tab's shell", || {
        let s = env.ls_json()["sessions"][0]["apps"].clone();
        s.as_array()?
            .iter()
            .find(|a| a["name"] != "here")
            .and_then(|a| a["name"].as_str().map(str::to_owned))
    });
    assert_eq!(
        Path::new(&described_cwd(&env, "proj", &shell))
            .canonicalize()
            .unwrap(),
        root.canonicalize().unwrap()
    );
    // `logs` with no app, from the subdirectory, is the project session's, not the newest one.
    env.ok(&["new", "-d", "-s", "newer", "--", "sleep", "1000"]);
    let logs = String::from_utf8_lossy(&env.run_in(&deep, &["logs"]).stdout).into_owned();
    assert!(logs.contains(&canonical(&root)), "{logs}");
    // `check` from the subdirectory checks the parent's file.
    let out = env.run_in(&deep, &["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && text.contains(&format!("{}: ok", root.join("appmux.toml").display())),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn appmux_config_names_a_project_elsewhere_and_c_wins_over_it() {
    let env = Env::new();
    let elsewhere = env.path("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let named = elsewhere.join("other.toml");
    std::fs::write(&named, pwd_project("other")).unwrap();
    // A project in the working directory that APPMUX_CONFIG overrides.
    let local = env.project("local", &pwd_project("local"));
    let out = env
        .cmd(&["new", "-d"])
        .current_dir(&local)
        .env("APPMUX_CONFIG", &named)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.wait_capture("other:here", &canonical(&elsewhere));
    // `-c` wins over APPMUX_CONFIG.
    let third = env.project("third", &pwd_project("third"));
    let file = third.join("appmux.toml");
    let out = env
        .cmd(&["new", "-d", "-c", file.to_str().unwrap()])
        .env("APPMUX_CONFIG", &named)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.wait_capture("third:here", &canonical(&third));
    // A name that is no file is a usage error, and starts nothing.
    let out = env
        .cmd(&["new", "-d"])
        .env("APPMUX_CONFIG", env.path("missing.toml"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("missing.toml: no such file (named by APPMUX_CONFIG)"),
        "{err}"
    );
    let names: Vec<String> = env.ls_json()["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}
