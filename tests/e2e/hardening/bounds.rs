//! Bounds on what one app or one connection can make the server hold: queues toward a PTY,
//! partial frames and client sizes, replies larger than a frame, idle connections and file
//! descriptors. Memory is the server's VmRSS from /proc, CPU its ticks from /proc/PID/stat.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::process::{Child, Output};
use std::time::{Duration, Instant};

use appmux::protocol::codec::{self, MAX_FRAME};
use appmux::protocol::{AttachRequest, ClientMsg, Decoded, ServerMsg, TermInfo};
use appmux::size::Size;
use serde_json::json;

use crate::harness::*;

const MIB: u64 = 1024 * 1024;

/// The resident memory of `pid`, in bytes (VmRSS).
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmRSS");
    kib * 1024
}

/// User plus system CPU time of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    let fields: Vec<u64> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15; the slice starts at field 3.
    fields[11] + fields[12]
}

/// The names of the server's threads that start with `prefix`.
fn threads(pid: u32, prefix: &str) -> Vec<String> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|dir| {
            dir.filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
                .map(|c| c.trim().to_owned())
                .filter(|c| c.starts_with(prefix))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs a command and gives it `limit` to finish; `None` (and the command killed) if it does
/// not.
fn output_within(mut child: Child, limit: Duration) -> Option<Output> {
    let deadline = Instant::now() + limit;
    loop {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn queues_toward_an_app_that_never_reads_stay_bounded_and_end_with_it() {
    let env = Env::new();
    // Raw mode: the terminal takes no more input than its buffer holds.
    let deaf = "stty raw -echo; echo deaf; exec sleep 1000";
    env.ok(&["new", "-d", "-s", "deaf", "--", "sh", "-c", deaf]);
    env.wait_capture("deaf", "deaf");
    let server = env.server_pid().unwrap();
    let before = rss(server);

    // A full-screen app (raw mode, no echo) that prints ~20 MB of terminal queries, about 55 MB
    // of replies, and never reads them. The last query is cut short: BEL ends it.
    let flood = concat!(
        r#"stty raw -echo; q=$(printf '\033]11;?\007\033[c\033[6n'); "#,
        r#"yes "$q" | head -c 20000000; printf '\007\r\n'; echo flood-done; exec sleep 1000"#
    );
    env.ok(&["new", "-d", "-s", "queries", "--", "sh", "-c", flood]);
    env.wait_capture("queries", "flood-done");
    let grown = rss(server).saturating_sub(before);
    assert!(
        grown < 32 * MIB,
        "unread replies grew the server by {grown} bytes"
    );

    // Keys for an app that does not read: refused with a clear error once the bound is reached.
    let mut api = Api::connect(&env);
    api.hello();
    let chunk = "k".repeat(60_000);
    let keys: Vec<&str> = vec![&chunk; 16];
    let mut refused = None;
    for i in 0..120 {
        let r = api.cmd(
            "1",
            "panes.send-keys",
            json!({"target": "deaf", "keys": keys, "literal": true}),
        );
        if r.get("error").is_some() {
            refused = Some((i, r));
            break;
        }
    }
    let (sent, reply) = refused.expect("120 MB of keys for an app that never reads were queued");
    let message = reply["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("not reading"), "{reply}");
    assert!(sent > 0, "the first keys were refused: {reply}");
    let mut args = vec!["send-keys", "-t", "deaf", "-l"];
    args.extend(&keys);
    let cli = env.run(&args);
    assert!(!cli.status.success(), "send-keys succeeded past the bound");
    assert!(
        String::from_utf8_lossy(&cli.stderr).contains("not reading"),
        "{cli:?}"
    );
    let grown = rss(server).saturating_sub(before);
    assert!(
        grown < 48 * MIB,
        "unread keys grew the server by {grown} bytes"
    );

    // Once the app stops, its queue goes and its writer thread ends (rather than spinning).
    assert_eq!(threads(server, "pty-write").len(), 2);
    env.ok(&["stop", "all", "-t", "deaf"]);
    wait_until("the stopped app's writer thread to end", || {
        (threads(server, "pty-write").len() == 1).then_some(())
    });
    // Typing into the other app still works.
    env.ok(&["send-keys", "-t", "queries", "x"]);
}

#[test]
fn a_half_sent_frame_times_out_and_a_huge_client_costs_what_a_sane_one_does() {
    let env = Env::new();
    env.ok(&["new", "-d", "-s", "s", "--", "sleep", "1000"]);
    let server = env.server_pid().unwrap();

    // A frame header announcing a megabyte, a few bytes of it, then silence.
    let mut s = raw_socket(&env.socket());
    s.write_all(&codec::preamble()).unwrap();
    s.write_all(&(MIB as u32).to_be_bytes()).unwrap();
    s.write_all(&[0u8; 100]).unwrap();
    // Meanwhile everything else goes on.
    env.ok(&["ls"]);
    assert_closed(s, "a half-sent frame");

    // A client that claims a 60000x60000 terminal.
    let before = rss(server);
    let mut s = raw_socket(&env.socket());
    s.write_all(&codec::preamble()).unwrap();
    let mut pre = [0u8; codec::PREAMBLE_LEN];
    s.read_exact(&mut pre).unwrap();
    let attach = AttachRequest {
        target: Some("s".into()),
        size: Size {
            cols: 60000,
            rows: 60000,
        },
        read_only: true,
        term: TermInfo::default(),
        create: None,
        only_new: false,
    };
    s.write_all(&codec::encode(&ClientMsg::Attach(attach)))
        .unwrap();
    let mut outputs = 0;
    while outputs == 0 {
        let payload = codec::read_frame(&mut s).unwrap().expect("a frame");
        match codec::decode::<ServerMsg>(&payload).unwrap() {
            Decoded::Message(ServerMsg::Output(_)) => outputs += 1,
            Decoded::Message(ServerMsg::Error(e)) => panic!("attach failed: {e}"),
            _ => {}
        }
    }
    let grown = rss(server).saturating_sub(before);
    assert!(grown < 64 * MIB, "one huge client costs {grown} bytes");
    drop(s);
    env.ok(&["ls"]);
}

/// `text` without its CSI sequences.
fn strip_csi(text: &str) -> String {
    let mut out = String::with_capacity(text.len() / 8);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // ESC [ parameters, then a final byte in @..~.
            chars.by_ref().skip(1).find(|c| ('@'..='~').contains(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn a_capture_larger_than_a_frame_arrives_whole() {
    let env = Env::new();
    // 3000 lines of 190 cells, each with its own true colours: over 16 MiB as ANSI text.
    let script = r#"
import sys, time
out = sys.stdout.buffer
for i in range(3000):
    cells = "".join(
        "\x1b[38;2;%d;%d;%d;48;2;%d;%d;%dm#" % ((i + c) % 256, c % 256, (3 * c) % 256,
                                            c % 256, (5 * i) % 256, (7 * c) % 256)
        for c in range(190))
    out.write(("%s\x1b[m %d\r\n" % (cells, i)).encode())
out.write(b"capture-ready\r\n")
out.flush()
time.sleep(1000)
"#;
    env.ok(&[
        "new", "-d", "-s", "big", "-x", "200", "-y", "40", "--", "python3", "-c", script,
    ]);
    env.wait_capture("big", "capture-ready");
    let out = env.run(&["capture", "-t", "big", "--ansi", "--scrollback"]);
    assert!(
        out.status.success(),
        "capture failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.len() > MAX_FRAME,
        "the capture is only {} bytes; the test needs more than a frame",
        out.stdout.len()
    );
    let text = strip_csi(&String::from_utf8_lossy(&out.stdout));
    let cells = "#".repeat(190);
    let numbered: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix(cells.as_str()))
        .collect();
    let want: Vec<String> = (0..3000).map(|i| format!(" {i}")).collect();
    assert!(numbered == want, "lines lost or out of order");
    assert!(text.contains("capture-ready"));
    // The server is fine afterwards.
    env.ok(&["ls"]);
}

#[test]
fn idle_connections_cannot_exhaust_descriptors_or_spin_the_server() {
    let env = Env::new();
    // Other processes on the machine: a sampler that holds their /proc files would run out.
    let _crowd = Crowd(
        (0..80)
            .map(|_| {
                std::process::Command::new("sleep")
                    .arg("1000")
                    .spawn()
                    .unwrap()
            })
            .collect(),
    );
    let mut start = env.cmd(&[
        "new",
        "-d",
        "-s",
        "s",
        "--",
        "sh",
        "-c",
        "echo up; exec sleep 1000",
    ]);
    // SAFETY: setrlimit is async-signal-safe; the server inherits the limit from this client.
    unsafe {
        use std::os::unix::process::CommandExt;
        start.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 128,
                rlim_max: 128,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = start.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let server = env.server_pid().unwrap();
    env.wait_capture("s", "up");

    // `ls` samples the apps' CPU and memory: only the app's processes are looked at.
    env.ok(&["ls"]);
    let proc_files = std::fs::read_dir(format!("/proc/{server}/fd"))
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|l| l.starts_with("/proc"))
        .count();
    assert!(
        proc_files < 8,
        "the sampler holds {proc_files} files in /proc"
    );

    // More idle connections than the server has descriptors for.
    let idle: Vec<UnixStream> = (0..150)
        .map(|_| UnixStream::connect(env.socket()).unwrap())
        .collect();
    // Meanwhile a command either gets through or is told why not.
    let busy = env.run(&["ls"]);
    assert!(
        (busy.status.success() && !busy.stdout.is_empty())
            || String::from_utf8_lossy(&busy.stderr).contains("refusing connections"),
        "{busy:?}"
    );
    let ticks = cpu_ticks(server);
    // Every one of them is dropped (refused, or timed out without a handshake).
    for s in idle {
        assert_closed(s, "an idle connection");
    }
    let spent = cpu_ticks(server) - ticks;
    assert!(
        spent < 100,
        "the server spent {spent} ticks on idle connections"
    );

    // The server answers, and its app can still be restarted (it gets descriptors).
    let ls = env
        .cmd(&["ls"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let ls = output_within(ls, timeout()).expect("ls hung");
    assert!(ls.status.success(), "{ls:?}");
    let pid = env.app("s", None).unwrap()["pid"].as_u64();
    env.ok(&["restart", "all", "-t", "s"]);
    wait_until("the app to run again", || {
        let app = env.app("s", None)?;
        (app["state"] == "running" && app["pid"].as_u64() != pid).then_some(())
    });
    let log = std::fs::read_dir(env.path("state").join("appmux"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("server") && name.ends_with(".log")
        })
        .map(|e| e.metadata().unwrap().len())
        .sum::<u64>();
    assert!(log < 256 * 1024, "the server log grew to {log} bytes");
}

/// Processes a test started, ended however the test ends.
struct Crowd(Vec<Child>);

impl Drop for Crowd {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
