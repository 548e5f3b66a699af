//! Integration with the rest of the system: the control API bridge (`api`), the event stream
//! (`events`), boot startup through a systemd user unit, shell completions and the man page.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::Shutdown;
use std::path::{Path, PathBuf};

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
    paths::systemd_user_unit(&unit_name(sock))
}

/// The systemd user unit for this socket: a `Type=notify` service (the server says when it is
/// ready) that carries `path_env`, the `PATH` of the shell that wrote it, so apps found through
/// version managers start at boot as they do by hand. Paths are quoted for the unit file (see
/// [`exec_word`]); one that cannot be written there (a control character, invalid UTF-8) is an
/// error rather than a broken or altered unit.
pub fn unit_text(sock: &SocketPaths, exe: &Path, path_env: Option<&str>) -> Result<String> {
    let exe = unit_path_text(exe, "the appmux executable")?;
    // systemd refuses to run an executable whose path holds these, however quoted.
    if exe.contains(['"', '\'', '\\', '\x7f']) {
        bail!(
            "systemd cannot run an executable whose path holds a quote or a backslash ({}); \
             install appmux elsewhere to use `startup`",
            crate::names::quoted(exe)
        );
    }
    let socket = unit_path_text(&sock.socket, "the socket")?;
    let described = socket.replace('%', "%%");
    let (exe, socket) = (exec_word(exe, true), exec_word(socket, false));
    let environment = match path_env {
        Some(p) if p.chars().any(char::is_control) => {
            bail!("PATH holds a control character, which a systemd unit cannot hold")
        }
        // Specifiers are expanded in an assignment, variables are not.
        Some(p) => format!("Environment={}\n", exec_word(&format!("PATH={p}"), true)),
        None => String::new(),
    };
    Ok(format!(
        "[Unit]\n\
         Description=appmux server ({described})\n\
         Documentation=man:appmux(1)\n\
         \n\
         [Service]\n\
         Type=notify\n\
         NotifyAccess=main\n\
         {environment}\
         ExecStart={exe} -S {socket} server --foreground --resurrect\n\
         ExecStop={exe} -S {socket} kill-server\n\
         Restart=on-failure\n\
         RestartSec=2\n\
         KillMode=process\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n"
    ))
}

/// A path as UTF-8 without control characters: a newline would end the line of the unit
/// file and start a directive of the path's choosing.
fn unit_path_text<'a>(path: &'a Path, what: &str) -> Result<&'a str> {
    let text = path.to_str().with_context(|| {
        format!("the path of {what} is not valid UTF-8, which a systemd unit cannot hold")
    })?;
    if text.chars().any(char::is_control) {
        bail!(
            "the path of {what} ({}) holds a control character, which a systemd unit cannot hold",
            crate::names::quoted(text)
        );
    }
    Ok(text)
}

/// One word of `ExecStart=`: double-quoted, with `\` and `"` escaped as systemd's quoting
/// wants and `%` doubled so no specifier is expanded. In an argument `$` is doubled too so no
/// variable is expanded; systemd expands none in the executable's path, where `$$` would stay
/// two characters.
fn exec_word(text: &str, executable: bool) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' if !executable => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// True when systemd runs this machine (the check `sd_booted` makes).
fn systemd_running() -> bool {
    std::path::Path::new("/run/systemd/system").is_dir()
}

