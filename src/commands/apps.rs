//! The supervisor verbs on the client side: project files (found and validated here, so a bad
//! file is reported with its location before anything starts), ad-hoc
//! `run` (and `--save`), delete, flush and reload, which are actions of the vocabulary, `logs`
//! (byte for byte; by line, with times, is the `logs` module), and `check`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::action::{Action, AppAction, Delete, RunApp, SessionAction};
use crate::cli::{DeleteArgs, FlushArgs, LogsArgs, ReloadArgs, RunArgs};
use crate::commands::{BadConfig, new_session, request_action};
use crate::config::{self, Project, RestartPolicy};
use crate::paths::{self, Named, SocketPaths};
use crate::protocol::{NewSession, Reply, Request, SessionInfo};
use crate::server::model::check_session_name;

/// The project to use: `-c FILE`, else the one `APPMUX_CONFIG` names, else `appmux.toml` (or
/// a `Procfile`) in this directory or the nearest parent (`config::discover`). Invalid files
/// are errors.
pub fn project(explicit: Option<&Path>) -> Result<Option<Project>> {
    let Some(file) = project_file(explicit)? else {
        return Ok(None);
    };
    config::load_project(&file)
        .map(Some)
        .map_err(|e| BadConfig(e.to_string()).into())
}

/// Which file [`project`] loads, without loading it.
pub fn project_file(explicit: Option<&Path>) -> Result<Option<PathBuf>> {
    if let Some(f) = explicit {
        if !f.exists() {
            bail!(BadConfig(format!("{}: no such file", f.display())));
        }
        return Ok(Some(f.to_owned()));
    }
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let named = std::env::var_os(config::CONFIG_VAR);
    config::discover_project(&cwd, named.as_deref()).map_err(|e| BadConfig(e).into())
}

/// A session request for a project (named by `-s` when given). The session belongs to the
/// project file's directory: that is its working directory, wherever the command ran.
pub fn project_session(p: Project, name: Option<String>) -> NewSession {
    let mut new = new_session(Some(name.unwrap_or(p.session)), Vec::new(), None);
    if let Some(dir) = p.file.parent() {
        new.cwd = Some(dir.display().to_string());
    }
    new.apps = p.apps;
    new.project_file = Some(p.file.display().to_string());
    new
}

/// `delete` (`rm`): the apps leave the session; an unknown name changes nothing.
pub fn delete(sock: &SocketPaths, args: DeleteArgs) -> Result<()> {
    let delete = Delete {
        apps: args.apps,
        force: args.force,
    };
    request_action(sock, args.target, &Action::App(AppAction::Delete(delete)))?;
    Ok(())
}

/// `flush`: returns once the logs are empty, since the emptying is queued behind the output
/// the log thread still has to write.
pub fn flush(sock: &SocketPaths, args: FlushArgs) -> Result<()> {
    request_action(sock, args.target, &Action::App(AppAction::Flush(args.apps)))?;
    crate::commands::connect(sock)?.request(Request::FlushLogs)?;
    Ok(())
}

/// `reload`: prints the plan, one line per app (`no changes` when there is nothing to do).
pub fn reload(sock: &SocketPaths, args: ReloadArgs) -> Result<()> {
    let reload = Action::App(AppAction::Reload {
        dry_run: args.dry_run,
    });
    match request_action(sock, args.target, &reload)? {
        Reply::Reloaded(plan) => {
            let mut out = std::io::stdout().lock();
            for line in plan.lines() {
                writeln!(out, "{line}")?;
            }
            Ok(())
        }
        other => bail!("unexpected answer from the server: {other:?}"),
    }
}

pub fn run(sock: &SocketPaths, args: RunArgs) -> Result<()> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let cwd = cwd
        .to_str()
        .context("the current directory's name is not UTF-8")?;
    let run = RunApp {
        cmd: args.cmd,
        name: args.name,
        restart: args.restart.as_deref().and_then(RestartPolicy::parse),
        cwd: Some(cwd.to_owned()),
    };
    let reply = request_action(sock, args.target, &Action::App(AppAction::Run(run.clone())))?;
    let Reply::App {
        session,
        name,
        project_file,
    } = reply
    else {
        bail!("unexpected answer from the server: {reply:?}");
    };
    println!("{session}:{name}");
    if args.save {
        let file = project_file
            .with_context(|| format!("session {session} has no appmux.toml to save to"))?;
        config::append_app(Path::new(&file), &name, &run.command(), run.restart)
            .map_err(|e| BadConfig(e.to_string()))?;
        println!("saved to {file}");
    }
    Ok(())
}

