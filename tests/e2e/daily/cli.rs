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
    assert!(t.row(page as u16 + 1).contains("q close"), "{}", t.contents());
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
    t.wait_for_fn("the pager closed", |s| !s.contents().contains("help: keymap"));
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
    env.ok(&["send-keys", "-t", session, "-l", &format!("{cmd}; echo {marker}=$?")]);
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
        assert_eq!(run_in_pane(&env, "main", &cmd, marker), format!("{marker}=1"));
        assert_eq!(attached(&env, "main"), 0);
    }
    let screen = env.capture("main");
    assert!(
        screen.contains("not attaching session main to itself") && screen.contains("-f"),
        "{screen}"
    );
    // Another session attaches from inside a pane as before; C-b d detaches it.
    env.ok(&["send-keys", "-t", "main", "-l", &format!("{BIN} attach -t other")]);
    env.ok(&["send-keys", "-t", "main", "Enter"]);
    wait_until("a client in session other", || {
        (attached(&env, "other") == 1).then_some(())
    });
    env.ok(&["send-keys", "-t", "main", "C-b", "d"]);
    env.wait_capture("main", "[detached (from session other)]");
    // Forced, the session is attached to itself.
    env.ok(&["send-keys", "-t", "main", "-l", &format!("{BIN} attach -f -t main")]);
    env.ok(&["send-keys", "-t", "main", "Enter"]);
    wait_until("the forced client in session main", || {
        (attached(&env, "main") == 1).then_some(())
    });
    env.ok(&["send-keys", "-t", "main", "C-b", "d"]);
    env.wait_capture("main", "[detached (from session main)]");
    assert_eq!(attached(&env, "main"), 0);
}
