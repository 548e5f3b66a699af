//! Idle is silent, and figures are still there when asked for: `ls` samples CPU and memory on
//! its own with nothing attached, and a shown sidebar follows an app whose memory grows.

use crate::harness::*;

/// A project whose `grow` app waits for `go` to exist, then holds about 60 MB (`tail` keeps a
/// stream with no newline until it ends, and `sleep` keeps it open), beside a quiet app.
fn growing_project(env: &Env) -> (std::path::PathBuf, std::path::PathBuf) {
    let go = env.path("go");
    let dir = env.project(
        "grow",
        &format!(
            "session = \"grow\"\n\n\
             [[app]]\nname = \"grow\"\n\
             cmd = \"while [ ! -e '{}' ]; do sleep 0.1; done; (head -c 60M /dev/zero; exec sleep 1000) | tail > /dev/null\"\n\n\
             [[app]]\nname = \"calm\"\ncmd = \"sleep 1000\"\n",
            go.display()
        ),
    );
    (dir, go)
}

fn rss(env: &Env) -> Option<u64> {
    env.app("grow", Some("grow"))?["rss_bytes"].as_u64()
}

#[test]
fn ls_samples_fresh_figures_with_nothing_attached() {
    let env = Env::new();
    let (dir, go) = growing_project(&env);
    env.ok(&["new", "-d", "-c", dir.join("appmux.toml").to_str().unwrap()]);
    let before = wait_until("a memory figure", || rss(&env).filter(|r| *r > 0));
    assert!(before < 20 << 20, "{before}");
    std::fs::write(&go, "").unwrap();
    // No client, no subscriber, no limit: only `ls` asks, and each `ls` sees the tree now.
    wait_until("the grown tree in ls", || {
        rss(&env).filter(|r| *r > before + (40 << 20))
    });
}

/// The memory figure on the sidebar row under `app`'s name, in MB.
fn sidebar_mb(screen: &vt100::Screen, app: &str) -> Option<f64> {
    let text = screen.contents();
    let rows: Vec<&str> = text.lines().collect();
    let at = rows.iter().position(|r| r.contains(&format!(" {app} ")))?;
    rows.get(at + 1)?
        .split_whitespace()
        .find_map(|w| w.strip_suffix('M')?.parse::<f64>().ok())
}

#[test]
fn the_sidebar_follows_an_app_whose_memory_grows() {
    let env = Env::new();
    let (dir, go) = growing_project(&env);
    env.ok(&["new", "-d", "-c", dir.join("appmux.toml").to_str().unwrap()]);
    let t = env.attach(&["attach", "-t", "grow"], 120, 30);
    t.wait_for_fn("a small memory figure for grow", |s| {
        sidebar_mb(s, "grow").is_some_and(|mb| mb < 20.0)
    });
    std::fs::write(&go, "").unwrap();
    t.wait_for_fn("a grown memory figure for grow", |s| {
        sidebar_mb(s, "grow").is_some_and(|mb| mb > 50.0)
    });
}
