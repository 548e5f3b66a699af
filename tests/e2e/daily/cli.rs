//! Daily-use defects seen from the command line and the pager: paging help and logs like less,
//! attaching from inside a session, CLI and control API errors that must not pass silently,
//! the mouse wheel over a pane, and what the app log says when a run ends or cannot start.

use crate::harness::*;

/// The pager's position label (`first-last/total`) in its title row.
fn pager_position(t: &Term, title_row: u16) -> Option<(usize, usize, usize)> {
    let row = t.row(title_row);
    let label = row.split_whitespace().last()?;
    let (range, total) = label.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    Some((first.parse().ok()?, last.parse().ok()?, total.parse().ok()?))
}

/// Sends `keys` and waits for the pager to show lines `first..=last`.
fn page_to(t: &mut Term, keys: &[u8], title_row: u16, first: usize, last: usize) {
    t.send(keys);
    wait_until(
        &format!("the pager at {first}-{last} after {keys:?}"),
        || {
            pager_position(t, title_row)
                .filter(|&(f, l, _)| (f, l) == (first, last))
                .map(drop)
        },
    );
}

#[test]
fn the_help_pager_pages_like_less_and_reaches_the_last_binding() {
    let env = Env::new();
    let mut t = env.attach(&[], 80, 24);
    t.wait_for("sh$");
    t.send(b"\x02?");
    t.wait_for("help: keymap");
    let (first, page, total) = wait_until("the help pager's position", || pager_position(&t, 0));
    assert_eq!(first, 1);
    assert!(total > 3 * page, "{total} lines, {page} a page");
    // The label tells the truth: `page` rows of text, then the key help.
    assert!(!t.row(page as u16).trim().is_empty(), "{}", t.contents());
    assert!(
        t.row(page as u16 + 1).contains("q close"),
        "{}",
        t.contents()
    );
    // Pages abut: PgDn, Space and C-f go forward, PgUp, b and C-b back.
    page_to(&mut t, b"\x1b[6~", 0, page + 1, 2 * page);
    page_to(&mut t, b" ", 0, 2 * page + 1, 3 * page);
    page_to(&mut t, b"\x02", 0, page + 1, 2 * page);
    page_to(&mut t, b"\x06", 0, 2 * page + 1, 3 * page);
    page_to(&mut t, b"b", 0, page + 1, 2 * page);
    page_to(&mut t, b"\x1b[5~", 0, 1, page);
    // G and End show the last line: the last binding of the last mode (copy).
    page_to(&mut t, b"G", 0, total - page + 1, total);
    let last = t.row(page as u16);
    assert!(last.starts_with("copy"), "{}", t.contents());
    page_to(&mut t, b"g", 0, 1, page);
    page_to(&mut t, b"\x1b[F", 0, total - page + 1, total);
    assert_eq!(t.row(page as u16), last);
    t.send(b"q");
    t.wait_for_fn("the pager closed", |s| {
        !s.contents().contains("help: keymap")
    });
}

#[test]
fn the_log_pager_opens_on_the_last_line_and_pages_without_gaps() {
    let env = Env::new();
    let dir = env.project(
        "logpager",
        "[[app]]\nname = \"web\"\n\
         cmd = \"i=1; while [ $i -le 120 ]; do echo log-line-$i; i=$((i+1)); done; sleep 1000\"\n",
    );
    let mut t = env.attach_in(&dir, &[], 80, 24);
    t.wait_for("log-line-120");
    // The sidebar's `l` opens the focused app's log at its end.
    t.send(b"\x02s");
    t.wait_for("apps: ");
    t.send(b"l");
    t.wait_for("log: web");
    let (first, last, total) = wait_until("the log pager's position", || pager_position(&t, 0));
    assert_eq!(last, total, "{}", t.contents());
    let page = last + 1 - first;
    let text = t.contents();
    assert!(text.contains("log-line-120"), "{text}");
    page_to(&mut t, b"\x1b[5~", 0, first - page, first - 1);
    page_to(&mut t, b"\x1b[6~", 0, first, last);
    page_to(&mut t, b"k", 0, first - 1, last - 1);
    page_to(&mut t, b"\x1b[4~", 0, first, last);
    assert!(t.contents().contains("log-line-120"), "{}", t.contents());
}

