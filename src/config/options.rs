//! appmux's own options, `$XDG_CONFIG_HOME/appmux/config.toml`: keymap, theme, scrollback,
//! shell, mouse, sidebar and status bar.
//!
//! This module owns the `Options` types, their defaults and their validation, with the same
//! located errors as the project file (see `doc`). It does not decide where the file lives
//! (`paths` does) and does not load keymaps or themes; it only checks their names are given.

use std::ops::RangeInclusive;
use std::path::Path;
use std::time::Duration;

use toml::de::DeTable;

use super::doc::{Keys, Report, Value, list, set};
use super::error::{self, ConfigError};
use super::status::Template;

/// Which side of the screen the sidebar is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    Left,
    Right,
}

/// Where the status bar is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusPosition {
    Top,
    Bottom,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SidebarOptions {
    pub visible: bool,
    pub position: Side,
    /// Columns, 10..=80.
    pub width: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatusOptions {
    pub visible: bool,
    pub position: StatusPosition,
    /// Before the tabs.
    pub left: Template,
    /// Right-aligned.
    pub right: Template,
    /// The tab list between the two.
    pub tabs: bool,
}

/// The default status content: `[web] 1:shell 2:logs        2/3 up  C-b ? help  C-b d detach`.
pub const STATUS_LEFT: &str = "[{session}] ";
pub const STATUS_RIGHT: &str = "{title}  {apps}  {hint} ";

/// Every option, with defaults for what the file leaves out.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Options {
    /// A keymap name (from `keymaps/`); only checked to be non-empty here.
    pub keymap: String,
    /// The prefix key, replacing the keymap's (`None`: the keymap's own).
    pub prefix: Option<crate::keys::Key>,
    /// A theme name (from `themes/`); only checked to be non-empty here.
    pub theme: String,
    /// Lines of history kept per app.
    pub scrollback: usize,
    /// The shell for new shells; `None` means `$SHELL`, read when a shell is started so that
    /// loading options stays independent of the environment.
    pub shell: Option<String>,
    pub mouse: bool,
    pub resurrect: bool,
    /// A pane whose ad-hoc shell or command exited stays, showing the exit, instead of closing
    /// (tmux's `remain-on-exit`). Configured apps always keep their pane.
    pub remain_on_exit: bool,
    /// Copy-mode yanks also go to the outer terminal's clipboard (OSC 52).
    pub clipboard: bool,
    pub metrics_interval: Duration,
    pub sidebar: SidebarOptions,
    pub status: StatusOptions,
    /// `[terminal]`: how many colours clients' terminals are sent.
    pub colors: Colors,
    /// `[terminal] hyperlinks`: OSC 8 hyperlinks from apps are passed on to clients.
    pub hyperlinks: bool,
    /// `[terminal] vs16_wide`: an emoji presentation sequence (a narrow character and U+FE0F)
    /// takes two columns, as some terminals and programs have it; by default it takes what
    /// the C library's `wcwidth` gives the character (one), as bash, readline and ncurses count.
    pub vs16_wide: bool,
}

/// `[terminal] colors`: the colours clients are drawn with. `Auto` goes by what each client's
/// terminal says: `TERM`, `COLORTERM`, `NO_COLOR`, and its answer to an XTGETTCAP query for
/// `Tc`/`RGB` (which also comes through SSH, where `COLORTERM` is usually dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Colors {
    #[default]
    #[serde(rename = "auto")]
    Auto,
    #[serde(rename = "truecolor")]
    TrueColor,
    #[serde(rename = "256")]
    Ansi256,
    #[serde(rename = "16")]
    Ansi16,
    #[serde(rename = "none")]
    None,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            keymap: "tmux".to_owned(),
            prefix: None,
            theme: "default".to_owned(),
            scrollback: 10_000,
            shell: None,
            mouse: true,
            resurrect: false,
            remain_on_exit: false,
            clipboard: true,
            metrics_interval: Duration::from_secs(1),
            sidebar: SidebarOptions {
                visible: true,
                position: Side::Left,
                width: 28,
            },
            status: StatusOptions {
                visible: true,
                position: StatusPosition::Bottom,
                left: Template::parse(STATUS_LEFT).expect("the default template parses"),
                right: Template::parse(STATUS_RIGHT).expect("the default template parses"),
                tabs: true,
            },
            colors: Colors::Auto,
            hyperlinks: false,
            vs16_wide: false,
        }
    }
}

