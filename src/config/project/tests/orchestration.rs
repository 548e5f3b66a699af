//! Tests for the orchestration keys of a project file: `depends_on` in its three forms and the
//! checks across apps, `ready` and `health` probes, and `env_file` with its precedence. Each
//! bad input asserts the exact location and message.

use std::time::Duration;

use super::{app_with, load, problem, problems, project};
use crate::config::project::{AppSpec, CommandSpec, check_project, load_project};
use crate::dependency::{Condition, Dependency};
use crate::probe_spec::{ProbeKind, ProbeSpec};

/// Apps `a`, `b` and `c` (in that order, four lines each), with `extra[i]` added to the i-th.
fn three_apps(extra: [&str; 3]) -> String {
    ["a", "b", "c"]
        .iter()
        .zip(extra)
        .map(|(name, extra)| format!("[[app]]\nname = \"{name}\"\ncmd = \"run\"\n{extra}\n"))
        .collect()
}

/// `app_with(extra)` followed by an app `db`, for an `api` that depends on it.
fn with_db(extra: &str) -> String {
    app_with(extra) + "[[app]]\nname = \"db\"\ncmd = \"run\"\n"
}

fn dep(app: &str, condition: Condition, restart: bool) -> Dependency {
    Dependency {
        app: app.to_owned(),
        condition,
        restart,
    }
}

#[test]
fn depends_on_is_a_list_of_names_each_waiting_for_ready() {
    let (_dir, project) = load(&three_apps(["depends_on = [\"c\", \"b\"]", "", ""]));
    assert_eq!(
        project.apps[0].depends_on,
        [Dependency::ready("c"), Dependency::ready("b")]
    );
    assert!(project.apps[1].depends_on.is_empty());
}

#[test]
fn depends_on_tables_give_conditions_and_restarts_in_the_order_written() {
    let text = three_apps([
        "depends_on = { c = \"completed\", b = \"started\" }",
        "depends_on.c = { condition = \"ready\", restart = true }",
        "",
    ]);
    let (_dir, project) = load(&text);
    assert_eq!(
        project.apps[0].depends_on,
        [
            dep("c", Condition::Completed, false),
            dep("b", Condition::Started, false)
        ]
    );
    assert_eq!(
        project.apps[1].depends_on,
        [dep("c", Condition::Ready, true)]
    );
    let text = three_apps(["", "", "[app.depends_on]\nb = { restart = true }"]);
    let (_dir, project) = load(&text);
    assert_eq!(
        project.apps[2].depends_on,
        [dep("b", Condition::Ready, true)]
    );
}

#[test]
fn unknown_conditions_list_the_valid_ones_at_the_value() {
    assert_eq!(
        problem(&app_with("depends_on = { db = \"up\" }")),
        "4:21: `depends_on.db`: unknown condition \"up\"; expected one of `started`, `ready`, `completed`"
    );
    assert_eq!(
        problem(&app_with("depends_on = { db = \"service_healthy\" }")),
        "4:21: `depends_on.db`: unknown condition \"service_healthy\"; expected one of `started`, `ready`, `completed`; did you mean `ready`?"
    );
    assert_eq!(
        problem(&app_with("depends_on.db = { condition = \"redy\" }")),
        "4:31: `depends_on.db.condition`: unknown condition \"redy\"; expected one of `started`, `ready`, `completed`; did you mean `ready`?"
    );
}

