//! Environment files (`env_file = ".env"`) in the dotenv syntax that docker compose, foreman
//! and python-dotenv share.
//!
//! This module owns reading one such file into `(NAME, VALUE)` pairs in file order (or
//! entries that also say where each name is, for messages about a value): `#`
//! comments and blank lines, an optional `export ` prefix, unquoted values (trimmed, with a
//! ` #` comment dropped), single-quoted values taken literally, and double-quoted values with
//! the escapes `\n`, `\r`, `\t`, `\"` and `\\` (any other backslash is kept as written).
//! Quoted values may span lines. Variables are not expanded. Repeated names are all returned,
//! so applying the pairs in order lets the later one win. Which files are read, and in what
//! order they override each other and `env`, is the project loader's business.

use std::path::Path;

use super::error::{self, ConfigError};

/// One `NAME=VALUE` of a file, with the 1-based line and column where its name starts, for
/// messages about a value that parsed but cannot be used (a `PORT` that is not a number, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotenvEntry {
    pub name: String,
    pub value: String,
    pub line: usize,
    pub col: usize,
}

/// Reads and parses the file at `path` (a regular file of at most
/// [`MAX_CONFIG_BYTES`](super::file::MAX_CONFIG_BYTES)); a missing or unreadable file is an
/// error at 1:1.
pub fn load_dotenv(path: &Path) -> Result<Vec<(String, String)>, ConfigError> {
    let bytes = super::file::read_regular(path, super::file::MAX_CONFIG_BYTES)
        .map_err(|err| ConfigError::whole_file(path, format!("cannot read the env file: {err}")))?;
    let text = error::decode(path, bytes)?;
    parse_dotenv(path, &text)
}

/// Parses dotenv `text`, the contents of `file`; the first problem is located by line and
/// column.
pub fn parse_dotenv(file: &Path, text: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let entries = parse_dotenv_entries(file, text)?;
    Ok(entries.into_iter().map(|e| (e.name, e.value)).collect())
}

/// [`parse_dotenv`], keeping where each entry is.
pub fn parse_dotenv_entries(file: &Path, text: &str) -> Result<Vec<DotenvEntry>, ConfigError> {
    let mut parser = Parser { file, text, pos: 0 };
    let lines = error::LineIndex::new(text);
    let mut entries = Vec::new();
    while let Some((name, value, at)) = parser.entry()? {
        let (line, col) = lines.locate(at);
        entries.push(DotenvEntry {
            name,
            value,
            line,
            col,
        });
    }
    Ok(entries)
}

struct Parser<'a> {
    file: &'a Path,
    text: &'a str,
    /// A byte offset, always on a character boundary: every delimiter the parser stops at is
    /// ASCII.
    pos: usize,
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

