//! Every per-user path appmux touches: the runtime dir with its sockets and locks, the state
//! dir with logs and the server log, the config dir with the options, keymaps and themes, the
//! systemd user and system units, and the terminfo entries a pane's `TERM` is chosen by. Nobody else reads
//! the environment for a directory or builds a path from a name; the owner of a file may derive
//! its siblings from the path it got here (a log's rotations, a state file's temporary copy).
//!
//! The runtime dir is where a hostile local user could try to plant a socket or a symlink, so it
//! is created 0700 and checked (owner, mode, not a symlink) before anything is placed in it.
//! The state dir holds saved sessions (with the environment of the clients that made them) and
//! app output, so it is 0700 with every file in it 0600 whatever the umask, files are never
//! opened through a symlink, and every file a server writes there is named by its socket's
//! identity, so two servers never share one.

use std::fs::{self, File};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
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
    /// Names the files this server writes in the state dir (see [`socket_identity`]).
    identity: String,
}

impl SocketPaths {
    /// Paths for `-S PATH` (explicit) or `-L NAME` (in the runtime dir).
    pub fn resolve(name: Option<&str>, path: Option<&Path>) -> Result<Self> {
        let runtime = runtime_dir_path().ok();
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
        Ok(Self::at(socket, runtime.as_deref()))
    }

    /// Paths for the socket at the absolute path `socket`, when the runtime dir is `runtime`.
    pub fn at(socket: PathBuf, runtime: Option<&Path>) -> Self {
        let with_suffix = |suffix: &str| {
            let mut s = socket.clone().into_os_string();
            s.push(suffix);
            PathBuf::from(s)
        };
        Self {
            start_lock: with_suffix(".lock"),
            server_lock: with_suffix(".server.lock"),
            identity: socket_identity(&socket, runtime),
            socket,
        }
    }

    /// The socket's identity, which names its state file, server log, app log directory and
    /// boot unit: `default` for the default socket, as before.
    pub fn label(&self) -> String {
        self.identity.clone()
    }
}

/// Hex digits of the path hash in an identity.
const HASH_DIGITS: usize = 12;
/// Longest socket file name kept readable in a hashed identity.
const NAME_IN_IDENTITY: usize = 32;

/// A socket in the runtime dir (what `-L NAME` names, `default` included) is identified by its
/// name when that is a plain file name; any other socket gets its file name, with anything
/// unusual replaced, plus a hash of its full path: `-S dir1/sock` and `-S dir2/sock` are
/// `sock-1f…` and `sock-9a…`. A plain name never looks like a hashed one, so the two kinds of
/// identity cannot meet.
fn socket_identity(socket: &Path, runtime: Option<&Path>) -> String {
    let name = socket
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let in_runtime = runtime.is_some_and(|r| socket.parent() == Some(r));
    if in_runtime && is_plain_name(&name) && !looks_hashed(&name) {
        return name;
    }
    let mut safe: String = name
        .chars()
        .map(|c| if is_plain_char(c) { c } else { '_' })
        .take(NAME_IN_IDENTITY)
        .collect();
    if safe.is_empty() || safe.starts_with('.') {
        safe.insert_str(0, "socket");
    }
    let hash = fnv1a(socket.as_os_str().as_bytes());
    format!(
        "{safe}-{:0width$x}",
        hash >> (64 - 4 * HASH_DIGITS),
        width = HASH_DIGITS
    )
}

fn is_plain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name.chars().all(is_plain_char)
}

