//! Theme files, `themes/NAME.toml`: the colours and attributes of everything appmux draws
//! around the panes (sidebar, borders, status bar, state glyphs, copy mode, pane numbers,
//! pager). App output keeps its own colours.
//!
//! This module owns the [`Theme`] type, the built-in themes (the files in `themes/`, compiled
//! in), loading by name with a user file overriding the built-in, colour and attribute names,
//! and validation. It must not draw (the renderer reads the styles) and must not adapt colours
//! to a terminal (`render::color` downsamples the finished frame).
//!
//! A file has one table per part. `fg`, `bg` and `attrs` in a table set the part's base style;
//! every other key is one element, drawn over that base, given as a colour (its foreground) or
//! as a table `{ fg = ..., bg = ..., attrs = ... }`:
//!
//! ```toml
//! [sidebar]
//! fg = "default"
//! selected = { fg = "black", bg = "cyan", attrs = "bold" }
//! dim = "bright-black"
//! [state]
//! running = "green"
//! ```
//!
//! Colours: `default` (or `reset`: the terminal's own), `black` `red` `green` `yellow`
//! `blue` `magenta` `cyan` `white` and their `bright-` forms, `"#rrggbb"`, and a 256-colour
//! index as `"colour123"` (or `"color123"`) or the integer `123`. Attributes: `bold`, `dim`,
//! `italic`, `underline`, `reverse`, `blink`, `strikethrough`, `hidden`, or `none`, as one
//! string (`"bold reverse"`) or an array. A theme only needs the keys it changes: anything it
//! leaves out comes from the built-in `default` theme, and an element it gives replaces the
//! default's element whole (so `{ attrs = "bold" }` also drops the default's colour).

use std::path::Path;
use std::sync::OnceLock;

use ratatui::style::{Color, Modifier, Style};
use toml::de::{DeTable, DeValue};

use super::doc::{Keys, Report, Value, article};
use super::error::ConfigError;
use super::keymap::{Kind, load_named};

/// The theme used when none is configured, and when the configured one cannot be found.
pub const DEFAULT: &str = "default";

const BUILTINS: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("nord", include_str!("../../themes/nord.toml")),
    (
        "gruvbox-dark",
        include_str!("../../themes/gruvbox-dark.toml"),
    ),
    (
        "solarized-light",
        include_str!("../../themes/solarized-light.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

const BUILTIN_NAMES: &[&str] = &["default", "nord", "gruvbox-dark", "solarized-light", "mono"];

/// The text of a built-in theme.
pub fn builtin(name: &str) -> Option<&'static str> {
    BUILTINS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// The names of the built-in themes, the default first.
pub fn builtin_names() -> &'static [&'static str] {
    BUILTIN_NAMES
}

/// The app sidebar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SidebarStyles {
    pub base: Style,
    /// The "Apps 3/4" line.
    pub header: Style,
    /// The selected entry while the sidebar has keyboard focus.
    pub selected: Style,
    /// The selected entry otherwise.
    pub selected_unfocused: Style,
    /// Secondary text: details, hints.
    pub dim: Style,
    /// The line between the sidebar and the panes.
    pub border: Style,
    /// Details that need attention (dropped log bytes).
    pub warning: Style,
}

/// Pane borders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BorderStyles {
    /// Around the focused pane.
    pub active: Style,
    pub inactive: Style,
}

/// The status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusStyles {
    pub base: Style,
    pub tab: Style,
    pub active_tab: Style,
    /// The indicator shown while the prefix key waits for a command.
    pub prefix: Style,
    /// Prompts and questions.
    pub message: Style,
}

/// App state glyphs (and state words) in the sidebar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StateStyles {
    pub running: Style,
    pub starting: Style,
    pub stopping: Style,
    pub exited_ok: Style,
    pub exited_error: Style,
    pub signaled: Style,
    /// Waiting to be restarted (backoff).
    pub waiting: Style,
    pub errored: Style,
    pub stopped: Style,
}

/// Copy mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CopyStyles {
    pub selection: Style,
    pub search_match: Style,
    /// The match the cursor is on.
    pub current_match: Style,
    /// The position indicator ("[12/400]").
    pub position: Style,
}

/// The pane numbers shown by `pane.numbers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PaneNumberStyles {
    pub active: Style,
    pub inactive: Style,
}

/// The full-pane pager (logs, help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PagerStyles {
    pub base: Style,
    pub title: Style,
    pub search_match: Style,
    pub help: Style,
}

