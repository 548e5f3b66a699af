//! A session made by an attaching command starts its program at the client's size (less the
//! status line), never at a default it is resized from a moment later.

use crate::harness::*;

#[test]
fn new_with_a_command_starts_it_at_the_attaching_terminals_size() {
    let env = Env::new();
    let mut t = env.attach(
        &[
            "new",
            "-s",
            "sz",
            "--",
            "sh",
            "-c",
            "echo first-size $(stty size); exec sleep 1000",
        ],
        100,
        30,
    );
    t.wait_for("first-size");
    // 30 rows less the status line; no sidebar with one app.
    let screen = t.contents();
    assert!(screen.contains("first-size 29 100"), "{screen}");
    t.send(b"\x02d");
}