/// Ends like a hashed identity: a dash and [`HASH_DIGITS`] lowercase hex digits.
fn looks_hashed(name: &str) -> bool {
    name.len() > HASH_DIGITS
        && name.as_bytes()[name.len() - HASH_DIGITS - 1] == b'-'
        && name[name.len() - HASH_DIGITS..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// 64-bit FNV-1a: small, and stable across builds and Rust versions, unlike std's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
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
    let dir = runtime_dir_path()?;
    ensure_private_dir(&dir)?;
    Ok(dir)
}

/// Where the runtime dir is, without creating or checking it.
fn runtime_dir_path() -> Result<PathBuf> {
    let uid = rustix::process::getuid().as_raw();
    Ok(match env_dir("XDG_RUNTIME_DIR") {
        Some(base) => runtime_dir_in(&base),
        None => env_dir("TMPDIR")
            .unwrap_or_else(|| PathBuf::from("/tmp"))
            .join(format!("appmux-{uid}")),
    })
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

/// `$XDG_CONFIG_HOME`, else `~/.config`: where appmux's config dir and systemd's user units are.
fn config_home() -> Result<PathBuf> {
    Ok(match env_dir("XDG_CONFIG_HOME") {
        Some(d) => d,
        None => home()?.join(".config"),
    })
}

/// `$XDG_CONFIG_HOME/appmux`, else `~/.config/appmux`. Not created here.
pub fn config_dir() -> Result<PathBuf> {
    Ok(config_home()?.join("appmux"))
}

/// The user's options in the config dir `config` (normally [`config_dir`]): `config.toml`.
pub fn options_file(config: &Path) -> PathBuf {
    config.join("config.toml")
}

/// The named files a user adds to the config dir, each kind in a directory of its own, to
/// override the built-ins of the same name or add to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Keymap,
    Theme,
}

impl Named {
    /// The directory of this kind, in the config dir and in this repository: `keymaps`.
    pub fn dir_name(self) -> &'static str {
        match self {
            Self::Keymap => "keymaps",
            Self::Theme => "themes",
        }
    }
}

/// The user's directory of keymaps or themes in the config dir `config`.
pub fn named_dir(config: &Path, kind: Named) -> PathBuf {
    config.join(kind.dir_name())
}

/// The user's keymap or theme `name` in the config dir `config`: `keymaps/NAME.toml`. The
/// name is joined as it is, so the caller reads the file only when the name is a plain file
/// name; the path still names the file in messages when it is not.
pub fn named_file(config: &Path, kind: Named, name: &str) -> PathBuf {
    named_dir(config, kind).join(format!("{name}.toml"))
}

/// Where systemd looks for the user unit `unit` (a file name such as `appmux.service`):
/// `$XDG_CONFIG_HOME/systemd/user`, else `~/.config/systemd/user`.
pub fn systemd_user_unit(unit: &str) -> Result<PathBuf> {
    Ok(config_home()?.join("systemd/user").join(unit))
}

/// Where systemd looks for the system unit `unit` that an administrator installs:
/// `/etc/systemd/system`.
pub fn systemd_system_unit(unit: &str) -> PathBuf {
    Path::new("/etc/systemd/system").join(unit)
}

/// The runtime dir that systemd-logind gives the user `uid` (their `XDG_RUNTIME_DIR` in every
/// login session): `/run/user/UID`.
pub fn logind_runtime_dir(uid: u32) -> PathBuf {
    PathBuf::from(format!("/run/user/{uid}"))
}

/// appmux's runtime dir inside the `XDG_RUNTIME_DIR` `base`, as [`runtime_dir`] builds it.
pub fn runtime_dir_in(base: &Path) -> PathBuf {
    base.join("appmux")
}

/// The file whose presence means systemd-logind keeps `user`'s runtime dir and user manager
/// while they are logged out (`loginctl enable-linger`).
pub fn linger_file(user: &str) -> PathBuf {
    Path::new("/var/lib/systemd/linger").join(user)
}

