//! The one vocabulary of what appmux can do, shared by keymap files, the command line
//! (`appmux action NAME [ARGS]`) and the control API.
//!
//! This module owns the [`Action`] type, nested by domain (client, pane, tab, app, sidebar,
//! copy), and its stable text form `domain.verb [args]`: parsing (with did-you-mean for unknown
//! names), printing (which parses back to the same action), the list of names and a one-line
//! description of each for the help overlay. It must not carry out actions (the server
//! dispatches them) and must not know which key is bound to what (the keymap does).
//!
//! Arguments are separated by whitespace; an argument holding whitespace or quotes is written in
//! single quotes (`tab.rename 'my tab'`), as a shell would, and `"..."` and `\x` work too. On
//! the wire (serde) an action is its text form, so adding a verb never renumbers anything.

use std::fmt;
use std::str::FromStr;

/// A direction for focus and resize.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Left,
    Right,
    Up,
    Down,
}

impl Direction {
    pub const ALL: [Direction; 4] = [Self::Left, Self::Right, Self::Up, Self::Down];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Left => "left",
            Self::Right => "right",
            Self::Up => "up",
            Self::Down => "down",
        }
    }
}

/// A layout preset for `pane.layout` (tmux's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LayoutPreset {
    EvenHorizontal,
    EvenVertical,
    MainVertical,
    MainHorizontal,
    Tiled,
}

impl LayoutPreset {
    /// In the order `pane.layout-next` cycles through them.
    pub const ALL: [LayoutPreset; 5] = [
        Self::EvenHorizontal,
        Self::EvenVertical,
        Self::MainVertical,
        Self::MainHorizontal,
        Self::Tiled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EvenHorizontal => "even-horizontal",
            Self::EvenVertical => "even-vertical",
            Self::MainVertical => "main-vertical",
            Self::MainHorizontal => "main-horizontal",
            Self::Tiled => "tiled",
        }
    }
}

/// Things about the client itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientAction {
    Detach,
    Help,
    /// Types the prefix key into the focused pane.
    SendPrefix,
    /// Pastes the paste buffer into the focused pane.
    Paste,
    Refresh,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaneAction {
    SplitRight,
    SplitDown,
    Focus(Direction),
    Next,
    Prev,
    /// Shows each pane's number for a moment (tmux `display-panes`).
    Numbers,
    Select(u32),
    /// A direction and a number of cells (at least 1).
    Resize(Direction, u16),
    Zoom,
    /// Closes the focused pane after asking to confirm.
    Close,
    SwapNext,
    SwapPrev,
    LayoutNext,
    Layout(LayoutPreset),
}

/// Tabs are tmux's windows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TabAction {
    New,
    Next,
    Prev,
    Select(u32),
    /// Without a name the user is prompted for one.
    Rename(Option<String>),
    Close,
}

/// Supervisor actions. `None` means the app in the focused pane.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AppAction {
    Start(Option<String>),
    Stop(Option<String>),
    Restart(Option<String>),
    Kill(Option<String>),
    /// Shows the named app in the focused pane.
    Show(String),
    /// Runs a command as an ad-hoc app: one word with shell syntax under `sh -c`, several
    /// words directly, as `appmux run` does.
    Run(Vec<String>),
}

/// Keys of the app sidebar. `Focus` and `Toggle` act from anywhere; the rest act on the
/// selected entry while the sidebar has focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SidebarAction {
    Focus,
    Toggle,
    Up,
    Down,
    First,
    Last,
    Show,
    StartStop,
    Restart,
    Kill,
    Log,
    Filter,
    New,
    Back,
}

/// Copy mode. `Enter` and `PageUp` start it from a pane; the rest act inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CopyAction {
    Enter,
    /// Enters copy mode if needed and scrolls a page up.
    PageUp,
    Exit,
    Up,
    Down,
    Left,
    Right,
    WordNext,
    WordPrev,
    WordEnd,
    LineStart,
    LineEnd,
    Top,
    Bottom,
    PageDown,
    HalfUp,
    HalfDown,
    SearchForward,
    SearchBackward,
    SearchNext,
    SearchPrev,
    SelectChar,
    SelectLine,
    SelectRect,
    ClearSelection,
    Yank,
}