/// How many clients are attached to `session`.
fn attached(env: &Env, session: &str) -> u64 {
    env.ls_json()["sessions"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == session))
        .and_then(|s| s["attached"].as_u64())
        .unwrap_or(0)
}

/// Types a command line into the shell of `session` and waits for its exit status, which it
/// prints after `marker`.
fn run_in_pane(env: &Env, session: &str, cmd: &str, marker: &str) -> String {
    env.ok(&[
        "send-keys",
        "-t",
        session,
        "-l",
        &format!("{cmd}; echo {marker}=$?"),
    ]);
    env.ok(&["send-keys", "-t", session, "Enter"]);
    let prefix = format!("{marker}=");
    wait_until(&format!("`{prefix}` in {session}"), || {
        let screen = env.capture(session);
        let line = screen.lines().find(|l| l.starts_with(&prefix));
        line.map(str::to_owned)
    })
}

#[test]
fn attaching_the_session_a_pane_runs_in_is_refused_unless_forced() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "other", "--", "sleep", "1000"]);
    env.ok(&["new", "-d", "-s", "main", "-x", "200", "--", "sh"]);
    env.wait_capture("main", "sh$");
    // attach -t, attach with no target (the most recent session) and bare `appmux` (which
    // attaches to "main" here) are refused with a reason and status 1, and attach nothing.
    for (cmd, marker) in [
        (format!("{BIN} attach -t main"), "rc_named"),
        (format!("{BIN} attach"), "rc_recent"),
        (BIN.to_owned(), "rc_bare"),
    ] {
        assert_eq!(
            run_in_pane(&env, "main", &cmd, marker),
            format!("{marker}=1")
        );
        assert_eq!(attached(&env, "main"), 0);
    }
    let screen = env.capture("main");
    assert!(
        screen.contains("not attaching session main to itself") && screen.contains("-f"),
        "{screen}"
    );
    // Another session attaches from inside a pane as before; C-b d detaches it.
    env.ok(&[
        "send-keys",
        "-t",
        "main",
        "-l",
        &format!("{BIN} attach -t other"),
    ]);
    env.ok(&["send-keys", "-t", "main", "Enter"]);
    wait_until("a client in session other", || {
        (attached(&env, "other") == 1).then_some(())
    });
    env.ok(&["send-keys", "-t", "main", "C-b", "d"]);
    env.wait_capture("main", "[detached (from session other)]");
    // Forced, the session is attached to itself.
    env.ok(&[
        "send-keys",
        "-t",
        "main",
        "-l",
        &format!("{BIN} attach -f -t main"),
    ]);
    env.ok(&["send-keys", "-t", "main", "Enter"]);
    wait_until("the forced client in session main", || {
        (attached(&env, "main") == 1).then_some(())
    });
    env.ok(&["send-keys", "-t", "main", "C-b", "d"]);
    env.wait_capture("main", "[detached (from session main)]");
    assert_eq!(attached(&env, "main"), 0);
}

