//! `appmux logs` by line: with times (`--timestamps`), selected by time (`--since`,
//! `--until`) or pattern (`--grep`), as JSON (`--json`), and for every app of a session at
//! once in time order when no app is named. Plain `appmux logs APP` stays byte for byte, in
//! `apps`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::cli::LogsArgs;
use crate::commands::apps::{flush_logs, live_sessions, log_path, project};
use crate::logs::query::{self, Filter};
use crate::logs::show::{self, Format};
use crate::paths::{self, SocketPaths};

pub fn by_line(sock: &SocketPaths, args: LogsArgs, config: Option<&Path>) -> Result<()> {
    let logs: Vec<(String, PathBuf)> = match &args.app {
        Some(app) => {
            let path = log_path(sock, app, args.target.as_deref())?;
            let name = app.split_once(':').map_or(app.as_str(), |(_, a)| a);
            vec![(name.to_owned(), path)]
        }
        None => session_logs(sock, args.target.as_deref(), config)?,
    };
    flush_logs(sock);
    let filter = Filter {
        since: args.since,
        until: args.until,
        grep: args.grep.clone(),
    };
    let stdout = std::io::stdout();
    let fmt = Format {
        timestamps: args.timestamps,
        json: args.json,
        ansi: args.ansi,
        names: args
            .app
            .is_none()
            .then(|| logs.iter().map(|(a, _)| a.len()).max().unwrap_or(0)),
        colour: stdout.is_terminal(),
    };
    let mut per_app = Vec::new();
    let mut follow = Vec::new();
    for (app, path) in &logs {
        let (lines, up_to) = query::read_lines(path, &filter, args.count(), args.follow)
            .with_context(|| format!("reading {}", path.display()))?;
        per_app.push(lines);
        follow.push((app.clone(), path.clone(), up_to));
    }
    // Buffered: stdout alone writes each line on its own (a system call a line).
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    for (i, line) in query::last_n(query::merge(per_app), args.count()) {
        show::print_line(&mut out, &fmt, i, &logs[i].0, &line)?;
    }
    out.flush()?;
    if args.follow {
        show::follow_all(follow, &filter, &fmt, &mut out)?;
    }
    Ok(())
}

/// Every app log of a session: `-t SESSION`, else the project session (of `-c FILE`, or the
/// one `apps::project` finds from this directory) when it runs, else the newest running session. A live session's apps, in its order; a session that
/// does not run, by the logs left in its directory.
fn session_logs(
    sock: &SocketPaths,
    target: Option<&str>,
    config: Option<&Path>,
) -> Result<Vec<(String, PathBuf)>> {
    let live = live_sessions(sock);
    let here = project(config).ok().flatten().map(|p| p.session);
    let name = match (target, here) {
        (Some(t), _) => t.to_owned(),
        (None, Some(h)) if live.iter().any(|s| s.name == h) => h,
        _ => match live.iter().max_by_key(|s| s.created) {
            Some(s) => s.name.clone(),
            None => bail!("no session is running; name one with -t SESSION"),
        },
    };
    if let Some(s) = live.iter().find(|s| s.name == name) {
        let apps = s.apps.iter();
        return Ok(apps
            .map(|a| (a.name.clone(), PathBuf::from(&a.log_file)))
            .collect());
    }
    if crate::server::model::check_session_name(&name).is_err() || name.contains('/') {
        bail!("can't find session {name}");
    }
    let dir = paths::session_log_dir(&sock.label(), &name)?;
    let Ok(entries) = std::fs::read_dir(&dir) else {
        bail!("can't find session {name}");
    };
    let mut found: Vec<(String, PathBuf)> = entries
        .filter_map(|e| {
            let path = e.ok()?.path();
            let app = path.file_name()?.to_str()?.strip_suffix(".log")?.to_owned();
            Some((app, path))
        })
        .collect();
    found.sort();
    Ok(found)
}