/// The files that hold the terminfo entry `name`, where ncurses looks for them: `$TERMINFO`,
/// `~/.terminfo`, then the system's directories, each with the entry under its first letter
/// or under that letter's hex code.
pub fn terminfo_entries(name: &str) -> Vec<PathBuf> {
    let Some(first) = name.get(..1) else {
        return Vec::new();
    };
    let dirs = [
        std::env::var("TERMINFO").unwrap_or_default(),
        std::env::var("HOME")
            .map(|h| format!("{h}/.terminfo"))
            .unwrap_or_default(),
        "/etc/terminfo".into(),
        "/lib/terminfo".into(),
        "/usr/share/terminfo".into(),
        "/usr/lib/terminfo".into(),
    ];
    let hex = format!("{:x}", name.as_bytes()[0]);
    dirs.iter()
        .filter(|d| !d.is_empty())
        .flat_map(|d| {
            let d = PathBuf::from(d);
            [d.join(first).join(name), d.join(&hex).join(name)]
        })
        .collect()
}

/// The state dir, ready for private files: created 0700 if missing, tightened to 0700 if it
/// exists with other bits, refused if it is not a directory or belongs to another user.
pub fn ensure_state_dir() -> Result<PathBuf> {
    let dir = state_dir()?;
    own_private_dir(&dir, rustix::process::getuid().as_raw())?;
    Ok(dir)
}

fn own_private_dir(dir: &Path, uid: u32) -> Result<()> {
    create_dir_private(dir)?;
    // Followed: a state dir that is a symlink to a directory of our own is a user's choice.
    let meta = fs::metadata(dir).with_context(|| format!("checking {}", dir.display()))?;
    if !meta.is_dir() {
        bail!(
            "{} is not a directory; refusing to keep state there",
            dir.display()
        );
    }
    if meta.uid() != uid {
        bail!(
            "{} is owned by uid {}, not by us (uid {uid}); refusing to keep state there",
            dir.display(),
            meta.uid()
        );
    }
    if meta.permissions().mode() & 0o777 != 0o700 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .with_context(|| format!("making {} private (mode 0700)", dir.display()))?;
    }
    Ok(())
}

/// Makes what an older appmux or a loose umask left in the state dir private: directories 0700
/// and files 0600, `depth` levels down (the app logs sit two below). Symlinks are left alone.
pub fn tighten_tree(dir: &Path, depth: u32) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        let (want, is_dir) = match meta.file_type() {
            t if t.is_dir() => (0o700, true),
            t if t.is_file() => (0o600, false),
            _ => continue,
        };
        if meta.permissions().mode() & 0o777 != want
            && let Err(e) = fs::set_permissions(&path, fs::Permissions::from_mode(want))
        {
            tracing::warn!(path = %path.display(), "could not make it private: {e}");
        }
        if is_dir && depth > 0 {
            tighten_tree(&path, depth - 1);
        }
    }
}

/// The saved sessions of one socket's server.
pub fn state_file(identity: &str) -> Result<PathBuf> {
    Ok(state_dir()?.join(format!("sessions-{identity}.json")))
}

/// The server's own log file for one socket.
pub fn server_log(sock: &SocketPaths) -> Result<PathBuf> {
    Ok(state_dir()?.join(format!("server-{}.log", sock.label())))
}

/// The directory holding the app logs of one socket's server: `logs` for the default socket
/// (where every server wrote them before sockets had identities), `logs-IDENTITY` for others.
pub fn app_logs_dir(identity: &str) -> Result<PathBuf> {
    Ok(state_dir()?.join(match identity {
        DEFAULT_SOCKET_NAME => "logs".to_owned(),
        other => format!("logs-{other}"),
    }))
}

/// The directory holding one session's app logs.
pub fn session_log_dir(identity: &str, session: &str) -> Result<PathBuf> {
    Ok(app_logs_dir(identity)?.join(file_component(session)))
}

/// Opens a file of the state dir for appending, created 0600 if missing, never through a
/// symlink, and made 0600 if it exists with other bits (an older appmux or another umask).
pub fn open_private_append(path: &Path) -> io::Result<File> {
    let f = File::options()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    make_private(&f)?;
    Ok(f)
}

/// Creates a file that must not exist yet (so nothing is overwritten and no symlink is
/// followed), with mode 0600 whatever the umask.
pub fn create_private_new(path: &Path) -> io::Result<File> {
    let f = File::options()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    make_private(&f)?;
    Ok(f)
}

