//! The supervisor end to end: project sessions, the sidebar, config errors, lifecycle and
//! restart policy, the CLI verbs, logs and metrics.

use std::time::Duration;

use crate::harness::*;

const PROJECT: &str = r#"
session = "shop"
[[app]]
name = "web"
cmd = "echo web-ready; exec sleep 1000"
[[app]]
name = "worker"
cmd = ["sh", "-c", "echo worker-ready; exec sleep 1000"]
[[app]]
name = "manual"
cmd = "echo manual-ready; echo $GREETING; exec sleep 1000"
env = { GREETING = "hello-from-env" }
autostart = false
"#;

fn state(env: &Env, session: &str, app: &str) -> String {
    env.app(session, Some(app))
        .map(|a| a["state"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

fn wait_state(env: &Env, session: &str, app: &str, want: &str) -> serde_json::Value {
    wait_until(&format!("{session}:{app} to be {want}"), || {
        let a = env.app(session, Some(app))?;
        (a["state"] == want).then_some(a)
    })
}

fn pid(env: &Env, session: &str, app: &str) -> u32 {
    env.app(session, Some(app)).unwrap()["pid"]
        .as_u64()
        .unwrap() as u32
}

#[test]
fn appmux_in_a_project_directory_creates_the_session_then_attaches_to_it() {
    let env = Env::new();
    let dir = env.project("proj", PROJECT);
    let t = env.attach_in(&dir, &[], 120, 30);
    t.wait_for("web-ready");
    // The sidebar lists every app with its state.
    t.wait_for("worker");
    t.wait_for("stopped");
    wait_state(&env, "shop", "web", "running");
    wait_state(&env, "shop", "worker", "running");
    assert_eq!(state(&env, "shop", "manual"), "stopped");
    let ls = env.ls_json();
    assert!(
        ls["sessions"][0]["project_file"]
            .as_str()
            .unwrap()
            .ends_with("appmux.toml")
    );
    let web = pid(&env, "shop", "web");
    // A second `appmux` in the same directory attaches instead of starting anything again.
    let t2 = env.attach_in(&dir, &[], 100, 30);
    t2.wait_for("web-ready");
    assert_eq!(env.ls_json()["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(pid(&env, "shop", "web"), web);
    assert_eq!(env.ls_json()["sessions"][0]["attached"], 2);
    drop(t);
}

#[test]
fn new_detached_with_a_config_file_and_the_cli_verbs() {
    let env = Env::new();
    let dir = env.project("proj", PROJECT);
    let file = dir.join("appmux.toml");
    env.ok(&["new", "-d", "-c", file.to_str().unwrap()]);
    wait_state(&env, "shop", "web", "running");
    env.ok(&["start", "manual", "-t", "shop"]);
    wait_state(&env, "shop", "manual", "running");
    env.wait_capture("shop:manual", "hello-from-env");

    let before = pid(&env, "shop", "web");
    env.ok(&["restart", "web", "-t", "shop"]);
    let after = wait_until("web to get a new pid", || {
        let a = env.app("shop", Some("web"))?;
        let p = a["pid"].as_u64()? as u32;
        (p != before && a["state"] == "running").then_some(a)
    });
    assert_eq!(after["restarts"], 1);
    assert!(wait_gone(before, timeout()));
    // The restarted app keeps its terminal, with a separator.
    env.wait_capture("shop:web", "restart #1");

    env.ok(&["stop", "all", "-t", "shop"]);
    for app in ["web", "worker", "manual"] {
        wait_state(&env, "shop", app, "stopped");
    }
    env.ok(&["start", "all"]);
    for app in ["web", "worker", "manual"] {
        wait_state(&env, "shop", app, "running");
    }
    let out = env.run(&["stop", "nosuch", "-t", "shop"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nosuch"));
}

#[test]
fn ls_json_has_the_supervisor_fields_and_metrics() {
    let env = Env::new();
    let dir = env.project("proj", PROJECT);
    env.ok(&["new", "-d", "-c", dir.join("appmux.toml").to_str().unwrap()]);
    let web = wait_state(&env, "shop", "web", "running");
    for key in [
        "name",
        "state",
        "pid",
        "exit_code",
        "signal",
        "restarts",
        "uptime_s",
        "cpu_percent",
        "rss_bytes",
    ] {
        assert!(web.get(key).is_some(), "missing {key} in {web}");
    }
    let web = wait_until("metrics for web", || {
        let a = env.app("shop", Some("web"))?;
        (a["rss_bytes"].as_u64()? > 0).then_some(a)
    });
    assert!(web["cpu_percent"].as_f64().unwrap() >= 0.0);
    assert!(web["uptime_s"].as_u64().is_some());
}

#[test]
fn run_adds_an_ad_hoc_app_and_save_appends_it_to_the_file() {
    let env = Env::new();
    let dir = env.project("proj", PROJECT);
    let file = dir.join("appmux.toml");
    env.ok(&["new", "-d", "-c", file.to_str().unwrap()]);
    let out = env.ok(&[
        "run",
        "--name",
        "tick",
        "--restart",
        "always",
        "-t",
        "shop",
        "--",
        "sh",
        "-c",
        "echo tick-ready; sleep 1000",
    ]);
    assert!(out.contains("shop:tick"), "{out}");
    wait_state(&env, "shop", "tick", "running");
    env.wait_capture("shop:tick", "tick-ready");
    // Same name twice is refused.
    let dup = env.run(&["run", "--name", "tick", "-t", "shop", "--", "true"]);
    assert_eq!(dup.status.code(), Some(1));

    env.ok(&[
        "run",
        "--name",
        "saved",
        "--save",
        "-t",
        "shop",
        "--",
        "echo saved-ready; sleep 1000",
    ]);
    wait_state(&env, "shop", "saved", "running");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("name = \"saved\""), "{text}");
    assert!(
        text.starts_with(PROJECT),
        "the original text and comments are kept"
    );
    let check = env.run_in(&dir, &["check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn config_errors_name_file_line_and_column_and_change_nothing() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "keep", "--", "sleep", "1000"]);
    let keep = pid(&env, "keep", "sleep");
    let cases: &[(&str, &str, &str)] = &[
        ("syntax", "[[app]]\nname = \"a\"\ncmd = \"x\n", ":3:"),
        (
            "unknown",
            "[[app]]\nname = \"a\"\ncomand = \"x\"\n",
            ":3:1: ",
        ),
        (
            "type",
            "[[app]]\nname = \"a\"\ncmd = \"x\"\nautostart = \"yes\"\n",
            ":4:13: ",
        ),
        (
            "dup",
            "[[app]]\nname = \"a\"\ncmd = \"x\"\n[[app]]\nname = \"a\"\ncmd = \"y\"\n",
            ":5:8: ",
        ),
        ("empty", "[[app]]\nname = \"a\"\ncmd = \"  \"\n", ":3:7: "),
        (
            "duration",
            "[[app]]\nname = \"a\"\ncmd = \"x\"\nmin_uptime = \"5 parsecs\"\n",
            ":4:14: ",
        ),
        (
            "size",
            "[[app]]\nname = \"a\"\ncmd = \"x\"\nlog = { max_size = \"lots\" }\n",
            ":4:",
        ),
        (
            "cwd",
            "[[app]]\nname = \"a\"\ncmd = \"x\"\ncwd = \"no/such/dir\"\n",
            ":4:7: ",
        ),
    ];
    for (name, text, loc) in cases {
        let dir = env.project(name, text);
        let file = dir.join("appmux.toml");
        for args in [
            vec!["new", "-d", "-c", file.to_str().unwrap()],
            vec!["check", file.to_str().unwrap()],
        ] {
            let out = env.run(&args);
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            assert_eq!(out.status.code(), Some(2), "{name} {args:?}: {err}");
            assert!(err.contains(&format!("appmux.toml{loc}")), "{name}: {err}");
        }
    }
    let unknown = env.run(&[
        "check",
        env.path("unknown").join("appmux.toml").to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("did you mean `cmd`"));
    assert_eq!(env.ls_json()["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(pid(&env, "keep", "sleep"), keep);
}

#[test]
fn a_missing_command_exits_127_with_the_shells_message_and_backs_off() {
    let env = Env::new();
    let dir = env.project(
        "p",
        "[[app]]\nname = \"ghost\"\ncmd = \"no-such-command-xyz\"\nrestart = \"always\"\nbackoff = { initial = \"500ms\", max = \"5s\", factor = 2.0 }\n",
    );
    env.ok(&[
        "new",
        "-d",
        "-s",
        "g",
        "-c",
        dir.join("appmux.toml").to_str().unwrap(),
    ]);
    let screen = env.wait_capture("g:ghost", "not found");
    assert!(screen.contains("no-such-command-xyz"), "{screen}");
    let app = wait_until("the first exit", || {
        let a = env.app("g", Some("ghost"))?;
        (a["exit_code"] == 127).then_some(a)
    });
    assert_eq!(app["exit_code"], 127);
    // With 0.5 s, 1 s, 2 s ... between starts, three seconds hold only a few restarts.
    std::thread::sleep(Duration::from_secs(3));
    let restarts = env.app("g", Some("ghost")).unwrap()["restarts"]
        .as_u64()
        .unwrap();
    assert!((1..=4).contains(&restarts), "restart storm: {restarts}");
}

#[test]
fn an_app_that_dies_at_once_under_always_ends_errored() {
    let env = Env::new();
    let dir = env.project(
        "p",
        "[[app]]\nname = \"flap\"\ncmd = \"exit 1\"\nrestart = \"always\"\nmax_restarts = 3\nbackoff = { initial = \"50ms\", max = \"200ms\" }\n",
    );
    env.ok(&[
        "new",
        "-d",
        "-s",
        "f",
        "-c",
        dir.join("appmux.toml").to_str().unwrap(),
    ]);
    let app = wait_state(&env, "f", "flap", "errored");
    assert_eq!(app["restarts"], 3);
    assert_eq!(app["exit_code"], 1);
    assert!(app["pid"].is_null());
    // Errored waits for a hand: nothing restarts it.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(env.app("f", Some("flap")).unwrap()["restarts"], 3);
    env.ok(&["start", "flap", "-t", "f", "--no-wait"]);
    wait_until("a manual start to run it again", || {
        let a = env.app("f", Some("flap"))?;
        (a["restarts"].as_u64()? > 3 || a["state"] == "running" || a["state"] == "waiting")
            .then_some(())
    });
}

#[test]
fn stop_kills_what_ignores_sigterm_and_leaves_no_grandchild() {
    let env = Env::new();
    let dir = env.project(
        "p",
        r#"
[[app]]
name = "stubborn"
cmd = "trap '' TERM; echo stubborn-ready; while :; do sleep 0.1; done"
stop_timeout = "500ms"
[[app]]
name = "parent"
cmd = "sh -c 'trap \"\" HUP TERM; while :; do sleep 0.1; done' & echo parent-ready; wait"
stop_timeout = "500ms"
"#,
    );
    env.ok(&[
        "new",
        "-d",
        "-s",
        "s",
        "-c",
        dir.join("appmux.toml").to_str().unwrap(),
    ]);
    env.wait_capture("s:stubborn", "stubborn-ready");
    env.wait_capture("s:parent", "parent-ready");
    let stubborn = pid(&env, "s", "stubborn");
    let parent = pid(&env, "s", "parent");
    let family = Env::tree(parent);
    assert!(
        family.len() >= 2,
        "the grandchild should be running: {family:?}"
    );
    env.ok(&["stop", "stubborn", "parent", "-t", "s"]);
    wait_state(&env, "s", "stubborn", "stopped");
    wait_state(&env, "s", "parent", "stopped");
    assert!(wait_gone(stubborn, timeout()));
    for p in family {
        assert!(wait_gone(p, timeout()), "process {p} survived the stop");
    }
}

#[test]
fn racing_restarts_leave_exactly_one_process() {
    let env = Env::new();
    let dir = env.project(
        "p",
        "[[app]]\nname = \"one\"\ncmd = \"exec sleep 1000\"\nstop_timeout = \"1s\"\n",
    );
    env.ok(&[
        "new",
        "-d",
        "-s",
        "r",
        "-c",
        dir.join("appmux.toml").to_str().unwrap(),
    ]);
    wait_state(&env, "r", "one", "running");
    let children: Vec<_> = (0..10)
        .map(|i| {
            let op = ["restart", "start", "restart", "stop", "restart"][i % 5];
            env.cmd(&[op, "one", "-t", "r", "--no-wait"])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        c.wait().unwrap();
    }
    env.ok(&["restart", "one", "-t", "r"]);
    let app = wait_state(&env, "r", "one", "running");
    std::thread::sleep(Duration::from_millis(300));
    let sleeps = processes_matching("sleep\u{0}1000")
        .into_iter()
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/environ"))
                .map(|e| e.contains(&format!("APPMUX={}", env.socket().display())))
                .unwrap_or(false)
        })
        .count();
    assert_eq!(sleeps, 1, "{app}");
}

#[test]
fn fifty_apps_in_one_config() {
    let env = Env::new();
    let mut toml = String::new();
    for i in 0..50 {
        toml.push_str(&format!(
            "[[app]]\nname = \"app{i}\"\ncmd = \"echo ready-{i}; exec sleep 1000\"\n"
        ));
    }
    let dir = env.project("p", &toml);
    env.ok(&[
        "new",
        "-d",
        "-s",
        "many",
        "-c",
        dir.join("appmux.toml").to_str().unwrap(),
    ]);
    wait_until("50 running apps", || {
        let ls = env.ls_json();
        let apps = ls["sessions"][0]["apps"].as_array()?.clone();
        (apps.len() == 50 && apps.iter().all(|a| a["state"] == "running")).then_some(())
    });
    env.wait_capture("many:app49", "ready-49");
}

#[test]
fn a_flood_is_logged_byte_for_byte() {
    let env = Env::new();
    let data = env.path("flood.txt");
    let mut text = String::new();
    let mut n: u64 = 1;
    while text.len() < 8 * 1024 * 1024 {
        n = n
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        text.push_str(&format!(
            "{n:x} \x1b[3{}mcolour\x1b[0m ünïcödé 中文 {}\n",
            n % 8,
            "x".repeat((n % 200) as usize)
        ));
    }
    std::fs::write(&data, &text).unwrap();
    let dir = env.project(
        "p",
        &format!("[[app]]\nname = \"flood\"\ncmd = [\"cat\", \"{}\"]\nrestart = \"never\"\nlog = {{ max_size = \"1MB\", max_files = 20 }}\n", data.display()),
    );
    env.ok(&[
        "new",
        "-d",
        "-s",
        "fl",
        "-c",
        dir.join("appmux.toml").to_str().unwrap(),
    ]);
    wait_state(&env, "fl", "flood", "exited");
    let log = env.ok(&["logs", "flood", "-t", "fl", "-n", "100000000"]);
    let body: String = log
        .replace("\r\n", "\n")
        .lines()
        .filter(|l| !l.starts_with("[appmux] "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(body.len(), text.len());
    assert!(body == text, "the log differs from what the app printed");
    let rotated = env.log_file("fl", "flood").with_extension("log.1");
    assert!(rotated.exists(), "1 MB logs should have rotated");
}

#[test]
fn logs_reads_tails_and_follows() {
    let env = Env::new();
    let dir = env.project(
        "p",
        "[[app]]\nname = \"talk\"\ncmd = \"i=0; while [ $i -lt 30 ]; do echo line-$i; i=$((i+1)); done; sleep 1000\"\nlog = { max_size = \"100B\", max_files = 50 }\n",
    );
    env.ok(&[
        "new",
        "-d",
        "-s",
        "lg",
        "-c",
        dir.join("appmux.toml").to_str().unwrap(),
    ]);
    env.wait_capture("lg:talk", "line-29");
    let tail = env.ok(&["logs", "talk", "-n", "3"]);
    assert_eq!(tail.replace('\r', ""), "line-27\nline-28\nline-29\n");
    let all = env.ok(&["logs", "lg:talk", "-n", "1000"]);
    assert!(
        all.contains("line-0\r\n") && all.contains("[appmux] "),
        "{all}"
    );
    assert!(env.log_file("lg", "talk").with_extension("log.3").exists());

    let mut follow = KillOnDrop(
        env.cmd(&["logs", "talk", "-f", "-n", "1"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let out = follow.0.stdout.take().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = seen.clone();
    std::thread::spawn(move || {
        use std::io::Read;
        let mut out = out;
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
    // `-n 1` prints the last line first; once it is out, the follower is watching the file.
    wait_until("follow to print the tail", || {
        seen.lock().unwrap().contains("line-29").then_some(())
    });
    seen.lock().unwrap().clear();
    env.ok(&["restart", "talk", "-t", "lg"]);
    wait_until("follow to print the restart", || {
        let seen = seen.lock().unwrap();
        (seen.contains("started pid") && seen.contains("line-29")).then_some(())
    });
    let seen = seen.lock().unwrap().clone();
    let after: Vec<&str> = seen
        .lines()
        .skip_while(|l| !l.contains("started pid"))
        .collect();
    let lines: Vec<&str> = after
        .iter()
        .filter(|l| l.starts_with("line-"))
        .copied()
        .collect();
    assert_eq!(
        lines.len(),
        30,
        "follow skipped lines across rotation: {seen}"
    );
}

/// A child process that is killed when the test ends, even by a panic.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_vanished_log_dir_never_stops_the_app_and_logging_resumes() {
    let env = Env::new();
    let dir = env.project(
        "p",
        "[[app]]\nname = \"chat\"\ncmd = \"while :; do echo chatter; sleep 0.05; done\"\n",
    );
    env.ok(&[
        "new",
        "-d",
        "-s",
        "v",
        "-c",
        dir.join("appmux.toml").to_str().unwrap(),
    ]);
    let log = env.log_file("v", "chat");
    wait_until("the log to exist", || log.exists().then_some(()));
    let logs_dir = log.parent().unwrap().to_owned();
    std::fs::remove_dir_all(&logs_dir).unwrap();
    // A file where the directory was makes logging fail until it is gone.
    std::fs::write(&logs_dir, b"in the way").unwrap();
    let app = wait_until("dropped bytes to be reported", || {
        let a = env.app("v", Some("chat"))?;
        (a["log_dropped"].as_u64()? > 0).then_some(a)
    });
    assert_eq!(app["state"], "running");
    std::fs::remove_file(&logs_dir).unwrap();
    wait_until("logging to resume", || {
        std::fs::read_to_string(&log)
            .ok()?
            .contains("chatter")
            .then_some(())
    });
    assert_eq!(state(&env, "v", "chat"), "running");
}

#[test]
fn the_sidebar_drives_apps_with_keys() {
    let env = Env::new();
    let dir = env.project("proj", PROJECT);
    let mut t = env.attach_in(&dir, &[], 120, 30);
    t.wait_for("web-ready");
    // C-b s focuses the sidebar; the selection starts on the app shown (web).
    t.send(b"\x02s");
    t.wait_for("Enter show");
    // Down twice to `manual` (stopped), Enter starts it and shows it in the pane.
    t.send(b"jj\r");
    t.wait_for("manual-ready");
    wait_state(&env, "shop", "manual", "running");
    // Back to the sidebar: `s` stops the selected app.
    t.send(b"\x02s");
    t.wait_for("Enter show");
    t.send(b"s");
    wait_state(&env, "shop", "manual", "stopped");
    // `r` on worker restarts it.
    t.send(b"k");
    let worker = pid(&env, "shop", "worker");
    t.send(b"r");
    wait_until("worker restarted", || {
        let a = env.app("shop", Some("worker"))?;
        (a["pid"].as_u64()? as u32 != worker && a["state"] == "running").then_some(())
    });
    // `x` asks first; `y` kills with SIGKILL.
    t.send(b"x");
    t.wait_for("SIGKILL to its process group");
    t.send(b"y");
    wait_state(&env, "shop", "worker", "stopped");
    // `/` filters by name.
    t.send(b"/web\r");
    t.wait_for_fn("only web listed", |s| {
        let c = s.contents();
        c.contains("/web") && !c.contains("worker")
    });
    // `l` opens the selected app's log.
    t.send(b"l");
    t.wait_for("log: web");
    t.send(b"q");
    // `n` launches a command as an ad-hoc app.
    t.send(b"\x02sn");
    t.wait_for("run:");
    t.type_str("echo adhoc-$((6*7)); sleep 1000\r");
    t.wait_for("adhoc-42");
    assert!(env.app("shop", Some("echo")).is_some());
    let apps = env.ls_json()["sessions"][0]["apps"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(apps, 4);
}

#[test]
fn a_click_in_the_sidebar_selects_an_app() {
    let env = Env::new();
    let dir = env.project("proj", PROJECT);
    let mut t = env.attach_in(&dir, &[], 120, 30);
    t.wait_for("web-ready");
    t.wait_for("manual");
    // Rows: 0 header, 1-2 web, 3-4 worker, 5-6 manual. SGR mouse is 1-based.
    t.send(b"\x1b[<0;5;6M\x1b[<0;5;6m");
    t.wait_for("Enter show");
    t.send(b"\r");
    t.wait_for("manual-ready");
}
