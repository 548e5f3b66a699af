//! Which project file a command uses when none is named with `-c`: the file `APPMUX_CONFIG`
//! names, else `appmux.toml` (or a `Procfile`) in the current directory or the nearest parent
//! holding one, as git and docker compose look for theirs. The session then belongs to that
//! file's directory.
//!
//! This module only looks at which files exist; it neither reads nor validates them (that is
//! `project`), and it takes the directory and the variable's value as arguments rather than
//! reading the process's own.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::project::find_project;

/// The environment variable that names a project file, as `-c` does (which wins over it).
pub const CONFIG_VAR: &str = "APPMUX_CONFIG";

/// The project file for a command run in `cwd` with `APPMUX_CONFIG` set to `named` (an empty
/// value counts as unset): the named file, made absolute against `cwd` (an error when it does
/// not exist), else the nearest `appmux.toml` or `Procfile` from `cwd` up to the root.
pub fn discover_project(cwd: &Path, named: Option<&OsStr>) -> Result<Option<PathBuf>, String> {
    if let Some(named) = named.filter(|n| !n.is_empty()) {
        let file = cwd.join(named);
        if !file.is_file() {
            return Err(format!(
                "{}: no such file (named by {CONFIG_VAR})",
                file.display()
            ));
        }
        return Ok(Some(file));
    }
    Ok(cwd.ancestors().find_map(find_project))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_project_file_upwards_is_found() {
        let root = tempfile::tempdir().unwrap();
        let project = root.path().join("p");
        let deep = project.join("src/bin");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(discover_project(&deep, None), Ok(None));
        std::fs::write(root.path().join("Procfile"), "web: x\n").unwrap();
        assert_eq!(
            discover_project(&deep, None),
            Ok(Some(root.path().join("Procfile")))
        );
        std::fs::write(project.join("appmux.toml"), "").unwrap();
        assert_eq!(
            discover_project(&deep, None),
            Ok(Some(project.join("appmux.toml")))
        );
        // The nearest wins, even a Procfile over an appmux.toml further up.
        std::fs::write(deep.join("Procfile"), "web: x\n").unwrap();
        assert_eq!(
            discover_project(&deep, None),
            Ok(Some(deep.join("Procfile")))
        );
        // A directory named like the file is not one.
        let dir_named = root.path().join("q");
        std::fs::create_dir_all(dir_named.join("appmux.toml")).unwrap();
        assert_eq!(
            discover_project(&dir_named, None),
            Ok(Some(root.path().join("Procfile")))
        );
    }

    #[test]
    fn appmux_config_names_the_file_and_must_exist() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("appmux.toml"), "").unwrap();
        let elsewhere = root.path().join("other.toml");
        std::fs::write(&elsewhere, "").unwrap();
        let named = Some(OsStr::new("other.toml"));
        assert_eq!(
            discover_project(root.path(), named),
            Ok(Some(elsewhere.clone()))
        );
        let absolute = Some(elsewhere.as_os_str());
        assert_eq!(
            discover_project(Path::new("/"), absolute),
            Ok(Some(elsewhere))
        );
        let err = discover_project(root.path(), Some(OsStr::new("nope.toml"))).unwrap_err();
        assert!(err.contains("nope.toml: no such file"), "{err}");
        assert!(err.contains(CONFIG_VAR), "{err}");
        // Empty is unset.
        assert_eq!(
            discover_project(root.path(), Some(OsStr::new(""))),
            Ok(Some(root.path().join("appmux.toml")))
        );
    }
}
