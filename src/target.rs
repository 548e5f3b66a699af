//! tmux's ways of naming things from the command line: a target (`-t`) that names a session,
//! an app in it, or a pane by tab and index (`SESSION:TAB.PANE`), and the line numbers of
//! `capture -S/-E` (0 is the first visible line, negative numbers are history, `-` is an end).
//!
//! This module owns the text forms and their pure readings. Finding what a target names in the
//! live model is the server's (it alone knows which apps, tabs and panes exist).

/// The parts of a target: `SESSION`, `SESSION:`, `SESSION:APP`, `SESSION:TAB`,
/// `SESSION:TAB.PANE`, `:TAB.PANE` (the current session), `SESSION.PANE` (its current tab), or
/// nothing at all (the most recent session's focused pane).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    /// `None`: the most recent session.
    pub session: Option<&'a str>,
    /// What follows the session; `None`: its focused pane.
    pub place: Option<Place<'a>>,
}

/// What follows the session in a target. The same text may name an app (`web`, `web.1`) or a
/// tab and pane (`1.2`, `logs.0`): an app of exactly that name wins, as `SESSION:APP` always
/// meant an app; otherwise `tab` and `pane` are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    /// The whole text after the colon, for the app reading.
    pub text: &'a str,
    pub tab: Tab<'a>,
    /// The pane's index in its tab (`C-b q` shows them); `None`: the tab's focused pane.
    pub pane: Option<u32>,
}

/// A tab, by index (as `C-b 0`..`9`), by name, or the session's current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab<'a> {
    Current,
    Index(u32),
    Name(&'a str),
}

/// Reads a target; an error says what is wrong with it.
pub fn parse(text: &str) -> Result<Target<'_>, String> {
    let (session, rest) = match text.split_once(':') {
        Some((s, rest)) => (s, Some(rest)),
        // Session names hold no `.`, so `SESSION.PANE` reads without a colon.
        None => match text.split_once('.') {
            Some((s, pane)) => (s, Some(&text[s.len()..]).filter(|_| !pane.is_empty())),
            None => (text, None),
        },
    };
    let session = Some(session).filter(|s| !s.is_empty());
    let place = match rest.filter(|r| !r.is_empty()) {
        None => None,
        Some(rest) => Some(place(rest).ok_or_else(|| {
            format!("bad target `{text}`: a pane index after `.` must be a number")
        })?),
    };
    Ok(Target { session, place })
}

/// `TAB`, `TAB.PANE` or `.PANE`; `None` when a pane index is not a number and the text cannot
/// be an app's name either (it begins with `.`).
fn place(text: &str) -> Option<Place<'_>> {
    let (tab, pane) = match text.rsplit_once('.') {
        Some((tab, pane)) if number(pane).is_some() => (tab, number(pane)),
        Some(("", _)) => return None,
        _ => (text, None),
    };
    let tab = match tab {
        "" => Tab::Current,
        t => number(t).map_or(Tab::Name(t), Tab::Index),
    };
    Some(Place { text, tab, pane })
}

fn number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// One end of a line range: a line number (0 the first visible line, negative in the history)
/// or `-`, which is the start of the history for the first line and the end of the screen for
/// the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Line {
    Edge,
    At(i64),
}

impl Line {
    /// The furthest a line number reaches either way; far beyond any history kept.
    pub const LIMIT: i64 = 1_000_000_000;

    /// `-` or a number, with its sign.
    pub fn parse(text: &str) -> Option<Self> {
        if text == "-" {
            return Some(Self::Edge);
        }
        let n: i64 = text.parse().ok()?;
        (n.abs() <= Self::LIMIT).then_some(Self::At(n))
    }
}

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Edge => f.write_str("-"),
            Self::At(n) => write!(f, "{n}"),
        }
    }
}

