//! Daily-use defects seen from the command line and the pager: paging help and logs like less,
//! attaching from inside a session, CLI and control API errors that must not pass silently,
//! the mouse wheel over a pane, and what the app log says when a run ends or cannot start.

use crate::harness::*;

/// The pager's position label (`first-last/total`) in its title row.
fn pager_position(t: &Term, title_row: u16) -> Option<(usize, usize, usize)> {
    let row = t.row(title_row);
    let label = row.split_whitespace().last()?;
    let (range, total) = label.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    Some((first.parse().ok()?, last.parse().ok()?, total.parse().ok()?))
}

/// Sends `keys` and waits for the pager to show lines `first..=last`.
fn page_to(t: &mut Term, keys: &[u8], title_row: u16, first: usize, last: usize) {
    t.send(keys);
    wait_until(
        &format!("the pager at {first}-{last} after {keys:?}"),
        || {
            pager_position(t, title_row)
                .filter(|&(f, l, _)| (f, l) == (first, last))
                .map(drop)
        },
    );
}

#[test]
fn the_help_pager_pages_like_less_and_reaches_the_last_binding() {
    let env = Env::new();
    let mut t = env.attach(&[], 80, 24);
    t.wait_for("sh$");
    t.send(b"\x02?");
    t.wait_for("help: keymap");
    let (first, page, total) = wait_until("the help pager's position", || pager_position(&t, 0));
    assert_eq!(first, 1);
    assert!(total > 3 * page, "{total} lines, {page} a page");
    // The label tells the truth: `page` rows of text, then the key help.
    assert!(!t.row(page as u16).trim().is_empty(), "{}", t.contents());
    assert!(t.row(page as u16 + 1).contains("q close"), "{}", t.contents());
    // Pages abut: PgDn, Space and C-f go forward, PgUp, b and C-b back.
    page_to(&mut t, b"\x1b[6~", 0, page + 1, 2 * page);
    page_to(&mut t, b" ", 0, 2 * page + 1, 3 * page);
    page_to(&mut t, b"\x02", 0, page + 1, 2 * page);
    page_to(&mut t, b"\x06", 0, 2 * page + 1, 3 * page);
    page_to(&mut t, b"b", 0, page + 1, 2 * page);
    page_to(&mut t, b"\x1b[5~", 0, 1, page);
    // G and End show the last line: the last binding of the last mode (copy).
    page_to(&mut t, b"G", 0, total - page + 1, total);
    let last = t.row(page as u16);
    assert!(last.starts_with("copy"), "{}", t.contents());
    page_to(&mut t, b"g", 0, 1, page);
    page_to(&mut t, b"\x1b[F", 0, total - page + 1, total);
    assert_eq!(t.row(page as u16), last);
    t.send(b"q");
    t.wait_for_fn("the pager closed", |s| !s.contents().contains("help: keymap"));
}

#[test]
fn the_log_pager_opens_on_the_last_line_and_pages_without_gaps() {
    let env = Env::new();
    let dir = env.project(
        "logpager",
        "[[app]]\nname = \"web\"\n\
         cmd = \"i=1; while [ $i -le 120 ]; do echo log-line-$i; i=$((i+1)); done; sleep 1000\"\n",
    );
    let mut t = env.attach_in(&dir, &[], 80, 24);
    t.wait_for("log-line-120");
    // The sidebar's `l` opens the focused app's log at its end.
    t.send(b"\x02s");
    t.wait_for("apps: ");
    t.send(b"l");
    t.wait_for("log: web");
    let (first, last, total) = wait_until("the log pager's position", || pager_position(&t, 0));
    assert_eq!(last, total, "{}", t.contents());
    let page = last + 1 - first;
    let text = t.contents();
    assert!(text.contains("log-line-120"), "{text}");
    page_to(&mut t, b"\x1b[5~", 0, first - page, first - 1);
    page_to(&mut t, b"\x1b[6~", 0, first, last);
    page_to(&mut t, b"k", 0, first - 1, last - 1);
    page_to(&mut t, b"\x1b[4~", 0, first, last);
    assert!(t.contents().contains("log-line-120"), "{}", t.contents());
}
