//! Terminal fidelity end to end: the pane answers queries itself, keys, mouse and focus reach
//! apps in the encodings they asked for, what apps print never reaches the client raw, escape
//! bombs leave the server small and responsive, and real programs (vim, less, htop, top, the
//! Python REPL, bash) work through a real attached client.

mod colours;
mod fixtures;
mod links;
mod programs;
mod selective;
mod sequences;
mod size;

use std::path::{Path, PathBuf};

use crate::harness::*;

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn script(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
        .display()
        .to_string()
}

/// Waits for the query probe's results file and returns it as a map.
fn probe_results(path: &Path) -> serde_json::Map<String, serde_json::Value> {
    let text = wait_until("the query probe's results", || {
        std::fs::read_to_string(path).ok()
    });
    serde_json::from_str(&text).expect("probe results are JSON")
}

fn check_replies(got: &serde_json::Map<String, serde_json::Value>, rows: u16, cols: u16) {
    let version = format!("\x1bP>|appmux {}\x1b\\", env!("CARGO_PKG_VERSION"));
    let size = format!("\x1b[8;{rows};{cols}t");
    let pixels = format!("\x1b[4;{};{}t", u32::from(rows) * 16, u32::from(cols) * 8);
    let want: &[(&str, &str)] = &[
        ("da1", "\x1b[?62;22c"),
        ("da2", "\x1b[>65;1;0c"),
        ("dsr5", "\x1b[0n"),
        ("cpr", "\x1b[3;7R"),
        ("xtversion", &version),
        ("decrqm_2004_off", "\x1b[?2004;2$y"),
        ("decrqm_2004_on", "\x1b[?2004;1$y"),
        ("decrqm_25", "\x1b[?25;1$y"),
        ("decrqm_1049", "\x1b[?1049;2$y"),
        ("decrqm_1006", "\x1b[?1006;1$y"),
        ("decrqm_1004", "\x1b[?1004;1$y"),
        ("decrqm_2026", "\x1b[?2026;2$y"),
        ("decrqm_unknown", "\x1b[?31337;0$y"),
        ("decrqm_ansi_irm", "\x1b[4;2$y"),
        ("osc10_st", "\x1b]10;rgb:e5e5/e5e5/e5e5\x1b\\"),
        ("osc11_bel", "\x1b]11;rgb:0000/0000/0000\x07"),
        ("osc12_st", "\x1b]12;rgb:e5e5/e5e5/e5e5\x1b\\"),
        ("osc52_read", ""),
        ("kitty_none", "\x1b[?0u"),
        ("kitty_pushed", "\x1b[?1u"),
        ("kitty_popped", "\x1b[?0u"),
        ("xtwinops_18", &size),
        ("xtwinops_14", &pixels),
        ("xtwinops_16", "\x1b[6;16;8t"),
        ("window_ops_ignored", &size),
    ];
    for (name, reply) in want {
        assert_eq!(
            got.get(*name).and_then(|v| v.as_str()),
            Some(*reply),
            "reply to {name}"
        );
    }
}

#[test]
fn queries_are_answered_by_the_pane_with_or_without_a_client() {
    let env = Env::new();
    let probe = script("query_probe.py");
    // No client at all: the pane answers, at the session's detached size.
    let alone = env.path("home").join("alone.json");
    env.ok(&[
        "new",
        "-d",
        "-s",
        "alone",
        "-x",
        "90",
        "-y",
        "30",
        "--",
        "python3",
        &probe,
        alone.to_str().unwrap(),
    ]);
    check_replies(&probe_results(&alone), 30, 90);
    // Through an attached client: the same replies, at the pane's size (the client's rows
    // minus the status line).
    let attached = env.path("home").join("attached.json");
    let t = env.attach(
        &[
            "new",
            "-s",
            "seen",
            "--",
            "python3",
            &probe,
            attached.to_str().unwrap(),
        ],
        100,
        30,
    );
    check_replies(&probe_results(&attached), 29, 100);
    t.wait_for("probe done");
    // Nothing the probe asked reached the client's own terminal.
    let raw = t.raw_output();
    for never in [
        &b"\x1b[>q"[..],
        b"\x1b[?2004$p",
        b"\x1b]52;c;?",
        b"\x1b[14t",
    ] {
        assert!(
            !raw.windows(never.len()).any(|w| w == never),
            "{never:?} reached the client"
        );
    }
}

