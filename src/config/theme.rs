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
use crate::paths::Named;

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

/// Themes as named, overridable files with built-ins.
pub(crate) const THEMES: Kind = Kind {
    what: "theme",
    named: Named::Theme,
    default: DEFAULT,
    builtins: BUILTINS,
    builtin_names: BUILTIN_NAMES,
};

/// The text of a built-in theme.
pub fn builtin(name: &str) -> Option<&'static str> {
    THEMES.builtin(name)
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
    /// Waiting for its dependencies.
    pub pending: Style,
    /// Running, and its readiness probe passed.
    pub ready: Style,
    /// Its health probe failed, or its readiness probe gave up.
    pub unhealthy: Style,
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

impl Theme {
    /// The theme with every colour mapped by `f` (to what a client's terminal can show), so
    /// that frames drawn with it need no pass over their cells afterwards.
    pub fn map_colors(&self, f: impl Fn(Color) -> Color) -> Theme {
        let mut theme = self.clone();
        let slots = SECTIONS.iter().flat_map(|s| {
            s.base
                .into_iter()
                .chain(s.elements.iter().map(|(_, slot)| *slot))
        });
        for slot in slots {
            let style = slot(&mut theme);
            style.fg = style.fg.map(&f);
            style.bg = style.bg.map(&f);
            style.underline_color = style.underline_color.map(&f);
        }
        theme
    }
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
                "pending",
                "ready",
                "unhealthy",
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
            ("pending", |t| &mut t.state.pending),
            ("ready", |t| &mut t.state.ready),
            ("unhealthy", |t| &mut t.state.unhealthy),
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
    let whole = |text: &str, file: &Path, name: &str| {
        parse_theme(text, file, name).map(|t| (t, Vec::new()))
    };
    let (theme, warnings) = load_named(&THEMES, config_dir, name, parse_theme, whole);
    (theme.unwrap_or_default(), warnings)
}

#[cfg(test)]
mod tests;
