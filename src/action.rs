//! The one vocabulary of what appmux can do, shared by keymap files, the command line
//! (`appmux action NAME [ARGS]`) and the control API.
//!
//! This module owns the [`Action`] type, nested by domain (client, pane, tab, app, sidebar,
//! copy in the session layer; session and server in the server layer), and its stable text
//! form `domain.verb [--option ...] [args]`: parsing (with did-you-mean for unknown names),
//! printing (which parses back to the same action), and the command table (`spec`: names,
//! aliases, arguments and help). Every front end parses into it: keymap files, `appmux action`,
//! the other CLI verbs (which build actions), and the control API (`api`, from JSON). It must
//! not carry out actions (the server dispatches them, in one place) and must not know which key
//! is bound to what (the keymap does).
//!
//! Arguments are separated by whitespace; an argument holding whitespace or quotes is written in
//! single quotes (`tab.rename 'my tab'`), as a shell would, and `"..."` and `\x` work too.
//! Options (`--name N`, `--ansi`) come before the other arguments, and `--` ends them. On the
//! wire (serde) an action is its text form, so adding a verb never renumbers anything.

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

impl From<Direction> for crate::layout::Direction {
    fn from(d: Direction) -> Self {
        match d {
            Direction::Left => Self::Left,
            Direction::Right => Self::Right,
            Direction::Up => Self::Up,
            Direction::Down => Self::Down,
        }
    }
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
    /// Opens the command prompt in the status line (tmux `command-prompt`).
    CommandPrompt,
    /// Opens the switcher: sessions, tabs and panes as a tree (tmux `choose-tree`).
    Switcher,
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
    /// Focuses the pane that had focus before (tmux `last-pane`).
    Last,
    /// Moves the pane to a new tab of its own (tmux `break-pane`).
    Break,
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
    /// The tab that was active before (tmux `last-window`).
    Last,
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
    /// Floating panes (`pane.float-*`, `pane.popup`).
    Float(FloatAction),
    Tab(TabAction),
    App(AppAction),
    Sidebar(SidebarAction),
    Copy(CopyAction),
    Session(SessionAction),
    Server(ServerAction),
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
    #[error("`{action}` has no option `{option}`{}", options_of(action))]
    UnknownOption {
        action: &'static str,
        option: String,
    },
    #[error("`{action}`: `--{option}` needs a value")]
    OptionValue {
        action: &'static str,
        option: &'static str,
    },
    #[error("unterminated quote in `{0}`")]
    Quote(String),
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
}

fn options_of(action: &str) -> String {
    let options: Vec<String> = find_spec(action)
        .into_iter()
        .flat_map(|s| s.args.iter())
        .filter(|a| a.kind.is_option())
        .map(|a| format!("--{}", a.key))
        .collect();
    match options.as_slice() {
        [] => String::new(),
        list => format!(" (it has {})", list.join(", ")),
    }
}

pub mod api;
mod app;
pub mod complete;
mod float;
mod sessions;
mod spec;
pub mod tmux;
mod words;
pub use app::{AppAction, Capture, Delete, RunApp, Scale, SendKeys, Wait, WaitFor};
pub use float::{FloatAction, NewFloat};
pub use sessions::{ServerAction, SessionAction};
use spec::NAMES;
pub use spec::{Arg, ArgKind, Layer, Spec, all_names, find_spec, table, usage};
use words::{Args, OptionWords, digits, quote, split_words};

impl Action {
    /// Whether a read-only client may run this action: it changes only that client's own view
    /// (its mode, sidebar selection, scroll position, help or log pager), never the session, a
    /// pane, an app, or what other clients see.
    pub fn is_view_only(&self) -> bool {
        match self {
            Self::Client(a) => matches!(
                a,
                ClientAction::Detach
                    | ClientAction::Help
                    | ClientAction::Refresh
                    | ClientAction::CommandPrompt
                    | ClientAction::Switcher
            ),
            Self::App(a) => a.is_view_only(),
            Self::Session(a) => a.is_view_only(),
            Self::Pane(_) | Self::Float(_) | Self::Tab(_) | Self::Server(_) => false,
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
            Self::Float(a) => a.name(),
            Self::Tab(a) => match a {
                TabAction::New => "tab.new",
                TabAction::Next => "tab.next",
                TabAction::Prev => "tab.prev",
                TabAction::Select(_) => "tab.select",
                TabAction::Rename(_) => "tab.rename",
                TabAction::Close => "tab.close",
                TabAction::Last => "tab.last",
            },
            Self::App(a) => a.name(),
            Self::Sidebar(a) => a.name(),
            Self::Copy(a) => a.name(),
            Self::Session(a) => a.name(),
            Self::Server(a) => a.name(),
        }
    }

    /// Which layer of the table it is in: a session's, or the server's.
    pub fn layer(&self) -> Layer {
        find_spec(self.name()).map_or(Layer::Session, |s| s.layer)
    }

    /// The arguments, unquoted, as the command line would pass them (options first).
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
            Self::Tab(TabAction::Rename(name)) => name.iter().cloned().collect(),
            Self::Float(a) => a.words(),
            Self::App(a) => a.words(),
            Self::Session(a) => a.words(),
            Self::Server(a) => a.words(),
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

    /// Builds an action from its name (or an alias) and its arguments, already split (as the
    /// command line has them). [`FromStr`] splits a text and calls this.
    pub fn from_args<S: AsRef<str>>(name: &str, args: &[S]) -> Result<Self, ActionError> {
        let Some(spec) = find_spec(name) else {
            return Err(unknown(name));
        };
        let mut args = Args {
            action: spec.name,
            options: Vec::new(),
            rest: args.iter().map(AsRef::as_ref).collect(),
        };
        if args.rest.iter().any(|a| a.is_empty()) {
            return Err(ActionError::EmptyArg { action: spec.name });
        }
        if spec.has_options() {
            args.take_options(spec)?;
        }
        let (domain, verb) = spec.name.split_once('.').unwrap_or((spec.name, ""));
        let action = match domain {
            "client" => ClientAction::parse(verb).map(Self::Client),
            "pane" => match FloatAction::parse(verb, &mut args)? {
                Some(f) => Some(Self::Float(f)),
                None => PaneAction::parse(verb, &mut args)?.map(Self::Pane),
            },
            "tab" => TabAction::parse(verb, &mut args)?.map(Self::Tab),
            "app" => AppAction::parse(verb, &mut args)?.map(Self::App),
            "sidebar" => SidebarAction::parse(verb).map(Self::Sidebar),
            "copy" => CopyAction::parse(verb).map(Self::Copy),
            "session" => SessionAction::parse(verb, &mut args)?.map(Self::Session),
            "server" => ServerAction::parse(verb, &mut args).map(Self::Server),
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
        suggestion: crate::suggest::closest(name, NAMES.iter().copied()).or_else(bare),
    }
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
    "command-prompt" => CommandPrompt,
    "switcher" => Switcher,
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
            Self::Last => "pane.last",
            Self::Break => "pane.break",
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
            "last" => Self::Last,
            "break" => Self::Break,
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
            "last" => Self::Last,
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

#[cfg(test)]
mod tests;
