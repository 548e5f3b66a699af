//! The end-to-end harness: every test gets its own XDG dirs (so its own server and socket), runs
//! the real binary, attaches real clients inside PTYs that the test creates, and reads their
//! screens through a vt100 parser. Waiting is always `wait_until` with a generous timeout that
//! `APPMUX_TEST_TIMEOUT` (seconds) can raise on slow machines; nothing sleeps a fixed time.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};

pub const BIN: &str = env!("CARGO_BIN_EXE_appmux");

pub fn timeout() -> Duration {
    let secs = std::env::var("APPMUX_TEST_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    Duration::from_secs(secs)
}

/// Polls `f` until it returns `Some`, panicking with `what` after the timeout.
pub fn wait_until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout();
    loop {
        if let Some(v) = f() {
            return v;
        }
        if Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One isolated appmux world.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Default for Env {
    fn default() -> Self {
        Self::new()
    }
}

impl Env {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("appmux-e2e-")
            .tempdir()
            .expect("tempdir");
        for sub in ["run", "state", "config", "home"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        std::fs::set_permissions(
            dir.path().join("run"),
            std::fs::Permissions::from_mode(0o700),
        )
        .unwrap();
        Self { dir }
    }

    pub fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    /// The variables that isolate this world, plus a predictable shell.
    pub fn vars(&self) -> Vec<(String, String)> {
        vec![
            (
                "XDG_RUNTIME_DIR".into(),
                self.path("run").display().to_string(),
            ),
            (
                "XDG_STATE_HOME".into(),
                self.path("state").display().to_string(),
            ),
            (
                "XDG_CONFIG_HOME".into(),
                self.path("config").display().to_string(),
            ),
            ("HOME".into(), self.path("home").display().to_string()),
            ("SHELL".into(), "/bin/sh".into()),
            ("PS1".into(), "sh$ ".into()),
            ("ENV".into(), String::new()),
            ("TERM".into(), "xterm-256color".into()),
            ("LANG".into(), "C.UTF-8".into()),
            ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
        ]
    }

    /// Writes the user's config.toml (read by the server when it starts).
    pub fn write_config(&self, text: &str) {
        let dir = self.path("config").join("appmux");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.toml"), text).unwrap();
    }

    pub fn socket(&self) -> PathBuf {
        self.path("run").join("appmux").join("default")
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args)
            .env_clear()
            .envs(self.vars())
            .current_dir(self.path("home"))
            .stdin(Stdio::null());
        c
    }

    /// Runs appmux with no terminal at all and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("running appmux")
    }

    /// Runs appmux and insists that it succeeded; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "appmux {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn ls_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["ls", "--json"])).expect("ls --json is JSON")
    }

    /// The JSON of one app (`session`, first app unless named).
    pub fn app(&self, session: &str, app: Option<&str>) -> Option<serde_json::Value> {
        let ls = self.ls_json();
        let s = ls["sessions"]
            .as_array()?
            .iter()
            .find(|s| s["name"] == session)?
            .clone();
        let apps = s["apps"].as_array()?.clone();
        match app {
            Some(name) => apps.into_iter().find(|a| a["name"] == name),
            None => apps.into_iter().next(),
        }
    }

    pub fn capture(&self, target: &str) -> String {
        self.ok(&["capture", "-t", target])
    }

    /// Waits until the app's screen contains `needle`; returns the screen.
    pub fn wait_capture(&self, target: &str, needle: &str) -> String {
        wait_until(&format!("`{needle}` in the screen of {target}"), || {
            let out = self.run(&["capture", "-t", target]);
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.contains(needle).then_some(text)
        })
    }

    pub fn server_pid(&self) -> Option<u32> {
        let out = self.run(&["ls", "--json"]);
        if !out.status.success() {
            return None;
        }
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
        v["server_pid"].as_u64().map(|p| p as u32)
    }

    /// Attaches a client in a new PTY of the given size, running `appmux ARGS`.
    pub fn attach(&self, args: &[&str], cols: u16, rows: u16) -> Term {
        Term::spawn(self, args, &self.path("home"), cols, rows)
    }

    /// Like [`Env::attach`], from another working directory (a project's).
    pub fn attach_in(&self, dir: &Path, args: &[&str], cols: u16, rows: u16) -> Term {
        Term::spawn(self, args, dir, cols, rows)
    }

    /// Runs appmux in `dir` with no terminal.
    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Output {
        self.cmd(args)
            .current_dir(dir)
            .output()
            .expect("running appmux")
    }

    /// Writes a project directory with an appmux.toml; returns the directory.
    pub fn project(&self, name: &str, toml: &str) -> PathBuf {
        let dir = self.path(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("appmux.toml"), toml).unwrap();
        dir
    }

    /// The pids of every live process in the PTY session of `pid` (an app's tree).
    pub fn tree(pid: u32) -> Vec<u32> {
        std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|p| {
                std::fs::read_to_string(format!("/proc/{p}/stat"))
                    .ok()
                    .and_then(|st| {
                        let f: Vec<String> = st
                            .rsplit(')')
                            .next()?
                            .split_whitespace()
                            .map(String::from)
                            .collect();
                        Some(f.get(3)? == &pid.to_string() && f.first()? != "Z")
                    })
                    .unwrap_or(false)
            })
            .collect()
    }

    pub fn log_file(&self, session: &str, app: &str) -> PathBuf {
        self.path("state")
            .join("appmux/logs")
            .join(session)
            .join(format!("{app}.log"))
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(pid) = self.server_pid() {
            let _ = self.run(&["kill-server"]);
            wait_gone(pid, Duration::from_secs(10));
            kill(pid, libc::SIGKILL);
        }
    }
}

