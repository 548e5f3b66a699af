//! tmux's own command names for the common actions (`split-window -h`, `kill-pane`,
//! `rename-session NAME`, `select-layout tiled` ...), kept beside the command table so that
//! the command prompt reads both appmux's names and tmux's into the same [`Action`] values.
//!
//! This module owns the alias table (tmux's long name, its short alias, the flags it takes,
//! usage, and how its words become an action) and [`parse_command`], the parse of one prompt
//! line. It carries nothing out, and knows nothing of keys or clients: the one context it reads
//! (the session the prompt runs in, for `kill-session` without `-t`) is passed in.

use super::{
    Action, ActionError, ClientAction, CopyAction, Direction, FloatAction, LayoutPreset, NewFloat,
    PaneAction, ServerAction, SessionAction, TabAction, digits, find_spec, split_words, unknown,
};
use crate::layout::float::Extent;

/// What a prompt line is read against: the session it runs in.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub session: &'a str,
}

/// A tmux command's flags (`-h`, `-t NAME`) and the words after them, as getopt reads them:
/// flags first, clustered or not (`-hd`), a value flag's value attached or as the next word.
struct Flags<'a> {
    command: &'static str,
    flags: Vec<(char, Option<&'a str>)>,
    rest: std::collections::VecDeque<&'a str>,
}

impl<'a> Flags<'a> {
    fn read(alias: &Alias, words: &'a [String]) -> Result<Self, ActionError> {
        let mut flags = Vec::new();
        let mut rest: std::collections::VecDeque<&str> = words.iter().map(String::as_str).collect();
        while let Some(word) = rest.front().copied() {
            if word == "--" {
                rest.pop_front();
                break;
            }
            let Some(cluster) = word.strip_prefix('-').filter(|c| !c.is_empty()) else {
                break;
            };
            // A negative number (`resize-pane -L -5` is not tmux) is a word, not flags.
            if digits::<u64>(cluster).is_some() {
                break;
            }
            rest.pop_front();
            for (i, c) in cluster.char_indices() {
                if alias.values.contains(c) {
                    let attached = &cluster[i + c.len_utf8()..];
                    let value = if attached.is_empty() {
                        rest.pop_front().ok_or(ActionError::Missing {
                            action: alias.name,
                            what: "a value after its flag",
                        })?
                    } else {
                        attached
                    };
                    flags.push((c, Some(value)));
                    break;
                }
                if !alias.flags.contains(c) {
                    return Err(ActionError::UnknownOption {
                        action: alias.name,
                        option: format!("-{c}"),
                    });
                }
                flags.push((c, None));
            }
        }
        Ok(Flags {
            command: alias.name,
            flags,
            rest,
        })
    }

    fn has(&self, flag: char) -> bool {
        self.flags.iter().any(|(f, _)| *f == flag)
    }

    fn value(&self, flag: char) -> Option<&'a str> {
        self.flags
            .iter()
            .rev()
            .find(|(f, _)| *f == flag)
            .and_then(|(_, v)| *v)
    }

    fn next(&mut self) -> Option<&'a str> {
        self.rest.pop_front()
    }

    fn required(&mut self, what: &'static str) -> Result<&'a str, ActionError> {
        self.next().ok_or(ActionError::Missing {
            action: self.command,
            what,
        })
    }

    fn bad(&self, arg: &str, expected: &'static str) -> ActionError {
        ActionError::Bad {
            action: self.command,
            arg: arg.to_owned(),
            expected,
        }
    }

    /// The one direction flag among `-L -R -U -D`, if any.
    fn direction(&self) -> Option<Direction> {
        let all = [
            ('L', Direction::Left),
            ('R', Direction::Right),
            ('U', Direction::Up),
            ('D', Direction::Down),
        ];
        all.into_iter().find(|(f, _)| self.has(*f)).map(|(_, d)| d)
    }

    fn finish(mut self, action: Action) -> Result<Action, ActionError> {
        match self.next() {
            Some(arg) => Err(ActionError::Extra {
                action: self.command,
                arg: arg.to_owned(),
            }),
            None => Ok(action),
        }
    }
}

type Build = fn(&mut Flags<'_>, Context<'_>) -> Result<Action, ActionError>;

/// One tmux command: its names, the flags it takes, the words after them, and the action.
pub struct Alias {
    /// tmux's long name (`split-window`).
    pub name: &'static str,
    /// tmux's short alias (`splitw`), when it has one.
    pub short: Option<&'static str>,
    /// Flags without a value.
    flags: &'static str,
    /// Flags that take a value (`-t NAME`).
    values: &'static str,
    /// What follows the name, for the help and the error messages.
    pub usage: &'static str,
    /// What the arguments complete to (see `complete`).
    pub completes: Option<Candidate>,
    build: Build,
}

