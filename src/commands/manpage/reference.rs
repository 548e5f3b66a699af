//! The reference sections of the man page that clap knows nothing of: files, environment,
//! exit status, the keys of `appmux.toml` and `config.toml`, keymap modes. Plain data and
//! the few roff calls that lay it out; the test in `tests` holds the key tables to the
//! parsers' own, so a key added there and not here fails.

use clap_mangen::roff::{Roff, bold, roman};

/// One entry of a list: the term (a key, a path, a variable) and what it is.
pub(super) type Entry = (&'static str, &'static str);

pub(super) const FILES: &[Entry] = &[
    (
        "appmux.toml",
        "The project file: a session name and its [[app]] entries (PROJECT FILE below). \
         Found in the current directory or the nearest parent that has one (as git and docker \
         compose find theirs), else named by -c FILE or APPMUX_CONFIG. A directory with a \
         Procfile and no appmux.toml is a project too; the session belongs to the file's \
         directory.",
    ),
    (
        "$XDG_CONFIG_HOME/appmux/config.toml",
        "appmux's own options (CONFIG FILE below); default ~/.config/appmux/config.toml.",
    ),
    (
        "$XDG_CONFIG_HOME/appmux/keymaps/NAME.toml, themes/NAME.toml",
        "Keymaps and themes of your own; one named like a built-in (tmux, direct; default, \
         nord, gruvbox-dark, solarized-light, mono) overrides it.",
    ),
    (
        "$XDG_RUNTIME_DIR/appmux/NAME",
        "The server's socket (NAME is default, or -L NAME) and its lock files, in a 0700 \
         directory; without XDG_RUNTIME_DIR, ${TMPDIR:-/tmp}/appmux-UID/.",
    ),
    (
        "$XDG_STATE_HOME/appmux/",
        "State, 0700 (default ~/.local/state/appmux/): logs/SESSION/APP.log, the app logs, \
         rotated (logs-ID/ for a socket other than the default); sessions-ID.json, the saved \
         sessions; server-ID.log, the log of a server started in the background (rotated at \
         10 MB, five files kept; a foreground server logs to stderr). ID is the socket's name, \
         or for -S PATH its file name and a hash of the path.",
    ),
    (
        "~/.config/systemd/user/appmux.service, /etc/systemd/system/appmux-USER.service",
        "The units written by startup and startup --system.",
    ),
];

pub(super) const ENVIRONMENT: &[Entry] = &[
    (
        "APPMUX_CONFIG",
        "The project file to use when -c is not given, instead of looking for appmux.toml \
         upwards from the current directory; relative to the current directory.",
    ),
    (
        "APPMUX_LOG, RUST_LOG",
        "The server's log level or filter (error, warn, info, debug, trace, or \
         tracing-subscriber directives); APPMUX_LOG wins; default info.",
    ),
    (
        "XDG_RUNTIME_DIR, TMPDIR",
        "Where the socket directory is (FILES).",
    ),
    (
        "XDG_STATE_HOME, XDG_CONFIG_HOME, HOME",
        "Where state and config live (FILES).",
    ),
    (
        "SHELL",
        "The shell a new pane runs (unless config.toml sets shell).",
    ),
    (
        "TERM, COLORTERM, NO_COLOR",
        "The client's terminal: colours are reduced to what it shows (truecolor when \
         COLORTERM says so, else 256 or 16); NO_COLOR set and not empty turns colours off.",
    ),
    (
        "NOTIFY_SOCKET",
        "Set by systemd: server --foreground sends READY=1 once it accepts connections and \
         STOPPING=1 when it stops.",
    ),
    (
        "JOURNAL_STREAM",
        "Set by systemd when journald reads stderr: the foreground server leaves out its own \
         timestamps.",
    ),
    (
        "SUDO_USER, USER",
        "The user startup --system runs the server as, when --user is not given.",
    ),
    (
        "APPMUX",
        "Set in every pane: SOCKET,SESSION,APP. attach from inside a pane of the same session \
         is refused unless -f.",
    ),
    (
        "APPMUX_INSTANCE, PORT",
        "Set for the instances of an entry with instances (its index) and for apps with port \
         (the port, plus the index); a Procfile's apps get PORT as foreman sets it.",
    ),
];