/// An attached client running the input probe with `setup` written first; returns the client
/// and the file where the probe records what it reads.
pub(crate) fn input_probe(
    env: &Env,
    session: &str,
    setup: &[u8],
    cols: u16,
    rows: u16,
) -> (Term, PathBuf) {
    let out = env.path("home").join(format!("{session}.in"));
    let hex: String = setup.iter().map(|b| format!("{b:02x}")).collect();
    let t = env.attach(
        &[
            "new",
            "-s",
            session,
            "--",
            "python3",
            &script("input_probe.py"),
            out.to_str().unwrap(),
            &hex,
        ],
        cols,
        rows,
    );
    t.wait_for("probe ready");
    (t, out)
}

/// Waits until the probe has read `want`.
pub(crate) fn wait_input(path: &Path, want: &[u8]) {
    wait_until(&format!("the app to read {want:?}"), || {
        let got = std::fs::read(path).unwrap_or_default();
        got.windows(want.len()).any(|w| w == want).then_some(())
    });
}

pub(crate) fn read_input(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

#[test]
fn terminal_replies_sent_to_the_client_are_never_typed_into_a_pane() {
    let env = Env::new();
    let (mut t, input) = input_probe(&env, "replies", b"", 80, 24);
    t.send(b"a");
    wait_input(&input, b"a");
    // What a terminal answers to queries (DA1, CPR, colours, kitty flags, DECRQM, XTVERSION).
    t.send(b"\x1b[?62;22c\x1b[12;40R\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[?0u\x1b[?2004;1$y");
    t.send(b"\x1bP>|xterm(390)\x1b\\b");
    wait_input(&input, b"b");
    assert_eq!(read_input(&input), b"ab");
}

#[test]
fn colour_queries_are_answered_with_the_client_terminals_colours() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "pal"], 80, 24);
    t.wait_for("sh$");
    // The client's terminal answers the colour queries the client sent when it attached.
    t.send(b"\x1b]10;rgb:1111/2222/3333\x1b\\\x1b]11;rgb:fafa/fbfb/fcfc\x07");
    // An app started now asks for the background colour (the pane answers into its input).
    let out = env.path("home").join("pal.in");
    let probe = script("input_probe.py");
    wait_until("the pane to answer with the client's background", || {
        let _ = std::fs::remove_file(&out);
        env.ok(&[
            "run",
            "-t",
            "pal",
            "--restart",
            "never",
            "--",
            "python3",
            &probe,
            out.to_str().unwrap(),
            "1b5d31313b3f07",
        ]);
        let want = b"\x1b]11;rgb:fafa/fbfb/fcfc\x07";
        wait_until("the probe's answer", || {
            let got = read_input(&out);
            (got.len() >= want.len()).then_some(got)
        });
        contains(&read_input(&out), want).then_some(())
    });
}

#[test]
fn keys_follow_the_apps_modes_kitty_and_modify_other_keys() {
    let env = Env::new();
    // The app pushes kitty flags (disambiguate).
    let (mut t, input) = input_probe(&env, "kitty", b"\x1b[>1u", 80, 24);
    // The client's terminal did not answer the kitty query: legacy keys.
    t.send(b"\x01");
    wait_input(&input, b"\x01");
    // Now it answers (as a kitty-capable terminal would have at attach): kitty keys.
    t.send(b"\x1b[?0u");
    t.send(b"\x01");
    wait_input(&input, b"\x1b[97;5u");
    t.send(b"\x1b");
    wait_input(&input, b"\x1b[27u");
    t.send(b"z");
    wait_input(&input, b"z");
    drop(t);

    // modifyOtherKeys level 2: C-a becomes CSI 27;5;97~.
    let (mut t, input) = input_probe(&env, "mok", b"\x1b[>4;2m", 80, 24);
    t.send(b"\x01x");
    wait_input(&input, b"\x1b[27;5;97~x");
    drop(t);
}

