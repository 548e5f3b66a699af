//! What each subcommand does on the client side: build the request, talk to the server, print
//! the answer. A verb of the action vocabulary (ls, kill-session, kill-server, capture,
//! send-keys, start, stop, restart, run, delete, flush, reload, action) is built as an `Action`
//! and sent as one; the server dispatches it like a key or the control API. Output formats
//! (`ls`, `ls --json`) are defined in `ls` and documented in the README. The supervisor verbs
//! (run, delete, flush, reload, logs, check) live in `apps`, start, stop and restart (which wait)
//! in `verbs`, `appmux action` and its table in `vocab`.

mod apps;
mod config;
mod inspect;
mod logs;
mod ls;
mod manpage;
mod scale;
mod schema;
mod startup;
mod system;
mod verbs;
mod vocab;

use std::io::Write;

use anyhow::{Result, bail};

use crate::action::{Action, AppAction, Capture, SendKeys, ServerAction, SessionAction};
use crate::cli::{CaptureArgs, Cli, Command, NewArgs, SendKeysArgs};
use crate::client::attach::{self, Ending};
use crate::client::connect::{ConnectError, Connection};
use crate::paths::SocketPaths;
use crate::protocol::{AttachRequest, ClientMsg, NewSession, Reply, Request, TermInfo};
use crate::size::Size;

/// Exit statuses: 0 ok, 1 failure, 2 usage (clap's own) and invalid config.
pub const EXIT_FAILURE: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// An error that exits 2: the user's input (a config file) is wrong, not the world.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadConfig(pub String);

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let sock = SocketPaths::resolve(cli.socket_name.as_deref(), cli.socket_path.as_deref())?;
    let config = cli.config.as_deref();
    // `-L` and `-S` as given: a system unit places the socket for another user.
    let given = || startup::SocketArgs {
        name: cli.socket_name.as_deref(),
        path: cli.socket_path.as_deref(),
    };
    match cli.command {
        None => {
            let project = apps::project(config)?;
            attach_or_create(&sock, project.map(|p| apps::project_session(p, None)))
        }
        Some(Command::New(args)) => {
            // A command on the line wins over a project file found in the directory.
            let project = match (config, args.cmd.is_empty()) {
                (Some(_), _) | (None, true) => apps::project(config)?,
                (None, false) => None,
            };
            new(&sock, args, project)
        }
        Some(Command::Attach(args)) => attach(
            &sock,
            AttachRequest {
                target: args.target,
                size: Size { cols: 80, rows: 24 },
                read_only: args.read_only,
                term: TermInfo::default(),
                create: None,
                only_new: false,
            },
            args.force,
        ),
        Some(Command::Ls(args)) => ls::ls(&sock, &args),
        Some(Command::KillSession(t)) => {
            let kill = Action::Session(SessionAction::Kill(t.target));
            request_action(&sock, None, &kill).map(drop)
        }
        Some(Command::RenameSession(a)) => {
            let rename = Action::Session(SessionAction::Rename(Some(a.name)));
            request_action(&sock, a.target, &rename).map(drop)
        }
        Some(Command::KillServer) => {
            request_action(&sock, None, &Action::Server(ServerAction::Kill)).map(drop)
        }
        Some(Command::Capture(args)) => capture(&sock, args),
        Some(Command::SendKeys(args)) => send_keys(&sock, args),
        Some(Command::Start(a)) => verbs::apps_op(&sock, a, AppAction::Start),
        Some(Command::Stop(a)) => verbs::apps_op(&sock, a, AppAction::Stop),
        Some(Command::Restart(a)) => verbs::apps_op(&sock, a, AppAction::Restart),
        Some(Command::Run(a)) => apps::run(&sock, a),
        Some(Command::Delete(a)) => apps::delete(&sock, a),
        Some(Command::Flush(a)) => apps::flush(&sock, a),
        Some(Command::Reload(a)) => apps::reload(&sock, a),
        Some(Command::Scale(a)) => scale::scale(&sock, a),
        Some(Command::Logs(a)) if a.by_line() => logs::by_line(&sock, a, config),
        Some(Command::Logs(a)) => apps::logs(&sock, a),
        Some(Command::Wait(a)) => inspect::wait(&sock, a),
        Some(Command::Why(a)) => inspect::why(&sock, a),
        Some(Command::Describe(a)) => inspect::describe(&sock, a),
        Some(Command::Check(a)) => apps::check(a.file.as_deref().or(cli.config.as_deref()), a.json),
        Some(Command::Api) => system::api(&sock),
        Some(Command::Events(a)) => system::events(&sock, a.json),
        Some(Command::Startup(a)) => startup::startup(&sock, given(), &a),
        Some(Command::Unstartup(a)) => startup::unstartup(&sock, given(), &a),
        Some(Command::Completions(a)) => system::completions(a.shell),
        Some(Command::Man) => manpage::man(),
        Some(Command::Schema(a)) => schema::schema(a.name.as_deref()),
        Some(Command::Action(a)) => vocab::action(&sock, a),
        Some(Command::Popup(a)) => vocab::popup(&sock, a),
        Some(Command::SourceFile(a)) => config::source_file(&sock, a.file.as_deref()),
        Some(Command::Keymap(a)) => config::keymap(a.command),
        Some(Command::Save) => connect(&sock)?.request(Request::Save).map(drop),
        Some(Command::Resurrect(a)) => resurrect(&sock, a.kill_orphans),
        Some(Command::Server(args)) => {
            use crate::server::{Launch, init};
            let mode = if args.daemon {
                Launch::Daemon
            } else {
                Launch::Foreground
            };
            // `-c FILE`: that project's session, checked before the server starts.
            let first = match config {
                Some(_) => apps::project(config)?.map(|p| {
                    let mut new = apps::project_session(p, None);
                    // The service manager's channels are the server's, not its apps'.
                    let service = [
                        "NOTIFY_SOCKET",
                        "LISTEN_FDS",
                        "LISTEN_PID",
                        "LISTEN_FDNAMES",
                    ];
                    new.env.retain(|(k, _)| !service.contains(&k.as_str()));
                    new
                }),
                None => None,
            };
            let serve = || crate::server::run(&sock, mode, args.resurrect, first);
            if mode == Launch::Foreground && init::is_pid_one() {
                init::split(serve)
            } else {
                serve()
            }
        }
    }
}

