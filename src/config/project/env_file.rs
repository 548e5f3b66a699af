//! `env_file`: environment files named at the top of a project file (for every app) or in an
//! `[[app]]`, and the order in which they and `env` override each other.
//!
//! This module owns resolving each path against the project directory, reading each file
//! once per load (bounded, regular files only), locating what goes wrong (a file that cannot
//! be read at the `env_file` value naming it, a bad line inside the env file itself) and
//! merging. The syntax of an env file is `dotenv`'s; which apps get which files is `app`'s.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use toml::de::DeValue;

use crate::config::doc::{Report, Value, article};
use crate::config::dotenv::{DotenvEntry, parse_dotenv_entries};
use crate::config::error::{self, ConfigError};
use crate::config::file::{MAX_CONFIG_BYTES, read_regular};

/// Why an env file gave no variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum EnvFileError {
    /// It cannot be read (missing, a directory, no permission, too large): why, to be
    /// located where the file is named.
    Unreadable(String),
    /// It was read and has a problem of its own, located in it.
    Bad(ConfigError),
}

/// Reads the env file at `path`, shown in messages as `shown` (the path as the user would
/// write it from where they ran appmux).
pub(super) fn read_env_file(path: &Path, shown: &Path) -> Result<Vec<DotenvEntry>, EnvFileError> {
    let bytes = read_regular(path, MAX_CONFIG_BYTES)
        .map_err(|err| EnvFileError::Unreadable(err.to_string()))?;
    let text = error::decode(shown, bytes).map_err(EnvFileError::Bad)?;
    parse_dotenv_entries(shown, &text).map_err(EnvFileError::Bad)
}

/// The env files of one load: each read once however many apps name it, and a problem inside
/// one reported once.
pub(super) struct EnvFiles<'d> {
    /// The project directory, absolute: where relative paths are read from.
    dir: &'d Path,
    /// The same directory as the user named it, for messages.
    shown_dir: &'d Path,
    loaded: HashMap<PathBuf, Result<Vec<(String, String)>, EnvFileError>>,
}

impl<'d> EnvFiles<'d> {
    pub(super) fn new(dir: &'d Path, shown_dir: &'d Path) -> Self {
        Self {
            dir,
            shown_dir,
            loaded: HashMap::new(),
        }
    }

    /// The variables of every file an `env_file` value names (a path or an array of them), in
    /// order, so that applying them in turn lets a later file win. `None` when any of them
    /// could not be used; the problem is reported.
    pub(super) fn read(
        &mut self,
        report: &mut Report<'_>,
        value: &Value<'_>,
    ) -> Option<Vec<(String, String)>> {
        let items: Vec<&Value<'_>> = match value.get_ref() {
            DeValue::String(_) => vec![value],
            DeValue::Array(items) => items.iter().collect(),
            other => {
                let found = article(other);
                let message =
                    format!("`env_file`: expected a path or an array of paths, found {found}");
                report.error(&value.span(), message);
                return None;
            }
        };
        let mut vars = Some(Vec::new());
        for item in items {
            match (self.one(report, item), vars.as_mut()) {
                (Some(more), Some(vars)) => vars.extend(more),
                _ => vars = None,
            }
        }
        vars
    }

    /// The variables of the file one path names.
    fn one(&mut self, report: &mut Report<'_>, value: &Value<'_>) -> Option<Vec<(String, String)>> {
        let text = report.non_empty_string(value, "env_file")?;
        let path = self.dir.join(text);
        let first = !self.loaded.contains_key(&path);
        let shown = self.shown_dir.join(text);
        let loaded = self.loaded.entry(path).or_insert_with_key(|path| {
            let entries = read_env_file(path, &shown)?;
            Ok(entries.into_iter().map(|e| (e.name, e.value)).collect())
        });
        match loaded {
            Ok(vars) => Some(vars.clone()),
            // Each `env_file` naming a file that cannot be read is wrong where it is written.
            Err(EnvFileError::Unreadable(why)) => {
                let message = format!("`env_file`: cannot read {}: {why}", shown.display());
                report.error(&value.span(), message);
                None
            }
            // A bad line is one problem, however many apps read its file.
            Err(EnvFileError::Bad(err)) => {
                if first {
                    report.error_elsewhere(&value.span(), err.clone());
                }
                None
            }
        }
    }
}

/// Layers of variables applied in order, a later value for a name replacing an earlier one;
/// sorted by name, as `AppSpec::env` is.
pub(super) fn merge(layers: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    let merged: BTreeMap<String, String> = layers.into_iter().collect();
    merged.into_iter().collect()
}
