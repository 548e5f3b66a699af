//! The command line, as clap types only. Names follow tmux (with its long aliases) where a tmux
//! user would reach for them, and pm2 for the supervisor verbs.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::size::Size;

#[derive(Debug, Parser)]
#[command(
    name = "appmux",
    version = crate::VERSION,
    about = "A terminal multiplexer that doubles as an app launcher and supervisor",
    long_about = "A terminal multiplexer that doubles as an app launcher and supervisor.\n\n\
                  With no command, attaches to the default session, creating it (and the \
                  server) when needed."
)]
pub struct Cli {
    /// Socket name in the per-user runtime directory.
    #[arg(
        short = 'L',
        global = true,
        value_name = "NAME",
        conflicts_with = "socket_path"
    )]
    pub socket_name: Option<String>,
    /// Socket path.
    #[arg(short = 'S', global = true, value_name = "PATH")]
    pub socket_path: Option<PathBuf>,
    /// Project file (default: the one APPMUX_CONFIG names, else appmux.toml or a Procfile in
    /// this directory or the nearest parent that has one).
    #[arg(short = 'c', long = "config", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Cell dimensions given on the command line are bounded so nothing downstream sees 0 or absurd
/// sizes.
fn dimension(max: u16) -> clap::builder::RangedI64ValueParser<u16> {
    clap::value_parser!(u16).range(1..=i64::from(max))
}

/// A session name that follows the rules in `names`; a usage error otherwise.
fn session_name(text: &str) -> Result<String, String> {
    crate::names::check_session(text).map(|()| text.to_owned())
}