#[test]
fn depends_on_values_of_the_wrong_shape_are_located() {
    assert_eq!(
        problem(&with_db("depends_on = \"db\"")),
        "4:14: `depends_on`: expected an array of app names or a table of conditions, found a string"
    );
    assert_eq!(
        problem(&with_db("depends_on = [3]")),
        "4:15: `depends_on`: expected a string, found an integer"
    );
    assert_eq!(
        problem(&with_db("depends_on = { db = 1 }")),
        "4:21: `depends_on.db`: expected a condition (`started`, `ready`, `completed`) or a table with `condition` and `restart`, found an integer"
    );
    assert_eq!(
        problem(&with_db("depends_on.db = { restart = \"yes\" }")),
        "4:29: `depends_on.db.restart`: expected a boolean (true or false), found a string"
    );
    assert_eq!(
        problem(&with_db("depends_on.db = { conditon = \"ready\" }")),
        "4:19: unknown key `conditon` in a `depends_on` entry; did you mean `condition`?"
    );
    assert_eq!(
        problem(&with_db("depends_on = [\"\"]")),
        "4:15: `depends_on` must not be empty"
    );
}

#[test]
fn a_dependency_named_twice_points_at_the_second() {
    assert_eq!(
        problems(&three_apps(["depends_on = [\"b\", \"c\", \"b\"]", "", ""])),
        ["4:25: `depends_on` names `b` twice (first on line 4)"]
    );
}

#[test]
fn unknown_dependencies_suggest_a_close_name() {
    let text = three_apps(["depends_on = [\"bb\", \"zzz\"]", "", ""]);
    assert_eq!(
        problems(&text),
        [
            "4:15: app `a` depends on `bb`, which is not an app of this session; did you mean `b`?",
            "4:21: app `a` depends on `zzz`, which is not an app of this session",
        ]
    );
}

#[test]
fn an_app_never_suggests_itself_nor_depends_on_itself() {
    let text = "[[app]]\nname = \"web\"\ncmd = \"x\"\ndepends_on = [\"web\"]\n\n\
                [[app]]\nname = \"worker\"\ncmd = \"x\"\ndepends_on = { worke = \"started\" }\n";
    // `worke` is one letter from `worker` itself, which is never a fix; nothing else is close.
    assert_eq!(
        problems(text),
        [
            "4:15: app `web` depends on itself",
            "9:16: app `worker` depends on `worke`, which is not an app of this session",
        ]
    );
}

#[test]
fn apps_that_fail_to_load_still_count_as_names() {
    let text =
        "[[app]]\nname = \"db\"\n\n[[app]]\nname = \"api\"\ncmd = \"x\"\ndepends_on = [\"db\"]\n";
    assert_eq!(problems(text), ["1:1: app `db` is missing `cmd`"]);
}

#[test]
fn cycles_are_named_and_located_at_the_entries_forming_them() {
    let text = three_apps([
        "depends_on = [\"b\"]",
        "depends_on = { c = \"started\" }",
        "depends_on.a = { condition = \"completed\" }",
    ]);
    assert_eq!(
        problems(&text),
        [
            "4:15: dependency cycle: a -> b -> c -> a (the `depends_on` entries on lines 4, 8 and 12)"
        ]
    );
    let (_dir, path) = project(&text);
    let err = load_project(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:4:15: dependency cycle: a -> b -> c -> a (the `depends_on` entries on lines 4, 8 and 12)",
            path.display()
        )
    );
}

#[test]
fn check_reports_every_cycle() {
    let text = three_apps(["depends_on = [\"b\"]", "depends_on = [\"a\"]", ""])
        + "[[app]]\nname = \"d\"\ncmd = \"run\"\ndepends_on = [\"c\"]\n"
        + "[[app]]\nname = \"e\"\ncmd = \"run\"\ndepends_on = [\"d\"]\n";
    let text = text.replace(
        "name = \"c\"\ncmd = \"run\"\n",
        "name = \"c\"\ncmd = \"run\"\ndepends_on = [\"e\"]",
    );
    assert_eq!(
        problems(&text),
        [
            "4:15: dependency cycle: a -> b -> a (the `depends_on` entries on lines 4 and 8)",
            "12:15: dependency cycle: c -> e -> d -> c (the `depends_on` entries on lines 12, 20 and 16)",
        ]
    );
}