/// Anything appmux can be asked to do, from a key, the command line or the control API.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Action {
    Client(ClientAction),
    Pane(PaneAction),
    Tab(TabAction),
    App(AppAction),
    Sidebar(SidebarAction),
    Copy(CopyAction),
}

/// Why a text is not an action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("no action given")]
    Empty,
    #[error("unknown action `{name}`{}", did_you_mean(*.suggestion))]
    Unknown {
        name: String,
        suggestion: Option<&'static str>,
    },
    #[error("`{action}` needs {what}")]
    Missing {
        action: &'static str,
        what: &'static str,
    },
    #[error("`{action}` takes no further argument, found `{arg}`")]
    Extra { action: &'static str, arg: String },
    #[error("`{action}`: `{arg}` is not {expected}")]
    Bad {
        action: &'static str,
        arg: String,
        expected: &'static str,
    },
    #[error("`{action}`: an argument is empty")]
    EmptyArg { action: &'static str },
    #[error("unterminated quote in `{0}`")]
    Quote(String),
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
}

mod spec;
use spec::{NAMES, find_spec};
pub use spec::{all_names, usage};

impl Action {
    /// Whether a read-only client may run this action: it changes only that client's own view
    /// (its mode, sidebar selection, scroll position, help or log pager), never the session, a
    /// pane, an app, or what other clients see.
    pub fn is_view_only(&self) -> bool {
        match self {
            Self::Client(a) => matches!(
                a,
                ClientAction::Detach | ClientAction::Help | ClientAction::Refresh
            ),
            Self::Pane(_) | Self::Tab(_) | Self::App(_) => false,
            Self::Sidebar(a) => !matches!(
                a,
                SidebarAction::Show
                    | SidebarAction::StartStop
                    | SidebarAction::Restart
                    | SidebarAction::Kill
                    | SidebarAction::New
            ),
            Self::Copy(_) => true,
        }
    }

    /// The full name, `domain.verb`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Client(a) => a.name(),
            Self::Pane(a) => a.name(),
            Self::Tab(a) => match a {
                TabAction::New => "tab.new",
                TabAction::Next => "tab.next",
                TabAction::Prev => "tab.prev",
                TabAction::Select(_) => "tab.select",
                TabAction::Rename(_) => "tab.rename",
                TabAction::Close => "tab.close",
            },
            Self::App(a) => match a {
                AppAction::Start(_) => "app.start",
                AppAction::Stop(_) => "app.stop",
                AppAction::Restart(_) => "app.restart",
                AppAction::Kill(_) => "app.kill",
                AppAction::Show(_) => "app.show",
                AppAction::Run(_) => "app.run",
            },
            Self::Sidebar(a) => a.name(),
            Self::Copy(a) => a.name(),
        }
    }

    /// The arguments, unquoted, as the command line would pass them.
    pub fn args(&self) -> Vec<String> {
        match self {
            Self::Pane(PaneAction::Focus(d)) => vec![d.as_str().to_owned()],
            Self::Pane(PaneAction::Select(n)) | Self::Tab(TabAction::Select(n)) => {
                vec![n.to_string()]
            }
            // One cell is the default, so it is left out.
            Self::Pane(PaneAction::Resize(d, 1)) => vec![d.as_str().to_owned()],
            Self::Pane(PaneAction::Resize(d, n)) => vec![d.as_str().to_owned(), n.to_string()],
            Self::Pane(PaneAction::Layout(l)) => vec![l.as_str().to_owned()],
            Self::Tab(TabAction::Rename(name))
            | Self::App(
                AppAction::Start(name)
                | AppAction::Stop(name)
                | AppAction::Restart(name)
                | AppAction::Kill(name),
            ) => name.iter().cloned().collect(),
            Self::App(AppAction::Show(name)) => vec![name.clone()],
            Self::App(AppAction::Run(words)) => words.clone(),
            _ => Vec::new(),
        }
    }

    /// A short human description, for the help overlay. Where the argument changes what a
    /// binding does (a direction, a layout) it is part of the description.
    pub fn describe(&self) -> &'static str {
        use Direction::{Down, Left, Right, Up};
        match self {
            Self::Pane(PaneAction::Focus(d)) => match d {
                Left => "Focus the pane to the left",
                Right => "Focus the pane to the right",
                Up => "Focus the pane above",
                Down => "Focus the pane below",
            },
            Self::Pane(PaneAction::Resize(d, _)) => match d {
                Left => "Resize: move the border left",
                Right => "Resize: move the border right",
                Up => "Resize: move the border up",
                Down => "Resize: move the border down",
            },
            Self::Pane(PaneAction::Layout(l)) => match l {
                LayoutPreset::EvenHorizontal => "Layout: side by side, equal widths",
                LayoutPreset::EvenVertical => "Layout: stacked, equal heights",
                LayoutPreset::MainVertical => "Layout: a large pane on the left",
                LayoutPreset::MainHorizontal => "Layout: a large pane on top",
                LayoutPreset::Tiled => "Layout: a grid of equal panes",
            },
            _ => find_spec(self.name()).map_or("", |s| s.about),
        }
    }

    /// Builds an action from its name and its arguments, already split (as the command line
    /// has them). [`FromStr`] splits a text and calls this.
    pub fn from_args<S: AsRef<str>>(name: &str, args: &[S]) -> Result<Self, ActionError> {
        let Some(spec) = find_spec(name) else {
            return Err(unknown(name));
        };
        let mut args = Args {
            action: spec.name,
            rest: args.iter().map(AsRef::as_ref).collect(),
        };
        if args.rest.iter().any(|a| a.is_empty()) {
            return Err(ActionError::EmptyArg { action: spec.name });
        }
        let (domain, verb) = name.split_once('.').unwrap_or((name, ""));
        let action = match domain {
            "client" => ClientAction::parse(verb).map(Self::Client),
            "pane" => PaneAction::parse(verb, &mut args)?.map(Self::Pane),
            "tab" => TabAction::parse(verb, &mut args)?.map(Self::Tab),
            "app" => AppAction::parse(verb, &mut args)?.map(Self::App),
            "sidebar" => SidebarAction::parse(verb).map(Self::Sidebar),
            "copy" => CopyAction::parse(verb).map(Self::Copy),
            _ => None,
        };
        // `None` would mean SPECS names a verb no parser knows; the unit tests rule that out.
        let action = action.ok_or_else(|| unknown(name))?;
        args.finish()?;
        Ok(action)
    }
}

