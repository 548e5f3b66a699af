//! Integration with the rest of the system: the control API bridge (`api`), the event stream
//! (`events`), boot startup through a systemd user unit, shell completions and the man page.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::Shutdown;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::CommandFactory;

use crate::cli::Cli;
use crate::client::connect;
use crate::paths::{self, SocketPaths};

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
    let stream = connect::raw_stream(sock, false)?;
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

/// The unit's file name: one per socket, so several servers can start at boot.
fn unit_name(sock: &SocketPaths) -> String {
    match sock.label().as_str() {
        paths::DEFAULT_SOCKET_NAME => "appmux.service".to_owned(),
        label => format!(
            "appmux-{}.service",
            label.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
        ),
    }
}

fn unit_path(sock: &SocketPaths) -> Result<PathBuf> {
    let config = match std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from) {
        Some(d) if d.is_absolute() => d,
        _ => PathBuf::from(std::env::var_os("HOME").context("HOME is not set")?).join(".config"),
    };
    Ok(config.join("systemd/user").join(unit_name(sock)))
}

/// The systemd user unit for this socket.
pub fn unit_text(sock: &SocketPaths, exe: &str) -> String {
    let socket = sock.socket.display();
    format!(
        "[Unit]\n\
         Description=appmux server ({socket})\n\
         Documentation=man:appmux(1)\n\
         \n\
         [Service]\n\
         Type=simple\n\
         ExecStart={exe} -S {socket} server --foreground --resurrect\n\
         ExecStop={exe} -S {socket} kill-server\n\
         Restart=on-failure\n\
         RestartSec=2\n\
         KillMode=process\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n"
    )
}

/// True when systemd runs this machine (the check `sd_booted` makes).
fn systemd_running() -> bool {
    std::path::Path::new("/run/systemd/system").is_dir()
}

pub fn startup(sock: &SocketPaths, print: bool) -> Result<()> {
    let exe = std::env::current_exe().context("finding the appmux executable")?;
    let text = unit_text(sock, &exe.display().to_string());
    if print {
        print!("{text}");
        return Ok(());
    }
    if !systemd_running() {
        bail!(
            "systemd is not running on this machine, so there is no user unit to install; \
             start `appmux server --foreground --resurrect` from your init system instead \
             (`appmux startup --print` shows the systemd unit for reference)"
        );
    }
    let path = unit_path(sock)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    let name = unit_name(sock);
    println!("wrote {}", path.display());
    println!("start it now and at every boot with:");
    println!("  systemctl --user daemon-reload && systemctl --user enable --now {name}");
    println!("to keep it running while you are logged out:");
    println!(
        "  loginctl enable-linger {}",
        std::env::var("USER").unwrap_or_else(|_| "$USER".into())
    );
    Ok(())
}

pub fn unstartup(sock: &SocketPaths) -> Result<()> {
    let path = unit_path(sock)?;
    match std::fs::remove_file(&path) {
        Ok(()) => {
            println!("removed {}", path.display());
            println!(
                "stop it with: systemctl --user disable --now {}",
                unit_name(sock)
            );
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("there is no unit at {}", path.display())
        }
        Err(e) => Err(e).with_context(|| format!("removing {}", path.display())),
    }
}

pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    // Generated into memory first: clap_complete panics on a write error such as a closed pipe.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "appmux", &mut script);
    std::io::stdout().write_all(&script).map_err(Into::into)
}

pub fn man() -> Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .context("rendering the man page")?;
    std::io::stdout().write_all(&page).map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unit_runs_the_foreground_server_with_resurrect() {
        let sock = SocketPaths::resolve(
            None,
            Some(std::path::Path::new("/run/user/1/appmux/default")),
        )
        .unwrap();
        let text = unit_text(&sock, "/usr/bin/appmux");
        assert!(text.contains("ExecStart=/usr/bin/appmux -S /run/user/1/appmux/default server --foreground --resurrect"));
        assert!(text.contains("WantedBy=default.target"));
        assert_eq!(unit_name(&sock), "appmux.service");
        let other = SocketPaths::resolve(None, Some(std::path::Path::new("/tmp/x.sock"))).unwrap();
        assert_eq!(unit_name(&other), "appmux-x_sock.service");
    }
}
