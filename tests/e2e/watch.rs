//! `watch`: a change below a watched path restarts the app once per burst, with a marker in
//! its log naming the first changed path; ignored paths restart nothing; a `restart = true`
//! dependent follows; a watched directory removed and made again is watched again; a watched
//! path that does not exist is a config error; deleting or reloading an app leaves no inotify
//! watch behind. Every "no more restarts" is shown with a later change as a barrier: the count
//! after the barrier's restart says how many the earlier burst made.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::harness::*;

/// Writes a project (with `files` made first, so their making is not a change) and starts its
/// session detached; returns the project directory once `app` runs.
fn start(env: &Env, name: &str, toml: &str, files: &[&str], app: &str) -> PathBuf {
    let dir = env.path(name);
    for file in files {
        let path = dir.join(file);
        if file.ends_with('/') {
            std::fs::create_dir_all(&path).unwrap();
        } else {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "original\n").unwrap();
        }
    }
    let dir = env.project(name, toml);
    let file = dir.join("appmux.toml");
    env.ok(&["new", "-d", "-c", file.to_str().unwrap()]);
    wait_until(&format!("{app} to run"), || {
        let a = env.app(name, Some(app))?;
        (a["state"] == "running").then_some(())
    });
    dir
}

fn restarts(env: &Env, session: &str, app: &str) -> u64 {
    env.app(session, Some(app)).unwrap()["restarts"]
        .as_u64()
        .unwrap()
}

/// The watch markers in the app's log, in order: the changed path each names.
fn markers(env: &Env, session: &str, app: &str) -> Vec<String> {
    let log = std::fs::read_to_string(env.log_file(session, app)).unwrap_or_default();
    log.lines()
        .filter_map(|l| {
            let (_, rest) = l.split_once("restarting: ")?;
            Some(rest.strip_suffix(" changed")?.to_owned())
        })
        .collect()
}

/// Waits until the app has restarted `n` times in all and runs again, with `n` markers.
fn wait_restarts(env: &Env, session: &str, app: &str, n: u64) -> Vec<String> {
    wait_until(&format!("{app} to restart {n} times"), || {
        let a = env.app(session, Some(app))?;
        let m = markers(env, session, app);
        (a["restarts"].as_u64()? >= n && a["state"] == "running" && m.len() as u64 >= n)
            .then_some(m)
    })
}

fn write(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join(file), text).unwrap();
}

/// How many inotify watches the process holds, from its descriptors' fdinfo.
fn inotify_watches(pid: u32) -> usize {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fdinfo")) else {
        return 0;
    };
    fds.flatten()
        .filter_map(|fd| std::fs::read_to_string(fd.path()).ok())
        .map(|info| {
            info.lines()
                .filter(|l| l.starts_with("inotify wd:"))
                .count()
        })
        .sum()
}

const ONE: &str = r#"
session = "w"
[[app]]
name = "api"
cmd = "echo up; sleep 1000"
watch = ["src", "Cargo.toml"]
"#;

#[test]
fn a_change_restarts_the_app_once_with_a_marker_naming_the_path() {
    let env = Env::new();
    let dir = start(
        &env,
        "w",
        ONE,
        &["src/main.rs", "Cargo.toml", "notes.txt"],
        "api",
    );
    let api = env.app("w", Some("api")).unwrap();
    assert_eq!(api["watch"], serde_json::json!(["src", "Cargo.toml"]));
    let pid = api["pid"].clone();
    let described = env.ok(&["describe", "api", "-t", "w"]);
    assert!(
        described.contains("watch         src Cargo.toml (debounce 300ms)"),
        "{described}"
    );
    write(&dir, "notes.txt", "not watched\n");
    write(&dir, "src/main.rs", "fn main() {}\n");
    assert_eq!(wait_restarts(&env, "w", "api", 1), ["src/main.rs"]);
    assert_ne!(env.app("w", Some("api")).unwrap()["pid"], pid);
    // A watched file, as a barrier: its restart is the second, so the first change made one.
    write(&dir, "Cargo.toml", "[package]\n");
    assert_eq!(
        wait_restarts(&env, "w", "api", 2),
        ["src/main.rs", "Cargo.toml"]
    );
    assert_eq!(restarts(&env, "w", "api"), 2);
}