pub(super) const EXIT_STATUS: &[Entry] = &[
    ("0", "Success."),
    (
        "1",
        "Failure, with one line on stderr: no server, an app that did not get up, a timeout. \
         server --foreground exits 1 when an app had to be killed at shutdown.",
    ),
    (
        "2",
        "Usage error, or an invalid project or config file (each problem named as \
         FILE:LINE:COL: message).",
    ),
];

pub(super) const PROJECT_TOP: &[Entry] = &[
    (
        "session",
        "The session's name (default: the directory's name).",
    ),
    (
        "env_file",
        "A dotenv file, or a list, read for every app; relative to the project file.",
    ),
    ("app", "The [[app]] entries, one table each."),
];

pub(super) const PROJECT_APP: &[Entry] = &[
    ("name", "The app's name (required; unique in the session)."),
    (
        "cmd",
        "What to run (required): a string runs under sh -c, an array directly.",
    ),
    (
        "cwd",
        "Working directory, relative to the project file (default: its directory).",
    ),
    (
        "env",
        "A table of environment variables, over the env files.",
    ),
    (
        "env_file",
        "The app's own dotenv files, after the top-level ones.",
    ),
    ("autostart", "Start with the session (default true)."),
    ("restart", "never, on-failure (default) or always."),
    (
        "backoff",
        "{ initial = \"100ms\", max = \"15s\", factor = 1.5 }: the delay before each restart.",
    ),
    (
        "max_restarts",
        "Quick exits tolerated before the app is errored (default 10).",
    ),
    (
        "min_uptime",
        "A run this long counts as up and resets backoff and count (default 1s).",
    ),
    (
        "stop_signal",
        "Sent to the process group by stop (default TERM).",
    ),
    (
        "stop_timeout",
        "Then SIGKILL to every process of the app (default 5s, up to 1h).",
    ),
    (
        "log",
        "{ max_size = \"10MB\", max_files = 5 }: rotation of the app's log.",
    ),
    (
        "depends_on",
        "Apps that must be started, ready or completed first: a list, { NAME = CONDITION }, or \
         { NAME = { condition, restart } }.",
    ),
    (
        "ready",
        "Readiness probe: one of http, tcp, exec, log; interval, timeout, initial_delay, \
         timeout_total.",
    ),
    (
        "health",
        "Health probe: one of http, tcp, exec; interval, timeout, initial_delay, failures.",
    ),
    (
        "instances",
        "Run N copies, NAME-0 ... NAME-(N-1), 1 to 64 (see appmux scale).",
    ),
    ("port", "Sets PORT (plus the instance's index)."),
    (
        "watch",
        "Paths whose changes restart the app, relative to the project file.",
    ),
    (
        "watch_ignore",
        "Names or paths not watched (* and ? match).",
    ),
    (
        "watch_debounce",
        "Quiet time before the restart (default 300ms).",
    ),
    (
        "cron_restart",
        "A cron expression: restart the app then, if it is running (local time).",
    ),
    (
        "schedule",
        "A cron expression: start the app then (a one-shot; restart defaults to never).",
    ),
    (
        "max_memory",
        "Restart the app, as a failure, when its process tree stays above this RSS.",
    ),
    (
        "remain_on_exit",
        "Keep the app's pane, showing the exit, once it has exited for good (default true; \
         false closes the pane as tmux does).",
    ),
];

/// The keys of the tables inside an `[[app]]` entry, by the key that holds them.
pub(super) const PROJECT_NESTED: &[Entry] = &[
    ("backoff", "initial, max, factor"),
    ("log", "max_size, max_files"),
    (
        "depends_on",
        "condition (started, ready, completed), restart",
    ),
    (
        "ready, health",
        "http, tcp, exec, log, interval, timeout, initial_delay, timeout_total, failures",
    ),
];