#[test]
fn probes_read_every_key() {
    let text = app_with(
        "ready = { http = \"http://127.0.0.1:8080/health\", interval = \"250ms\", timeout = \"2s\", initial_delay = \"1s\", timeout_total = \"30s\" }\n\
         health = { tcp = \"[::1]:5432\", interval = \"5s\", timeout = \"500ms\", initial_delay = \"3s\", failures = 5 }",
    );
    let (_dir, project) = load(&text);
    let app = &project.apps[0];
    let ready = ProbeSpec {
        interval: Duration::from_millis(250),
        timeout: Duration::from_secs(2),
        initial_delay: Duration::from_secs(1),
        timeout_total: Some(Duration::from_secs(30)),
        ..ProbeSpec::ready(ProbeKind::http("http://127.0.0.1:8080/health").unwrap())
    };
    let health = ProbeSpec {
        interval: Duration::from_secs(5),
        timeout: Duration::from_millis(500),
        initial_delay: Duration::from_secs(3),
        failures: 5,
        ..ProbeSpec::health(ProbeKind::tcp("[::1]:5432").unwrap())
    };
    assert_eq!(app.ready.as_deref(), Some(&ready));
    assert_eq!(app.health.as_deref(), Some(&health));
}

#[test]
fn probes_left_at_their_defaults_take_each_kind() {
    let text = app_with(
        "ready.log = \"listening on .*:8080\"\nhealth.exec = [\"pg_isready\", \"-h\", \"127.0.0.1\"]",
    );
    let (_dir, project) = load(&text);
    let app = &project.apps[0];
    let ready = ProbeSpec::ready(ProbeKind::log("listening on .*:8080").unwrap());
    assert_eq!(app.ready.as_deref(), Some(&ready));
    assert_eq!(ready.interval, Duration::from_secs(1));
    let argv = ["pg_isready", "-h", "127.0.0.1"]
        .map(str::to_owned)
        .to_vec();
    let health = ProbeSpec::health(ProbeKind::exec(CommandSpec::Argv(argv)).unwrap());
    assert_eq!(app.health.as_deref(), Some(&health));
    assert_eq!(
        (health.interval, health.failures),
        (Duration::from_secs(10), 3)
    );
    let (_dir, project) = load(&app_with("ready.exec = \"test -f /tmp/ready\""));
    let shell = CommandSpec::Shell("test -f /tmp/ready".to_owned());
    assert_eq!(
        project.apps[0].ready.as_ref().map(|p| &p.kind),
        Some(&ProbeKind::Exec(shell))
    );
}

#[test]
fn a_probe_checks_exactly_one_thing() {
    assert_eq!(
        problem(&app_with("ready = { http = \"http://x/\", tcp = \"x:1\" }")),
        "4:31: `ready` has both `http` and `tcp`: a probe checks exactly one of `http`, `tcp`, `exec`, `log`"
    );
    assert_eq!(
        problem(&app_with("health = { interval = \"1s\" }")),
        "4:10: `health` is missing what to check: one of `http`, `tcp`, `exec`, `log`"
    );
    assert_eq!(
        problem(&app_with("ready = \"http://x/\"")),
        "4:9: `ready`: expected a table, found a string"
    );
}

#[test]
fn invalid_urls_addresses_and_patterns_are_located_at_the_value() {
    let cases = [
        (
            "ready.http = \"localhost:8080\"",
            "4:14: `ready.http`: invalid URL \"localhost:8080\": expected a URL like \"http://127.0.0.1:8080/health\"",
        ),
        (
            "ready.http = \"https://x/\"",
            "4:14: `ready.http`: \"https://x/\": https is not supported; probes send plain HTTP/1.1, use http://",
        ),
        (
            "health.tcp = \"127.0.0.1\"",
            "4:14: `health.tcp`: invalid address \"127.0.0.1\": the port is missing; expected HOST:PORT like \"127.0.0.1:5432\"",
        ),
        (
            "ready.log = \"(unclosed\"",
            "4:13: `ready.log`: invalid regex \"(unclosed\": unclosed group",
        ),
        ("ready.exec = \" \"", "4:14: `ready.exec` is empty"),
        ("ready.exec = []", "4:14: `ready.exec` is an empty array"),
    ];
    for (extra, expected) in cases {
        assert_eq!(problem(&app_with(extra)), expected, "{extra}");
    }
}

