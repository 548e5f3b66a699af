//! The command table: one entry per verb with its `domain.verb` name, the other names it
//! answers to (the control API's older spellings), its arguments (as usage text, and one by one
//! with their keys and help), a one-line description, and its layer. Adding a verb starts here;
//! `appmux action list` prints this table and the control API reads argument keys from it.
//!
//! Two layers share the table. The session layer (client, pane, tab, app, sidebar, copy, and
//! the session verbs that act from inside one: rename, next, prev, last, find) acts inside one
//! session: keys bind it, and from the command line or the control API it runs in the session
//! named (`-t`, `session`) or the most recent one. The server layer (session list, new and
//! kill; server) acts on the set of sessions and on the server itself, so it needs no session,
//! and keys do not bind it.

/// Which half of the table an entry is in (see the module header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Session,
    Server,
}

impl Layer {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Server => "server",
        }
    }
}

/// How an argument is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// One word in its place (`pane.focus left`); a string (or number) in the control API.
    Word,
    /// Every remaining word (`app.run htop -d 5`); a string or a list of strings in the API.
    Words,
    /// `--key` before the words; `true` in the control API.
    Flag,
    /// `--key VALUE` before the words; a string in the control API.
    Value,
}

impl ArgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Word => "word",
            Self::Words => "words",
            Self::Flag => "flag",
            Self::Value => "value",
        }
    }

    /// Flags and values are options: written `--key`, before the words.
    pub fn is_option(self) -> bool {
        matches!(self, Self::Flag | Self::Value)
    }
}

/// One argument of a verb.
#[derive(Debug)]
pub struct Arg {
    /// Its name: the `--key` of an option, and its key in the control API's `args`.
    pub key: &'static str,
    /// Other keys the control API accepts for it. A word takes the first key given; words
    /// take every key given, in this order.
    pub aliases: &'static [&'static str],
    pub kind: ArgKind,
    /// The action cannot be built without it.
    pub required: bool,
    /// The control API answers `missing_arg` when none of its keys is given; the text says
    /// what to give (it follows the key in the message).
    pub api_needs: Option<&'static str>,
    pub about: &'static str,
}

impl Arg {
    const fn new(key: &'static str, kind: ArgKind, about: &'static str) -> Self {
        Arg {
            key,
            aliases: &[],
            kind,
            required: matches!(kind, ArgKind::Word | ArgKind::Words),
            api_needs: None,
            about,
        }
    }

    const fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    const fn aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }

    const fn api_needs(mut self, hint: &'static str) -> Self {
        self.api_needs = Some(hint);
        self
    }

    /// Its key and its aliases, in the order the control API looks for them.
    pub fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        std::iter::once(self.key).chain(self.aliases.iter().copied())
    }
}

const fn word(key: &'static str, about: &'static str) -> Arg {
    Arg::new(key, ArgKind::Word, about)
}

const fn words(key: &'static str, about: &'static str) -> Arg {
    Arg::new(key, ArgKind::Words, about)
}

const fn flag(key: &'static str, about: &'static str) -> Arg {
    Arg::new(key, ArgKind::Flag, about)
}

const fn value(key: &'static str, about: &'static str) -> Arg {
    Arg::new(key, ArgKind::Value, about)
}

/// One verb: its full name, other names, arguments as usage text and one by one, what it
/// does, and its layer.
#[derive(Debug)]
pub struct Spec {
    pub name: &'static str,
    /// Other names it answers to (the control API's plural spellings such as `apps.start`).
    pub aliases: &'static [&'static str],
    /// The words after the name (`<left|right|up|down> [cells]`); options are in `args`.
    pub usage: &'static str,
    pub args: &'static [Arg],
    /// A short description: the help overlay shows it beside the key.
    pub about: &'static str,
    pub layer: Layer,
}

impl Spec {
    const fn args(mut self, args: &'static [Arg]) -> Self {
        self.args = args;
        self
    }

    const fn aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }

    const fn server(mut self) -> Self {
        self.layer = Layer::Server;
        self
    }

    /// Whether it takes options (`--key`), which come before its words.
    pub fn has_options(&self) -> bool {
        self.args.iter().any(|a| a.kind.is_option())
    }
}

const fn spec(name: &'static str, usage: &'static str, about: &'static str) -> Spec {
    Spec {
        name,
        aliases: &[],
        usage,
        args: &[],
        about,
        layer: Layer::Session,
    }
}

