//! Tab completion of a command-prompt line: the first word completes to an action name of the
//! table or a tmux command name, later words to what that command takes (app names, session
//! names, layout names, directions). Pure: the live names (apps, sessions) are passed in.
//!
//! This module owns which argument completes to what and the completion itself (the longest
//! common prefix of the matches, and a space after a single match); the prompt's editing is
//! the prompt mode's.

use super::{LayoutPreset, find_spec, table, tmux};

pub use super::tmux::Candidate;

/// The live names completion may offer.
#[derive(Debug, Default, Clone)]
pub struct Names {
    pub apps: Vec<String>,
    pub sessions: Vec<String>,
}

/// The result of completing the word before the cursor: the word starts at byte `start` of the
/// text before the cursor and is replaced by `text`; `matches` lists every candidate (more than
/// one when `text` is only their common prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub start: usize,
    pub text: String,
    pub matches: Vec<String>,
}

/// What the arguments of a command (an action name or a tmux command) complete to.
fn candidate_of(command: &str) -> Option<Candidate> {
    if let Some(alias) = tmux::find_alias(command)
        && find_spec(command).is_none()
    {
        return alias.completes;
    }
    let spec = find_spec(command)?;
    match spec.name {
        "pane.layout" => return Some(Candidate::Layout),
        "pane.focus" | "pane.resize" => return Some(Candidate::Direction),
        "session.kill" => return Some(Candidate::Session),
        _ => {}
    }
    let app_arg = spec
        .args
        .iter()
        .any(|a| !a.kind.is_option() && a.keys().any(|k| matches!(k, "app" | "apps" | "name")));
    (spec.name.starts_with("app.") && app_arg).then_some(Candidate::App)
}

/// Every name the first word may complete to: the table's names, then tmux's.
fn command_names() -> impl Iterator<Item = &'static str> {
    table()
        .iter()
        .map(|s| s.name)
        .chain(tmux::aliases().iter().map(|a| a.name))
}

/// Completes the last word of `before` (the text before the cursor); `None` when nothing
/// matches.
pub fn complete(before: &str, names: &Names) -> Option<Completion> {
    let start = before.rfind(char::is_whitespace).map_or(0, |i| {
        i + before[i..].chars().next().map_or(1, char::len_utf8)
    });
    let word = &before[start..];
    let words: Vec<&str> = before[..start].split_whitespace().collect();
    let options: Vec<String> = match words.first() {
        None => command_names().map(str::to_owned).collect(),
        Some(command) => match candidate_of(command) {
            None => return None,
            // `kill-session` names its session after `-t`.
            Some(Candidate::Session)
                if tmux::find_alias(command).is_some() && words.last() != Some(&"-t") =>
            {
                return None;
            }
            Some(Candidate::App) => names.apps.clone(),
            Some(Candidate::Session) => names.sessions.clone(),
            Some(Candidate::Layout) => LayoutPreset::ALL
                .iter()
                .map(|l| l.as_str().to_owned())
                .collect(),
            Some(Candidate::Direction) if words.len() == 1 => super::Direction::ALL
                .iter()
                .map(|d| d.as_str().to_owned())
                .collect(),
            Some(Candidate::Direction) => return None,
        },
    };
    let mut matches: Vec<String> = options
        .into_iter()
        .filter(|o| o.starts_with(word))
        .collect();
    matches.dedup();
    let text = match matches.as_slice() {
        [] => return None,
        [one] => format!("{one} "),
        many => common_prefix(many),
    };
    Some(Completion {
        start,
        text,
        matches,
    })
}

/// The usage of the command a line begins with (`split-window [-h|-v]`), shown when Tab has
/// nothing to complete; `None` for an unknown command or one without arguments.
pub fn usage_of(line: &str) -> Option<String> {
    let name = line.split_whitespace().next()?;
    let usage = match find_spec(name) {
        Some(spec) => spec.usage,
        None => tmux::find_alias(name)?.usage,
    };
    (!usage.is_empty()).then(|| format!("{name} {usage}"))
}

fn common_prefix(words: &[String]) -> String {
    let first = &words[0];
    let mut len = first.len();
    for w in &words[1..] {
        len = first
            .char_indices()
            .zip(w.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, c), _)| i + c.len_utf8())
            .min(len);
    }
    first[..len].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names {
            apps: vec!["web".into(), "worker".into(), "db".into()],
            sessions: vec!["work".into(), "play".into()],
        }
    }

    fn done(before: &str) -> Option<(usize, String)> {
        complete(before, &names()).map(|c| (c.start, c.text))
    }

    #[test]
    fn the_first_word_completes_to_action_and_tmux_names() {
        assert_eq!(done("pane.split-r"), Some((0, "pane.split-right ".into())));
        assert_eq!(done("split-w"), Some((0, "split-window ".into())));
        assert_eq!(done("rename-s"), Some((0, "rename-session ".into())));
        // Several: their common prefix, and every match.
        let c = complete("pane.sp", &names()).unwrap();
        assert_eq!(c.text, "pane.split-");
        assert_eq!(c.matches, ["pane.split-right", "pane.split-down"]);
        assert_eq!(done("zzz"), None);
    }

    #[test]
    fn arguments_complete_to_apps_sessions_layouts_and_directions() {
        assert_eq!(done("app.restart we"), Some((12, "web ".into())));
        assert_eq!(done("app.restart web wor"), Some((16, "worker ".into())));
        let c = complete("app.stop w", &names()).unwrap();
        assert_eq!((c.text.as_str(), c.matches.len()), ("w", 2));
        assert_eq!(done("select-layout ti"), Some((14, "tiled ".into())));
        assert_eq!(
            done("pane.layout main-h"),
            Some((12, "main-horizontal ".into()))
        );
        assert_eq!(done("select-layout ma"), Some((14, "main-".into())));
        assert_eq!(done("session.kill pl"), Some((13, "play ".into())));
        assert_eq!(done("kill-session -t wo"), Some((16, "work ".into())));
        assert_eq!(done("pane.focus l"), Some((11, "left ".into())));
        // Words that complete to nothing in particular.
        assert_eq!(done("tab.rename we"), None);
        assert_eq!(done("kill-session wo"), None);
        assert_eq!(done("pane.focus left r"), None);
    }

    #[test]
    fn a_command_with_nothing_to_complete_has_its_usage() {
        assert_eq!(
            usage_of("split-window "),
            Some("split-window [-h|-v]".into())
        );
        assert_eq!(
            usage_of("pane.resize l"),
            Some("pane.resize <left|right|up|down> [cells]".into())
        );
        assert_eq!(usage_of("tab.new"), None);
        assert_eq!(usage_of("nope"), None);
    }
}
