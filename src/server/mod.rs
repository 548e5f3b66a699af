//! The server: claims the socket (a lock held for its whole life tells live servers from stale
//! sockets), binds it 0600, sets up logging, and runs the listener and the state task on one
//! tokio thread. PTY threads feed the state task through a bounded channel.
//!
//! The [`Server`] type lives here so that its fields are private to this module and its
//! children. `state` runs its event loop; the models it routes between are `session` (tabs,
//! layouts, focus), `apps` and `model` (apps: spawn, output, exits, timers) and `clients`
//! (attach, size, modes in `modes`, frames in `clients::view`). `actions` and `verbs` carry out
//! the action vocabulary (with `delete` and `reload` for the verbs that remove apps and apply a
//! project file again); `control` speaks the JSON API; `persist` and `statefile` save and
//! restore sessions. No two of these modules import each other in a circle (`tests/layers.rs`).

pub mod actions;
pub mod apps;
pub mod clients;
pub mod control;
pub mod delete;
pub mod dispatch;
pub mod ending;
pub mod floats;
pub mod init;
pub mod instances;
pub mod limits;
pub mod listener;
pub mod model;
pub mod modes;
pub mod notify;
pub mod outer;
pub mod persist;
pub mod probes;
pub mod reload;
pub mod report;
pub mod schedules;
pub mod session;
pub mod settings;
pub mod source;
pub mod state;
pub mod statefile;
pub mod supervise;
pub mod switching;
pub mod trim;
pub mod tty;
pub mod usage;
pub mod verbs;
pub mod watch;

use std::fs::File;
use std::io::Write;
use std::os::fd::AsFd;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use anyhow::{Context, Result, bail};
use tokio::sync::mpsc;

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use crate::logs::LogWriter;
use crate::metrics::Sampler;
use crate::pane::process::{Process, PtyEvent};
use crate::paths::{self, SocketPaths};
use crate::protocol::ClientMsg;
use clients::{Client, Outgoing};
use model::{App, AppId, ClientId, SessionId};
use session::Session;
use settings::Settings;

/// The server's state: what the loop in `state` owns and routes between. Its fields are private
/// to `server`, whose modules add the behaviour: sessions (`session`), apps (`apps`, `model`),
/// orchestration between apps (`supervise`, `probes`, `watch`), clients (`clients`, `modes`), the action vocabulary (`actions`, `verbs`), the control API,
/// saved state and the outer terminal.
pub struct Server {
    settings: Settings,
    sessions: BTreeMap<SessionId, Session>,
    apps: BTreeMap<AppId, App>,
    clients: HashMap<ClientId, Client>,
    pty_tx: mpsc::Sender<PtyEvent>,
    /// Memory handed back after floods.
    trim: trim::Trim,
    /// The queue to the log thread, which does all app log file work.
    logs: LogWriter,
    /// Where work done off this task (reading a log, say) reports back.
    events: mpsc::Sender<Event>,
    next_id: u64,
    /// Set once a stop was requested; the loop ends when every app is gone or the grace ends.
    shutdown: Option<Instant>,
    /// Processes of removed apps that get SIGKILL at the instant given, if still there.
    kills: Vec<(Instant, Process)>,
    sampler: Option<Sampler>,
    /// The order the metrics thread was last given (`None`: not known to have it).
    metrics_order: Option<crate::metrics::Order>,
    /// When a one-off sample of every app last came back.
    last_answer: Option<Instant>,
    /// `ls` requests waiting for fresh metrics, answered by the deadline at the latest.
    pending_ls: Vec<(ClientId, Instant)>,
    /// The last copy-mode yank, for `client.paste`.
    paste_buffer: Option<String>,
    /// `kill-server` requests, answered once the server is gone.
    shutdown_waiters: Vec<ClientId>,
    /// Apps still running when the shutdown grace ran out, which had to be SIGKILLed.
    killed_at_shutdown: Vec<String>,
    /// When the state file is next written (set shortly after a change).
    save_due: Option<Instant>,
    /// Processes left over from a previous server, found at start.
    orphans: Vec<crate::protocol::Orphan>,
    /// The saved sessions not restored yet, and how the state file stands.
    saved: crate::server::persist::SavedFile,
    /// The app last reported as focused in each session (for focus events).
    focus: HashMap<SessionId, AppId>,
    /// The colours panes' OSC 10/11/12 queries are answered with (a client's, once known).
    palette: crate::pane::emulator::Palette,
    /// Stops held until the app's dependents among the apps stopped with it are gone.
    deferred_stops: Vec<(AppId, Vec<AppId>)>,
    /// `restart = true`: running dependents to restart once the named restarted dependencies
    /// meet their conditions again.
    cascade: HashMap<AppId, Vec<String>>,
    /// Removed apps' processes whose hang-up waits for their dependents to go.
    held_stops: Vec<supervise::HeldStop>,
    /// File watching for apps with `watch`.
    watch: watch::Watches,
    /// Lines entered at the command prompt, by any client of any session.
    command_history: modes::History,
}