/// A loaded, valid theme: one ratatui `Style` per element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub name: String,
    pub sidebar: SidebarStyles,
    pub border: BorderStyles,
    pub status: StatusStyles,
    pub state: StateStyles,
    pub copy: CopyStyles,
    pub pane_numbers: PaneNumberStyles,
    pub pager: PagerStyles,
}

impl Default for Theme {
    /// The built-in `default` theme.
    fn default() -> Self {
        builtin_default().clone()
    }
}

impl Theme {
    /// Every style with no colour or attribute: what the default theme is parsed onto.
    fn blank() -> Self {
        Self {
            name: DEFAULT.to_owned(),
            sidebar: SidebarStyles::default(),
            border: BorderStyles::default(),
            status: StatusStyles::default(),
            state: StateStyles::default(),
            copy: CopyStyles::default(),
            pane_numbers: PaneNumberStyles::default(),
            pager: PagerStyles::default(),
        }
    }

    /// Every style with the key that sets it: an element as `sidebar.header`, a table's base
    /// style (its `fg`, `bg` and `attrs`) as `sidebar`; in the order of the file format.
    pub fn styles(&self) -> Vec<(String, Style)> {
        let mut theme = self.clone();
        let mut out = Vec::new();
        for section in SECTIONS {
            if let Some(base) = section.base {
                out.push((section.name.to_owned(), *base(&mut theme)));
            }
            for (key, slot) in section.elements {
                out.push((format!("{}.{key}", section.name), *slot(&mut theme)));
            }
        }
        out
    }
}

/// The built-in default theme, parsed once.
fn builtin_default() -> &'static Theme {
    static DEFAULT_THEME: OnceLock<Theme> = OnceLock::new();
    DEFAULT_THEME.get_or_init(|| {
        let text = builtin(DEFAULT).unwrap_or_default();
        let file = Path::new("themes/default.toml");
        // The tests prove the built-in parses; a blank theme is the last resort.
        parse_onto(Theme::blank(), text, file, DEFAULT).unwrap_or_else(|_| Theme::blank())
    })
}

/// Where one style lives in a [`Theme`].
type Slot = fn(&mut Theme) -> &mut Style;

/// One table of a theme file.
struct Section {
    name: &'static str,
    /// Every key the table accepts: `fg`, `bg` and `attrs` when it has a base, then the
    /// elements' names.
    keys: Keys,
    base: Option<Slot>,
    elements: &'static [(&'static str, Slot)],
}

/// Names people may bring from other tools' theme files.
const STYLE_ALIASES: &[(&str, &str)] = &[
    ("foreground", "fg"),
    ("background", "bg"),
    ("attributes", "attrs"),
    ("modifiers", "attrs"),
    ("style", "attrs"),
];

