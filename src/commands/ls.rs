//! `appmux ls`: the sessions-and-apps report, as a table per session for people (state with
//! the sidebar's glyph, pid, uptime, restarts, CPU, memory, readiness and health) or as the
//! stable `--json`. Colour only on a terminal and without `NO_COLOR`. Reads only.

use std::io::{IsTerminal, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Result, bail};
use ratatui::style::Style;

use crate::action::{Action, SessionAction};
use crate::cli::LsArgs;
use crate::client::connect::{ConnectError, Connection};
use crate::config::theme::Theme;
use crate::contract::LsDocument;
use crate::paths::SocketPaths;
use crate::protocol::{AppInfo, ListReport, Reply, Request};
use crate::render::sidebar::Status;

pub(super) fn ls(sock: &SocketPaths, args: &LsArgs) -> Result<()> {
    // `ls --json` with no server is an empty listing (as `pm2 jlist` prints), unless it asks
    // for a session, which is then not found.
    let report = list(sock, args.json && args.target.is_none())?;
    let Some(mut report) = report else {
        return print_json(&LsDocument::no_server());
    };
    if let Some(name) = &args.target {
        only_session(&mut report, name)?;
    }
    if args.json {
        print_json(&LsDocument::of(report))
    } else {
        let mut out = std::io::stdout().lock();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let colour = out.is_terminal() && !no_color;
        write!(out, "{}", format_ls(&report, now_secs(), colour))?;
        Ok(())
    }
}

/// The server's listing; `None` when no server runs and `quiet_without_server` says that is
/// no error.
fn list(sock: &SocketPaths, quiet_without_server: bool) -> Result<Option<ListReport>> {
    let mut conn = match Connection::open(sock) {
        Ok(conn) => conn,
        Err(ConnectError::NoServer(_)) if quiet_without_server => return Ok(None),
        Err(ConnectError::NoServer(s)) => bail!("no server running on {s}"),
        Err(ConnectError::Other(e)) => return Err(e),
    };
    let request = Request::Action {
        session: None,
        action: Action::Session(SessionAction::List).to_string(),
    };
    match conn.request(request)? {
        Reply::List(r) => Ok(Some(r)),
        other => bail!("unexpected answer from the server: {other:?}"),
    }
}

fn print_json(doc: &LsDocument) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, doc)?;
    writeln!(out)?;
    Ok(())
}

/// Keeps only session `name`; an unknown one is an error with a did-you-mean.
fn only_session(report: &mut ListReport, name: &str) -> Result<()> {
    if !report.sessions.iter().any(|s| s.name == name) {
        let hint = crate::suggest::closest(name, report.sessions.iter().map(|s| s.name.as_str()))
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
        bail!("can't find session {name}{hint}");
    }
    report.sessions.retain(|s| s.name == name);
    Ok(())
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

const HEADER: [&str; 8] = [
    "NAME", "STATE", "PID", "UPTIME", "RESTARTS", "CPU", "MEM", "READY",
];

/// `ls` for humans: a line per session, then a table of its apps, a note after the columns
/// for an app waiting for its dependencies or blocked.
pub fn format_ls(report: &ListReport, now: u64, colour: bool) -> String {
    let theme = Theme::default();
    let mut s = String::new();
    for session in &report.sessions {
        let attached = match session.attached {
            0 => String::new(),
            n => format!(" ({n} attached)"),
        };
        s.push_str(&format!(
            "{}: {} app{} (created {} ago){attached}\n",
            session.name,
            session.apps.len(),
            if session.apps.len() == 1 { "" } else { "s" },
            human_duration(now.saturating_sub(session.created)),
        ));
        if session.apps.is_empty() {
            continue;
        }
        let rows: Vec<[String; 8]> = session.apps.iter().map(row).collect();
        let mut widths = HEADER.map(str::len);
        for r in &rows {
            for (w, cell) in widths.iter_mut().zip(r) {
                *w = (*w).max(cell.chars().count());
            }
        }
        push_row(&mut s, &HEADER.map(str::to_owned), &widths, None);
        for (app, r) in session.apps.iter().zip(&rows) {
            let glyph = colour.then(|| status_of(app).glyph(&theme).1);
            push_row(&mut s, r, &widths, glyph);
            if let Some(note) = note(app) {
                s.truncate(s.trim_end().len());
                s.push_str(&format!("  {note}\n"));
            }
        }
    }
    s
}

/// One table line, indented, columns padded to `widths`; the state cell's glyph (its first
/// character) in `glyph`'s colour when given.
fn push_row(s: &mut String, cells: &[String; 8], widths: &[usize; 8], glyph: Option<Style>) {
    let mut line = String::from("  ");
    for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
        let pad = w.saturating_sub(cell.chars().count());
        if i > 0 {
            line.push_str("  ");
        }
        match (i, glyph.and_then(|g| crate::render::sgr::foreground(g.fg?))) {
            (1, Some(on)) => {
                let mut chars = cell.chars();
                let first = chars.next().unwrap_or(' ');
                line.push_str(&format!("{on}{first}\x1b[39m{}", chars.as_str()));
            }
            _ => line.push_str(cell),
        }
        line.push_str(&" ".repeat(pad));
    }
    s.push_str(line.trim_end());
    s.push('\n');
}

/// An app's cells, in `HEADER`'s order; `-` where there is nothing to say.
fn row(app: &AppInfo) -> [String; 8] {
    let dash = || "-".to_owned();
    let (glyph, _) = status_of(app).glyph(&Theme::default());
    [
        app.name.clone(),
        format!("{glyph} {}", state_word(app)),
        app.pid.map_or_else(dash, |p| p.to_string()),
        app.uptime_s.map_or_else(dash, human_duration),
        app.restarts.to_string(),
        app.cpu_percent.map_or_else(dash, |c| format!("{c:.1}%")),
        app.rss_bytes.map_or_else(dash, crate::metrics::human_bytes),
        ready_health(app).unwrap_or_else(dash),
    ]
}

