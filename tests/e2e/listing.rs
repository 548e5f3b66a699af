//! `appmux ls` for people: a table per session, `-t` for one session (an unknown one is an
//! error with a hint), `--json` unchanged; and the status line's `{apps}` summary, where a
//! crash-looping app is not up.

use crate::harness::*;

const PROJECT: &str = r#"
session = "tbl"
[[app]]
name = "steady"
cmd = "exec sleep 1000"
[[app]]
name = "flap"
cmd = "sleep 0.3; exit 1"
restart = "always"
min_uptime = "1h"
max_restarts = 1000
backoff = { initial = "20ms", max = "20ms" }
"#;

#[test]
fn ls_prints_a_table_and_t_picks_one_session() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "other", "--", "sleep", "1000"]);
    let dir = env.project("tbl", PROJECT);
    env.ok(&["new", "-d", "-c", dir.join("appmux.toml").to_str().unwrap()]);
    let pid = wait_until("steady to run", || {
        env.app("tbl", Some("steady"))?["pid"].as_u64()
    });
    let text = env.ok(&["ls", "-t", "tbl"]);
    assert!(text.starts_with("tbl: 2 apps"), "{text}");
    assert!(!text.contains("other"), "{text}");
    let header = text.lines().nth(1).unwrap();
    for col in [
        "NAME", "STATE", "PID", "UPTIME", "RESTARTS", "CPU", "MEM", "READY",
    ] {
        assert!(header.contains(col), "{header}");
    }
    let steady = text.lines().find(|l| l.contains("steady")).unwrap();
    assert!(
        steady.contains("● running") && steady.contains(&pid.to_string()),
        "{steady}"
    );
    assert!(
        !text.contains('\x1b'),
        "no colour when stdout is not a terminal: {text:?}"
    );
    assert!(env.ok(&["ls"]).contains("other:"));
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["ls", "--json", "-t", "tbl"])).unwrap();
    assert_eq!(json["sessions"].as_array().unwrap().len(), 1, "{json}");
    assert_eq!(json["sessions"][0]["name"], "tbl");
    let out = env.run(&["ls", "-t", "tlb"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("can't find session tlb; did you mean `tbl`?"),
        "{err}"
    );
}

#[test]
fn a_crash_looping_app_is_not_counted_up_in_the_status_line() {
    let env = Env::new();
    let dir = env.project("tbl", PROJECT);
    env.ok(&["new", "-d", "-c", dir.join("appmux.toml").to_str().unwrap()]);
    wait_until("flap to restart", || {
        (env.app("tbl", Some("flap"))?["restarts"].as_u64()? >= 1).then_some(())
    });
    let t = env.attach(&["attach", "-t", "tbl"], 100, 24);
    t.wait_for("1/2 up");
    // It runs most of the time, between quick exits; it never counts as up.
    wait_until("flap to restart a few more times", || {
        assert!(!t.contents().contains("2/2 up"), "{}", t.contents());
        (env.app("tbl", Some("flap"))?["restarts"].as_u64()? >= 4).then_some(())
    });
}