pub(crate) const TOP_KEYS: Keys = Keys {
    context: "the top level",
    known: &[
        "keymap",
        "prefix",
        "theme",
        "scrollback",
        "shell",
        "mouse",
        "resurrect",
        "remain_on_exit",
        "clipboard",
        "metrics_interval",
        "sidebar",
        "status",
        "terminal",
    ],
    aliases: &[
        ("history", "scrollback"),
        ("history_limit", "scrollback"),
        ("prefix-key", "prefix"),
        ("prefix_key", "prefix"),
        ("remain-on-exit", "remain_on_exit"),
    ],
};

pub(crate) const TERMINAL_KEYS: Keys = Keys {
    context: "[terminal]",
    known: &["colors", "hyperlinks", "vs16_wide"],
    aliases: &[
        ("colours", "colors"),
        ("color", "colors"),
        ("colour", "colors"),
    ],
};

pub(crate) const SIDEBAR_KEYS: Keys = Keys {
    context: "[sidebar]",
    known: &["visible", "position", "width"],
    aliases: &[("show", "visible"), ("side", "position")],
};

pub(crate) const STATUS_KEYS: Keys = Keys {
    context: "[status]",
    known: &["visible", "position", "left", "right", "tabs"],
    aliases: &[
        ("show", "visible"),
        ("status-left", "left"),
        ("status-right", "right"),
    ],
};

/// Sampling more often than 100ms costs CPU for no visible gain (zero would spin); less often
/// than hourly would show numbers too old to mean anything.
const METRICS_INTERVAL: RangeInclusive<Duration> =
    Duration::from_millis(100)..=Duration::from_secs(3600);
/// Lines of history per app: far more than anyone scrolls, and a bound on a pane's memory.
const MAX_SCROLLBACK: u64 = 1_000_000;

/// Loads the options file; a missing file gives the defaults. Same error style as the project file.
pub fn load_options(path: &Path) -> Result<Options, ConfigError> {
    let bytes = match super::file::read_regular(path, super::file::MAX_CONFIG_BYTES) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Options::default()),
        Err(err) => {
            return Err(ConfigError::whole_file(
                path,
                format!("cannot read the file: {err}"),
            ));
        }
    };
    parse_options(&error::decode(path, bytes)?, path)
}

/// Parses and validates `text` as the contents of the options file `file`.
pub fn parse_options(text: &str, file: &Path) -> Result<Options, ConfigError> {
    check_options(text, file).map_err(|errors| {
        errors
            .into_iter()
            .next()
            .unwrap_or_else(|| ConfigError::whole_file(file, "invalid options file"))
    })
}

/// The options, or every problem found in file order (for `appmux check`).
pub fn check_options(text: &str, file: &Path) -> Result<Options, Vec<ConfigError>> {
    match read_options(text, file) {
        (Some(options), errors) if errors.is_empty() => Ok(options),
        (_, errors) => Err(errors),
    }
}

/// Reads the options file leniently: a missing file gives the defaults, and a file with bad
/// keys gives every good key applied (the bad ones keep their defaults) along with the
/// problems. `None` when nothing of it can be used (it cannot be read, or is not TOML).
pub fn load_options_leniently(path: &Path) -> (Option<Options>, Vec<ConfigError>) {
    let bytes = match super::file::read_regular(path, super::file::MAX_CONFIG_BYTES) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return (Some(Options::default()), Vec::new());
        }
        Err(err) => {
            let message = format!("cannot read the file: {err}");
            return (None, vec![ConfigError::whole_file(path, message)]);
        }
    };
    match error::decode(path, bytes) {
        Ok(text) => read_options(&text, path),
        Err(err) => (None, vec![err]),
    }
}

