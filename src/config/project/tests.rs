//! Tests for the project file: one per validation rule, each asserting the exact location and
//! message, plus happy paths and a no-panic property over arbitrary text.

use std::path::{Path, PathBuf};
use std::time::Duration;

use proptest::prelude::*;
use tempfile::TempDir;

use super::*;

mod append;
mod instances;
mod orchestration;
mod procfile;
mod schedule;

/// Writes `text` as `appmux.toml` in a fresh directory (which also holds a `svc/` directory
/// and a plain file `file.txt`, for `cwd` tests).
fn project(text: &str) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("svc")).unwrap();
    std::fs::write(dir.path().join("file.txt"), "").unwrap();
    let path = dir.path().join(PROJECT_FILE);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// The first problem `load_project` reports, as "LINE:COL: MESSAGE".
fn problem(text: &str) -> String {
    let (_dir, path) = project(text);
    let err = load_project(&path).unwrap_err();
    assert_eq!(err.file, path);
    format!("{}:{}: {}", err.line, err.col, err.message)
}

/// Every problem `check_project` reports, as "LINE:COL: MESSAGE".
fn problems(text: &str) -> Vec<String> {
    let (_dir, path) = project(text);
    check_project(&path)
        .into_iter()
        .map(|err| format!("{}:{}: {}", err.line, err.col, err.message))
        .collect()
}

/// A one-app file with `extra` lines added to the app.
fn app_with(extra: &str) -> String {
    format!("[[app]]\nname = \"api\"\ncmd = \"run\"\n{extra}\n")
}

fn load(text: &str) -> (TempDir, Project) {
    let (dir, path) = project(text);
    let project = load_project(&path).unwrap_or_else(|err| panic!("{err}"));
    (dir, project)
}

#[test]
fn syntax_errors_are_located() {
    assert_eq!(
        problem("[[app]\nname = 1\n"),
        "1:7: unclosed array table, expected `]`"
    );
    assert_eq!(problem(&app_with("cmd = \"again\"")), "4:1: duplicate key");
}

#[test]
fn unknown_top_level_keys_suggest_a_close_one() {
    assert_eq!(
        problem("sesion = \"x\"\n"),
        "1:1: unknown key `sesion` in the top level; did you mean `session`?"
    );
    assert_eq!(
        problem("[[apps]]\nname = \"a\"\n"),
        "1:3: unknown key `apps` in the top level; did you mean `app`?"
    );
    assert_eq!(
        problem("colour = 1\n"),
        "1:1: unknown key `colour` in the top level; expected one of `session`, `app`, `env_file`"
    );
}

#[test]
fn unknown_app_keys_suggest_a_close_one() {
    assert_eq!(
        problem(&app_with("comand = \"y\"")),
        "4:1: unknown key `comand` in [[app]]; did you mean `cmd`?"
    );
    assert_eq!(
        problem(&app_with("restrat = \"never\"")),
        "4:1: unknown key `restrat` in [[app]]; did you mean `restart`?"
    );
    let far = problem(&app_with("zzz = 1"));
    assert!(
        far.starts_with("4:1: unknown key `zzz` in [[app]]; expected one of `name`, `cmd`"),
        "{far}"
    );
}

#[test]
fn unknown_keys_in_backoff_and_log_are_located() {
    assert_eq!(
        problem(&app_with("backoff = { inital = \"1s\" }")),
        "4:13: unknown key `inital` in `backoff`; did you mean `initial`?"
    );
    assert_eq!(
        problem(&app_with("[app.log]\nmax_sise = 1")),
        "5:1: unknown key `max_sise` in `log`; did you mean `max_size`?"
    );
}