const DIRECTION: Arg = word("direction", "left, right, up or down");
const APPS: Arg = words(
    "apps",
    "app names, or `all`; none means the focused pane's app",
)
.optional()
.aliases(&["name", "app"])
.api_needs("names, or [\"all\"]");
const TARGET: Arg = value(
    "target",
    "SESSION, SESSION:APP or SESSION:TAB.PANE (default: the session's focused app)",
);

/// Every verb, grouped by domain, the session layer first. Descriptions are short: the help
/// overlay shows them beside the key.
const SPECS: &[Spec] = &[
    spec("client.detach", "", "Detach this client"),
    spec("client.help", "", "Show the key bindings"),
    spec(
        "client.send-prefix",
        "",
        "Type the prefix key into the pane",
    ),
    spec("client.paste", "", "Paste the paste buffer into the pane"),
    spec("client.refresh", "", "Redraw the screen"),
    spec(
        "client.command-prompt",
        "",
        "Type a command in the status line",
    ),
    spec(
        "client.switcher",
        "",
        "Choose a session, tab or pane from a tree",
    ),
    spec("pane.split-right", "", "Split: new pane on the right"),
    spec("pane.split-down", "", "Split: new pane below"),
    spec(
        "pane.focus",
        "<left|right|up|down>",
        "Focus the pane in a direction",
    )
    .args(&[DIRECTION]),
    spec("pane.next", "", "Focus the next pane"),
    spec("pane.prev", "", "Focus the previous pane"),
    spec("pane.numbers", "", "Show pane numbers"),
    spec("pane.select", "<n>", "Focus the pane with this number")
        .args(&[word("n", "the pane's number")]),
    spec(
        "pane.resize",
        "<left|right|up|down> [cells]",
        "Resize the pane (default 1 cell)",
    )
    .args(&[
        DIRECTION,
        word("cells", "a number of cells, from 1 (the default)").optional(),
    ]),
    spec("pane.zoom", "", "Zoom or unzoom the pane"),
    spec("pane.last", "", "Focus the previously focused pane"),
    spec("pane.break", "", "Move the pane to a new tab of its own"),
    spec("pane.close", "", "Close the pane (asks first)"),
    spec("pane.swap-next", "", "Swap with the next pane"),
    spec(
        "pane.float-toggle",
        "",
        "Show or hide the floating panes (a shell when there are none)",
    ),
    spec(
        "pane.float-new",
        "[cmd...]",
        "Open a floating pane running the shell or a command",
    )
    .args(&[
        value("width", "outer width: cells or a percentage (default 80%)"),
        value(
            "height",
            "outer height: cells or a percentage (default 80%)",
        ),
        words("cmd", "the command (default: the shell)").optional(),
    ]),
    spec(
        "pane.popup",
        "<cmd...>",
        "Open a floating pane that closes when its command exits",
    )
    .args(&[
        value("width", "outer width: cells or a percentage (default 80%)"),
        value(
            "height",
            "outer height: cells or a percentage (default 80%)",
        ),
        words(
            "cmd",
            "one word with shell syntax runs under sh -c, several words run directly",
        ),
    ]),
    spec(
        "pane.float-move",
        "<left|right|up|down> [cells]",
        "Move the floating pane (default 1 cell)",
    )
    .args(&[
        DIRECTION,
        word("cells", "a number of cells, from 1 (the default)").optional(),
    ]),
    spec(
        "pane.float-resize",
        "<left|right|up|down> [cells]",
        "Move the floating pane's right or bottom edge (default 1 cell)",
    )
    .args(&[
        DIRECTION,
        word("cells", "a number of cells, from 1 (the default)").optional(),
    ]),
    spec("pane.swap-prev", "", "Swap with the previous pane"),
    spec("pane.layout-next", "", "Cycle the layout presets"),
    spec(
        "pane.layout",
        "<even-horizontal|even-vertical|main-vertical|main-horizontal|tiled>",
        "Apply a layout preset",
    )
    .args(&[word(
        "layout",
        "even-horizontal, even-vertical, main-vertical, main-horizontal or tiled",
    )]),
    spec("tab.new", "", "New tab"),
    spec("tab.next", "", "Next tab"),
    spec("tab.prev", "", "Previous tab"),
    spec("tab.select", "<n>", "Go to the tab with this number")
        .args(&[word("n", "the tab's number")]),
    spec("tab.rename", "[name]", "Rename the tab").args(&[word(
        "name",
        "the new name (asked for when left out)",
    )
    .optional()]),
    spec("tab.close", "", "Close the tab"),
    spec("tab.last", "", "Go to the previously active tab"),
    spec(
        "app.start",
        "[name...]",
        "Start an app (default: this pane's)",
    )
    .aliases(&["apps.start"])
    .args(&[APPS]),
    spec(
        "app.stop",
        "[name...]",
        "Stop an app (default: this pane's)",
    )
    .aliases(&["apps.stop"])
    .args(&[APPS]),
    spec(
        "app.restart",
        "[name...]",
        "Restart an app (default: this pane's)",
    )
    .aliases(&["apps.restart"])
    .args(&[APPS]),
    spec(
        "app.kill",
        "[name...]",
        "Kill an app (default: this pane's)",
    )
    .aliases(&["apps.kill"])
    .args(&[APPS]),
    spec("app.show", "<name>", "Show an app in this pane").args(&[word("name", "the app")]),
    spec("app.run", "<cmd...>", "Run a command as a new app")
        .aliases(&["apps.run"])
        .args(&[
            value(
                "name",
                "app name (default: the command's name, made unique)",
            ),
            value("restart", "restart policy: never, on-failure or always"),
            value("cwd", "working directory (default: the session's)"),
            words(
                "cmd",
                "one word with shell syntax runs under sh -c, several words run directly",
            )
            .api_needs("a string or an array"),
        ]),
    spec(
        "app.list",
        "",
        "List the apps (of the session, if one is named)",
    )
    .aliases(&["apps.list"]),
    spec(
        "app.describe",
        "<name>",
        "Everything about an app: spec, state, probes, dependencies, logs",
    )
    .aliases(&["describe"])
    .args(&[word("app", "the app").aliases(&["name"])]),
    spec("app.why", "<name>", "Why an app is in its state")
        .aliases(&["why"])
        .args(&[word("app", "the app").aliases(&["name"])]),
    spec(
        "app.wait",
        "<name...>",
        "Whether apps are ready (running, completed, stopped) yet",
    )
    .aliases(&["wait"])
    .args(&[
        value("for", "ready (default), running, completed, stopped or up"),
        words("apps", "app names").aliases(&["app", "name"]),
    ]),
    spec("app.capture", "", "Print an app's screen")
        .aliases(&["pane.capture", "panes.capture"])
        .args(&[
            TARGET,
            flag("ansi", "keep colours and attributes as SGR sequences"),
            flag(
                "scrollback",
                "include the scrollback history before the screen",
            ),
            value(
                "start",
                "first line: 0 is the first visible line, negative is history, `-` its start",
            ),
            value(
                "end",
                "last line, numbered as --start; `-` is the last visible line",
            ),
        ]),
    spec("app.send-keys", "[keys...]", "Type keys into an app")
        .aliases(&["pane.send-keys", "panes.send-keys"])
        .args(&[
            TARGET,
            flag("literal", "send every word as text, not as key names"),
            words("keys", "key names (Enter, C-c, M-x, F1 ...) or text")
                .optional()
                .api_needs(""),
        ]),
    spec(
        "app.delete",
        "[name...]",
        "Stop and remove an app (default: this pane's)",
    )
    .aliases(&["apps.delete", "delete", "rm"])
    .args(&[
        flag(
            "force",
            "delete even apps that other apps depend on (they are left waiting)",
        ),
        APPS,
    ]),
    spec(
        "app.flush",
        "[name...]",
        "Empty apps' logs (default: every app's)",
    )
    .aliases(&["apps.flush", "flush"])
    .args(&[
        words("apps", "app names; none means every app of the session")
            .optional()
            .aliases(&["name", "app"]),
    ]),
    spec(
        "app.reload",
        "",
        "Re-read the project file and apply changes",
    )
    .aliases(&["apps.reload", "reload"])
    .args(&[flag("dry-run", "print what would change and change nothing").aliases(&["dry_run"])]),
    spec(
        "app.scale",
        "<name> <count>",
        "Run this many instances of an app with `instances`",
    )
    .aliases(&["apps.scale", "scale"])
    .args(&[
        word("app", "the entry with `instances`").aliases(&["name"]),
        word("count", "how many instances, 0 to 64").aliases(&["instances", "n"]),
    ]),
    spec("sidebar.focus", "", "Move keyboard focus to the sidebar"),
    spec("sidebar.toggle", "", "Show or hide the sidebar"),
    spec("sidebar.up", "", "Select the previous app"),
    spec("sidebar.down", "", "Select the next app"),
    spec("sidebar.first", "", "Select the first app"),
    spec("sidebar.last", "", "Select the last app"),
    spec("sidebar.show", "", "Show the selected app in the pane"),
    spec("sidebar.start-stop", "", "Start or stop the selected app"),
    spec("sidebar.restart", "", "Restart the selected app"),
    spec("sidebar.kill", "", "Kill the selected app (asks first)"),
    spec("sidebar.log", "", "Show the selected app's log"),
    spec("sidebar.filter", "", "Filter apps by name"),
    spec("sidebar.new", "", "Run a new app"),
    spec("sidebar.back", "", "Return focus to the panes"),
    spec("copy.enter", "", "Enter copy mode"),
    spec("copy.page-up", "", "Enter copy mode, scroll a page up"),
    spec("copy.exit", "", "Leave copy mode"),
    spec("copy.up", "", "Cursor up"),
    spec("copy.down", "", "Cursor down"),
    spec("copy.left", "", "Cursor left"),
    spec("copy.right", "", "Cursor right"),
    spec("copy.word-next", "", "Next word"),
    spec("copy.word-prev", "", "Previous word"),
    spec("copy.word-end", "", "End of word"),
    spec("copy.line-start", "", "Start of line"),
    spec("copy.line-end", "", "End of line"),
    spec("copy.top", "", "Top of history"),
    spec("copy.bottom", "", "Bottom of history"),
    spec("copy.page-down", "", "Page down"),
    spec("copy.half-up", "", "Half a page up"),
    spec("copy.half-down", "", "Half a page down"),
    spec("copy.search-forward", "", "Search forward"),
    spec("copy.search-backward", "", "Search backward"),
    spec("copy.search-next", "", "Next match"),
    spec("copy.search-prev", "", "Previous match"),
    spec("copy.select-char", "", "Start selecting characters"),
    spec("copy.select-line", "", "Start selecting lines"),
    spec("copy.select-rect", "", "Start selecting a rectangle"),
    spec("copy.clear-selection", "", "Clear the selection"),
    spec("copy.yank", "", "Copy the selection and leave"),
    spec("session.rename", "[name]", "Rename the session").args(&[word(
        "name",
        "the new name (asked for when left out)",
    )
    .optional()]),
    spec("session.next", "", "Switch this client to the next session"),
    spec(
        "session.prev",
        "",
        "Switch this client to the previous session",
    ),
    spec(
        "session.last",
        "",
        "Switch this client to the session it was in before",
    ),
    spec(
        "session.find",
        "[text]",
        "Find a pane by app name or screen text",
    )
    .args(&[word("text", "what to look for (asked for when left out)").optional()]),
    spec("session.list", "", "List the sessions and their apps")
        .aliases(&["sessions.list", "ls"])
        .server(),
    spec("session.new", "[cmd...]", "Create a session, detached")
        .aliases(&["sessions.new"])
        .args(&[
            value("name", "session name (default: the next free number)"),
            value("cwd", "working directory of its first app (default: /)"),
            words("cmd", "command of its first app (default: the shell)").optional(),
        ])
        .server(),
    spec("session.kill", "<name>", "Kill a session and stop its apps")
        .aliases(&["sessions.kill"])
        .args(&[word("name", "the session (SESSION or SESSION:APP)")
            .aliases(&["session"])
            .api_needs("")])
        .server(),
    spec(
        "server.kill",
        "",
        "Stop the server, its sessions and their apps",
    )
    .server(),
    spec(
        "server.source-file",
        "[file]",
        "Read config.toml, the keymap and the theme again",
    )
    .aliases(&["source-file", "source"])
    .args(&[word("file", "an options file (default: config.toml)").optional()])
    .server(),
];