impl Server {
    pub fn new(
        settings: Settings,
        pty_tx: mpsc::Sender<PtyEvent>,
        sampler: Option<Sampler>,
        logs: LogWriter,
        events: mpsc::Sender<Event>,
    ) -> Self {
        Self {
            settings,
            sessions: BTreeMap::new(),
            apps: BTreeMap::new(),
            clients: HashMap::new(),
            pty_tx,
            trim: trim::Trim::default(),
            logs,
            events,
            next_id: 1,
            shutdown: None,
            kills: Vec::new(),
            sampler,
            metrics_order: None,
            last_answer: None,
            pending_ls: Vec::new(),
            paste_buffer: None,
            shutdown_waiters: Vec::new(),
            killed_at_shutdown: Vec::new(),
            save_due: None,
            orphans: Vec::new(),
            saved: Default::default(),
            focus: HashMap::new(),
            palette: Default::default(),
            deferred_stops: Vec::new(),
            cascade: HashMap::new(),
            held_stops: Vec::new(),
            watch: Default::default(),
            command_history: Default::default(),
        }
    }

    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// What connection tasks tell the state task.
#[derive(Debug)]
pub enum Event {
    Connected(ClientId, mpsc::Sender<Outgoing>),
    Msg(ClientId, Box<ClientMsg>),
    /// A render frame for this client has been fully written to its socket.
    Written(ClientId),
    Gone(ClientId),
    /// A JSON line from a control connection.
    Control(ClientId, String),
    /// The log writer has written everything queued before this client's `FlushLogs`.
    LogsWritten(ClientId),
    /// The log writer read an app's log for this client's log view: its lines, plain, each
    /// with the time it began when the index knows it.
    LogRead {
        client: ClientId,
        title: String,
        lines: Vec<(Option<String>, String)>,
    },
    /// A probe attempt finished.
    Probe(Box<probes::ProbeDone>),
}

/// How the server was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Launch {
    /// `appmux server --foreground`: logs on stderr.
    Foreground,
    /// Started by a client: stdout is a pipe to that client, closed once the socket is ready.
    Daemon,
}

/// Bounded PTY output queue: a flood blocks the PTY threads, not the server.
const PTY_QUEUE: usize = 256;
const EVENT_QUEUE: usize = 1024;
/// How long a starting server waits for a dying predecessor to let go of the lock.
const CLAIM_RETRY: std::time::Duration = std::time::Duration::from_millis(20);
const CLAIM_ATTEMPTS: u32 = 50;
/// How long queued replies get to reach their clients when the server stops.
const FLUSH_GRACE: std::time::Duration = std::time::Duration::from_secs(1);
/// How long queued log writes get when the server stops (a hung file system gets no more).
const LOG_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// How the server's run ended.
pub struct Stopped {
    /// The outboxes of the clients waiting for the server to be gone.
    pub waiters: Vec<mpsc::Sender<clients::Outgoing>>,
    /// Apps that outlived their stop timeout and were SIGKILLed.
    pub killed: Vec<String>,
}

