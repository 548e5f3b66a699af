//! The workspace end to end: splits, focus, zoom, tabs, copy mode, mouse, help, keymaps,
//! themes and `appmux action`, through a real attached client.

use crate::harness::*;

/// The column of the first vertical border on the client's screen, if any.
fn border_col(t: &Term) -> Option<u16> {
    let p = t.parser.lock().unwrap();
    let s = p.screen();
    (0..s.size().1.get()).find(|c| s.cell(1, *c).is_some_and(|cell| cell.contents() == "│"))
}

fn apps_in(env: &Env, session: &str) -> usize {
    env.ls_json()["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == session)
        .map_or(0, |s| s["apps"].as_array().unwrap().len())
}

#[test]
fn splits_focus_zoom_and_close() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "w"], 100, 30);
    t.wait_for("sh$");
    // C-b % puts a new shell on the right, with a border between.
    t.send(b"\x02%");
    wait_until("a vertical border", || border_col(&t));
    wait_until("two shells", || (apps_in(&env, "w") == 2).then_some(()));
    t.type_str("echo right-$((1+1))\r");
    t.wait_for("right-2");
    let col = border_col(&t).unwrap();
    // The new pane got the right half: its text starts after the border.
    t.wait_for_fn("right-2 right of the border", |s| {
        (0..s.size().0.get()).any(|r| {
            s.contents_between(r, col + 1, r, s.size().1.get())
                .contains("right-2")
        })
    });
    // C-b Left moves focus back; typing goes to the left pane.
    t.send(b"\x02\x1b[D");
    t.type_str("echo left-$((2+2))\r");
    t.wait_for_fn("left-4 left of the border", |s| {
        (0..s.size().0.get()).any(|r| s.contents_between(r, 0, r, col).contains("left-4"))
    });
    // C-b " splits the focused (left) pane stacked.
    t.send(b"\x02\"");
    wait_until("three shells", || (apps_in(&env, "w") == 3).then_some(()));
    t.wait_for("─");
    // C-b z zooms: no border while zoomed, and back again.
    t.send(b"\x02z");
    t.wait_for_fn("no borders while zoomed", |s| !s.contents().contains('│'));
    t.send(b"\x02z");
    t.wait_for("│");
    // C-b x asks, y closes the pane and its shell.
    t.send(b"\x02x");
    t.wait_for("close this pane? y/n");
    t.send(b"y");
    wait_until("two shells after closing", || {
        (apps_in(&env, "w") == 2).then_some(())
    });
}

#[test]
fn tabs_new_switch_rename_and_the_tab_bar() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "tabs"], 100, 30);
    t.wait_for("sh$");
    t.type_str("echo first-tab\r");
    t.wait_for("first-tab");
    t.send(b"\x02c");
    t.wait_for_fn("a second tab in the status line", |s| {
        s.contents().contains("1:sh")
    });
    t.wait_for_fn("an empty new tab", |s| !s.contents().contains("first-tab"));
    t.send(b"\x02,");
    t.wait_for("rename tab:");
    t.send(b"\x15logs\r");
    t.wait_for("1:logs*");
    t.send(b"\x020");
    t.wait_for("first-tab");
    t.wait_for("0:sh*");
    t.send(b"\x02n");
    t.wait_for("1:logs*");
    t.send(b"\x02p");
    t.wait_for("0:sh*");
}

#[test]
fn copy_mode_searches_and_yanks_to_the_clipboard() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "cp", "--", "sh", "-c", "i=0; while [ $i -lt 200 ]; do echo row-$i; i=$((i+1)); done; echo needle-in-history; i=0; while [ $i -lt 100 ]; do echo after-$i; i=$((i+1)); done; sleep 1000"], 80, 24);
    t.wait_for("after-99");
    // C-b [ enters copy mode; ? searches up.
    t.send(b"\x02[");
    t.wait_for("copy mode");
    t.send(b"?needle\r");
    t.wait_for("needle-in-history");
    // Select the line and yank it: the client receives it as OSC 52.
    t.send(b"V");
    t.send(b"y");
    wait_until("an OSC 52 clipboard write", || {
        let raw = String::from_utf8_lossy(&t.raw_output()).into_owned();
        raw.contains("\x1b]52;c;bmVlZGxlLWluLWhpc3Rvcnk=")
            .then_some(())
    });
    t.wait_for_fn("copy mode left", |s| !s.contents().contains("copy mode"));
}

#[test]
fn paste_buffer_goes_back_into_the_pane() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "pb"], 80, 24);
    t.wait_for("sh$");
    t.type_str("echo hello-paste\r");
    t.wait_for("hello-paste");
    t.send(b"\x02[");
    t.wait_for("copy mode");
    t.send(b"?hello-paste\r");
    // Select from the match to the end of the word and yank.
    t.send(b" e");
    t.send(b"y");
    wait_until("copy mode to close", || {
        (!t.contents().contains("copy mode")).then_some(())
    });
    t.send(b"\x02]");
    t.wait_for_fn("the pasted text on the prompt line", |s| {
        s.contents().matches("hello-paste").count() >= 3
    });
}

#[test]
fn a_mouse_click_focuses_a_pane() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "mouse"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02%");
    let col = wait_until("a border", || border_col(&t));
    // Focus is on the right pane; click into the left one (SGR, 1-based) and type.
    t.send(format!("\x1b[<0;{};5M\x1b[<0;{};5m", col / 2, col / 2).as_bytes());
    t.type_str("echo clicked-left\r");
    t.wait_for_fn("clicked-left in the left pane", |s| {
        (0..s.size().0.get()).any(|r| s.contents_between(r, 0, r, col).contains("clicked-left"))
    });
}