const SECTIONS: &[Section] = &[
    Section {
        name: "sidebar",
        keys: Keys {
            context: "[sidebar]",
            known: &[
                "fg",
                "bg",
                "attrs",
                "header",
                "selected",
                "selected-unfocused",
                "dim",
                "border",
                "warning",
            ],
            aliases: STYLE_ALIASES,
        },
        base: Some(|t| &mut t.sidebar.base),
        elements: &[
            ("header", |t| &mut t.sidebar.header),
            ("selected", |t| &mut t.sidebar.selected),
            ("selected-unfocused", |t| &mut t.sidebar.selected_unfocused),
            ("dim", |t| &mut t.sidebar.dim),
            ("border", |t| &mut t.sidebar.border),
            ("warning", |t| &mut t.sidebar.warning),
        ],
    },
    Section {
        name: "border",
        keys: Keys {
            context: "[border]",
            known: &["active", "inactive"],
            aliases: &[("focused", "active"), ("unfocused", "inactive")],
        },
        base: None,
        elements: &[
            ("active", |t| &mut t.border.active),
            ("inactive", |t| &mut t.border.inactive),
        ],
    },
    Section {
        name: "status",
        keys: Keys {
            context: "[status]",
            known: &[
                "fg",
                "bg",
                "attrs",
                "tab",
                "active-tab",
                "prefix",
                "message",
            ],
            aliases: STYLE_ALIASES,
        },
        base: Some(|t| &mut t.status.base),
        elements: &[
            ("tab", |t| &mut t.status.tab),
            ("active-tab", |t| &mut t.status.active_tab),
            ("prefix", |t| &mut t.status.prefix),
            ("message", |t| &mut t.status.message),
        ],
    },
    Section {
        name: "state",
        keys: Keys {
            context: "[state]",
            known: &[
                "running",
                "starting",
                "stopping",
                "exited-ok",
                "exited-error",
                "signaled",
                "waiting",
                "errored",
                "stopped",
            ],
            aliases: &[("signalled", "signaled"), ("backoff", "waiting")],
        },
        base: None,
        elements: &[
            ("running", |t| &mut t.state.running),
            ("starting", |t| &mut t.state.starting),
            ("stopping", |t| &mut t.state.stopping),
            ("exited-ok", |t| &mut t.state.exited_ok),
            ("exited-error", |t| &mut t.state.exited_error),
            ("signaled", |t| &mut t.state.signaled),
            ("waiting", |t| &mut t.state.waiting),
            ("errored", |t| &mut t.state.errored),
            ("stopped", |t| &mut t.state.stopped),
        ],
    },
    Section {
        name: "copy",
        keys: Keys {
            context: "[copy]",
            known: &["selection", "match", "current-match", "position"],
            aliases: &[("search-match", "match")],
        },
        base: None,
        elements: &[
            ("selection", |t| &mut t.copy.selection),
            ("match", |t| &mut t.copy.search_match),
            ("current-match", |t| &mut t.copy.current_match),
            ("position", |t| &mut t.copy.position),
        ],
    },
    Section {
        name: "pane-numbers",
        keys: Keys {
            context: "[pane-numbers]",
            known: &["active", "inactive"],
            aliases: &[("focused", "active"), ("unfocused", "inactive")],
        },
        base: None,
        elements: &[
            ("active", |t| &mut t.pane_numbers.active),
            ("inactive", |t| &mut t.pane_numbers.inactive),
        ],
    },
    Section {
        name: "pager",
        keys: Keys {
            context: "[pager]",
            known: &["fg", "bg", "attrs", "title", "match", "help"],
            aliases: STYLE_ALIASES,
        },
        base: Some(|t| &mut t.pager.base),
        elements: &[
            ("title", |t| &mut t.pager.title),
            ("match", |t| &mut t.pager.search_match),
            ("help", |t| &mut t.pager.help),
        ],
    },
];

const TOP_KEYS: Keys = Keys {
    context: "the top level",
    known: &[
        "sidebar",
        "border",
        "status",
        "state",
        "copy",
        "pane-numbers",
        "pager",
    ],
    aliases: &[
        ("borders", "border"),
        ("statusbar", "status"),
        ("states", "state"),
        ("copy-mode", "copy"),
    ],
};

/// The keys of an element given as a table.
const STYLE_KEYS: Keys = Keys {
    context: "a style",
    known: &["fg", "bg", "attrs"],
    aliases: STYLE_ALIASES,
};

/// Parses and validates `text` as the theme `name`, read from `file`, on top of the built-in
/// default theme. Every problem is returned, located, in file order.
pub fn parse_theme(text: &str, file: &Path, name: &str) -> Result<Theme, Vec<ConfigError>> {
    parse_onto(builtin_default().clone(), text, file, name)
}

fn parse_onto(
    mut theme: Theme,
    text: &str,
    file: &Path,
    name: &str,
) -> Result<Theme, Vec<ConfigError>> {
    let root =
        DeTable::parse(text).map_err(|err| vec![ConfigError::from_toml(file, text, &err)])?;
    let root = root.get_ref();
    let mut report = Report::new(file, text);
    report.unknown_keys(root, &TOP_KEYS);
    for section in SECTIONS {
        let Some(table) = root
            .get(section.name)
            .and_then(|value| report.table(value, section.name))
        else {
            continue;
        };
        report.unknown_keys(table, &section.keys);
        if let Some(slot) = section.base {
            let key = |part: &str| format!("{}.{part}", section.name);
            let base = slot(&mut theme);
            if let Some(v) = table.get("fg")
                && let Some(colour) = colour(&mut report, v, &key("fg"))
            {
                base.fg = Some(colour);
            }
            if let Some(v) = table.get("bg")
                && let Some(colour) = colour(&mut report, v, &key("bg"))
            {
                base.bg = Some(colour);
            }
            if let Some(v) = table.get("attrs")
                && let Some(attrs) = attrs(&mut report, v, &key("attrs"))
            {
                base.add_modifier = attrs;
                base.sub_modifier = Modifier::empty();
            }
        }
        for (key, slot) in section.elements {
            let Some(value) = table.get(*key) else {
                continue;
            };
            if let Some(style) = element(&mut report, value, &format!("{}.{key}", section.name)) {
                *slot(&mut theme) = style;
            }
        }
    }
    let errors = report.finish();
    if !errors.is_empty() {
        return Err(errors);
    }
    theme.name = name.to_owned();
    Ok(theme)
}

