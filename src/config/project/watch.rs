//! `watch`, `watch_ignore` and `watch_debounce` in an `[[app]]`, read into a `WatchSpec`.
//!
//! This module owns the keys as a file spells them: `watch` is a path or an array of paths
//! relative to the project file's directory, each of which must exist when the file is read
//! (an error points at the element); `watch_ignore` a pattern or an array of them, each checked
//! by `watch_spec`; `watch_debounce` a duration in `watch_spec::DEBOUNCE`. The other two keys
//! without `watch` are an error rather than silently doing nothing. What the patterns mean and
//! what a change does are `watch_spec`'s and the server's.

use std::path::{Component, Path, PathBuf};

use toml::de::{DeTable, DeValue};

use crate::config::doc::{Report, Value, article};
use crate::watch_spec::{self, DEBOUNCE, DEFAULT_DEBOUNCE, MAX_ENTRIES, WatchSpec};

/// Reads the watch keys of one `[[app]]` table, reporting every problem; `None` when the app
/// watches nothing or a key was wrong.
pub(super) fn parse(report: &mut Report<'_>, table: &DeTable<'_>, dir: &Path) -> Option<WatchSpec> {
    let ignore = table.get("watch_ignore");
    let debounce = table.get("watch_debounce");
    let Some(watch) = table.get("watch") else {
        for (key, value) in [("watch_ignore", ignore), ("watch_debounce", debounce)] {
            if let Some(value) = value {
                report.error(
                    &value.span(),
                    format!("`{key}` has no effect without `watch`"),
                );
            }
        }
        return None;
    };
    // Every entry is read (and each problem reported) before any verdict.
    let paths: Option<Vec<PathBuf>> = list(report, watch, "watch").and_then(|items| {
        let read: Vec<_> = items
            .into_iter()
            .map(|i| watched_path(report, i, dir))
            .collect();
        read.into_iter().collect()
    });
    let ignore: Option<Vec<String>> = match ignore {
        Some(value) => list(report, value, "watch_ignore").and_then(|items| {
            let read: Vec<_> = items.into_iter().map(|i| pattern(report, i)).collect();
            read.into_iter().collect()
        }),
        None => Some(Vec::new()),
    };
    let debounce = match debounce {
        Some(value) => report.duration(value, "watch_debounce", &DEBOUNCE),
        None => Some(DEFAULT_DEBOUNCE),
    };
    Some(WatchSpec {
        base: dir.to_path_buf(),
        paths: paths?,
        ignore: ignore?,
        debounce: debounce?,
    })
}

/// A string or an array of them, as the items to read; anything else, an empty array or one
/// too long is reported and gives `None`.
fn list<'v, 'i>(
    report: &mut Report<'_>,
    value: &'v Value<'i>,
    key: &str,
) -> Option<Vec<&'v Value<'i>>> {
    let problem = match value.get_ref() {
        DeValue::String(_) => return Some(vec![value]),
        DeValue::Array(items) if items.is_empty() => {
            format!("`{key}` is empty; remove it or name an entry")
        }
        DeValue::Array(items) if items.len() > MAX_ENTRIES => format!(
            "`{key}` may hold at most {MAX_ENTRIES} entries, found {}",
            items.len()
        ),
        DeValue::Array(items) => return Some(items.iter().collect()),
        other => format!(
            "`{key}`: expected a string or an array of strings, found {}",
            article(other)
        ),
    };
    report.error(&value.span(), problem);
    None
}

/// One `watch` entry resolved against the project directory; it must exist.
fn watched_path(report: &mut Report<'_>, item: &Value<'_>, dir: &Path) -> Option<PathBuf> {
    let text = report.non_empty_string(item, "watch")?;
    if text.contains('\0') {
        report.error(
            &item.span(),
            "`watch`: a path must not contain a NUL character",
        );
        return None;
    }
    // As for `cwd`: `.` segments go, `..` stays (a symlink may be involved).
    let resolved: PathBuf = dir
        .join(text)
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    let problem = match std::fs::metadata(&resolved) {
        Ok(_) => return Some(resolved),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => "does not exist",
        Err(_) => "cannot be accessed",
    };
    let message = format!("`watch`: {text:?} ({}) {problem}", resolved.display());
    report.error(&item.span(), message);
    None
}

/// One `watch_ignore` pattern, checked.
fn pattern(report: &mut Report<'_>, item: &Value<'_>) -> Option<String> {
    let text = report.string(item, "watch_ignore")?;
    match watch_spec::check_pattern(text) {
        Ok(()) => Some(text.to_owned()),
        Err(err) => {
            report.error(&item.span(), format!("`watch_ignore`: {err}"));
            None
        }
    }
}
