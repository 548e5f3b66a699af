//! Floating panes and popups end to end: `C-b F` over the tiled panes, hiding and showing the
//! layer with its program still running, `appmux popup` closing when its command exits, and a
//! floating pane coming back after kill-server and resurrect.

use crate::harness::*;

fn app_state(env: &Env, session: &str, app: &str) -> Option<String> {
    env.app(session, Some(app))
        .and_then(|a| a["state"].as_str().map(str::to_owned))
}

fn floats_saved(env: &Env) -> Option<usize> {
    let path = env.path("state").join("appmux/sessions-default.json");
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    Some(
        saved["sessions"][0]["windows"][0]["floats"]
            .as_array()?
            .len(),
    )
}

#[test]
fn c_b_f_toggles_a_floating_shell_that_keeps_running_while_hidden() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "fl"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02F");
    t.wait_for("╭ sh-2");
    t.type_str("echo fl-$((3+4))\r");
    // Typed into the floating pane: the output is inside its border.
    t.wait_for_fn("the output inside the floating pane", |s| {
        (0..s.size().0.get()).any(|r| {
            let row = s.contents_between(r, 0, r, s.size().1.get());
            row.contains("│fl-7")
        })
    });
    // Hidden: gone from the screen, still running, its screen kept.
    t.send(b"\x02F");
    t.wait_for_fn("the layer hidden", |s| {
        !s.contents().contains("╭") && !s.contents().contains("fl-7")
    });
    assert_eq!(app_state(&env, "fl", "sh-2").as_deref(), Some("running"));
    assert!(env.capture("fl:sh-2").contains("fl-7"));
    // Typing goes to the tiled shell now.
    t.type_str("echo tiled-$((2+3))\r");
    t.wait_for("tiled-5");
    assert!(!env.capture("fl:sh-2").contains("tiled-5"));
    // Shown again, with what it showed.
    t.send(b"\x02F");
    t.wait_for("╭ sh-2");
    t.wait_for("fl-7");
    // Keys move and resize it: Shift-Left moves it two cells left.
    let left = |s: &vt100::Screen| {
        (0..s.size().0.get())
            .find_map(|r| s.contents_between(r, 0, r, 200).find('╭'))
            .unwrap_or(usize::MAX)
    };
    let before = {
        let p = t.parser.lock().unwrap();
        left(p.screen())
    };
    t.send(b"\x02\x1b[1;2D");
    t.wait_for_fn("the floating pane moved left", |s| left(s) + 2 == before);
}

#[test]
fn a_popup_closes_when_its_command_exits() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "pop"], 100, 30);
    t.wait_for("sh$");
    env.ok(&[
        "popup",
        "-t",
        "pop",
        "-w",
        "50%",
        "-h",
        "10",
        "--",
        "sh",
        "-c",
        "echo hi-from-popup; read x",
    ]);
    t.wait_for("hi-from-popup");
    t.wait_for("╭");
    t.type_str("\r");
    t.wait_for_fn("the popup closed", |s| {
        !s.contents().contains("hi-from-popup") && !s.contents().contains("╭")
    });
    wait_until("the popup's app gone", || {
        (env.ls_json()["sessions"][0]["apps"].as_array()?.len() == 1).then_some(())
    });
    // Bad sizes are refused and open nothing.
    let out = env.run(&["popup", "-t", "pop", "-w", "0", "--", "true"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("percentage"));
}

#[test]
fn a_floating_pane_survives_kill_server_and_resurrect() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "keep", "-x", "100", "-y", "30"]);
    env.ok(&[
        "action",
        "-t",
        "keep",
        "pane.float-new",
        "--",
        "--width",
        "40",
        "sh",
        "-c",
        "echo float-alive; exec sleep 1000",
    ]);
    wait_until("the floating pane saved", || {
        (floats_saved(&env)? == 1).then_some(())
    });
    env.ok(&["kill-server"]);
    let out = env.ok(&["resurrect"]);
    assert!(out.contains("restored keep"), "{out}");
    let t = env.attach(&["attach", "-t", "keep"], 100, 30);
    t.wait_for("╭ sh-2");
    t.wait_for("float-alive");
    // Its width came back: 40 columns from corner to corner.
    t.wait_for_fn("a 40-column floating pane", |s| {
        (0..s.size().0.get()).any(|r| {
            let row = s.contents_between(r, 0, r, 200);
            row.trim().starts_with('╭') && row.trim().chars().count() == 40
        })
    });
}

/// Where the top-left corner of the (one) floating pane is on the screen: (row, col).
fn float_corner(s: &vt100::Screen) -> Option<(u16, u16)> {
    let (rows, cols) = (s.size().0.get(), s.size().1.get());
    (0..rows).find_map(|r| {
        (0..cols)
            .find(|c| s.cell(r, *c).is_some_and(|cell| cell.contents() == "╭"))
            .map(|c| (r, c))
    })
}

#[test]
fn the_mouse_moves_a_floating_pane_by_its_title_and_resizes_it_by_its_corner() {
    let env = Env::new();
    env.write_config("mouse = true\n");
    let mut t = env.attach(&["new", "-s", "drag"], 100, 30);
    t.wait_for("sh$");
    t.send(b"\x02F");
    t.wait_for("╭ sh-2");
    let (row, col) = {
        let p = t.parser.lock().unwrap();
        float_corner(p.screen()).unwrap()
    };
    // Grab the title three cells in (SGR is 1-based) and drag it to the top-left corner.
    let (x, y) = (col + 4, row + 1);
    t.send(format!("\x1b[<0;{x};{y}M\x1b[<32;4;1M\x1b[<0;4;1m").as_bytes());
    t.wait_for_fn("moved to the top-left", |s| float_corner(s) == Some((0, 0)));
    // Drag the bottom-right corner to make it 30 x 8: the shell sees its new size.
    let bottom = {
        let p = t.parser.lock().unwrap();
        let s = p.screen();
        (0..s.size().0.get())
            .find(|r| s.cell(*r, 0).is_some_and(|c| c.contents() == "╰"))
            .unwrap()
    };
    let right = {
        let p = t.parser.lock().unwrap();
        let s = p.screen();
        (0..s.size().1.get())
            .rev()
            .find(|c| s.cell(0, *c).is_some_and(|cell| cell.contents() == "╮"))
            .unwrap()
    };
    t.send(
        format!(
            "\x1b[<0;{};{}M\x1b[<32;30;8M\x1b[<0;30;8m",
            right + 1,
            bottom + 1
        )
        .as_bytes(),
    );
    t.wait_for_fn("resized to 30 x 8", |s| {
        s.cell(7, 29).is_some_and(|c| c.contents() == "╯")
    });
    t.type_str("stty size\r");
    t.wait_for("6 28");
}
