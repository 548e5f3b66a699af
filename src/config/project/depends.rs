//! `depends_on` in an `[[app]]`, and the checks that span a project's apps.
//!
//! This module owns reading the three forms (a list of names, each waiting for `ready`; a
//! table of conditions; a table per dependency with `condition` and `restart`) into
//! `Dependency` values, each with the place it names its app, and the project-wide checks on
//! them: a name that is no app of the project (with a did-you-mean), an app that depends on
//! itself, and cycles, located at the entries that form them. The vocabulary and the cycle
//! search are the `dependency` leaf's; the graph and what the conditions mean at run time are
//! the supervisor's.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::config::doc::{Keys, Report, Value, article, list};
use crate::dependency::{Condition, Dependency, GraphError, find_cycle};

/// One dependency as written, with where it names its app.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub dep: Dependency,
    pub at: Range<usize>,
}

/// One app's name as written (if it is a string) and its `depends_on`, for the checks that
/// span apps.
pub(super) struct Declared<'a> {
    pub name: Option<&'a str>,
    pub entries: Vec<Entry>,
}

pub(crate) const ENTRY_KEYS: Keys = Keys {
    context: "a `depends_on` entry",
    known: &["condition", "restart"],
    aliases: &[("on", "condition"), ("restart_on_change", "restart")],
};

/// The conditions in the order messages list them.
const CONDITIONS: [Condition; 3] = [Condition::Started, Condition::Ready, Condition::Completed];

/// Spellings from docker compose (and near misses of ours) and the condition meant.
const CONDITION_ALIASES: &[(&str, Condition)] = &[
    ("service_started", Condition::Started),
    ("running", Condition::Started),
    ("service_healthy", Condition::Ready),
    ("healthy", Condition::Ready),
    ("service_completed_successfully", Condition::Completed),
    ("complete", Condition::Completed),
    ("exited", Condition::Completed),
];

/// The most cycles one check reports: each costs a walk of the whole graph, and a file with
/// more has one fix to make first anyway.
const MAX_CYCLES: usize = 16;

/// Reads a `depends_on` value in any of its forms, reporting every problem. The entries are in
/// the order written.
pub(super) fn parse(report: &mut Report<'_>, value: &Value<'_>) -> Vec<Entry> {
    let mut entries = match value.get_ref() {
        DeValue::Array(items) => items.iter().filter_map(|i| short(report, i)).collect(),
        DeValue::Table(table) => long(report, table),
        other => {
            let found = article(other);
            let message = format!(
                "`depends_on`: expected an array of app names or a table of conditions, found {found}"
            );
            report.error(&value.span(), message);
            Vec::new()
        }
    };
    entries.sort_by_key(|e| e.at.start);
    let mut first: HashMap<String, Range<usize>> = HashMap::new();
    entries.retain(|entry| match first.get(&entry.dep.app) {
        Some(at) => {
            let line = report.line_of(at);
            let name = &entry.dep.app;
            let message = format!("`depends_on` names `{name}` twice (first on line {line})");
            report.error(&entry.at, message);
            false
        }
        None => {
            first.insert(entry.dep.app.clone(), entry.at.clone());
            true
        }
    });
    entries
}

/// `depends_on = ["db"]`: each name waits for `ready`.
fn short(report: &mut Report<'_>, item: &Value<'_>) -> Option<Entry> {
    let name = report.non_empty_string(item, "depends_on")?;
    Some(Entry {
        dep: Dependency::ready(name),
        at: item.span(),
    })
}

/// `depends_on = { db = "ready", cache = { condition = "started", restart = true } }`.
fn long(report: &mut Report<'_>, table: &DeTable<'_>) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (key, value) in table.iter() {
        let name = key.get_ref().as_ref();
        if name.trim().is_empty() {
            report.error(&key.span(), "`depends_on`: an app name must not be empty");
            continue;
        }
        let what = format!("depends_on.{name}");
        let dep = match value.get_ref() {
            DeValue::String(_) => condition(report, value, &what).map(|condition| Dependency {
                app: name.to_owned(),
                condition,
                restart: false,
            }),
            DeValue::Table(options) => entry_table(report, options, name, &what),
            other => {
                let found = article(other);
                let message = format!(
                    "`{what}`: expected a condition ({}) or a table with `condition` and `restart`, found {found}",
                    condition_list()
                );
                report.error(&value.span(), message);
                None
            }
        };
        if let Some(dep) = dep {
            entries.push(Entry {
                dep,
                at: key.span(),
            });
        }
    }
    entries
}

