//! What a user sees in panes and chrome stays true: restarts never draw over earlier runs,
//! showing an app never ends another, a read-only client only looks, and the sidebar and status
//! line keep what matters when room is short.

use crate::harness::*;

/// A project whose app prints five numbered lines per run and fails, three times, then waits.
const RESTARTING: &str = r#"
session = "rs"
[[app]]
name = "flaky"
cmd = '''n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count
if [ $n -gt 3 ]; then echo RUN$n-WAITING; exec sleep 1000; fi
for i in 1 2 3 4 5; do echo RUN$n-LINE$i; done; exit 1'''
restart = "on-failure"
backoff = { initial = "100ms", max = "100ms" }
max_restarts = 10
"#;

#[test]
fn restarted_runs_stay_whole_and_in_order_with_their_banners_below() {
    let env = Env::new();
    let dir = env.project("proj", RESTARTING);
    env.ok(&["new", "-d", "-c", dir.join("appmux.toml").to_str().unwrap()]);
    env.wait_capture("rs:flaky", "RUN4-WAITING");
    let text = env.ok(&["capture", "-t", "rs:flaky", "--scrollback"]);
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let mut at = 0;
    for run in 1..=3 {
        for i in 1..=5 {
            let want = format!("RUN{run}-LINE{i}");
            let found = lines[at..]
                .iter()
                .position(|l| *l == want)
                .unwrap_or_else(|| panic!("`{want}` whole, after line {at}:\n{text}"));
            at += found + 1;
        }
        // The exit banner goes below the run's last line, on a line of its own.
        assert!(
            lines[at].starts_with("[flaky exited with code 1"),
            "banner below run {run}:\n{text}"
        );
        // Then the separator, then the next run on a fresh line.
        assert!(lines[at + 1].contains("restart #"), "{text}");
        at += 2;
    }
    assert_eq!(lines[at], "RUN4-WAITING", "{text}");
    for l in &lines {
        let runs = l.matches("RUN").count();
        assert!(runs <= 1, "one run's line per row: {l:?}\n{text}");
    }
}

#[test]
fn a_restart_leaves_the_alternate_screen_a_run_was_on_and_starts_below_its_output() {
    let env = Env::new();
    let dir = env.project(
        "proj",
        r#"
session = "alt"
[[app]]
name = "tui"
cmd = '''if [ -e ran ]; then echo SECOND-RUN; exec sleep 1000; fi; touch ran
echo MAIN-SCREEN-LINE; printf '\033[?1049h\033[HALT-SCREEN'; exit 1'''
restart = "on-failure"
backoff = { initial = "100ms", max = "100ms" }
"#,
    );
    env.ok(&["new", "-d", "-c", dir.join("appmux.toml").to_str().unwrap()]);
    let text = env.wait_capture("alt:tui", "SECOND-RUN");
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let main = lines.iter().position(|l| *l == "MAIN-SCREEN-LINE");
    let second = lines.iter().position(|l| *l == "SECOND-RUN");
    assert!(
        matches!((main, second), (Some(m), Some(s)) if m < s),
        "the main screen's line stays, the next run below it:\n{text}"
    );
    assert!(!text.contains("ALT-SCREEN"), "{text}");
}

fn app_pid(env: &Env, session: &str, app: &str) -> Option<u32> {
    env.app(session, Some(app))?["pid"]
        .as_u64()
        .map(|p| p as u32)
}

#[test]
fn showing_an_app_from_the_sidebar_keeps_the_pane_shell_running_and_listed() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "work"], 120, 30);
    t.wait_for("sh$");
    // A split gives a pane with a shell of its own, holding "unsaved work".
    t.send(b"\x02%");
    let split_shell = wait_until("the split's shell", || {
        let apps = env.ls_json()["sessions"][0]["apps"].as_array()?.clone();
        (apps.len() == 2).then(|| apps[1]["name"].as_str().unwrap().to_owned())
    });
    t.type_str("echo UNSAVED-$((40+2))\r");
    t.wait_for("UNSAVED-42");
    let shell_pid = app_pid(&env, "work", &split_shell).unwrap();
    env.ok(&[
        "run",
        "-t",
        "work",
        "--name",
        "other",
        "--",
        "sh",
        "-c",
        "echo OTHER-APP; exec sleep 1000",
    ]);
    // The sidebar's Enter shows `other` in the focused pane (the split).
    t.send(b"\x02s");
    t.wait_for("Enter show");
    t.send(b"G\r");
    t.wait_for("OTHER-APP");
    // The shell was not ended: same pid, alive, listed in ls and the sidebar.
    assert!(alive(shell_pid), "the replaced shell keeps running");
    assert_eq!(app_pid(&env, "work", &split_shell), Some(shell_pid));
    t.send(b"\x02s");
    t.wait_for("Enter show");
    t.wait_for(&split_shell);
    // And it can be shown again, with its screen as it was.
    let list = env.ls_json()["sessions"][0]["apps"].clone();
    let index = list
        .as_array()
        .unwrap()
        .iter()
        .position(|a| a["name"] == split_shell.as_str())
        .unwrap();
    t.send(b"g");
    for _ in 0..index {
        t.send(b"j");
    }
    t.send(b"\r");
    t.wait_for("UNSAVED-42");
    t.type_str("echo STILL-$((6*7))\r");
    t.wait_for("STILL-42");
    assert_eq!(app_pid(&env, "work", &split_shell), Some(shell_pid));
}

