//! Every per-user path appmux touches: the runtime dir with its sockets and locks, the state
//! dir with logs and the server log, and the config dir. Nobody else builds paths.
//!
//! The runtime dir is where a hostile local user could try to plant a socket or a symlink, so it
//! is created 0700 and checked (owner, mode, not a symlink) before anything is placed in it.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The socket name used when neither `-L` nor `-S` is given.
pub const DEFAULT_SOCKET_NAME: &str = "default";

/// Where the server for one socket lives, and the files that belong to it.
#[derive(Debug, Clone)]
pub struct SocketPaths {
    /// The Unix socket clients connect to.
    pub socket: PathBuf,
    /// Serialises "is a server running? if not, start one" between racing clients.
    pub start_lock: PathBuf,
    /// Held by the live server for its whole life; free means any socket file is stale.
    pub server_lock: PathBuf,
}

impl SocketPaths {
    /// Paths for `-S PATH` (explicit) or `-L NAME` (in the runtime dir).
    pub fn resolve(name: Option<&str>, path: Option<&Path>) -> Result<Self> {
        let socket = match path {
            Some(p) => absolute(p)?,
            None => {
                let name = name.unwrap_or(DEFAULT_SOCKET_NAME);
                if name.is_empty() || name.contains('/') {
                    bail!("invalid socket name `{name}`: it must be non-empty and contain no `/`");
                }
                runtime_dir()?.join(name)
            }
        };
        let with_suffix = |suffix: &str| {
            let mut s = socket.clone().into_os_string();
            s.push(suffix);
            PathBuf::from(s)
        };
        Ok(Self {
            start_lock: with_suffix(".lock"),
            server_lock: with_suffix(".server.lock"),
            socket,
        })
    }

    /// A short label for log file names: the socket's file name.
    pub fn label(&self) -> String {
        self.socket
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| DEFAULT_SOCKET_NAME.to_owned())
    }
}

fn absolute(p: &Path) -> Result<PathBuf> {
    if p.is_absolute() {
        return Ok(p.to_owned());
    }
    Ok(std::env::current_dir()
        .context("reading the current directory")?
        .join(p))
}

fn env_dir(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
}

fn home() -> Result<PathBuf> {
    env_dir("HOME").context("HOME is not set; set XDG_STATE_HOME and XDG_CONFIG_HOME instead")
}

/// The per-user runtime dir (`$XDG_RUNTIME_DIR/appmux`, else `${TMPDIR:-/tmp}/appmux-UID`),
/// created 0700 and checked.
pub fn runtime_dir() -> Result<PathBuf> {
    let uid = rustix::process::getuid().as_raw();
    let dir = match env_dir("XDG_RUNTIME_DIR") {
        Some(base) => base.join("appmux"),
        None => env_dir("TMPDIR")
            .unwrap_or_else(|| PathBuf::from("/tmp"))
            .join(format!("appmux-{uid}")),
    };
    ensure_private_dir(&dir)?;
    Ok(dir)
}

/// Creates `dir` with mode 0700 if missing, then refuses it unless it is a real directory (not
/// a symlink) owned by us with no group or other permissions.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    match fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
    {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e).with_context(|| format!("creating {}", dir.display())),
    }
    let meta = fs::symlink_metadata(dir).with_context(|| format!("checking {}", dir.display()))?;
    if meta.file_type().is_symlink() || !meta.is_dir() {
        bail!(
            "{} is not a directory (a symlink?); refusing to use it",
            dir.display()
        );
    }
    let uid = rustix::process::getuid().as_raw();
    if meta.uid() != uid {
        bail!(
            "{} is owned by uid {}, not by us (uid {uid}); refusing to use it",
            dir.display(),
            meta.uid()
        );
    }
    if meta.permissions().mode() & 0o077 != 0 {
        bail!(
            "{} has mode {:o}; it must be 0700 (run `chmod 700 {}`)",
            dir.display(),
            meta.permissions().mode() & 0o777,
            dir.display()
        );
    }
    Ok(())
}

/// `$XDG_STATE_HOME/appmux`, else `~/.local/state/appmux`. Not created here.
pub fn state_dir() -> Result<PathBuf> {
    Ok(match env_dir("XDG_STATE_HOME") {
        Some(d) => d.join("appmux"),
        None => home()?.join(".local/state/appmux"),
    })
}