impl Parser<'_> {
    fn error(&self, at: usize, message: impl Into<String>) -> ConfigError {
        ConfigError::at(self.file, self.text, at, message)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_blanks(&mut self) {
        while self.peek().is_some_and(is_blank) {
            self.pos += 1;
        }
    }

    /// Moves past the end of the current line.
    fn skip_line(&mut self) {
        self.pos = match self.text[self.pos..].find('\n') {
            Some(at) => self.pos + at + 1,
            None => self.text.len(),
        };
    }

    /// The next `NAME=VALUE` and the offset of the name, skipping blank lines and comments;
    /// `None` at the end.
    fn entry(&mut self) -> Result<Option<(String, String, usize)>, ConfigError> {
        loop {
            while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
                self.pos += 1;
            }
            match self.peek() {
                None => return Ok(None),
                Some(b'#') => self.skip_line(),
                Some(_) => break,
            }
        }
        let rest = &self.text[self.pos..];
        if rest.starts_with("export") && rest.as_bytes().get(6).copied().is_some_and(is_blank) {
            self.pos += 6;
            self.skip_blanks();
        }
        let at = self.pos;
        let name = self.name()?;
        self.skip_blanks();
        if self.peek() != Some(b'=') {
            return Err(self.error(self.pos, format!("expected `=` after `{name}`")));
        }
        self.pos += 1;
        let start = self.pos;
        let value = self.value()?;
        if value.contains('\0') {
            return Err(self.error(start, "a value must not contain a NUL character"));
        }
        Ok(Some((name, value, at)))
    }

    fn name(&mut self) -> Result<String, ConfigError> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        while bytes
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.')
        {
            self.pos += 1;
        }
        let name = &self.text[start..self.pos];
        if name.is_empty() {
            let message = "expected a variable name (letters, digits, `_` and `.`) followed by `=`";
            return Err(self.error(start, message));
        }
        if name.as_bytes()[0].is_ascii_digit() {
            return Err(self.error(
                start,
                format!("variable name `{name}` must not start with a digit"),
            ));
        }
        Ok(name.to_owned())
    }

    fn value(&mut self) -> Result<String, ConfigError> {
        let raw_start = self.pos;
        self.skip_blanks();
        let value = match self.peek() {
            Some(b'\'') => self.single_quoted()?,
            Some(b'"') => self.double_quoted()?,
            _ => return Ok(self.unquoted(raw_start)),
        };
        // After a closing quote only blanks and a comment may follow on the line.
        self.skip_blanks();
        match self.peek() {
            None | Some(b'\n') => {}
            Some(b'\r') if self.text[self.pos..].starts_with("\r\n") => {}
            Some(b'#') => {}
            Some(_) => return Err(self.error(self.pos, "unexpected text after the closing quote")),
        }
        self.skip_line();
        Ok(value)
    }

    /// The rest of the line, trimmed, cut at a `#` that follows a blank.
    fn unquoted(&mut self, start: usize) -> String {
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |at| start + at);
        let line = &self.text[start..end];
        let bytes = line.as_bytes();
        let comment = (1..bytes.len()).find(|&i| bytes[i] == b'#' && is_blank(bytes[i - 1]));
        let value = comment.map_or(line, |at| &line[..at]);
        self.pos = end;
        self.skip_line();
        value.trim_matches([' ', '\t', '\r']).to_owned()
    }

    fn single_quoted(&mut self) -> Result<String, ConfigError> {
        let open = self.pos;
        let Some(len) = self.text[open + 1..].find('\'') else {
            return Err(self.error(
                open,
                "unterminated single-quoted value: add the closing `'`",
            ));
        };
        self.pos = open + 1 + len + 1;
        Ok(self.text[open + 1..open + 1 + len].to_owned())
    }

    fn double_quoted(&mut self) -> Result<String, ConfigError> {
        let open = self.pos;
        let mut value = String::new();
        let mut chars = self.text[open + 1..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos = open + 1 + i + 1;
                    return Ok(value);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, 'r')) => value.push('\r'),
                    Some((_, 't')) => value.push('\t'),
                    Some((_, '"')) => value.push('"'),
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, other)) => {
                        value.push('\\');
                        value.push(other);
                    }
                    None => break,
                },
                c => value.push(c),
            }
        }
        Err(self.error(
            open,
            "unterminated double-quoted value: add the closing `\"`",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<(String, String)> {
        parse_dotenv(Path::new(".env"), text).unwrap()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn error(text: &str) -> String {
        parse_dotenv(Path::new(".env"), text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn comments_blank_lines_and_export_are_skipped() {
        let text = "# settings\n\nexport A=1\n  B=2 # two\n\t\r\nexport=3\nexport  C = 4\n";
        assert_eq!(
            parse(text),
            pairs(&[("A", "1"), ("B", "2"), ("export", "3"), ("C", "4")])
        );
        assert_eq!(parse(""), pairs(&[]));
        assert_eq!(parse("# only a comment"), pairs(&[]));
    }

    #[test]
    fn unquoted_values_are_trimmed_and_keep_inner_hashes_and_quotes() {
        let text = "URL=http://x/#frag\nA=a#b\nB=  spaced out  \nC=it's\nD=x\t# tab comment\r\nE=\nF= # nothing\n";
        let expected = [
            ("URL", "http://x/#frag"),
            ("A", "a#b"),
            ("B", "spaced out"),
            ("C", "it's"),
            ("D", "x"),
            ("E", ""),
            ("F", ""),
        ];
        assert_eq!(parse(text), pairs(&expected));
    }

    #[test]
    fn single_quotes_are_literal() {
        let text = "A='a \\n \"b\" # not a comment'\nB='' # empty\nC='two\nlines'\n";
        assert_eq!(
            parse(text),
            pairs(&[
                ("A", "a \\n \"b\" # not a comment"),
                ("B", ""),
                ("C", "two\nlines")
            ])
        );
    }

    #[test]
    fn double_quotes_know_a_few_escapes() {
        let text = r#"A="line\nnext" 
B="say \"hi\" \\ \t end"
C="\$HOME \x"
D="multi
line" # comment
"#;
        let expected = [
            ("A", "line\nnext"),
            ("B", "say \"hi\" \\ \t end"),
            ("C", "\\$HOME \\x"),
            ("D", "multi\nline"),
        ];
        assert_eq!(parse(text), pairs(&expected));
        assert_eq!(parse("E=\"é\"\r\nF=1"), pairs(&[("E", "é"), ("F", "1")]));
    }

    #[test]
    fn repeated_names_are_all_kept_in_order() {
        assert_eq!(parse("A=1\nA=2\n"), pairs(&[("A", "1"), ("A", "2")]));
    }

    #[test]
    fn entries_know_where_their_names_start() {
        let text = "# c\nA=1\n  export B='x'\n";
        let entries = parse_dotenv_entries(Path::new(".env"), text).unwrap();
        let at: Vec<(&str, usize, usize)> = entries
            .iter()
            .map(|e| (e.name.as_str(), e.line, e.col))
            .collect();
        assert_eq!(at, [("A", 2, 1), ("B", 3, 10)]);
    }

    #[test]
    fn bad_lines_are_located() {
        assert_eq!(
            error("A=1\nnot a pair\n"),
            ".env:2:5: expected `=` after `not`"
        );
        assert_eq!(error("A=1\n  B\n"), ".env:2:4: expected `=` after `B`");
        assert_eq!(
            error("=x"),
            ".env:1:1: expected a variable name (letters, digits, `_` and `.`) followed by `=`"
        );
        assert_eq!(
            error("A=1\n1A=2"),
            ".env:2:1: variable name `1A` must not start with a digit"
        );
        assert_eq!(
            error("A=1\nB='open\nC=3\n"),
            ".env:2:3: unterminated single-quoted value: add the closing `'`"
        );
        assert_eq!(
            error("B=\"open\\\""),
            ".env:1:3: unterminated double-quoted value: add the closing `\"`"
        );
        assert_eq!(
            error("B=\"x\" y\n"),
            ".env:1:7: unexpected text after the closing quote"
        );
        assert_eq!(
            error("é=1"),
            ".env:1:1: expected a variable name (letters, digits, `_` and `.`) followed by `=`"
        );
        assert_eq!(
            error("A=\"a\0\""),
            ".env:1:3: a value must not contain a NUL character"
        );
        assert_eq!(
            error("A=1\nB=a\0"),
            ".env:2:3: a value must not contain a NUL character"
        );
    }

    #[test]
    fn files_are_read_or_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "A=1\n").unwrap();
        assert_eq!(load_dotenv(&path).unwrap(), pairs(&[("A", "1")]));
        let missing = dir.path().join("missing.env");
        let err = load_dotenv(&missing).unwrap_err();
        assert_eq!((err.line, err.col), (1, 1));
        assert!(err.message.starts_with("cannot read the env file"), "{err}");
        std::fs::write(&path, b"A=\xff\n").unwrap();
        assert_eq!(
            load_dotenv(&path).unwrap_err().message,
            "the file is not valid UTF-8"
        );
    }

    proptest::proptest! {
        /// Any name and value written in double quotes with the escapes applied reads back.
        #[test]
        fn double_quoted_values_round_trip(name in "[A-Za-z_][A-Za-z0-9_]{0,8}", value in "[^\0]{0,20}") {
            let escaped = value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
            let text = format!("{name}=\"{escaped}\"\n");
            proptest::prop_assert_eq!(parse(&text), vec![(name, value)]);
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,40}") {
            let _ = parse_dotenv(Path::new(".env"), &text);
        }
    }
}
