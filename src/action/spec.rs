//! The table of every action: its `domain.verb` name, its arguments as usage text and a
//! one-line description for the help overlay. Adding a verb starts here.

/// One verb: its full name, its arguments as usage text, and what it does.
pub(super) struct Spec {
    pub(super) name: &'static str,
    pub(super) usage: &'static str,
    pub(super) about: &'static str,
}

const fn spec(name: &'static str, usage: &'static str, about: &'static str) -> Spec {
    Spec { name, usage, about }
}

/// Every action, grouped by domain. Descriptions are short: the help overlay shows them
/// beside the key.
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
    spec("pane.split-right", "", "Split: new pane on the right"),
    spec("pane.split-down", "", "Split: new pane below"),
    spec(
        "pane.focus",
        "<left|right|up|down>",
        "Focus the pane in a direction",
    ),
    spec("pane.next", "", "Focus the next pane"),
    spec("pane.prev", "", "Focus the previous pane"),
    spec("pane.numbers", "", "Show pane numbers"),
    spec("pane.select", "<n>", "Focus the pane with this number"),
    spec(
        "pane.resize",
        "<left|right|up|down> [cells]",
        "Resize the pane (default 1 cell)",
    ),
    spec("pane.zoom", "", "Zoom or unzoom the pane"),
    spec("pane.close", "", "Close the pane (asks first)"),
    spec("pane.swap-next", "", "Swap with the next pane"),
    spec("pane.swap-prev", "", "Swap with the previous pane"),
    spec("pane.layout-next", "", "Cycle the layout presets"),
    spec(
        "pane.layout",
        "<even-horizontal|even-vertical|main-vertical|main-horizontal|tiled>",
        "Apply a layout preset",
    ),
    spec("tab.new", "", "New tab"),
    spec("tab.next", "", "Next tab"),
    spec("tab.prev", "", "Previous tab"),
    spec("tab.select", "<n>", "Go to the tab with this number"),
    spec("tab.rename", "[name]", "Rename the tab"),
    spec("tab.close", "", "Close the tab"),
    spec("app.start", "[name]", "Start an app (default: this pane's)"),
    spec("app.stop", "[name]", "Stop an app (default: this pane's)"),
    spec(
        "app.restart",
        "[name]",
        "Restart an app (default: this pane's)",
    ),
    spec("app.kill", "[name]", "Kill an app (default: this pane's)"),
    spec("app.show", "<name>", "Show an app in this pane"),
    spec("app.run", "<cmd...>", "Run a command as a new app"),
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
];

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

/// Every action name (`domain.verb`), grouped by domain.
pub fn all_names() -> &'static [&'static str] {
    &NAMES
}

/// The arguments of an action as usage text (`<left|right|up|down> [cells]`), or `None` for
/// an unknown name. Empty for actions without arguments.
pub fn usage(name: &str) -> Option<&'static str> {
    find_spec(name).map(|s| s.usage)
}

pub(super) fn find_spec(name: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.name == name)
}
