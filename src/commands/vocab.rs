//! `appmux action`: `list` prints the command table (for people, or `--json` for programs),
//! and `appmux action NAME [ARGS]` checks one action here (a bad one is a usage error), has
//! the server run it, and prints what it produced.

use std::io::Write;

use anyhow::Result;

use crate::action::{Action, Arg, ArgKind, Spec, table};
use crate::cli::ActionArgs;
use crate::commands::{BadConfig, request_action};
use crate::contract::{ActionArgInfo, ActionEntry, SCHEMA};
use crate::paths::SocketPaths;
use crate::protocol::Reply;

pub fn action(sock: &SocketPaths, args: ActionArgs) -> Result<()> {
    if args.name == "list" {
        let mut out = std::io::stdout().lock();
        // Written as text in one go, so that a closed stdout is an `io::Error` (a clean exit).
        if args.json {
            writeln!(out, "{}", serde_json::to_string_pretty(&table_json())?)?;
        } else {
            write!(out, "{}", table_text())?;
        }
        return Ok(());
    }
    let parsed = Action::from_args(&args.name, &args.args).map_err(|e| BadConfig(e.to_string()))?;
    let reply = request_action(sock, args.target, &parsed)?;
    let mut out = std::io::stdout().lock();
    match reply {
        Reply::Done => {}
        Reply::List(report) => {
            let doc = crate::contract::LsDocument::of(report);
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?
        }
        Reply::Json(text) => writeln!(out, "{text}")?,
        Reply::Capture(text) => out.write_all(text.as_bytes())?,
        Reply::Created { name } => writeln!(out, "{name}")?,
        Reply::App { session, name, .. } => writeln!(out, "{session}:{name}")?,
        Reply::Reloaded(plan) => writeln!(out, "{}", plan.lines().join("\n"))?,
        other => writeln!(out, "{other:?}")?,
    }
    Ok(())
}

/// The table for people: each entry's `NAME USAGE` line, then, indented, what it does, its
/// arguments and options, and its other names.
pub fn table_text() -> String {
    let mut s = String::new();
    for spec in table() {
        s.push_str(format!("{} {}", spec.name, spec.usage).trim_end());
        s.push('\n');
        s.push_str(&format!("    {}\n", spec.about));
        for arg in spec.args {
            s.push_str(&format!("    {:<22} {}\n", arg_form(arg), arg.about));
        }
        if !spec.aliases.is_empty() {
            s.push_str(&format!("    also: {}\n", spec.aliases.join(", ")));
        }
    }
    s
}

/// How an argument is written on the command line.
fn arg_form(arg: &Arg) -> String {
    let key = arg.key;
    match (arg.kind, arg.required) {
        (ArgKind::Flag, _) => format!("--{key}"),
        (ArgKind::Value, _) => format!("--{key} {}", key.to_uppercase()),
        (ArgKind::Word, true) => format!("<{key}>"),
        (ArgKind::Word, false) => format!("[{key}]"),
        (ArgKind::Words, true) => format!("<{key}...>"),
        (ArgKind::Words, false) => format!("[{key}...]"),
    }
}

/// The table for programs: one object per entry, with its arguments (stable keys, documented
/// in the README). A bare array, as it always was, so each entry carries `schema`.
pub fn table_json() -> Vec<ActionEntry> {
    table().iter().map(spec_json).collect()
}

fn spec_json(spec: &Spec) -> ActionEntry {
    let strings = |s: &[&str]| s.iter().map(|a| (*a).to_owned()).collect();
    let args = spec
        .args
        .iter()
        .map(|a| ActionArgInfo {
            key: a.key.to_owned(),
            aliases: strings(a.aliases),
            kind: a.kind.as_str().to_owned(),
            required: a.required,
            api_required: a.api_needs.is_some(),
            about: a.about.to_owned(),
        })
        .collect();
    ActionEntry {
        schema: SCHEMA,
        name: spec.name.to_owned(),
        aliases: strings(spec.aliases),
        layer: spec.layer.as_str().to_owned(),
        usage: spec.usage.to_owned(),
        about: spec.about.to_owned(),
        args,
    }
}

/// `appmux popup [-w W] [-h H] -- CMD`: the `pane.popup` action, with its size checked here.
pub fn popup(sock: &SocketPaths, args: crate::cli::PopupArgs) -> Result<()> {
    let mut words = Vec::new();
    for (key, value) in [("--width", &args.width), ("--height", &args.height)] {
        if let Some(v) = value {
            words.push(key.to_owned());
            words.push(v.clone());
        }
    }
    words.push("--".to_owned());
    words.extend(args.cmd);
    let parsed = Action::from_args("pane.popup", &words).map_err(|e| BadConfig(e.to_string()))?;
    request_action(sock, args.target, &parsed).map(drop)
}
