//! The one error type of the config layer: a problem located at a line and column of a file.
//!
//! This module owns `ConfigError` and the conversion from byte offsets (what the TOML parser and
//! `toml::Spanned` report) to the 1-based line and column that people and editors expect. It
//! knows nothing about what any config file means; the loaders decide the messages.

use std::path::{Path, PathBuf};

/// One problem in one file, located. Display: "FILE:LINE:COL: MESSAGE" (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{col}: {message}", file.display())]
pub struct ConfigError {
    /// The file as the caller named it, so the message matches what the user typed.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters (not bytes), so it matches what an editor shows.
    pub col: usize,
    /// What is wrong, in one line.
    pub message: String,
}

impl ConfigError {
    /// A problem at byte `offset` of `text`, the contents of `file`.
    pub fn at(file: &Path, text: &str, offset: usize, message: impl Into<String>) -> Self {
        Self::located(file, line_col(text, offset), message)
    }

    /// A problem at a (line, column) already worked out, with a [`LineIndex`] say.
    pub fn located(file: &Path, (line, col): (usize, usize), message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line,
            col,
            message: message.into(),
        }
    }

    /// A problem with the file as a whole (it cannot be read, say), reported at 1:1 so that
    /// every error keeps the same `FILE:LINE:COL:` shape for tools that parse it.
    pub fn whole_file(file: &Path, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line: 1,
            col: 1,
            message: message.into(),
        }
    }

    /// A TOML syntax (or deserialization) error, located by its span; 1:1 when it has none.
    pub fn from_toml(file: &Path, text: &str, err: &toml::de::Error) -> Self {
        // `message()` is the bare description; `Display` would add a multi-line source excerpt.
        let message = err.message().trim().replace('\n', " ");
        match err.span() {
            Some(span) => Self::at(file, text, span.start, message),
            None => Self::whole_file(file, message),
        }
    }
}

/// The 1-based (line, column) of byte `offset` in `text`.
///
/// Offsets past the end are clamped to the end, and an offset inside a multi-byte character is
/// moved back to that character's start, so a bad span can never make error reporting panic.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Where each line of a text starts, so that locating an offset costs a binary search rather
/// than a scan from the start: a file with many problems (or many apps whose lines are looked
/// up) is then checked in time linear in its size.
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the start of each line; the first is 0.
    starts: Vec<usize>,
    /// Whether each line is ASCII, where the column is the byte distance.
    ascii: Vec<bool>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        let mut ascii = vec![true];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
                ascii.push(true);
            } else if !b.is_ascii()
                && let Some(last) = ascii.last_mut()
            {
                *last = false;
            }
        }
        Self {
            text,
            starts,
            ascii,
        }
    }

    /// The 1-based (line, column) of byte `offset`, exactly as [`line_col`] gives it.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        // The last line start at or before `offset`; `starts[0]` is 0, so there is one.
        let line = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.starts[line];
        let col = if self.ascii[line] {
            offset - start
        } else {
            self.text[start..offset].chars().count()
        };
        (line + 1, col + 1)
    }
}

/// Decodes a config file's bytes, locating the first invalid UTF-8 sequence if there is one.
pub(crate) fn decode(file: &Path, bytes: Vec<u8>) -> Result<String, ConfigError> {
    String::from_utf8(bytes).map_err(|err| {
        let valid = err.utf8_error().valid_up_to();
        let bytes = err.as_bytes();
        // The prefix up to `valid_up_to` is valid UTF-8 by definition, so this cannot fail; the
        // fallback only keeps the conversion total.
        let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
        ConfigError::at(file, prefix, valid, "the file is not valid UTF-8")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_is_one_based_and_counts_characters() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 4), (1, 5));
        assert_eq!(line_col(text, 6), (2, 1));
        // "bé " is four bytes but three characters, so the `=` after it is in column 4.
        assert_eq!(line_col(text, 10), (2, 4));
    }

    #[test]
    fn line_col_never_panics_on_bad_offsets() {
        assert_eq!(line_col("é", 1), (1, 1));
        assert_eq!(line_col("ab", 99), (1, 3));
        assert_eq!(line_col("", 5), (1, 1));
    }

    #[test]
    fn the_line_index_agrees_with_line_col_everywhere() {
        let text = "a = 1\nbé = \"ü\"\n\n[[app]]\nname = \"x\"";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(index.locate(offset), line_col(text, offset), "{offset}");
        }
        assert_eq!(LineIndex::new("").locate(3), (1, 1));
    }

    #[test]
    fn display_is_file_line_col_message() {
        let err = ConfigError::at(Path::new("x/appmux.toml"), "a\nbc", 3, "bad");
        assert_eq!(err.to_string(), "x/appmux.toml:2:2: bad");
    }

    #[test]
    fn toml_errors_are_located() {
        let text = "a = 1\na = 2\n";
        let err = toml::from_str::<toml::Table>(text).unwrap_err();
        let err = ConfigError::from_toml(Path::new("f.toml"), text, &err);
        assert_eq!((err.line, err.col), (2, 1));
        assert_eq!(err.message, "duplicate key");
    }

    #[test]
    fn invalid_utf8_is_located() {
        let err = decode(Path::new("f"), b"a = 1\nb = \"\xff\"".to_vec()).unwrap_err();
        assert_eq!((err.line, err.col), (2, 6));
    }
}