/// Runs `appmux api` with `input` on stdin; returns every line it printed, as JSON.
fn api(env: &Env, input: &str) -> Vec<serde_json::Value> {
    use std::io::Write;
    let mut child = env
        .cmd(&["api"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("running appmux api");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?} is not JSON: {e}")))
        .collect()
}

/// Runs appmux, insists that it failed with status 1 and printed nothing; returns stderr.
fn fails(env: &Env, args: &[&str]) -> String {
    let out = env.run(args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "appmux {args:?} printed {stdout:?}"
    );
    assert!(stdout.is_empty(), "appmux {args:?} printed {stdout:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn logs_fail_naming_what_is_missing_or_ambiguous() {
    let env = Env::new();
    env.ok(&[
        "new",
        "-d",
        "-s",
        "a",
        "--",
        "sh",
        "-c",
        "echo from-a; exec sleep 1000",
    ]);
    env.ok(&[
        "new",
        "-d",
        "-s",
        "b",
        "--",
        "sh",
        "-c",
        "echo from-b; exec sleep 1000",
    ]);
    env.wait_capture("a", "from-a");
    env.wait_capture("b", "from-b");
    let e = fails(&env, &["logs", "a:nosuch"]);
    assert!(e.contains("session a has no app `nosuch`"), "{e}");
    for args in [
        &["logs", "nosuchsession:sh"][..],
        &["logs", "-t", "nosuchsession", "sh"],
    ] {
        let e = fails(&env, args);
        assert!(e.contains("can't find session nosuchsession"), "{e}");
    }
    let e = fails(&env, &["logs", "nosuchapp"]);
    assert!(e.contains("no app `nosuchapp`"), "{e}");
    // Both sessions have an app `sh`: the error lists them instead of picking one.
    let e = fails(&env, &["logs", "sh"]);
    assert!(
        e.contains("several sessions: a, b") && e.contains("-t SESSION"),
        "{e}"
    );
    assert!(env.ok(&["logs", "-t", "a", "sh"]).contains("from-a"));
    assert!(env.ok(&["logs", "b:sh"]).contains("from-b"));
    // The control API: apps.list of an unknown session is not_found; a known one lists.
    let replies = api(
        &env,
        "{\"type\":\"cmd\",\"id\":\"1\",\"action\":\"apps.list\",\"args\":{\"session\":\"nosuch\"}}\n\
         {\"type\":\"cmd\",\"id\":\"2\",\"action\":\"apps.list\",\"args\":{\"session\":\"a\"}}\n",
    );
    assert_eq!(replies.len(), 2, "{replies:?}");
    assert_eq!(replies[0]["error"]["code"], "not_found", "{replies:?}");
    assert!(
        replies[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nosuch")
    );
    assert_eq!(replies[1]["result"][0]["session"], "a", "{replies:?}");
}

#[test]
fn the_control_api_answers_a_malformed_line_with_an_error_and_goes_on() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "s", "--", "sleep", "1000"]);
    let replies = api(
        &env,
        "not json\n\
         {\"type\":\"cmd\",\"id\":\"1\",\"action\":\"sessions.list\"}\n\
         {broken\n\
         [1, 2]\n\
         {\"type\":\"cmd\",\"id\":\"2\",\"action\":\"apps.list\"}\n",
    );
    let codes: Vec<&str> = replies
        .iter()
        .map(|r| r["error"]["code"].as_str().unwrap_or("ok"))
        .collect();
    assert_eq!(
        codes,
        ["bad_json", "ok", "bad_json", "bad_request", "ok"],
        "{replies:?}"
    );
    assert_eq!(replies[1]["result"][0]["name"], "s", "{replies:?}");
    assert_eq!(replies[4]["id"], "2");
    assert_eq!(replies[4]["result"][0]["name"], "sleep", "{replies:?}");
}

/// Waits until the log of `session:app` contains `needle`; returns the log.
fn wait_log(env: &Env, session: &str, app: &str, needle: &str) -> String {
    let path = env.log_file(session, app);
    wait_until(&format!("`{needle}` in {}", path.display()), || {
        let log = std::fs::read_to_string(&path).unwrap_or_default();
        log.contains(needle).then_some(log)
    })
}

#[test]
fn the_exit_marker_names_the_pid_of_the_start_marker() {
    let env = Env::new();
    env.ok(&[
        "new",
        "-d",
        "-s",
        "m",
        "--",
        "sh",
        "-c",
        "echo hello; exit 3",
    ]);
    let log = wait_log(&env, "m", "sh", "exited with code 3");
    let marker = |what: &str| {
        log.lines()
            .find(|l| l.starts_with("[appmux] ") && l.contains(what))
            .unwrap_or_else(|| panic!("no `{what}` marker in {log:?}"))
            .to_owned()
    };
    let started = marker("started pid ");
    let pid: u32 = started
        .split("started pid ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no pid in {started:?}"));
    let exited = marker("exited with code 3");
    assert!(
        exited.contains(&format!("pid {pid} exited with code 3")),
        "{log}"
    );
}

#[test]
fn a_command_that_cannot_start_is_logged_as_one_marker_line() {
    let env = Env::new();
    // Its pane stays, to be captured below.
    env.write_config("remain_on_exit = true\n");
    env.ok(&["new", "-d", "-s", "f", "--", "nosuchcmd-xyz", "--flag"]);
    let log = wait_log(&env, "f", "nosuchcmd-xyz", "exited with code 127");
    let lines: Vec<&str> = log.lines().collect();
    assert!(lines.iter().all(|l| l.starts_with("[appmux] ")), "{log}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("failed to start")
                && l.contains("`nosuchcmd-xyz`: command not found")),
        "{log}"
    );
    assert!(!log.contains("PATH"), "{log}");
    let screen = env.capture("f");
    assert!(
        screen.contains("`nosuchcmd-xyz`: command not found"),
        "{screen}"
    );
    assert!(!screen.contains("PATH"), "{screen}");
}