/// The rows a capture prints, as indexes into history-then-screen (`history` rows kept, then
/// `rows` on screen), first and last included, as tmux's `capture-pane -S/-E`: numbers beyond
/// either end are clamped, and a range given backwards is turned round. `start` defaults to
/// the first visible line, `end` to the last.
pub fn line_span(
    start: Option<Line>,
    end: Option<Line>,
    history: usize,
    rows: usize,
) -> (usize, usize) {
    let last = (history + rows).saturating_sub(1) as i64;
    let at = |line: Line, edge: i64| match line {
        Line::Edge => edge,
        Line::At(n) => (history as i64).saturating_add(n).clamp(0, last),
    };
    let top = at(start.unwrap_or(Line::At(0)), 0);
    let bottom = at(end.unwrap_or(Line::Edge), last);
    let (top, bottom) = if bottom < top {
        (bottom, top)
    } else {
        (top, bottom)
    };
    (top as usize, bottom as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(session: Option<&'static str>, place: Option<Place<'static>>) -> Target<'static> {
        Target { session, place }
    }

    fn at(text: &'static str, tab: Tab<'static>, pane: Option<u32>) -> Option<Place<'static>> {
        Some(Place { text, tab, pane })
    }

    #[test]
    fn targets_read_as_tmux_reads_them() {
        let p = |t| parse(t).unwrap();
        assert_eq!(p(""), target(None, None));
        assert_eq!(p("work"), target(Some("work"), None));
        assert_eq!(p("work:"), target(Some("work"), None));
        assert_eq!(
            p("work:web"),
            target(Some("work"), at("web", Tab::Name("web"), None))
        );
        assert_eq!(
            p("work:1"),
            target(Some("work"), at("1", Tab::Index(1), None))
        );
        assert_eq!(
            p("work:1.2"),
            target(Some("work"), at("1.2", Tab::Index(1), Some(2)))
        );
        assert_eq!(
            p("work:logs.0"),
            target(Some("work"), at("logs.0", Tab::Name("logs"), Some(0)))
        );
        assert_eq!(p(":0.1"), target(None, at("0.1", Tab::Index(0), Some(1))));
        assert_eq!(
            p("work:.1"),
            target(Some("work"), at(".1", Tab::Current, Some(1)))
        );
        assert_eq!(
            p("work.1"),
            target(Some("work"), at(".1", Tab::Current, Some(1)))
        );
        // A dotted app name whose tail is not a number stays a name.
        assert_eq!(
            p("work:web.api"),
            target(Some("work"), at("web.api", Tab::Name("web.api"), None))
        );
    }

    #[test]
    fn bad_targets_say_why() {
        assert!(parse("work:.x").unwrap_err().contains("must be a number"));
        assert!(parse("work:1.99999999999").is_ok_and(|t| t.place.unwrap().pane.is_none()));
    }

    #[test]
    fn line_numbers_read_as_capture_pane_reads_them() {
        assert_eq!(Line::parse("-"), Some(Line::Edge));
        assert_eq!(Line::parse("-10"), Some(Line::At(-10)));
        assert_eq!(Line::parse("3"), Some(Line::At(3)));
        assert_eq!(Line::parse("x"), None);
        assert_eq!(Line::parse("-99999999999"), None);
    }

    #[test]
    fn line_spans_count_from_the_first_visible_line() {
        // 5 history rows (indexes 0..5), then 3 on screen (5..8).
        let span = |s, e| line_span(s, e, 5, 3);
        assert_eq!(span(None, None), (5, 7));
        assert_eq!(span(Some(Line::At(-2)), None), (3, 7));
        assert_eq!(span(Some(Line::Edge), None), (0, 7));
        assert_eq!(span(Some(Line::Edge), Some(Line::At(-1))), (0, 4));
        assert_eq!(span(Some(Line::At(1)), Some(Line::At(1))), (6, 6));
        assert_eq!(span(None, Some(Line::Edge)), (5, 7));
        // Beyond either end: clamped; backwards: turned round.
        assert_eq!(span(Some(Line::At(-100)), Some(Line::At(100))), (0, 7));
        assert_eq!(span(Some(Line::At(2)), Some(Line::At(0))), (5, 7));
        assert_eq!(line_span(None, None, 0, 0), (0, 0));
    }
}
