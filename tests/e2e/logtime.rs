//! Logs by time end to end: the index beside each log, `--timestamps`, `--since/--until`,
//! `--grep` (also while following), `--json`, every app of a session in time order, and the
//! faults: a deleted or cut index, a future `--since`, bad values.

use std::io::Read;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};

use crate::harness::*;

const TWO_APPS: &str = r#"
session = "lt"
[[app]]
name = "api"
cmd = "for i in 0 1 2 3 4; do echo api-$i; done; exec sleep 1000"
[[app]]
name = "web"
cmd = '''printf '\033[31mweb-red\033[0m\n'; exec sleep 1000'''
"#;

/// A child process that is killed when the test ends, even by a panic.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `appmux ARGS` in the background, collecting what it prints.
fn spawn_collecting(env: &Env, args: &[&str]) -> (KillOnDrop, Arc<Mutex<String>>) {
    let mut child = KillOnDrop(
        env.cmd(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut out = child.0.stdout.take().unwrap();
    let seen = Arc::new(Mutex::new(String::new()));
    let sink = seen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    (child, seen)
}

/// Whether `line` starts with a time such as `2026-12-01T10:00:00.123Z `.
fn timed(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() > 25 && b[4] == b'-' && b[10] == b'T' && b[19] == b'.' && &b[23..25] == b"Z "
}

fn start(env: &Env, toml: &str) {
    let dir = env.project("p", toml);
    env.ok(&["new", "-d", "-c", dir.join("appmux.toml").to_str().unwrap()]);
}

#[test]
fn logs_select_by_time_and_pattern_and_show_times_json_and_every_app() {
    let env = Env::new();
    start(&env, TWO_APPS);
    env.wait_capture("lt:api", "api-4");
    env.wait_capture("lt:web", "web-red");
    assert!(env.log_file("lt", "api").with_extension("log.idx").exists());

    let out = env.ok(&["logs", "api", "--timestamps", "-n", "2"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines.iter().all(|l| timed(l)), "{out}");
    assert!(lines[1].ends_with("api-4"), "{out}");

    let picked = env.ok(&["logs", "api", "--since", "1h", "--grep", "api-[34]"]);
    assert_eq!(picked.replace('\r', ""), "api-3\napi-4\n");
    // A future start, or an end before anything was written: nothing, and success.
    assert_eq!(env.ok(&["logs", "api", "--since", "2999-01-01T00:00"]), "");
    assert_eq!(env.ok(&["logs", "api", "--until", "2000-01-01"]), "");
    assert_eq!(env.ok(&["logs", "-t", "lt", "--since", "2999-01-01"]), "");

    // Every app of the session, in time order, each line named.
    let all = env.ok(&["logs", "-t", "lt", "-n", "1000"]);
    assert!(
        all.contains("api | api-0") && all.contains("web | "),
        "{all}"
    );
    let json = env.ok(&["logs", "-t", "lt", "--json", "-n", "1000"]);
    let objs: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let times: Vec<&str> = objs.iter().map(|o| o["time"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{json}");
    assert!(
        objs.iter()
            .any(|o| o["app"] == "web" && o["line"] == "web-red")
    );
    assert!(
        objs.iter()
            .any(|o| o["app"] == "api" && o["line"] == "api-2")
    );
    let ansi = env.ok(&["logs", "web", "--json", "--ansi", "--grep", "web-red"]);
    assert!(ansi.contains(r"\u001b[31mweb-red"), "{ansi}");

    // `-f` with no app follows every app.
    let (_follow, seen) = spawn_collecting(&env, &["logs", "-t", "lt", "-f", "-n", "1"]);
    // The last line comes first; once it is out, the followers are watching.
    wait_until("the follower to print the last line", || {
        (!seen.lock().unwrap().is_empty()).then_some(())
    });
    env.ok(&["restart", "web", "-t", "lt"]);
    wait_until("the follower to show web's restart", || {
        let seen = seen.lock().unwrap();
        (seen.contains("web | [appmux]") && seen.contains("web | \u{1b}[31mweb-red")).then_some(())
    });
}

#[test]
fn bad_log_selections_are_usage_errors_that_change_nothing() {
    let env = Env::new();
    start(&env, TWO_APPS);
    env.wait_capture("lt:api", "api-4");
    for args in [
        &["logs", "api", "--since", "yesterday"][..],
        &["logs", "api", "--until", "2026-13-01"],
        &["logs", "api", "--grep", "("],
        &["logs", "api", "--ansi"],
    ] {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.is_empty() && out.stdout.is_empty(), "{args:?}: {err}");
    }
    let err = String::from_utf8_lossy(&env.run(&["logs", "api", "--since", "yesterday"]).stderr)
        .into_owned();
    assert!(err.contains("invalid time") && err.contains("10m"), "{err}");
    assert_eq!(env.app("lt", Some("api")).unwrap()["state"], "running");
    assert_eq!(
        env.ok(&["logs", "api", "-n", "1"]).replace('\r', ""),
        "api-4\n"
    );
}

#[test]
fn a_deleted_or_cut_index_leaves_the_log_readable_and_times_come_back() {
    let env = Env::new();
    start(
        &env,
        "session = \"ix\"\n[[app]]\nname = \"tick\"\ncmd = \"i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.1; done\"\n",
    );
    let idx = env.log_file("ix", "tick").with_extension("log.idx");
    let last_timed = || {
        let out = env.ok(&["logs", "tick", "--timestamps", "-n", "1000"]);
        let lines: Vec<String> = out.lines().map(str::to_owned).collect();
        (lines.len() > 3 && lines.last().is_some_and(|l| timed(l))).then_some(lines)
    };
    wait_until("timed ticks", last_timed);

    std::fs::remove_file(&idx).unwrap();
    let out = env.ok(&["logs", "tick", "--timestamps", "-n", "1000"]);
    assert!(
        out.lines().nth(1).is_some_and(|l| l.starts_with("- ")),
        "{out}"
    );
    assert!(out.contains("tick-1\r\n"), "the log reads whole: {out}");
    wait_until(
        "times for new lines after the index was deleted",
        last_timed,
    );

    let len = std::fs::metadata(&idx).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&idx).unwrap();
    f.set_len(len / 2).unwrap();
    let before = env.ok(&["logs", "tick", "-n", "100000"]).lines().count();
    let lines = wait_until("times for new lines after the index was cut", || {
        last_timed().filter(|l| l.len() > before)
    });
    assert!(lines.iter().any(|l| l.contains("tick-0")), "{lines:?}");

    // Following with a pattern prints only what matches, as it comes.
    let (_follow, seen) =
        spawn_collecting(&env, &["logs", "tick", "-f", "-n", "0", "--grep", "7$"]);
    let seen = wait_until("two matching ticks while following", || {
        let seen = seen.lock().unwrap().clone();
        (seen.lines().count() >= 2).then_some(seen)
    });
    assert!(
        seen.lines()
            .all(|l| l.starts_with("tick-") && l.ends_with('7')),
        "{seen}"
    );
}

#[test]
fn a_time_bound_prints_every_line_it_selects_unless_n_is_given() {
    let env = Env::new();
    start(
        &env,
        r#"
session = "lt"
[[app]]
name = "many"
cmd = "seq 1 150; exec sleep 1000"
"#,
    );
    env.wait_capture("lt:many", "150");
    // The numbers only: the log also holds appmux's start marker.
    let count = |args: &[&str]| {
        let out = env.ok(args);
        let numbers = out.lines().filter(|l| l.trim().parse::<u32>().is_ok());
        numbers.count()
    };
    assert_eq!(count(&["logs", "many", "--since", "1h"]), 150);
    assert_eq!(count(&["logs", "many", "--until", "2999-01-01"]), 150);
    assert_eq!(count(&["logs", "many", "--since", "1h", "-n", "5"]), 5);
    assert_eq!(count(&["logs", "many", "-n", "100"]), 100);
    assert_eq!(count(&["logs", "many", "--grep", "."]), 100);
}

#[test]
fn the_log_pager_shows_when_each_line_began_on_t() {
    let env = Env::new();
    let dir = env.project("p", TWO_APPS);
    let mut t = env.attach_in(&dir, &[], 120, 30);
    t.wait_for("api-4");
    t.send(b"\x02s");
    t.wait_for("Enter show");
    t.send(b"/api\r");
    t.send(b"l");
    t.wait_for("log: api");
    t.wait_for("t times");
    // The pager's part of the row holding `text`, right of the sidebar.
    let row_of = |s: &vt100::Screen, text: &str| {
        let contents = s.contents();
        let row = contents.lines().find(|l| l.contains(text))?;
        Some(row.rsplit('│').next()?.trim_end().to_owned())
    };
    t.wait_for_fn("api-3 without a time", |s| {
        row_of(s, "api-3").is_some_and(|r| r.starts_with("api-3"))
    });
    t.send(b"t");
    t.wait_for_fn("api-3 after its time", |s| {
        row_of(s, "api-3").is_some_and(|r| timed(&r) && r.ends_with("api-3"))
    });
    t.send(b"t");
    t.wait_for_fn("api-3 without a time again", |s| {
        row_of(s, "api-3").is_some_and(|r| r.starts_with("api-3"))
    });
}
