//! Tests of the parent module.

use super::*;
use proptest::prelude::*;

fn parse(text: &str) -> Action {
    text.parse()
        .unwrap_or_else(|e| panic!("`{text}` should parse: {e}"))
}

fn error(text: &str) -> String {
    match text.parse::<Action>() {
        Ok(action) => panic!("`{text}` should not parse, got {action:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_name_parses_with_example_arguments() {
    for name in all_names() {
        let args = match usage(name).unwrap_or_default() {
            "" => "",
            "<n>" => "3",
            "<cmd...>" => "htop -d 5",
            "<name>" => "api",
            "<name...>" => "api web",
            "<name> <count>" => "api 3",
            u if u.starts_with("<left") => "left",
            u if u.starts_with("<even") => "tiled",
            u if u.starts_with('[') => "",
            other => panic!("no example for usage `{other}` of {name}"),
        };
        let action = parse(&format!("{name} {args}"));
        assert_eq!(action.name(), *name);
        assert!(!action.describe().is_empty(), "{name} has no description");
    }
}

#[test]
fn names_are_unique_and_grouped_by_domain() {
    let mut seen = std::collections::HashSet::new();
    let mut domains: Vec<&str> = Vec::new();
    for name in all_names() {
        assert!(seen.insert(*name), "{name} twice");
        let domain = name.split_once('.').unwrap().0;
        if domains.last() != Some(&domain) {
            assert!(!domains.contains(&domain), "{domain} is split up");
            domains.push(domain);
        }
    }
    assert_eq!(
        domains,
        ["client", "pane", "tab", "app", "sidebar", "copy", "session"]
    );
}

#[test]
fn arguments_are_read() {
    assert_eq!(
        parse("pane.focus left"),
        Action::Pane(PaneAction::Focus(Direction::Left))
    );
    assert_eq!(
        parse("pane.resize up"),
        Action::Pane(PaneAction::Resize(Direction::Up, 1))
    );
    assert_eq!(
        parse("  pane.resize   down 5 "),
        Action::Pane(PaneAction::Resize(Direction::Down, 5))
    );
    assert_eq!(
        parse("pane.layout main-vertical"),
        Action::Pane(PaneAction::Layout(LayoutPreset::MainVertical))
    );
    assert_eq!(parse("tab.select 0"), Action::Tab(TabAction::Select(0)));
    assert_eq!(parse("tab.rename"), Action::Tab(TabAction::Rename(None)));
    assert_eq!(
        parse("tab.rename 'my tab'"),
        Action::Tab(TabAction::Rename(Some("my tab".into())))
    );
    assert_eq!(parse("app.stop"), Action::App(AppAction::Stop(vec![])));
    assert_eq!(
        parse("app.restart api"),
        Action::App(AppAction::Restart(vec!["api".into()]))
    );
    assert_eq!(
        parse(r#"app.run sh -c "echo \"hi\"""#),
        Action::App(AppAction::Run(RunApp::new(vec![
            "sh".into(),
            "-c".into(),
            "echo \"hi\"".into()
        ])))
    );
}

#[test]
fn display_examples() {
    let cases = [
        (
            Action::Pane(PaneAction::Resize(Direction::Left, 1)),
            "pane.resize left",
        ),
        (
            Action::Pane(PaneAction::Resize(Direction::Left, 5)),
            "pane.resize left 5",
        ),
        (
            Action::Client(ClientAction::SendPrefix),
            "client.send-prefix",
        ),
        (
            Action::Tab(TabAction::Rename(Some("it's".into()))),
            r"tab.rename 'it'\''s'",
        ),
        (Action::Copy(CopyAction::PageUp), "copy.page-up"),
    ];
    for (action, text) in cases {
        assert_eq!(action.to_string(), text);
        assert_eq!(parse(text), action);
    }
}

#[test]
fn bad_input_is_explained() {
    let cases = [
        ("", "no action given"),
        ("   ", "no action given"),
        (
            "pane.zom",
            "unknown action `pane.zom`; did you mean `pane.zoom`?",
        ),
        (
            "detach",
            "unknown action `detach`; did you mean `client.detach`?",
        ),
        ("frobnicate", "unknown action `frobnicate`"),
        (
            "pane.focus",
            "`pane.focus` needs a direction (left, right, up or down)",
        ),
        (
            "pane.focus west",
            "`pane.focus`: `west` is not a direction (left, right, up or down)",
        ),
        (
            "pane.resize left 0",
            "`pane.resize`: `0` is not a number of cells from 1 to 65535",
        ),
        (
            "pane.resize left -3",
            "`pane.resize`: `-3` is not a number of cells from 1 to 65535",
        ),
        ("tab.select", "`tab.select` needs a number"),
        ("tab.select two", "`tab.select`: `two` is not a number"),
        (
            "client.detach now",
            "`client.detach` takes no further argument, found `now`",
        ),
        (
            "tab.rename a b",
            "`tab.rename` takes no further argument, found `b`",
        ),
        ("app.show", "`app.show` needs an app name"),
        ("app.run", "`app.run` needs a command"),
        ("app.start ''", "`app.start`: an argument is empty"),
        (
            "tab.rename 'open",
            "unterminated quote in `tab.rename 'open`",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(error(text), expected, "{text}");
    }
}

#[test]
fn serde_uses_the_text_form() {
    let action = Action::Pane(PaneAction::Resize(Direction::Right, 5));
    let json = serde_json::to_string(&action).unwrap();
    assert_eq!(json, r#""pane.resize right 5""#);
    assert_eq!(serde_json::from_str::<Action>(&json).unwrap(), action);
    assert!(serde_json::from_str::<Action>(r#""pane.nope""#).is_err());
}

fn name_arg() -> impl Strategy<Value = String> + Clone {
    // Anything non-empty: spaces, quotes, backslashes and newlines must survive quoting.
    prop_oneof![
        "[a-z][a-z0-9-]{0,8}",
        any::<String>().prop_filter("non-empty", |s| !s.is_empty()),
        proptest::sample::select(vec!["'", "\"", "\\", " a b ", "it's", "\n", "''"])
            .prop_map(str::to_owned),
    ]
}

fn any_action() -> impl Strategy<Value = Action> {
    let direction = proptest::sample::select(Direction::ALL.to_vec());
    let layout = proptest::sample::select(LayoutPreset::ALL.to_vec());
    let unit = proptest::sample::select(
        all_names()
            .iter()
            .filter(|n| usage(n) == Some(""))
            .map(|n| parse(n))
            .collect::<Vec<_>>(),
    );
    let optional = proptest::option::of(name_arg());
    prop_oneof![
        unit,
        direction
            .clone()
            .prop_map(|d| Action::Pane(PaneAction::Focus(d))),
        (direction, 1u16..).prop_map(|(d, n)| Action::Pane(PaneAction::Resize(d, n))),
        layout.prop_map(|l| Action::Pane(PaneAction::Layout(l))),
        any::<u32>().prop_map(|n| Action::Pane(PaneAction::Select(n))),
        any::<u32>().prop_map(|n| Action::Tab(TabAction::Select(n))),
        optional
            .clone()
            .prop_map(|n| Action::Tab(TabAction::Rename(n))),
        (0..4usize, optional).prop_map(|(verb, n)| Action::App({
            let n: Vec<String> = n.into_iter().collect();
            match verb {
                0 => AppAction::Start(n),
                1 => AppAction::Stop(n),
                2 => AppAction::Restart(n),
                _ => AppAction::Kill(n),
            }
        })),
        name_arg().prop_map(|n| Action::App(AppAction::Show(n))),
        proptest::collection::vec(name_arg(), 1..4)
            .prop_map(|words| Action::App(AppAction::Run(RunApp::new(words)))),
    ]
}

proptest! {
    #[test]
    fn display_then_parse_round_trips(action in any_action()) {
        let text = action.to_string();
        prop_assert_eq!(text.parse::<Action>(), Ok(action), "{}", text);
    }

    #[test]
    fn parsing_never_panics(text in ".{0,40}") {
        let _ = text.parse::<Action>();
    }
}

#[test]
fn a_read_only_client_may_only_change_its_own_view() {
    for name in [
        "client.detach",
        "client.help",
        "sidebar.down",
        "sidebar.log",
        "copy.enter",
        "app.reload --dry-run",
    ] {
        assert!(parse(name).is_view_only(), "{name}");
    }
    for name in [
        "client.send-prefix",
        "client.paste",
        "pane.split-right",
        "pane.focus left",
        "tab.next",
        "app.restart",
        "sidebar.show",
        "sidebar.start-stop",
        "sidebar.new",
        "app.delete api",
        "app.flush",
        "app.reload",
    ] {
        assert!(!parse(name).is_view_only(), "{name}");
    }
}

#[test]
fn app_verbs_take_several_apps_and_options() {
    let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        parse("app.start api web"),
        Action::App(AppAction::Start(names(&["api", "web"])))
    );
    let run = RunApp {
        cmd: names(&["npm", "run", "dev"]),
        name: Some("web".into()),
        restart: Some(crate::command::RestartPolicy::Always),
        cwd: Some("/srv/web".into()),
    };
    let text = "app.run --name web --restart always --cwd /srv/web npm run dev";
    assert_eq!(parse(text), Action::App(AppAction::Run(run.clone())));
    assert_eq!(Action::App(AppAction::Run(run)).to_string(), text);
    assert_eq!(
        parse("app.capture --ansi --target s:api"),
        Action::App(AppAction::Capture(Capture {
            target: Some("s:api".into()),
            ansi: true,
            scrollback: false,
        }))
    );
    // `--` ends the options: what follows is a key, typed as text.
    let keys = Action::App(AppAction::SendKeys(SendKeys {
        target: None,
        keys: names(&["--literal", "Enter"]),
        literal: false,
    }));
    assert_eq!(keys.to_string(), "app.send-keys -- --literal Enter");
    assert_eq!(parse("app.send-keys -- --literal Enter"), keys);
    assert_eq!(
        parse("session.new --name work sleep 100"),
        Action::Session(SessionAction::New {
            name: Some("work".into()),
            cwd: None,
            cmd: names(&["sleep", "100"]),
        })
    );
    assert_eq!(parse("server.kill"), Action::Server(ServerAction::Kill));
}

#[test]
fn aliases_parse_into_their_entry_and_print_its_name() {
    let cases = [
        ("apps.restart api", "app.restart api"),
        ("sessions.list", "session.list"),
        ("ls", "session.list"),
        ("panes.capture --ansi", "app.capture --ansi"),
        ("pane.send-keys C-c", "app.send-keys C-c"),
        ("sessions.kill work", "session.kill work"),
        ("rm --force api", "app.delete --force api"),
        ("delete api web", "app.delete api web"),
        ("flush", "app.flush"),
        ("reload --dry-run", "app.reload --dry-run"),
        ("scale api 4", "app.scale api 4"),
    ];
    for (alias, canonical) in cases {
        assert_eq!(parse(alias).to_string(), canonical, "{alias}");
    }
}

#[test]
fn bad_options_are_explained() {
    let cases = [
        (
            "app.run --nmae x ls",
            "`app.run` has no option `--nmae` (it has --name, --restart, --cwd)",
        ),
        ("app.run --name", "`app.run`: `--name` needs a value"),
        (
            "app.run --restart sometimes ls",
            "`app.run`: `sometimes` is not a restart policy (never, on-failure or always)",
        ),
        ("app.run --name web", "`app.run` needs a command"),
        ("session.kill", "`session.kill` needs a session name"),
        (
            "app.list all",
            "`app.list` takes no further argument, found `all`",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(error(text), expected, "{text}");
    }
}

#[test]
fn the_table_has_one_entry_per_name_and_the_session_layer_first() {
    let mut seen = std::collections::HashSet::new();
    for spec in table() {
        for name in std::iter::once(&spec.name).chain(spec.aliases) {
            assert!(seen.insert(*name), "{name} names two entries");
        }
        let mut keys = std::collections::HashSet::new();
        for arg in spec.args {
            for key in arg.keys() {
                assert!(keys.insert(key), "{}: key {key} twice", spec.name);
            }
        }
    }
    let server: Vec<&str> = table()
        .iter()
        .filter(|s| s.layer == Layer::Server)
        .map(|s| s.name)
        .collect();
    assert_eq!(
        server,
        [
            "session.list",
            "session.new",
            "session.kill",
            "server.kill",
            "server.source-file"
        ]
    );
    assert_eq!(all_names().len() + server.len(), table().len());
    let layer = |name: &str| find_spec(name).map(|s| s.layer);
    assert!(all_names().iter().all(|n| layer(n) == Some(Layer::Session)));
    assert_eq!(parse("session.list").layer(), Layer::Server);
    assert_eq!(parse("app.list").layer(), Layer::Session);
}

fn server_layer_action() -> impl Strategy<Value = Action> {
    let words = proptest::collection::vec(name_arg(), 0..3);
    prop_oneof![
        Just(Action::Session(SessionAction::List)),
        Just(Action::Server(ServerAction::Kill)),
        name_arg().prop_map(|n| Action::Session(SessionAction::Kill(n))),
        (
            proptest::option::of(name_arg()),
            proptest::option::of(name_arg()),
            words
        )
            .prop_map(|(name, cwd, cmd)| Action::Session(SessionAction::New {
                name,
                cwd,
                cmd
            })),
    ]
}

fn app_io_action() -> impl Strategy<Value = Action> {
    let target = proptest::option::of(name_arg());
    let policy = proptest::sample::select(vec![
        None,
        Some(crate::command::RestartPolicy::Never),
        Some(crate::command::RestartPolicy::Always),
    ]);
    prop_oneof![
        (target.clone(), any::<bool>(), any::<bool>()).prop_map(|(target, ansi, scrollback)| {
            Action::App(AppAction::Capture(Capture {
                target,
                ansi,
                scrollback,
            }))
        }),
        (
            target.clone(),
            proptest::collection::vec(name_arg(), 0..3),
            any::<bool>()
        )
            .prop_map(|(target, keys, literal)| {
                Action::App(AppAction::SendKeys(SendKeys {
                    target,
                    keys,
                    literal,
                }))
            }),
        (
            proptest::collection::vec(name_arg(), 1..3),
            proptest::option::of(name_arg()),
            policy,
            target
        )
            .prop_map(|(cmd, name, restart, cwd)| {
                Action::App(AppAction::Run(RunApp {
                    cmd,
                    name,
                    restart,
                    cwd,
                }))
            }),
        proptest::collection::vec(name_arg(), 0..4)
            .prop_map(|names| Action::App(AppAction::Restart(names))),
        (proptest::collection::vec(name_arg(), 0..4), any::<bool>())
            .prop_map(|(apps, force)| Action::App(AppAction::Delete(Delete { apps, force }))),
        proptest::collection::vec(name_arg(), 0..4)
            .prop_map(|names| Action::App(AppAction::Flush(names))),
        any::<bool>().prop_map(|dry_run| Action::App(AppAction::Reload { dry_run })),
    ]
}

proptest! {
    #[test]
    fn new_verbs_round_trip(action in prop_oneof![server_layer_action(), app_io_action()]) {
        let text = action.to_string();
        prop_assert_eq!(text.parse::<Action>(), Ok(action), "{}", text);
    }
}
