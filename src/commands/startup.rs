//! Boot integration through systemd: `startup` writes a unit that starts the server at boot
//! and resurrects the saved sessions, `unstartup` removes it.
//!
//! By default the unit is the user's own (`~/.config/systemd/user`, `WantedBy=default.target`).
//! With `--system` it is a system unit (`/etc/systemd/system`, `WantedBy=multi-user.target`)
//! that runs the server as a named user (`User=`), on the socket that user's clients look for:
//! `/run/user/UID/appmux/NAME`, the runtime dir systemd-logind gives them at login. That
//! directory exists from boot only for a user with lingering on (`loginctl enable-linger`),
//! and logind removes it at logout otherwise, so `--system` needs lingering: the unit requires
//! and is ordered after `user-runtime-dir@UID.service` (which mounts it) and sets
//! `XDG_RUNTIME_DIR` to it, and `startup --system` says when lingering is still off.
//!
//! The unit text is built here and nowhere else; every path in it is quoted for systemd.

use std::ffi::CString;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::cli::{StartupArgs, UnitArgs};
use crate::paths::{self, SocketPaths};

/// The user a system unit runs the server as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemUser {
    pub name: String,
    pub uid: u32,
}

impl SystemUser {
    /// `name` (default: `$SUDO_USER`, the user who ran `sudo appmux startup --system`, else
    /// `$USER`), looked up in the user database.
    pub fn find(name: Option<&str>) -> Result<Self> {
        let name = match name {
            Some(n) => n.to_owned(),
            None => std::env::var("SUDO_USER")
                .ok()
                .filter(|u| !u.is_empty())
                .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
                .context("no user given and neither SUDO_USER nor USER is set; use --user NAME")?,
        };
        check_user_name(&name)?;
        let uid = lookup_uid(&name)?;
        Ok(Self { name, uid })
    }
}

/// A user name that can stand in a unit file and a unit name as it is: the portable set that
/// systemd accepts without quoting.
fn check_user_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !first_ok || !rest_ok || name.len() > 32 {
        bail!(
            "{} is not a user name a systemd unit can hold (letters, digits, `_`, `-`, `.`; \
             at most 32; starting with a letter or `_`)",
            crate::names::quoted(name)
        );
    }
    Ok(())
}

