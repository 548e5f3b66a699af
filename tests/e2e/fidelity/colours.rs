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