#[test]
fn ten_thousand_files_touched_at_once_restart_the_app_once() {
    let env = Env::new();
    let dir = env.path("many");
    for d in 0..10 {
        let sub = dir.join(format!("src/d{d}"));
        std::fs::create_dir_all(&sub).unwrap();
        for f in 0..1000 {
            std::fs::write(sub.join(format!("f{f}.rs")), "").unwrap();
        }
    }
    // A quiet period longer than any pause a loaded machine puts between the touches.
    let toml = "session = \"many\"\n[[app]]\nname = \"api\"\ncmd = \"sleep 1000\"\n\
                watch = [\"src\"]\nwatch_debounce = \"1s\"\n";
    start(&env, "many", toml, &["src/barrier.rs"], "api");
    let touch = std::process::Command::new("sh")
        .arg("-c")
        .arg("find src -name 'f*.rs' -print0 | xargs -0 touch")
        .current_dir(&dir)
        .status()
        .unwrap();
    assert!(touch.success());
    let first = wait_restarts(&env, "many", "api", 1);
    assert!(first[0].starts_with("src/d"), "{first:?}");
    write(&dir, "src/barrier.rs", "changed\n");
    let all = wait_restarts(&env, "many", "api", 2);
    assert_eq!(all.last().unwrap(), "src/barrier.rs", "{all:?}");
    assert_eq!(restarts(&env, "many", "api"), 2, "{all:?}");
}

#[test]
fn an_ignored_change_restarts_nothing() {
    let env = Env::new();
    let toml = r#"
session = "ign"
[[app]]
name = "api"
cmd = "sleep 1000"
watch = ["src"]
watch_ignore = ["*.log", "gen", "src/tmp"]
watch_debounce = "50ms"
"#;
    let dir = start(
        &env,
        "ign",
        toml,
        &["src/main.rs", "src/gen/", "src/tmp/", "src/deep/gen/"],
        "api",
    );
    for file in [
        "src/out.log",
        "src/gen/x.rs",
        "src/tmp/y.rs",
        "src/deep/gen/z.rs",
    ] {
        write(&dir, file, "ignored\n");
    }
    std::fs::create_dir(dir.join("src/gen/new")).unwrap();
    write(&dir, "src/main.rs", "changed\n");
    assert_eq!(wait_restarts(&env, "ign", "api", 1), ["src/main.rs"]);
    assert_eq!(restarts(&env, "ign", "api"), 1);
}

fn refused(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    err
}

#[test]
fn a_watched_path_that_does_not_exist_is_a_config_error_at_its_element() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "keep", "--", "sleep", "1000"]);
    let dir = env.project(
        "bad",
        "[[app]]\nname = \"api\"\ncmd = \"sleep 1000\"\nwatch = [\"appmux.toml\", \"nope\"]\n\
         watch_ignore = [\"\"]\nwatch_debounce = \"1ms\"\n",
    );
    let file = dir.join("appmux.toml");
    let err = refused(&env.run_in(&dir, &["check"]));
    let missing = format!(
        "{}:4:25: `watch`: \"nope\" ({}) does not exist",
        file.display(),
        dir.join("nope").display()
    );
    assert!(err.contains(&missing), "{err}");
    assert!(
        err.contains(&format!("{}:5:17: `watch_ignore`", file.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}:6:18: `watch_debounce`", file.display())),
        "{err}"
    );
    let err = refused(&env.run_in(&dir, &["new", "-d"]));
    assert!(err.contains(&missing), "{err}");
    let sessions = env.ls_json()["sessions"].as_array().map_or(0, Vec::len);
    assert_eq!(sessions, 1, "only the session started before");
}

