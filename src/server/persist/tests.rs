//! Unit tests of saving and restoring: start times, how apps were left, old files.

use super::*;

#[test]
fn tabs_saved_before_floating_panes_still_load_and_floats_round_trip() {
    let layout = serde_json::to_value(Layout::new(PaneId(1))).unwrap();
    let old = serde_json::json!({
        "name": "t", "renamed": false, "layout": layout, "panes": {"1": "sh"}, "active": 1
    });
    let w: SavedWindow = serde_json::from_value(old).unwrap();
    assert!(w.floats.is_empty() && !w.floats_shown);
    let rect = FloatRect {
        x: 2,
        y: 3,
        width: 40,
        height: 10,
    };
    let with = SavedWindow {
        floats: vec![SavedFloat {
            app: "sh-2".into(),
            rect,
        }],
        floats_shown: true,
        ..w
    };
    let back: SavedWindow = serde_json::from_value(serde_json::to_value(&with).unwrap()).unwrap();
    assert_eq!(back.floats[0].rect, rect);
    assert_eq!(back.floats[0].app, "sh-2");
    assert!(back.floats_shown);
}

#[test]
fn our_own_start_time_is_readable() {
    assert!(start_time(std::process::id()).is_some());
}

#[test]
fn an_exited_process_has_no_start_time_even_before_it_is_reaped() {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    // Not waited for: once it exits it stays a zombie until `wait` below.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while start_time(pid).is_some() {
        assert!(std::time::Instant::now() < deadline, "never seen exited");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        std::fs::metadata(format!("/proc/{pid}")).is_ok(),
        "reaped too early"
    );
    child.wait().unwrap();
}

#[test]
fn apps_come_back_as_they_were_left() {
    let exit = crate::pane::process::ExitStatus::Code(1);
    let until = std::time::Instant::now();
    assert_eq!(LeftAs::of(&State::Running), LeftAs::Running);
    let backoff = State::Backoff { until, last: exit };
    assert_eq!(LeftAs::of(&backoff), LeftAs::Running);
    let restarting = State::Stopping {
        kill_at: None,
        then: AfterStop::Start,
    };
    assert_eq!(LeftAs::of(&restarting), LeftAs::Running);
    let stopping = State::Stopping {
        kill_at: None,
        then: AfterStop::Stay,
    };
    assert_eq!(LeftAs::of(&stopping), LeftAs::Stopped);
    assert_eq!(LeftAs::of(&State::Errored(exit)), LeftAs::Errored);
    assert_eq!(LeftAs::of(&State::Exited(exit)), LeftAs::Exited);
}

fn session(apps: &[&str], panes: &[(u64, &str)]) -> SavedSession {
    let layout = match panes.first() {
        Some(&(p, _)) => Layout::new(PaneId(p)),
        None => Layout::new(PaneId(99)),
    };
    SavedSession {
        name: "s".into(),
        created: 1,
        created_nanos: 0,
        project_file: None,
        cwd: None,
        env: Vec::new(),
        size: Size { cols: 80, rows: 24 },
        active_window: 0,
        groups: Vec::new(),
        windows: vec![SavedWindow {
            name: "t".into(),
            renamed: false,
            layout,
            panes: panes.iter().map(|&(p, a)| (p, a.to_owned())).collect(),
            active: panes.first().map_or(99, |p| p.0),
            floats: Vec::new(),
            floats_shown: false,
        }],
        apps: apps
            .iter()
            .map(|&name| SavedApp {
                spec: AppSpec::ad_hoc(
                    name.into(),
                    crate::config::CommandSpec::Shell("true".into()),
                    "/".into(),
                ),
                ad_hoc: false,
                pane_shell: false,
                restarts: 0,
                pid: None,
                pid_start: None,
                left: None,
            })
            .collect(),
    }
}

#[test]
fn tabs_must_show_apps_of_the_session_in_their_own_layout() {
    assert!(check_tabs(&session(&["a"], &[(1, "a")])).is_ok());
    assert!(check_tabs(&session(&["a"], &[(1, "b")])).is_err());
    assert!(check_tabs(&session(&["a"], &[])).is_err());
}

#[test]
fn a_damaged_file_gives_its_good_sessions_and_a_newer_one_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let good = serde_json::to_value(session(&["a"], &[(1, "a")])).unwrap();
    let file = serde_json::json!({"version": 1, "sessions": [good, {"name": 3}]});
    std::fs::write(&path, file.to_string()).unwrap();
    let loaded = load(&path);
    assert_eq!(loaded.sessions.len(), 1);
    assert_eq!(loaded.standing, Standing::Damaged);
    assert!(loaded.problems[0].contains("#1"), "{:?}", loaded.problems);

    std::fs::write(&path, r#"{"version": 99, "sessions": []}"#).unwrap();
    let loaded = load(&path);
    assert_eq!(loaded.standing, Standing::Newer(99));
    assert!(loaded.problems[0].contains("newer appmux"));
}
