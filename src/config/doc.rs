//! Typed, located reads from a parsed TOML document, collecting every problem found.
//!
//! Both config files are parsed with `toml::de::DeTable::parse`, which keeps the byte span of
//! every key and every value. Walking that tree by hand (instead of deriving `Deserialize`)
//! lets each check point at the exact key or value it is about and lets `appmux check` report
//! all problems in one pass rather than only the first one serde stops at. This module owns
//! the walking helpers (strings, numbers, durations, sizes, commands), the message wording for
//! type errors and unknown keys, and the order of problems, including those found in a file
//! that a value named (an env file); what each key means belongs to `project` and `options`.

use std::ops::{Range, RangeInclusive};
use std::path::Path;
use std::time::Duration;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::{ConfigError, LineIndex};
use crate::command::CommandSpec;
use crate::suggest;
use crate::units::{self, DURATION_EXAMPLE};

/// A value in the document, with the byte span of its text.
pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// Collects located problems for one file.
pub(crate) struct Report<'a> {
    file: &'a Path,
    lines: LineIndex<'a>,
    /// Each problem with the place in this file it is sorted by: its own, or for a problem in
    /// another file, the place that made this file read it.
    errors: Vec<((usize, usize), ConfigError)>,
}

impl<'a> Report<'a> {
    pub(crate) fn new(file: &'a Path, text: &'a str) -> Self {
        Self {
            file,
            lines: LineIndex::new(text),
            errors: Vec::new(),
        }
    }

    /// Records a problem at the start of `span`.
    pub(crate) fn error(&mut self, span: &Range<usize>, message: impl Into<String>) {
        let at = self.lines.locate(span.start);
        self.errors
            .push((at, ConfigError::located(self.file, at, message)));
    }

    /// Records a problem located in another file (a line of an env file, say) that the value
    /// at `span` made this one read. It keeps its own file and place, and is listed where
    /// `span` is.
    pub(crate) fn error_elsewhere(&mut self, span: &Range<usize>, error: ConfigError) {
        self.errors.push((self.lines.locate(span.start), error));
    }

    /// The 1-based line where `span` starts, for messages that refer to another place.
    pub(crate) fn line_of(&self, span: &Range<usize>) -> usize {
        self.lines.locate(span.start).0
    }

    /// All problems in file order, so the first one is the first a reader would meet.
    pub(crate) fn finish(mut self) -> Vec<ConfigError> {
        // A stable sort keeps two problems at one position in the order they were found.
        self.errors.sort_by_key(|(at, _)| *at);
        self.errors.into_iter().map(|(_, error)| error).collect()
    }

    /// Reports every key of `table` that `keys` does not know, suggesting the closest one.
    pub(crate) fn unknown_keys(&mut self, table: &DeTable<'_>, keys: &Keys) {
        for key in table.keys() {
            let name = key.get_ref().as_ref();
            if keys.known.contains(&name) {
                continue;
            }
            let context = keys.context;
            let message = match keys.suggest(name) {
                Some(close) => {
                    format!("unknown key `{name}` in {context}; did you mean `{close}`?")
                }
                None => format!(
                    "unknown key `{name}` in {context}; expected one of {}",
                    list(keys.known)
                ),
            };
            self.error(&key.span(), message);
        }
    }

    fn wrong_type(&mut self, value: &Value<'_>, key: &str, expected: &str) {
        let found = article(value.get_ref());
        self.error(
            &value.span(),
            format!("`{key}`: expected {expected}, found {found}"),
        );
    }

