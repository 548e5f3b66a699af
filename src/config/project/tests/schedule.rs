//! `cron_restart`, `schedule` and `max_memory`: each bad value located at the value with the
//! field or range that is wrong, and what `schedule` implies for `restart` and `autostart`.

use super::{RestartPolicy, app_with, load, problem};

#[test]
fn a_bad_cron_expression_names_the_field() {
    assert_eq!(
        problem(&app_with("cron_restart = \"0 25 * * *\"")),
        "4:16: `cron_restart`: the hour field `25` is out of range 0-23"
    );
    assert_eq!(
        problem(&app_with("schedule = \"*/5 * * 13 *\"")),
        "4:12: `schedule`: the month field `13` is out of range 1-12"
    );
    assert_eq!(
        problem(&app_with("schedule = \"* * * *\"")),
        "4:12: `schedule`: expected 5 fields (minute hour day-of-month month day-of-week) or a macro like @daily, found 4"
    );
    assert_eq!(
        problem(&app_with("cron_restart = 3")),
        "4:16: `cron_restart`: expected a string, found an integer"
    );
    assert_eq!(
        problem(&app_with("cron = \"@daily\"")),
        "4:1: unknown key `cron` in [[app]]; did you mean `cron_restart`?"
    );
}

#[test]
fn a_bad_max_memory_is_located() {
    assert_eq!(
        problem(&app_with("max_memory = \"500 bananas\"")),
        "4:14: `max_memory`: invalid size \"500 bananas\": expected a number followed by B, KB, \
         MB, GB, TB, KiB, MiB, GiB or TiB"
    );
    assert_eq!(
        problem(&app_with("max_memory = \"10KB\"")),
        "4:14: `max_memory` must be between 1MB and 1TiB, found \"10KB\""
    );
    assert_eq!(
        problem(&app_with("max_memory = true")),
        "4:14: `max_memory`: expected a size like \"10MB\" or a number of bytes, found a boolean"
    );
}

#[test]
fn memory_sizes_take_every_usual_unit() {
    for (text, bytes) in [
        ("\"500MB\"", 500_000_000),
        ("\"500M\"", 500_000_000),
        ("\"512MiB\"", 512 << 20),
        ("\"2G\"", 2_000_000_000),
        ("\"1GiB\"", 1 << 30),
        ("\"4096K\"", 4_096_000),
        ("\"4096KiB\"", 4 << 20),
    ] {
        let (_dir, project) = load(&app_with(&format!("max_memory = {text}")));
        assert_eq!(project.apps[0].max_memory, Some(bytes), "{text}");
    }
}

#[test]
fn a_scheduled_app_is_a_one_shot_unless_told_otherwise() {
    let (_dir, project) = load(&app_with("schedule = \"*/5 * * * *\""));
    let app = &project.apps[0];
    assert_eq!(
        app.schedule.as_ref().map(|c| c.as_str()),
        Some("*/5 * * * *")
    );
    assert_eq!(app.restart, RestartPolicy::Never);
    assert!(!app.autostart);
    let (_dir, project) = load(&app_with(
        "schedule = \"@hourly\"\nrestart = \"on-failure\"\nautostart = true",
    ));
    assert_eq!(project.apps[0].restart, RestartPolicy::OnFailure);
    assert!(project.apps[0].autostart);
    // `cron_restart` changes neither.
    let (_dir, project) = load(&app_with("cron_restart = \"0 3 * * MON-FRI\""));
    assert_eq!(project.apps[0].restart, RestartPolicy::OnFailure);
    assert!(project.apps[0].autostart);
}

#[test]
fn a_schedule_with_restart_always_is_refused() {
    assert_eq!(
        problem(&app_with("schedule = \"@daily\"\nrestart = \"always\"")),
        "5:11: `restart = \"always\"` keeps the app running, so its `schedule` could never start it; use \"never\" (the default with `schedule`) or \"on-failure\""
    );
}
