//! Both cores under load: a flooding app's output is read and parsed on a thread of its own,
//! beside the server task and beside other flooding apps; a quiet app has no thread, and a
//! flood's thread ends once its app is quiet again. Nothing printed is lost on the way.

use crate::harness::*;

/// The server's PTY reader threads (named `pty-read-APP-RUN`).
fn readers(pid: u32) -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| name.starts_with("pty-read-"))
        .collect()
}

/// Two apps that flood once `go` exists and stop at `stop`, ending with a line of their own,
/// and one that prints a line and stays quiet.
fn floods(env: &Env) -> std::path::PathBuf {
    let (go, stop) = (env.path("go"), env.path("stop"));
    let flood = |name: &str| {
        format!(
            "[[app]]\nname = \"{name}\"\n\
             cmd = \"while [ ! -e '{go}' ]; do sleep 0.05; done; \
             yes '{name} floods the pane with a line of text' | while [ ! -e '{stop}' ]; do head -n 2000; done; \
             echo {name}-done; exec sleep 1000\"\n\n",
            go = go.display(),
            stop = stop.display(),
        )
    };
    env.project(
        "floods",
        &format!(
            "session = \"floods\"\n\n{}{}[[app]]\nname = \"calm\"\ncmd = \"echo calm-here; exec sleep 1000\"\n",
            flood("one"),
            flood("two"),
        ),
    )
}

#[test]
fn floods_parse_on_threads_of_their_own_and_quiet_apps_have_none() {
    let env = Env::new();
    let dir = floods(&env);
    env.ok(&["new", "-d", "-c", dir.join("appmux.toml").to_str().unwrap()]);
    let pid = wait_until("the server", || env.server_pid());
    env.wait_capture("floods:calm", "calm-here");
    assert_eq!(
        readers(pid),
        Vec::<String>::new(),
        "quiet apps have no reader thread"
    );

    std::fs::write(env.path("go"), "").unwrap();
    // Both floods at once, each on its own thread.
    wait_until("a reader thread for each flooding app", || {
        (readers(pid).len() == 2).then_some(())
    });

    std::fs::write(env.path("stop"), "").unwrap();
    env.wait_capture("floods:one", "one-done");
    env.wait_capture("floods:two", "two-done");
    wait_until("the flood threads to end once their apps are quiet", || {
        readers(pid).is_empty().then_some(())
    });
    // Quiet again, the event loop reads: output still arrives.
    env.ok(&["send-keys", "-t", "floods:calm", "x"]);
    assert!(env.capture("floods:one").contains("one floods the pane"));
}

#[test]
fn typing_beside_a_flood_echoes_and_the_flood_stays_whole() {
    let env = Env::new();
    let dir = floods(&env);
    env.ok(&["new", "-d", "-c", dir.join("appmux.toml").to_str().unwrap()]);
    let mut t = env.attach(&["attach", "-t", "floods"], 120, 40);
    t.wait_for("calm");
    // A shell split beside the flooding app, focused.
    env.ok(&["action", "-t", "floods", "pane.split-right"]);
    std::fs::write(env.path("go"), "").unwrap();
    t.type_str("typed-beside-a-flood");
    t.wait_for("typed-beside-a-flood");
    env.wait_capture("floods:one", "one floods the pane");
    std::fs::write(env.path("stop"), "").unwrap();
    env.wait_capture("floods:one", "one-done");
    // Every line the flood printed is whole in the log: none was cut or interleaved.
    let log = env.ok(&["logs", "one", "-t", "floods", "-n", "5000"]);
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("floods the pane") && !l.starts_with("[appmux]"))
        .collect();
    assert!(
        lines.len() > 100,
        "{} flood lines in the log: {:?}",
        lines.len(),
        log.chars().take(600).collect::<String>()
    );
    assert!(
        lines
            .iter()
            .all(|l| *l == "one floods the pane with a line of text"),
        "a cut line: {:?}",
        lines
            .iter()
            .find(|l| **l != "one floods the pane with a line of text")
    );
}

/// The server keeps each pane's synchronized-update deadline from its output, rather than
/// asking every terminal on every turn: a pane that never ends its update is still shown once
/// the deadline passes.
#[test]
fn a_synchronized_update_left_open_is_shown_once_its_deadline_passes() {
    let env = Env::new();
    let t = env.attach(
        &[
            "new",
            "-s",
            "sync",
            "--",
            "sh",
            "-c",
            "printf 'before\\n'; sleep 0.3; printf '\\033[?2026hheld-back'; exec sleep 1000",
        ],
        80,
        24,
    );
    t.wait_for("before");
    t.wait_for("held-back");
}
