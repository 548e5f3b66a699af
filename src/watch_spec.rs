//! `watch`, `watch_ignore` and `watch_debounce` as data: the paths an app watches, the changes
//! beneath them that do not count, and how long a burst of changes must be quiet before the app
//! restarts. A leaf: the config layer builds a [`WatchSpec`] and checks its limits; the server
//! (`server::watch`) asks it which changed paths concern the app. Pure: it never touches the
//! file system.
//!
//! Ignore patterns are glob-ish and matched against the components of a path relative to the
//! project directory: a pattern without a `/` (`target`, `*.log`, `.git`) matches a component
//! anywhere, so it ignores a file of that name and everything under a directory of that name; a
//! pattern with a `/` (`src/generated`) matches components from the start of the relative path.
//! `*` matches any run of characters within a component and `?` one character.

use std::ops::RangeInclusive;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// The quiet period a burst of changes waits for when `watch_debounce` is not given.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(300);
/// `watch_debounce`: shorter would restart on each write of an editor's save; longer than an
/// hour is never what a watch is for.
pub const DEBOUNCE: RangeInclusive<Duration> =
    Duration::from_millis(10)..=Duration::from_secs(3600);
/// The most `watch` paths and `watch_ignore` patterns an app may give.
pub const MAX_ENTRIES: usize = 256;
/// The longest one `watch_ignore` pattern may be, in bytes.
pub const MAX_PATTERN: usize = 1024;

/// What one app watches.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WatchSpec {
    /// The project directory: changed paths are named relative to it and ignore patterns
    /// match below it.
    pub base: PathBuf,
    /// Absolute files and directories; a directory is watched with everything below it.
    pub paths: Vec<PathBuf>,
    /// `watch_ignore` patterns, as written (each passed [`check_pattern`]).
    pub ignore: Vec<String>,
    pub debounce: Duration,
}

impl WatchSpec {
    /// Whether a change at `path` restarts the app: it lies at or below one of the watched
    /// paths and no ignore pattern matches it.
    pub fn concerns(&self, path: &Path) -> bool {
        self.paths.iter().any(|root| path.starts_with(root)) && !self.ignores(path)
    }

    /// Whether an ignore pattern matches `path` (or a directory above it, below the project
    /// directory).
    pub fn ignores(&self, path: &Path) -> bool {
        if self.ignore.is_empty() {
            return false;
        }
        let rel = self.relative(path);
        let names: Vec<&str> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(name) => name.to_str(),
                _ => None,
            })
            .collect();
        self.ignore.iter().any(|p| pattern_matches(p, &names))
    }

    /// `path` as a user names it: relative to the project directory when it is below it.
    pub fn relative<'p>(&self, path: &'p Path) -> &'p Path {
        match path.strip_prefix(&self.base) {
            Ok(rel) if rel.as_os_str().is_empty() => Path::new("."),
            Ok(rel) => rel,
            Err(_) => path,
        }
    }

    /// The ranges a project file enforces, for a spec that came from elsewhere.
    pub fn check_limits(&self) -> Result<(), String> {
        if !DEBOUNCE.contains(&self.debounce) {
            let found = crate::units::format_duration(self.debounce);
            return Err(crate::units::duration_out_of_range(
                "watch_debounce",
                &found,
                &DEBOUNCE,
            ));
        }
        if self.paths.is_empty() || self.paths.len() > MAX_ENTRIES {
            return Err(format!(
                "`watch` must name between 1 and {MAX_ENTRIES} paths, found {}",
                self.paths.len()
            ));
        }
        if let Some(p) = self.paths.iter().find(|p| !p.is_absolute()) {
            return Err(format!("`watch`: {} is not an absolute path", p.display()));
        }
        if self.ignore.len() > MAX_ENTRIES {
            return Err(format!(
                "`watch_ignore` may hold at most {MAX_ENTRIES} patterns, found {}",
                self.ignore.len()
            ));
        }
        self.ignore
            .iter()
            .try_for_each(|p| check_pattern(p).map_err(|e| format!("`watch_ignore`: {e}")))
    }
}

/// Why an ignore pattern cannot be used, or `Ok`.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    if pattern.len() > MAX_PATTERN {
        return Err(format!(
            "a pattern may be at most {MAX_PATTERN} bytes long, found {}",
            pattern.len()
        ));
    }
    if pattern.contains('\0') {
        return Err("a pattern must not contain a NUL character".to_owned());
    }
    if segments(pattern).next().is_none() {
        return Err(format!(
            "{pattern:?} matches nothing: give a name or a glob such as \"*.log\""
        ));
    }
    if segments(pattern).any(|s| s == "..") {
        return Err(format!(
            "{pattern:?}: `..` cannot match below the project directory"
        ));
    }
    Ok(())
}

