//! Tests of the parent module.

use super::*;
use crate::action::{Direction, PaneAction, TabAction};

fn key(name: &str) -> Key {
    name.parse().unwrap()
}

fn action(text: &str) -> Action {
    text.parse().unwrap()
}

fn load(name: &str) -> Keymap {
    let file = Path::new("keymaps").join(format!("{name}.toml"));
    parse_keymap(builtin(name).unwrap(), &file, name).unwrap_or_else(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("{}", lines.join("\n"))
    })
}

fn errors(text: &str) -> String {
    match parse_keymap(text, Path::new("k.toml"), "k") {
        Ok(_) => panic!("should fail: {text}"),
        Err(errors) => errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn every_file_in_keymaps_parses_and_every_builtin_has_a_file() {
    KEYMAPS.check_shipped_files(parse_keymap);
}

#[test]
fn tmux_has_tmux_defaults() {
    let tmux = load("tmux");
    assert_eq!(tmux.prefix, Some(Key::ctrl('b')));
    let cases = [
        ("d", "client.detach"),
        ("?", "client.help"),
        ("C-b", "client.send-prefix"),
        ("%", "pane.split-right"),
        ("\"", "pane.split-down"),
        ("Left", "pane.focus left"),
        ("Up", "pane.focus up"),
        ("o", "pane.next"),
        ("q", "pane.numbers"),
        ("C-Right", "pane.resize right"),
        ("M-Down", "pane.resize down 5"),
        ("z", "pane.zoom"),
        ("x", "pane.close"),
        ("{", "pane.swap-prev"),
        ("}", "pane.swap-next"),
        ("Space", "pane.layout-next"),
        ("c", "tab.new"),
        ("n", "tab.next"),
        ("p", "tab.prev"),
        ("0", "tab.select 0"),
        ("9", "tab.select 9"),
        (",", "tab.rename"),
        ("&", "tab.close"),
        ("[", "copy.enter"),
        ("PPage", "copy.page-up"),
        ("]", "client.paste"),
        ("s", "sidebar.focus"),
        ("Tab", "sidebar.focus"),
        ("B", "sidebar.toggle"),
        ("r", "client.refresh"),
    ];
    for (name, expected) in cases {
        assert_eq!(
            tmux.lookup(KeyTable::Prefix, key(name)),
            Some(&action(expected)),
            "C-b {name}"
        );
    }
    assert_eq!(tmux.lookup(KeyTable::Normal, key("d")), None);
    assert!(
        !tmux
            .bindings()
            .iter()
            .any(|(m, _, _)| *m == KeyTable::Normal)
    );
    let copy = [
        ("k", "copy.up"),
        ("C-p", "copy.up"),
        ("M-w", "copy.yank"),
        ("?", "copy.search-backward"),
    ];
    for (name, expected) in copy {
        assert_eq!(
            tmux.lookup(KeyTable::Copy, key(name)),
            Some(&action(expected)),
            "{name}"
        );
    }
    assert_eq!(
        tmux.lookup(KeyTable::Sidebar, key("Enter")),
        Some(&action("sidebar.show"))
    );
}

#[test]
fn direct_has_no_prefix_and_the_same_sidebar_and_copy_keys() {
    let direct = load("direct");
    let tmux = load("tmux");
    assert_eq!(direct.prefix, None);
    assert_eq!(
        direct.lookup(KeyTable::Normal, key("M-d")),
        Some(&action("client.detach"))
    );
    assert_eq!(
        direct.lookup(KeyTable::Normal, key("M-5")),
        Some(&action("tab.select 5"))
    );
    assert_eq!(
        direct.lookup(KeyTable::Normal, key("M-v")),
        Some(&action("copy.enter"))
    );
    let table = |keymap: &Keymap, mode| {
        keymap
            .bindings()
            .into_iter()
            .filter(|(m, _, _)| *m == mode)
            .collect::<Vec<_>>()
    };
    for mode in [KeyTable::Sidebar, KeyTable::Copy] {
        assert_eq!(table(&direct, mode), table(&tmux, mode), "{mode}");
    }
    assert!(table(&direct, KeyTable::Prefix).is_empty());
}

#[test]
fn lookup_normalizes_and_forgives_shift_on_characters() {
    let tmux = load("tmux");
    let ctrl_b_upper = Key {
        code: KeyCode::Char('B'),
        mods: Mods::CTRL,
    };
    assert_eq!(
        tmux.lookup(KeyTable::Prefix, ctrl_b_upper),
        Some(&action("client.send-prefix"))
    );
    let shifted = Key::new(KeyCode::Char('%'), Mods::SHIFT);
    assert_eq!(
        tmux.lookup(KeyTable::Prefix, shifted),
        Some(&action("pane.split-right"))
    );
    // Shift on a named key is a different key (S-Left moves a floating pane).
    assert_eq!(
        tmux.lookup(KeyTable::Prefix, Key::new(KeyCode::Left, Mods::SHIFT)),
        Some(&action("pane.float-move left 2"))
    );
}

#[test]
fn bindings_come_in_file_order_and_keys_for_finds_hints() {
    let keymap = parse_keymap(
        "[prefix]\nz = \"pane.zoom\"\nd = \"client.detach\"\nb = \"pane.focus left\"\n\
         [normal]\n\"M-z\" = \"pane.zoom\"\n",
        Path::new("k.toml"),
        "k",
    )
    .unwrap();
    let keys: Vec<String> = keymap
        .bindings()
        .iter()
        .map(|(_, k, _)| k.to_string())
        .collect();
    assert_eq!(keys, ["z", "d", "b", "M-z"]);
    assert_eq!(
        keymap.bindings()[2].2,
        Action::Pane(PaneAction::Focus(Direction::Left))
    );
    assert_eq!(
        keymap.keys_for(&action("client.detach")).as_deref(),
        Some("C-b d")
    );
    assert_eq!(
        keymap.keys_for(&action("pane.zoom")).as_deref(),
        Some("M-z")
    );
    assert_eq!(keymap.keys_for(&Action::Tab(TabAction::New)), None);
    assert_eq!(
        load("direct").keys_for(&action("client.help")).as_deref(),
        Some("M-?")
    );
}

#[test]
fn problems_are_located() {
    let detach = "[prefix]\nd = \"client.detach\"\n";
    let cases = [
        (
            format!("{detach}Lfet = \"pane.focus left\""),
            "k.toml:3:1: unknown key name `Lfet` in [prefix]",
        ),
        (
            "[prefix]\nd = \"client.detatch\"".to_owned(),
            "k.toml:2:5: `d`: unknown action `client.detatch`; did you mean `client.detach`?",
        ),
        (
            format!("{detach}x = \"pane.focus west\""),
            "k.toml:3:5: `x`: `pane.focus`: `west` is not a direction (left, right, up or down)",
        ),
        (
            format!("{detach}x = \"pane.zoom now\""),
            "k.toml:3:5: `x`: `pane.zoom` takes no further argument, found `now`",
        ),
        (
            format!("{detach}x = \"pane.select\""),
            "k.toml:3:5: `x`: `pane.select` needs a number",
        ),
        (
            format!("{detach}x = 1"),
            "k.toml:3:5: `x`: expected a string, found an integer",
        ),
        (
            format!("{detach}j = \"copy.down\""),
            "k.toml:3:5: `j`: `copy.down` can only be bound in [copy]",
        ),
        (
            format!("{detach}[normal]\n\"M-j\" = \"sidebar.down\""),
            "k.toml:4:9: `M-j`: `sidebar.down` can only be bound in [sidebar]",
        ),
        (
            format!("{detach}[copy]\nq = \"client.detach\""),
            "k.toml:4:5: `q`: [copy] takes only copy-mode actions (`copy.*` except \
             `copy.enter`), not `client.detach`",
        ),
        (
            format!("{detach}\"C-x\" = \"pane.zoom\"\n\"^x\" = \"pane.zoom\""),
            "k.toml:4:1: `^x` in [prefix] is the same key as `C-x` on line 3",
        ),
        (
            format!("{detach}[normal]\n\"^B\" = \"pane.zoom\""),
            "k.toml:4:1: `^B` is the prefix key; it cannot also be bound in [normal]",
        ),
        (
            format!("prefix-key = \"C-a\"\n{detach}[copy]\n\"C-a\" = \"copy.line-start\""),
            "k.toml:5:1: `C-a` is the prefix key; it cannot also be bound in [copy]",
        ),
        (
            format!("{detach}[normal]\n\"M-[\" = \"copy.enter\""),
            "k.toml:4:1: `M-[`: terminals send Alt + `[` as the start of an escape \
             sequence, so it cannot be bound",
        ),
        (
            format!("{detach}[prefx]"),
            "k.toml:3:2: unknown key `prefx` in the top level; did you mean `prefix`?",
        ),
        (
            format!("prefix_key = \"C-a\"\n{detach}"),
            "k.toml:1:1: unknown key `prefix_key` in the top level; did you mean `prefix-key`?",
        ),
        (
            "prefix = \"C-a\"".to_owned(),
            "k.toml:1:10: `prefix` is the table of keys pressed after the prefix key; set \
             the key itself with `prefix-key = \"C-b\"`",
        ),
        (
            format!("prefix-key = \"C-\"\n{detach}"),
            "k.toml:1:14: `prefix-key`: unknown key name `C-`; expected a key name like \
             \"C-b\", or \"none\"",
        ),
        (
            format!("prefix-key = \"none\"\n{detach}"),
            "k.toml:2:1: [prefix] has bindings, but `prefix-key` is \"none\"",
        ),
        (
            format!("{detach}[sidebar]\nj = [\"sidebar.down\"]"),
            "k.toml:4:5: `j`: expected a string, found an array",
        ),
        (
            "[prefix]\nz = \"pane.zoom\"\n[normal]\n\"M-d\" = \"client.help\"".to_owned(),
            "k.toml:1:1: this keymap leaves no way to detach: bind `client.detach` in \
             [normal] or [prefix]",
        ),
        (
            "prefix-key = \"none\"\n[sidebar]\nd = \"client.detach\"".to_owned(),
            "k.toml:1:1: this keymap leaves no way to detach: bind `client.detach` in \
             [normal] or [prefix]",
        ),
        (
            "[prefix]\nd = \"client.detach\"\nd = \"pane.zoom\"".to_owned(),
            "k.toml:3:1: duplicate key",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(errors(&text), expected, "{text}");
    }
}

#[test]
fn every_problem_is_reported_in_file_order() {
    let text = "[prefix]\nd = \"client.detach\"\nzz = \"pane.zoom\"\ny = \"pane.zom\"\n\
                [sidebar]\nk = \"copy.up\"\n";
    let lines: Vec<usize> = parse_keymap(text, Path::new("k"), "k")
        .unwrap_err()
        .iter()
        .map(|e| e.line)
        .collect();
    assert_eq!(lines, [3, 4, 6]);
}

#[test]
fn a_user_file_extends_and_a_useless_one_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let keymaps = dir.path().join("keymaps");
    std::fs::create_dir(&keymaps).unwrap();
    let (keymap, warnings) = load_keymap(dir.path(), "direct");
    assert!(warnings.is_empty());
    assert_eq!(keymap, load("direct"));

    // A file of a built-in's name extends that built-in.
    std::fs::write(
        keymaps.join("tmux.toml"),
        "prefix-key = \"C-a\"\n[prefix]\nd = \"client.detach\"\n",
    )
    .unwrap();
    let (keymap, warnings) = load_keymap(dir.path(), "tmux");
    assert!(warnings.is_empty());
    assert_eq!(keymap.prefix, Some(Key::ctrl('a')));
    // Everything of tmux's but copy mode's C-a: the prefix key starts the prefix everywhere.
    assert_eq!(keymap.bindings().len(), load("tmux").bindings().len() - 1);
    assert_eq!(keymap.lookup(KeyTable::Copy, key("C-a")), None);

    // A bad line is reported and left out; the rest applies.
    std::fs::write(
        keymaps.join("tmux.toml"),
        "[prefix]\nd = \"client.detatch\"\nz = \"pane.next\"\n",
    )
    .unwrap();
    let (keymap, warnings) = load_keymap(dir.path(), "tmux");
    assert_eq!(
        keymap.lookup(KeyTable::Prefix, key("d")),
        Some(&action("client.detach"))
    );
    assert_eq!(
        keymap.lookup(KeyTable::Prefix, key("z")),
        Some(&action("pane.next"))
    );
    let shown: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    let file = keymaps.join("tmux.toml").display().to_string();
    assert_eq!(
        shown,
        [format!(
            "{file}:2:5: `d`: unknown action `client.detatch`; did you mean `client.detach`?"
        )]
    );

    // Nothing usable: not TOML, or no way to detach.
    std::fs::write(keymaps.join("mine.toml"), "[prefix\n").unwrap();
    let (keymap, warnings) = load_keymap(dir.path(), "mine");
    assert_eq!(keymap, load("tmux"));
    assert_eq!(warnings.len(), 2);
    assert!(warnings[1].message.contains("using the built-in `tmux`"));
    std::fs::write(keymaps.join("mine.toml"), "extends = \"none\"\n").unwrap();
    let (_, warnings) = load_keymap(dir.path(), "mine");
    assert!(
        warnings[0].message.contains("no way to detach"),
        "{warnings:?}"
    );

    let (keymap, warnings) = load_keymap(dir.path(), "emacs");
    assert_eq!(keymap, load("tmux"));
    assert_eq!(
        warnings[0].message,
        "no keymap named `emacs`: no such file, and the built-in ones are `tmux`, \
         `direct`; using `tmux`"
    );
}

fn user(text: &str) -> Result<(Keymap, Vec<String>), String> {
    parse_user_keymap(text, Path::new("mine.toml"), "mine")
        .map(|(k, e)| (k, e.iter().map(ToString::to_string).collect()))
        .map_err(|e| {
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        })
}

#[test]
fn a_user_keymap_overrides_only_what_it_names() {
    let (keymap, problems) = user("[prefix]\no = \"pane.zoom\"\nX = \"pane.close\"\n").unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let tmux = load("tmux");
    assert_eq!(keymap.name, "mine");
    assert_eq!(
        keymap.lookup(KeyTable::Prefix, key("o")),
        Some(&action("pane.zoom"))
    );
    assert_eq!(
        keymap.lookup(KeyTable::Prefix, key("X")),
        Some(&action("pane.close"))
    );
    assert_eq!(keymap.bindings().len(), tmux.bindings().len() + 1);
    // The overridden key keeps its place; the others are tmux's.
    let place = |k: &Keymap, name: &str| {
        k.bindings()
            .iter()
            .position(|(m, kk, _)| *m == KeyTable::Prefix && *kk == key(name))
    };
    assert_eq!(place(&keymap, "o"), place(&tmux, "o"));
    assert_eq!(
        keymap.lookup(KeyTable::Prefix, key("%")),
        tmux.lookup(KeyTable::Prefix, key("%"))
    );
}

#[test]
fn unbind_removes_keys_of_the_base() {
    let text = "unbind = [\"o\", \"C-b x\", \"copy q\", \"prefix z\"]\n";
    let (keymap, problems) = user(text).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    for k in ["o", "x", "z"] {
        assert_eq!(keymap.lookup(KeyTable::Prefix, key(k)), None, "{k}");
    }
    assert_eq!(keymap.lookup(KeyTable::Copy, key("q")), None);
    assert!(keymap.lookup(KeyTable::Copy, key("Escape")).is_some());
    // Unbound, then bound again by the same file.
    let (keymap, _) = user("unbind = [\"o\"]\n[prefix]\no = \"pane.prev\"\n").unwrap();
    assert_eq!(
        keymap.lookup(KeyTable::Prefix, key("o")),
        Some(&action("pane.prev"))
    );
    // Problems are located, and the rest applies.
    let (keymap, problems) = user("unbind = [\"o\", \"C-x o\", \"F12\", 3]\n").unwrap();
    assert_eq!(keymap.lookup(KeyTable::Prefix, key("o")), None);
    assert_eq!(
        problems,
        [
            "mine.toml:1:16: `unbind`: `C-x o`: `C-x` is neither the prefix key nor a table \
             (normal, prefix, sidebar, copy)",
            "mine.toml:1:25: `unbind`: `F12` is not bound in [prefix] of the keymap this one \
             extends",
            "mine.toml:1:32: `unbind`: expected a string, found an integer",
        ]
    );
    // Unbinding every way to detach leaves nothing usable.
    let err = user("unbind = [\"d\"]\n").unwrap_err();
    assert!(err.contains("no way to detach"), "{err}");
}

#[test]
fn extends_picks_the_base() {
    let (keymap, _) = user("extends = \"direct\"\n[normal]\n\"M-z\" = \"pane.next\"\n").unwrap();
    assert_eq!(keymap.prefix, None);
    assert_eq!(
        keymap.lookup(KeyTable::Normal, key("M-d")),
        Some(&action("client.detach"))
    );
    assert_eq!(
        keymap.lookup(KeyTable::Normal, key("M-z")),
        Some(&action("pane.next"))
    );
    let (keymap, problems) = user("extends = \"none\"\n[prefix]\nd = \"client.detach\"\n").unwrap();
    assert!(problems.is_empty());
    assert_eq!(keymap.bindings().len(), 1);
    let (keymap, problems) = user("extends = \"emacs\"\n").unwrap();
    assert_eq!(keymap.bindings(), load("tmux").bindings());
    assert_eq!(
        problems,
        [
            "mine.toml:1:11: `extends`: no built-in keymap named `emacs`; the built-in ones are \
          `tmux`, `direct`, or \"none\""
        ]
    );
}

#[test]
fn a_new_prefix_key_takes_the_old_ones_place() {
    let (keymap, _) = user("prefix-key = \"C-a\"\n").unwrap();
    assert_eq!(keymap.prefix, Some(key("C-a")));
    assert_eq!(
        keymap.lookup(KeyTable::Prefix, key("C-a")),
        Some(&action("client.send-prefix"))
    );
    assert_eq!(keymap.lookup(KeyTable::Prefix, key("C-b")), None);
    assert_eq!(
        keymap.keys_for(&action("client.detach")).as_deref(),
        Some("C-a d")
    );
    // A prefix key bound in [normal] of the base loses that binding there.
    let direct = load("direct").with_prefix(key("M-n")).unwrap();
    assert_eq!(direct.lookup(KeyTable::Normal, key("M-n")), None);
    assert_eq!(direct.prefix, Some(key("M-n")));
    // A prefix that would take the only detach key is refused.
    let only = parse_keymap(
        "[normal]\n\"M-d\" = \"client.detach\"\n",
        Path::new("k"),
        "k",
    )
    .unwrap();
    let err = only.with_prefix(key("M-d")).unwrap_err();
    assert!(err.contains("no way to detach"), "{err}");
}

#[test]
fn help_lists_the_tmux_bindings() {
    let lines = help_lines(&load("tmux"));
    assert_eq!(lines.len(), load("tmux").bindings().len());
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn keys_do_not_bind_the_server_layer() {
    let detach = "[prefix]\nd = \"client.detach\"\n";
    for (line, action) in [
        ("x = \"server.kill\"", "server.kill"),
        ("x = \"sessions.kill work\"", "session.kill"),
    ] {
        let err = errors(&format!("{detach}{line}"));
        assert_eq!(
            err,
            format!(
                "k.toml:3:5: `x`: `{action}` acts on the server, not in a session, so keys do \
                 not bind it; run it with `appmux action` or the control API"
            )
        );
    }
    // The app verbs of the session layer can be bound, by any of their names.
    let keymap = parse_keymap(
        &format!("{detach}r = \"apps.restart api web\""),
        Path::new("k.toml"),
        "k",
    )
    .expect("a keymap");
    assert!(
        keymap
            .bindings()
            .iter()
            .any(|(_, _, a)| a.name() == "app.restart")
    );
}

#[test]
fn keys_may_source_the_configuration() {
    let text = "[prefix]\nd = \"client.detach\"\n\"C-r\" = \"source-file\"\n";
    let keymap = parse_keymap(text, Path::new("k.toml"), "k").unwrap();
    let source = Action::Server(ServerAction::SourceFile(None));
    assert_eq!(keymap.lookup(KeyTable::Prefix, key("C-r")), Some(&source));
    let with_file = action("server.source-file /tmp/other.toml");
    assert_eq!(with_file.to_string(), "server.source-file /tmp/other.toml");
}
