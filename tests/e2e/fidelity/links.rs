//! OSC 8 hyperlinks: passed to clients with `[terminal] hyperlinks = true`, each run of linked
//! cells opened and closed within a frame; plain text without the option, and always plain in
//! `capture`.

use crate::harness::*;

const LINK_APP: &str = r"printf 'see \033]8;id=k;https://example.com/a\033\\the link\033]8;;\033\\ here\n'; exec sleep 1000";

fn linked_pane(env: &Env) -> Term {
    let t = env.attach(&["new", "-s", "l", "--", "sh", "-c", LINK_APP], 100, 20);
    t.wait_for("see the link here");
    t
}

#[test]
fn hyperlinks_reach_clients_when_turned_on_and_read_plain_in_capture() {
    let env = Env::new();
    let cfg = env.path("config").join("appmux");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "[terminal]\nhyperlinks = true\n").unwrap();
    let mut t = linked_pane(&env);
    let want = "\x1b]8;id=k;https://example.com/a\x1b\\the link\x1b]8;;\x1b\\";
    wait_until("the link in the client's output", || {
        String::from_utf8_lossy(&t.raw_output())
            .contains(want)
            .then_some(())
    });
    assert_eq!(
        env.capture("l")
            .lines()
            .next()
            .unwrap_or_default()
            .trim_end(),
        "see the link here"
    );
    // Turned off live, the client is repainted without links.
    std::fs::write(cfg.join("config.toml"), "[terminal]\nhyperlinks = false\n").unwrap();
    let before = t.raw_output().len();
    env.ok(&["source-file"]);
    wait_until("a repaint without the link", || {
        let raw = t.raw_output();
        let after = String::from_utf8_lossy(&raw[before..]).into_owned();
        (after.contains("the link") && !after.contains("\x1b]8;")).then_some(())
    });
    t.send(b"\x02d");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn hyperlinks_are_plain_text_by_default() {
    let env = Env::new();
    let mut t = linked_pane(&env);
    let raw = String::from_utf8_lossy(&t.raw_output()).into_owned();
    assert!(raw.contains("the link"), "{raw:?}");
    assert!(!raw.contains("\x1b]8;"), "{raw:?}");
    t.send(b"\x02d");
    assert_eq!(t.wait_exit(), 0);
}