#[test]
fn wrong_types_are_located_at_the_value() {
    assert_eq!(
        problem(&app_with("autostart = \"yes\"")),
        "4:13: `autostart`: expected a boolean (true or false), found a string"
    );
    assert_eq!(
        problem("session = 3\n"),
        "1:11: `session`: expected a string, found an integer"
    );
    assert_eq!(
        problem(&app_with("env = \"A=1\"")),
        "4:7: `env`: expected a table, found a string"
    );
    assert_eq!(
        problem(&app_with("max_restarts = \"10\"")),
        "4:16: `max_restarts`: expected an integer, found a string"
    );
    assert_eq!(
        problem(&app_with("backoff = { factor = \"2\" }")),
        "4:22: `backoff.factor`: expected a number, found a string"
    );
    assert_eq!(
        problem(&app_with("log = 5")),
        "4:7: `log`: expected a table, found an integer"
    );
    assert_eq!(
        problem("[app]\nname = \"a\"\n"),
        "1:1: `app`: expected an array of tables ([[app]]), found a table"
    );
    assert_eq!(
        problem("app = [1]\n"),
        "1:8: `app`: expected a table, found an integer"
    );
}

#[test]
fn duplicate_app_names_point_at_the_second_name() {
    let text = "[[app]]\nname = \"api\"\ncmd = \"a\"\n\n[[app]]\nname = \"api\"\ncmd = \"b\"\n";
    assert_eq!(
        problem(text),
        "6:8: duplicate app name `api` (first defined on line 2)"
    );
}

#[test]
fn missing_name_or_cmd_points_at_the_header() {
    assert_eq!(
        problem("\n[[app]]\ncmd = \"x\"\n"),
        "2:1: [[app]] is missing `name`"
    );
    assert_eq!(
        problem("[[app]]\nname = \"api\"\n"),
        "1:1: app `api` is missing `cmd`"
    );
    assert_eq!(
        problems("[[app]]\n"),
        [
            "1:1: [[app]] is missing `name`",
            "1:1: [[app]] is missing `cmd`"
        ]
    );
}

#[test]
fn empty_commands_are_rejected() {
    let cmd = |value: &str| problem(&format!("[[app]]\nname = \"a\"\ncmd = {value}\n"));
    assert_eq!(cmd("\"\""), "3:7: `cmd` is empty");
    assert_eq!(cmd("\"  \\t \""), "3:7: `cmd` is empty");
    assert_eq!(cmd("[]"), "3:7: `cmd` is an empty array");
    assert_eq!(
        cmd("[\"\", \"x\"]"),
        "3:8: `cmd`: the program (first element) is empty"
    );
    assert_eq!(
        cmd("[\"ls\", 1]"),
        "3:14: `cmd`: expected a string, found an integer"
    );
    assert_eq!(
        cmd("5"),
        "3:7: `cmd`: expected a string or an array of strings, found an integer"
    );
}

#[test]
fn bad_durations_are_located() {
    assert_eq!(
        problem(&app_with("min_uptime = \"5 parsecs\"")),
        "4:14: `min_uptime`: invalid duration \"5 parsecs\": expected a number followed by us, ms, s, m or h"
    );
    assert_eq!(
        problem(&app_with("stop_timeout = 5")),
        "4:16: `stop_timeout`: expected a duration like \"250ms\" or \"5s\", found an integer"
    );
    assert_eq!(
        problem(&app_with("backoff = { max = \"1x\" }")),
        "4:19: `backoff.max`: invalid duration \"1x\": expected a number followed by us, ms, s, m or h"
    );
}

#[test]
fn bad_sizes_are_located() {
    assert_eq!(
        problem(&app_with("log = { max_size = \"10 bananas\" }")),
        "4:20: `log.max_size`: invalid size \"10 bananas\": expected a number followed by B, KB, MB, \
         GB, TB, KiB, MiB, GiB or TiB"
    );
    assert_eq!(
        problem(&app_with("log = { max_size = 0 }")),
        "4:20: `log.max_size` must be between 1B and 1TiB, found 0"
    );
    assert_eq!(
        problem(&app_with("log = { max_size = -5 }")),
        "4:20: `log.max_size` must be at least 0, found -5"
    );
    assert_eq!(
        problem(&app_with("log = { max_files = 0 }")),
        "4:21: `log.max_files` must be between 1 and 1000, found 0"
    );
}

