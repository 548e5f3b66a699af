//! The first 16 colours reach the client as the app wrote them (SGR 30–37, 90–97), so a
//! terminal that shows bold in bright colours does so as it would without appmux.

use crate::harness::*;

#[test]
fn bold_and_bright_colours_reach_the_client_with_the_classic_codes() {
    let env = Env::new();
    let mut t = env.attach(
        &[
            "new",
            "-s",
            "c",
            "--",
            "sh",
            "-c",
            r"printf '\033[1;34mbold-blue\033[0m \033[91mbright-red\033[0m \033[44mon-blue\033[0m\n'; exec sleep 1000",
        ],
        100,
        20,
    );
    t.wait_for("on-blue");
    let raw = String::from_utf8_lossy(&t.raw_output()).into_owned();
    assert!(raw.contains("\x1b[1;34mbold-blue"), "{raw:?}");
    // Only changed cells are sent: the blanks between the words are skipped, so the SGR
    // before each word also undoes what the word before set.
    assert!(raw.contains("91mbright-red"), "{raw:?}");
    assert!(raw.contains(";44mon-blue"), "{raw:?}");
    assert!(!raw.contains("38;5;4m"), "{raw:?}");
    t.send(b"\x02d");
}

/// An app printing 24-bit red.
const TRUECOLOR: &str = r"printf '\033[38;2;250;10;20mtrue-red\033[0m\n'; exec sleep 1000";

fn write_options(env: &Env, text: &str) {
    let dir = env.path("config").join("appmux");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

#[test]
fn terminal_colors_caps_what_clients_are_sent() {
    let env = Env::new();
    write_options(&env, "[terminal]\ncolors = \"16\"\n");
    let mut t = env.attach(&["new", "-s", "c", "--", "sh", "-c", TRUECOLOR], 100, 20);
    t.wait_for("true-red");
    let raw = String::from_utf8_lossy(&t.raw_output()).into_owned();
    // xterm-256color, yet only the 16 colours go out: the nearest is red.
    assert!(raw.contains("31mtrue-red"), "{raw:?}");
    assert!(!raw.contains("38;2;") && !raw.contains("38;5;"), "{raw:?}");
    t.send(b"\x02d");
}

#[test]
fn a_terminal_that_answers_xtgettcap_with_tc_gets_24_bit_colour() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "c", "--", "sh", "-c", TRUECOLOR], 100, 20);
    t.wait_for("true-red");
    // xterm-256color without COLORTERM (as over SSH): the 256-colour cube at first.
    let before = String::from_utf8_lossy(&t.raw_output()).into_owned();
    assert!(
        before.contains("\x1bP+q5463;524742\x1b\\"),
        "the query: {before:?}"
    );
    assert!(!before.contains("38;2;250;10;20"), "{before:?}");
    // The terminal answers the query: it has Tc.
    t.send(b"\x1bP1+r5463\x1b\\");
    wait_until("a repaint in 24-bit colour", || {
        let raw = String::from_utf8_lossy(&t.raw_output()).into_owned();
        raw.contains("38;2;250;10;20mtrue-red").then_some(())
    });
    t.send(b"\x02d");
}