/// `$XDG_CONFIG_HOME/appmux`, else `~/.config/appmux`. Not created here.
pub fn config_dir() -> Result<PathBuf> {
    Ok(match env_dir("XDG_CONFIG_HOME") {
        Some(d) => d.join("appmux"),
        None => home()?.join(".config/appmux"),
    })
}

/// The server's own log file for one socket.
pub fn server_log(sock: &SocketPaths) -> Result<PathBuf> {
    Ok(state_dir()?.join(format!("server-{}.log", sock.label())))
}

/// The directory holding one session's app logs.
pub fn session_log_dir(session: &str) -> Result<PathBuf> {
    Ok(state_dir()?.join("logs").join(file_component(session)))
}

/// One app's log file in its session's log directory.
pub fn app_log_file(session_dir: &Path, app: &str) -> PathBuf {
    session_dir.join(format!("{}.log", file_component(app)))
}

/// The longest file name [`file_component`] makes, in bytes: well under the usual 255, with
/// room for the suffixes added to it (`.log.1000`).
const MAX_COMPONENT: usize = 200;

/// A name as one file name component, whatever it holds: `/`, `%`, control characters and a
/// leading `.` are written as `%XX`, and a result that is too long keeps its start and ends in
/// `%~` and a hash of the whole name. Names are checked where they enter, so for real names
/// this is the name itself; the encoding is the safety net that makes `..`, `/abs` or a
/// 300-character name a file inside the directory it belongs in. Distinct names never share a
/// file: `%` only ever starts `%XX` or `%~`.
pub fn file_component(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, c) in name.chars().enumerate() {
        if c == '/' || c == '%' || c.is_control() || (i == 0 && c == '.') {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    if out.is_empty() {
        return "%".to_owned();
    }
    if out.len() <= MAX_COMPONENT {
        return out;
    }
    let mut cut = MAX_COMPONENT - 18;
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    out.truncate(cut);
    out.push_str(&format!("%~{:016x}", fnv1a(name.as_bytes())));
    out
}

/// FNV-1a, 64 bits: stable across builds and platforms, which a file name must be.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Creates a directory (and parents) owned by us with mode 0700.
pub fn create_dir_private(dir: &Path) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_group_writable_and_symlinked_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        let open = tmp.path().join("open");
        fs::create_dir(&open).unwrap();
        fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).unwrap();
        assert!(ensure_private_dir(&open).is_err());

        let real = tmp.path().join("real");
        create_dir_private(&real).unwrap();
        ensure_private_dir(&real).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let err = ensure_private_dir(&link).unwrap_err().to_string();
        assert!(err.contains("symlink"), "{err}");
    }

    #[test]
    fn any_name_is_one_file_name_inside_its_directory() {
        assert_eq!(file_component("api"), "api");
        assert_eq!(file_component("v1.2"), "v1.2");
        assert_eq!(file_component("../../x"), "%2E.%2F..%2Fx");
        assert_eq!(file_component("/abs/path"), "%2Fabs%2Fpath");
        assert_eq!(file_component("a\0b"), "a%00b");
        assert_eq!(file_component("50%"), "50%25");
        assert_eq!(file_component(""), "%");
        let long = file_component(&"n".repeat(300));
        assert!(long.len() <= MAX_COMPONENT && long.contains("%~"), "{long}");
        assert_ne!(long, file_component(&"n".repeat(301)));
        let dir = Path::new("/state/logs/s");
        for name in [
            "..",
            ".",
            "../../etc/passwd",
            "/etc/x",
            "a\nb",
            &"é".repeat(300),
        ] {
            let file = app_log_file(dir, name);
            assert_eq!(file.parent(), Some(dir), "{name:?} gave {file:?}");
            let leaf = file.file_name().unwrap().to_str().unwrap();
            assert!(leaf.len() <= 255 && !leaf.chars().any(char::is_control));
        }
    }

    #[test]
    fn socket_name_with_slash_is_refused() {
        assert!(SocketPaths::resolve(Some("a/b"), None).is_err());
        let p = SocketPaths::resolve(None, Some(Path::new("/tmp/x.sock"))).unwrap();
        assert_eq!(p.start_lock, PathBuf::from("/tmp/x.sock.lock"));
        assert_eq!(p.label(), "x.sock");
    }
}
