//! The user's own configuration, live: `prefix` in config.toml, user keymaps that extend a
//! built-in, a bad key that costs only itself, `keymap dump`, and `source-file` applying a
//! changed config.toml to a running server without touching what runs.

use crate::harness::{Env, wait_until};

/// The user's config dir, created.
fn config_dir(env: &Env) -> std::path::PathBuf {
    let cfg = env.path("config").join("appmux");
    std::fs::create_dir_all(cfg.join("keymaps")).unwrap();
    cfg
}

/// The server's own log, once it mentions `needle`.
fn server_log_mentions(env: &Env, needle: &str) -> String {
    wait_until(&format!("`{needle}` in the server log"), || {
        let dir = env.path("state").join("appmux");
        std::fs::read_dir(&dir)
            .ok()?
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("server-"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .find(|text| text.contains(needle))
    })
}

#[test]
fn the_prefix_option_moves_the_prefix_and_c_b_no_longer_detaches() {
    let env = Env::new();
    let cfg = config_dir(&env);
    std::fs::write(cfg.join("config.toml"), "prefix = \"C-a\"\n").unwrap();
    let mut t = env.attach(&["new", "-s", "pre"], 100, 30);
    t.wait_for("sh$");
    t.wait_for("C-a d detach");
    // C-b d is typed into the shell; the client stays.
    t.send(b"\x02d");
    t.type_str("\recho alive-$((20+22))\r");
    t.wait_for("alive-42");
    t.send(b"\x01d");
    assert_eq!(t.wait_exit(), 0);
    t.wait_for("[detached");
}

#[test]
fn a_user_keymap_extends_tmux_and_rebinds_one_key() {
    let env = Env::new();
    let cfg = config_dir(&env);
    std::fs::write(cfg.join("config.toml"), "keymap = \"mine\"\n").unwrap();
    std::fs::write(
        cfg.join("keymaps/mine.toml"),
        "unbind = [\"C-b d\"]\n[prefix]\nX = \"client.detach\"\n",
    )
    .unwrap();
    let out = env.run(&["check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut t = env.attach(&["new", "-s", "mine"], 100, 30);
    t.wait_for("sh$");
    t.wait_for("C-b X detach");
    // tmux's keys are still there: C-b c makes a second tab.
    t.send(b"\x02c");
    t.wait_for("1:sh");
    // d is unbound: nothing happens, the client stays.
    t.send(b"\x02d");
    t.type_str("echo alive-$((40+2))\r");
    t.wait_for("alive-42");
    t.send(b"\x02X");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn a_bad_key_in_config_toml_applies_the_good_ones_and_is_named_everywhere() {
    let env = Env::new();
    let cfg = config_dir(&env);
    std::fs::write(
        cfg.join("config.toml"),
        "prefix = \"C-a\"\nmouse = \"yes\"\n[status]\nleft = \"<{session}> \"\n",
    )
    .unwrap();
    let out = env.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config.toml:2:9: `mouse`"), "{err}");
    let mut t = env.attach(&["new", "-s", "bad"], 120, 30);
    t.wait_for("sh$");
    // The problem is in the status line, and the good keys apply.
    t.wait_for("config.toml:2:9");
    t.wait_for("<bad>");
    server_log_mentions(&env, "config.toml:2:9: `mouse`");
    t.send(b"\x01d");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn keymap_dump_prints_a_built_in_to_start_from() {
    let env = Env::new();
    let tmux = env.ok(&["keymap", "dump"]);
    assert!(tmux.contains("prefix-key = \"C-b\""), "{tmux}");
    assert!(tmux.contains("d = \"client.detach\""), "{tmux}");
    let direct = env.ok(&["keymap", "dump", "direct"]);
    assert!(direct.contains("prefix-key = \"none\""), "{direct}");
    let out = env.run(&["keymap", "dump", "emacs"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tmux, direct"));
    // A dumped keymap is a valid user file.
    let cfg = config_dir(&env);
    std::fs::write(cfg.join("keymaps/copy.toml"), &direct).unwrap();
    let out = env.run(&["check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The pid of the session's first app.
fn app_pid(env: &Env, session: &str) -> u64 {
    wait_until("the app's pid", || env.app(session, None)?["pid"].as_u64())
}

#[test]
fn source_file_applies_config_toml_to_a_running_server() {
    let env = Env::new();
    let cfg = config_dir(&env);
    let mut t = env.attach(&["new", "-s", "live"], 120, 30);
    t.wait_for("sh$");
    t.wait_for("[live] 0:");
    let server = env.server_pid().unwrap();
    let app = app_pid(&env, "live");

    std::fs::write(
        cfg.join("config.toml"),
        "prefix = \"C-a\"\ntheme = \"nord\"\n[status]\nleft = \"<<{session}>> \"\n",
    )
    .unwrap();
    env.ok(&["source-file"]);
    // The attached client redraws with the new status line and keys; nothing restarted.
    t.wait_for("<<live>>");
    t.wait_for("C-a d detach");
    assert_eq!(env.server_pid(), Some(server));
    assert_eq!(app_pid(&env, "live"), app);

    // A broken file changes nothing and says where.
    std::fs::write(cfg.join("config.toml"), "[status]\nleft = \n").unwrap();
    let out = env.run(&["source-file"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config.toml:2:"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    t.wait_for("config.toml:2:");
    assert!(t.contents().contains("<<live>>"), "{}", t.contents());

    // Reattaching sees the options in force, with the same server and app.
    t.send(b"\x01d");
    assert_eq!(t.wait_exit(), 0);
    let mut t = env.attach(&["attach", "-t", "live"], 120, 30);
    t.wait_for("<<live>>");
    assert_eq!(env.server_pid(), Some(server));
    assert_eq!(app_pid(&env, "live"), app);

    // A file that is not there is an error, and changes nothing.
    let missing = env.path("missing.toml");
    let out = env.run(&["source-file", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no such file"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");

    // A file given on the command line, and a key bound to source-file.
    let other = env.path("other.toml");
    std::fs::write(
        &other,
        "keymap = \"keys\"\n[status]\nleft = \"(({session})) \"\n",
    )
    .unwrap();
    std::fs::write(
        cfg.join("keymaps/keys.toml"),
        "[prefix]\nS = \"source-file\"\n",
    )
    .unwrap();
    let out = env.run(&["source-file", other.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.wait_for("((live))");
    std::fs::write(
        cfg.join("config.toml"),
        "[status]\nleft = \"[[{session}]] \"\n",
    )
    .unwrap();
    t.send(b"\x02S");
    t.wait_for("[[live]]");
    assert_eq!(app_pid(&env, "live"), app);
}
