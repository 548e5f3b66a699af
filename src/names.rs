//! Session and app names: the one set of rules for what a name may hold, and the fallback that
//! turns derived text (a command's file name, a directory's name) into a name that follows them.
//!
//! Names are checked wherever they enter: the command line, the control API, the project file
//! and the state file. They appear in targets (`SESSION:APP`), in listings printed to
//! terminals and, encoded by `paths`, in file names; so they hold no separator, no control
//! character and no more than [`MAX_LEN`] characters. This module builds no paths.

/// The longest name, in characters: long enough for any real name, short enough that a file
/// name built from it stays far below the file system's limit.
pub const MAX_LEN: usize = 64;

/// What a name names; sessions and apps differ in one character each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `.` is reserved for pane indexes after a session, as in tmux.
    Session,
    /// Whitespace would split an app name in the command lines that take several.
    App,
    /// A tab's name is only shown: any printable text.
    Tab,
}

impl Kind {
    fn what(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::App => "app",
            Self::Tab => "tab",
        }
    }

    fn separators(self) -> &'static [char] {
        match self {
            Self::Session => &[':', '.', '/'],
            Self::App => &[':', '/'],
            Self::Tab => &[],
        }
    }

    fn refused(self, c: char) -> bool {
        c.is_control() || self.separators().contains(&c) || (self == Self::App && c.is_whitespace())
    }
}

/// What is wrong with `name`, as the end of a sentence ("must not contain ..."); `None` when
/// it is a valid name of this kind.
pub fn problem(kind: Kind, name: &str) -> Option<String> {
    let seps = kind.separators();
    if name.is_empty() {
        return Some("must not be empty".to_owned());
    }
    if name.contains(seps) {
        let listed: Vec<String> = seps.iter().map(|c| format!("`{c}`")).collect();
        let (last, rest) = listed.split_last()?;
        return Some(format!("must not contain {} or {last}", rest.join(", ")));
    }
    if kind == Kind::App && name.chars().any(char::is_whitespace) {
        return Some("must not contain whitespace".to_owned());
    }
    if name.chars().any(char::is_control) {
        return Some("must not contain control characters".to_owned());
    }
    if name.chars().count() > MAX_LEN {
        return Some(format!("must be at most {MAX_LEN} characters long"));
    }
    None
}

/// A clear error for an invalid name: `invalid app name "a/b": it must not contain ...`. The
/// name is quoted with escapes, so a control character in it never reaches a terminal.
pub fn check(kind: Kind, name: &str) -> Result<(), String> {
    match problem(kind, name) {
        Some(p) => Err(format!(
            "invalid {} name {}: it {p}",
            kind.what(),
            quoted(name)
        )),
        None => Ok(()),
    }
}

pub fn check_session(name: &str) -> Result<(), String> {
    check(Kind::Session, name)
}

pub fn check_app(name: &str) -> Result<(), String> {
    check(Kind::App, name)
}

/// A valid name made from any text: refused characters become `_` and the text is cut to
/// [`MAX_LEN`] characters; `fallback` when nothing is left.
pub fn derive(kind: Kind, text: &str, fallback: &str) -> String {
    let name: String = text
        .chars()
        .take(MAX_LEN)
        .map(|c| if kind.refused(c) { '_' } else { c })
        .collect();
    if name.is_empty() {
        fallback.to_owned()
    } else {
        name
    }
}

/// `name` in double quotes with control characters and quotes escaped, for messages, capped
/// so that a megabyte of name does not become a megabyte of message.
pub fn quoted(name: &str) -> String {
    const SHOWN: usize = 2 * MAX_LEN;
    let mut shown: String = name.chars().take(SHOWN).collect();
    if shown.len() < name.len() {
        shown.push('…');
    }
    format!("{shown:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names_pass() {
        for name in [
            "api",
            "web-2",
            "db_main",
            "Ünïcode",
            "x".repeat(64).as_str(),
        ] {
            assert_eq!(check_app(name), Ok(()), "{name}");
            assert_eq!(check_session(name), Ok(()), "{name}");
        }
        assert_eq!(check_app("v1.2"), Ok(()));
    }

    #[test]
    fn paths_controls_and_long_names_are_refused_with_a_reason() {
        let long = "x".repeat(65);
        let cases = [
            (Kind::App, "../../x", "must not contain `:` or `/`"),
            (
                Kind::Session,
                "/abs/path",
                "must not contain `:`, `.` or `/`",
            ),
            (Kind::Session, "a.b", "must not contain `:`, `.` or `/`"),
            (Kind::App, "a\0b", "must not contain control characters"),
            (Kind::App, "a\tb", "must not contain whitespace"),
            (
                Kind::Session,
                "\x1b[31mred",
                "must not contain control characters",
            ),
            (Kind::App, "a b", "must not contain whitespace"),
            (Kind::App, &long, "must be at most 64 characters long"),
            (Kind::Session, &long, "must be at most 64 characters long"),
            (Kind::App, "", "must not be empty"),
        ];
        for (kind, name, wanted) in cases {
            let err = check(kind, name).unwrap_err();
            assert!(err.contains(wanted), "{name:?}: {err}");
            assert!(!err.chars().any(char::is_control), "{err:?}");
        }
        assert_eq!(
            check_app("a/b").unwrap_err(),
            "invalid app name \"a/b\": it must not contain `:` or `/`"
        );
    }

    #[test]
    fn derived_names_are_always_valid() {
        assert_eq!(derive(Kind::App, "my prog", "app"), "my_prog");
        assert_eq!(derive(Kind::Session, "v1.2:x", "s"), "v1_2_x");
        assert_eq!(derive(Kind::App, "", "app"), "app");
        assert_eq!(
            derive(Kind::App, &"é".repeat(300), "app").chars().count(),
            64
        );
        proptest::proptest!(|(text in "\\PC{0,80}|[\\x00-\\x1f/:. ]{0,10}")| {
            for kind in [Kind::App, Kind::Session] {
                proptest::prop_assert_eq!(check(kind, &derive(kind, &text, "x")), Ok(()));
            }
        });
    }

    #[test]
    fn quoting_escapes_and_caps() {
        assert_eq!(quoted("a\x1bb"), "\"a\\u{1b}b\"");
        assert!(quoted(&"y".repeat(10_000)).len() < 200);
    }
}