/// Runs a server on `sock` until it is told to stop, with the saved sessions (`resurrect`)
/// and a project's session (`first`) started once it listens. An error when it stopped but
/// had to SIGKILL apps that outlived their stop timeout, so a container or init system sees a
/// stop that was not clean.
pub fn run(
    sock: &SocketPaths,
    mode: Launch,
    resurrect: bool,
    first: Option<crate::protocol::NewSession>,
) -> Result<()> {
    trim::limit_arenas();
    // Saved sessions hold the environment of the clients that made them: private from the
    // start, whatever the umask and whatever an older appmux left there. With no state dir at
    // all (no HOME) a foreground server still runs, saving nothing.
    let state_dir = match paths::state_dir() {
        Ok(_) => Some(paths::ensure_state_dir()?),
        Err(_) => None,
    };
    init_logging(sock, mode)?;
    if let Some(dir) = state_dir {
        paths::tighten_tree(&dir, 2);
    }
    let lock = claim(sock)?;
    let listener = bind(&sock.socket)?;
    tracing::info!(socket = %sock.socket.display(), pid = std::process::id(), "server started");
    if mode == Launch::Daemon {
        signal_ready()?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .thread_name("appmux-server")
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(async {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::UnixListener::from_std(listener)?;
        let (ev_tx, ev_rx) = mpsc::channel(EVENT_QUEUE);
        let (pty_tx, pty_rx) = mpsc::channel(PTY_QUEUE);
        let (writers_tx, mut writers_rx) = mpsc::channel::<()>(1);
        let accept = tokio::spawn(listener::accept_loop(listener, ev_tx.clone(), writers_tx));
        let (usage_tx, usage_rx) = mpsc::channel(4);
        let sampler = crate::metrics::Sampler::spawn(usage_tx)
            .map_err(|e| tracing::warn!("metrics are off: {e:#}"))
            .ok();
        let (config, problems) = source::at_start();
        let mut settings = Settings::new(sock, config.options, config.keymap, config.theme);
        settings.problems = problems;
        settings.resurrect |= resurrect;
        settings.first_session = first;
        let (logs, log_thread) =
            crate::logs::LogWriter::spawn().context("starting the log thread")?;
        let waiters = Server::new(settings, pty_tx, sampler, logs, ev_tx.clone())
            .run(ev_rx, pty_rx, usage_rx)
            .await;
        // Every log handle went with the server: what is still queued gets written now.
        if !log_thread.finish(LOG_GRACE) {
            tracing::warn!("the log thread did not finish in time; some output was not logged");
        }
        // Stop accepting, then remove the socket while we still hold the lock (so we never
        // delete a successor's), then release the lock: from here a new server can start.
        accept.abort();
        let _ = accept.await;
        let _ = std::fs::remove_file(&sock.socket);
        drop(lock);
        tracing::info!("server stopped");
        let Stopped { waiters, killed } = waiters?;
        let done = crate::protocol::codec::encode(&crate::protocol::ServerMsg::Reply(
            crate::protocol::Reply::Done,
        ));
        for w in waiters {
            let _ = w.send(clients::Outgoing::Frame(done.clone(), false)).await;
        }
        // The state is gone, so every outbox is closed; give writers a moment to flush.
        let _ = tokio::time::timeout(FLUSH_GRACE, writers_rx.recv()).await;
        anyhow::Ok(killed)
    });
    // Connection tasks and PTY threads may still be blocked; nothing of theirs matters now.
    runtime.shutdown_background();
    let killed = result?;
    if !killed.is_empty() {
        bail!(
            "stopped, but {} outlived the stop timeout and had to be killed",
            killed.join(", ")
        );
    }
    Ok(())
}

/// Takes the server lock; while we hold it no other server can claim this socket, and any
/// socket file already there is stale (its server is gone) and is replaced.
fn claim(sock: &SocketPaths) -> Result<File> {
    if let Some(dir) = sock.socket.parent() {
        paths::create_dir_private(dir)?;
    }
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&sock.server_lock)
        .with_context(|| format!("opening {}", sock.server_lock.display()))?;
    std::fs::set_permissions(&sock.server_lock, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("setting the mode of {}", sock.server_lock.display()))?;
    // A server that was just killed holds the lock until its last thread is gone, which can
    // take a moment after its pid looks dead; a live server holds it and answers on the socket.
    let mut attempts = 0;
    while rustix::fs::flock(
        lock.as_fd(),
        rustix::fs::FlockOperation::NonBlockingLockExclusive,
    )
    .is_err()
    {
        attempts += 1;
        if answers(&sock.socket) || attempts > CLAIM_ATTEMPTS {
            bail!("a server is already running on {}", sock.socket.display());
        }
        std::thread::sleep(CLAIM_RETRY);
    }
    match std::fs::remove_file(&sock.socket) {
        Ok(()) => tracing::info!("replaced a stale socket"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(e).with_context(|| format!("removing stale {}", sock.socket.display()));
        }
    }
    Ok(lock)
}