/// One element: a colour (its foreground) or a `{ fg, bg, attrs }` table.
fn element(report: &mut Report<'_>, value: &Value<'_>, key: &str) -> Option<Style> {
    match value.get_ref() {
        DeValue::String(_) | DeValue::Integer(_) => {
            colour(report, value, key).map(|c| Style::new().fg(c))
        }
        DeValue::Table(table) => {
            report.unknown_keys(table, &STYLE_KEYS);
            let mut style = Style::new();
            let mut ok = true;
            if let Some(v) = table.get("fg") {
                let fg = colour(report, v, &format!("{key}.fg"));
                ok &= fg.is_some();
                style.fg = fg;
            }
            if let Some(v) = table.get("bg") {
                let bg = colour(report, v, &format!("{key}.bg"));
                ok &= bg.is_some();
                style.bg = bg;
            }
            if let Some(v) = table.get("attrs") {
                let attrs = attrs(report, v, &format!("{key}.attrs"));
                ok &= attrs.is_some();
                style.add_modifier = attrs.unwrap_or_default();
            }
            ok.then_some(style)
        }
        other => {
            let message = format!(
                "`{key}`: expected a colour or a table like {{ fg = \"red\", attrs = \"bold\" }}, \
                 found {}",
                article(other)
            );
            report.error(&value.span(), message);
            None
        }
    }
}

/// A colour value: a string (see [`parse_colour`]) or an integer 0–255.
fn colour(report: &mut Report<'_>, value: &Value<'_>, key: &str) -> Option<Color> {
    match value.get_ref() {
        DeValue::String(text) => match parse_colour(text) {
            Ok(colour) => Some(colour),
            Err(err) => {
                report.error(&value.span(), format!("`{key}`: {err}"));
                None
            }
        },
        DeValue::Integer(_) => report
            .integer(value, key, 0, 255)
            .and_then(|n| u8::try_from(n).ok())
            .map(Color::Indexed),
        other => {
            let message = format!(
                "`{key}`: expected a colour name, \"#rrggbb\" or a number 0-255, found {}",
                article(other)
            );
            report.error(&value.span(), message);
            None
        }
    }
}

/// Colour names, in ANSI index order, then the terminal default.
const COLOURS: &[(&str, Color)] = &[
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    // ANSI white (index 7) is what ratatui calls gray; its bright form is ratatui's white.
    ("white", Color::Gray),
    ("bright-black", Color::DarkGray),
    ("bright-red", Color::LightRed),
    ("bright-green", Color::LightGreen),
    ("bright-yellow", Color::LightYellow),
    ("bright-blue", Color::LightBlue),
    ("bright-magenta", Color::LightMagenta),
    ("bright-cyan", Color::LightCyan),
    ("bright-white", Color::White),
    ("default", Color::Reset),
    ("reset", Color::Reset),
];

const COLOUR_NAMES: &[&str] = &[
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "white",
    "bright-black",
    "bright-red",
    "bright-green",
    "bright-yellow",
    "bright-blue",
    "bright-magenta",
    "bright-cyan",
    "bright-white",
    "default",
    "reset",
];

/// Parses a colour written as a string (names are case-insensitive): a name, `#rrggbb`, or
/// `colourN` / `colorN` for N in 0–255. The error says what was expected, with a suggestion
/// for a misspelt name.
pub fn parse_colour(text: &str) -> Result<Color, String> {
    let lower = text.to_ascii_lowercase();
    if let Some(&(_, colour)) = COLOURS.iter().find(|(name, _)| *name == lower) {
        return Ok(colour);
    }
    if let Some(hex) = lower.strip_prefix('#') {
        let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        let all_hex = hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit());
        return match (all_hex, channel(0), channel(2), channel(4)) {
            (true, Some(r), Some(g), Some(b)) => Ok(Color::Rgb(r, g, b)),
            _ => Err(format!(
                "`{text}` is not a colour: expected `#` and six hex digits, like `#88c0d0`"
            )),
        };
    }
    let index = lower
        .strip_prefix("colour")
        .or_else(|| lower.strip_prefix("color"));
    if let Some(digits) = index {
        return match digits.parse::<u8>() {
            Ok(n) if digits.bytes().all(|b| b.is_ascii_digit()) => Ok(Color::Indexed(n)),
            _ => Err(format!(
                "`{text}` is not a colour: the index must be 0 to 255"
            )),
        };
    }
    let keys = Keys {
        context: "colours",
        known: COLOUR_NAMES,
        aliases: &[
            ("purple", "magenta"),
            ("grey", "bright-black"),
            ("gray", "bright-black"),
            ("none", "default"),
        ],
    };
    let hint = keys
        .suggest(&lower)
        .map_or_else(String::new, |name| format!("; did you mean `{name}`?"));
    Err(format!(
        "unknown colour `{text}`{hint} (expected a name such as `red` or `bright-blue`, \
         `default`, \"#rrggbb\", or `colour0` to `colour255`)"
    ))
}