pub fn startup(sock: &SocketPaths, print: bool) -> Result<()> {
    let exe = std::env::current_exe().context("finding the appmux executable")?;
    let path_env = std::env::var("PATH").ok();
    let text = unit_text(sock, &exe, path_env.as_deref())?;
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
        let runtime = std::path::Path::new("/run/user/1/appmux");
        let sock = SocketPaths::at(runtime.join("default"), Some(runtime));
        let text = unit_text(
            &sock,
            Path::new("/usr/bin/appmux"),
            Some("/home/u/.nvm/bin:/usr/bin"),
        )
        .unwrap();
        assert!(text.contains("ExecStart=\"/usr/bin/appmux\" -S \"/run/user/1/appmux/default\" server --foreground --resurrect"));
        assert!(
            text.contains("\nType=notify\nNotifyAccess=main\n"),
            "{text}"
        );
        assert!(
            text.contains("\nEnvironment=\"PATH=/home/u/.nvm/bin:/usr/bin\"\n"),
            "{text}"
        );
        assert!(text.contains("WantedBy=default.target"));
        assert_eq!(unit_name(&sock), "appmux.service");
        // Any other socket has a unit of its own, named by the socket's identity.
        let other = SocketPaths::at("/tmp/x.sock".into(), Some(runtime));
        let name = unit_name(&other);
        assert!(
            name.starts_with("appmux-x_sock-") && name.ends_with(".service"),
            "{name}"
        );
        let elsewhere = SocketPaths::at("/srv/x.sock".into(), Some(runtime));
        assert_ne!(unit_name(&elsewhere), name);
    }

    /// A directory name holding everything systemd's unit syntax gives a meaning to.
    const AWKWARD: &str = r#"app mux 100%n $HOME "q" back\slash"#;
    /// The same without what systemd refuses in an executable's path, however quoted.
    const AWKWARD_EXE: &str = "app mux 100%n $HOME";

    #[test]
    fn paths_are_quoted_and_escaped_for_systemd() {
        let sock_path = format!("/tmp/{AWKWARD}/sock");
        let sock = SocketPaths::resolve(None, Some(Path::new(&sock_path))).unwrap();
        let exe = format!("/opt/{AWKWARD_EXE}/appmux");
        let text = unit_text(&sock, Path::new(&exe), Some(&format!("/opt/{AWKWARD}"))).unwrap();
        let exe_word = r#""/opt/app mux 100%%n $HOME/appmux""#;
        let sock_word = r#""/tmp/app mux 100%%n $$HOME \"q\" back\\slash/sock""#;
        let start =
            format!("ExecStart={exe_word} -S {sock_word} server --foreground --resurrect\n");
        assert!(text.contains(&start), "{text}");
        let stop = format!("ExecStop={exe_word} -S {sock_word} kill-server\n");
        assert!(text.contains(&stop), "{text}");
        assert!(text.contains(
            r#"Description=appmux server (/tmp/app mux 100%%n $HOME "q" back\slash/sock)"#
        ));
        let path = r#"Environment="PATH=/opt/app mux 100%%n $HOME \"q\" back\\slash"
"#;
        assert!(text.contains(path), "{text}");
        // Every line is a section header, a directive or empty: nothing was injected.
        assert_eq!(text.lines().count(), 16, "{text}");
    }

    #[test]
    fn paths_a_unit_cannot_hold_are_refused() {
        let sock = SocketPaths::resolve(None, Some(Path::new("/tmp/s"))).unwrap();
        let injected = Path::new("/opt/x\nExecStartPre=/bin/evil/appmux");
        let err = unit_text(&sock, injected, None).unwrap_err().to_string();
        assert!(err.contains("control character"), "{err}");
        let sock = SocketPaths::resolve(None, Some(Path::new("/tmp/a\rb"))).unwrap();
        assert!(unit_text(&sock, Path::new("/usr/bin/appmux"), None).is_err());
        use std::os::unix::ffi::OsStrExt;
        let bad = Path::new(std::ffi::OsStr::from_bytes(b"/opt/\xff/appmux"));
        let sock = SocketPaths::resolve(None, Some(Path::new("/tmp/s"))).unwrap();
        assert!(unit_text(&sock, bad, None).is_err());
        let quoted = format!("/opt/{AWKWARD}/appmux");
        let err = unit_text(&sock, Path::new(&quoted), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("a quote or a backslash"), "{err}");
    }

    /// Where systemd-analyze exists, it accepts the unit and finds the executable through the
    /// quoting (it checks the command is executable), from a directory with awkward characters.
    #[test]
    fn systemd_analyze_verifies_the_unit_where_it_exists() {
        use std::os::unix::fs::PermissionsExt;
        let found = std::process::Command::new("systemd-analyze")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            eprintln!("systemd-analyze is not installed; only the unit text is checked");
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(AWKWARD_EXE);
        std::fs::create_dir(&dir).unwrap();
        let exe = dir.join("appmux");
        std::fs::write(&exe, "#!/bin/sh\nexit 0\n").unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let sock = SocketPaths::resolve(None, Some(&tmp.path().join(AWKWARD).join("s"))).unwrap();
        let unit = tmp.path().join("appmux-test.service");
        std::fs::write(
            &unit,
            unit_text(&sock, &exe, Some("/usr/bin:/bin")).unwrap(),
        )
        .unwrap();
        let out = std::process::Command::new("systemd-analyze")
            .args(["verify", "--man=no"])
            .arg(&unit)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && stderr.trim().is_empty(), "{stderr}");
    }
}
