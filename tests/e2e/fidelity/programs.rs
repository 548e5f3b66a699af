//! Real programs through a real attached client: vim, less, htop, top, the Python REPL and
//! bash's readline. Each runs from a shell in a pane (`bash --norc --noprofile`, with the
//! harness's isolated HOME), so leaving it shows the shell again.

use crate::harness::*;

/// A client attached to a new session running bash, with its prompt on screen.
fn bash(env: &Env, session: &str, cols: u16, rows: u16) -> Term {
    let t = env.attach(
        &["new", "-s", session, "--", "bash", "--norc", "--noprofile"],
        cols,
        rows,
    );
    t.wait_for("sh$");
    t
}

/// The lines of the screen that equal `line` once trimmed.
fn count_lines(s: &vt100::Screen, line: &str) -> usize {
    s.contents().lines().filter(|l| l.trim() == line).count()
}

/// Types `command` into the shell and runs it.
fn shell(t: &mut Term, command: &str) {
    t.type_str(command);
    t.type_str("\r");
}

fn numbered(env: &Env, name: &str, lines: usize, prefix: &str) -> std::path::PathBuf {
    let path = env.path("home").join(name);
    let text: String = (1..=lines).map(|i| format!("{prefix} {i:03}\n")).collect();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn vim_edits_saves_and_gives_the_screen_back() {
    let env = Env::new();
    let file = numbered(&env, "note.txt", 3, "line");
    let mut t = bash(&env, "vim", 100, 30);
    shell(&mut t, "echo before-vim-$((1+1))");
    t.wait_for("before-vim-2");
    shell(&mut t, "vim -u NONE -i NONE -N note.txt");
    t.wait_for("\"note.txt\"");
    t.wait_for_fn("vim's empty-line markers", |s| s.contents().contains("\n~"));
    t.type_str("Gohello from vim\x1b:wq\r");
    wait_until("the file saved by vim", || {
        let text = std::fs::read_to_string(&file).ok()?;
        text.contains("line 003\nhello from vim\n").then_some(())
    });
    // The shell's screen is back as it was, with nothing of vim's left on it.
    t.wait_for_fn("the shell screen restored", |s| {
        let c = s.contents();
        c.contains("before-vim-2") && !c.contains("\n~") && !c.contains("hello from vim")
    });
}

#[test]
fn vim_takes_mouse_clicks_and_redraws_on_resize() {
    let env = Env::new();
    numbered(&env, "many.txt", 40, "row");
    let mut t = bash(&env, "vimm", 100, 30);
    shell(
        &mut t,
        "vim -u NONE -i NONE -N -c 'set mouse=a laststatus=2' many.txt; echo vim-exit-$((3+3))",
    );
    t.wait_for("row 001");
    t.wait_for("many.txt");
    // A click on the tenth row of the pane puts vim's cursor on line 10. (vim may switch its
    // mouse reporting on after it first draws: the click is repeated until it lands.)
    let pos = env.path("home").join("pos.txt");
    wait_until("a click to move vim's cursor to line 10", || {
        let _ = std::fs::remove_file(&pos);
        t.send(b"\x1b[<0;5;10M\x1b[<0;5;10m");
        t.type_str(":call writefile([line('.')], 'pos.txt')\r");
        let line = wait_until("vim to report its cursor line", || {
            std::fs::read_to_string(&pos).ok()
        });
        (line.trim() == "10").then_some(())
    });
    // Resizing the client: vim redraws for the new size, its status line on the new
    // second-to-last row of the pane (the client's last row is appmux's status line), and
    // every row above it a line of the file, in order, with nothing left of the old layout.
    for (cols, rows) in [(80u16, 20u16), (120, 40)] {
        t.resize(cols, rows);
        let status_row = rows - 3;
        t.wait_for_fn(&format!("vim redrawn at {cols}x{rows}"), |s| {
            let lines: Vec<String> = s.rows(0, cols).collect();
            let text = &lines[..usize::from(status_row)];
            let first: Option<u32> = text[0]
                .strip_prefix("row ")
                .and_then(|n| n.trim().parse().ok());
            lines[usize::from(status_row)].contains("many.txt")
                && first.is_some_and(|first| {
                    text.iter()
                        .enumerate()
                        .all(|(i, l)| l.trim_end() == format!("row {:03}", first + i as u32))
                })
        });
    }
    t.type_str(":q!\r");
    t.wait_for("vim-exit-6");
}

#[test]
fn less_scrolls_searches_and_quits() {
    let env = Env::new();
    numbered(&env, "long.txt", 300, "entry");
    let mut t = bash(&env, "less", 100, 30);
    shell(&mut t, "less long.txt");
    t.wait_for("entry 001");
    // A page forward.
    t.type_str(" ");
    t.wait_for_fn("the next page", |s| {
        let c = s.contents();
        c.contains("entry 040") && !c.contains("entry 001")
    });
    // Search.
    t.type_str("/entry 250\r");
    t.wait_for("entry 250");
    // Back to the top, then quit: the shell screen is back.
    t.type_str("g");
    t.wait_for("entry 001");
    t.type_str("q");
    t.wait_for_fn("less gone", |s| !s.contents().contains("entry 0"));
    shell(&mut t, "echo after-less-$((3+4))");
    t.wait_for("after-less-7");
}

#[test]
fn htop_draws_real_lines_answers_keys_and_quits() {
    let env = Env::new();
    let mut t = bash(&env, "htop", 120, 40);
    shell(&mut t, "htop -t; echo htop-exit-$((2+2))");
    t.wait_for("Mem");
    t.wait_for_fn("the process tree drawn with line characters", |s| {
        let c = s.contents();
        c.contains("├─") || c.contains("└─")
    });
    // The meters.
    t.wait_for_fn("the memory meter", |s| {
        s.contents()
            .lines()
            .any(|l| l.contains("Mem[") && l.contains('|'))
    });
    // Keys: help opens and closes.
    t.type_str("h");
    t.wait_for("htop 3");
    t.type_str("q");
    t.wait_for("Mem[");
    t.type_str("q");
    t.wait_for("htop-exit-4");
    t.wait_for_fn("htop's screen gone", |s| !s.contents().contains("Mem["));
}

#[test]
fn terminfo_line_drawing_shows_box_characters() {
    let env = Env::new();
    let mut t = bash(&env, "acs", 100, 30);
    // What ncurses programs send for boxes with this TERM: the charsets set up (enacs), then
    // SO/SI around DEC special graphics letters (smacs/rmacs).
    shell(
        &mut t,
        "tput enacs; tput smacs; printf 'lqqk\\nx  x\\nmqqj'; tput rmacs; echo \" lqk-$((1+1))\"",
    );
    t.wait_for("└──┘ lqk-2");
    t.wait_for("┌──┐");
    t.wait_for("│  │");
}

#[test]
fn top_shows_tasks_and_quits() {
    let env = Env::new();
    let mut t = bash(&env, "top", 120, 40);
    shell(&mut t, "top -d 1; echo top-exit-$((1+5))");
    t.wait_for("Tasks:");
    t.wait_for("PID");
    // top leaves its last screen behind (it does not use the alternate screen).
    t.type_str("q");
    t.wait_for("top-exit-6");
}

#[test]
fn bash_readline_editing_and_history() {
    let env = Env::new();
    let mut t = bash(&env, "rl", 100, 30);
    // C-a to the start, C-e to the end.
    t.type_str("cho hi-$((1+1)");
    t.send(b"\x01e\x05)\r");
    t.wait_for_fn("the edited command's output", |s| {
        count_lines(s, "hi-2") == 1
    });
    // Up recalls it.
    t.send(b"\x1b[A\r");
    t.wait_for_fn("the recalled command's output", |s| {
        count_lines(s, "hi-2") == 2
    });
    // M-b moves back a word.
    t.type_str("echo one two");
    t.send(b"\x1bbX\r");
    t.wait_for_fn("the word edit", |s| count_lines(s, "one Xtwo") == 1);
    // C-r finds it again.
    t.send(b"\x12one X");
    t.wait_for("reverse-i-search");
    t.send(b"\r");
    t.wait_for_fn("the searched command's output", |s| {
        count_lines(s, "one Xtwo") == 2
    });
}

#[test]
fn python_repl_editing_and_history() {
    let env = Env::new();
    let mut t = bash(&env, "py", 100, 30);
    shell(&mut t, "python3 -q");
    t.wait_for(">>>");
    t.type_str("x = 6 * 7\r");
    // C-a, C-e.
    t.type_str("rint(x");
    t.send(b"\x01p\x05)\r");
    t.wait_for_fn("42 printed", |s| count_lines(s, "42") == 1);
    // Up recalls the line.
    t.send(b"\x1b[A\r");
    t.wait_for_fn("42 printed again", |s| count_lines(s, "42") == 2);
    // M-b: `print(7 8)` becomes `print(7 +8)`.
    t.type_str("print(7 8)");
    t.send(b"\x1bb+\r");
    t.wait_for_fn("15 printed", |s| count_lines(s, "15") == 1);
    // C-r searches history.
    t.send(b"\x12rint(x");
    t.send(b"\r");
    t.wait_for_fn("42 printed a third time", |s| count_lines(s, "42") == 3);
    t.type_str("exit()\r");
    t.wait_for("sh$");
}