#[test]
fn keypad_application_mode_reaches_the_client_terminal_and_the_app() {
    let env = Env::new();
    // The app asks for the application keypad (DECKPAM): the client's terminal is put in it.
    let (mut t, input) = input_probe(&env, "keypad", b"\x1b=", 100, 30);
    wait_until("application keypad in the client", || {
        contains(&t.raw_output(), b"\x1b=").then_some(())
    });
    // The terminal's keypad keys reach the app as keypad keys, and so do send-keys names.
    t.send(b"\x1bOq\x1bOM\x1bOk");
    wait_input(&input, b"\x1bOq\x1bOM\x1bOk");
    env.ok(&["send-keys", "-t", "keypad", "KP5", "KP.", "KPEnter"]);
    wait_input(&input, b"\x1bOu\x1bOn\x1bOM");
    // After the prefix, a keypad digit is the digit: C-b KP0 selects tab 0.
    t.send(b"\x02c");
    t.wait_for("1:sh*");
    t.send(b"\x02\x1bOp");
    t.wait_for_fn("tab 0 selected with the keypad", |s| {
        let status = s.rows(0, 100).last().unwrap_or_default();
        status
            .split_whitespace()
            .any(|tab| tab.starts_with("0:") && tab.ends_with('*'))
    });
    // Focus moves to a new pane whose shell is in numeric mode: the client's keypad follows.
    t.send(b"\x02%");
    wait_until("numeric keypad in the client", || {
        contains(&t.raw_output(), b"\x1b>").then_some(())
    });
    drop(t);

    // An app in numeric keypad mode gets the characters the keys stand for.
    let (mut t, input) = input_probe(&env, "numeric", b"", 80, 24);
    t.send(b"\x1bOq\x1bOk");
    wait_input(&input, b"1+");
    env.ok(&["send-keys", "-t", "numeric", "KP7", "KPEnter"]);
    wait_input(&input, b"1+7\r");
}

#[test]
fn mouse_goes_to_the_app_under_the_pointer_in_its_encoding() {
    let env = Env::new();
    // Button events with SGR coordinates.
    let (mut t, input) = input_probe(&env, "mouse", b"\x1b[?1002h\x1b[?1006h", 100, 30);
    // Split: the new shell takes the right half and the focus.
    t.send(b"\x02%");
    t.wait_for("│");
    let border = wait_until("the border column", || {
        let p = t.parser.lock().unwrap();
        let s = p.screen();
        (0..s.size().1.get()).find(|c| s.cell(1, *c).is_some_and(|x| x.contents() == "│"))
    });
    assert!(border > 10);
    // A click in the left pane goes to the app, relative to its pane, and focuses it.
    t.send(b"\x1b[<0;5;3M\x1b[<0;5;3m");
    wait_input(&input, b"\x1b[<0;5;3M\x1b[<0;5;3m");
    // A drag that leaves the pane stays with it, clamped to its edge.
    let far = border + 10;
    t.send(format!("\x1b[<0;2;2M\x1b[<32;{far};2M\x1b[<0;{far};2m").as_bytes());
    let edge = border;
    wait_input(
        &input,
        format!("\x1b[<0;2;2M\x1b[<32;{edge};2M\x1b[<0;{edge};2m").as_bytes(),
    );
    // The wheel goes to the app too.
    t.send(b"\x1b[<64;3;3M");
    wait_input(&input, b"\x1b[<64;3;3M");
    // A click in the right pane (a shell that asked for nothing) never reaches the app.
    let before = read_input(&input).len();
    t.send(format!("\x1b[<0;{};5M\x1b[<0;{};5m", border + 5, border + 5).as_bytes());
    t.send(b"\x02o");
    t.send(b"k");
    wait_input(&input, b"k");
    assert_eq!(&read_input(&input)[before..], b"k");
}

