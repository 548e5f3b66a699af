//! Runs probe attempts that apps hand out as [`ProbeJob`]s: each is a task on the server's own
//! runtime (no thread per app), bounded by its timeout, whose result comes back to the loop as
//! an [`Event::Probe`]. HTTP probes are plain HTTP/1.1 GETs that read only the status line; TCP
//! probes connect; exec probes run in the app's directory with its environment, in a process
//! group of their own that is killed whole at the timeout and reaped by the runtime.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use crate::app::model::ProbeJob;
use crate::app::probe::{Outcome, ProbeKind, http};
use crate::command::CommandSpec;
use crate::server::Event;

/// A finished attempt, on its way back to the app that asked for it.
#[derive(Debug)]
pub struct ProbeDone {
    pub job: ProbeJob,
    pub outcome: Outcome,
}

/// Starts one attempt. The result is sent when it is in, or when its timeout passes.
pub fn spawn(job: ProbeJob, events: mpsc::Sender<Event>) {
    tokio::spawn(async move {
        let outcome = attempt(&job).await;
        let _ = events
            .send(Event::Probe(Box::new(ProbeDone { job, outcome })))
            .await;
    });
}

async fn attempt(job: &ProbeJob) -> Outcome {
    let limit = job.timeout;
    let run = async {
        match &job.kind {
            ProbeKind::Http { host, port, path } => http_get(host, *port, path).await,
            ProbeKind::Tcp { host, port } => tcp_connect(host, *port).await,
            // Log probes read the output as it is fed; they never become jobs.
            ProbeKind::Exec(_) | ProbeKind::Log(_) => Ok(Outcome::Ok),
        }
        .unwrap_or_else(|e| Outcome::Fail(e.to_string()))
    };
    if let ProbeKind::Exec(command) = &job.kind {
        return exec(command, job, limit).await;
    }
    tokio::time::timeout(limit, run)
        .await
        .unwrap_or_else(|_| timed_out(limit))
}

fn timed_out(limit: Duration) -> Outcome {
    Outcome::Fail(format!(
        "timed out after {}",
        crate::config::units::format_duration(limit)
    ))
}

async fn tcp_connect(host: &str, port: u16) -> std::io::Result<Outcome> {
    TcpStream::connect((host, port)).await?;
    Ok(Outcome::Ok)
}

async fn http_get(host: &str, port: u16, path: &str) -> std::io::Result<Outcome> {
    let mut stream = TcpStream::connect((host, port)).await?;
    stream.write_all(&http::request(host, port, path)).await?;
    let mut head = Vec::with_capacity(128);
    let mut buf = [0u8; 256];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            let why = if head.is_empty() {
                "the connection closed without a response".to_owned()
            } else {
                "the response ended inside its status line".to_owned()
            };
            return Ok(Outcome::Fail(why));
        }
        head.extend_from_slice(&buf[..n]);
        match http::parse_status_line(&head) {
            Ok(Some(code)) => return Ok(http::outcome(code)),
            Ok(None) if head.len() < http::MAX_STATUS_LINE => {}
            Ok(None) => return Ok(Outcome::Fail("no status line in the response".into())),
            Err(e) => return Ok(Outcome::Fail(e.to_string())),
        }
    }
}

/// Runs the command; at the timeout its whole process group is killed (the child handle's
/// drop kills the leader too, and the runtime reaps it).
async fn exec(command: &CommandSpec, job: &ProbeJob, limit: Duration) -> Outcome {
    let argv = command.argv();
    let Some((program, args)) = argv.split_first() else {
        return Outcome::Fail("the command is empty".into());
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .current_dir(&job.cwd)
        .env_clear()
        .envs(job.env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Outcome::Fail(format!("`{program}`: command not found"));
        }
        Err(e) => return Outcome::Fail(format!("`{program}`: {e}")),
    };
    let pid = child.id();
    match tokio::time::timeout(limit, child.wait()).await {
        Ok(Ok(status)) if status.success() => Outcome::Ok,
        Ok(Ok(status)) => Outcome::Fail(match status.code() {
            Some(code) => format!("exited with code {code}"),
            None => "killed by a signal".to_owned(),
        }),
        Ok(Err(e)) => Outcome::Fail(e.to_string()),
        Err(_) => {
            if let Some(pgid) = pid.and_then(|p| rustix::process::Pid::from_raw(p as i32)) {
                let _ = rustix::process::kill_process_group(pgid, rustix::process::Signal::KILL);
            }
            timed_out(limit)
        }
    }
}
