//! Schedules and limits end to end: `schedule` and `cron_restart` fire at the minute boundary
//! (the one test that waits for the clock, up to a minute, beside the others), `ls --json`
//! and `describe` show the next run, a bad cron expression or `max_memory` is refused at its
//! place, and an app whose tree grows past `max_memory` is restarted as a failure while the
//! app beside it keeps its process.

use std::time::{Duration, Instant};

use chrono::Timelike;

use crate::harness::*;

/// Polls `f` for at least `at_least` (or the harness timeout, if longer).
fn wait_long<T>(what: &str, at_least: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout().max(at_least);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The app's log through `appmux logs`, which has the log thread write what it holds first.
fn log_text(env: &Env, session: &str, app: &str) -> String {
    let out = env.run(&["logs", app, "-t", session, "-n", "100000"]);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn schedules_show_their_next_run_and_fire_at_the_minute() {
    let env = Env::new();
    let dir = env.project(
        "sched",
        "session = \"sched\"\n\n\
         [[app]]\nname = \"job\"\ncmd = \"echo job-ran\"\nschedule = \"* * * * *\"\n\n\
         [[app]]\nname = \"svc\"\ncmd = \"sleep 1000\"\ncron_restart = \"* * * * *\"\n\n\
         [[app]]\nname = \"idle\"\ncmd = \"sleep 1000\"\nautostart = false\ncron_restart = \"* * * * *\"\n\n\
         [[app]]\nname = \"plain\"\ncmd = \"sleep 1000\"\n",
    );
    // Started well before a minute boundary, so the first checks see the apps before the
    // schedules fire.
    wait_long(
        "a moment away from a minute",
        Duration::from_secs(15),
        || (chrono::Local::now().second() < 45).then_some(()),
    );
    env.ok(&["new", "-d", "-c", dir.join("appmux.toml").to_str().unwrap()]);
    let svc_pid = wait_until("svc running", || {
        env.app("sched", Some("svc"))?["pid"].as_u64()
    });
    // A scheduled app waits for its schedule: not started with the session.
    let job = env.app("sched", Some("job")).unwrap();
    assert_eq!(job["state"], "stopped", "{job}");
    let next = job["next_run"].as_str().expect("next_run is a string");
    let next = chrono::DateTime::parse_from_rfc3339(next).expect("next_run is RFC 3339");
    let ahead = next.signed_duration_since(chrono::Local::now());
    assert!(
        ahead <= chrono::TimeDelta::seconds(61) && ahead > chrono::TimeDelta::seconds(-2),
        "next_run {next} is not within the next minute"
    );
    assert!(
        next.format("%S").to_string() == "00",
        "{next} is on a minute"
    );
    assert_eq!(
        env.app("sched", Some("plain")).unwrap()["next_run"],
        serde_json::Value::Null
    );
    let describe = env.ok(&["describe", "-t", "sched", "job"]);
    assert!(
        describe.contains("schedule      * * * * * (next 20"),
        "{describe}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["describe", "-t", "sched", "job", "--json"])).unwrap();
    assert_eq!(json["schedule"], "* * * * *");
    assert_eq!(json["next_start"], job["next_run"]);

    // At the minute: the job runs once and completes, the running app is restarted, and the
    // app that is not running is left alone.
    wait_long("the scheduled run", Duration::from_secs(75), || {
        let job = env.app("sched", Some("job"))?;
        (job["state"] == "exited" && job["exit_code"] == 0).then_some(())
    });
    let log = log_text(&env, "sched", "job");
    assert!(log.contains("starting by schedule \"* * * * *\""), "{log}");
    assert!(log.contains("job-ran"), "{log}");
    let new_pid = wait_long("svc restarted", Duration::from_secs(75), || {
        let svc = env.app("sched", Some("svc"))?;
        let pid = svc["pid"].as_u64()?;
        (pid != svc_pid).then_some(pid)
    });
    assert_ne!(new_pid, svc_pid);
    let log = log_text(&env, "sched", "svc");
    assert!(
        log.contains(&format!(
            "restarting by cron_restart \"* * * * *\" (run 1, pid {svc_pid})"
        )),
        "{log}"
    );
    let idle = env.app("sched", Some("idle")).unwrap();
    assert_eq!(idle["state"], "stopped", "{idle}");
    assert!(!log_text(&env, "sched", "idle").contains("started pid"));
    // The next run was computed again from the clock after firing.
    let job = env.app("sched", Some("job")).unwrap();
    let after = chrono::DateTime::parse_from_rfc3339(job["next_run"].as_str().unwrap()).unwrap();
    assert!(after > next, "{after} follows {next}");
}

#[test]
fn a_bad_cron_expression_or_max_memory_is_refused_at_its_place() {
    let env = Env::new();
    let dir = env.project(
        "bad",
        "[[app]]\nname = \"api\"\ncmd = \"sleep 1000\"\ncron_restart = \"0 25 * * *\"\n\n\
         [[app]]\nname = \"job\"\ncmd = \"true\"\nschedule = \"*/5 * * * MOX\"\nmax_memory = \"lots\"\n",
    );
    let file = dir.join("appmux.toml");
    let out = env.run_in(&dir, &["check"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    for expected in [
        "4:16: `cron_restart`: the hour field `25` is out of range 0-23".to_owned(),
        "9:12: `schedule`: the day-of-week field `MOX` is not a number or a name (SUN-SAT)"
            .to_owned(),
        "10:14: `max_memory`: invalid size \"lots\"".to_owned(),
    ] {
        assert!(
            err.contains(&format!("{}:{expected}", file.display())),
            "{expected} in {err}"
        );
    }
    let out = env.run_in(&dir, &["new", "-d"]);
    assert_eq!(out.status.code(), Some(2));
    // Nothing was started.
    assert!(env.server_pid().is_none_or(|_| {
        env.ls_json()["sessions"]
            .as_array()
            .is_none_or(Vec::is_empty)
    }));
}

#[test]
fn an_app_past_max_memory_is_restarted_as_a_failure_and_its_neighbour_is_untouched() {
    let env = Env::new();
    // `tail` keeps every byte of a stream with no newline until it ends: 100 MB held, and the
    // stream never ends while `sleep` keeps the pipe open.
    let dir = env.project(
        "mem",
        "session = \"mem\"\n\n\
         [[app]]\nname = \"hog\"\ncmd = \"(head -c 100M /dev/zero; exec sleep 1000) | tail > /dev/null\"\n\
         max_memory = \"30MB\"\nbackoff = { initial = \"100ms\" }\n\n\
         [[app]]\nname = \"calm\"\ncmd = \"sleep 1000\"\nmax_memory = \"30MB\"\n",
    );
    env.ok(&["new", "-d", "-c", dir.join("appmux.toml").to_str().unwrap()]);
    let calm = wait_until("calm running", || {
        env.app("mem", Some("calm"))?["pid"].as_u64()
    });
    // No client is attached: the limit is watched anyway.
    let marker = wait_until("the memory marker", || {
        let log = log_text(&env, "mem", "hog");
        log.lines()
            .find(|l| l.contains("restarting: memory"))
            .map(str::to_owned)
    });
    assert!(
        marker.contains("above max_memory 30 MB (2 samples in a row, run 1)"),
        "{marker}"
    );
    let figure: u64 = marker
        .split("memory ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a figure in MB");
    assert!(figure > 30, "{marker}");
    // Judged by its restart policy as a failure: restarted, after its backoff.
    wait_until("hog restarted", || {
        let hog = env.app("mem", Some("hog"))?;
        (hog["restarts"].as_u64()? >= 1 && hog["state"] == "running").then_some(())
    });
    // The log thread writes the start line a moment after the state changed.
    wait_until("the second run's start in the log", || {
        let log = log_text(&env, "mem", "hog");
        (log.contains("started pid") && log.contains("(run 2)")).then_some(())
    });
    let after = env.app("mem", Some("calm")).unwrap();
    assert_eq!(after["pid"].as_u64(), Some(calm), "{after}");
    assert_eq!(after["restarts"], 0);
    assert!(!log_text(&env, "mem", "calm").contains("restarting"));
}
