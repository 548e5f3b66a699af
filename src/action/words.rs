//! The words of an action's text form: splitting a text like a shell does, quoting an
//! argument so that it reads back the same, and the parser's cursor over the words (options
//! first, then the rest) with the helper that prints options the same way.

use std::str::FromStr;

use super::{ActionError, ArgKind, Direction, Spec};

/// The arguments not yet taken by the parser of one action: its options (read first, by
/// `take_options`) and its other words.
pub(super) struct Args<'a> {
    pub(super) action: &'static str,
    /// Options given, by key; flags have no value.
    pub(super) options: Vec<(&'static str, Option<&'a str>)>,
    pub(super) rest: std::collections::VecDeque<&'a str>,
}

impl<'a> Args<'a> {
    pub(super) fn next(&mut self) -> Option<&'a str> {
        self.rest.pop_front()
    }

    /// Reads the leading `--key [VALUE]` words that are options of `spec`, up to the first
    /// other word or a `--`, which is dropped. An unknown `--word` there is an error: `--`
    /// before it passes it on as a word.
    pub(super) fn take_options(&mut self, spec: &'static Spec) -> Result<(), ActionError> {
        while let Some(word) = self.rest.front().copied() {
            let Some(key) = word.strip_prefix("--") else {
                break;
            };
            self.rest.pop_front();
            if key.is_empty() {
                break;
            }
            let arg = spec
                .args
                .iter()
                .find(|a| a.kind.is_option() && a.key == key)
                .ok_or_else(|| ActionError::UnknownOption {
                    action: spec.name,
                    option: word.to_owned(),
                })?;
            let value = match arg.kind {
                ArgKind::Value => Some(self.next().ok_or(ActionError::OptionValue {
                    action: spec.name,
                    option: arg.key,
                })?),
                _ => None,
            };
            self.options.retain(|(k, _)| *k != arg.key);
            self.options.push((arg.key, value));
        }
        Ok(())
    }

    /// The value of an option, when given.
    pub(super) fn option(&self, key: &str) -> Option<&'a str> {
        self.options
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| *v)
    }

    /// Whether a flag was given.
    pub(super) fn flag(&self, key: &str) -> bool {
        self.options.iter().any(|(k, _)| *k == key)
    }

    /// Every word not yet taken.
    pub(super) fn remaining(&mut self) -> Vec<String> {
        self.rest.drain(..).map(str::to_owned).collect()
    }

    pub(super) fn required(&mut self, what: &'static str) -> Result<&'a str, ActionError> {
        self.next().ok_or(ActionError::Missing {
            action: self.action,
            what,
        })
    }

    pub(super) fn bad(&self, arg: &str, expected: &'static str) -> ActionError {
        ActionError::Bad {
            action: self.action,
            arg: arg.to_owned(),
            expected,
        }
    }

    pub(super) fn direction(&mut self) -> Result<Direction, ActionError> {
        let arg = self.required("a direction (left, right, up or down)")?;
        Direction::ALL
            .into_iter()
            .find(|d| d.as_str() == arg)
            .ok_or_else(|| self.bad(arg, "a direction (left, right, up or down)"))
    }

    pub(super) fn number(&mut self) -> Result<u32, ActionError> {
        let arg = self.required("a number")?;
        digits(arg).ok_or_else(|| self.bad(arg, "a number"))
    }

    pub(super) fn optional_name(&mut self) -> Option<String> {
        self.next().map(str::to_owned)
    }

    pub(super) fn finish(mut self) -> Result<(), ActionError> {
        match self.next() {
            Some(arg) => Err(ActionError::Extra {
                action: self.action,
                arg: arg.to_owned(),
            }),
            None => Ok(()),
        }
    }
}

/// The words of an action with options, as printed: options first, then `--` when the first
/// word would read as an option, then the words.
#[derive(Default)]
pub(super) struct OptionWords(Vec<String>);

impl OptionWords {
    pub(super) fn value(mut self, key: &str, value: Option<&str>) -> Self {
        if let Some(v) = value {
            self.0.push(format!("--{key}"));
            self.0.push(v.to_owned());
        }
        self
    }

    pub(super) fn flag(mut self, key: &str, on: bool) -> Self {
        if on {
            self.0.push(format!("--{key}"));
        }
        self
    }

    pub(super) fn then(mut self, words: &[String]) -> Vec<String> {
        if words.first().is_some_and(|w| w.starts_with("--")) {
            self.0.push("--".to_owned());
        }
        self.0.extend(words.iter().cloned());
        self.0
    }
}

/// A plain decimal number (no sign, no spaces).
pub(super) fn digits<T: FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Splits on unquoted whitespace. `'...'` is literal, `"..."` allows `\"` and `\\`, and `\x`
/// outside quotes is `x`. `None` when a quote is not closed.
pub(super) fn split_words(text: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => w.push(c),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\') => w.push(c),
                            c => {
                                w.push('\\');
                                w.push(c);
                            }
                        },
                        c => w.push(c),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).push(chars.next()?),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Some(words)
}

/// An argument as `split_words` reads it back: bare when it has no whitespace, quote or
/// backslash, else in single quotes with each `'` written as `'\''`.
pub(super) fn quote(arg: &str) -> String {
    let special = |c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '\\');
    if !arg.is_empty() && !arg.contains(special) {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}