#[test]
fn every_duration_size_and_count_has_a_range() {
    let huge = "\"18446744073709551615s\"";
    let cases = [
        (
            format!("stop_timeout = {huge}"),
            format!("4:16: `stop_timeout` must be at most 1h, found {huge}"),
        ),
        (
            format!("min_uptime = {huge}"),
            format!("4:14: `min_uptime` must be at most 24h, found {huge}"),
        ),
        (
            format!("backoff = {{ initial = {huge} }}"),
            format!("4:23: `backoff.initial` must be at most 24h, found {huge}"),
        ),
        (
            format!("backoff = {{ max = {huge} }}"),
            format!("4:19: `backoff.max` must be at most 24h, found {huge}"),
        ),
        (
            "backoff = { factor = 1000 }".to_owned(),
            "4:22: `backoff.factor` must be between 1 and 100, found 1000".to_owned(),
        ),
        (
            "log = { max_files = 4294967295 }".to_owned(),
            "4:21: `log.max_files` must be between 1 and 1000, found 4294967295".to_owned(),
        ),
        (
            "log = { max_size = \"2TiB\" }".to_owned(),
            "4:20: `log.max_size` must be between 1B and 1TiB, found \"2TiB\"".to_owned(),
        ),
        (
            "max_restarts = 4294967295".to_owned(),
            "4:16: `max_restarts` must be between 0 and 1000000, found 4294967295".to_owned(),
        ),
    ];
    for (line, expected) in cases {
        assert_eq!(problem(&app_with(&line)), expected, "{line}");
    }
    let edges = app_with("stop_timeout = \"1h\"\nmin_uptime = \"24h\"\nlog = { max_files = 1000 }");
    let (_dir, path) = project(&edges);
    assert!(load_project(&path).is_ok());
}

#[test]
fn unknown_restart_policies_list_the_valid_ones() {
    assert_eq!(
        problem(&app_with("restart = \"sometimes\"")),
        "4:11: `restart`: unknown policy \"sometimes\"; expected one of `never`, `on-failure`, `always`"
    );
}

#[test]
fn unknown_stop_signals_are_rejected() {
    assert_eq!(
        problem(&app_with("stop_signal = \"FOO\"")),
        "4:15: `stop_signal`: unknown signal \"FOO\"; expected one of `TERM`, `INT`, `HUP`, `QUIT`, \
         `KILL`, `USR1`, `USR2` or a signal number"
    );
    let zero = problem(&app_with("stop_signal = 0"));
    assert!(
        zero.starts_with("4:15: `stop_signal` must be between 1 and "),
        "{zero}"
    );
    assert!(
        problem(&app_with("stop_signal = 1000")).starts_with("4:15: `stop_signal` must be between")
    );
    assert_eq!(
        problem(&app_with("stop_signal = true")),
        "4:15: `stop_signal`: expected a signal name like \"TERM\" or a number, found a boolean"
    );
}

#[test]
fn stop_signals_accept_names_prefixes_and_numbers() {
    for (written, expected) in [
        ("\"TERM\"", libc::SIGTERM),
        ("\"SIGINT\"", libc::SIGINT),
        ("\"hup\"", libc::SIGHUP),
        ("\"QUIT\"", libc::SIGQUIT),
        ("\"KILL\"", libc::SIGKILL),
        ("\"USR1\"", libc::SIGUSR1),
        ("\"SIGUSR2\"", libc::SIGUSR2),
        ("9", 9),
    ] {
        let (_dir, project) = load(&app_with(&format!("stop_signal = {written}")));
        assert_eq!(project.apps[0].stop_signal, expected, "{written}");
    }
}

#[test]
fn backoff_must_grow_and_stay_under_its_cap() {
    assert_eq!(
        problem(&app_with("backoff = { factor = 0.5 }")),
        "4:22: `backoff.factor` must be between 1 and 100, found 0.5"
    );
    assert_eq!(
        problem(&app_with("backoff = { factor = nan }")),
        "4:22: `backoff.factor` must be a finite number"
    );
    assert_eq!(
        problem(&app_with("backoff = { initial = \"20s\", max = \"10s\" }")),
        "4:23: `backoff.initial` (20s) is greater than `backoff.max` (10s)"
    );
    // With `initial` left at its 100ms default, the `max` that undercuts it is to blame.
    assert_eq!(
        problem(&app_with("backoff = { max = \"50ms\" }")),
        "4:19: `backoff.initial` (100ms) is greater than `backoff.max` (50ms)"
    );
}