#[test]
fn a_session_with_several_apps_shows_the_sidebar_beside_panes_sized_to_fit() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "s", "--", "sh"]);
    let mut t = env.attach(&["attach", "-t", "s"], 100, 30);
    t.wait_for("sh$");
    t.type_str("stty size\r");
    t.wait_for("29 100");
    assert!(!t.contents().contains("Apps"), "{}", t.contents());
    // A second app: the sidebar comes in (28 columns) and the shell is told its new width.
    env.ok(&["run", "-t", "s", "--name", "second", "--", "sleep", "1000"]);
    t.wait_for("Apps 2/2");
    t.type_str("clear; stty size\r");
    t.wait_for("29 72");
    drop(t);
    // Attaching to a session that already has several apps shows it from the start.
    let mut t = env.attach(&["attach", "-t", "s"], 100, 30);
    t.wait_for("Apps 2/2");
    t.type_str("clear; stty size\r");
    t.wait_for("29 72");
    drop(t);
    // `[sidebar] visible = false` in config.toml turns the default off.
    let env = Env::new();
    std::fs::create_dir_all(env.path("config/appmux")).unwrap();
    std::fs::write(
        env.path("config/appmux/config.toml"),
        "[sidebar]\nvisible = false\n",
    )
    .unwrap();
    env.ok(&["new", "-d", "-s", "s", "--", "sh"]);
    env.ok(&["run", "-t", "s", "--name", "second", "--", "sleep", "1000"]);
    let mut t = env.attach(&["attach", "-t", "s"], 100, 30);
    t.wait_for("sh$");
    t.type_str("stty size\r");
    t.wait_for("29 100");
    assert!(!t.contents().contains("Apps"), "{}", t.contents());
}

#[test]
fn the_wheel_scrolls_a_pane_history_view_and_leaves_copy_mode_at_the_bottom() {
    let env = Env::new();
    let script = "i=1; while [ $i -le 100 ]; do echo line-$i; i=$((i+1)); done; \
                  stty -icanon -echo; read x; \
                  printf '\\033[?1000h\\033[?1006h'; echo mouse-on; exec cat -v";
    let mut t = env.attach(&["new", "-s", "w", "--", "sh", "-c", script], 80, 24);
    // 23 rows of pane: line-79 .. line-100 and the cursor's empty row.
    t.wait_for_fn("line-100 on screen", |s| {
        s.contents().contains("line-100") && s.rows(0, 80).next().unwrap_or_default() == "line-79"
    });
    // Copy mode shows its position at the right of the first row.
    let top_row = |t: &Term, want: &'static str| {
        t.wait_for_fn(&format!("{want} at the top of the pane"), |s| {
            let row = s.rows(0, 80).next().unwrap_or_default();
            row.split_whitespace().next() == Some(want)
        })
    };
    // Each notch up scrolls the view three lines into history, in copy mode.
    t.send(b"\x1b[<64;10;5M");
    top_row(&t, "line-76");
    assert!(t.last_row().contains("copy mode"), "{}", t.contents());
    t.send(b"\x1b[<64;10;5M");
    top_row(&t, "line-73");
    // Down again; at the bottom the wheel leaves copy mode.
    t.send(b"\x1b[<65;10;5M");
    top_row(&t, "line-76");
    assert!(t.last_row().contains("copy mode"), "{}", t.contents());
    t.send(b"\x1b[<65;10;5M");
    top_row(&t, "line-79");
    t.wait_for_fn("copy mode left", |s| !s.contents().contains("copy mode"));
    // An app that asked for the mouse gets the wheel itself.
    env.ok(&["send-keys", "-t", "w", "Enter"]);
    t.wait_for("mouse-on");
    t.send(b"\x1b[<64;10;5M");
    t.wait_for("^[[<64;10;5M");
    assert!(!t.contents().contains("copy mode"), "{}", t.contents());
}