/// The umask can only take bits away from the mode given at open, so a narrow umask (0277)
/// leaves a file we cannot write again; set it exactly.
fn make_private(f: &File) -> io::Result<()> {
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    if meta.permissions().mode() & 0o777 != 0o600 {
        f.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
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
    fn config_files_sit_in_the_config_dir() {
        let config = Path::new("/home/u/.config/appmux");
        assert_eq!(options_file(config), config.join("config.toml"));
        assert_eq!(named_dir(config, Named::Theme), config.join("themes"));
        assert_eq!(
            named_file(config, Named::Keymap, "tmux"),
            config.join("keymaps/tmux.toml")
        );
        let entries = terminfo_entries("xterm");
        for system in [
            "/usr/share/terminfo/x/xterm",
            "/usr/share/terminfo/78/xterm",
        ] {
            assert!(entries.contains(&PathBuf::from(system)), "{entries:?}");
        }
        assert!(terminfo_entries("").is_empty());
    }

    #[test]
    fn socket_name_with_slash_is_refused() {
        assert!(SocketPaths::resolve(Some("a/b"), None).is_err());
        let p = SocketPaths::resolve(None, Some(Path::new("/tmp/x.sock"))).unwrap();
        assert_eq!(p.start_lock, PathBuf::from("/tmp/x.sock.lock"));
        assert!(p.label().starts_with("x.sock-"), "{}", p.label());
    }

    #[test]
    fn sockets_in_the_runtime_dir_keep_their_names_and_others_are_told_apart() {
        let run = Path::new("/run/user/1/appmux");
        let id = |p: &str| socket_identity(Path::new(p), Some(run));
        assert_eq!(id("/run/user/1/appmux/default"), "default");
        assert_eq!(id("/run/user/1/appmux/work"), "work");
        let (a, b) = (id("/srv/one/sock"), id("/srv/two/sock"));
        assert_ne!(a, b);
        assert!(
            a.starts_with("sock-") && a.len() == "sock-".len() + HASH_DIGITS,
            "{a}"
        );
        assert_eq!(a, id("/srv/one/sock"), "stable");
        assert!(looks_hashed(&a));
        // A socket elsewhere named `default` is not the default socket.
        assert_ne!(id("/srv/default"), "default");
        // Names that could escape the state dir or pose as a hashed identity get hashed.
        let odd = id("/run/user/1/appmux/a b\x1b[");
        assert!(odd.starts_with("a_b__-"), "{odd}");
        assert!(id("/run/user/1/appmux/x-0123456789ab") != "x-0123456789ab");
        assert!(id("/run/user/1/appmux/..hidden").starts_with("socket..hidden-"));
        assert!(id("/").starts_with("socket-"));
    }

    #[test]
    fn a_state_dir_is_tightened_and_one_of_another_user_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        let uid = rustix::process::getuid().as_raw();
        own_private_dir(&dir, uid).unwrap();
        let mode = fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        let err = own_private_dir(&dir, uid.wrapping_add(1))
            .unwrap_err()
            .to_string();
        assert!(err.contains("owned by uid"), "{err}");
    }

    #[test]
    fn private_files_are_0600_and_never_opened_through_a_symlink() {
        let tmp = tempfile::tempdir().unwrap();
        let old = tmp.path().join("old.log");
        fs::write(&old, b"x").unwrap();
        fs::set_permissions(&old, fs::Permissions::from_mode(0o644)).unwrap();
        open_private_append(&old).unwrap();
        assert_eq!(
            fs::metadata(&old).unwrap().permissions().mode() & 0o777,
            0o600
        );

        let victim = tmp.path().join("victim");
        fs::write(&victim, b"keep").unwrap();
        let link = tmp.path().join("link.log");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(open_private_append(&link).is_err());
        assert!(create_private_new(&link).is_err());
        assert_eq!(fs::read(&victim).unwrap(), b"keep");
    }
}