pub fn kill(pid: u32, sig: i32) {
    unsafe {
        libc::kill(pid as i32, sig);
    }
}

pub fn alive(pid: u32) -> bool {
    // A zombie counts as gone.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat
                .rsplit(')')
                .next()
                .and_then(|r| r.split_whitespace().next());
            state != Some("Z")
        }
        Err(_) => false,
    }
}

pub fn wait_gone(pid: u32, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// A real client in a real PTY, its output parsed by vt100.
pub struct Term {
    pub parser: Arc<Mutex<vt100::Parser>>,
    /// Every byte the client wrote, for checks on raw sequences.
    pub raw: Arc<Mutex<Vec<u8>>>,
    pub master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    done: Arc<Mutex<bool>>,
}

impl Term {
    fn spawn(env: &Env, args: &[&str], cwd: &Path, cols: u16, rows: u16) -> Term {
        Term::spawn_program(env, BIN, args, cwd, cols, rows)
    }

    /// Any program (ssh, say) in a new PTY with the world's environment.
    pub fn spawn_program(
        env: &Env,
        program: &str,
        args: &[&str],
        cwd: &Path,
        cols: u16,
        rows: u16,
    ) -> Term {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env_clear();
        for (k, v) in env.vars() {
            cmd.env(k, v);
        }
        cmd.cwd(cwd);
        let child = pair.slave.spawn_command(cmd).expect("spawn client");
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(rows).unwrap(),
            std::num::NonZeroU16::new(cols).unwrap(),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let done = Arc::new(Mutex::new(false));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (p, r, d) = (parser.clone(), raw.clone(), done.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        p.lock().unwrap().process(&buf[..n]);
                        r.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                }
            }
            *d.lock().unwrap() = true;
        });
        let writer = pair.master.take_writer().unwrap();
        Term {
            parser,
            raw,
            master: pair.master,
            writer,
            child,
            done,
        }
    }

    pub fn contents(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Row `i` of the client's screen.
    pub fn row(&self, i: u16) -> String {
        let p = self.parser.lock().unwrap();
        let (_, cols) = p.screen().size();
        p.screen()
            .rows(0, cols.get())
            .nth(i as usize)
            .unwrap_or_default()
    }

    pub fn last_row(&self) -> String {
        let rows = self.parser.lock().unwrap().screen().size().0.get();
        self.row(rows - 1)
    }

    pub fn wait_for(&self, needle: &str) -> String {
        wait_until(&format!("`{needle}` on the client's screen"), || {
            let c = self.contents();
            c.contains(needle).then_some(c)
        })
    }

    pub fn wait_for_fn(&self, what: &str, f: impl Fn(&vt100::Screen) -> bool) {
        wait_until(what, || {
            f(self.parser.lock().unwrap().screen()).then_some(())
        })
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    pub fn type_str(&mut self, s: &str) {
        self.send(s.as_bytes());
    }

    /// Resizes the client's terminal (the client gets SIGWINCH) and its parser.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        self.parser.lock().unwrap().set_size(
            std::num::NonZeroU16::new(rows).unwrap(),
            std::num::NonZeroU16::new(cols).unwrap(),
        );
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().unwrap()
    }

    /// Waits for the client to exit and returns its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let child = &mut self.child;
        wait_until("the client to exit", || child.try_wait().unwrap()).exit_code()
    }

    /// Waits until the client's output has reached EOF (it exited and the PTY drained).
    pub fn wait_eof(&self) {
        wait_until("the client's output to end", || {
            (*self.done.lock().unwrap()).then_some(())
        });
    }

    /// The termios of the client's terminal, as the program in it left them.
    pub fn termios(&self) -> rustix::termios::Termios {
        let fd = self.master.as_raw_fd().expect("master fd");
        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        rustix::termios::tcgetattr(fd).expect("tcgetattr")
    }

    pub fn raw_output(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Connects to the server socket raw, without the appmux client.
pub fn raw_socket(path: &Path) -> std::os::unix::net::UnixStream {
    let s = std::os::unix::net::UnixStream::connect(path).expect("connect to the socket");
    s.set_read_timeout(Some(timeout())).unwrap();
    s
}

/// Every process whose command line mentions `needle`.
pub fn processes_matching(needle: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains(needle))
                .unwrap_or(false)
                && alive(*pid)
        })
        .collect()
}