    pub(crate) fn string<'v>(&mut self, value: &'v Value<'_>, key: &str) -> Option<&'v str> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.as_ref()),
            _ => {
                self.wrong_type(value, key, "a string");
                None
            }
        }
    }

    /// A string that must not be empty or only whitespace.
    pub(crate) fn non_empty_string<'v>(
        &mut self,
        value: &'v Value<'_>,
        key: &str,
    ) -> Option<&'v str> {
        let text = self.string(value, key)?;
        if text.trim().is_empty() {
            self.error(&value.span(), format!("`{key}` must not be empty"));
            return None;
        }
        Some(text)
    }

    pub(crate) fn boolean(&mut self, value: &Value<'_>, key: &str) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(value, key, "a boolean (true or false)");
                None
            }
        }
    }

    /// An integer in `min..=max`.
    pub(crate) fn integer(
        &mut self,
        value: &Value<'_>,
        key: &str,
        min: u64,
        max: u64,
    ) -> Option<u64> {
        let DeValue::Integer(int) = value.get_ref() else {
            self.wrong_type(value, key, "an integer");
            return None;
        };
        let parsed = i128::from_str_radix(int.as_str(), int.radix()).ok();
        match parsed.and_then(|n| u64::try_from(n).ok()) {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ if max == u64::MAX => {
                let message = format!("`{key}` must be at least {min}, found {int}");
                self.error(&value.span(), message);
                None
            }
            _ => {
                let message = format!("`{key}` must be between {min} and {max}, found {int}");
                self.error(&value.span(), message);
                None
            }
        }
    }

    /// A finite number, written as an integer or a float.
    pub(crate) fn number(&mut self, value: &Value<'_>, key: &str) -> Option<f64> {
        let parsed = match value.get_ref() {
            DeValue::Float(float) => float.as_str().parse::<f64>().ok(),
            DeValue::Integer(int) => i64::from_str_radix(int.as_str(), int.radix())
                .ok()
                // Precision loss above 2^53 does not matter for a multiplier.
                .map(|n| n as f64),
            _ => {
                self.wrong_type(value, key, "a number");
                return None;
            }
        };
        match parsed {
            Some(n) if n.is_finite() => Some(n),
            _ => {
                self.error(&value.span(), format!("`{key}` must be a finite number"));
                None
            }
        }
    }

    pub(crate) fn table<'v, 'i>(
        &mut self,
        value: &'v Value<'i>,
        key: &str,
    ) -> Option<&'v DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(table),
            _ => {
                self.wrong_type(value, key, "a table");
                None
            }
        }
    }

    /// A duration in `range`: every duration a file gives has one, so that no value can make
    /// time arithmetic overflow or a timer meaningless.
    pub(crate) fn duration(
        &mut self,
        value: &Value<'_>,
        key: &str,
        range: &RangeInclusive<Duration>,
    ) -> Option<Duration> {
        let DeValue::String(text) = value.get_ref() else {
            self.wrong_type(value, key, DURATION_EXAMPLE);
            return None;
        };
        match units::parse_duration(text) {
            Ok(duration) if range.contains(&duration) => Some(duration),
            Ok(_) => {
                let message = units::duration_out_of_range(key, text, range);
                self.error(&value.span(), message);
                None
            }
            Err(err) => {
                self.error(&value.span(), format!("`{key}`: {err}"));
                None
            }
        }
    }

    /// A command: a string for `sh -c` or an array run directly. `key` names it in messages
    /// (`cmd`, `ready.exec`).
    pub(crate) fn command(&mut self, value: &Value<'_>, key: &str) -> Option<CommandSpec> {
        match value.get_ref() {
            DeValue::String(script) if script.trim().is_empty() => {
                self.error(&value.span(), format!("`{key}` is empty"));
                None
            }
            DeValue::String(script) => Some(CommandSpec::Shell(script.to_string())),
            DeValue::Array(items) if items.is_empty() => {
                self.error(&value.span(), format!("`{key}` is an empty array"));
                None
            }
            DeValue::Array(items) => {
                let argv: Vec<Option<&str>> =
                    items.iter().map(|item| self.string(item, key)).collect();
                let argv: Vec<String> = argv
                    .into_iter()
                    .map(|arg| arg.map(str::to_owned))
                    .collect::<Option<_>>()?;
                if argv[0].trim().is_empty() {
                    self.error(
                        &items[0].span(),
                        format!("`{key}`: the program (first element) is empty"),
                    );
                    return None;
                }
                Some(CommandSpec::Argv(argv))
            }
            _ => {
                let found = article(value.get_ref());
                let message =
                    format!("`{key}`: expected a string or an array of strings, found {found}");
                self.error(&value.span(), message);
                None
            }
        }
    }

    /// A size in `range`: a string with a unit, or an integer number of bytes.
    pub(crate) fn size(
        &mut self,
        value: &Value<'_>,
        key: &str,
        range: &RangeInclusive<u64>,
    ) -> Option<u64> {
        let (size, found) = match value.get_ref() {
            DeValue::String(text) => match units::parse_size(text) {
                Ok(size) => (size, format!("{text:?}")),
                Err(err) => {
                    self.error(&value.span(), format!("`{key}`: {err}"));
                    return None;
                }
            },
            DeValue::Integer(int) => (self.integer(value, key, 0, u64::MAX)?, int.to_string()),
            _ => {
                self.wrong_type(value, key, "a size like \"10MB\" or a number of bytes");
                return None;
            }
        };
        if !range.contains(&size) {
            let message = units::size_out_of_range(key, &found, range);
            self.error(&value.span(), message);
            return None;
        }
        Some(size)
    }
}

/// Stores a value that was given and valid; a missing or rejected one keeps the default.
pub(crate) fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

/// "a string", "an integer" ...: the type of a value as a message would name it.
pub(crate) fn article(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// "`a`, `b`, `c`": a list of names for a message.
pub(crate) fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The keys one table accepts, for unknown-key reports.
pub(crate) struct Keys {
    /// Where the table is, as a message names it: "[[app]]", "`backoff`", "the top level".
    pub context: &'static str,
    pub known: &'static [&'static str],
    /// Names people bring from other tools (pm2, docker compose, systemd) and the key meant,
    /// so that `command`, and typos of it such as `comand`, suggest `cmd`.
    pub aliases: &'static [(&'static str, &'static str)],
}

impl Keys {
    /// The known key closest to `name` (directly or through an alias), within an edit
    /// distance of 2.
    pub(crate) fn suggest(&self, name: &str) -> Option<&'static str> {
        let direct = self.known.iter().map(|key| (*key, *key));
        let aliases = self.aliases.iter().copied();
        // Lengths that differ by more than the limit cannot be within it, and skipping them
        // keeps a very long unknown key from costing a large table each.
        let len = name.chars().count();
        direct
            .chain(aliases)
            .filter(|(spelling, _)| len.abs_diff(spelling.chars().count()) <= 2)
            .map(|(spelling, key)| (suggest::edit_distance(name, spelling), key))
            .filter(|(distance, _)| *distance <= 2)
            // `min_by_key` keeps the first of equals, so ties go to direct matches.
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, key)| key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_or_absent() {
        let keys = Keys {
            context: "[[app]]",
            known: &["name", "cmd", "cwd", "env", "restart"],
            aliases: &[("command", "cmd")],
        };
        assert_eq!(keys.suggest("nmae"), Some("name"));
        assert_eq!(keys.suggest("restrat"), Some("restart"));
        assert_eq!(keys.suggest("comand"), Some("cmd"));
        assert_eq!(keys.suggest("zzzzzz"), None);
    }
}
