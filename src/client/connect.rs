//! Reaching the server: connect and handshake, or start one first. Starting is serialised by a
//! lock file so that any number of racing clients start exactly one server; the server is a
//! re-exec of this binary in a new session with stdio on /dev/null, and it reports readiness
//! over a pipe on its stdout.

use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::paths::{self, SocketPaths};
use crate::protocol::codec::{self, CodecError, Decoded, PREAMBLE_LEN};
use crate::protocol::parts::Reassembly;
use crate::protocol::{ClientMsg, Reply, Request, ServerMsg};

/// A handshaken connection to the server.
pub struct Connection {
    /// For writing (and cloning); reading goes through `reader`.
    pub stream: UnixStream,
    /// The same socket, buffered: a frame's header and a small payload are one read.
    reader: BufReader<UnixStream>,
    /// A message that arrives in parts, so far.
    parts: Reassembly,
}

/// What one read from the server takes at most into the buffer.
const READ_BUFFER: usize = 16 * 1024;

/// Why no connection could be made.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("no server running on {0}")]
    NoServer(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Connection {
    /// Connects to a running server; never starts one.
    pub fn open(sock: &SocketPaths) -> Result<Self, ConnectError> {
        Self::connect(sock, None)
    }

    /// Connects like [`Connection::open`], with `first` sent together with the handshake, so
    /// its answer comes one round trip sooner.
    pub fn open_sending(sock: &SocketPaths, first: &ClientMsg) -> Result<Self, ConnectError> {
        Self::connect(sock, Some(first))
    }

    fn connect(sock: &SocketPaths, first: Option<&ClientMsg>) -> Result<Self, ConnectError> {
        match UnixStream::connect(&sock.socket) {
            Ok(stream) => Self::handshake(stream, first).map_err(|e| {
                // A server that dies while we connect (a killed one's last threads still hold
                // its socket) resets or closes the connection: to the caller that is no server
                // at all, so it may start one.
                let reset = e.chain().any(|c| {
                    c.downcast_ref::<std::io::Error>().is_some_and(|io| {
                        matches!(
                            io.kind(),
                            ErrorKind::ConnectionReset
                                | ErrorKind::UnexpectedEof
                                | ErrorKind::BrokenPipe
                        )
                    })
                });
                if reset {
                    ConnectError::NoServer(sock.socket.display().to_string())
                } else {
                    ConnectError::Other(e)
                }
            }),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::ConnectionRefused) => {
                Err(ConnectError::NoServer(sock.socket.display().to_string()))
            }
            Err(e) => Err(ConnectError::Other(
                anyhow::Error::new(e).context(format!("connecting to {}", sock.socket.display())),
            )),
        }
    }

    /// Connects, starting a server first when none is running.
    pub fn open_or_start(sock: &SocketPaths) -> Result<Self> {
        Self::connect_or_start(sock, None)
    }

    /// [`Connection::open_or_start`] with `first` sent together with the handshake.
    pub fn open_or_start_sending(sock: &SocketPaths, first: &ClientMsg) -> Result<Self> {
        Self::connect_or_start(sock, Some(first))
    }

    fn connect_or_start(sock: &SocketPaths, first: Option<&ClientMsg>) -> Result<Self> {
        match Self::connect(sock, first) {
            Ok(c) => return Ok(c),
            Err(ConnectError::NoServer(_)) => {}
            Err(ConnectError::Other(e)) => return Err(e),
        }
        if let Some(dir) = sock.socket.parent() {
            paths::create_dir_private(dir)?;
        }
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&sock.start_lock)
            .with_context(|| format!("opening {}", sock.start_lock.display()))?;
        rustix::fs::flock(lock.as_fd(), rustix::fs::FlockOperation::LockExclusive)
            .context("waiting for the server start lock")?;
        // Someone may have started it while we waited for the lock.
        match Self::connect(sock, first) {
            Ok(c) => return Ok(c),
            Err(ConnectError::NoServer(_)) => {}
            Err(ConnectError::Other(e)) => return Err(e),
        }
        start_server(sock)?;
        drop(lock);
        Self::connect(sock, first)
            .map_err(|e| anyhow::anyhow!("{e} (it started but cannot be reached)"))
    }

    /// Sends our preamble (and `first`, in the same write) and checks the server's.
    fn handshake(mut stream: UnixStream, first: Option<&ClientMsg>) -> Result<Self> {
        // A server that refuses the connection sends its preamble and the reason, and closes
        // at once, possibly before ours is written: read what it said before giving up.
        let mut hello = codec::preamble().to_vec();
        if let Some(msg) = first {
            hello.extend_from_slice(&codec::encode(msg));
        }
        let sent = stream.write_all(&hello);
        let mut pre = [0u8; PREAMBLE_LEN];
        if let Err(e) = stream.read_exact(&mut pre) {
            sent.map_err(closed).context("sending the handshake")?;
            return Err(e).context("reading the server's handshake");
        }
        match codec::check_preamble(&pre) {
            Ok(()) => {}
            Err(CodecError::Version { ours, theirs }) => bail!(
                "the running server speaks protocol version {theirs} but this appmux speaks \
                 {ours}; stop the old server with `appmux kill-server` (its apps stop too)"
            ),
            Err(e) => return Err(e.into()),
        }
        let reader = BufReader::with_capacity(
            READ_BUFFER,
            stream.try_clone().context("cloning the socket")?,
        );
        let mut conn = Self {
            stream,
            reader,
            parts: Reassembly::default(),
        };
        if let Err(e) = sent {
            if let Ok(Some(ServerMsg::Error(why))) = conn.recv() {
                bail!("{why}");
            }
            return Err(closed(e)).context("sending the handshake");
        }
        Ok(conn)
    }

    /// Sends one message. When the server has closed the connection, the reason it gave first
    /// (a server short of descriptors refuses connections with one) is the error.
    pub fn send(&mut self, msg: &ClientMsg) -> Result<()> {
        let Err(e) = codec::write_msg(&mut self.stream, msg) else {
            return Ok(());
        };
        if let Ok(Some(ServerMsg::Error(why))) = self.recv() {
            bail!("{why}");
        }
        Err(closed(e)).context("sending to the server")
    }

    /// The next message this build understands, put back together when it came in parts;
    /// `None` when the server closed the connection.
    pub fn recv(&mut self) -> Result<Option<ServerMsg>> {
        loop {
            let Some(payload) = codec::read_frame(&mut self.reader)? else {
                return Ok(None);
            };
            if let Decoded::Message(m) = codec::decode::<ServerMsg>(&payload)?
                && let Some(m) = self.parts.push(m)?
            {
                return Ok(Some(m));
            }
        }
    }

    /// Sends one request and waits for its reply.
    pub fn request(&mut self, req: Request) -> Result<Reply> {
        self.send(&ClientMsg::Request(req))?;
        self.answer()
    }

    /// Waits for the reply to the request sent last.
    pub fn answer(&mut self) -> Result<Reply> {
        match self.recv()? {
            Some(ServerMsg::Reply(r)) => Ok(r),
            Some(ServerMsg::Error(e)) => Err(anyhow::Error::msg(e)),
            Some(other) => bail!("unexpected answer from the server: {other:?}"),
            None => bail!("the server closed the connection"),
        }
    }
}