/// How a new session inherits the client's world: its environment and working directory.
pub(crate) fn new_session(
    name: Option<String>,
    cmd: Vec<String>,
    size: Option<Size>,
) -> NewSession {
    NewSession {
        name,
        cmd,
        cwd: std::env::current_dir()
            .ok()
            .map(|d| d.display().to_string()),
        env: std::env::vars().collect(),
        size,
        apps: Vec::new(),
        project_file: None,
    }
}

fn attach_or_create(sock: &SocketPaths, new: Option<NewSession>) -> Result<()> {
    attach(
        sock,
        AttachRequest {
            target: None,
            size: Size { cols: 80, rows: 24 },
            read_only: false,
            term: TermInfo::default(),
            create: Some(new.unwrap_or_else(|| new_session(None, Vec::new(), None))),
            only_new: false,
        },
        false,
    )
}

/// Attaches; unless `force`, a client inside a pane says so first (its `$APPMUX`), and the
/// server refuses to attach the session it runs in to itself.
fn attach(sock: &SocketPaths, req: AttachRequest, force: bool) -> Result<()> {
    let create = req.create.is_some();
    let msg = attach::message(req)?;
    // The first message goes out with the handshake: one round trip less before the first
    // frame. Inside a pane, saying so comes first.
    let (first, then) = match std::env::var("APPMUX")
        .ok()
        .filter(|v| !v.is_empty() && !force)
    {
        Some(appmux) => (
            ClientMsg::Request(Request::InsidePane { appmux }),
            Some(msg),
        ),
        None => (msg, None),
    };
    let mut conn = if create {
        Connection::open_or_start_sending(sock, &first)?
    } else {
        Connection::open_sending(sock, &first)?
    };
    if let Some(msg) = then {
        conn.answer()?;
        conn.send(&msg)?;
    }
    let ending = attach::run(conn)?;
    println!("{}", ending.message());
    match ending {
        Ending::ServerGone { .. } => std::process::exit(EXIT_FAILURE),
        _ => Ok(()),
    }
}