#[test]
fn probe_timings_have_ranges_and_roles() {
    let cases = [
        (
            "ready = { tcp = \"x:1\", interval = \"5ms\" }",
            "4:35: `ready.interval` must be between 10ms and 24h, found \"5ms\"",
        ),
        (
            "ready = { tcp = \"x:1\", timeout = \"2d\" }",
            "4:34: `ready.timeout`: invalid duration \"2d\": expected a number followed by us, ms, s, m or h",
        ),
        (
            "ready = { tcp = \"x:1\", timeout_total = \"25h\" }",
            "4:40: `ready.timeout_total` must be between 10ms and 24h, found \"25h\"",
        ),
        (
            "health = { tcp = \"x:1\", initial_delay = \"25h\" }",
            "4:41: `health.initial_delay` must be at most 24h, found \"25h\"",
        ),
        (
            "health = { tcp = \"x:1\", timeout_total = \"30s\" }",
            "4:25: `timeout_total` applies only to `ready` probes",
        ),
        (
            "ready = { tcp = \"x:1\", failures = 3 }",
            "4:24: `failures` applies only to `health` probes",
        ),
        (
            "health = { tcp = \"x:1\", failures = 0 }",
            "4:36: `health.failures` must be between 1 and 1000, found 0",
        ),
        (
            "health = { log = \"up\" }",
            "4:12: `health`: a `log` probe can only be a `ready` probe: output cannot say an app is still healthy",
        ),
        (
            "ready = { url = \"http://x/\" }",
            "4:11: unknown key `url` in `ready`; did you mean `http`?",
        ),
    ];
    for (extra, expected) in cases {
        assert_eq!(problem(&app_with(extra)), expected, "{extra}");
    }
}

#[test]
fn env_files_layer_top_then_app_then_env() {
    let (dir, path) = project(
        "env_file = [\"shared.env\", \"local.env\"]\n\
         [[app]]\nname = \"api\"\ncmd = \"run\"\nenv_file = \"svc/api.env\"\nenv = { B = \"env\" }\n\
         [[app]]\nname = \"web\"\ncmd = \"run\"\n",
    );
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("shared.env", "A=shared\nB=shared\nC=shared\nD=shared\n");
    write("local.env", "export C=local\nD=local\n");
    write("svc/api.env", "D=api\nE=\"two\\nlines\"\n");
    let project = load_project(&path).unwrap();
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    assert_eq!(
        project.apps[0].env,
        pairs(&[
            ("A", "shared"),
            ("B", "env"),
            ("C", "local"),
            ("D", "api"),
            ("E", "two\nlines")
        ])
    );
    assert_eq!(
        project.apps[1].env,
        pairs(&[
            ("A", "shared"),
            ("B", "shared"),
            ("C", "local"),
            ("D", "local")
        ])
    );
}

#[test]
fn env_files_that_cannot_be_read_are_reported_where_they_are_named() {
    let (dir, path) = project(&format!(
        "env_file = \"missing.env\"\n{}",
        app_with("env_file = [\"svc\"]")
    ));
    let problems: Vec<String> = check_project(&path)
        .iter()
        .map(ToString::to_string)
        .collect();
    let (file, base) = (path.display(), dir.path().display());
    assert_eq!(
        problems,
        [
            format!(
                "{file}:1:12: `env_file`: cannot read {base}/missing.env: No such file or directory (os error 2)"
            ),
            format!(
                "{file}:5:13: `env_file`: cannot read {base}/svc: it is a directory, not a regular file"
            ),
        ]
    );
    assert_eq!(
        super::problem(&app_with("env_file = 3")),
        "4:12: `env_file`: expected a path or an array of paths, found an integer"
    );
    assert_eq!(
        super::problem(&app_with("env_file = [\"\"]")),
        "4:13: `env_file` must not be empty"
    );
}