/// `db = { condition = "ready", restart = true }`; `condition` defaults to `ready`.
fn entry_table(
    report: &mut Report<'_>,
    options: &DeTable<'_>,
    name: &str,
    what: &str,
) -> Option<Dependency> {
    report.unknown_keys(options, &ENTRY_KEYS);
    let condition = match options.get("condition") {
        Some(value) => condition(report, value, &format!("{what}.condition"))?,
        None => Condition::Ready,
    };
    let restart = match options.get("restart") {
        Some(value) => report.boolean(value, &format!("{what}.restart"))?,
        None => false,
    };
    Some(Dependency {
        app: name.to_owned(),
        condition,
        restart,
    })
}

fn condition(report: &mut Report<'_>, value: &Value<'_>, what: &str) -> Option<Condition> {
    let text = report.string(value, what)?;
    if let Some(condition) = Condition::parse(text) {
        return Some(condition);
    }
    let meant = CONDITION_ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(text))
        .map(|(_, condition)| condition.as_str())
        .or_else(|| crate::suggest::closest(text, CONDITIONS.map(Condition::as_str)));
    let hint = meant.map_or_else(String::new, |m| format!("; did you mean `{m}`?"));
    let message = format!(
        "`{what}`: unknown condition {text:?}; expected one of {}{hint}",
        condition_list()
    );
    report.error(&value.span(), message);
    None
}

fn condition_list() -> String {
    list(&CONDITIONS.map(Condition::as_str))
}

/// The checks between apps: every dependency on an unknown name (with a did-you-mean) or on
/// the app itself, then the cycles among the rest, each located at the entries forming it.
pub(super) fn check_graph(report: &mut Report<'_>, apps: &[Declared<'_>]) {
    let names: Vec<&str> = apps.iter().filter_map(|a| a.name).collect();
    let known: HashSet<&str> = names.iter().copied().collect();
    for app in apps {
        let Some(name) = app.name else { continue };
        for entry in &app.entries {
            let dependency = &entry.dep.app;
            if dependency == name {
                report.error(&entry.at, format!("app `{name}` depends on itself"));
            } else if !known.contains(dependency.as_str()) {
                let candidates = names.iter().copied().filter(|n| *n != name);
                let unknown = GraphError::UnknownDependency {
                    app: name.to_owned(),
                    dependency: dependency.clone(),
                    suggestion: crate::suggest::closest(dependency, candidates).map(str::to_owned),
                };
                report.error(&entry.at, unknown.to_string());
            }
        }
    }
    report_cycles(report, apps);
}

/// Reports each cycle at its first entry, naming the lines of all of them; the graph then
/// loses that entry so the next search finds another cycle, if any.
fn report_cycles(report: &mut Report<'_>, apps: &[Declared<'_>]) {
    // Self-dependencies are reported on their own; the first app of a duplicated name is the
    // one its dependents mean, as in `find_cycle`.
    let mut graph: Vec<(&str, Vec<&Entry>)> = apps
        .iter()
        .filter_map(|app| {
            let name = app.name?;
            Some((
                name,
                app.entries.iter().filter(|e| e.dep.app != name).collect(),
            ))
        })
        .collect();
    let mut first_named: HashMap<&str, usize> = HashMap::new();
    for (i, (name, _)) in graph.iter().enumerate() {
        first_named.entry(name).or_insert(i);
    }
    for _ in 0..MAX_CYCLES {
        let deps: Vec<Vec<Dependency>> = graph
            .iter()
            .map(|(_, entries)| entries.iter().map(|e| e.dep.clone()).collect())
            .collect();
        let apps = graph
            .iter()
            .zip(&deps)
            .map(|((n, _), d)| (*n, d.as_slice()));
        let Some(cycle) = find_cycle(apps) else {
            return;
        };
        let edges: Vec<&Entry> = cycle
            .windows(2)
            .filter_map(|pair| {
                let (_, entries) = &graph[*first_named.get(pair[0].as_str())?];
                entries.iter().copied().find(|e| e.dep.app == pair[1])
            })
            .collect();
        let lines: Vec<String> = edges
            .iter()
            .map(|e| report.line_of(&e.at).to_string())
            .collect();
        let Some(first) = edges.first() else {
            return;
        };
        let message = format!(
            "{} (the `depends_on` entries on lines {})",
            GraphError::Cycle(cycle),
            and_list(&lines)
        );
        report.error(&first.at, message);
        let at = first.at.clone();
        for (_, entries) in &mut graph {
            entries.retain(|e| e.at != at);
        }
    }
}

/// "4", "4 and 9", "4, 9 and 14".
fn and_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}