/// A plain JSON-lines client on the server socket.
pub struct Api {
    pub reader: std::io::BufReader<std::os::unix::net::UnixStream>,
    pub writer: std::os::unix::net::UnixStream,
}

impl Api {
    pub fn connect(env: &Env) -> Api {
        let s = raw_socket(&env.socket());
        Api {
            writer: s.try_clone().unwrap(),
            reader: std::io::BufReader::new(s),
        }
    }

    /// Exchanges the hello.
    pub fn hello(&mut self) {
        self.send(&serde_json::json!({"type": "hello", "version": 1}));
        assert_eq!(self.recv()["type"], "hello");
    }

    pub fn send(&mut self, v: &serde_json::Value) {
        self.send_text(&v.to_string());
    }

    pub fn send_text(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).unwrap();
        self.writer.write_all(b"\n").unwrap();
    }

    pub fn recv(&mut self) -> serde_json::Value {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut self.reader, &mut line).expect("a line from the server");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"))
    }

    pub fn cmd(&mut self, id: &str, action: &str, args: serde_json::Value) -> serde_json::Value {
        self.send(&serde_json::json!({"type": "cmd", "id": id, "action": action, "args": args}));
        loop {
            let v = self.recv();
            if v["type"] == "response" && v["id"] == id {
                return v;
            }
        }
    }
}

/// Reads until the server closes the connection; panics when it does not within the timeout.
pub fn assert_closed(mut s: std::os::unix::net::UnixStream, what: &str) {
    s.set_read_timeout(Some(timeout())).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return,
            Err(e) => panic!("the server kept {what}: {e}"),
        }
    }
}