#[test]
fn cwd_must_be_an_existing_directory() {
    let (dir, path) = project(&app_with("cwd = \"nope\""));
    let err = load_project(&path).unwrap_err();
    let resolved = std::path::absolute(dir.path()).unwrap().join("nope");
    assert_eq!((err.line, err.col), (4, 7));
    assert_eq!(
        err.message,
        format!("`cwd`: {} does not exist", resolved.display())
    );

    let (dir, path) = project(&app_with("cwd = \"./file.txt\""));
    let err = load_project(&path).unwrap_err();
    let resolved = std::path::absolute(dir.path()).unwrap().join("file.txt");
    assert_eq!(
        err.message,
        format!("`cwd`: {} is not a directory", resolved.display())
    );
}

#[test]
fn cwd_is_resolved_against_the_file_directory() {
    let (dir, project) = load(&app_with("cwd = \"./svc\""));
    let base = std::path::absolute(dir.path()).unwrap();
    assert_eq!(project.apps[0].cwd, base.join("svc"));
    let (_other, absolute) = load(&app_with(&format!(
        "cwd = {:?}",
        base.join("svc").display().to_string()
    )));
    assert_eq!(absolute.apps[0].cwd, base.join("svc"));
}

#[test]
fn app_names_must_be_usable_in_targets_and_file_names() {
    let named = |name: &str| problem(&format!("[[app]]\nname = {name:?}\ncmd = \"x\"\n"));
    assert_eq!(named(""), "2:8: app `name` must not be empty, found \"\"");
    assert_eq!(
        named("a:b"),
        "2:8: app `name` must not contain `:` or `/`, found \"a:b\""
    );
    assert_eq!(
        named("a/b"),
        "2:8: app `name` must not contain `:` or `/`, found \"a/b\""
    );
    assert_eq!(
        named("a b"),
        "2:8: app `name` must not contain whitespace, found \"a b\""
    );
    assert_eq!(
        named("a\tb"),
        "2:8: app `name` must not contain whitespace, found \"a\\tb\""
    );
}

#[test]
fn session_names_must_not_hold_separators() {
    assert_eq!(
        problem("session = \"a:b\"\n"),
        "1:11: `session` must not contain `:`, `.` or `/`"
    );
    assert_eq!(
        problem("session = \"a.b\"\n"),
        "1:11: `session` must not contain `:`, `.` or `/`"
    );
    assert_eq!(
        problem("session = \"\"\n"),
        "1:11: `session` must not be empty"
    );
    assert_eq!(
        problem("session = \"/abs/path\"\n"),
        "1:11: `session` must not contain `:`, `.` or `/`"
    );
    assert_eq!(
        problem(&format!("session = \"{}\"\n", "s".repeat(65))),
        "1:11: `session` must be at most 64 characters long"
    );
}

#[test]
fn env_values_must_be_scalars_and_names_valid() {
    assert_eq!(
        problem(&app_with("env = { A = [1] }")),
        "4:13: `env.A`: expected a string, number or boolean, found an array"
    );
    assert_eq!(
        problem(&app_with("env = { \"A=B\" = \"x\" }")),
        "4:9: `env`: invalid variable name \"A=B\" (it must be non-empty, without `=`)"
    );
}

#[test]
fn counts_must_fit() {
    assert_eq!(
        problem(&app_with("max_restarts = -1")),
        "4:16: `max_restarts` must be between 0 and 1000000, found -1"
    );
    assert_eq!(
        problem(&app_with("max_restarts = 4294967296")),
        "4:16: `max_restarts` must be between 0 and 1000000, found 4294967296"
    );
}

#[test]
fn check_reports_every_problem_in_file_order() {
    let text = "sesion = \"x\"\n[[app]]\nname = \"a b\"\ncmd = []\nrestart = \"no\"\n";
    assert_eq!(
        problems(text),
        [
            "1:1: unknown key `sesion` in the top level; did you mean `session`?",
            "3:8: app `name` must not contain whitespace, found \"a b\"",
            "4:7: `cmd` is an empty array",
            "5:11: `restart`: unknown policy \"no\"; expected one of `never`, `on-failure`, `always`",
        ]
    );
    assert!(problems(&app_with("")).is_empty());
}