/// A socket the server closed is not a closed stdout, which `main` takes a broken pipe for (and
/// exits quietly): name it for what it is.
fn closed(e: std::io::Error) -> anyhow::Error {
    if e.kind() == ErrorKind::BrokenPipe {
        // The cause stays in the chain: a caller tells a dying server by it.
        anyhow::Error::new(e).context("the server closed the connection")
    } else {
        e.into()
    }
}

/// A plain connection with no handshake, for the JSON control API (which has its own hello).
/// With `start`, a server is started first when none runs.
pub fn raw_stream(sock: &SocketPaths, start: bool) -> Result<UnixStream> {
    if start {
        // Starting goes through the binary handshake; the connection it opens is then dropped.
        drop(Connection::open_or_start(sock)?);
    }
    UnixStream::connect(&sock.socket).map_err(|e| match e.kind() {
        ErrorKind::NotFound | ErrorKind::ConnectionRefused => {
            anyhow::anyhow!("no server running on {}", sock.socket.display())
        }
        _ => anyhow::Error::new(e).context(format!("connecting to {}", sock.socket.display())),
    })
}

/// Re-executes this binary as a daemon server and waits until it says the socket is ready.
fn start_server(sock: &SocketPaths) -> Result<()> {
    // A server that cannot use the state dir could only say so in its log, which lives there.
    paths::ensure_state_dir()?;
    let exe = std::env::current_exe().context("finding the appmux executable")?;
    let mut cmd = Command::new(exe);
    cmd.arg("-S")
        .arg(&sock.socket)
        .args(["server", "--daemon"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // SAFETY: setsid is async-signal-safe and touches no memory of ours.
    unsafe {
        cmd.pre_exec(|| rustix::process::setsid().map(drop).map_err(Into::into));
    }
    let mut child = cmd.spawn().context("starting the server")?;
    let stdout = child.stdout.take().context("server stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .context("waiting for the server to start")?;
    if line.trim() == "ready" {
        // The server keeps running on its own; reap nothing now (it is not our child for long
        // enough to matter, and waiting would block until it exits).
        std::thread::spawn(move || child.wait());
        return Ok(());
    }
    let status = child.wait().context("waiting for the failed server")?;
    let log = paths::server_log(sock)
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    bail!("the server failed to start ({status}); see {log}")
}