/// Whether a server answers the handshake on `path` (a dying one may still accept).
fn answers(path: &Path) -> bool {
    use std::io::Read;
    let Ok(mut s) = std::os::unix::net::UnixStream::connect(path) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(std::time::Duration::from_millis(500)));
    let mut reply = [0u8; crate::protocol::codec::PREAMBLE_LEN];
    s.write_all(&crate::protocol::codec::preamble()).is_ok() && s.read_exact(&mut reply).is_ok()
}

/// Binds the socket with mode 0600 (set through the umask, so it is never briefly wider).
fn bind(path: &Path) -> Result<std::os::unix::net::UnixListener> {
    let old = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o177));
    let bound = std::os::unix::net::UnixListener::bind(path);
    rustix::process::umask(old);
    bound.with_context(|| format!("binding {}", path.display()))
}

/// Tells the starting client that the socket is ready, then points stdout at /dev/null so
/// the client's pipe closes and nothing we print can reach its terminal.
fn signal_ready() -> Result<()> {
    {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(b"ready\n");
        let _ = out.flush();
    }
    let null = File::options()
        .write(true)
        .open("/dev/null")
        .context("opening /dev/null")?;
    rustix::stdio::dup2_stdout(null.as_fd()).context("redirecting stdout")?;
    Ok(())
}

/// Foreground: logs to stderr, coloured only on a terminal, without our own timestamps when
/// journald reads it (it stamps each line itself). Daemon: logs to the state dir's server log,
/// rotated as app logs are (10 MB, five files kept). The level is `APPMUX_LOG`, else
/// `RUST_LOG`, else `info`.
fn init_logging(sock: &SocketPaths, mode: Launch) -> Result<()> {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("APPMUX_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info"));
    match mode {
        Launch::Foreground => {
            let fmt = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(std::io::stderr().is_terminal())
                .with_writer(std::io::stderr);
            let _ = if journald_reads_stderr() {
                fmt.without_time().try_init()
            } else {
                fmt.try_init()
            };
        }
        Launch::Daemon => {
            let path = paths::server_log(sock)?;
            let mut log = crate::logs::AppLog::new(path.clone(), crate::config::LogSpec::default());
            if !log.open_now() {
                bail!(
                    "opening {}: {}",
                    path.display(),
                    log.error().unwrap_or("failed")
                );
            }
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(ServerLog(log)))
                .try_init();
        }
    }
    Ok(())
}

/// The daemon's own log, appended through an app log's rotation.
struct ServerLog(crate::logs::AppLog);

impl Write for ServerLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether stderr is the stream `JOURNAL_STREAM` names (`DEVICE:INODE`), as systemd sets it
/// for a service whose output goes to the journal.
fn journald_reads_stderr() -> bool {
    let Some(stream) = std::env::var_os("JOURNAL_STREAM") else {
        return false;
    };
    let Some((dev, ino)) = stream.to_str().and_then(|s| s.split_once(':')) else {
        return false;
    };
    let Ok(st) = rustix::fs::fstat(std::io::stderr()) else {
        return false;
    };
    dev.parse() == Ok(st.st_dev) && ino.parse() == Ok(st.st_ino)
}