const fn alias(name: &'static str, short: Option<&'static str>, build: Build) -> Alias {
    Alias {
        name,
        short,
        flags: "",
        values: "",
        usage: "",
        completes: None,
        build,
    }
}

impl Alias {
    const fn flags(mut self, flags: &'static str, values: &'static str) -> Self {
        self.flags = flags;
        self.values = values;
        self
    }

    const fn usage(mut self, usage: &'static str) -> Self {
        self.usage = usage;
        self
    }

    const fn completes(mut self, what: Candidate) -> Self {
        self.completes = Some(what);
        self
    }
}

const LAYOUTS: &str = "a layout (even-horizontal, even-vertical, main-vertical, \
                       main-horizontal or tiled)";

fn plain(a: Action) -> Result<Action, ActionError> {
    Ok(a)
}

/// What an argument of a command completes to (`super::complete` offers the names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Candidate {
    App,
    Session,
    Layout,
    Direction,
}

/// tmux's commands that map onto the vocabulary, by tmux's long name.
const ALIASES: &[Alias] = &[
    alias("split-window", Some("splitw"), |f, _| {
        plain(Action::Pane(if f.has('h') {
            PaneAction::SplitRight
        } else {
            PaneAction::SplitDown
        }))
    })
    .flags("hvd", "")
    .usage("[-h|-v]"),
    alias("new-window", Some("neww"), |_, _| {
        plain(Action::Tab(TabAction::New))
    })
    .flags("d", ""),
    alias("kill-pane", Some("killp"), |_, _| {
        plain(Action::Pane(PaneAction::Close))
    }),
    alias("kill-window", Some("killw"), |_, _| {
        plain(Action::Tab(TabAction::Close))
    }),
    alias("next-window", Some("next"), |_, _| {
        plain(Action::Tab(TabAction::Next))
    }),
    alias("previous-window", Some("prev"), |_, _| {
        plain(Action::Tab(TabAction::Prev))
    }),
    alias("select-window", Some("selectw"), |f, _| {
        let n = f.value('t').ok_or(ActionError::Missing {
            action: "select-window",
            what: "-t and a tab number",
        })?;
        let n = digits(n).ok_or_else(|| f.bad(n, "a tab number"))?;
        plain(Action::Tab(TabAction::Select(n)))
    })
    .flags("", "t")
    .usage("-t N"),
    alias("select-pane", Some("selectp"), |f, _| {
        if let Some(d) = f.direction() {
            return plain(Action::Pane(PaneAction::Focus(d)));
        }
        let n = f.value('t').ok_or(ActionError::Missing {
            action: "select-pane",
            what: "-L, -R, -U, -D or -t and a pane number",
        })?;
        let n = digits(n).ok_or_else(|| f.bad(n, "a pane number"))?;
        plain(Action::Pane(PaneAction::Select(n)))
    })
    .flags("LRUD", "t")
    .usage("-L|-R|-U|-D|-t N"),
    alias("resize-pane", Some("resizep"), |f, _| {
        if f.has('Z') {
            return plain(Action::Pane(PaneAction::Zoom));
        }
        let d = f.direction().ok_or(ActionError::Missing {
            action: "resize-pane",
            what: "-Z or one of -L, -R, -U, -D",
        })?;
        let cells = match f.next() {
            None => 1,
            Some(n) => digits(n)
                .filter(|&n| n > 0)
                .ok_or_else(|| f.bad(n, "a number of cells from 1 to 65535"))?,
        };
        plain(Action::Pane(PaneAction::Resize(d, cells)))
    })
    .flags("ZLRUD", "")
    .usage("-Z | -L|-R|-U|-D [cells]"),
    alias("select-layout", Some("selectl"), |f, _| {
        if f.has('n') || f.has('p') {
            return plain(Action::Pane(PaneAction::LayoutNext));
        }
        let name = f.required(LAYOUTS)?;
        let preset = LayoutPreset::ALL.into_iter().find(|l| l.as_str() == name);
        let preset = preset.ok_or_else(|| f.bad(name, LAYOUTS))?;
        plain(Action::Pane(PaneAction::Layout(preset)))
    })
    .flags("np", "")
    .usage("<layout> | -n")
    .completes(Candidate::Layout),
    alias("next-layout", Some("nextl"), |_, _| {
        plain(Action::Pane(PaneAction::LayoutNext))
    }),
    alias("swap-pane", Some("swapp"), |f, _| {
        plain(Action::Pane(if f.has('U') {
            PaneAction::SwapPrev
        } else {
            PaneAction::SwapNext
        }))
    })
    .flags("UD", "")
    .usage("[-U|-D]"),
    alias("display-panes", Some("displayp"), |_, _| {
        plain(Action::Pane(PaneAction::Numbers))
    }),
    alias("rename-window", Some("renamew"), |f, _| {
        let name = f.required("a new name")?;
        plain(Action::Tab(TabAction::Rename(Some(name.to_owned()))))
    })
    .usage("<name>"),
    alias("rename-session", Some("rename"), |f, _| {
        let name = f.required("a new name")?;
        crate::names::check_session(name).map_err(|_| f.bad(name, "a valid session name"))?;
        plain(Action::Session(SessionAction::Rename(Some(
            name.to_owned(),
        ))))
    })
    .usage("<name>"),
    alias("kill-session", None, |f, ctx| {
        let target = f.value('t').unwrap_or(ctx.session);
        plain(Action::Session(SessionAction::Kill(target.to_owned())))
    })
    .flags("", "t")
    .usage("[-t session]")
    .completes(Candidate::Session),
    alias("detach-client", Some("detach"), |_, _| {
        plain(Action::Client(ClientAction::Detach))
    }),
    alias("source-file", Some("source"), |f, _| {
        let file = f.next().map(str::to_owned);
        plain(Action::Server(ServerAction::SourceFile(file)))
    })
    .usage("[file]"),
    alias("copy-mode", None, |f, _| {
        plain(Action::Copy(if f.has('u') {
            CopyAction::PageUp
        } else {
            CopyAction::Enter
        }))
    })
    .flags("u", ""),
    alias("paste-buffer", Some("pasteb"), |_, _| {
        plain(Action::Client(ClientAction::Paste))
    }),
    alias("list-keys", Some("lsk"), |_, _| {
        plain(Action::Client(ClientAction::Help))
    }),
    alias("refresh-client", Some("refresh"), |_, _| {
        plain(Action::Client(ClientAction::Refresh))
    }),
    alias("send-prefix", None, |_, _| {
        plain(Action::Client(ClientAction::SendPrefix))
    }),
    alias("respawn-pane", Some("respawnp"), |_, _| {
        plain(Action::App(super::AppAction::Restart(Vec::new())))
    }),
    alias("command-prompt", None, |_, _| {
        plain(Action::Client(ClientAction::CommandPrompt))
    }),
    alias("kill-server", None, |_, _| {
        plain(Action::Server(ServerAction::Kill))
    }),
    alias("display-popup", Some("popup"), |f, _| {
        let extent = |flag: char| match f.value(flag) {
            None => Ok(None),
            Some(v) => Extent::parse(v)
                .map(Some)
                .ok_or_else(|| f.bad(v, Extent::EXPECTED)),
        };
        let (width, height) = (extent('w')?, extent('h')?);
        let mut cmd = Vec::new();
        while let Some(word) = f.next() {
            cmd.push(word.to_owned());
        }
        let new = NewFloat { cmd, width, height };
        plain(Action::Float(if f.has('E') && !new.cmd.is_empty() {
            FloatAction::Popup(new)
        } else {
            FloatAction::New(new)
        }))
    })
    .flags("E", "wh")
    .usage("[-E] [-w width] [-h height] [command]"),
];

