//! Selecting text with the mouse through a real client: a drag copies what it covers, double
//! and triple clicks copy a word and a line, Shift takes the mouse back from an app that asked
//! for it; and a client smaller than the session shows each pane around its cursor.

use crate::fidelity::{input_probe, read_input, wait_input};
use crate::harness::*;

/// The row (0-based) of the client's screen that reads exactly `text`.
fn row_of(t: &Term, text: &str) -> Option<u16> {
    let rows = t.parser.lock().unwrap().screen().size().0.get();
    (0..rows).find(|r| t.row(*r).trim_end() == text)
}

/// Waits until the client's terminal was sent `text` for its clipboard (OSC 52).
fn wait_clipboard(t: &Term, text: &str) {
    let want = appmux::render::osc52(text);
    wait_until(&format!("{text:?} sent to the clipboard"), || {
        let raw = t.raw_output();
        raw.windows(want.len()).any(|w| w == want).then_some(())
    });
}

#[test]
fn a_drag_copies_the_text_it_covers_and_paste_types_it() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "drag"], 80, 24);
    t.wait_for("sh$");
    t.type_str("echo drag-me please\r");
    let row = wait_until("the echoed line", || row_of(&t, "drag-me please")) + 1;
    // Press on the first character, drag to the seventh, release (SGR, 1-based).
    t.send(format!("\x1b[<0;1;{row}M\x1b[<32;4;{row}M\x1b[<32;7;{row}M").as_bytes());
    t.wait_for("copy mode");
    t.send(format!("\x1b[<0;7;{row}m").as_bytes());
    wait_clipboard(&t, "drag-me");
    t.wait_for_fn("copy mode left", |s| !s.contents().contains("copy mode"));
    t.send(b"\x02]");
    t.wait_for_fn("the dragged text pasted on the prompt line", |s| {
        s.contents().lines().any(|l| l.trim_end() == "sh$ drag-me")
    });
}

#[test]
fn double_and_triple_clicks_copy_a_word_and_a_line() {
    let env = Env::new();
    let mut t = env.attach(&["new", "-s", "clicks"], 80, 24);
    t.wait_for("sh$");
    t.type_str("echo alpha beta-gamma delta\r");
    let row = wait_until("the echoed line", || row_of(&t, "alpha beta-gamma delta")) + 1;
    let click = format!("\x1b[<0;9;{row}M\x1b[<0;9;{row}m");
    t.send(format!("{click}{click}").as_bytes());
    wait_clipboard(&t, "beta-gamma");
    t.wait_for_fn("the selection shown, then copy mode left", |s| {
        !s.contents().contains("copy mode")
    });
    t.send(b"\x02]");
    t.wait_for_fn("the word pasted", |s| {
        s.contents()
            .lines()
            .any(|l| l.trim_end() == "sh$ beta-gamma")
    });
    t.send(format!("{click}{click}{click}").as_bytes());
    wait_clipboard(&t, "alpha beta-gamma delta");
}

#[test]
fn a_read_only_client_selects_with_the_mouse_for_itself() {
    let env = Env::new();
    let mut a = env.attach(&["new", "-s", "ro"], 80, 24);
    a.wait_for("sh$");
    a.type_str("echo shared-words here\r");
    a.wait_for("\nshared-words here");
    let mut b = env.attach(&["attach", "-r", "-t", "ro"], 80, 24);
    let row = wait_until("the echoed line", || row_of(&b, "shared-words here")) + 1;
    b.send(format!("\x1b[<0;1;{row}M\x1b[<32;12;{row}M\x1b[<0;12;{row}m").as_bytes());
    wait_clipboard(&b, "shared-words");
    b.wait_for_fn("copy mode left", |s| !s.contents().contains("copy mode"));
    assert!(!a.contents().contains("copy mode"), "{}", a.contents());
}

#[test]
fn shift_drag_selects_over_an_app_that_takes_the_mouse() {
    let env = Env::new();
    let (mut t, input) = input_probe(&env, "shift", b"\x1b[?1002h\x1b[?1006h", 80, 24);
    let row = wait_until("the probe's line", || row_of(&t, "probe ready")) + 1;
    // Shift (4) + left: press, drag (32) and release never reach the app.
    t.send(format!("\x1b[<4;1;{row}M\x1b[<36;5;{row}M\x1b[<4;5;{row}m").as_bytes());
    wait_clipboard(&t, "probe");
    t.wait_for_fn("copy mode left", |s| !s.contents().contains("copy mode"));
    // A plain click still goes to the app, and is the first mouse report it reads.
    t.send(format!("\x1b[<0;3;{row}M\x1b[<0;3;{row}m").as_bytes());
    let click = format!("\x1b[<0;3;{row}M\x1b[<0;3;{row}m");
    wait_input(&input, click.as_bytes());
    assert!(
        read_input(&input).starts_with(click.as_bytes()),
        "the app read {:?}",
        String::from_utf8_lossy(&read_input(&input))
    );
}

#[test]
fn a_smaller_client_shows_each_pane_around_its_cursor() {
    let env = Env::new();
    let small = env.attach(&["new", "-s", "sizes"], 40, 10);
    small.wait_for("sh$");
    // The larger client, attached last, gives the shell its size.
    let mut big = env.attach(&["attach", "-t", "sizes"], 120, 40);
    big.wait_for("sh$");
    big.type_str("seq 60\r");
    big.wait_for_fn("the prompt under the last number", |s| {
        let rows: Vec<String> = s.rows(0, 120).collect();
        rows.windows(2)
            .any(|w| w[0].trim_end() == "60" && w[1].starts_with("sh$"))
    });
    // The small client shows the bottom of the screen, where the cursor is, not its top.
    small.wait_for_fn("the prompt and the last numbers in the small client", |s| {
        let rows: Vec<String> = s.rows(0, 40).collect();
        rows.windows(2)
            .any(|w| w[0].trim_end() == "60" && w[1].starts_with("sh$"))
    });
    assert!(
        !small.contents().lines().any(|l| l.trim_end() == "1"),
        "the top of the screen is not shown:\n{}",
        small.contents()
    );
}
