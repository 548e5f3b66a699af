//! Tests of the parent module.

use super::*;

fn parse(text: &str) -> Result<Theme, Vec<String>> {
    parse_theme(text, Path::new("t.toml"), "t")
        .map_err(|errors| errors.iter().map(ToString::to_string).collect())
}

fn error(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("should fail: {text}"),
        Err(errors) => errors.join("\n"),
    }
}

fn load(name: &str) -> Theme {
    let text = builtin(name).unwrap();
    let file = Path::new("themes").join(format!("{name}.toml"));
    parse_theme(text, &file, name).unwrap_or_else(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("{}", lines.join("\n"))
    })
}

#[test]
fn every_file_in_themes_parses_and_every_builtin_has_a_file() {
    THEMES.check_shipped_files(parse_theme);
}

#[test]
fn sections_and_their_key_lists_agree() {
    let sections: Vec<&str> = SECTIONS.iter().map(|s| s.name).collect();
    assert_eq!(sections, TOP_KEYS.known);
    for section in SECTIONS {
        let mut keys: Vec<&str> = Vec::new();
        if section.base.is_some() {
            keys.extend(["fg", "bg", "attrs"]);
        }
        keys.extend(section.elements.iter().map(|(k, _)| *k));
        assert_eq!(keys, section.keys.known, "[{}]", section.name);
    }
    let names: Vec<&str> = COLOURS.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, COLOUR_NAMES);
    let attrs: Vec<&str> = ATTRS.iter().map(|(n, _)| *n).collect();
    assert_eq!(attrs, ATTR_KEYS.known);
}

fn has_colour(style: Style) -> bool {
    [style.fg, style.bg, style.underline_color]
        .into_iter()
        .flatten()
        .any(|c| c != Color::Reset)
}

#[test]
fn default_uses_only_the_16_colours() {
    let theme = Theme::default();
    assert_eq!(theme, load("default"));
    for (key, style) in theme.styles() {
        for colour in [style.fg, style.bg].into_iter().flatten() {
            assert!(
                !matches!(colour, Color::Rgb(..) | Color::Indexed(_)),
                "{key} uses {colour:?}"
            );
        }
    }
    assert_eq!(theme.state.running, Style::new().fg(Color::Green));
    assert_eq!(
        theme.sidebar.selected,
        Style::new().add_modifier(Modifier::REVERSED)
    );
}

#[test]
fn mono_uses_no_colour_and_tells_states_apart_by_attributes() {
    let theme = load("mono");
    for (key, style) in theme.styles() {
        assert!(!has_colour(style), "{key} has a colour: {style:?}");
    }
    assert!(
        theme
            .sidebar
            .selected
            .add_modifier
            .contains(Modifier::REVERSED)
    );
    assert_ne!(theme.border.active, theme.border.inactive);
    assert_ne!(theme.copy.selection, Style::new());
}

#[test]
fn truecolour_themes_use_hex() {
    for name in ["nord", "gruvbox-dark", "solarized-light"] {
        let theme = load(name);
        let rgb = theme
            .styles()
            .iter()
            .filter(|(_, s)| matches!(s.fg, Some(Color::Rgb(..))))
            .count();
        assert!(rgb > 20, "{name}: only {rgb} truecolour styles");
        assert_eq!(theme.name, name);
    }
}

#[test]
fn colours_are_parsed() {
    let ok = [
        ("red", Color::Red),
        ("Bright-Blue", Color::LightBlue),
        ("white", Color::Gray),
        ("bright-white", Color::White),
        ("default", Color::Reset),
        ("reset", Color::Reset),
        ("#88C0d0", Color::Rgb(0x88, 0xc0, 0xd0)),
        ("colour123", Color::Indexed(123)),
        ("color0", Color::Indexed(0)),
    ];
    for (text, colour) in ok {
        assert_eq!(parse_colour(text), Ok(colour), "{text}");
    }
    for bad in [
        "#12345",
        "#1234567",
        "#gggggg",
        "colour256",
        "colour+1",
        "colour",
        "mauve",
    ] {
        assert!(parse_colour(bad).is_err(), "{bad}");
    }
}

#[test]
fn elements_replace_and_bases_merge() {
    let theme = parse(
        "[state]\nrunning = { attrs = \"bold\" }\nstopped = 244\n\
         [status]\nbg = \"#000000\"\nattrs = [\"reverse\", \"italic\"]\n",
    )
    .unwrap();
    assert_eq!(
        theme.state.running,
        Style::new().add_modifier(Modifier::BOLD)
    );
    assert_eq!(theme.state.stopped, Style::new().fg(Color::Indexed(244)));
    // The default's foreground stays; background and attributes are replaced.
    let base = theme.status.base;
    assert_eq!(base.fg, Theme::default().status.base.fg);
    assert_eq!(base.bg, Some(Color::Rgb(0, 0, 0)));
    assert_eq!(base.add_modifier, Modifier::REVERSED | Modifier::ITALIC);
    // Untouched parts are the default's.
    assert_eq!(theme.copy, Theme::default().copy);
}