#[test]
fn errors_display_as_file_line_col_message() {
    let (_dir, path) = project("[[app]]\nname = \"a\"\ncmd = \"x\"\nautostart = 1\n");
    let err = load_project(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:4:13: `autostart`: expected a boolean (true or false), found an integer",
            path.display()
        )
    );
}

#[test]
fn unreadable_files_are_reported_at_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join(PROJECT_FILE);
    let err = load_project(&missing).unwrap_err();
    assert_eq!((err.line, err.col), (1, 1));
    assert!(
        err.message.starts_with("cannot read the file: "),
        "{}",
        err.message
    );
    assert_eq!(check_project(&missing).len(), 1);

    std::fs::write(&missing, b"session = \"ok\"\n# caf\xe9\n").unwrap();
    let err = load_project(&missing).unwrap_err();
    assert_eq!(
        (err.line, err.col, err.message.as_str()),
        (2, 6, "the file is not valid UTF-8")
    );
}

#[test]
fn a_full_example_loads_every_key() {
    let text = r#"
session = "myproj"   # comment

[[app]]
name = "api"
cmd = "cargo run --bin api"
cwd = "svc"
env = { RUST_LOG = "info", PORT = 3000, DEBUG = true, A = "1" }
autostart = false
restart = "always"
backoff = { initial = "250ms", max = "1m", factor = 2 }
max_restarts = 3
min_uptime = "1.5s"
stop_signal = "INT"
stop_timeout = "10s"
log = { max_size = "1MiB", max_files = 2 }

[[app]]
name = "web"
cmd = ["npm", "run", "dev"]
"#;
    let (dir, project) = load(text);
    let base = std::path::absolute(dir.path()).unwrap();
    assert_eq!(project.file, base.join(PROJECT_FILE));
    assert_eq!(project.session, "myproj");
    let expected = AppSpec {
        name: "api".to_owned(),
        cmd: CommandSpec::Shell("cargo run --bin api".to_owned()),
        cwd: base.join("svc"),
        env: [
            ("A", "1"),
            ("DEBUG", "true"),
            ("PORT", "3000"),
            ("RUST_LOG", "info"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .to_vec(),
        autostart: false,
        restart: RestartPolicy::Always,
        backoff: Backoff {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(60),
            factor: 2.0,
        },
        min_uptime: Duration::from_millis(1500),
        max_restarts: 3,
        stop_signal: libc::SIGINT,
        stop_timeout: Duration::from_secs(10),
        log: LogSpec {
            max_size: 1 << 20,
            max_files: 2,
        },
        depends_on: Vec::new(),
        ready: None,
        health: None,
        port: None,
        instance: None,
        watch: None,
        cron_restart: None,
        schedule: None,
        max_memory: None,
        remain_on_exit: None,
    };
    assert_eq!(project.apps[0], expected);
    let web = AppSpec::ad_hoc(
        "web".to_owned(),
        CommandSpec::Argv(vec!["npm".to_owned(), "run".to_owned(), "dev".to_owned()]),
        base.clone(),
    );
    assert_eq!(project.apps[1], web);
}

#[test]
fn defaults_fill_everything_left_out() {
    let (dir, project) = load("[[app]]\nname = \"w\"\ncmd = \"x\"\n");
    let base = std::path::absolute(dir.path()).unwrap();
    let app = &project.apps[0];
    assert_eq!(app.cwd, base);
    assert!(app.env.is_empty());
    assert!(app.autostart);
    assert_eq!(app.restart, RestartPolicy::OnFailure);
    assert_eq!(
        app.backoff,
        Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(15),
            factor: 1.5
        }
    );
    assert_eq!(app.max_restarts, 10);
    assert_eq!(app.min_uptime, Duration::from_secs(1));
    assert_eq!(app.stop_signal, libc::SIGTERM);
    assert_eq!(app.stop_timeout, Duration::from_secs(5));
    assert_eq!(
        app.log,
        LogSpec {
            max_size: 10_000_000,
            max_files: 5
        }
    );
    let dir_name = base
        .file_name()
        .unwrap()
        .to_string_lossy()
        .replace(['.', ':'], "_");
    assert_eq!(project.session, dir_name);
}

#[test]
fn an_empty_file_is_a_session_with_no_apps() {
    let (_dir, project) = load("");
    assert!(project.apps.is_empty());
}

#[test]
fn the_default_session_name_is_made_safe() {
    assert_eq!(
        default_session_name(Path::new("/home/me/my.app:v2")),
        "my_app_v2"
    );
    assert_eq!(default_session_name(Path::new("/")), "default");
}

#[test]
fn a_relative_file_is_recorded_as_absolute() {
    let project = parse_project("", Path::new("appmux.toml")).unwrap();
    assert!(project.file.is_absolute());
    assert_eq!(
        project.file,
        std::env::current_dir().unwrap().join("appmux.toml")
    );
}

#[test]
fn fifty_apps_load() {
    let mut text = String::from("session = \"big\"\n");
    for i in 0..50 {
        text.push_str(&format!(
            "\n[[app]]\nname = \"app{i}\"\ncmd = [\"sleep\", \"{i}\"]\nenv = {{ N = \"{i}\" }}\n"
        ));
    }
    let (_dir, project) = load(&text);
    assert_eq!(project.apps.len(), 50);
    assert_eq!(project.apps[49].name, "app49");
    assert_eq!(project.apps[49].env, [("N".to_owned(), "49".to_owned())]);
}

#[test]
fn find_project_looks_only_in_the_given_directory() {
    let (dir, path) = project("");
    assert_eq!(find_project(dir.path()), Some(path));
    assert_eq!(find_project(&dir.path().join("svc")), None);
}

#[test]
fn commands_give_argv_and_a_pasteable_display() {
    let shell = CommandSpec::Shell("echo hi | wc".to_owned());
    assert_eq!(shell.argv(), ["sh", "-c", "echo hi | wc"]);
    assert_eq!(shell.display(), "echo hi | wc");
    let argv = CommandSpec::Argv(vec![
        "grep".to_owned(),
        "it's here".to_owned(),
        "-n".to_owned(),
        String::new(),
    ]);
    assert_eq!(argv.argv(), ["grep", "it's here", "-n", ""]);
    assert_eq!(argv.display(), r"grep 'it'\''s here' -n ''");
}

/// Text that looks like a project file often enough to reach the semantic checks.
fn tomlish() -> impl Strategy<Value = String> {
    let piece = proptest::sample::select(vec![
        "[[app]]\n",
        "[app]\n",
        "[app.log]\n",
        "name = ",
        "cmd = ",
        "cwd = ",
        "env = ",
        "session = ",
        "restart = ",
        "backoff = ",
        "log = ",
        "stop_signal = ",
        "min_uptime = ",
        "max_restarts = ",
        "depends_on = ",
        "ready = ",
        "health = ",
        "env_file = ",
        "{ api = \"ready\" }",
        "{ http = \"http://x/\", tcp = \"x:1\" }",
        "{ log = \"(\" }",
        "\"api\"",
        "\"\"",
        "\"5s\"",
        "\"10MB\"",
        "\"..\"",
        "\"svc\"",
        "[\"a\", 1]",
        "[]",
        "{ initial = \"1s\" }",
        "{ factor = 0.1 }",
        "{ max_size = 0 }",
        "-1",
        "99999999999999999999",
        "1.5",
        "nan",
        "true",
        "\n",
        " ",
        "=",
        "#",
        "\"",
        "'",
        "{",
        "}",
        "[",
        "]",
        ",",
        ".",
        "é",
    ]);
    proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(PROJECT_FILE);
        let _ = parse_project(&text, &file);
    }

    #[test]
    fn tomlish_text_never_panics_and_errors_are_in_range(text in tomlish()) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(PROJECT_FILE);
        let (_, errors) = analyze(&text, &file);
        let lines = text.split('\n').count();
        for err in errors {
            prop_assert!(err.line >= 1 && err.line <= lines, "{err}");
            prop_assert!(err.col >= 1, "{err}");
        }
    }
}