#[test]
fn help_lists_the_active_keymap() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "help"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02?");
    t.wait_for("help: keymap tmux");
    t.wait_for("client.detach");
    t.send(b"q");
    t.wait_for_fn("help closed", |s| !s.contents().contains("client.detach"));
}

#[test]
fn the_direct_keymap_from_config_and_a_bad_user_keymap_falls_back() {
    let env = Env::new();
    let cfg = env.path("config").join("appmux");
    std::fs::create_dir_all(cfg.join("keymaps")).unwrap();
    std::fs::write(cfg.join("config.toml"), "keymap = \"direct\"\n").unwrap();
    let mut t = env.attach(&["new", "-s", "direct"], 100, 30);
    t.wait_for("sh$");
    // Alt-d detaches with no prefix.
    t.send(b"\x1bd");
    assert_eq!(t.wait_exit(), 0);
    t.wait_for("[detached");
    env.ok(&["kill-server"]);

    // A broken user file of the same name: reported by check, and the built-in one is used.
    std::fs::write(
        cfg.join("keymaps/tmux.toml"),
        "[prefix]\nd = \"client.detonate\"\n",
    )
    .unwrap();
    std::fs::write(cfg.join("config.toml"), "keymap = \"tmux\"\n").unwrap();
    let out = env.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tmux.toml:2:5"), "{err}");
    let mut t = env.attach(&["new", "-s", "fallback"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02d");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn the_status_line_content_and_place_come_from_config() {
    let env = Env::new();
    let cfg = env.path("config").join("appmux");
    std::fs::create_dir_all(&cfg).unwrap();
    let config = "keymap = \"direct\"\n[status]\nposition = \"top\"\ntabs = false\n\
                  left = \"<{session}/{tab}> \"\nright = \"{app}|{apps}|{hint}|\"\n";
    std::fs::write(cfg.join("config.toml"), config).unwrap();
    let mut t = env.attach(&["new", "-s", "stat"], 100, 30);
    t.wait_for("sh$");
    // On top: the left template, no tab list, and the right one with the direct keymap's keys
    // (an empty `{apps}` for a lone shell).
    t.wait_for_fn("the configured status line on top", |s| {
        let top = s.rows(0, 100).next().unwrap_or_default();
        top.starts_with("<stat/") && top.trim_end().ends_with("sh||M-? help  M-d detach|")
    });
    assert!(!t.row(0).contains("0:"), "{}", t.row(0));
    t.send(b"\x1bd");
    assert_eq!(t.wait_exit(), 0);
    env.ok(&["kill-server"]);

    // A bad template is named with its place; the defaults are used meanwhile.
    std::fs::write(cfg.join("config.toml"), "[status]\nright = \"{hots}\"\n").unwrap();
    let out = env.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config.toml:2:10"), "{err}");
    assert!(err.contains("did you mean `{host}`"), "{err}");
    let t = env.attach(&["new", "-s", "fallback"], 100, 30);
    t.wait_for("sh$");
    t.wait_for("[fallback] 0:");
    t.wait_for("C-b ? help  C-b d detach");
}

#[test]
fn check_reports_keymap_and_theme_problems_with_positions() {
    let env = Env::new();
    let cfg = env.path("config").join("appmux");
    std::fs::create_dir_all(cfg.join("themes")).unwrap();
    std::fs::create_dir_all(cfg.join("keymaps")).unwrap();
    std::fs::write(
        cfg.join("themes/mine.toml"),
        "[status]\nbg = \"chartreuse-ish\"\n",
    )
    .unwrap();
    std::fs::write(
        cfg.join("keymaps/mine.toml"),
        "[prefix]\n\"C-Q-x\" = \"client.detach\"\n",
    )
    .unwrap();
    let out = env.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mine.toml:2:6"), "{err}");
    assert!(err.contains("mine.toml:2:1"), "{err}");
}

#[test]
fn no_color_is_honoured() {
    let env = Env::new();
    let mut c = env.cmd(&[
        "new",
        "-d",
        "-s",
        "nc",
        "--",
        "sh",
        "-c",
        "printf '\\033[31mred\\033[0m\\n'; sleep 1000",
    ]);
    c.output().unwrap();
    let mut t = {
        let mut vars = env.vars();
        vars.push(("NO_COLOR".into(), "1".into()));
        let _ = &mut vars;
        Term::spawn_program(
            &env,
            "env",
            &["NO_COLOR=1", BIN, "attach", "-t", "nc"],
            &env.path("home"),
            80,
            24,
        )
    };
    t.wait_for("red");
    let p = t.parser.lock().unwrap();
    let s = p.screen();
    for r in 0..s.size().0.get() {
        for c in 0..s.size().1.get() {
            let cell = s.cell(r, c).unwrap();
            assert_eq!(cell.fgcolor(), vt100::Color::Default, "colour at {r},{c}");
            assert_eq!(cell.bgcolor(), vt100::Color::Default, "colour at {r},{c}");
        }
    }
    drop(p);
    t.send(b"\x02d");
}

#[test]
fn every_action_can_run_from_the_command_line() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "act", "-x", "100", "-y", "30"]);
    env.ok(&["action", "pane.split-right", "-t", "act"]);
    wait_until("two shells", || (apps_in(&env, "act") == 2).then_some(()));
    env.ok(&["action", "tab.new", "-t", "act"]);
    env.ok(&["action", "tab.rename", "build", "-t", "act"]);
    wait_until("three shells", || (apps_in(&env, "act") == 3).then_some(()));
    env.ok(&["action", "pane.layout", "tiled", "-t", "act"]);
    let bad = env.run(&["action", "pane.explode"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("pane.explode"));
    let list = env.ok(&["action", "list"]);
    assert!(list.contains("pane.split-right") && list.contains("copy.yank"));
}