/// How many entries the session layer has: they come first.
const SESSION_LAYER: usize = {
    let mut i = 0;
    while i < SPECS.len() && matches!(SPECS[i].layer, Layer::Session) {
        i += 1;
    }
    i
};

/// `SPECS` names as one slice, built at compile time.
pub(super) const NAMES: [&str; SPECS.len()] = {
    let mut names = [""; SPECS.len()];
    let mut i = 0;
    while i < SPECS.len() {
        names[i] = SPECS[i].name;
        i += 1;
    }
    names
};

/// The whole table, in order: the session layer, then the server layer.
pub fn table() -> &'static [Spec] {
    SPECS
}

/// The names of the session layer (`domain.verb`), grouped by domain: every action a key can
/// be bound to.
pub fn all_names() -> &'static [&'static str] {
    &NAMES[..SESSION_LAYER]
}

/// The arguments of an action as usage text (`<left|right|up|down> [cells]`), or `None` for
/// an unknown name. Empty for actions without arguments.
pub fn usage(name: &str) -> Option<&'static str> {
    find_spec(name).map(|s| s.usage)
}

/// The entry of a name or of one of its aliases.
pub fn find_spec(name: &str) -> Option<&'static Spec> {
    SPECS
        .iter()
        .find(|s| s.name == name || s.aliases.contains(&name))
}