const ATTRS: &[(&str, Modifier)] = &[
    ("bold", Modifier::BOLD),
    ("dim", Modifier::DIM),
    ("italic", Modifier::ITALIC),
    ("underline", Modifier::UNDERLINED),
    ("reverse", Modifier::REVERSED),
    ("blink", Modifier::SLOW_BLINK),
    ("strikethrough", Modifier::CROSSED_OUT),
    ("hidden", Modifier::HIDDEN),
    ("none", Modifier::empty()),
];

const ATTR_KEYS: Keys = Keys {
    context: "attributes",
    known: &[
        "bold",
        "dim",
        "italic",
        "underline",
        "reverse",
        "blink",
        "strikethrough",
        "hidden",
        "none",
    ],
    aliases: &[
        ("underlined", "underline"),
        ("reversed", "reverse"),
        ("inverse", "reverse"),
        ("crossed-out", "strikethrough"),
        ("faint", "dim"),
    ],
};

/// Attributes: one string of names separated by spaces, commas or `+`, or an array of names.
fn attrs(report: &mut Report<'_>, value: &Value<'_>, key: &str) -> Option<Modifier> {
    // Each name with the value to point at when it is unknown.
    let mut names: Vec<(&str, &Value<'_>)> = Vec::new();
    let mut ok = true;
    match value.get_ref() {
        DeValue::String(text) => names.extend(
            text.split([' ', ',', '+'])
                .filter(|n| !n.is_empty())
                .map(|n| (n, value)),
        ),
        DeValue::Array(items) => {
            for item in items.iter() {
                match report.string(item, key) {
                    Some(name) => names.push((name, item)),
                    None => ok = false,
                }
            }
        }
        other => {
            let message = format!(
                "`{key}`: expected attributes like \"bold reverse\" or [\"bold\"], found {}",
                article(other)
            );
            report.error(&value.span(), message);
            return None;
        }
    }
    let mut all = Modifier::empty();
    for (name, at) in names {
        match attr(name) {
            Some(modifier) => all |= modifier,
            None => {
                let hint = ATTR_KEYS
                    .suggest(name)
                    .map_or_else(String::new, |s| format!("; did you mean `{s}`?"));
                let message = format!(
                    "`{key}`: unknown attribute `{name}`{hint} (expected {})",
                    super::doc::list(ATTR_KEYS.known)
                );
                report.error(&at.span(), message);
                ok = false;
            }
        }
    }
    ok.then_some(all)
}

fn attr(name: &str) -> Option<Modifier> {
    let lower = name.to_ascii_lowercase();
    let canonical = ATTR_KEYS
        .aliases
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map_or(lower.as_str(), |(_, name)| name);
    ATTRS
        .iter()
        .find(|(n, _)| *n == canonical)
        .map(|(_, modifier)| *modifier)
}

/// Loads the theme `name` with the same rules as keymaps: `config_dir/themes/NAME.toml`
/// overrides the built-in of that name, a bad user file is reported and the built-in used, and
/// an unknown name is reported and `default` used.
pub fn load_theme(config_dir: &Path, name: &str) -> (Theme, Vec<ConfigError>) {
    let kind = Kind {
        what: "theme",
        dir: "themes",
        default: DEFAULT,
        builtin,
        builtin_names: BUILTIN_NAMES,
    };
    let (theme, warnings) = load_named(&kind, config_dir, name, parse_theme);
    (theme.unwrap_or_default(), warnings)
}

#[cfg(test)]
mod tests {
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
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
                let text = std::fs::read_to_string(&path).unwrap();
                if let Err(errors) = parse_theme(&text, &path, &name) {
                    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    panic!("{}", lines.join("\n"));
                }
                assert_eq!(
                    builtin(&name),
                    Some(text.as_str()),
                    "{name} is not built in"
                );
                files.push(name);
            }
        }
        files.sort();
        let mut names = builtin_names().to_vec();
        names.sort();
        assert_eq!(files, names);
        assert_eq!(builtin_names()[0], DEFAULT);
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
}
