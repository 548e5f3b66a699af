//! Procfiles, as foreman, overmind and Heroku read them: one `name: command` per line.
//!
//! This module owns which files are Procfiles (by name), parsing one into its processes in
//! file order (comments and blank lines skipped, names of letters, digits, `_` and `-`, each
//! name once) and the foreman rule for each process's `PORT`. Turning the processes into apps (under `sh -c`, with `.env`
//! beside the file) is the project loader's business.

use std::collections::HashMap;
use std::path::Path;

use super::error::{self, ConfigError};

/// The file name looked for in a directory without an `appmux.toml`.
pub const PROCFILE: &str = "Procfile";

/// Whether the file at `path` is read as a Procfile rather than a project file: by its name,
/// `Procfile` or a variant such as `Procfile.dev`.
pub fn is_procfile(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name == PROCFILE || name.starts_with("Procfile."))
}

/// The first process's `PORT`, as foreman and overmind start.
pub const DEFAULT_BASE_PORT: u16 = 5000;

/// How far apart the processes' ports are.
pub const PORT_STEP: u16 = 100;

/// One process of a Procfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcfileEntry {
    pub name: String,
    /// The command as written, for `sh -c`.
    pub command: String,
    /// The 1-based line it is on, for messages that point back at the file.
    pub line: usize,
}

/// Reads and parses the Procfile at `path`; an unreadable file is an error at 1:1.
pub fn load_procfile(path: &Path) -> Result<Vec<ProcfileEntry>, Vec<ConfigError>> {
    let bytes = std::fs::read(path).map_err(|err| {
        vec![ConfigError::whole_file(
            path,
            format!("cannot read the Procfile: {err}"),
        )]
    })?;
    let text = error::decode(path, bytes).map_err(|err| vec![err])?;
    parse_procfile(path, &text)
}

/// Parses Procfile `text`, the contents of `file`. Every bad line is reported, in file order.
pub fn parse_procfile(file: &Path, text: &str) -> Result<Vec<ProcfileEntry>, Vec<ConfigError>> {
    let mut entries: Vec<ProcfileEntry> = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut errors = Vec::new();
    let mut offset = 0;
    for (index, raw) in text.split('\n').enumerate() {
        let line_start = offset;
        offset += raw.len() + 1;
        let line = raw.trim_end_matches('\r');
        let indent = line.len() - line.trim_start().len();
        let content = line.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let at = |column: usize, message: String| {
            ConfigError::at(file, text, line_start + indent + column, message)
        };
        let Some((name, command)) = content.split_once(':') else {
            errors.push(at(0, "expected `name: command`".to_owned()));
            continue;
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            let message = format!(
                "invalid process name {name:?}: use letters, digits, `_` and `-`, then `:`"
            );
            errors.push(at(0, message));
            continue;
        }
        let command = command.trim();
        if command.is_empty() {
            errors.push(at(
                name.len() + 1,
                format!("process `{name}` has no command"),
            ));
            continue;
        }
        let line = index + 1;
        if let Some(first) = first_line.get(name) {
            let message = format!("duplicate process `{name}` (first on line {first})");
            errors.push(at(0, message));
            continue;
        }
        first_line.insert(name.to_owned(), line);
        entries.push(ProcfileEntry {
            name: name.to_owned(),
            command: command.to_owned(),
            line,
        });
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

/// The `PORT` of the process at `index` (0-based, in file order): `base + 100 × index`, as
/// foreman sets it. `None` past the last port.
pub fn port_for(index: usize, base: u16) -> Option<u16> {
    let step = u16::try_from(index).ok()?.checked_mul(PORT_STEP)?;
    base.checked_add(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<(String, String, usize)> {
        let entries = parse_procfile(Path::new("Procfile"), text).unwrap();
        entries
            .into_iter()
            .map(|e| (e.name, e.command, e.line))
            .collect()
    }

    fn errors(text: &str) -> Vec<String> {
        let errors = parse_procfile(Path::new("Procfile"), text).unwrap_err();
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn processes_are_read_in_order_skipping_comments_and_blank_lines() {
        let text = "# dev processes\nweb: bundle exec rails s -p $PORT\n\n  worker:sidekiq -c 5 # busy\r\nclock_2-x: echo a:b\n";
        let expected = vec![
            ("web".into(), "bundle exec rails s -p $PORT".into(), 2),
            ("worker".into(), "sidekiq -c 5 # busy".into(), 4),
            ("clock_2-x".into(), "echo a:b".into(), 5),
        ];
        assert_eq!(parse(text), expected);
        assert!(parse("").is_empty());
    }

    #[test]
    fn every_bad_line_is_reported_with_its_place() {
        let text = "web: run\njust words\n  we b: x\nempty:\nweb: again\n: nameless\n";
        assert_eq!(
            errors(text),
            [
                "Procfile:2:1: expected `name: command`",
                "Procfile:3:3: invalid process name \"we b\": use letters, digits, `_` and `-`, then `:`",
                "Procfile:4:7: process `empty` has no command",
                "Procfile:5:1: duplicate process `web` (first on line 1)",
                "Procfile:6:1: invalid process name \"\": use letters, digits, `_` and `-`, then `:`",
            ]
        );
    }

    #[test]
    fn files_are_read_or_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PROCFILE);
        std::fs::write(&path, "web: serve\n").unwrap();
        assert_eq!(load_procfile(&path).unwrap()[0].command, "serve");
        let err = load_procfile(&dir.path().join("nope")).unwrap_err();
        assert!(
            err[0].message.starts_with("cannot read the Procfile"),
            "{}",
            err[0]
        );
    }

    #[test]
    fn procfiles_are_known_by_name() {
        assert!(is_procfile(Path::new("Procfile")));
        assert!(is_procfile(Path::new("/srv/app/Procfile.dev")));
        assert!(!is_procfile(Path::new("appmux.toml")));
        assert!(!is_procfile(Path::new("Procfiles")));
        assert!(!is_procfile(Path::new("/")));
    }

    #[test]
    fn ports_follow_foreman() {
        assert_eq!(port_for(0, DEFAULT_BASE_PORT), Some(5000));
        assert_eq!(port_for(1, DEFAULT_BASE_PORT), Some(5100));
        assert_eq!(port_for(3, 8000), Some(8300));
        assert_eq!(port_for(605, DEFAULT_BASE_PORT), Some(65500));
        assert_eq!(port_for(606, DEFAULT_BASE_PORT), None);
        assert_eq!(port_for(usize::MAX, 0), None);
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(text in "\\PC{0,60}") {
            let _ = parse_procfile(Path::new("Procfile"), &text);
        }
    }
}