#[test]
fn any_motion_is_switched_on_in_the_client_only_while_an_app_wants_it() {
    let env = Env::new();
    let (mut t, input) = input_probe(&env, "motion", b"\x1b[?1003h\x1b[?1006h", 80, 24);
    wait_until("any-motion tracking in the client", || {
        let raw = t.raw_output();
        raw.windows(8).any(|w| w == b"\x1b[?1003h").then_some(())
    });
    t.send(b"\x1b[<35;10;4M");
    wait_input(&input, b"\x1b[<35;10;4M");
    // The probe reads on; another app replaces it when it is killed, and motion goes off.
    env.ok(&["send-keys", "-t", "motion", "-l", "x"]);
    wait_input(&input, b"x");
    let pid = env.app("motion", None).unwrap()["pid"].as_u64().unwrap() as u32;
    kill(pid, libc::SIGKILL);
    wait_until("any-motion tracking off in the client", || {
        let raw = t.raw_output();
        raw.windows(8).any(|w| w == b"\x1b[?1003l").then_some(())
    });
}

#[test]
fn focus_events_follow_pane_focus() {
    let env = Env::new();
    let (mut t, input) = input_probe(&env, "focus", b"\x1b[?1004h", 100, 30);
    // Splitting moves focus to the new pane: the app hears it lost focus, then regains it.
    t.send(b"\x02%");
    wait_input(&input, b"\x1b[O");
    t.send(b"\x02o");
    wait_input(&input, b"\x1b[O\x1b[I");
    // The client's terminal losing focus is the focused pane's too.
    t.send(b"\x1b[O");
    wait_input(&input, b"\x1b[O\x1b[I\x1b[O");
    wait_until("focus reports switched on in the client", || {
        let raw = t.raw_output();
        raw.windows(8).any(|w| w == b"\x1b[?1004h").then_some(())
    });
}

#[test]
fn cursor_shape_bell_and_title_reach_the_client_as_appmux_sequences() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "modes"], 100, 30);
    t.wait_for("sh$");
    t.type_str("printf '\\033[6 q\\033]2;my-title\\007\\007\\007\\007'; echo done-$((1+1))\r");
    t.wait_for("done-2");
    t.wait_for("my-title  ");
    // Four bells in a row are one BEL at the client; the title never goes out raw.
    wait_until("a bell at the client", || {
        t.raw_output().contains(&0x07).then_some(())
    });
    let raw = t.raw_output();
    assert!(raw.windows(5).any(|w| w == b"\x1b[6 q"), "no cursor shape");
    let bells = raw.iter().filter(|&&b| b == 0x07).count();
    assert_eq!(bells, 1, "bells are rate-limited");
    assert!(!raw.windows(4).any(|w| w == b"\x1b]2;"), "raw title");
    // A bell in a tab the user is not looking at marks the tab.
    t.send(b"\x02c");
    t.wait_for("1:sh-2*");
    env.ok(&[
        "send-keys",
        "-t",
        "modes:sh",
        "-l",
        "printf '\\007'; echo rang\r",
    ]);
    t.wait_for("0:sh!");
}