/// The uid of the user `name`, through the system's user database (NSS included).
fn lookup_uid(name: &str) -> Result<u32> {
    let cname = CString::new(name).context("a user name with a NUL byte")?;
    // SAFETY: passwd is plain data; all-zero is a valid value that getpwnam_r overwrites.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call, and `buf` outlives the use of `pwd`.
    let rc = unsafe {
        libc::getpwnam_r(
            cname.as_ptr(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::from_raw_os_error(rc))
            .with_context(|| format!("looking up the user {name}"));
    }
    if found.is_null() {
        bail!("there is no user named {name}");
    }
    Ok(pwd.pw_uid)
}

/// The socket a system unit's server binds for `user`: `-S PATH` as given, else `-L NAME` (or
/// the default name) in the runtime dir logind gives that user.
pub fn system_socket(user: &SystemUser, name: Option<&str>, path: Option<&Path>) -> SocketPaths {
    let runtime = paths::runtime_dir_in(&paths::logind_runtime_dir(user.uid));
    let socket = match path {
        Some(p) => std::path::absolute(p).unwrap_or_else(|_| p.to_owned()),
        None => runtime.join(name.unwrap_or(paths::DEFAULT_SOCKET_NAME)),
    };
    SocketPaths::at(socket, Some(&runtime))
}

/// The unit's file name: one per socket (and user, for a system unit), so several servers can
/// start at boot.
fn unit_name(sock: &SocketPaths, user: Option<&SystemUser>) -> String {
    let label = sock.label();
    let socket = match label.as_str() {
        paths::DEFAULT_SOCKET_NAME => None,
        label => Some(label.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")),
    };
    let mut name = String::from("appmux");
    for part in [user.map(|u| u.name.replace('.', "_")), socket]
        .into_iter()
        .flatten()
    {
        name.push('-');
        name.push_str(&part);
    }
    name.push_str(".service");
    name
}

fn unit_path(sock: &SocketPaths, user: Option<&SystemUser>) -> Result<PathBuf> {
    let name = unit_name(sock, user);
    match user {
        Some(_) => Ok(paths::systemd_system_unit(&name)),
        None => paths::systemd_user_unit(&name),
    }
}

/// The systemd user unit for this socket: a `Type=notify` service (the server says when it is
/// ready) that carries `path_env`, the `PATH` of the shell that wrote it, so apps found through
/// version managers start at boot as they do by hand. Paths are quoted for the unit file (see
/// [`exec_word`]); one that cannot be written there (a control character, invalid UTF-8) is an
/// error rather than a broken or altered unit.
pub fn unit_text(sock: &SocketPaths, exe: &Path, path_env: Option<&str>) -> Result<String> {
    render(sock, exe, path_env, None)
}

/// The system unit that runs the server as `user` on `sock` (see [`system_socket`]): as
/// [`unit_text`], plus `User=`, the user's logind runtime dir as `XDG_RUNTIME_DIR` (required
/// and ordered before the server), and `WantedBy=multi-user.target`.
pub fn system_unit_text(
    sock: &SocketPaths,
    exe: &Path,
    path_env: Option<&str>,
    user: &SystemUser,
) -> Result<String> {
    check_user_name(&user.name)?;
    render(sock, exe, path_env, Some(user))
}

fn render(
    sock: &SocketPaths,
    exe: &Path,
    path_env: Option<&str>,
    user: Option<&SystemUser>,
) -> Result<String> {
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
    let mut environment = String::new();
    if let Some(p) = path_env {
        if p.chars().any(char::is_control) {
            bail!("PATH holds a control character, which a systemd unit cannot hold");
        }
        // Specifiers are expanded in an assignment, variables are not.
        environment = format!("Environment={}\n", exec_word(&format!("PATH={p}"), true));
    }
    let (description, unit_deps, service_user, wanted_by) = match user {
        None => (
            format!("appmux server ({described})"),
            String::new(),
            String::new(),
            "default.target",
        ),
        Some(u) => {
            let runtime = paths::logind_runtime_dir(u.uid);
            let runtime = exec_word(&format!("XDG_RUNTIME_DIR={}", runtime.display()), true);
            let dir = format!("user-runtime-dir@{}.service", u.uid);
            (
                format!("appmux server for {} ({described})", u.name),
                format!("Requires={dir}\nAfter={dir} network.target\n"),
                format!("User={}\nEnvironment={runtime}\n", u.name),
                "multi-user.target",
            )
        }
    };
    Ok(format!(
        "[Unit]\n\
         Description={description}\n\
         Documentation=man:appmux(1)\n\
         {unit_deps}\
         \n\
         [Service]\n\
         Type=notify\n\
         NotifyAccess=main\n\
         {service_user}\
         {environment}\
         ExecStart={exe} -S {socket} server --foreground --resurrect\n\
         ExecStop={exe} -S {socket} kill-server\n\
         Restart=on-failure\n\
         RestartSec=2\n\
         KillMode=process\n\
         \n\
         [Install]\n\
         WantedBy={wanted_by}\n"
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

/// The `-L NAME` and `-S PATH` given on the command line: a system unit places the socket in
/// the named user's runtime dir, not in the one of whoever runs `startup`.
pub struct SocketArgs<'a> {
    pub name: Option<&'a str>,
    pub path: Option<&'a Path>,
}

/// The user of a system unit, when `--system` asks for one.
fn system_user(args: &UnitArgs) -> Result<Option<SystemUser>> {
    match args.system {
        true => SystemUser::find(args.user.as_deref()).map(Some),
        false => Ok(None),
    }
}

/// `appmux startup [--print] [--system [--user NAME]]`.
pub fn startup(sock: &SocketPaths, given: SocketArgs<'_>, args: &StartupArgs) -> Result<()> {
    let exe = std::env::current_exe().context("finding the appmux executable")?;
    let path_env = std::env::var("PATH").ok();
    let user = system_user(&args.unit)?;
    let (sock, text) = match &user {
        None => (sock.clone(), unit_text(sock, &exe, path_env.as_deref())?),
        Some(u) => {
            let sock = system_socket(u, given.name, given.path);
            let text = system_unit_text(&sock, &exe, path_env.as_deref(), u)?;
            (sock, text)
        }
    };
    if args.print {
        print!("{text}");
        return Ok(());
    }
    if !systemd_running() {
        bail!(
            "systemd is not running on this machine, so there is no unit to install; \
             start `appmux server --foreground --resurrect` from your init system instead \
             (`appmux startup --print` shows the systemd unit for reference)"
        );
    }
    let path = unit_path(&sock, user.as_ref())?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    match std::fs::write(&path, text) {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && user.is_some() => {
            bail!(
                "cannot write {}: permission denied; a system unit is installed as root \
                 (`sudo appmux startup --system`), or printed with --print",
                path.display()
            )
        }
        written => written.with_context(|| format!("writing {}", path.display()))?,
    }
    let name = unit_name(&sock, user.as_ref());
    println!("wrote {}", path.display());
    println!("start it now and at every boot with:");
    match &user {
        None => {
            println!("  systemctl --user daemon-reload && systemctl --user enable --now {name}");
            println!("to keep it running while you are logged out:");
            println!(
                "  loginctl enable-linger {}",
                std::env::var("USER").unwrap_or_else(|_| "$USER".into())
            );
        }
        Some(u) => {
            if !paths::linger_file(&u.name).exists() {
                println!("  loginctl enable-linger {}", u.name);
            }
            println!("  systemctl daemon-reload && systemctl enable --now {name}");
            println!(
                "(lingering keeps {}'s runtime dir, where the socket is, from boot and while \
                 they are logged out)",
                u.name
            );
        }
    }
    Ok(())
}

/// `appmux unstartup [--system [--user NAME]]`: removes the unit `startup` wrote.
pub fn unstartup(sock: &SocketPaths, given: SocketArgs<'_>, args: &UnitArgs) -> Result<()> {
    let user = system_user(args)?;
    let sock = match &user {
        Some(u) => system_socket(u, given.name, given.path),
        None => sock.clone(),
    };
    let path = unit_path(&sock, user.as_ref())?;
    let systemctl = if user.is_some() {
        "systemctl"
    } else {
        "systemctl --user"
    };
    match std::fs::remove_file(&path) {
        Ok(()) => {
            println!("removed {}", path.display());
            println!(
                "stop it with: {systemctl} disable --now {}",
                unit_name(&sock, user.as_ref())
            );
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("there is no unit at {}", path.display())
        }
        Err(e) => Err(e).with_context(|| format!("removing {}", path.display())),
    }
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
        assert_eq!(unit_name(&sock, None), "appmux.service");
        // Any other socket has a unit of its own, named by the socket's identity.
        let other = SocketPaths::at("/tmp/x.sock".into(), Some(runtime));
        let name = unit_name(&other, None);
        assert!(
            name.starts_with("appmux-x_sock-") && name.ends_with(".service"),
            "{name}"
        );
        let elsewhere = SocketPaths::at("/srv/x.sock".into(), Some(runtime));
        assert_ne!(unit_name(&elsewhere, None), name);
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

    fn analyze_found() -> bool {
        std::process::Command::new("systemd-analyze")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// An executable script at `dir/AWKWARD_EXE/appmux`.
    fn executable_in(dir: &Path) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let dir = dir.join(AWKWARD_EXE);
        std::fs::create_dir(&dir).unwrap();
        let exe = dir.join("appmux");
        std::fs::write(&exe, "#!/bin/sh\nexit 0\n").unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        exe
    }

    fn verify(unit: &Path) {
        let out = std::process::Command::new("systemd-analyze")
            .args(["verify", "--man=no"])
            .arg(unit)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && stderr.trim().is_empty(), "{stderr}");
    }

    /// Where systemd-analyze exists, it accepts the unit and finds the executable through the
    /// quoting (it checks the command is executable), from a directory with awkward characters.
    #[test]
    fn systemd_analyze_verifies_the_unit_where_it_exists() {
        if !analyze_found() {
            eprintln!("systemd-analyze is not installed; only the unit text is checked");
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let exe = executable_in(tmp.path());
        let sock = SocketPaths::resolve(None, Some(&tmp.path().join(AWKWARD).join("s"))).unwrap();
        let unit = tmp.path().join("appmux-test.service");
        std::fs::write(
            &unit,
            unit_text(&sock, &exe, Some("/usr/bin:/bin")).unwrap(),
        )
        .unwrap();
        verify(&unit);
    }

    fn someone() -> SystemUser {
        SystemUser {
            name: "dev".into(),
            uid: 1000,
        }
    }

    #[test]
    fn the_system_unit_runs_the_server_as_the_user_on_their_socket() {
        let user = someone();
        let sock = system_socket(&user, None, None);
        assert_eq!(sock.socket, Path::new("/run/user/1000/appmux/default"));
        assert_eq!(sock.label(), "default");
        let text =
            system_unit_text(&sock, Path::new("/usr/bin/appmux"), Some("/usr/bin"), &user).unwrap();
        for line in [
            "Description=appmux server for dev (/run/user/1000/appmux/default)",
            "Requires=user-runtime-dir@1000.service",
            "After=user-runtime-dir@1000.service network.target",
            "Type=notify",
            "User=dev",
            "Environment=\"XDG_RUNTIME_DIR=/run/user/1000\"",
            "Environment=\"PATH=/usr/bin\"",
            "ExecStart=\"/usr/bin/appmux\" -S \"/run/user/1000/appmux/default\" server --foreground --resurrect",
            "ExecStop=\"/usr/bin/appmux\" -S \"/run/user/1000/appmux/default\" kill-server",
            "WantedBy=multi-user.target",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in {text}");
        }
        assert!(!text.contains("default.target"), "{text}");
        assert_eq!(unit_name(&sock, Some(&user)), "appmux-dev.service");
        assert_eq!(
            unit_path(&sock, Some(&user)).unwrap(),
            Path::new("/etc/systemd/system/appmux-dev.service")
        );
        // -L NAME is that name in the user's runtime dir; -S PATH is the path as given.
        let named = system_socket(&user, Some("work"), None);
        assert_eq!(named.socket, Path::new("/run/user/1000/appmux/work"));
        assert_eq!(unit_name(&named, Some(&user)), "appmux-dev-work.service");
        let explicit = system_socket(&user, None, Some(Path::new("/srv/app mux/s")));
        let text = system_unit_text(&explicit, Path::new("/usr/bin/appmux"), None, &user).unwrap();
        assert!(text.contains(r#"-S "/srv/app mux/s" server"#), "{text}");
    }

    #[test]
    fn user_names_a_unit_cannot_hold_are_refused() {
        for bad in [
            "",
            "-dev",
            "de v",
            "dev\nExecStartPre=/bin/evil",
            "d%n",
            "d$x",
            "1dev",
        ] {
            assert!(check_user_name(bad).is_err(), "{bad:?}");
        }
        for good in ["dev", "_svc", "a.b-c_1"] {
            check_user_name(good).unwrap();
        }
        let sock = SocketPaths::at("/run/user/1/appmux/default".into(), None);
        let bad = SystemUser {
            name: "x\ny".into(),
            uid: 1,
        };
        assert!(system_unit_text(&sock, Path::new("/usr/bin/appmux"), None, &bad).is_err());
    }

    #[test]
    fn the_system_user_is_looked_up() {
        assert_eq!(SystemUser::find(Some("root")).unwrap().uid, 0);
        let err = SystemUser::find(Some("no_such_user_here"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("no user named no_such_user_here"), "{err}");
    }

    /// Where systemd-analyze exists, it accepts the system unit too.
    #[test]
    fn systemd_analyze_verifies_the_system_unit_where_it_exists() {
        if !analyze_found() {
            eprintln!("systemd-analyze is not installed; only the unit text is checked");
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let exe = executable_in(tmp.path());
        let user = SystemUser::find(Some("root")).unwrap();
        let sock = system_socket(&user, None, None);
        let unit = tmp.path().join("appmux-root.service");
        let text = system_unit_text(&sock, &exe, Some("/usr/bin:/bin"), &user).unwrap();
        std::fs::write(&unit, text).unwrap();
        verify(&unit);
    }
}