#[test]
fn a_bad_env_file_line_is_located_in_the_env_file_once() {
    let text = format!(
        "{}{}",
        app_with("env_file = \"bad.env\""),
        "[[app]]\nname = \"web\"\ncmd = \"x\"\nenv_file = \"bad.env\"\nrestart = \"sometimes\"\n"
    );
    let (dir, path) = project(&text);
    std::fs::write(dir.path().join("bad.env"), "A=1\nnot a pair\n").unwrap();
    let problems: Vec<String> = check_project(&path)
        .iter()
        .map(ToString::to_string)
        .collect();
    let env = dir.path().join("bad.env");
    assert_eq!(
        problems,
        [
            format!("{}:2:5: expected `=` after `not`", env.display()),
            format!(
                "{}:9:11: `restart`: unknown policy \"sometimes\"; expected one of `never`, `on-failure`, `always`",
                path.display()
            ),
        ]
    );
    std::fs::write(dir.path().join("bad.env"), b"A=\xff\n").unwrap();
    let err = load_project(&path).unwrap_err();
    assert_eq!((err.file, err.line, err.col), (env, 1, 3));
}

#[test]
fn env_files_are_named_as_the_project_file_was() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/x.env"), "=1\n").unwrap();
    let file = dir.path().join("sub/appmux.toml");
    std::fs::write(&file, "env_file = \"x.env\"\n").unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let err = crate::config::project::parse_project(&text, &file).unwrap_err();
    assert_eq!((err.file, err.line), (dir.path().join("sub/x.env"), 1));
    // Named relative to where appmux runs (not the temporary directory here), the env file is
    // named the same way in the message.
    let relative = std::path::Path::new("sub/appmux.toml");
    let err = crate::config::project::parse_project(&text, relative).unwrap_err();
    assert_eq!(err.file, relative);
    assert!(
        err.message
            .starts_with("`env_file`: cannot read sub/x.env: "),
        "{err}"
    );
}

#[test]
fn specs_keep_their_probes_and_dependencies_through_the_state_file() {
    let (_dir, project) = load(&three_apps([
        "depends_on = { b = \"started\" }\nready.log = \"up\"",
        "health.http = \"http://127.0.0.1:9/\"",
        "",
    ]));
    let json = serde_json::to_string(&project.apps).unwrap();
    let back: Vec<AppSpec> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, project.apps);
    // A spec saved before these fields existed still loads, with none of them.
    let mut old: serde_json::Value = serde_json::to_value(&project.apps[2]).unwrap();
    for key in ["depends_on", "ready", "health"] {
        old.as_object_mut().unwrap().remove(key);
    }
    let old: AppSpec = serde_json::from_value(old).unwrap();
    assert_eq!(old, project.apps[2]);
    // A pattern that no longer compiles is refused, not loaded half-made.
    let bad = json.replace("\"up\"", "\"(\"");
    assert!(serde_json::from_str::<Vec<AppSpec>>(&bad).is_err());
}

#[test]
fn specs_from_elsewhere_get_the_probe_ranges() {
    let mut spec = AppSpec::ad_hoc("api".into(), CommandSpec::Shell("true".into()), "/".into());
    let mut ready = ProbeSpec::ready(ProbeKind::tcp("x:1").unwrap());
    ready.interval = Duration::ZERO;
    spec.ready = Some(Box::new(ready));
    assert_eq!(
        spec.check_limits().unwrap_err(),
        "app \"api\": `ready`: `interval` must be between 10ms and 24h"
    );
}
