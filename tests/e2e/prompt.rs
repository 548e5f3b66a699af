//! The command prompt (`C-b :`) through a real client: tmux's command names and appmux's,
//! errors in the status line that change nothing, Tab completion, and a history that outlives
//! the client.

use crate::harness::*;

fn apps_in(env: &Env, session: &str) -> usize {
    env.ls_json()["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == session)
        .map_or(0, |s| s["apps"].as_array().unwrap().len())
}

/// Whether the client shows a vertical border between panes.
fn has_border(s: &vt100::Screen) -> bool {
    s.contents().contains('│')
}

#[test]
fn split_window_h_at_the_prompt_splits_right() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "p"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02:");
    t.wait_for(":▏");
    t.type_str("split-window -h");
    t.wait_for(":split-window -h▏");
    t.send(b"\r");
    wait_until("two shells", || (apps_in(&env, "p") == 2).then_some(()));
    t.wait_for_fn("a vertical border", has_border);
    // The prompt closed: typing goes to the new pane again.
    t.type_str("echo after-$((3+4))\r");
    t.wait_for("after-7");
    // appmux's own names work too.
    t.send(b"\x02:pane.zoom\r");
    t.wait_for_fn("no border while zoomed", |s| !has_border(s));
}

#[test]
fn a_bad_command_shows_an_error_and_changes_nothing() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "bad"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02:split-windw -h\r");
    t.wait_for("unknown action `split-windw`; did you mean `split-window`?");
    t.send(b"\x02:select-layout diagonal\r");
    t.wait_for("`diagonal` is not a layout");
    t.send(b"\x02:rename-session a.b\r");
    t.wait_for("not a valid session name");
    assert_eq!(apps_in(&env, "bad"), 1);
    assert!(env.ls_json()["sessions"][0]["name"] == "bad");
    assert!(!has_border(t.parser.lock().unwrap().screen()));
    // Escape leaves the prompt with nothing run; keys reach the shell again.
    t.send(b"\x02:kill-session");
    t.wait_for(":kill-session▏");
    t.send(b"\x1b");
    t.wait_for_fn("the prompt closed", |s| {
        !s.contents().contains(":kill-session")
    });
    t.type_str("echo still-$((5+5))\r");
    t.wait_for("still-10");
    assert_eq!(apps_in(&env, "bad"), 1);
}

#[test]
fn tab_completes_command_names_and_arguments() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "tabc"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02:split-w\t");
    t.wait_for(":split-window ▏");
    // Several matches: their common part, and the matches listed.
    t.send(b"\x15select-layout ma\t");
    t.wait_for(":select-layout main-▏");
    t.wait_for("main-vertical  main-horizontal");
    t.send(b"v\t");
    t.wait_for(":select-layout main-vertical ▏");
    // App names of the session.
    t.send(b"\x15app.restart s\t");
    t.wait_for(":app.restart sh ▏");
    t.send(b"\x15rename-session work\r");
    wait_until("the session renamed", || {
        (env.ls_json()["sessions"][0]["name"] == "work").then_some(())
    });
    t.wait_for("[work]");
}

#[test]
fn up_recalls_the_history_after_detach_and_reattach() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "h"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02:new-window\r");
    t.wait_for("1:sh");
    t.send(b"\x02:previous-window\r");
    t.wait_for("0:sh*");
    t.send(b"\x02d");
    t.wait_exit();
    let mut t = env.attach(&["attach", "-t", "h"], 100, 30);
    t.wait_for("0:sh*");
    t.send(b"\x02:");
    t.wait_for(":▏");
    t.send(b"\x1b[A");
    t.wait_for(":previous-window▏");
    t.send(b"\x1b[A");
    t.wait_for(":new-window▏");
    t.send(b"\r");
    t.wait_for("2:sh");
}