/// The options with every good key of `text` applied, and every problem in file order; `None`
/// when it is not TOML.
pub fn read_options(text: &str, file: &Path) -> (Option<Options>, Vec<ConfigError>) {
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(err) => return (None, vec![ConfigError::from_toml(file, text, &err)]),
    };
    let root = root.get_ref();
    let mut report = Report::new(file, text);
    report.unknown_keys(root, &TOP_KEYS);
    let mut options = Options::default();
    let text = |report: &mut Report<'_>, key: &str| {
        root.get(key)
            .and_then(|v| report.non_empty_string(v, key))
            .map(str::to_owned)
    };
    set(&mut options.keymap, text(&mut report, "keymap"));
    options.prefix = root.get("prefix").and_then(|v| prefix(&mut report, v));
    set(&mut options.theme, text(&mut report, "theme"));
    options.shell = text(&mut report, "shell");
    let scrollback = root
        .get("scrollback")
        .and_then(|v| report.integer(v, "scrollback", 0, MAX_SCROLLBACK));
    set(
        &mut options.scrollback,
        scrollback.and_then(|n| usize::try_from(n).ok()),
    );
    set(
        &mut options.mouse,
        root.get("mouse").and_then(|v| report.boolean(v, "mouse")),
    );
    set(
        &mut options.resurrect,
        root.get("resurrect")
            .and_then(|v| report.boolean(v, "resurrect")),
    );
    set(
        &mut options.remain_on_exit,
        root.get("remain_on_exit")
            .and_then(|v| report.boolean(v, "remain_on_exit")),
    );
    set(
        &mut options.clipboard,
        root.get("clipboard")
            .and_then(|v| report.boolean(v, "clipboard")),
    );
    let interval = root
        .get("metrics_interval")
        .and_then(|v| report.duration(v, "metrics_interval", &METRICS_INTERVAL));
    set(&mut options.metrics_interval, interval);
    if let Some(table) = root.get("sidebar").and_then(|v| report.table(v, "sidebar")) {
        sidebar(&mut report, table, &mut options.sidebar);
    }
    if let Some(table) = root.get("status").and_then(|v| report.table(v, "status")) {
        status(&mut report, table, &mut options.status);
    }
    if let Some(table) = root
        .get("terminal")
        .and_then(|v| report.table(v, "terminal"))
    {
        report.unknown_keys(table, &TERMINAL_KEYS);
        let depths = [
            ("auto", Colors::Auto),
            ("truecolor", Colors::TrueColor),
            ("256", Colors::Ansi256),
            ("16", Colors::Ansi16),
            ("none", Colors::None),
        ];
        // `colors = 256` (a number, as people also write it) reads as "256".
        let colors = table.get("colors").and_then(|v| match v.get_ref() {
            toml::de::DeValue::Integer(n) => {
                pick(&mut report, v, n.as_str(), "terminal.colors", &depths)
            }
            _ => choice(&mut report, v, "terminal.colors", &depths),
        });
        set(&mut options.colors, colors);
        set(
            &mut options.hyperlinks,
            table
                .get("hyperlinks")
                .and_then(|v| report.boolean(v, "terminal.hyperlinks")),
        );
        let vs16 = table.get("vs16_wide");
        set(
            &mut options.vs16_wide,
            vs16.and_then(|v| report.boolean(v, "terminal.vs16_wide")),
        );
    }
    (Some(options), report.finish())
}

/// `prefix`: a key name, as in keymap files.
fn prefix(report: &mut Report<'_>, value: &Value<'_>) -> Option<crate::keys::Key> {
    let text = report.string(value, "prefix")?;
    match text.parse() {
        Ok(key) => Some(key),
        Err(err) => {
            let message = format!("`prefix`: {err}; expected a key name like \"C-a\"");
            report.error(&value.span(), message);
            None
        }
    }
}

