//! Integration with the rest of the system: the control API bridge (`api`), the event stream
//! (`events`), and shell completions. Boot startup is `startup`, the man page `manpage`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::Shutdown;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::Cli;
use crate::client::connect;
use crate::paths::SocketPaths;

/// `appmux api`: stdin to the socket, the socket to stdout, as JSON lines. The server is started
/// at once, but the connection is opened only when the first input arrives: the server drops a
/// connection whose first line takes more than a few seconds, and the program driving this
/// bridge may well think longer than that before its first command.
pub fn api(sock: &SocketPaths) -> Result<()> {
    drop(connect::Connection::open_or_start(sock)?);
    let mut first = vec![0u8; 64 * 1024];
    let n = loop {
        match std::io::stdin().lock().read(&mut first) {
            Ok(n) => break n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e).context("reading stdin"),
        }
    };
    if n == 0 {
        return Ok(());
    }
    let mut stream = connect::raw_stream(sock, false)?;
    // A blank line makes the connection JSON lines whatever the first line typed is, so a
    // malformed one gets an error response like any other.
    stream.write_all(b"\n").context("writing to the server")?;
    let mut to_server = stream.try_clone().context("cloning the socket")?;
    to_server
        .write_all(&first[..n])
        .context("writing to the server")?;
    std::thread::Builder::new()
        .name("api-stdin".into())
        .spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let _ = std::io::copy(&mut stdin, &mut to_server);
            // No more commands: the server answers what it has and closes.
            let _ = to_server.shutdown(Shutdown::Write);
        })
        .context("spawning the stdin thread")?;
    let mut from_server = stream;
    let mut stdout = std::io::stdout().lock();
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = from_server
            .read(&mut buf)
            .context("reading from the server")?;
        if n == 0 {
            return Ok(());
        }
        stdout.write_all(&buf[..n])?;
        stdout.flush()?;
    }
}

/// `appmux events [--json]`: subscribes to every topic and prints events until interrupted.
pub fn events(sock: &SocketPaths, json: bool) -> Result<()> {
    let mut stream = connect::raw_stream(sock, false)?;
    stream.write_all(
        b"{\"type\":\"hello\",\"version\":1}\n{\"type\":\"subscribe\",\"id\":\"events\"}\n",
    )?;
    let mut stdout = std::io::stdout().lock();
    for line in BufReader::new(stream).lines() {
        let line = line.context("reading from the server")?;
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if v["type"] != "event" {
            continue;
        }
        if json {
            writeln!(stdout, "{line}")?;
        } else {
            writeln!(stdout, "{}", human_event(&v))?;
        }
        stdout.flush()?;
    }
    Ok(())
}

/// One line per event for people (and notifiers): `TIME TOPIC session:app what`.
fn human_event(v: &serde_json::Value) -> String {
    let p = &v["payload"];
    let time = crate::logs::utc_now();
    let who = format!(
        "{}:{}",
        p["session"].as_str().unwrap_or("-"),
        p["app"].as_str().unwrap_or("-")
    );
    match v["topic"].as_str().unwrap_or_default() {
        "apps:state" => {
            let pid = p["pid"]
                .as_u64()
                .map(|p| format!(" pid {p}"))
                .unwrap_or_default();
            format!(
                "{time} state {who} {}{pid}",
                p["state"].as_str().unwrap_or("?")
            )
        }
        "apps:exit" => {
            let how = match (p["exit_code"].as_i64(), p["signal"].as_i64()) {
                (Some(c), _) => format!("exited with code {c}"),
                (_, Some(s)) => {
                    format!("killed by {}", crate::pane::process::signal_name(s as i32))
                }
                _ => "exited".into(),
            };
            format!("{time} exit {who} {how}")
        }
        "apps:probe" => {
            let mut line = format!(
                "{time} probe {who} {} {}",
                p["probe"].as_str().unwrap_or("?"),
                p["state"].as_str().unwrap_or("?")
            );
            if let Some(n) = p["failures"].as_u64() {
                line.push_str(&format!(" after {n} failures"));
            }
            if let Some(why) = p["reason"].as_str() {
                line.push_str(&format!(": {why}"));
            }
            line
        }
        "sessions" => format!(
            "{time} session {} {}",
            p["session"].as_str().unwrap_or("?"),
            p["event"].as_str().unwrap_or("?")
        ),
        "metrics" => {
            let apps = p["apps"].as_array().map(Vec::len).unwrap_or(0);
            format!("{time} metrics {apps} apps")
        }
        other => format!("{time} {other} {p}"),
    }
}

pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    // Generated into memory first: clap_complete panics on a write error such as a closed pipe.
    let mut script = Vec::new();
    clap_complete::generate(
        shell,
        &mut completable(&Cli::command()),
        "appmux",
        &mut script,
    );
    std::io::stdout().write_all(&script).map_err(Into::into)
}

/// The command tree without what is hidden (clap_complete would offer hidden flags such as
/// `server --daemon`): names, visible aliases, about and the visible arguments, recursively.
fn completable(cmd: &clap::Command) -> clap::Command {
    let aliases: Vec<String> = cmd.get_visible_aliases().map(str::to_owned).collect();
    let mut out = clap::Command::new(cmd.get_name().to_owned())
        .visible_aliases(aliases)
        // `popup` uses -h for its height, as tmux's display-popup does.
        .disable_help_flag(cmd.is_disable_help_flag_set())
        .args(cmd.get_arguments().filter(|a| !a.is_hide_set()).cloned())
        .subcommands(
            cmd.get_subcommands()
                .filter(|s| !s.is_hide_set())
                .map(completable),
        );
    if let Some(about) = cmd.get_about() {
        out = out.about(about.clone());
    }
    if let Some(version) = cmd.get_version() {
        out = out.version(version.to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_offer_no_hidden_flag() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
        ] {
            let mut script = Vec::new();
            clap_complete::generate(
                shell,
                &mut completable(&Cli::command()),
                "appmux",
                &mut script,
            );
            let script = String::from_utf8(script).unwrap();
            assert!(!script.contains("daemon"), "{shell}: --daemon offered");
            assert!(
                script.contains("foreground") && script.contains("scrollback"),
                "{shell}: visible flags are missing"
            );
            assert!(
                script.contains("capture-pane"),
                "{shell}: aliases are missing"
            );
        }
        // capture's hidden -p (fish lists short flags on their own).
        let mut fish = Vec::new();
        let mut cmd = completable(&Cli::command());
        clap_complete::generate(clap_complete::Shell::Fish, &mut cmd, "appmux", &mut fish);
        let fish = String::from_utf8(fish).unwrap();
        assert!(!fish.contains("using_subcommand capture\" -s p"), "{fish}");
    }
}