/// An app name that follows the rules in `names`; a usage error otherwise.
fn app_name(text: &str) -> Result<String, String> {
    crate::names::check_app(text).map(|()| text.to_owned())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a session (and attach to it unless -d).
    #[command(visible_alias = "new-session")]
    New(NewArgs),
    /// Attach to a session.
    #[command(visible_aliases = ["a", "attach-session"])]
    Attach(AttachArgs),
    /// List sessions and their apps: a table per session (or JSON).
    #[command(visible_aliases = ["list-sessions", "list"])]
    Ls(LsArgs),
    /// Kill a session and stop its apps.
    KillSession(TargetArgs),
    /// Rename a session: `rename-session -t OLD NEW`.
    #[command(visible_alias = "rename")]
    RenameSession(RenameSessionArgs),
    /// Stop the server, its sessions and their apps.
    KillServer,
    /// Print an app's screen.
    #[command(visible_alias = "capture-pane")]
    Capture(CaptureArgs),
    /// Type keys into an app (tmux key names or literal text).
    SendKeys(SendKeysArgs),
    /// Run the server.
    Server(ServerArgs),
    /// Start apps (or `all`) and wait until each is up: ready when it has a readiness probe,
    /// else running past its min_uptime; exit 1 when one does not get there, saying why.
    Start(AppsArgs),
    /// Stop apps (or `all`): stop signal, then SIGKILL after the stop timeout; waits until
    /// they are stopped.
    Stop(AppsArgs),
    /// Restart apps (or `all`) and wait until each is up again, as `start` does.
    Restart(AppsArgs),
    /// Add an ad-hoc app to a live session and start it.
    Run(RunArgs),
    /// Stop apps and remove them from the session (resurrect does not bring them back).
    #[command(visible_alias = "rm")]
    Delete(DeleteArgs),
    /// Empty apps' log files, rotated ones too (every app of the session when none is named).
    Flush(FlushArgs),
    /// Re-read the session's project file and apply what changed: add, restart, remove apps.
    Reload(ReloadArgs),
    /// Run N instances of an app whose entry has `instances`: new ones start, extra ones stop
    /// and are removed, highest index first (0 stops them all).
    Scale(ScaleArgs),
    /// Print an app's log (across rotated files).
    Logs(LogsArgs),
    /// Wait until apps are ready (or running, completed, stopped); exit 1 on timeout or when
    /// it can no longer happen, saying why.
    Wait(WaitArgs),
    /// Say why an app is in its state: what it waits for, its probes, its last exit.
    Why(InspectArgs),
    /// Everything about one app: spec, state, probes, dependencies, logs.
    #[command(visible_alias = "show")]
    Describe(InspectArgs),
    /// Validate a project file and appmux's own config; exit 2 with reasons when invalid.
    Check(CheckArgs),
    /// Bridge stdin and stdout to the control API (JSON lines), e.g. `ssh host appmux api`.
    Api,
    /// Print the event stream (app state changes, exits, metrics, sessions).
    Events(EventsArgs),
    /// Write a systemd user unit (or, with --system, a system unit for a user) that starts the
    /// server at boot and resurrects the sessions.
    Startup(StartupArgs),
    /// Remove the systemd unit written by `startup`.
    Unstartup(UnitArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (roff).
    Man,
    /// Print the JSON Schema of every `--json` output and control API message (or of one).
    Schema(SchemaArgs),
    /// Save the session state now (it is also saved whenever it changes).
    Save,
    /// Restore the saved sessions that do not run (after kill-server or a reboot).
    Resurrect(ResurrectArgs),
    /// Read config.toml (or FILE), the keymap and the theme again into the running server and
    /// redraw every client; nothing running is touched. Exit 1 naming each problem.
    #[command(visible_alias = "source")]
    SourceFile(SourceFileArgs),
    /// Keymaps: `keymap dump [NAME]` prints a built-in keymap to start one of your own from.
    Keymap(KeymapArgs),
    /// Run an action of the vocabulary (`pane.split-right`, `tab.new`, `app.restart web` ...);
    /// `appmux action list` prints them all.
    Action(ActionArgs),
    /// Open a floating pane over the session's current tab running CMD; it closes when CMD
    /// exits (tmux's `display-popup -E`).
    #[command(disable_help_flag = true)]
    Popup(PopupArgs),
}

#[derive(Debug, Args)]
pub struct PopupArgs {
    /// Session (default: the most recently used).
    #[arg(short = 't', value_name = "SESSION")]
    pub target: Option<String>,
    /// Outer width: cells (`60`) or a percentage of the pane area (`50%`); default 80%.
    #[arg(short = 'w', value_name = "W")]
    pub width: Option<String>,
    /// Outer height: cells or a percentage; default 80%.
    #[arg(short = 'h', value_name = "H")]
    pub height: Option<String>,
    /// Print help.
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
    /// The command; a single argument with spaces runs under `sh -c`.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub cmd: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SourceFileArgs {
    /// The options file (default: the user's config.toml).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeymapArgs {
    #[command(subcommand)]
    pub command: KeymapCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeymapCommand {
    /// Print a built-in keymap (default: tmux), to copy into ~/.config/appmux/keymaps/.
    Dump {
        /// The built-in keymap's name.
        #[arg(value_name = "NAME")]
        name: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ResurrectArgs {
    /// End processes left over from a server that was killed, instead of only reporting them.
    #[arg(long)]
    pub kill_orphans: bool,
}

#[derive(Debug, Args)]
pub struct ActionArgs {
    /// Session (default: the most recently used).
    #[arg(short = 't', value_name = "TARGET")]
    pub target: Option<String>,
    /// The action's name; `appmux action list` prints them all.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Its arguments; options (`--name N`, `--ansi`) come first, after a `--`
    /// (`appmux action app.run -- --name web npm start`).
    #[arg(value_name = "ARGS")]
    pub args: Vec<String>,
    /// With `list`: the table as JSON (names, aliases, arguments and help).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// One JSON object per line, as the control API sends them.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StartupArgs {
    /// Print the unit instead of writing it.
    #[arg(long)]
    pub print: bool,
    #[command(flatten)]
    pub unit: UnitArgs,
}

/// Which unit `startup` writes and `unstartup` removes.
#[derive(Debug, Args)]
pub struct UnitArgs {
    /// A system unit (/etc/systemd/system, multi-user.target) that runs the server as --user on
    /// that user's socket, /run/user/UID/appmux/NAME; needs `loginctl enable-linger USER`.
    #[arg(long)]
    pub system: bool,
    /// The user a system unit runs the server as (default: $SUDO_USER, else $USER).
    #[arg(long, value_name = "NAME", requires = "system")]
    pub user: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct AppsArgs {
    /// App names, or `all`.
    #[arg(value_name = "APP", required = true)]
    pub apps: Vec<String>,
    /// Session (default: the most recently used).
    #[arg(short = 't', value_name = "SESSION")]
    pub target: Option<String>,
    /// Return at once instead of waiting for the apps to get there.
    #[arg(long, conflicts_with = "timeout")]
    pub no_wait: bool,
    /// Give up waiting after this long (`30s`, `2m`). Default: `stop` waits the longest stop
    /// timeout plus 2s for each app to stop; `start` and `restart` as long as it takes.
    #[arg(long, value_name = "DUR", value_parser = duration)]
    pub timeout: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// App names, or `all`.
    #[arg(value_name = "APP", required = true)]
    pub apps: Vec<String>,
    /// Session (default: the most recently used).
    #[arg(short = 't', value_name = "SESSION")]
    pub target: Option<String>,
    /// Delete even apps that other apps depend on (those are left waiting).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct FlushArgs {
    /// App names (default: every app of the session).
    #[arg(value_name = "APP")]
    pub apps: Vec<String>,
    /// Session (default: the most recently used).
    #[arg(short = 't', value_name = "SESSION")]
    pub target: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReloadArgs {
    /// Session (default: the most recently used).
    #[arg(short = 't', value_name = "SESSION")]
    pub target: Option<String>,
    /// Print what would change, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// The name of the entry with `instances` (`api` for `api-0`, `api-1` ...).
    #[arg(value_name = "APP")]
    pub app: String,
    /// How many instances to run, 0 to 64.
    #[arg(value_name = "N", allow_hyphen_values = true)]
    pub count: String,
    /// Session (default: the most recently used).
    #[arg(short = 't', value_name = "SESSION")]
    pub target: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// App name (default: the command's name, made unique).
    #[arg(long, value_name = "N", value_parser = app_name)]
    pub name: Option<String>,
    /// Restart policy.
    #[arg(long, value_name = "POLICY", value_parser = ["never", "on-failure", "always"])]
    pub restart: Option<String>,
    /// Session (default: the most recently used).
    #[arg(short = 't', value_name = "SESSION")]
    pub target: Option<String>,
    /// Also append the app to the session's appmux.toml.
    #[arg(long)]
    pub save: bool,
    /// The command; a single argument with spaces runs under `sh -c`.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub cmd: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The app (`APP` or `SESSION:APP`); none: every app of the session, in time order.
    #[arg(value_name = "APP")]
    pub app: Option<String>,
    /// Session (default: the one that has this app; with no app, this directory's project
    /// session, else the newest session).
    #[arg(short = 't', value_name = "SESSION")]
    pub target: Option<String>,
    /// Number of lines from the end, of those selected (default: 100, or every line with
    /// --since or --until).
    #[arg(short = 'n', value_name = "N")]
    pub lines: Option<usize>,
    /// Keep printing as the log grows.
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Prefix each line with the time it began (UTC, RFC 3339 with milliseconds).
    #[arg(long)]
    pub timestamps: bool,
    /// Only lines from this time on: `10m`, `2h`, `1d` back from now, or `2026-12-01T10:00`
    /// (UTC unless it ends with `Z` or an offset such as `+02:00`).
    #[arg(long, value_name = "TIME", value_parser = log_time)]
    pub since: Option<u64>,
    /// Only lines up to this time (as for --since).
    #[arg(long, value_name = "TIME", value_parser = log_time)]
    pub until: Option<u64>,
    /// Only lines matching this regular expression (escape sequences aside).
    #[arg(long, value_name = "REGEX", value_parser = regex::Regex::new)]
    pub grep: Option<regex::Regex>,
    /// One JSON object per line: app, time, line.
    #[arg(long)]
    pub json: bool,
    /// Keep escape sequences in --json lines.
    #[arg(long, requires = "json")]
    pub ansi: bool,
}

impl LogsArgs {
    /// How many lines from the end to print.
    pub fn count(&self) -> usize {
        match self.lines {
            Some(n) => n,
            None if self.since.is_some() || self.until.is_some() => usize::MAX,
            None => 100,
        }
    }

    /// Whether the log is read by line (with times), rather than byte for byte.
    pub fn by_line(&self) -> bool {
        self.app.is_none()
            || self.timestamps
            || self.since.is_some()
            || self.until.is_some()
            || self.grep.is_some()
            || self.json
    }
}

/// A `--since`/`--until` value, as milliseconds since the epoch.
fn log_time(text: &str) -> Result<u64, String> {
    crate::logs::time::parse_time_arg(text, crate::logs::time::now_ms())
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// One document: ls, describe, why, check, action-list, logs, events, scale, wait, api.
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Project file (default: as for -c).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Machine-readable output on stdout: the files checked and every problem.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Session name.
    #[arg(short = 's', value_name = "NAME", value_parser = session_name)]
    pub name: Option<String>,
    /// Do not attach; return once the session is created.
    #[arg(short = 'd')]
    pub detached: bool,
    /// Width of the session's apps while no client is attached.
    #[arg(short = 'x', value_name = "W", value_parser = dimension(Size::MAX.cols))]
    pub width: Option<u16>,
    /// Height of the session's apps while no client is attached.
    #[arg(short = 'y', value_name = "H", value_parser = dimension(Size::MAX.rows))]
    pub height: Option<u16>,
    /// Command to run instead of the shell.
    #[arg(last = true, value_name = "CMD")]
    pub cmd: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AttachArgs {
    /// Session name (default: the most recently used).
    #[arg(short = 't', value_name = "SESSION")]
    pub target: Option<String>,
    /// Watch without typing into apps.
    #[arg(short = 'r', long)]
    pub read_only: bool,
    /// Attach even from inside the session itself (from one of its panes), which shows the
    /// session inside itself; without it, that is refused.
    #[arg(short = 'f', long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// App names.
    #[arg(value_name = "APP", required = true)]
    pub apps: Vec<String>,
    /// ready (the default), running, completed, stopped, or up (ready when it has a readiness
    /// probe, else running past its min_uptime; an exit on the way fails).
    #[arg(long = "for", value_name = "COND", default_value = "ready",
          value_parser = ["ready", "running", "completed", "stopped", "up"])]
    pub condition: String,
    /// Give up after this long (`30s`, `2m`); the default is to wait as long as it takes.
    #[arg(long, value_name = "DUR", value_parser = duration)]
    pub timeout: Option<std::time::Duration>,
    /// Session (default: the most recently used).
    #[arg(short = 't', value_name = "SESSION")]
    pub target: Option<String>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The app.
    #[arg(value_name = "APP")]
    pub app: String,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
    /// Session (default: the most recently used).
    #[arg(short = 't', value_name = "SESSION")]
    pub target: Option<String>,
}

/// The command line with tmux's `capture-pane -S LINE` read as tmux does: after `capture` (or
/// `capture-pane`), `-S` is the first line (`--start`), not the global socket path, which is
/// given before the command there.
pub fn tmux_argv(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut out: Vec<OsString> = Vec::new();
    let mut capture = false;
    for arg in args {
        let takes_value =
            |a: &OsString| matches!(a.to_str(), Some("-L" | "-S" | "-c" | "--config"));
        match arg.to_str() {
            Some("capture" | "capture-pane")
                if !capture && !out.last().is_some_and(takes_value) =>
            {
                capture = true;
            }
            Some("-S") if capture => {
                out.push("--start".into());
                continue;
            }
            Some(a) if capture && a.starts_with("-S") => {
                out.push(format!("--start={}", &a[2..]).into());
                continue;
            }
            _ => {}
        }
        out.push(arg);
    }
    out
}

fn line(text: &str) -> Result<crate::target::Line, String> {
    crate::target::Line::parse(text).ok_or_else(|| {
        "a line number (0 the first visible line, negative in the history) or `-`".to_owned()
    })
}

fn duration(text: &str) -> Result<std::time::Duration, String> {
    crate::config::units::parse_duration(text).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct LsArgs {
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
    /// Only this session.
    #[arg(short = 't', value_name = "SESSION")]
    pub target: Option<String>,
}

#[derive(Debug, Args)]
pub struct TargetArgs {
    /// SESSION or SESSION:APP.
    #[arg(short = 't', value_name = "TARGET")]
    pub target: String,
}

#[derive(Debug, Args)]
pub struct RenameSessionArgs {
    /// The session to rename (default: the most recently used).
    #[arg(short = 't', value_name = "SESSION")]
    pub target: Option<String>,
    /// Its new name.
    #[arg(value_name = "NEW")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// SESSION, SESSION:APP or SESSION:TAB.PANE (default: the focused app of the most recent
    /// session).
    #[arg(short = 't', value_name = "TARGET")]
    pub target: Option<String>,
    /// First line: 0 is the first visible line, negative numbers are history lines, `-` the
    /// start of the history (as tmux's capture-pane; `-S LINE` after `capture` means this).
    #[arg(long, value_name = "LINE", allow_hyphen_values = true, value_parser = line)]
    pub start: Option<crate::target::Line>,
    /// Last line, numbered as --start; `-` is the last visible line.
    #[arg(
        short = 'E',
        long,
        value_name = "LINE",
        allow_hyphen_values = true,
        value_parser = line
    )]
    pub end: Option<crate::target::Line>,
    /// Keep colours and attributes as SGR sequences.
    #[arg(long, short = 'e')]
    pub ansi: bool,
    /// Include the scrollback history before the screen.
    #[arg(long)]
    pub scrollback: bool,
    /// Print to stdout (always on; accepted for tmux habits).
    #[arg(short = 'p', hide = true)]
    pub print: bool,
}

#[derive(Debug, Args)]
pub struct SendKeysArgs {
    /// SESSION, SESSION:APP or SESSION:TAB.PANE (default: the focused app of the most recent session).
    #[arg(short = 't', value_name = "TARGET")]
    pub target: Option<String>,
    /// Send every argument as literal text, not key names.
    #[arg(short = 'l')]
    pub literal: bool,
    /// Keys (`Enter`, `C-c`, `M-x`, `F1` ...) or text.
    #[arg(value_name = "KEYS", allow_hyphen_values = true)]
    pub keys: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ServerArgs {
    /// Run in the foreground with logs on stderr (for systemd, runit, containers).
    #[arg(long)]
    pub foreground: bool,
    /// Started by a client: report readiness on stdout, log to the state dir.
    #[arg(long, hide = true, conflicts_with = "foreground")]
    pub daemon: bool,
    /// Restore the saved sessions once the server is up.
    #[arg(long)]
    pub resurrect: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<String> {
        let args = line.split(' ').map(OsString::from);
        tmux_argv(args)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn capture_reads_dash_s_as_its_first_line() {
        assert_eq!(
            argv("appmux capture -t s:1.0 -S -5 -E -"),
            [
                "appmux", "capture", "-t", "s:1.0", "--start", "-5", "-E", "-"
            ]
        );
        assert_eq!(
            argv("appmux capture-pane -S-"),
            ["appmux", "capture-pane", "--start=-"]
        );
        // Before the command, and for other commands, -S is the socket path.
        assert_eq!(
            argv("appmux -S /s capture"),
            ["appmux", "-S", "/s", "capture"]
        );
        assert_eq!(
            argv("appmux -S capture ls"),
            ["appmux", "-S", "capture", "ls"]
        );
        assert_eq!(argv("appmux ls -S /s"), ["appmux", "ls", "-S", "/s"]);
        let cli = Cli::try_parse_from(tmux_argv(
            ["appmux", "capture", "-S", "-", "-E", "3"].map(OsString::from),
        ));
        let Some(Command::Capture(c)) = cli.unwrap().command else {
            panic!("not a capture");
        };
        use crate::target::Line;
        assert_eq!((c.start, c.end), (Some(Line::Edge), Some(Line::At(3))));
    }
}