pub(super) const CONFIG_TOP: &[Entry] = &[
    (
        "keymap",
        "tmux (default), direct, or NAME for keymaps/NAME.toml.",
    ),
    (
        "theme",
        "default, nord, gruvbox-dark, solarized-light, mono, or NAME for themes/NAME.toml.",
    ),
    (
        "prefix",
        "The prefix key (\"C-a\"), replacing the keymap's: its C-b C-b moves too.",
    ),
    ("scrollback", "Lines of history per app (default 10000)."),
    ("shell", "The shell of new panes (default $SHELL)."),
    (
        "mouse",
        "Mouse focus, selection, resize and scrolling (default true).",
    ),
    (
        "resurrect",
        "Restore saved sessions when the server starts.",
    ),
    (
        "remain_on_exit",
        "Keep the pane of an ad-hoc shell or command that exited, showing the exit, instead \
         of closing it (default false, as tmux).",
    ),
    (
        "clipboard",
        "Yanks also go to your terminal's clipboard through OSC 52 (default true).",
    ),
    ("metrics_interval", "CPU and memory sampling (default 1s)."),
    (
        "sidebar",
        "[sidebar] visible, position (left, right), width.",
    ),
    (
        "status",
        "[status] visible, position (top, bottom), left, right (templates), tabs.",
    ),
    (
        "terminal",
        "[terminal] colors: auto (default: by TERM, COLORTERM, NO_COLOR and the terminal's \
         XTGETTCAP answer), truecolor, 256, 16 or none; hyperlinks = true passes apps' OSC 8 \
         hyperlinks on to clients; vs16_wide: an emoji presentation \
         sequence (a narrow character and U+FE0F, as in U+2764 U+FE0F) takes two columns (default false: \
         one, as the C library's wcwidth counts it for bash, readline and ncurses).",
    ),
];

pub(super) const CONFIG_NESTED: &[Entry] = &[
    ("sidebar", "visible, position, width"),
    ("status", "visible, position, left, right, tabs"),
    ("terminal", "colors, hyperlinks, vs16_wide"),
];

pub(super) const KEYMAP_MODES: &[Entry] = &[
    (
        "prefix-key",
        "The prefix key (C-b in the tmux keymap; none in direct).",
    ),
    (
        "extends",
        "The built-in keymap a user's file starts from (default: the one of its name, else \
         tmux; \"none\" for nothing).",
    ),
    (
        "unbind",
        "Keys of the base to remove: [\"o\", \"C-b x\", \"copy q\"].",
    ),
    ("normal", "Keys that act at once, without the prefix."),
    ("prefix", "Keys after the prefix key."),
    ("sidebar", "Keys while the apps sidebar has focus."),
    ("copy", "Keys in copy mode (history, search, selection)."),
];

/// The sections after COMMANDS.
pub(super) fn sections(roff: &mut Roff) {
    list(roff, "FILES", FILES);
    list(roff, "ENVIRONMENT", ENVIRONMENT);
    list(roff, "EXIT STATUS", EXIT_STATUS);
    roff.control("SH", ["PROJECT FILE"]);
    roff.text([roman(
        "appmux.toml holds an optional session name, env_file, and [[app]] tables. Every \
         duration (\"500ms\", \"5s\", \"2m\") and size (\"10MB\", \"1GiB\") has a range; appmux \
         check validates a file without starting anything. Top-level keys:",
    )]);
    entries(roff, PROJECT_TOP);
    roff.control("PP", []);
    roff.text([roman("Keys of an [[app]] table:")]);
    entries(roff, PROJECT_APP);
    roff.control("PP", []);
    roff.text([roman("Keys of the tables inside an app:")]);
    entries(roff, PROJECT_NESTED);
    roff.control("SH", ["CONFIG FILE"]);
    roff.text([roman(
        "config.toml holds appmux's own options; every key is optional, a bad key is \
         reported (server log, status line, appmux check) and keeps its default, and appmux \
         source-file applies the file to a running server. Keys:",
    )]);
    entries(roff, CONFIG_TOP);
    roff.control("PP", []);
    roff.text([roman("Keys of its tables:")]);
    entries(roff, CONFIG_NESTED);
    roff.control("SH", ["KEYMAPS"]);
    roff.text([roman(
        "A keymap file sets prefix-key and binds keys per mode, each a table of KEY = ACTION \
         (appmux action list prints the actions). The built-in keymaps are tmux and direct. \
         Keys:",
    )]);
    entries(roff, KEYMAP_MODES);
}

fn list(roff: &mut Roff, title: &str, items: &[Entry]) {
    roff.control("SH", [title]);
    entries(roff, items);
}

fn entries(roff: &mut Roff, items: &[Entry]) {
    for (term, text) in items {
        roff.control("TP", []);
        roff.text([bold(*term)]);
        roff.text([roman(*text)]);
    }
}
