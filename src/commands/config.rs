//! The commands about appmux's own configuration: `source-file` (the running server reads it
//! again) and `keymap dump` (a built-in keymap to start a file of one's own from). `check`, which
//! validates it, is with the other file checks in `apps`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::request_action;
use crate::action::{Action, ServerAction};
use crate::cli::KeymapCommand;
use crate::paths::SocketPaths;

/// `appmux source-file [FILE]`: the server reads the file (an absolute path, since its working
/// directory is not ours) and says what was wrong, if anything.
pub fn source_file(sock: &SocketPaths, file: Option<&Path>) -> Result<()> {
    let file = file
        .map(|f| std::path::absolute(f).with_context(|| format!("resolving {}", f.display())))
        .transpose()?;
    let file = file.map(|f| f.display().to_string());
    request_action(sock, None, &Action::Server(ServerAction::SourceFile(file))).map(drop)
}

pub fn keymap(command: KeymapCommand) -> Result<()> {
    match command {
        KeymapCommand::Dump { name } => {
            let name = name.as_deref().unwrap_or(crate::config::keymap::DEFAULT);
            let Some(text) = crate::config::keymap::builtin(name) else {
                let names = crate::config::keymap::builtin_names().join(", ");
                bail!("no built-in keymap named `{name}`; the built-in ones are {names}");
            };
            std::io::stdout().lock().write_all(text.as_bytes())?;
            Ok(())
        }
    }
}
