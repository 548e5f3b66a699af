//! The orchestration keys as the binary reads them: `check` and `new` on projects with a
//! dependency cycle or a bad env file, and a directory with only a Procfile run as a project.

use std::path::PathBuf;
use std::process::Output;

use crate::harness::*;

/// Exit status 2 and stderr, for a command that must refuse a config.
fn refused(out: &Output, what: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{what}: {err}");
    err
}

fn sessions(env: &Env) -> usize {
    env.ls_json()["sessions"].as_array().map_or(0, Vec::len)
}

#[test]
fn a_dependency_cycle_is_named_with_its_lines_and_starts_nothing() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "keep", "--", "sleep", "1000"]);
    let dir = env.project(
        "cyclic",
        "[[app]]\nname = \"api\"\ncmd = \"sleep 1000\"\ndepends_on = [\"db\"]\n\n\
         [[app]]\nname = \"db\"\ncmd = \"sleep 1000\"\ndepends_on = { api = \"started\", cahce = \"ready\" }\n\n\
         [[app]]\nname = \"cache\"\ncmd = \"sleep 1000\"\n",
    );
    let file = dir.join("appmux.toml");
    let err = refused(&env.run_in(&dir, &["check"]), "check");
    let cycle = format!(
        "{}:4:15: dependency cycle: api -> db -> api (the `depends_on` entries on lines 4 and 9)",
        file.display()
    );
    assert!(err.contains(&cycle), "{err}");
    let unknown = format!(
        "{}:9:33: app `db` depends on `cahce`, which is not an app of this session; did you mean `cache`?",
        file.display()
    );
    assert!(err.contains(&unknown), "{err}");
    let err = refused(&env.run_in(&dir, &["new", "-d"]), "new");
    assert!(err.contains(&cycle), "{err}");
    assert_eq!(sessions(&env), 1, "only the session started before");
}

#[test]
fn a_bad_env_file_line_is_located_in_the_env_file() {
    let env = Env::new();
    let dir = env.project(
        "envs",
        "env_file = \".env\"\n\n[[app]]\nname = \"api\"\ncmd = \"sleep 1000\"\nenv_file = [\"missing.env\"]\n",
    );
    std::fs::write(dir.join(".env"), "# settings\nA=1\nnot a pair\n").unwrap();
    let err = refused(&env.run_in(&dir, &["check"]), "check");
    let bad_line = format!(
        "{}:3:5: expected `=` after `not`",
        dir.join(".env").display()
    );
    assert!(err.contains(&bad_line), "{err}");
    let missing = format!(
        "{}:6:13: `env_file`: cannot read {}: No such file or directory",
        dir.join("appmux.toml").display(),
        dir.join("missing.env").display()
    );
    assert!(err.contains(&missing), "{err}");
    let err = refused(&env.run_in(&dir, &["new", "-d"]), "new");
    assert!(err.contains(&bad_line), "{err}");
}

/// A directory named `name` with a Procfile (and a `.env` when given).
fn procfile_dir(env: &Env, name: &str, procfile: &str, dotenv: Option<&str>) -> PathBuf {
    let dir = env.path(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Procfile"), procfile).unwrap();
    if let Some(dotenv) = dotenv {
        std::fs::write(dir.join(".env"), dotenv).unwrap();
    }
    dir
}

#[test]
fn a_procfile_directory_runs_its_processes_with_ports_and_its_env_file() {
    let env = Env::new();
    let dir = procfile_dir(
        &env,
        "shop",
        "# the app\nweb: echo \"web on $PORT says $GREETING\"; exec sleep 1000\nworker: echo \"worker on $PORT\"; exec sleep 1000\n",
        Some("GREETING='hello from dotenv'\n"),
    );
    let check = env.run_in(&dir, &["check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let new = env.run_in(&dir, &["new", "-d"]);
    assert!(
        new.status.success(),
        "{}",
        String::from_utf8_lossy(&new.stderr)
    );
    env.wait_capture("shop:web", "web on 5000 says hello from dotenv");
    env.wait_capture("shop:worker", "worker on 5100");
    let names: Vec<String> = env.ls_json()["sessions"][0]["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(names, ["web", "worker"]);
}

#[test]
fn check_and_new_locate_a_bad_procfile_line() {
    let env = Env::new();
    let dir = procfile_dir(&env, "broken", "web: serve\njust words\n", None);
    let err = refused(&env.run_in(&dir, &["check", "-c", "Procfile"]), "check -c");
    assert!(
        err.contains("Procfile:2:1: expected `name: command`"),
        "{err}"
    );
    let err = refused(&env.run_in(&dir, &["check"]), "check");
    let located = format!(
        "{}:2:1: expected `name: command`",
        dir.join("Procfile").display()
    );
    assert!(err.contains(&located), "{err}");
    let err = refused(
        &env.run_in(&dir, &["new", "-d", "-c", "Procfile"]),
        "new -c",
    );
    assert!(
        err.contains("Procfile:2:1: expected `name: command`"),
        "{err}"
    );
    assert_eq!(env.server_pid(), None, "nothing started, not even a server");
}