fn sidebar(report: &mut Report<'_>, table: &DeTable<'_>, sidebar: &mut SidebarOptions) {
    report.unknown_keys(table, &SIDEBAR_KEYS);
    let visible = table
        .get("visible")
        .and_then(|v| report.boolean(v, "sidebar.visible"));
    set(&mut sidebar.visible, visible);
    let sides = [("left", Side::Left), ("right", Side::Right)];
    let position = table
        .get("position")
        .and_then(|v| choice(report, v, "sidebar.position", &sides));
    set(&mut sidebar.position, position);
    let width = table
        .get("width")
        .and_then(|v| report.integer(v, "sidebar.width", 10, 80));
    set(
        &mut sidebar.width,
        width.and_then(|n| u16::try_from(n).ok()),
    );
}

fn status(report: &mut Report<'_>, table: &DeTable<'_>, status: &mut StatusOptions) {
    report.unknown_keys(table, &STATUS_KEYS);
    let visible = table
        .get("visible")
        .and_then(|v| report.boolean(v, "status.visible"));
    set(&mut status.visible, visible);
    let positions = [
        ("top", StatusPosition::Top),
        ("bottom", StatusPosition::Bottom),
    ];
    let position = table
        .get("position")
        .and_then(|v| choice(report, v, "status.position", &positions));
    set(&mut status.position, position);
    let tabs = table
        .get("tabs")
        .and_then(|v| report.boolean(v, "status.tabs"));
    set(&mut status.tabs, tabs);
    for (key, slot) in [("left", &mut status.left), ("right", &mut status.right)] {
        let template = table
            .get(key)
            .and_then(|v| template(report, v, &format!("status.{key}")));
        set(slot, template);
    }
}

/// A status template; a problem in it is reported at its place inside the string.
fn template(report: &mut Report<'_>, value: &Value<'_>, key: &str) -> Option<Template> {
    let text = report.string(value, key)?;
    match Template::parse(text) {
        Ok(template) => Some(template),
        Err(e) => {
            // Inside the quotes; exact for strings without escapes, which templates rarely
            // need.
            let at = value.span().start + 1 + e.offset;
            report.error(&(at..at), format!("`{key}`: {}", e.message));
            None
        }
    }
}

/// One of a fixed set of strings.
fn choice<T: Copy>(
    report: &mut Report<'_>,
    value: &Value<'_>,
    key: &str,
    choices: &[(&str, T)],
) -> Option<T> {
    let text = report.string(value, key)?;
    pick(report, value, text, key, choices)
}

