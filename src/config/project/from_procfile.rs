//! A `Procfile` as a project, the way foreman and overmind run one.
//!
//! This module owns that mapping: each process becomes an app (its command under `sh -c`, in
//! the Procfile's directory, with the defaults of any app), the `.env` beside the Procfile is
//! loaded when present, and every app gets its own `PORT`, counting up from a base in steps
//! of 100 in file order. As in foreman, the base is the `PORT` that `.env` sets, else 5000,
//! and the per-app `PORT` wins over `.env`'s. The session is named after the directory, as for
//! a project file. Problems are located in the file they are in: the Procfile's line, or the
//! `.env` line. The line syntax is `procfile`'s and the env file syntax `dotenv`'s.

use std::path::Path;

use super::env_file::{self, EnvFileError, read_env_file};
use super::{AppSpec, CommandSpec, Project, absolute_of, default_session_name, dir_of};
use crate::config::dotenv::DotenvEntry;
use crate::config::error::ConfigError;
use crate::config::procfile::{
    DEFAULT_BASE_PORT, PORT_STEP, ProcfileEntry, parse_procfile, port_for,
};

/// The env file read beside a Procfile.
const DOTENV: &str = ".env";

/// The project a Procfile's `text` describes (when it has no problem) and every problem, the
/// Procfile's first.
pub(super) fn analyze(text: &str, file: &Path) -> (Option<Project>, Vec<ConfigError>) {
    let absolute = absolute_of(file);
    let dir = dir_of(&absolute);
    let (processes, mut errors) = match parse_procfile(file, text) {
        Ok(processes) => (processes, Vec::new()),
        Err(errors) => (Vec::new(), errors),
    };
    let shown = file.parent().unwrap_or_else(|| Path::new("")).join(DOTENV);
    let dotenv = match dotenv_beside(&dir.join(DOTENV), &shown) {
        Ok(entries) => entries,
        Err(err) => {
            errors.push(err);
            Vec::new()
        }
    };
    let base = match base_port(&dotenv, &shown) {
        Ok(base) => base,
        Err(err) => {
            errors.push(err);
            DEFAULT_BASE_PORT
        }
    };
    let mut apps = Vec::with_capacity(processes.len());
    for (index, process) in processes.iter().enumerate() {
        match app(process, index, base, &dotenv, dir) {
            Ok(spec) => apps.push(spec),
            Err(message) => errors.push(ConfigError::located(file, (process.line, 1), message)),
        }
    }
    if !errors.is_empty() {
        return (None, errors);
    }
    let project = Project {
        file: absolute.clone(),
        session: default_session_name(dir),
        apps,
    };
    (Some(project), errors)
}

/// The entries of the `.env` at `path`, or none when there is no such file.
fn dotenv_beside(path: &Path, shown: &Path) -> Result<Vec<DotenvEntry>, ConfigError> {
    if std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        return Ok(Vec::new());
    }
    read_env_file(path, shown).map_err(|err| match err {
        EnvFileError::Unreadable(why) => {
            ConfigError::whole_file(shown, format!("cannot read the env file: {why}"))
        }
        EnvFileError::Bad(err) => err,
    })
}

/// The first process's port: the last `PORT` in `.env`, else foreman's 5000.
fn base_port(dotenv: &[DotenvEntry], shown: &Path) -> Result<u16, ConfigError> {
    let Some(entry) = dotenv.iter().rev().find(|e| e.name == "PORT") else {
        return Ok(DEFAULT_BASE_PORT);
    };
    match entry.value.trim().parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => {
            let message = format!(
                "`PORT` is where the Procfile's ports start, so it must be a port number (1 to 65535), found {:?}",
                entry.value
            );
            Err(ConfigError::located(
                shown,
                (entry.line, entry.col),
                message,
            ))
        }
    }
}

/// The app for the process at `index` (0-based, in file order), or why there is none.
fn app(
    process: &ProcfileEntry,
    index: usize,
    base: u16,
    dotenv: &[DotenvEntry],
    dir: &Path,
) -> Result<AppSpec, String> {
    let name = &process.name;
    if let Some(problem) = crate::names::problem(crate::names::Kind::App, name) {
        return Err(format!("process name `{name}` {problem}"));
    }
    let Some(port) = port_for(index, base) else {
        return Err(format!(
            "process `{name}` gets no `PORT`: counting from {base} in steps of {PORT_STEP} passes 65535"
        ));
    };
    let vars = dotenv.iter().map(|e| (e.name.clone(), e.value.clone()));
    let mut spec = AppSpec::ad_hoc(
        name.clone(),
        CommandSpec::Shell(process.command.clone()),
        dir.to_path_buf(),
    );
    spec.env = env_file::merge(vars.chain([("PORT".to_owned(), port.to_string())]));
    Ok(spec)
}