#[test]
fn problems_are_located() {
    let cases = [
        (
            "[sidebar]\nfg = \"mauve\"",
            "t.toml:2:6: `sidebar.fg`: unknown colour `mauve` (expected a name such as \
             `red` or `bright-blue`, `default`, \"#rrggbb\", or `colour0` to `colour255`)",
        ),
        (
            "[state]\nrunning = \"gren\"",
            "t.toml:2:11: `state.running`: unknown colour `gren`; did you mean `green`? \
             (expected a name such as `red` or `bright-blue`, `default`, \"#rrggbb\", or \
             `colour0` to `colour255`)",
        ),
        (
            "[copy]\nselection = { fg = \"black\", bg = \"#12\" }",
            "t.toml:2:34: `copy.selection.bg`: `#12` is not a colour: expected `#` and six \
             hex digits, like `#88c0d0`",
        ),
        (
            "[border]\nactive = 256",
            "t.toml:2:10: `border.active` must be between 0 and 255, found 256",
        ),
        (
            "[border]\nactive = true",
            "t.toml:2:10: `border.active`: expected a colour or a table like { fg = \"red\", \
             attrs = \"bold\" }, found a boolean",
        ),
        (
            "[sidebar]\nbg = [1]",
            "t.toml:2:6: `sidebar.bg`: expected a colour name, \"#rrggbb\" or a number \
             0-255, found an array",
        ),
        (
            "[sidebar]\nheader = { fg = \"red\", atrs = \"bold\" }",
            "t.toml:2:24: unknown key `atrs` in a style; did you mean `attrs`?",
        ),
        (
            "[sidebar]\nselectd = \"red\"",
            "t.toml:2:1: unknown key `selectd` in [sidebar]; did you mean `selected`?",
        ),
        (
            "[state]\nexited_ok = \"red\"",
            "t.toml:2:1: unknown key `exited_ok` in [state]; did you mean `exited-ok`?",
        ),
        (
            "[sidbar]",
            "t.toml:1:2: unknown key `sidbar` in the top level; did you mean `sidebar`?",
        ),
        (
            "sidebar = \"red\"",
            "t.toml:1:11: `sidebar`: expected a table, found a string",
        ),
        (
            "[pager]\nattrs = \"bold blnk\"",
            "t.toml:2:9: `pager.attrs`: unknown attribute `blnk`; did you mean `blink`? \
             (expected `bold`, `dim`, `italic`, `underline`, `reverse`, `blink`, \
             `strikethrough`, `hidden`, `none`)",
        ),
        (
            "[status]\nprefix = { attrs = [\"bold\", 3] }",
            "t.toml:2:29: `status.prefix.attrs`: expected a string, found an integer",
        ),
        (
            "[status]\nattrs = 1",
            "t.toml:2:9: `status.attrs`: expected attributes like \"bold reverse\" or \
             [\"bold\"], found an integer",
        ),
        ("[state", "t.toml:1:7: unclosed table, expected `]`"),
    ];
    for (text, expected) in cases {
        assert_eq!(error(text), expected, "{text}");
    }
}

#[test]
fn a_user_file_overrides_and_a_bad_one_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let themes = dir.path().join("themes");
    std::fs::create_dir(&themes).unwrap();
    std::fs::write(themes.join("nord.toml"), "[state]\nrunning = \"red\"\n").unwrap();
    let (theme, warnings) = load_theme(dir.path(), "nord");
    assert!(warnings.is_empty());
    assert_eq!(theme.state.running, Style::new().fg(Color::Red));
    assert_eq!(theme.name, "nord");

    std::fs::write(themes.join("nord.toml"), "[state]\nrunning = \"rouge\"\n").unwrap();
    let (theme, warnings) = load_theme(dir.path(), "nord");
    assert_eq!(theme, load("nord"));
    assert_eq!(warnings.len(), 2);
    assert_eq!((warnings[0].line, warnings[0].col), (2, 11));
    assert!(warnings[1].message.contains("using the built-in `nord`"));

    let (theme, warnings) = load_theme(dir.path(), "nope");
    assert_eq!(theme, Theme::default());
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].message.starts_with("no theme named `nope`"));

    let (theme, warnings) = load_theme(dir.path(), "../themes/nord");
    assert_eq!(theme, Theme::default());
    assert_eq!(warnings.len(), 1);
}

#[test]
fn map_colors_reaches_every_style() {
    let theme = load("nord");
    let grey = theme.map_colors(|_| Color::Indexed(8));
    let mut styles = 0;
    for section in SECTIONS {
        let slots = section
            .base
            .into_iter()
            .chain(section.elements.iter().map(|(_, s)| *s));
        for slot in slots {
            let mut before = theme.clone();
            let mut after = grey.clone();
            let (b, a) = (*slot(&mut before), *slot(&mut after));
            assert_eq!(a.fg, b.fg.map(|_| Color::Indexed(8)), "{}", section.name);
            assert_eq!(a.bg, b.bg.map(|_| Color::Indexed(8)), "{}", section.name);
            assert_eq!(a.add_modifier, b.add_modifier);
            styles += 1;
        }
    }
    assert!(styles > 20);
}