/// An unknown name, with the closest known one: a small typo (`pane.zom`), or a bare verb
/// that exists in exactly one domain (`detach` → `client.detach`).
fn unknown(name: &str) -> ActionError {
    let bare = || {
        let mut matches = NAMES
            .iter()
            .filter(|n| n.split_once('.').is_some_and(|(_, verb)| verb == name));
        match (matches.next(), matches.next()) {
            (Some(only), None) => Some(*only),
            _ => None,
        }
    };
    ActionError::Unknown {
        name: name.to_owned(),
        suggestion: crate::suggest::closest(name, all_names().iter().copied()).or_else(bare),
    }
}

/// The arguments not yet taken by the parser of one action.
struct Args<'a> {
    action: &'static str,
    rest: std::collections::VecDeque<&'a str>,
}

impl<'a> Args<'a> {
    fn next(&mut self) -> Option<&'a str> {
        self.rest.pop_front()
    }

    fn required(&mut self, what: &'static str) -> Result<&'a str, ActionError> {
        self.next().ok_or(ActionError::Missing {
            action: self.action,
            what,
        })
    }

    fn bad(&self, arg: &str, expected: &'static str) -> ActionError {
        ActionError::Bad {
            action: self.action,
            arg: arg.to_owned(),
            expected,
        }
    }

    fn direction(&mut self) -> Result<Direction, ActionError> {
        let arg = self.required("a direction (left, right, up or down)")?;
        Direction::ALL
            .into_iter()
            .find(|d| d.as_str() == arg)
            .ok_or_else(|| self.bad(arg, "a direction (left, right, up or down)"))
    }

    fn number(&mut self) -> Result<u32, ActionError> {
        let arg = self.required("a number")?;
        digits(arg).ok_or_else(|| self.bad(arg, "a number"))
    }

    fn optional_name(&mut self) -> Option<String> {
        self.next().map(str::to_owned)
    }

    fn finish(mut self) -> Result<(), ActionError> {
        match self.next() {
            Some(arg) => Err(ActionError::Extra {
                action: self.action,
                arg: arg.to_owned(),
            }),
            None => Ok(()),
        }
    }
}