#[test]
fn a_watched_directory_removed_and_made_again_is_watched_again() {
    let env = Env::new();
    let toml =
        "session = \"again\"\n[[app]]\nname = \"api\"\ncmd = \"sleep 1000\"\nwatch = [\"src\"]\n";
    let dir = start(&env, "again", toml, &["src/a/main.rs"], "api");
    std::fs::remove_dir_all(dir.join("src")).unwrap();
    let first = wait_restarts(&env, "again", "api", 1);
    assert!(first[0].starts_with("src"), "{first:?}");
    std::fs::create_dir_all(dir.join("src/b")).unwrap();
    let made = wait_restarts(&env, "again", "api", 2);
    assert_eq!(made[1], "src", "{made:?}");
    // Seen only through the new directories' own watches.
    write(&dir, "src/new.rs", "new\n");
    assert_eq!(wait_restarts(&env, "again", "api", 3)[2], "src/new.rs");
    write(&dir, "src/b/deeper.rs", "new\n");
    assert_eq!(wait_restarts(&env, "again", "api", 4)[3], "src/b/deeper.rs");
    assert_eq!(restarts(&env, "again", "api"), 4);
}

#[test]
fn a_restart_true_dependent_follows_a_watched_app() {
    let env = Env::new();
    let toml = r#"
session = "dep"
[[app]]
name = "db"
cmd = "echo ready now; sleep 1000"
ready = { log = "ready now" }
watch = ["schema"]

[[app]]
name = "web"
cmd = "sleep 1000"
depends_on = { db = { condition = "ready", restart = true } }

[[app]]
name = "plain"
cmd = "sleep 1000"
depends_on = ["db"]
"#;
    let dir = start(&env, "dep", toml, &["schema/1.sql"], "web");
    wait_until("plain to run", || {
        (env.app("dep", Some("plain"))?["state"] == "running").then_some(())
    });
    let web = env.app("dep", Some("web")).unwrap()["pid"].clone();
    let plain = env.app("dep", Some("plain")).unwrap()["pid"].clone();
    write(&dir, "schema/2.sql", "create table t;\n");
    assert_eq!(wait_restarts(&env, "dep", "db", 1), ["schema/2.sql"]);
    wait_until("web to follow db", || {
        let a = env.app("dep", Some("web"))?;
        (a["restarts"] == 1 && a["state"] == "running").then_some(())
    });
    assert_ne!(env.app("dep", Some("web")).unwrap()["pid"], web);
    assert_eq!(env.app("dep", Some("plain")).unwrap()["pid"], plain);
}

#[test]
fn reload_and_delete_leave_no_watch_behind() {
    let env = Env::new();
    let toml = |watch: &str| {
        format!(
            "session = \"tidy\"\n[[app]]\nname = \"api\"\ncmd = \"sleep 1000\"\nwatch = [{watch}]\n\
             [[app]]\nname = \"other\"\ncmd = \"sleep 1000\"\n"
        )
    };
    let dir = start(
        &env,
        "tidy",
        &toml("\"src\""),
        &["src/a/x.rs", "src/b/y.rs", "src/c/z.rs"],
        "api",
    );
    let server = env.server_pid().unwrap();
    // The project directory (for src itself), src and its three directories.
    wait_until("five watches", || {
        (inotify_watches(server) == 5).then_some(())
    });
    std::fs::write(dir.join("appmux.toml"), toml("\"src/a\"")).unwrap();
    env.ok(&["reload", "-t", "tidy"]);
    wait_until("two watches after the reload", || {
        (inotify_watches(server) == 2).then_some(())
    });
    // The reload restarted api; a change outside its new watch does nothing more.
    write(&dir, "src/b/y.rs", "changed\n");
    write(&dir, "src/a/x.rs", "changed\n");
    let m = wait_until("the change in src/a to restart api", || {
        let m = markers(&env, "tidy", "api");
        (!m.is_empty() && env.app("tidy", Some("api"))?["state"] == "running").then_some(m)
    });
    assert_eq!(m, ["src/a/x.rs"]);
    assert_eq!(
        restarts(&env, "tidy", "api"),
        2,
        "the reload's and the change's"
    );
    env.ok(&["delete", "api", "-t", "tidy"]);
    wait_until("no watch once the app is gone", || {
        (inotify_watches(server) == 0).then_some(())
    });
}