/// Where an app's log lives: `SESSION:APP` or `-t SESSION` names the session; otherwise the
/// live session that has the app, or the one session directory with a log by that name. A
/// session or app that is not found, or an app name found in several sessions, is an error
/// that says which (and, for the latter, the sessions to choose from).
pub(crate) fn log_path(sock: &SocketPaths, app: &str, target: Option<&str>) -> Result<PathBuf> {
    let (session, app) = match app.split_once(':') {
        Some((s, a)) => (Some(s.to_owned()), a.to_owned()),
        None => (target.map(str::to_owned), app.to_owned()),
    };
    if app.is_empty() || app.contains('/') {
        bail!("no app `{app}`");
    }
    let live = live_sessions(sock);
    match session {
        Some(s) => session_log_path(sock, &live, &s, &app),
        None => any_session_log_path(sock, &live, &app),
    }
}

/// The sessions of a running server; none when there is no server.
pub(crate) fn live_sessions(sock: &SocketPaths) -> Vec<SessionInfo> {
    let list = Request::Action {
        session: None,
        action: Action::Session(SessionAction::List).to_string(),
    };
    crate::client::connect::Connection::open(sock)
        .ok()
        .and_then(|mut conn| match conn.request(list) {
            Ok(Reply::List(report)) => Some(report.sessions),
            _ => None,
        })
        .unwrap_or_default()
}

/// The log of `app` in session `session`: the live app's, else one left on disk.
fn session_log_path(
    sock: &SocketPaths,
    live: &[SessionInfo],
    session: &str,
    app: &str,
) -> Result<PathBuf> {
    if check_session_name(session).is_err() || session.contains('/') {
        bail!("can't find session {session}");
    }
    let live_session = live.iter().find(|s| s.name == session);
    if let Some(a) = live_session.and_then(|s| s.apps.iter().find(|a| a.name == app)) {
        return Ok(PathBuf::from(&a.log_file));
    }
    let dir = paths::session_log_dir(&sock.label(), session)?;
    let path = paths::app_log_file(&dir, app);
    if path.exists() {
        return Ok(path);
    }
    match live_session {
        Some(s) => {
            let names: Vec<&str> = s.apps.iter().map(|a| a.name.as_str()).collect();
            bail!(
                "session {session} has no app `{app}` (its apps: {})",
                names.join(", ")
            )
        }
        None if dir.is_dir() => bail!("session {session} has no app `{app}` and no log for it"),
        None => bail!("can't find session {session}"),
    }
}

/// The log of `app` in whichever session has it: a live one first, else the logs on disk.
fn any_session_log_path(sock: &SocketPaths, live: &[SessionInfo], app: &str) -> Result<PathBuf> {
    let in_live: Vec<(&str, &str)> = live
        .iter()
        .flat_map(|s| s.apps.iter().map(move |a| (s.name.as_str(), a)))
        .filter(|(_, a)| a.name == app)
        .map(|(s, a)| (s, a.log_file.as_str()))
        .collect();
    let found: Vec<(String, PathBuf)> = match in_live.as_slice() {
        [] => {
            let logs = paths::app_logs_dir(&sock.label())?;
            let mut on_disk: Vec<(String, PathBuf)> = std::fs::read_dir(&logs)
                .map(|d| {
                    d.filter_map(|e| {
                        let e = e.ok()?;
                        let path = paths::app_log_file(&e.path(), app);
                        path.exists()
                            .then(|| (e.file_name().to_string_lossy().into_owned(), path))
                    })
                    .collect()
                })
                .unwrap_or_default();
            on_disk.sort();
            on_disk
        }
        live => live
            .iter()
            .map(|(s, log)| ((*s).to_owned(), PathBuf::from(log)))
            .collect(),
    };
    match found.as_slice() {
        [(_, path)] => Ok(path.clone()),
        [] => bail!("no app `{app}` in any session, and no log by that name"),
        several => {
            let names: Vec<&str> = several.iter().map(|(s, _)| s.as_str()).collect();
            bail!(
                "app `{app}` is in several sessions: {}; choose one with -t SESSION or SESSION:{app}",
                names.join(", ")
            )
        }
    }
}

/// The longest `logs` waits for the server to write what it has queued.
const FLUSH_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

pub fn logs(sock: &SocketPaths, args: LogsArgs) -> Result<()> {
    let app = args.app.as_deref().unwrap_or_default();
    let path = log_path(sock, app, args.target.as_deref())?;
    flush_logs(sock);
    let (data, read_up_to) = crate::logs::tail_to(&path, Some(args.count()))
        .with_context(|| format!("reading {}", path.display()))?;
    let mut out = std::io::stdout().lock();
    out.write_all(&data)?;
    out.flush()?;
    if args.follow {
        crate::logs::follow(&path, read_up_to, &mut out)?;
    }
    Ok(())
}