fn new(sock: &SocketPaths, args: NewArgs, project: Option<crate::config::Project>) -> Result<()> {
    let size = match (args.width, args.height) {
        (None, None) => None,
        (w, h) => Some(Size {
            cols: w.unwrap_or(80),
            rows: h.unwrap_or(24),
        }),
    };
    let mut session = match project {
        Some(p) => apps::project_session(p, args.name),
        None => new_session(args.name, args.cmd, None),
    };
    session.size = size;
    if args.detached {
        let mut conn = Connection::open_or_start(sock)?;
        conn.request(Request::NewSession(session))?;
        return Ok(());
    }
    // Made by the attach itself, at this terminal's size (less the status line and the
    // sidebar) before its programs start: they never see a default size first.
    attach(
        sock,
        AttachRequest {
            target: None,
            size: Size { cols: 80, rows: 24 },
            read_only: false,
            term: TermInfo::default(),
            create: Some(session),
            only_new: true,
        },
        false,
    )
}

/// Connects without starting a server.
pub(crate) fn connect(sock: &SocketPaths) -> Result<Connection> {
    Connection::open(sock).map_err(|e| match e {
        ConnectError::NoServer(s) => anyhow::anyhow!("no server running on {s}"),
        ConnectError::Other(e) => e,
    })
}

/// Sends an action of the vocabulary, to run in `session` (the most recent one when `None`),
/// and returns the server's answer: what the action produced, or `Done`.
pub(crate) fn request_action(
    sock: &SocketPaths,
    session: Option<String>,
    action: &Action,
) -> Result<Reply> {
    connect(sock)?.request(Request::Action {
        session,
        action: action.to_string(),
    })
}

fn capture(sock: &SocketPaths, args: CaptureArgs) -> Result<()> {
    let capture = Capture {
        target: args.target.filter(|t| !t.is_empty()),
        ansi: args.ansi,
        scrollback: args.scrollback,
        start: args.start,
        end: args.end,
    };
    match request_action(sock, None, &Action::App(AppAction::Capture(capture)))? {
        Reply::Capture(text) => {
            std::io::stdout().lock().write_all(text.as_bytes())?;
            Ok(())
        }
        other => bail!("unexpected answer from the server: {other:?}"),
    }
}

/// `appmux resurrect`: starts a server if needed and prints what was restored.
fn resurrect(sock: &SocketPaths, kill_orphans: bool) -> Result<()> {
    let reply = Connection::open_or_start(sock)?.request(Request::Resurrect { kill_orphans })?;
    let Reply::Resurrected(r) = reply else {
        bail!("unexpected answer from the server: {reply:?}");
    };
    for s in &r.restored {
        println!("restored {s}");
    }
    for (saved, name) in &r.renamed {
        println!("restored {saved} as {name}: a different session named {saved} is running");
    }
    for s in &r.skipped {
        println!("skipped {s}: it is already running");
    }
    for o in &r.orphans {
        let what = if r.killed.contains(&o.pid) {
            "ended"
        } else {
            "still running (not started again; --kill-orphans ends it)"
        };
        println!(
            "left over from the previous server: {}:{} pid {} {what}",
            o.session, o.app, o.pid
        );
    }
    if let Some(aside) = &r.kept_aside {
        eprintln!("appmux: the state file had problems; it was kept as {aside}");
    }
    for p in &r.problems {
        eprintln!("appmux: could not restore {p}");
    }
    if !r.problems.is_empty() {
        bail!("not everything saved could be restored (see above)");
    }
    if r.restored.is_empty() && r.renamed.is_empty() && r.skipped.is_empty() {
        println!("nothing to restore");
    }
    Ok(())
}

/// An empty key types nothing, and an empty word is no argument of an action: they are left
/// out.
fn send_keys(sock: &SocketPaths, args: SendKeysArgs) -> Result<()> {
    let keys = SendKeys {
        target: args.target.filter(|t| !t.is_empty()),
        keys: args.keys.into_iter().filter(|k| !k.is_empty()).collect(),
        literal: args.literal,
    };
    request_action(sock, None, &Action::App(AppAction::SendKeys(keys)))?;
    Ok(())
}