/// Types `echo TAG-$((a+b))` in `t` and waits for its echo, so what was sent before has arrived.
fn sync(t: &mut Term, tag: &str) {
    t.type_str(&format!("echo {tag}-$((40+2))\r"));
    t.wait_for(&format!("{tag}-42"));
}

#[test]
fn a_read_only_client_looks_scrolls_and_copies_but_changes_nothing_shared() {
    let env = Env::new();
    let mut a = env.attach(&["new", "-s", "ro"], 100, 30);
    a.wait_for("sh$");
    env.ok(&[
        "run",
        "-t",
        "ro",
        "--name",
        "other",
        "--",
        "sh",
        "-c",
        "echo OTHER-APP; exec sleep 1000",
    ]);
    // Two apps: the sidebar shows, and the shell's pane is narrower from then on.
    a.wait_for("Apps 2/2");
    a.type_str("echo SIZE-$(stty size | tr ' ' x)\r");
    let size_before = wait_until("the writer's size", || {
        let c = a.contents();
        let at = c.rfind("SIZE-")? + 5;
        let rest = &c[at..];
        let end = rest.find(|ch: char| !ch.is_ascii_alphanumeric())?;
        (rest[..end].contains('x')).then(|| rest[..end].to_owned())
    });
    let apps_before = env.ls_json()["sessions"][0]["apps"]
        .as_array()
        .unwrap()
        .len();

    let mut b = env.attach(&["attach", "-r", "-t", "ro"], 70, 20);
    b.wait_for(&format!("SIZE-{size_before}"));
    // The read-only client says so in its status line.
    b.wait_for("[read-only]");
    // Typing and pasting reach no app; a short message says why.
    b.type_str("echo TYPED-BY-READER\r");
    b.wait_for("read-only: this client");
    b.send(b"\x1b[200~echo PASTED-BY-READER\r\x1b[201~");
    // Showing another app from its sidebar changes no pane.
    b.send(b"\x02s");
    b.wait_for("Enter show");
    b.send(b"G\r");
    // Splits, new tabs, zoom and app restarts are refused.
    for keys in [&b"\x02%"[..], b"\x02c", b"\x02z", b"\x02R", b"\x02o"] {
        b.send(keys);
    }
    // Copy mode and scrolling are its own.
    b.send(b"\x02[");
    b.wait_for("copy mode");
    b.send(b"kkq");
    sync(&mut a, "AFTER");
    let screen = a.contents();
    assert!(!screen.contains("TYPED-BY-READER"), "{screen}");
    assert!(!screen.contains("PASTED-BY-READER"), "{screen}");
    assert!(!screen.contains("OTHER-APP"), "{screen}");
    assert!(!screen.contains("copy mode"), "{screen}");
    let ls = env.ls_json();
    let session = &ls["sessions"][0];
    assert_eq!(
        session["apps"].as_array().unwrap().len(),
        apps_before,
        "{ls}"
    );
    let status = a.last_row();
    assert!(
        !status.contains(" 1:") && !status.contains('Z'),
        "no new tab, no zoom: {status}"
    );
    // The reader's smaller terminal did not shrink the writer's panes.
    b.resize(60, 15);
    b.send(b"\x02[q");
    a.type_str("echo SIZE2-$(stty size | tr ' ' x)\r");
    a.wait_for(&format!("SIZE2-{size_before}"));
    // And the reader still sees what the writer does.
    b.wait_for("AFTER-42");
}

#[test]
fn the_status_line_marks_a_zoomed_pane() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "z"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02%");
    t.wait_for_fn("two panes", |s| s.contents().matches("sh$").count() >= 2);
    t.send(b"\x02z");
    t.wait_for_fn("the tab marked zoomed", |s| {
        let c = s.contents();
        c.lines().last().is_some_and(|l| l.contains("*Z"))
    });
}
