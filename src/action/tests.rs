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
    assert_eq!(domains, ["client", "pane", "tab", "app", "sidebar", "copy"]);
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
    assert_eq!(parse("app.stop"), Action::App(AppAction::Stop(None)));
    assert_eq!(
        parse("app.restart api"),
        Action::App(AppAction::Restart(Some("api".into())))
    );
    assert_eq!(
        parse(r#"app.run sh -c "echo \"hi\"""#),
        Action::App(AppAction::Run(vec![
            "sh".into(),
            "-c".into(),
            "echo \"hi\"".into()
        ]))
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
        (0..4usize, optional).prop_map(|(verb, n)| Action::App(match verb {
            0 => AppAction::Start(n),
            1 => AppAction::Stop(n),
            2 => AppAction::Restart(n),
            _ => AppAction::Kill(n),
        })),
        name_arg().prop_map(|n| Action::App(AppAction::Show(n))),
        proptest::collection::vec(name_arg(), 1..4)
            .prop_map(|words| Action::App(AppAction::Run(words))),
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
    ] {
        assert!(!parse(name).is_view_only(), "{name}");
    }
}
