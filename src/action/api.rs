//! The control API's form of an action: a name (or an alias) and a JSON object of arguments,
//! read through the table's argument keys into the same words the command line gives, then
//! parsed like them. It owns the stable error codes of a command that is not an action
//! (`unknown_action`, `missing_arg`, `bad_request`); the server owns the rest.
//!
//! An option's value is read from its key (`{"ansi": true}`, `{"name": "web"}`); a word from
//! the first of its keys given, and words from every one given, a string or a list of strings
//! (`{"apps": ["api"], "name": "web"}`). `args` (a list of words) adds words after those given
//! by key, as `appmux action NAME ARGS` takes them. `session`, the session to act in, is read
//! by the server.

use serde_json::Value;

use super::{Action, ArgKind, Spec, find_spec};

/// Why a control API command is not an action: a stable code and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    fn new(code: &'static str, message: String) -> Self {
        Self { code, message }
    }
}

/// Parses the `action` and `args` of a control API command.
pub fn from_json(name: &str, args: &Value) -> Result<Action, ApiError> {
    let spec = find_spec(name).ok_or_else(|| {
        ApiError::new(
            "unknown_action",
            format!("unknown action `{name}`; see `appmux action list`"),
        )
    })?;
    let words = words_of(spec, args)?;
    Action::from_args(spec.name, &words).map_err(|e| ApiError::new("bad_request", e.to_string()))
}

/// The words of `args` for `spec`: options, then (after `--`, so that no word reads as an
/// option) the words given by key, then `args.args`.
fn words_of(spec: &Spec, args: &Value) -> Result<Vec<String>, ApiError> {
    let mut options = Vec::new();
    let mut words = Vec::new();
    let extra = strings(args.get("args"));
    for arg in spec.args {
        let given: Vec<&Value> = arg.keys().filter_map(|k| args.get(k)).collect();
        match arg.kind {
            ArgKind::Flag => {
                if given.first().and_then(|v| v.as_bool()) == Some(true) {
                    options.push(format!("--{}", arg.key));
                }
            }
            ArgKind::Value => {
                if let Some(v) = given.iter().find_map(|v| text(v)).filter(|v| !v.is_empty()) {
                    options.push(format!("--{}", arg.key));
                    options.push(v);
                }
            }
            ArgKind::Word | ArgKind::Words => {
                let taken: Vec<String> = match arg.kind {
                    ArgKind::Word => given.first().map(|v| keyed(v)).unwrap_or_default(),
                    _ => given.iter().flat_map(|v| keyed(v)).collect(),
                };
                let blank = taken.iter().all(|w| w.trim().is_empty()) && extra.is_empty();
                if let (Some(hint), true) = (arg.api_needs, blank) {
                    let hint = match hint {
                        "" => String::new(),
                        h => format!(" ({h})"),
                    };
                    let message = format!("missing argument `{}`{hint}", arg.key);
                    return Err(ApiError::new("missing_arg", message));
                }
                words.extend(taken);
            }
        }
    }
    if spec.has_options() {
        options.push("--".to_owned());
    }
    options.extend(words);
    options.extend(extra);
    Ok(options)
}

/// The words of a keyed argument: an empty string is no word (an empty key types nothing).
fn keyed(v: &Value) -> Vec<String> {
    let mut words = strings(Some(v));
    words.retain(|w| !w.is_empty());
    words
}

/// A scalar as a word: strings as they are, numbers and booleans as written.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A scalar or a list of them, as words. (Empty strings are kept here and refused by the
/// parser; `keyed` drops them.)
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(text).collect(),
        Some(v) => text(v).into_iter().collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