/// A live server writes logs on a thread of its own: have it write what it has queued, so the
/// output is all there. Without a server there is nothing pending; with a stuck log file
/// system the wait is bounded and the files are read as they are.
pub(crate) fn flush_logs(sock: &SocketPaths) {
    if let Ok(mut conn) = crate::client::connect::Connection::open(sock) {
        let _ = conn.stream.set_read_timeout(Some(FLUSH_WAIT));
        if let Err(e) = conn.request(Request::FlushLogs) {
            tracing::debug!("logs not flushed: {e:#}");
        }
    }
}

/// `appmux check [FILE] [--json]`: every problem, located, on stderr (or in the JSON document
/// on stdout); exit 2 when there is one.
///
/// FILE is a project file, or a keymap or theme when it sits in a `keymaps/` or `themes/`
/// directory. The user's `config.toml` and every `*.toml` in their `keymaps/` and `themes/`
/// directories are checked too.
pub fn check(file: Option<&Path>, json: bool) -> Result<()> {
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    let named = file.and_then(named_kind);
    let project = match file {
        Some(_) if named.is_some() => None,
        Some(f) => Some(f.to_owned()),
        None => project_file(None)?,
    };
    if let Some(f) = &project {
        if f.exists() {
            problems.extend(config::check_project(f).into_iter().map(|e| e.to_string()));
        } else {
            problems.push(format!("{}: no such file", f.display()));
        }
        checked.push(f.display().to_string());
    }
    if let (Some(f), Some(kind)) = (file, named) {
        if f.exists() {
            problems.extend(check_named(f, kind));
        } else {
            problems.push(format!("{}: no such file", f.display()));
        }
        checked.push(f.display().to_string());
    }
    let config_dir = paths::config_dir()?;
    let options = paths::options_file(&config_dir);
    if options.exists() {
        problems.extend(check_options(&config_dir, &options));
        checked.push(options.display().to_string());
    }
    for kind in [Named::Keymap, Named::Theme] {
        for f in toml_files(&paths::named_dir(&config_dir, kind)) {
            if file.is_some_and(|given| same_file(given, &f)) {
                continue;
            }
            problems.extend(check_named(&f, kind));
            checked.push(f.display().to_string());
        }
    }
    if json {
        let report = crate::contract::CheckReport {
            schema: crate::contract::SCHEMA,
            ok: problems.is_empty(),
            checked,
            problems,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
        if report.ok {
            return Ok(());
        }
        std::process::exit(crate::commands::EXIT_USAGE);
    }
    if problems.is_empty() {
        for f in &checked {
            println!("{f}: ok");
        }
        if checked.is_empty() {
            println!(
                "nothing to check: no appmux.toml here, and no config.toml, keymaps or themes"
            );
        }
        return Ok(());
    }
    let mut err = std::io::stderr().lock();
    for p in &problems {
        writeln!(err, "{p}")?;
    }
    std::process::exit(crate::commands::EXIT_USAGE);
}

/// Every problem in the options file, and the prefix key it sets if that would leave its keymap
/// no way to detach.
fn check_options(config_dir: &Path, file: &Path) -> Vec<String> {
    let (options, errors) = config::options::load_options_leniently(file);
    let mut problems: Vec<String> = errors.iter().map(ToString::to_string).collect();
    if let Some(prefix) = options.as_ref().and_then(|o| o.prefix) {
        let keymap = options.map(|o| o.keymap).unwrap_or_default();
        let (keymap, _) = config::load_keymap(config_dir, &keymap);
        if let Err(message) = keymap.with_prefix(prefix) {
            problems.push(format!("{}: {message}", file.display()));
        }
    }
    problems
}

/// A keymap or theme, by the name of the directory `file` is in.
fn named_kind(file: &Path) -> Option<Named> {
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_owned());
    let dir = file.parent()?.file_name()?;
    [Named::Keymap, Named::Theme]
        .into_iter()
        .find(|kind| dir == kind.dir_name())
}

/// Every problem in one keymap or theme file, named by its file stem.
fn check_named(file: &Path, kind: Named) -> Vec<String> {
    let name = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let result = config::project::read_text(file)
        .map_err(|e| vec![e])
        .and_then(|text| match kind {
            Named::Keymap => match config::keymap::parse_user_keymap(&text, file, &name) {
                Ok((_, errors)) if errors.is_empty() => Ok(()),
                Ok((_, errors)) | Err(errors) => Err(errors),
            },
            Named::Theme => config::parse_theme(&text, file, &name).map(drop),
        });
    result
        .err()
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// The `*.toml` files in `dir`, sorted; none when it does not exist.
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| Some(e.ok()?.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
