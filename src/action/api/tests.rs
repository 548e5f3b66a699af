//! Tests of the parent module: every name and alias the control API has answered to, with the
//! argument keys it has read, parses into the entry of the table that owns it.

use serde_json::json;

use super::*;
use crate::action::{
    AppAction, Capture, Delete, Direction, PaneAction, RunApp, SendKeys, ServerAction,
    SessionAction, TabAction, table,
};
use crate::command::RestartPolicy;

fn ok(name: &str, args: Value) -> Action {
    from_json(name, &args).unwrap_or_else(|e| panic!("{name} {args}: {e:?}"))
}

fn err(name: &str, args: Value) -> (&'static str, String) {
    match from_json(name, &args) {
        Ok(action) => panic!("{name} {args} should fail, got {action:?}"),
        Err(e) => (e.code, e.message),
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// The names the control API answered to before the table existed, by entry.
const API_NAMES: &[(&str, &[&str])] = &[
    ("session.list", &["sessions.list", "session.list", "ls"]),
    ("app.list", &["apps.list", "app.list"]),
    ("app.start", &["apps.start", "app.start"]),
    ("app.stop", &["apps.stop", "app.stop"]),
    ("app.restart", &["apps.restart", "app.restart"]),
    ("app.kill", &["apps.kill", "app.kill"]),
    ("app.run", &["apps.run", "app.run"]),
    ("session.new", &["sessions.new", "session.new"]),
    ("session.kill", &["sessions.kill", "session.kill"]),
    ("server.kill", &["server.kill"]),
    ("app.capture", &["panes.capture", "pane.capture"]),
    ("app.send-keys", &["panes.send-keys", "pane.send-keys"]),
    ("app.delete", &["app.delete", "apps.delete", "delete", "rm"]),
    ("app.flush", &["app.flush", "apps.flush", "flush"]),
    ("app.reload", &["app.reload", "apps.reload", "reload"]),
    ("app.describe", &["app.describe", "describe"]),
    ("app.why", &["app.why", "why"]),
    ("app.wait", &["app.wait", "wait"]),
    ("app.scale", &["app.scale", "apps.scale", "scale"]),
    (
        "server.source-file",
        &["server.source-file", "source-file", "source"],
    ),
];

#[test]
fn every_api_name_and_alias_belongs_to_one_entry() {
    for (entry, api_names) in API_NAMES {
        for name in *api_names {
            let spec = find_spec(name).unwrap_or_else(|| panic!("{name} is in no entry"));
            assert_eq!(spec.name, *entry, "{name}");
        }
    }
    // Every alias in the table is one of these: a new alias comes with a test.
    for spec in table() {
        for alias in spec.aliases {
            let listed = API_NAMES
                .iter()
                .any(|(entry, names)| *entry == spec.name && names.contains(alias));
            assert!(listed, "alias {alias} of {} is not tested", spec.name);
        }
    }
}

#[test]
fn scale_reads_its_app_and_count() {
    use crate::action::Scale;
    let scale = |count| {
        Action::App(AppAction::Scale(Scale {
            app: "api".into(),
            count,
        }))
    };
    assert_eq!(ok("scale", json!({"app": "api", "count": 5})), scale(5));
    assert_eq!(
        ok("app.scale", json!({"name": "api", "instances": "0"})),
        scale(0)
    );
    // A count past the limit is the server's to refuse; one that is no number is refused here.
    assert_eq!(ok("scale", json!({"app": "api", "count": 65})), scale(65));
    let (code, message) = err("scale", json!({"app": "api", "count": "many"}));
    assert_eq!(code, "bad_request");
    assert!(message.contains("a number of instances"), "{message}");
}

#[test]
fn describe_why_and_wait_read_their_app_names_and_condition() {
    use crate::action::{Wait, WaitFor};
    assert_eq!(
        ok("describe", json!({"app": "api"})),
        Action::App(AppAction::Describe("api".into()))
    );
    assert_eq!(
        ok("why", json!({"name": "api"})),
        Action::App(AppAction::Why("api".into()))
    );
    assert_eq!(
        ok("wait", json!({"apps": ["db", "api"], "for": "running"})),
        Action::App(AppAction::Wait(Wait {
            apps: names(&["db", "api"]),
            condition: WaitFor::Running,
        }))
    );
    assert_eq!(
        ok("wait", json!({"apps": ["db"]})),
        Action::App(AppAction::Wait(Wait {
            apps: names(&["db"]),
            condition: WaitFor::Ready,
        }))
    );
    let (code, message) = err("wait", json!({"apps": ["db"], "for": "sideways"}));
    assert_eq!(code, "bad_request");
    assert!(
        message.contains("ready, running, completed, stopped or up"),
        "{message}"
    );
}

#[test]
fn listings_and_the_server() {
    for name in ["sessions.list", "session.list", "ls"] {
        assert_eq!(ok(name, json!({})), Action::Session(SessionAction::List));
    }
    for name in ["apps.list", "app.list"] {
        let action = ok(name, json!({"session": "shop"}));
        assert_eq!(action, Action::App(AppAction::List));
    }
    assert_eq!(
        ok("server.kill", json!({})),
        Action::Server(ServerAction::Kill)
    );
}

#[test]
fn app_lifecycle_reads_apps_name_and_app() {
    type Verb = fn(Vec<String>) -> AppAction;
    let verbs: [(&str, Verb); 4] = [
        ("start", AppAction::Start),
        ("stop", AppAction::Stop),
        ("restart", AppAction::Restart),
        ("kill", AppAction::Kill),
    ];
    for (verb, make) in verbs {
        for domain in ["apps", "app"] {
            let name = format!("{domain}.{verb}");
            let cases = [
                (
                    json!({"session": "s", "apps": ["api", "web"]}),
                    names(&["api", "web"]),
                ),
                (json!({"apps": "api"}), names(&["api"])),
                (json!({"apps": ["all"]}), names(&["all"])),
                (json!({"name": "api"}), names(&["api"])),
                (json!({"app": "api"}), names(&["api"])),
                (
                    json!({"apps": ["api"], "name": "web"}),
                    names(&["api", "web"]),
                ),
            ];
            for (args, apps) in cases {
                assert_eq!(ok(&name, args), Action::App(make(apps)), "{name}");
            }
            let missing = (
                "missing_arg",
                "missing argument `apps` (names, or [\"all\"])".into(),
            );
            assert_eq!(err(&name, json!({})), missing);
            assert_eq!(err(&name, json!({"session": "s", "apps": []})), missing);
        }
    }
}

#[test]
fn run_reads_cmd_name_restart_and_cwd() {
    for name in ["apps.run", "app.run"] {
        let args = json!({
            "session": "s", "cmd": "echo hi; sleep 1", "name": "echoer",
            "restart": "always", "cwd": "/tmp",
        });
        let run = RunApp {
            cmd: names(&["echo hi; sleep 1"]),
            name: Some("echoer".into()),
            restart: Some(RestartPolicy::Always),
            cwd: Some("/tmp".into()),
        };
        assert_eq!(ok(name, args), Action::App(AppAction::Run(run)));
        let argv = ok(name, json!({"cmd": ["ls", "--color", "-l"]}));
        let run = RunApp::new(names(&["ls", "--color", "-l"]));
        assert_eq!(argv, Action::App(AppAction::Run(run)));
        // A command word that looks like an option is still the command.
        let dashed = ok(name, json!({"cmd": ["--version"]}));
        let run = RunApp::new(names(&["--version"]));
        assert_eq!(dashed, Action::App(AppAction::Run(run)));

        let missing = (
            "missing_arg",
            "missing argument `cmd` (a string or an array)".into(),
        );
        assert_eq!(err(name, json!({"name": "x"})), missing);
        assert_eq!(err(name, json!({"cmd": "  "})), missing);
        assert_eq!(err(name, json!({"cmd": []})), missing);
        let (code, message) = err(name, json!({"cmd": "x", "restart": "sometimes"}));
        assert_eq!(code, "bad_request");
        assert!(
            message.contains("`sometimes` is not a restart policy"),
            "{message}"
        );
    }
}

#[test]
fn delete_flush_and_reload_read_their_names_and_flags() {
    for name in ["app.delete", "apps.delete", "delete", "rm"] {
        let delete = Delete {
            apps: names(&["api", "web"]),
            force: true,
        };
        let args = json!({"session": "s", "apps": ["api"], "name": "web", "force": true});
        assert_eq!(ok(name, args), Action::App(AppAction::Delete(delete)));
        let plain = Delete {
            apps: names(&["api"]),
            force: false,
        };
        assert_eq!(
            ok(name, json!({"app": "api"})),
            Action::App(AppAction::Delete(plain))
        );
        // Deleting needs a name: the focused pane's app is for keys, not for programs.
        assert_eq!(err(name, json!({})).0, "missing_arg");
    }
    for name in ["app.flush", "apps.flush", "flush"] {
        let some = ok(name, json!({"apps": ["api", "web"]}));
        assert_eq!(some, Action::App(AppAction::Flush(names(&["api", "web"]))));
        // None named means every app of the session.
        let all = ok(name, json!({"session": "s"}));
        assert_eq!(all, Action::App(AppAction::Flush(Vec::new())));
    }
    for name in ["app.reload", "apps.reload", "reload"] {
        let dry = Action::App(AppAction::Reload { dry_run: true });
        assert_eq!(ok(name, json!({"dry-run": true})), dry);
        assert_eq!(ok(name, json!({"dry_run": true})), dry);
        let real = Action::App(AppAction::Reload { dry_run: false });
        assert_eq!(ok(name, json!({"session": "s"})), real);
    }
}

#[test]
fn sessions_new_and_kill() {
    for name in ["sessions.new", "session.new"] {
        let args = json!({"name": "n", "cmd": ["sleep", "1000"], "cwd": "/srv"});
        let new = SessionAction::New {
            name: Some("n".into()),
            cwd: Some("/srv".into()),
            cmd: names(&["sleep", "1000"]),
        };
        assert_eq!(ok(name, args), Action::Session(new));
        let bare = SessionAction::New {
            name: None,
            cwd: None,
            cmd: Vec::new(),
        };
        assert_eq!(ok(name, json!({})), Action::Session(bare));
    }
    for name in ["sessions.kill", "session.kill"] {
        let kill = Action::Session(SessionAction::Kill("s".into()));
        assert_eq!(ok(name, json!({"name": "s"})), kill);
        assert_eq!(ok(name, json!({"session": "s"})), kill);
        let missing = ("missing_arg", "missing argument `name`".to_owned());
        assert_eq!(err(name, json!({})), missing);
    }
}

#[test]
fn capture_and_send_keys_read_target_and_flags() {
    for name in ["panes.capture", "pane.capture", "app.capture"] {
        let args = json!({"target": "s:a", "ansi": true, "scrollback": true});
        let capture = Capture {
            target: Some("s:a".into()),
            ansi: true,
            scrollback: true,
            ..Capture::default()
        };
        assert_eq!(ok(name, args), Action::App(AppAction::Capture(capture)));
        let plain = ok(name, json!({"session": "s", "ansi": false}));
        assert_eq!(plain, Action::App(AppAction::Capture(Capture::default())));
    }
    for name in ["panes.send-keys", "pane.send-keys", "app.send-keys"] {
        let args = json!({"target": "s:a", "keys": ["C-c", "--literal", ""], "literal": true});
        let keys = SendKeys {
            target: Some("s:a".into()),
            keys: names(&["C-c", "--literal"]),
            literal: true,
        };
        assert_eq!(ok(name, args), Action::App(AppAction::SendKeys(keys)));
        let one = ok(name, json!({"target": "deaf", "keys": "Enter"}));
        let keys = SendKeys {
            target: Some("deaf".into()),
            keys: names(&["Enter"]),
            literal: false,
        };
        assert_eq!(one, Action::App(AppAction::SendKeys(keys)));
        let missing = ("missing_arg", "missing argument `keys`".to_owned());
        assert_eq!(err(name, json!({"target": "x"})), missing);
    }
}

#[test]
fn the_session_layer_takes_args_or_keys() {
    assert_eq!(
        ok("pane.focus", json!({"session": "s", "args": ["left"]})),
        Action::Pane(PaneAction::Focus(Direction::Left))
    );
    assert_eq!(
        ok("pane.focus", json!({"direction": "up"})),
        Action::Pane(PaneAction::Focus(Direction::Up))
    );
    assert_eq!(
        ok("tab.select", json!({"args": ["2"]})),
        Action::Tab(TabAction::Select(2))
    );
    assert_eq!(
        ok("tab.select", json!({"n": 2})),
        Action::Tab(TabAction::Select(2))
    );
    assert_eq!(
        ok("tab.rename", json!({"args": ["my tab"]})),
        Action::Tab(TabAction::Rename(Some("my tab".into())))
    );
    assert_eq!(
        ok("pane.resize", json!({"direction": "left", "cells": 4})),
        Action::Pane(PaneAction::Resize(Direction::Left, 4))
    );
    // Errors of the words are bad requests, as they always were.
    for args in [json!({}), json!({"args": ["west"]})] {
        assert_eq!(err("pane.focus", args).0, "bad_request");
    }
}

#[test]
fn unknown_names_are_unknown_actions() {
    let (code, message) = err("apps.frobnicate", json!({}));
    assert_eq!(code, "unknown_action");
    assert_eq!(
        message,
        "unknown action `apps.frobnicate`; see `appmux action list`"
    );
    assert_eq!(err("", json!({})).0, "unknown_action");
}

/// Every entry of the table can be reached from the control API with its own argument keys.
#[test]
fn every_entry_parses_from_json_by_its_keys() {
    for spec in table() {
        let mut args = serde_json::Map::new();
        for arg in spec.args {
            let example = match (arg.kind, arg.key) {
                (ArgKind::Flag, _) => json!(true),
                (_, "direction") => json!("left"),
                (_, "n" | "cells" | "count") => json!(3),
                (_, "layout") => json!("tiled"),
                (_, "restart") => json!("never"),
                (_, "for") => json!("completed"),
                (_, "start" | "end") => json!("-2"),
                (_, "width" | "height") => json!("50%"),
                (ArgKind::Words, _) => json!(["one", "two"]),
                _ => json!("word"),
            };
            args.insert(arg.key.to_owned(), example);
        }
        let action = ok(spec.name, Value::Object(args));
        assert_eq!(action.name(), spec.name);
    }
}