/// The choice named `text` (what `value` holds); an unknown one is reported at `value`.
fn pick<T: Copy>(
    report: &mut Report<'_>,
    value: &Value<'_>,
    text: &str,
    key: &str,
    choices: &[(&str, T)],
) -> Option<T> {
    let found = choices
        .iter()
        .find(|(name, _)| *name == text)
        .map(|(_, choice)| *choice);
    if found.is_none() {
        let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
        let message = format!(
            "`{key}`: unknown value {text:?}; expected one of {}",
            list(&names)
        );
        report.error(&value.span(), message);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Options, String> {
        parse_options(text, Path::new("config.toml")).map_err(|err| err.to_string())
    }

    #[test]
    fn a_missing_file_gives_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let options = load_options(&dir.path().join("config.toml")).unwrap();
        assert_eq!(options, Options::default());
        assert_eq!(parse(""), Ok(Options::default()));
    }

    #[test]
    fn every_key_is_read() {
        let text = r#"
keymap = "vi"
prefix = "C-a"
theme = "dark"
scrollback = 500
shell = "/bin/zsh"
mouse = false
resurrect = true
metrics_interval = "2s"
[sidebar]
visible = false
position = "right"
width = 40
[status]
visible = false
position = "top"
left = "{session}@{host} "
right = "{apps}"
tabs = false
[terminal]
colors = 256
vs16_wide = true
"#;
        let text = text.replacen("resurrect = true", "resurrect = true\nclipboard = false", 1);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        let options = load_options(&path).unwrap();
        let expected = Options {
            keymap: "vi".to_owned(),
            prefix: Some(crate::keys::Key::ctrl('a')),
            theme: "dark".to_owned(),
            scrollback: 500,
            shell: Some("/bin/zsh".to_owned()),
            mouse: false,
            resurrect: true,
            remain_on_exit: false,
            clipboard: false,
            metrics_interval: Duration::from_secs(2),
            sidebar: SidebarOptions {
                visible: false,
                position: Side::Right,
                width: 40,
            },
            status: StatusOptions {
                visible: false,
                position: StatusPosition::Top,
                left: Template::parse("{session}@{host} ").unwrap(),
                right: Template::parse("{apps}").unwrap(),
                tabs: false,
            },
            colors: Colors::Ansi256,
            hyperlinks: false,
            vs16_wide: true,
        };
        assert_eq!(options, expected);
    }

    #[test]
    fn problems_are_located() {
        let cases = [
            (
                "keymap = \"\"",
                "config.toml:1:10: `keymap` must not be empty",
            ),
            (
                "[terminal]\ncolors = 88",
                "config.toml:2:10: `terminal.colors`: unknown value \"88\"; expected one of `auto`, `truecolor`, `256`, `16`, `none`",
            ),
            (
                "[terminal]\ncolors = \"88\"",
                "config.toml:2:10: `terminal.colors`: unknown value \"88\"; expected one of `auto`, `truecolor`, `256`, `16`, `none`",
            ),
            (
                "theme = 3",
                "config.toml:1:9: `theme`: expected a string, found an integer",
            ),
            (
                "mouse = \"yes\"",
                "config.toml:1:9: `mouse`: expected a boolean (true or false), found a string",
            ),
            (
                "scrollback = -1",
                "config.toml:1:14: `scrollback` must be between 0 and 1000000, found -1",
            ),
            (
                "scrollback = 18446744073709551615",
                "config.toml:1:14: `scrollback` must be between 0 and 1000000, found 18446744073709551615",
            ),
            (
                "metrics_interval = \"18446744073709551615s\"",
                "config.toml:1:20: `metrics_interval` must be between 100ms and 1h, found \"18446744073709551615s\"",
            ),
            (
                "metrics_interval = \"1\"",
                "config.toml:1:20: `metrics_interval`: invalid duration \"1\": expected a number followed by us, ms, s, m or h",
            ),
            (
                "metrics_interval = \"1ms\"",
                "config.toml:1:20: `metrics_interval` must be between 100ms and 1h, found \"1ms\"",
            ),
            (
                "[sidebar]\nwidth = 9",
                "config.toml:2:9: `sidebar.width` must be between 10 and 80, found 9",
            ),
            (
                "[sidebar]\nposition = \"top\"",
                "config.toml:2:12: `sidebar.position`: unknown value \"top\"; expected one of `left`, `right`",
            ),
            (
                "[status]\nposition = \"left\"",
                "config.toml:2:12: `status.position`: unknown value \"left\"; expected one of `top`, `bottom`",
            ),
            (
                "[sidbar]",
                "config.toml:1:2: unknown key `sidbar` in the top level; did you mean `sidebar`?",
            ),
            (
                "[sidebar]\nwidht = 30",
                "config.toml:2:1: unknown key `widht` in [sidebar]; did you mean `width`?",
            ),
            (
                "[status]\nx = 1",
                "config.toml:2:1: unknown key `x` in [status]; expected one of `visible`, `position`, `left`, `right`, `tabs`",
            ),
            (
                "[status]\nright = \"{apps} {hots}\"",
                "config.toml:2:17: `status.right`: unknown field `{hots}`; did you mean `{host}`? fields are {session}, {tab}, {app}, {title}, {apps}, {hint}, {host}",
            ),
            (
                "[status]\nleft = \"{session\"",
                "config.toml:2:9: `status.left`: a `{` that is never closed (write `{{` for a brace)",
            ),
            (
                "sidebar = 1",
                "config.toml:1:11: `sidebar`: expected a table, found an integer",
            ),
            (
                "mouse = ",
                "config.toml:1:9: string values must be quoted, expected literal string",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), Err(expected.to_owned()), "{text}");
        }
    }

    #[test]
    fn all_problems_are_reported_in_file_order() {
        let errors = check_options(
            "theme = 1\nmouse = 2\n[status]\nvisible = 3\n",
            Path::new("c"),
        )
        .unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 2, 4]);
    }
}
