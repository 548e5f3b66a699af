//! The verbs of floating panes (`pane.float-*`, `pane.popup`): their parsed form, parsing and
//! printing. What they do is the server's.

use super::words::{Args, OptionWords, digits};
use super::{ActionError, Direction};
use crate::layout::float::Extent;

/// Floating panes of the current tab.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FloatAction {
    /// Shows or hides the floating layer; showing an empty one opens a floating shell.
    Toggle,
    /// A new floating pane running the shell or a command.
    New(NewFloat),
    /// A floating pane running a command that closes when it exits (tmux `display-popup -E`).
    Popup(NewFloat),
    /// Moves the focused floating pane by cells (at least 1).
    Move(Direction, u16),
    /// Moves the right or bottom edge of the focused floating pane by cells (at least 1).
    Resize(Direction, u16),
}

/// What a new floating pane runs and its size (default 80% x 80%).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct NewFloat {
    /// Empty: the shell. One word runs under `sh -c`; several run directly.
    pub cmd: Vec<String>,
    pub width: Option<Extent>,
    pub height: Option<Extent>,
}

impl FloatAction {
    pub(super) fn name(&self) -> &'static str {
        match self {
            Self::Toggle => "pane.float-toggle",
            Self::New(_) => "pane.float-new",
            Self::Popup(_) => "pane.popup",
            Self::Move(..) => "pane.float-move",
            Self::Resize(..) => "pane.float-resize",
        }
    }

    pub(super) fn words(&self) -> Vec<String> {
        match self {
            Self::Toggle => Vec::new(),
            Self::New(n) | Self::Popup(n) => OptionWords::default()
                .value("width", n.width.map(|e| e.to_string()).as_deref())
                .value("height", n.height.map(|e| e.to_string()).as_deref())
                .then(&n.cmd),
            Self::Move(d, 1) | Self::Resize(d, 1) => vec![d.as_str().to_owned()],
            Self::Move(d, n) | Self::Resize(d, n) => vec![d.as_str().to_owned(), n.to_string()],
        }
    }

    /// `verb` is the part after `pane.`; None when it is not a floating verb.
    pub(super) fn parse(verb: &str, args: &mut Args<'_>) -> Result<Option<Self>, ActionError> {
        Ok(Some(match verb {
            "float-toggle" => Self::Toggle,
            "float-new" => Self::New(new_float(args, false)?),
            "popup" => Self::Popup(new_float(args, true)?),
            "float-move" => {
                let d = args.direction()?;
                Self::Move(d, cells(args)?)
            }
            "float-resize" => {
                let d = args.direction()?;
                Self::Resize(d, cells(args)?)
            }
            _ => return Ok(None),
        }))
    }
}

fn cells(args: &mut Args<'_>) -> Result<u16, ActionError> {
    match args.next() {
        None => Ok(1),
        Some(arg) => digits(arg)
            .filter(|&n| n > 0)
            .ok_or_else(|| args.bad(arg, "a number of cells from 1 to 65535")),
    }
}

fn new_float(args: &mut Args<'_>, needs_cmd: bool) -> Result<NewFloat, ActionError> {
    let extent = |key: &str| -> Result<Option<Extent>, ActionError> {
        match args.option(key) {
            None => Ok(None),
            Some(v) => Extent::parse(v)
                .map(Some)
                .ok_or_else(|| args.bad(v, Extent::EXPECTED)),
        }
    };
    let width = extent("width")?;
    let height = extent("height")?;
    let mut cmd = Vec::new();
    if needs_cmd {
        cmd.push(args.required("a command")?.to_owned());
    }
    cmd.extend(args.remaining());
    Ok(NewFloat { cmd, width, height })
}
