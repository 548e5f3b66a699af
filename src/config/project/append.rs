//! Adding an ad-hoc app to an existing project file without disturbing what is there.
//!
//! This module owns the textual append: the user's text, comments and layout are kept byte for
//! byte and a new `[[app]]` block, encoded by the `toml` serializer so every value is escaped
//! correctly, goes at the end. It never rewrites the file: the combined text is validated
//! first, so a rejected app leaves the file untouched. A session started from a Procfile has
//! no project file to append to, and is told so.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::{CommandSpec, RestartPolicy, analyze, read_text};
use crate::config::error::ConfigError;

/// The appended block, shaped so `toml::to_string` writes exactly one `[[app]]` table.
#[derive(Serialize)]
struct Block<'a> {
    app: [Entry<'a>; 1],
}

#[derive(Serialize)]
struct Entry<'a> {
    name: &'a str,
    cmd: Command<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    restart: Option<&'static str>,
}

/// `CommandSpec` as the file spells it: a bare string or an array, not a tagged enum.
#[derive(Serialize)]
#[serde(untagged)]
enum Command<'a> {
    Shell(&'a str),
    Argv(&'a [String]),
}

/// Appends an `[[app]]` entry for an ad-hoc app to an existing file, keeping its text and
/// comments intact (textual append of a well-formed TOML block; values escaped correctly),
/// then re-validates.
///
/// The validation runs on the combined text before anything is written. Problems the file
/// already had are tolerated (the running session loaded it as it is), but a file that is not
/// valid TOML is refused, and so is any new problem the entry would add, such as a duplicate
/// name; those are reported at the end of the file, where the entry would have gone.
pub fn append_app(
    path: &Path,
    name: &str,
    cmd: &CommandSpec,
    restart: Option<RestartPolicy>,
) -> Result<(), ConfigError> {
    if crate::config::procfile::is_procfile(path) {
        let message = format!(
            "cannot save app `{name}` to a Procfile: add a line `{name}: COMMAND` by hand, or use an appmux.toml"
        );
        return Err(ConfigError::whole_file(path, message));
    }
    let old = read_text(path)?;
    let addition = format!("{}{}", separator(&old), block(path, name, cmd, restart)?);
    let new = format!("{old}{addition}");
    check_new_problems(path, &old, &new, name)?;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|err| ConfigError::whole_file(path, format!("cannot open the file: {err}")))?;
    file.write_all(addition.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|err| ConfigError::whole_file(path, format!("cannot write the file: {err}")))
}

/// A blank line between the existing text and the new block, whatever the text ends with.
fn separator(old: &str) -> &'static str {
    if old.is_empty() || old.ends_with("\n\n") {
        ""
    } else if old.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    }
}

fn block(
    path: &Path,
    name: &str,
    cmd: &CommandSpec,
    restart: Option<RestartPolicy>,
) -> Result<String, ConfigError> {
    let cmd = match cmd {
        CommandSpec::Shell(script) => Command::Shell(script),
        CommandSpec::Argv(argv) => Command::Argv(argv),
    };
    let entry = Entry {
        name,
        cmd,
        restart: restart.map(RestartPolicy::as_str),
    };
    toml::to_string(&Block { app: [entry] })
        .map_err(|err| ConfigError::whole_file(path, format!("cannot encode app `{name}`: {err}")))
}

/// Fails with the first problem in `new` that `old` did not already have.
fn check_new_problems(path: &Path, old: &str, new: &str, name: &str) -> Result<(), ConfigError> {
    if let Err(err) = toml::de::DeTable::parse(old) {
        return Err(ConfigError::from_toml(path, old, &err));
    }
    let existing = analyze(old, path).1;
    let added = analyze(new, path)
        .1
        .into_iter()
        .find(|err| !existing.contains(err));
    match added {
        None => Ok(()),
        Some(err) => {
            let message = format!("cannot add app `{name}`: {}", err.message);
            Err(ConfigError::at(path, old, old.len(), message))
        }
    }
}