/// The tmux commands the prompt understands, in table order.
pub fn aliases() -> &'static [Alias] {
    ALIASES
}

/// The tmux command of a long name or short alias.
pub fn find_alias(name: &str) -> Option<&'static Alias> {
    ALIASES
        .iter()
        .find(|a| a.name == name || a.short == Some(name))
}

/// One command-prompt line as an action: an action of the vocabulary with its arguments
/// (`pane.split-right`, `app.restart web`) or one of tmux's commands (`split-window -h`).
/// The vocabulary's own names win where both could be meant.
pub fn parse_command(line: &str, ctx: Context<'_>) -> Result<Action, ActionError> {
    let words = split_words(line).ok_or_else(|| ActionError::Quote(line.to_owned()))?;
    let Some((name, args)) = words.split_first() else {
        return Err(ActionError::Empty);
    };
    if find_spec(name).is_some() {
        return Action::from_args(name, args);
    }
    let Some(alias) = find_alias(name) else {
        return Err(match unknown(name) {
            ActionError::Unknown {
                suggestion: None, ..
            } => ActionError::Unknown {
                name: name.clone(),
                suggestion: crate::suggest::closest(name, ALIASES.iter().map(|a| a.name)),
            },
            other => other,
        });
    };
    let mut flags = Flags::read(alias, args)?;
    if flags.rest.iter().any(|w| w.is_empty()) {
        return Err(ActionError::EmptyArg { action: alias.name });
    }
    let action = (alias.build)(&mut flags, ctx)?;
    flags.finish(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: Context<'static> = Context { session: "work" };

    fn parse(line: &str) -> Result<Action, ActionError> {
        parse_command(line, CTX)
    }

    fn action(text: &str) -> Action {
        text.parse().unwrap()
    }

    #[test]
    fn tmux_names_become_the_same_actions_as_appmux_names() {
        let cases = [
            ("split-window -h", "pane.split-right"),
            (
                "display-popup -E -w 50% 'echo hi; read x'",
                "pane.popup --width 50% 'echo hi; read x'",
            ),
            ("popup", "pane.float-new"),
            ("splitw -h", "pane.split-right"),
            ("split-window", "pane.split-down"),
            ("split-window -v", "pane.split-down"),
            ("new-window", "tab.new"),
            ("kill-pane", "pane.close"),
            ("kill-window", "tab.close"),
            ("next-window", "tab.next"),
            ("prev", "tab.prev"),
            ("select-window -t 2", "tab.select 2"),
            ("select-pane -L", "pane.focus left"),
            ("selectp -t 1", "pane.select 1"),
            ("resize-pane -Z", "pane.zoom"),
            ("resize-pane -D 5", "pane.resize down 5"),
            ("resize-pane -R", "pane.resize right"),
            ("select-layout tiled", "pane.layout tiled"),
            ("select-layout main-vertical", "pane.layout main-vertical"),
            ("select-layout -n", "pane.layout-next"),
            ("rename-session dev", "session.rename dev"),
            ("rename-window 'my tab'", "tab.rename 'my tab'"),
            ("kill-session", "session.kill work"),
            ("kill-session -t other", "session.kill other"),
            ("kill-session -tother", "session.kill other"),
            ("detach", "client.detach"),
            ("source-file", "server.source-file"),
            ("source-file /tmp/c.toml", "server.source-file /tmp/c.toml"),
            ("swap-pane -U", "pane.swap-prev"),
            ("copy-mode -u", "copy.page-up"),
        ];
        for (line, expected) in cases {
            assert_eq!(parse(line), Ok(action(expected)), "{line}");
        }
    }

    #[test]
    fn appmux_names_parse_with_their_arguments() {
        assert_eq!(parse("pane.split-right"), Ok(action("pane.split-right")));
        assert_eq!(parse("app.restart web"), Ok(action("app.restart web")));
        assert_eq!(
            parse("session.rename work2"),
            Ok(action("session.rename work2"))
        );
        assert_eq!(parse("  tab.select 3  "), Ok(action("tab.select 3")));
    }

    #[test]
    fn bad_lines_are_errors_that_say_why() {
        let err = |line: &str| parse(line).unwrap_err().to_string();
        assert_eq!(err(""), "no action given");
        assert!(err("split-windw -h").contains("did you mean `split-window`"));
        assert!(err("pane.zom").contains("did you mean `pane.zoom`"));
        assert!(err("split-window -x").contains("`-x`"));
        assert!(err("select-layout diagonal").contains("`diagonal` is not a layout"));
        assert!(err("select-layout").contains("needs a layout"));
        assert!(err("resize-pane").contains("needs -Z"));
        assert!(err("resize-pane -L 0").contains("`0`"));
        assert!(err("new-window extra").contains("found `extra`"));
        assert!(err("rename-session a.b").contains("not a valid session name"));
        assert!(err("rename-session").contains("needs a new name"));
        assert!(err("kill-session -t").contains("needs a value"));
        assert!(err("select-pane").contains("needs -L"));
        assert!(err("tab.select x").contains("`x` is not a number"));
        assert!(err("app.restart 'web").contains("unterminated quote"));
    }

    #[test]
    fn every_alias_name_is_unique_and_no_appmux_name() {
        let mut seen = std::collections::HashSet::new();
        for a in ALIASES {
            for name in std::iter::once(a.name).chain(a.short) {
                assert!(seen.insert(name), "{name} twice");
                // `source-file` is both; the table's entry is the same action.
                if name != "source-file" && name != "source" {
                    assert!(find_spec(name).is_none(), "{name} shadows an action");
                }
            }
        }
    }
}
