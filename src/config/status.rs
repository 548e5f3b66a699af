//! The status line's content: the `left` and `right` templates of `[status]` in config.toml,
//! text with `{field}` placeholders that are filled in for every frame.
//!
//! This module owns the template grammar (`{name}` is a field, `{{` and `}}` are literal
//! braces) and its expansion. What each field holds is the server's to say (it passes
//! [`Fields`]), and drawing the line is the renderer's.

use super::doc::Keys;

/// What a placeholder stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The session's name.
    Session,
    /// The active tab's name.
    Tab,
    /// The focused app's name.
    App,
    /// The focused app's title (OSC 0/2).
    Title,
    /// Apps up and errored: `2/3 up  1 errored`; empty for a lone shell.
    Apps,
    /// How to open the help and detach, read from the keymap: `C-b ? help  C-b d detach`.
    Hint,
    /// The machine's host name.
    Host,
}

const FIELDS: &[(&str, Field)] = &[
    ("session", Field::Session),
    ("tab", Field::Tab),
    ("app", Field::App),
    ("title", Field::Title),
    ("apps", Field::Apps),
    ("hint", Field::Hint),
    ("host", Field::Host),
];

/// Field names and the names people bring from tmux's formats, for did-you-mean.
const FIELD_KEYS: Keys = Keys {
    context: "status templates",
    known: &["session", "tab", "app", "title", "apps", "hint", "host"],
    aliases: &[
        ("session_name", "session"),
        ("window", "tab"),
        ("window_name", "tab"),
        ("pane_title", "title"),
        ("hostname", "host"),
        ("host_short", "host"),
    ],
};

/// The values of the fields for one frame.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fields<'a> {
    pub session: &'a str,
    pub tab: &'a str,
    pub app: &'a str,
    pub title: &'a str,
    pub apps: &'a str,
    pub hint: &'a str,
    pub host: &'a str,
}

impl<'a> Fields<'a> {
    fn get(&self, field: Field) -> &'a str {
        match field {
            Field::Session => self.session,
            Field::Tab => self.tab,
            Field::App => self.app,
            Field::Title => self.title,
            Field::Apps => self.apps,
            Field::Hint => self.hint,
            Field::Host => self.host,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Field(Field),
}

/// A parsed template; it keeps its source to print back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

/// Why a template does not parse, and where in it (a byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub offset: usize,
    pub message: String,
}

impl Template {
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = source.char_indices().peekable();
        while let Some((at, c)) = rest.next() {
            match c {
                '{' if rest.peek().map(|(_, c)| *c) == Some('{') => {
                    rest.next();
                    text.push('{');
                }
                '}' if rest.peek().map(|(_, c)| *c) == Some('}') => {
                    rest.next();
                    text.push('}');
                }
                '}' => {
                    return Err(TemplateError {
                        offset: at,
                        message: "a `}` with no `{` before it (write `}}` for a brace)".into(),
                    });
                }
                '{' => {
                    let Some(len) = source[at + 1..].find('}') else {
                        return Err(TemplateError {
                            offset: at,
                            message: "a `{` that is never closed (write `{{` for a brace)".into(),
                        });
                    };
                    let name = &source[at + 1..at + 1 + len];
                    let field = field_named(name).ok_or_else(|| TemplateError {
                        offset: at,
                        message: unknown_field(name),
                    })?;
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(Part::Field(field));
                    while rest.peek().is_some_and(|(i, _)| *i <= at + 1 + len) {
                        rest.next();
                    }
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Self {
            source: source.to_owned(),
            parts,
        })
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the template shows `field` (so that costly fields are only worked out when
    /// shown).
    pub fn uses(&self, field: Field) -> bool {
        self.parts.contains(&Part::Field(field))
    }

    /// The text for one frame. A field with nothing to show also drops the spaces that follow
    /// it, so that `{title}  {apps}` leaves no gap when there is no title.
    pub fn expand(&self, fields: &Fields<'_>) -> String {
        let mut out = String::new();
        let mut skip_spaces = false;
        for part in &self.parts {
            match part {
                Part::Text(text) if skip_spaces => out.push_str(text.trim_start_matches(' ')),
                Part::Text(text) => out.push_str(text),
                Part::Field(field) => {
                    let value = fields.get(*field);
                    out.push_str(value);
                    skip_spaces = value.is_empty();
                    continue;
                }
            }
            skip_spaces = false;
        }
        out
    }
}

impl serde::Serialize for Template {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

fn field_named(name: &str) -> Option<Field> {
    FIELDS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

fn unknown_field(name: &str) -> String {
    let names: Vec<String> = FIELDS.iter().map(|(n, _)| format!("{{{n}}}")).collect();
    let hint = match FIELD_KEYS.suggest(name) {
        Some(s) => format!("did you mean `{{{s}}}`? "),
        None => String::new(),
    };
    format!(
        "unknown field `{{{name}}}`; {hint}fields are {}",
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Fields<'static> {
        Fields {
            session: "web",
            tab: "main",
            app: "api",
            title: "vim notes.md",
            apps: "2/3 up",
            hint: "C-b ? help",
            host: "box",
        }
    }

    #[test]
    fn fields_are_filled_in_and_braces_escaped() {
        let t = Template::parse("[{session}:{tab}] {app}@{host} {{x}} {hint}").unwrap();
        assert_eq!(t.expand(&fields()), "[web:main] api@box {x} C-b ? help");
        assert!(t.uses(Field::Host));
        assert!(!t.uses(Field::Title));
        assert_eq!(t.source(), "[{session}:{tab}] {app}@{host} {{x}} {hint}");
        assert_eq!(Template::parse("").unwrap().expand(&fields()), "");
    }

    #[test]
    fn empty_fields_take_the_spaces_after_them() {
        let t = Template::parse("{title}  {apps}  {hint} ").unwrap();
        assert_eq!(t.expand(&fields()), "vim notes.md  2/3 up  C-b ? help ");
        let bare = Fields {
            title: "",
            apps: "",
            ..fields()
        };
        assert_eq!(t.expand(&bare), "C-b ? help ");
        // Other text after an empty field stays.
        let t = Template::parse("{title}|{apps}").unwrap();
        assert_eq!(t.expand(&bare), "|");
    }

    #[test]
    fn bad_templates_say_where_and_suggest() {
        let err = Template::parse("ab {sesion}").unwrap_err();
        assert_eq!(err.offset, 3);
        assert!(
            err.message.contains("did you mean `{session}`"),
            "{}",
            err.message
        );
        let err = Template::parse("{window_name}").unwrap_err();
        assert!(
            err.message.contains("did you mean `{tab}`"),
            "{}",
            err.message
        );
        let err = Template::parse("x {session").unwrap_err();
        assert_eq!(err.offset, 2);
        assert!(err.message.contains("never closed"));
        let err = Template::parse("é}").unwrap_err();
        assert_eq!(err.offset, 2);
    }
}