/// The sidebar's status for an app of a listing (its glyph and colour).
fn status_of(app: &AppInfo) -> Status {
    match app.state.as_str() {
        _ if app.blocked.is_some() => Status::Blocked,
        _ if !app.waiting_for.is_empty() => Status::Pending,
        "running" if app.health.as_deref() == Some("unhealthy") => Status::Unhealthy,
        "running" if app.ready == Some(true) => Status::Ready,
        "running" if app.ready == Some(false) => Status::Starting,
        "running" => Status::Running,
        "stopping" => Status::Stopping,
        "errored" => Status::Errored,
        "exited" => match (app.exit_code, app.signal) {
            (_, Some(sig)) => Status::Signaled(sig),
            (c, _) => Status::Exited(c.unwrap_or(0)),
        },
        "waiting" => Status::Waiting(std::time::Duration::ZERO),
        _ => Status::Stopped,
    }
}

/// The state word with its exit: `exited 3`, `killed by TERM`, `waiting` (to restart).
fn state_word(app: &AppInfo) -> String {
    match (app.exit_code, app.signal) {
        (Some(c), _) => format!("{} {c}", app.state),
        (_, Some(sig)) => format!("killed by {}", crate::pane::process::signal_name(sig)),
        _ => app.state.clone(),
    }
}

/// `ready`, `not ready`, `healthy`, `unhealthy`, or both; none without probes.
fn ready_health(app: &AppInfo) -> Option<String> {
    let ready = app.ready.map(|r| if r { "ready" } else { "not ready" });
    match (ready, app.health.as_deref()) {
        (Some(r), Some(h)) => Some(format!("{r}, {h}")),
        (r, h) => r.or(h).map(str::to_owned),
    }
}

/// What a waiting app waits for, and why it cannot start when blocked.
fn note(app: &AppInfo) -> Option<String> {
    let mut note = None;
    if !app.waiting_for.is_empty() {
        let what: Vec<String> = app
            .waiting_for
            .iter()
            .map(|d| format!("{} {}", d.app, d.condition))
            .collect();
        note = Some(format!("waiting for {}", what.join(", ")));
    }
    if let Some(why) = &app.blocked {
        let before = note.map(|n| format!("{n} ")).unwrap_or_default();
        note = Some(format!("{before}(blocked: {why})"));
    }
    note
}

fn human_duration(secs: u64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        s => format!("{}d{:02}h", s / 86400, s % 86400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{DependencyInfo, SessionInfo};

    fn app(name: &str, state: &str) -> AppInfo {
        AppInfo {
            name: name.into(),
            state: state.into(),
            pid: None,
            exit_code: None,
            signal: None,
            restarts: 0,
            uptime_s: None,
            cpu_percent: None,
            rss_bytes: None,
            cmd: vec!["sh".into()],
            log_dropped: 0,
            log_file: String::new(),
            ready: None,
            health: None,
            waiting_for: Vec::new(),
            blocked: None,
            depends_on: Vec::new(),
            instance: None,
            group: None,
            watch: Vec::new(),
            next_run: None,
        }
    }

    fn report(apps: Vec<AppInfo>) -> ListReport {
        ListReport {
            orphans: Vec::new(),
            server_pid: 1,
            sessions: vec![SessionInfo {
                name: "work".into(),
                created: 100,
                attached: 2,
                project_file: None,
                apps,
            }],
        }
    }

    #[test]
    fn ls_prints_a_table_per_session_with_glyphs_and_probes() {
        let api = AppInfo {
            pid: Some(4242),
            restarts: 2,
            uptime_s: Some(3720),
            cpu_percent: Some(1.25),
            rss_bytes: Some(12 * 1024 * 1024),
            ready: Some(true),
            health: Some("healthy".into()),
            ..app("api", "running")
        };
        let sh = AppInfo {
            exit_code: Some(3),
            ..app("sh", "exited")
        };
        let web = AppInfo {
            waiting_for: vec![DependencyInfo {
                app: "api".into(),
                condition: "ready".into(),
                restart: None,
            }],
            ..app("web", "waiting")
        };
        let text = format_ls(&report(vec![api, sh, web]), 100 + 125, false);
        assert_eq!(
            text,
            "work: 3 apps (created 2m ago) (2 attached)\n\
             \x20 NAME  STATE       PID   UPTIME  RESTARTS  CPU   MEM    READY\n\
             \x20 api   ● running   4242  1h02m   2         1.2%  12.0M  ready, healthy\n\
             \x20 sh    ✗ exited 3  -     -       0         -     -      -\n\
             \x20 web   ⧗ waiting   -     -       0         -     -      -  waiting for api ready\n"
        );
    }

    #[test]
    fn colour_wraps_only_the_glyph_and_only_when_asked() {
        let text = format_ls(&report(vec![app("db", "errored")]), 100, true);
        let line = text.lines().nth(2).unwrap();
        assert!(line.contains("\x1b[91m✖\x1b[39m errored"), "{line:?}");
        assert!(!format_ls(&report(vec![app("db", "errored")]), 100, false).contains('\x1b'));
    }

    #[test]
    fn an_unknown_session_is_an_error_with_a_hint_and_a_known_one_is_kept_alone() {
        let mut r = report(vec![app("db", "stopped")]);
        let err = only_session(&mut r, "wrok").unwrap_err().to_string();
        assert_eq!(err, "can't find session wrok; did you mean `work`?");
        assert_eq!(r.sessions.len(), 1);
        only_session(&mut r, "work").unwrap();
        assert_eq!(r.sessions[0].name, "work");
    }
}
