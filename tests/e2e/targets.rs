//! tmux targets and capture ranges from the command line: `-t SESSION:TAB.PANE` (tabs by index
//! or name, panes by index) beside `SESSION:APP`, and `capture -S/-E` as tmux's capture-pane.

use crate::harness::*;

/// The lines of a capture.
fn lines(env: &Env, args: &[&str]) -> Vec<String> {
    let mut all = vec!["capture"];
    all.extend_from_slice(args);
    env.ok(&all).lines().map(str::to_owned).collect()
}

#[test]
fn targets_name_panes_by_tab_and_index() {
    let env = Env::new();
    env.ok(&[
        "new",
        "-d",
        "-s",
        "t",
        "--",
        "sh",
        "-c",
        "echo first-pane; exec sleep 1000",
    ]);
    env.wait_capture("t", "first-pane");
    env.ok(&["action", "-t", "t", "pane.split-right"]);
    env.ok(&["action", "-t", "t", "tab.new"]);
    env.ok(&["action", "-t", "t", "tab.rename", "logs"]);
    // Tab 0 pane 1 is the split's shell; type into it by target.
    env.ok(&["send-keys", "-t", "t:0.1", "echo pane-$((0+1))", "Enter"]);
    env.wait_capture("t:0.1", "pane-1");
    assert!(env.capture("t:0.0").contains("first-pane"));
    // `t.0` is pane 0 of the current tab (logs), `t:logs` and `t:1` that tab.
    env.ok(&["send-keys", "-t", "t:logs", "echo in-$((2*2))", "Enter"]);
    env.wait_capture("t:1.0", "in-4");
    env.wait_capture("t.0", "in-4");
    // An app's name still names that app.
    assert!(env.capture("t:sh").contains("first-pane"));
    // What is not there is an error that names it, and nothing is typed anywhere.
    for (target, says) in [
        ("t:5", "can't find tab `5`"),
        ("t:0.7", "can't find pane 7"),
        ("t:nope", "can't find app or tab `nope`"),
        ("t:.x", "must be a number"),
        ("other:0.0", "can't find session: other"),
    ] {
        let out = env.run(&["send-keys", "-t", target, "oops", "Enter"]);
        assert!(!out.status.success(), "{target}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{target}: {err}");
    }
    assert!(!env.capture("t:0.1").contains("oops"));
}

#[test]
fn capture_ranges_count_lines_as_capture_pane_does() {
    let env = Env::new();
    env.ok(&[
        "new",
        "-d",
        "-s",
        "c",
        "-x",
        "80",
        "-y",
        "10",
        "--",
        "sh",
        "-c",
        "seq 1 40; exec sleep 1000",
    ]);
    env.wait_capture("c", "40");
    let screen = lines(&env, &["-t", "c:0.0"]);
    let all = lines(&env, &["-t", "c:0.0", "-S", "-", "-E", "-"]);
    assert_eq!(all[0], "1");
    let history = all.len() - screen.len();
    assert!(history > 3, "{all:?}");
    assert_eq!(all[history..], screen[..]);
    // -S -3 -E -1: the last three history lines.
    assert_eq!(
        lines(&env, &["-t", "c", "-S", "-3", "-E", "-1"]),
        all[history - 3..history]
    );
    // 0 is the first visible line; -E alone ends early.
    assert_eq!(lines(&env, &["-t", "c", "-E", "0"]), screen[..1]);
    assert_eq!(
        lines(&env, &["-t", "c", "-S", "1", "-E", "2"]),
        screen[1..3]
    );
    // Beyond the ends: clamped, as tmux does.
    assert_eq!(lines(&env, &["-t", "c", "-S", "-100000"]), all);
    // The same through the vocabulary.
    let via_action = env.ok(&[
        "action",
        "-t",
        "c",
        "app.capture",
        "--",
        "--start",
        "-2",
        "--end",
        "-1",
    ]);
    assert_eq!(
        via_action.lines().collect::<Vec<_>>(),
        all[history - 2..history]
    );
    // A bad line number is refused.
    let out = env.run(&["capture", "-t", "c", "-S", "top"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("line number"));
}

#[test]
fn rename_session_renames_and_refuses_bad_or_taken_names() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "old"]);
    env.ok(&["new", "-d", "-s", "other"]);
    env.ok(&["rename-session", "-t", "old", "new"]);
    let names: Vec<String> = env.ls_json()["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.contains(&"new".to_owned()) && !names.contains(&"old".to_owned()));
    for (name, says) in [
        ("other", "duplicate session: other"),
        ("a:b", "not a valid session name"),
    ] {
        let out = env.run(&["rename-session", "-t", "new", name]);
        assert!(!out.status.success(), "{name}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{name}"
        );
    }
    env.ok(&["capture", "-t", "new:0.0"]);
}
