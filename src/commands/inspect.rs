//! The questions about apps: `appmux wait` (until apps meet a condition, for scripts and CI),
//! `appmux why` (one paragraph on an app's state) and `appmux describe` (everything about one
//! app). The server builds the answers; this prints them.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::request_action;
use crate::action::{Action, AppAction, Wait, WaitFor};
use crate::cli::{InspectArgs, WaitArgs};
use crate::paths::SocketPaths;
use crate::protocol::Reply;

/// How often `wait` (and the verbs that wait) ask again while an app is on its way.
pub(super) const POLL: Duration = Duration::from_millis(50);

pub(super) fn report(
    sock: &SocketPaths,
    target: Option<String>,
    action: AppAction,
) -> Result<Value> {
    match request_action(sock, target, &Action::App(action))? {
        Reply::Json(text) => serde_json::from_str(&text).context("reading the server's answer"),
        other => bail!("unexpected answer from the server: {other:?}"),
    }
}

pub fn wait(sock: &SocketPaths, args: WaitArgs) -> Result<()> {
    let condition = WaitFor::parse(&args.condition).unwrap_or_default();
    let deadline = args.timeout.map(|t| Instant::now() + t);
    let action = AppAction::Wait(Wait {
        apps: args.apps,
        condition,
    });
    loop {
        let answer = report(sock, args.target.clone(), action.clone())?;
        if answer["met"] == Value::Bool(true) {
            return Ok(());
        }
        if let Some(never) = answer["never"].as_array().filter(|n| !n.is_empty()) {
            let why: Vec<&str> = never.iter().filter_map(Value::as_str).collect();
            bail!("will not be {}: {}", condition.as_str(), why.join("; "));
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            let pending: Vec<String> = answer["apps"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|a| a["verdict"] == "pending")
                .map(|a| {
                    format!(
                        "{} is {}",
                        a["app"].as_str().unwrap_or("?"),
                        a["why"].as_str().unwrap_or("not there yet")
                    )
                })
                .collect();
            let limit = crate::config::units::format_duration(args.timeout.unwrap_or_default());
            bail!(
                "timed out after {limit} waiting for {}: {}",
                condition.as_str(),
                pending.join("; ")
            );
        }
        std::thread::sleep(POLL);
    }
}

pub fn why(sock: &SocketPaths, args: InspectArgs) -> Result<()> {
    let answer = report(sock, args.target, AppAction::Why(args.app))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        println!("{}", answer["text"].as_str().unwrap_or_default());
    }
    Ok(())
}

pub fn describe(sock: &SocketPaths, args: InspectArgs) -> Result<()> {
    let answer = report(sock, args.target, AppAction::Describe(args.app))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        print!("{}", describe_text(&answer));
    }
    Ok(())
}

/// `describe` for people: aligned `key: value` lines, then sections.
pub fn describe_text(d: &Value) -> String {
    let text = |v: &Value| match v {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out = String::new();
    let mut line = |k: &str, v: String| out.push_str(&format!("{k:<14}{v}\n"));
    line("app", text(&d["name"]));
    line("session", text(&d["session"]));
    line("state", text(&d["state"]));
    line("why", text(&d["why"]));
    line("pid", text(&d["pid"]));
    line(
        "uptime",
        d["uptime_s"]
            .as_u64()
            .map_or("-".into(), |s| format!("{s}s")),
    );
    line("restarts", text(&d["restarts"]));
    let exit = match (&d["exit_code"], &d["signal"]) {
        (Value::Number(c), _) => format!("code {c}"),
        (_, Value::Number(s)) => format!("signal {s}"),
        _ => "-".into(),
    };
    line("last exit", exit);
    line(
        "cpu",
        d["cpu_percent"]
            .as_f64()
            .map_or("-".into(), |c| format!("{c:.1}%")),
    );
    line(
        "memory",
        d["rss_bytes"]
            .as_u64()
            .map_or("-".into(), crate::metrics::human_bytes),
    );
    if let Some(group) = d["group"].as_str() {
        let of = format!(
            "{} of {group} ({} instances)",
            text(&d["instance"]),
            text(&d["instances"])
        );
        line("instance", of);
    }
    if !d["port"].is_null() {
        line("port", text(&d["port"]));
    }
    line("command", text(&d["command"]));
    line("cwd", text(&d["cwd"]));
    line(
        "restart",
        format!(
            "{} (max {} quick restarts, min uptime {})",
            text(&d["restart"]),
            text(&d["max_restarts"]),
            text(&d["min_uptime"])
        ),
    );
    line("stop timeout", text(&d["stop_timeout"]));
    for role in ["ready", "health"] {
        let p = &d["probes"][role];
        if p.is_null() {
            continue;
        }
        let last = match &p["last"] {
            Value::Null => "no result yet".to_owned(),
            l if l["ok"] == true => {
                format!("passed {:.1}s ago", l["ago_s"].as_f64().unwrap_or(0.0))
            }
            l => format!(
                "failed {:.1}s ago: {} ({} in a row)",
                l["ago_s"].as_f64().unwrap_or(0.0),
                text(&l["error"]),
                text(&l["consecutive_failures"])
            ),
        };
        line(
            &format!("{role} probe"),
            format!(
                "{} every {}, {}: {last}",
                text(&p["probe"]),
                text(&p["interval"]),
                text(&p["state"])
            ),
        );
    }
    for (key, label, next) in [
        ("cron_restart", "cron restart", "next_restart"),
        ("schedule", "schedule", "next_start"),
    ] {
        if let Value::String(expr) = &d[key] {
            line(label, format!("{expr} (next {})", text(&d[next])));
        }
    }
    if let Some(max) = d["max_memory"].as_u64() {
        line("max memory", crate::app::limits::megabytes(max));
    }
    let list = |v: &Value| -> String {
        let items: Vec<String> = v
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| match &x["condition"] {
                Value::String(c) => format!("{} ({c}, {})", text(&x["app"]), text(&x["state"])),
                _ => format!("{} ({})", text(&x["app"]), text(&x["state"])),
            })
            .collect();
        if items.is_empty() {
            "-".into()
        } else {
            items.join(", ")
        }
    };
    if let Some(w) = d["watch"].as_object() {
        let all = |key: &str| -> Vec<String> {
            let items = w.get(key).and_then(Value::as_array).into_iter().flatten();
            items.map(text).collect()
        };
        let ignore = match all("ignore") {
            none if none.is_empty() => String::new(),
            some => format!(", ignoring {}", some.join(" ")),
        };
        let debounce = w.get("debounce").map(text).unwrap_or_default();
        line(
            "watch",
            format!("{} (debounce {debounce}{ignore})", all("paths").join(" ")),
        );
    }
    line("depends on", list(&d["dependencies"]));
    line("dependents", list(&d["dependents"]));
    if let Some(env) = d["env"].as_object().filter(|e| !e.is_empty()) {
        out.push_str("env\n");
        for (k, v) in env {
            out.push_str(&format!("  {k}={}\n", text(v)));
        }
    }
    out.push_str("logs\n");
    for l in d["logs"].as_array().into_iter().flatten() {
        let size = l["bytes"]
            .as_u64()
            .map_or("-".into(), crate::metrics::human_bytes);
        out.push_str(&format!("  {} ({size})\n", text(&l["file"])));
    }
    out
}
