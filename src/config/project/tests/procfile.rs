//! Tests for a Procfile read as a project: apps, ports, the `.env` beside it, discovery, and
//! every problem located in the file it is in.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::config::procfile::PROCFILE;
use crate::config::project::{
    CommandSpec, PROJECT_FILE, RestartPolicy, append_app, check_project, find_project, load_project,
};

/// A directory named `shop` holding a Procfile with `text` and, when given, a `.env`.
fn procfile(text: &str, dotenv: Option<&str>) -> (TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("shop");
    std::fs::create_dir(&dir).unwrap();
    let path = dir.join(PROCFILE);
    std::fs::write(&path, text).unwrap();
    if let Some(dotenv) = dotenv {
        std::fs::write(dir.join(".env"), dotenv).unwrap();
    }
    (root, path)
}

fn env_of(pairs: &[(String, String)]) -> Vec<String> {
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

fn problems(path: &Path) -> Vec<String> {
    check_project(path)
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn each_process_is_an_app_with_its_own_port() {
    let text =
        "# processes\nweb: bundle exec rails s -p $PORT\nworker: sidekiq\n\nclock: ./clock\n";
    let (_root, path) = procfile(text, None);
    let project = load_project(&path).unwrap();
    let dir = std::path::absolute(path.parent().unwrap()).unwrap();
    assert_eq!(project.file, dir.join(PROCFILE));
    assert_eq!(project.session, "shop");
    let names: Vec<&str> = project.apps.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["web", "worker", "clock"]);
    let web = &project.apps[0];
    assert_eq!(
        web.cmd,
        CommandSpec::Shell("bundle exec rails s -p $PORT".into())
    );
    assert_eq!(web.cwd, dir);
    assert_eq!(web.restart, RestartPolicy::OnFailure);
    assert!(web.depends_on.is_empty() && web.ready.is_none());
    let ports: Vec<Vec<String>> = project.apps.iter().map(|a| env_of(&a.env)).collect();
    assert_eq!(ports, [["PORT=5000"], ["PORT=5100"], ["PORT=5200"]]);
}

#[test]
fn the_env_file_beside_it_is_loaded_and_its_port_is_the_base() {
    let dotenv = "# local\nexport DATABASE_URL=postgres://localhost/shop\nPORT=3000\nGREETING=\"hi there\"\n";
    let (_root, path) = procfile("web: serve\nworker: work\n", Some(dotenv));
    let project = load_project(&path).unwrap();
    let common = [
        "DATABASE_URL=postgres://localhost/shop",
        "GREETING=hi there",
    ];
    let with_port = |port: &str| {
        let mut env: Vec<String> = common.iter().map(|s| (*s).to_owned()).collect();
        env.push(format!("PORT={port}"));
        env
    };
    assert_eq!(env_of(&project.apps[0].env), with_port("3000"));
    assert_eq!(env_of(&project.apps[1].env), with_port("3100"));
}

#[test]
fn bad_lines_are_located_in_the_procfile() {
    let (_root, path) = procfile("web: serve\njust words\nempty:\n", None);
    let file = path.display();
    assert_eq!(
        problems(&path),
        [
            format!("{file}:2:1: expected `name: command`"),
            format!("{file}:3:7: process `empty` has no command"),
        ]
    );
    let err = load_project(&path).unwrap_err();
    assert_eq!((err.line, err.col), (2, 1));
}

#[test]
fn a_bad_env_file_is_located_in_it() {
    let (_root, path) = procfile("web: serve\n", Some("A=1\nB='open\n"));
    let env = path.with_file_name(".env");
    assert_eq!(
        problems(&path),
        [format!(
            "{}:2:3: unterminated single-quoted value: add the closing `'`",
            env.display()
        )]
    );
    std::fs::write(&env, "A=1\n  PORT=web\n").unwrap();
    assert_eq!(
        problems(&path),
        [format!(
            "{}:2:3: `PORT` is where the Procfile's ports start, so it must be a port number (1 to 65535), found \"web\"",
            env.display()
        )]
    );
    std::fs::remove_file(&env).unwrap();
    std::fs::create_dir(&env).unwrap();
    let problems = problems(&path);
    assert_eq!(
        problems,
        [format!(
            "{}:1:1: cannot read the env file: it is a directory, not a regular file",
            env.display()
        )]
    );
}

#[test]
fn ports_that_run_out_and_names_too_long_are_located_at_their_line() {
    let (_root, path) = procfile("web: a\nworker: b\n", Some("PORT=65500\n"));
    assert_eq!(
        problems(&path),
        [format!(
            "{}:2:1: process `worker` gets no `PORT`: counting from 65500 in steps of 100 passes 65535",
            path.display()
        )]
    );
    let long = "p".repeat(65);
    let (_root, path) = procfile(&format!("{long}: x\n"), None);
    assert_eq!(
        problems(&path),
        [format!(
            "{}:1:1: process name `{long}` must be at most 64 characters long",
            path.display()
        )]
    );
}

#[test]
fn discovery_prefers_the_project_file_then_the_procfile() {
    let (root, path) = procfile("web: serve\n", None);
    let dir = path.parent().unwrap();
    assert_eq!(find_project(dir), Some(path.clone()));
    std::fs::write(dir.join(PROJECT_FILE), "").unwrap();
    assert_eq!(find_project(dir), Some(dir.join(PROJECT_FILE)));
    assert_eq!(find_project(root.path()), None);
}

#[test]
fn variants_are_procfiles_too_and_saving_into_one_is_refused() {
    let (_root, path) = procfile("web: serve\n", None);
    let dev = path.with_file_name("Procfile.dev");
    std::fs::write(&dev, "web: serve --dev\n").unwrap();
    let project = load_project(&dev).unwrap();
    assert_eq!(
        project.apps[0].cmd,
        CommandSpec::Shell("serve --dev".into())
    );
    let err = append_app(&path, "extra", &CommandSpec::Shell("x".into()), None).unwrap_err();
    assert_eq!(
        err.message,
        "cannot save app `extra` to a Procfile: add a line `extra: COMMAND` by hand, or use an appmux.toml"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "web: serve\n");
}
