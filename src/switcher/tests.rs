use super::*;
use crate::keys::Key;

fn key(name: &str) -> Key {
    name.parse().expect("a key name")
}

fn typed(s: &mut Switcher, text: &str) {
    for c in text.chars() {
        assert_eq!(s.key(key(&c.to_string())), Outcome::Stay);
    }
}

fn entry(target: Target, label: &str, text: &str, current: bool) -> Entry {
    Entry {
        target,
        // `0: web` → `web`, `sh running` → `sh`.
        name: label
            .rsplit(": ")
            .next()
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or("")
            .to_owned(),
        label: label.to_owned(),
        text: text.to_owned(),
        current,
    }
}

const A: SessionId = SessionId(1);
const B: SessionId = SessionId(2);

/// Session `a` (tabs 0 and 1, panes 10, 11 and 12) and session `b` (one tab, pane 20); this
/// client is in pane 11.
fn tree() -> Vec<Entry> {
    vec![
        entry(Target::Session(A), "a", "", true),
        entry(Target::Tab(A, 0), "0: web", "", true),
        entry(
            Target::Pane(A, 0, PaneId(10)),
            "web running",
            "listening on 8080",
            false,
        ),
        entry(
            Target::Pane(A, 0, PaneId(11)),
            "sh running",
            "sh$ make",
            true,
        ),
        entry(Target::Tab(A, 1), "1: db", "", false),
        entry(Target::Pane(A, 1, PaneId(12)), "db exited 1", "", false),
        entry(Target::Session(B), "b", "", false),
        entry(Target::Tab(B, 0), "0: sh", "", false),
        entry(Target::Pane(B, 0, PaneId(20)), "sh running", "hello", false),
    ]
}

fn shown(s: &Switcher) -> Vec<Target> {
    s.rows().iter().map(|r| r.entry.target).collect()
}

#[test]
fn it_opens_on_the_current_pane_and_moves_with_wrapping() {
    let mut s = Switcher::new(tree(), String::new());
    assert_eq!(s.selected(), Some(Target::Pane(A, 0, PaneId(11))));
    s.key(key("Down"));
    assert_eq!(s.selected(), Some(Target::Tab(A, 1)));
    s.key(key("k"));
    s.key(key("k"));
    assert_eq!(s.selected(), Some(Target::Pane(A, 0, PaneId(10))));
    s.key(key("G"));
    assert_eq!(s.selected(), Some(Target::Pane(B, 0, PaneId(20))));
    s.key(key("j"));
    assert_eq!(s.selected(), Some(Target::Session(A)), "wraps to the top");
    s.key(key("Up"));
    assert_eq!(s.selected(), Some(Target::Pane(B, 0, PaneId(20))));
    assert_eq!(
        s.key(key("Enter")),
        Outcome::Switch(Target::Pane(B, 0, PaneId(20)))
    );
}

#[test]
fn the_filter_keeps_matches_with_the_tree_around_them() {
    let mut s = Switcher::new(tree(), String::new());
    s.key(key("/"));
    assert_eq!(s.stage(), &Stage::Filter);
    typed(&mut s, "DB");
    // Case does not matter; the session and the tab around the match stay for context.
    assert_eq!(
        shown(&s),
        [
            Target::Session(A),
            Target::Tab(A, 1),
            Target::Pane(A, 1, PaneId(12))
        ]
    );
    // The first entry that matches itself is selected: the tab `1: db`.
    assert_eq!(s.selected(), Some(Target::Tab(A, 1)));
    // Screen text matches too.
    s.key(key("BSpace"));
    s.key(key("BSpace"));
    typed(&mut s, "hello");
    assert_eq!(s.selected(), Some(Target::Pane(B, 0, PaneId(20))));
    assert_eq!(shown(&s).len(), 3);
    // Enter ends typing and keeps the filter; Escape then clears it.
    s.key(key("Enter"));
    assert_eq!(s.stage(), &Stage::Browse);
    assert_eq!(s.filter(), "hello");
    assert_eq!(s.key(key("Escape")), Outcome::Stay);
    assert_eq!(shown(&s).len(), 9);
    assert_eq!(s.selected(), Some(Target::Pane(B, 0, PaneId(20))));
    assert_eq!(s.key(key("Escape")), Outcome::Close);
}

#[test]
fn a_filter_that_matches_nothing_selects_nothing() {
    let mut s = Switcher::new(tree(), "zzz".into());
    assert!(s.rows().is_empty());
    assert_eq!(s.selected(), None);
    assert_eq!(s.key(key("Enter")), Outcome::Close);
}

#[test]
fn kill_asks_first_and_only_y_kills() {
    let mut s = Switcher::new(tree(), String::new());
    s.key(key("x"));
    assert_eq!(s.message(), "kill pane sh? y/n");
    assert_eq!(s.key(key("n")), Outcome::Stay);
    assert_eq!(s.stage(), &Stage::Browse);
    s.key(key("x"));
    assert_eq!(
        s.key(key("y")),
        Outcome::Kill(Target::Pane(A, 0, PaneId(11)))
    );
}

#[test]
fn comma_renames_the_tab_and_dollar_the_session_starting_from_the_old_name() {
    let mut s = Switcher::new(tree(), String::new());
    s.key(key(","));
    assert_eq!(
        s.stage(),
        &Stage::Rename {
            target: Target::Tab(A, 0),
            text: "web".into()
        }
    );
    s.key(key("C-u"));
    typed(&mut s, "front");
    assert_eq!(
        s.key(key("Enter")),
        Outcome::Rename(Target::Tab(A, 0), "front".into())
    );
    s.key(key("$"));
    s.key(key("C-u"));
    assert_eq!(
        s.key(key("Enter")),
        Outcome::Stay,
        "an empty name does nothing"
    );
    s.key(key("$"));
    assert_eq!(s.message(), "rename session: a▏");
    s.key(key("Escape"));
    assert_eq!(s.stage(), &Stage::Browse);
}

#[test]
fn the_selection_survives_new_entries_and_falls_back_when_its_target_goes() {
    let mut s = Switcher::new(tree(), String::new());
    s.key(key("G"));
    let mut fewer = tree();
    fewer.truncate(6);
    s.set_entries(tree());
    assert_eq!(s.selected(), Some(Target::Pane(B, 0, PaneId(20))));
    s.set_entries(fewer);
    // Gone: back to where this client is.
    assert_eq!(s.selected(), Some(Target::Pane(A, 0, PaneId(11))));
}