/// A plain decimal number (no sign, no spaces).
fn digits<T: FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Unit verbs of one domain, in the order of `SPECS`, for the domains that have no
/// arguments at all.
macro_rules! unit_verbs {
    ($ty:ident, $domain:literal, { $($verb:literal => $variant:ident),* $(,)? }) => {
        impl $ty {
            fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => concat!($domain, ".", $verb),)*
                }
            }

            fn parse(verb: &str) -> Option<Self> {
                match verb {
                    $($verb => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

unit_verbs!(ClientAction, "client", {
    "detach" => Detach,
    "help" => Help,
    "send-prefix" => SendPrefix,
    "paste" => Paste,
    "refresh" => Refresh,
});

unit_verbs!(SidebarAction, "sidebar", {
    "focus" => Focus,
    "toggle" => Toggle,
    "up" => Up,
    "down" => Down,
    "first" => First,
    "last" => Last,
    "show" => Show,
    "start-stop" => StartStop,
    "restart" => Restart,
    "kill" => Kill,
    "log" => Log,
    "filter" => Filter,
    "new" => New,
    "back" => Back,
});

unit_verbs!(CopyAction, "copy", {
    "enter" => Enter,
    "page-up" => PageUp,
    "exit" => Exit,
    "up" => Up,
    "down" => Down,
    "left" => Left,
    "right" => Right,
    "word-next" => WordNext,
    "word-prev" => WordPrev,
    "word-end" => WordEnd,
    "line-start" => LineStart,
    "line-end" => LineEnd,
    "top" => Top,
    "bottom" => Bottom,
    "page-down" => PageDown,
    "half-up" => HalfUp,
    "half-down" => HalfDown,
    "search-forward" => SearchForward,
    "search-backward" => SearchBackward,
    "search-next" => SearchNext,
    "search-prev" => SearchPrev,
    "select-char" => SelectChar,
    "select-line" => SelectLine,
    "select-rect" => SelectRect,
    "clear-selection" => ClearSelection,
    "yank" => Yank,
});

impl PaneAction {
    fn name(self) -> &'static str {
        match self {
            Self::SplitRight => "pane.split-right",
            Self::SplitDown => "pane.split-down",
            Self::Focus(_) => "pane.focus",
            Self::Next => "pane.next",
            Self::Prev => "pane.prev",
            Self::Numbers => "pane.numbers",
            Self::Select(_) => "pane.select",
            Self::Resize(..) => "pane.resize",
            Self::Zoom => "pane.zoom",
            Self::Close => "pane.close",
            Self::SwapNext => "pane.swap-next",
            Self::SwapPrev => "pane.swap-prev",
            Self::LayoutNext => "pane.layout-next",
            Self::Layout(_) => "pane.layout",
        }
    }

    fn parse(verb: &str, args: &mut Args<'_>) -> Result<Option<Self>, ActionError> {
        Ok(Some(match verb {
            "split-right" => Self::SplitRight,
            "split-down" => Self::SplitDown,
            "focus" => Self::Focus(args.direction()?),
            "next" => Self::Next,
            "prev" => Self::Prev,
            "numbers" => Self::Numbers,
            "select" => Self::Select(args.number()?),
            "resize" => {
                let direction = args.direction()?;
                let expected = "a number of cells from 1 to 65535";
                let cells = match args.next() {
                    None => 1,
                    Some(arg) => digits(arg)
                        .filter(|&n| n > 0)
                        .ok_or_else(|| args.bad(arg, expected))?,
                };
                Self::Resize(direction, cells)
            }
            "zoom" => Self::Zoom,
            "close" => Self::Close,
            "swap-next" => Self::SwapNext,
            "swap-prev" => Self::SwapPrev,
            "layout-next" => Self::LayoutNext,
            "layout" => {
                let expected = "a layout (even-horizontal, even-vertical, main-vertical, \
                                main-horizontal or tiled)";
                let arg = args.required(expected)?;
                let preset = LayoutPreset::ALL.into_iter().find(|l| l.as_str() == arg);
                Self::Layout(preset.ok_or_else(|| args.bad(arg, expected))?)
            }
            _ => return Ok(None),
        }))
    }
}

impl TabAction {
    fn parse(verb: &str, args: &mut Args<'_>) -> Result<Option<Self>, ActionError> {
        Ok(Some(match verb {
            "new" => Self::New,
            "next" => Self::Next,
            "prev" => Self::Prev,
            "select" => Self::Select(args.number()?),
            "rename" => Self::Rename(args.optional_name()),
            "close" => Self::Close,
            _ => return Ok(None),
        }))
    }
}

impl AppAction {
    fn parse(verb: &str, args: &mut Args<'_>) -> Result<Option<Self>, ActionError> {
        Ok(Some(match verb {
            "start" => Self::Start(args.optional_name()),
            "stop" => Self::Stop(args.optional_name()),
            "restart" => Self::Restart(args.optional_name()),
            "kill" => Self::Kill(args.optional_name()),
            "show" => Self::Show(args.required("an app name")?.to_owned()),
            "run" => {
                let first = args.required("a command")?;
                let rest = std::iter::from_fn(|| args.next());
                Self::Run(
                    std::iter::once(first)
                        .chain(rest)
                        .map(str::to_owned)
                        .collect(),
                )
            }
            _ => return Ok(None),
        }))
    }
}

impl FromStr for Action {
    type Err = ActionError;

    /// Parses `domain.verb [args]`, with arguments split like a shell does (see the module
    /// header).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let words = split_words(text).ok_or_else(|| ActionError::Quote(text.to_owned()))?;
        let Some((name, args)) = words.split_first() else {
            return Err(ActionError::Empty);
        };
        Self::from_args(name, args)
    }
}

impl fmt::Display for Action {
    /// The text form, which parses back to `self`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        for arg in self.args() {
            write!(f, " {}", quote(&arg))?;
        }
        Ok(())
    }
}

impl From<Action> for String {
    fn from(action: Action) -> Self {
        action.to_string()
    }
}

impl TryFrom<String> for Action {
    type Error = ActionError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

/// Splits on unquoted whitespace. `'...'` is literal, `"..."` allows `\"` and `\\`, and `\x`
/// outside quotes is `x`. `None` when a quote is not closed.
fn split_words(text: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => w.push(c),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\') => w.push(c),
                            c => {
                                w.push('\\');
                                w.push(c);
                            }
                        },
                        c => w.push(c),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).push(chars.next()?),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Some(words)
}

/// An argument as `split_words` reads it back: bare when it has no whitespace, quote or
/// backslash, else in single quotes with each `'` written as `'\''`.
fn quote(arg: &str) -> String {
    let special = |c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '\\');
    if !arg.is_empty() && !arg.contains(special) {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests;