/// A pattern's components: slashes at either end and doubled ones say nothing, nor does `.`.
fn segments(pattern: &str) -> impl Iterator<Item = &str> {
    pattern.split('/').filter(|s| !s.is_empty() && *s != ".")
}

/// Whether `pattern` matches the path whose components are `names`: a one-component pattern
/// any component, a longer one a run of components from the start.
pub fn pattern_matches(pattern: &str, names: &[&str]) -> bool {
    let parts: Vec<&str> = segments(pattern).collect();
    match parts.as_slice() {
        [] => false,
        [one] if !pattern.trim_end_matches('/').contains('/') => {
            names.iter().any(|name| glob(one, name))
        }
        parts => parts.len() <= names.len() && parts.iter().zip(names).all(|(p, n)| glob(p, n)),
    }
}

/// `*` (any run of characters) and `?` (one character) within one component; anything else
/// matches itself.
pub fn glob(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni) = (0, 0);
    // Where the last `*` was and the name position it matched up to, to backtrack to.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(c) if *c == '?' || *c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(paths: &[&str], ignore: &[&str]) -> WatchSpec {
        WatchSpec {
            base: "/p".into(),
            paths: paths.iter().map(|p| Path::new("/p").join(p)).collect(),
            ignore: ignore.iter().map(|s| s.to_string()).collect(),
            debounce: DEFAULT_DEBOUNCE,
        }
    }

    #[test]
    fn globs_match_within_a_component() {
        assert!(glob("*.log", "server.log"));
        assert!(glob("*.log", ".log"));
        assert!(!glob("*.log", "server.log.1"));
        assert!(glob("*.log*", "server.log.1"));
        assert!(glob("?.rs", "a.rs"));
        assert!(!glob("?.rs", "ab.rs"));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXbYY"));
        assert!(glob("*", ""));
        assert!(glob("target", "target"));
        assert!(!glob("target", "targets"));
        assert!(glob("ünï*", "ünïcode"));
    }

    #[test]
    fn a_bare_name_matches_a_component_anywhere() {
        let s = spec(&["."], &["target", "*.log", ".git"]);
        assert!(s.ignores(Path::new("/p/target")));
        assert!(s.ignores(Path::new("/p/target/debug/app")));
        assert!(s.ignores(Path::new("/p/crates/x/target/foo.rs")));
        assert!(s.ignores(Path::new("/p/.git/index")));
        assert!(s.ignores(Path::new("/p/logs/today.log")));
        assert!(!s.ignores(Path::new("/p/src/main.rs")));
        assert!(!s.ignores(Path::new("/p/src/target.rs")));
    }

    #[test]
    fn a_pattern_with_a_slash_is_anchored_at_the_project_directory() {
        let s = spec(&["src"], &["src/gen", "/build/"]);
        assert!(s.ignores(Path::new("/p/src/gen/a.rs")));
        assert!(!s.ignores(Path::new("/p/lib/src/gen/a.rs")));
        assert!(s.ignores(Path::new("/p/build/x")));
        assert!(!s.ignores(Path::new("/p/src/main.rs")));
        assert!(pattern_matches("src/*.rs", &["src", "main.rs"]));
        assert!(!pattern_matches("src/*.rs", &["src"]));
    }

    #[test]
    fn only_paths_below_a_watched_one_concern_the_app() {
        let s = spec(&["src", "Cargo.toml"], &["*.log"]);
        assert!(s.concerns(Path::new("/p/src/main.rs")));
        assert!(s.concerns(Path::new("/p/src")));
        assert!(s.concerns(Path::new("/p/Cargo.toml")));
        assert!(!s.concerns(Path::new("/p/Cargo.lock")));
        assert!(!s.concerns(Path::new("/p/srcx/main.rs")));
        assert!(!s.concerns(Path::new("/p/src/out.log")));
        assert_eq!(
            s.relative(Path::new("/p/src/main.rs")),
            Path::new("src/main.rs")
        );
        assert_eq!(
            s.relative(Path::new("/elsewhere/x")),
            Path::new("/elsewhere/x")
        );
    }

    #[test]
    fn bad_patterns_and_limits_are_refused() {
        assert!(check_pattern("").is_err());
        assert!(check_pattern("/").is_err());
        assert!(check_pattern("../x").is_err());
        assert!(check_pattern(&"x".repeat(MAX_PATTERN + 1)).is_err());
        assert!(check_pattern("a\0b").is_err());
        assert!(check_pattern("target/").is_ok());
        let mut s = spec(&["src"], &["target"]);
        assert_eq!(s.check_limits(), Ok(()));
        s.debounce = Duration::from_millis(1);
        assert!(s.check_limits().unwrap_err().contains("watch_debounce"));
        s.debounce = DEFAULT_DEBOUNCE;
        s.paths = vec!["relative".into()];
        assert!(s.check_limits().is_err());
    }
}
