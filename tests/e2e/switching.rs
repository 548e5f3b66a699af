//! Moving around sessions, tabs and panes through a real client: the switcher (`C-b w`) with
//! its filter, preview, switch, kill and rename; `C-b ( ) L` between sessions, `C-b ; l !`
//! within one, `C-b $` and `appmux rename-session`, and `C-b f` to find a pane.

use crate::harness::*;

fn sessions(env: &Env) -> Vec<String> {
    env.ls_json()["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A detached session whose shell printed `mark`.
fn session_with(env: &Env, name: &str, mark: &str) {
    env.ok(&["new", "-d", "-s", name]);
    env.ok(&["send-keys", "-t", name, &format!("echo {mark}"), "Enter"]);
    env.wait_capture(name, &format!("\n{mark}"));
}

fn status_shows(t: &Term, session: &str) {
    let want = format!("[{session}]");
    wait_until(&format!("the status line to show {want}"), || {
        t.last_row().contains(&want).then_some(())
    });
}

fn border_col(t: &Term) -> Option<u16> {
    let p = t.parser.lock().unwrap();
    let s = p.screen();
    (0..s.size().1.get()).find(|c| s.cell(1, *c).is_some_and(|cell| cell.contents() == "│"))
}

#[test]
fn the_switcher_shows_the_tree_filters_previews_and_switches() {
    let env = Env::new();
    session_with(&env, "other", "OTHER-MARK");
    let mut t = env.attach(&["new", "-s", "main"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02w");
    let screen = t.wait_for("preview:");
    assert!(screen.contains("main (1 tab)"), "{screen}");
    assert!(screen.contains("other (1 tab)"), "{screen}");
    assert!(screen.contains("0: sh  running"), "{screen}");
    // Typing after `/` filters; the first match is selected and its screen is previewed.
    t.type_str("/OTHER-MA");
    t.wait_for("filter: OTHER-MA");
    t.wait_for("OTHER-MARK");
    let screen = t.contents();
    assert!(!screen.contains("main (1 tab)"), "filtered out: {screen}");
    assert!(screen.contains("preview: other:0.0 sh"), "{screen}");
    // The preview is live: what the other session's shell prints now shows up.
    env.ok(&["send-keys", "-t", "other", "echo LIVE-$((3*3))", "Enter"]);
    t.wait_for("LIVE-9");
    // Enter ends the filter, a second Enter switches this client there.
    t.send(b"\r");
    t.send(b"\r");
    status_shows(&t, "other");
    t.wait_for_fn("the switcher to close", |s| {
        !s.contents().contains("preview:")
    });
    wait_until("ls to count the client in other", || {
        let ls = env.ls_json();
        let s = ls["sessions"]
            .as_array()?
            .iter()
            .find(|s| s["name"] == "other")?
            .clone();
        (s["attached"] == 1).then_some(())
    });
    // Typing goes to the other session's shell now.
    t.type_str("echo HERE-$((40+2))\r");
    env.wait_capture("other", "HERE-42");
    // Detaching names the session the client was in last.
    t.send(b"\x02d");
    t.wait_for("[detached (from session other)]");
}

#[test]
fn the_switcher_kills_after_asking_and_renames_sessions_and_tabs() {
    let env = Env::new();
    session_with(&env, "spare", "SPARE-MARK");
    let mut t = env.attach(&["new", "-s", "main"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02w");
    t.wait_for("preview:");
    t.type_str("/spare\r");
    t.wait_for("filter: spare");
    t.send(b"x");
    t.wait_for("kill session spare? y/n");
    t.send(b"n");
    t.wait_for("Enter switch");
    assert_eq!(sessions(&env), ["spare", "main"]);
    t.send(b"x");
    t.wait_for("kill session spare? y/n");
    t.send(b"y");
    wait_until("spare to be killed", || {
        (sessions(&env) == ["main"]).then_some(())
    });
    // Escape clears the filter; `$` renames the session, starting from its name.
    t.send(b"\x1b");
    t.wait_for("main (1 tab)");
    t.send(b"$");
    t.wait_for("rename session: main");
    t.send(b"\x15bad:name\r");
    t.wait_for("invalid session name");
    assert_eq!(sessions(&env), ["main"]);
    t.send(b"$\x15work\r");
    wait_until("the session to be renamed", || {
        (sessions(&env) == ["work"]).then_some(())
    });
    t.wait_for("work (1 tab)");
    // `,` renames the selected pane's tab.
    t.send(b",\x15editor\r");
    t.wait_for("0: editor");
    t.send(b"q");
    status_shows(&t, "work");
    t.wait_for("0:editor*");
}

#[test]
fn session_keys_move_the_client_between_sessions_and_back() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "one"]);
    env.ok(&["new", "-d", "-s", "two"]);
    let mut t = env.attach(&["new", "-s", "three"], 100, 30);
    t.wait_for("sh$");
    status_shows(&t, "three");
    // `C-b )` goes to the next session, wrapping around; `C-b (` back.
    t.send(b"\x02)");
    status_shows(&t, "one");
    t.send(b"\x02)");
    status_shows(&t, "two");
    t.send(b"\x02(");
    status_shows(&t, "one");
    // `C-b L` goes to the session the client was in before, and back again.
    t.send(b"\x02L");
    status_shows(&t, "two");
    t.send(b"\x02L");
    status_shows(&t, "one");
}

#[test]
fn last_pane_last_tab_and_break_pane() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "panes"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02%");
    let col = wait_until("a vertical border", || border_col(&t));
    t.type_str("echo right-$((1+1))\r");
    t.wait_for("right-2");
    // `C-b ;` focuses the pane focused before: the left one.
    t.send(b"\x02;");
    t.type_str("echo left-$((2+2))\r");
    t.wait_for_fn("left-4 left of the border", |s| {
        (0..s.size().0.get()).any(|r| s.contents_between(r, 0, r, col).contains("left-4"))
    });
    // `C-b !` breaks the left pane out into a tab of its own.
    t.send(b"\x02!");
    t.wait_for_fn("no border", |s| !s.contents().contains('│'));
    t.wait_for("1:sh*");
    t.wait_for("left-4");
    // `C-b l` goes to the tab active before, and back.
    t.send(b"\x02l");
    t.wait_for("0:sh-2*");
    t.wait_for("right-2");
    t.send(b"\x02l");
    t.wait_for("1:sh*");
    // A lone pane cannot be broken out.
    t.send(b"\x02!");
    t.wait_for("can't break with only one pane");
}

#[test]
fn rename_session_by_key_and_by_command_line() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "taken"]);
    let mut t = env.attach(&["new", "-s", "first"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02$");
    t.wait_for("rename session: first");
    t.send(b"\x15work\r");
    status_shows(&t, "work");
    env.ok(&["rename-session", "-t", "work", "play"]);
    status_shows(&t, "play");
    assert_eq!(sessions(&env), ["taken", "play"]);
    // Bad and taken names are refused and change nothing.
    let bad = env.run(&["rename-session", "-t", "play", "a:b"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("valid session name"),
        "{bad:?}"
    );
    let taken = env.run(&["rename-session", "-t", "play", "taken"]);
    assert_eq!(taken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&taken.stderr).contains("duplicate session"));
    let missing = env.run(&["rename-session", "-t", "nope", "x"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(sessions(&env), ["taken", "play"]);
    // The key refuses a bad name in the status line.
    t.send(b"\x02$\x15a.b\r");
    t.wait_for("invalid session name");
    status_shows(&t, "play");
}

#[test]
fn find_jumps_to_the_one_match_or_shows_the_switcher_filtered() {
    let env = Env::new();
    session_with(&env, "far", "FAR-MARK-7");
    let mut t = env.attach(&["new", "-s", "near"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02f");
    t.wait_for("find pane");
    t.type_str("FAR-MARK-7\r");
    status_shows(&t, "far");
    // Nothing matches: said in the status line, the client stays.
    t.send(b"\x02fno-such-text-anywhere\r");
    // The message shows for two seconds: read it from what the client was sent, so a loaded
    // machine cannot make the test look too late.
    wait_until("the no-match message", || {
        String::from_utf8_lossy(&t.raw_output())
            .contains("no pane matches")
            .then_some(())
    });
    status_shows(&t, "far");
    // Several panes match (both shells): the switcher opens, filtered.
    t.send(b"\x02fsh\r");
    t.wait_for("filter: sh");
    t.wait_for("preview:");
    let screen = t.contents();
    assert!(
        screen.contains("near (1 tab)") && screen.contains("far (1 tab)"),
        "{screen}"
    );
}