#[test]
fn nothing_an_app_prints_reaches_the_client_raw() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "safe"], 100, 30);
    t.wait_for("sh$");
    // Titles, a clipboard read and write, DCS, tmux passthrough, window operations, a query,
    // APC, and finally RIS.
    let evil = "\\033]0;t0\\007\\033]2;t2\\033\\\\\\033]52;c;?\\007\\033]52;c;aGk=\\007\
\\033P+q544e\\033\\\\\\033Ptmux;\\033\\033]2;pt\\007\\033\\\\\\033[3;1;1t\\033[8;5;5t\
\\033[c\\033_apc\\033\\\\\\033c";
    t.type_str(&format!("printf '{evil}'; echo safe-$((1+1))\r"));
    t.wait_for("safe-2");
    let raw = t.raw_output();
    for never in [
        &b"\x1b]0;"[..],
        b"\x1b]2;",
        b"\x1b]52;c;?",
        // appmux's own XTGETTCAP query at attach is a DCS too; the app's are not passed on.
        b"\x1bP+q544e",
        b"\x1bPtmux",
        b"\x1b_",
        b"\x1b[3;1;1t",
        b"\x1b[8;5;5t",
        b"\x1bc",
        b"\x1b[?62;22c",
    ] {
        assert!(
            !raw.windows(never.len()).any(|w| w == never),
            "{:?} reached the client",
            String::from_utf8_lossy(never)
        );
    }
    // The clipboard write was forwarded (the option is on by default) as appmux's own write.
    assert!(contains(&raw, b"\x1b]52;c;aGk=\x07"));
    // RIS reset the pane, not the client: the client is still attached and drawing. (The
    // shell read the pane's answer to the query as typed input: C-u drops it.)
    t.type_str("\x15echo still-$((2+2))\r");
    t.wait_for("still-4");
}

#[test]
fn clipboard_writes_are_not_forwarded_when_the_option_is_off() {
    let env = Env::new();
    std::fs::create_dir_all(env.path("config").join("appmux")).unwrap();
    std::fs::write(
        env.path("config").join("appmux/config.toml"),
        "clipboard = false\n",
    )
    .unwrap();
    let mut t = env.attach(&["new", "-s", "noclip"], 80, 24);
    t.wait_for("sh$");
    t.type_str("printf '\\033]52;c;aGk=\\007'; echo clip-$((1+1))\r");
    t.wait_for("clip-2");
    let raw = t.raw_output();
    assert!(!raw.windows(5).any(|w| w == b"\x1b]52;"));
}

/// VmRSS of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn escape_bombs_keep_the_server_small_and_responsive() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "bomb", "-x", "120", "-y", "40"]);
    env.wait_capture("bomb", "$");
    let server = env.server_pid().unwrap();
    let before = rss_kib(server);
    let bombs = [
        // An unterminated OSC followed by endless output.
        "import sys; w = sys.stdout.buffer.write; w(b'\\x1b]0;'); [w(b'y\\n' * 65536) for _ in range(400)]",
        // A CSI with thousands of parameters, many times.
        "import sys; w = sys.stdout.buffer.write; [w(b'\\x1b[' + b'1;' * 20000 + b'm') for _ in range(200)]",
        // Repeat a character a billion times; window resizes to the maximum.
        "import sys; w = sys.stdout.buffer.write; [w(b'x\\x1b[1000000000b\\x1b[8;65535;65535t') for _ in range(20000)]",
    ];
    for (i, bomb) in bombs.iter().enumerate() {
        let name = format!("bomb{i}");
        env.ok(&[
            "run",
            "-t",
            "bomb",
            "--name",
            &name,
            "--restart",
            "never",
            "--",
            "python3",
            "-c",
            bomb,
        ]);
        // The server answers while the bomb goes off.
        env.ok(&["ls"]);
        wait_until(&format!("{name} to finish"), || {
            let app = env.app("bomb", Some(&name))?;
            (app["state"] == "exited").then_some(())
        });
    }
    env.ok(&["ls"]);
    // The shell still works.
    env.ok(&[
        "send-keys",
        "-t",
        "bomb:sh",
        "echo alive-$((40+2))",
        "Enter",
    ]);
    env.wait_capture("bomb:sh", "alive-42");
    let after = rss_kib(server);
    assert!(
        after < before + 50 * 1024,
        "server RSS grew from {before} KiB to {after} KiB"
    );
}
