//! CPU and memory of each app's whole process tree, from sysinfo, sampled off the input and
//! render paths. A named thread owns the `sysinfo::System`; the state task asks for a sample
//! (one refresh for all apps) and gets the figures back as an event. The state task asks once
//! per interval while a client is attached, and when `ls` wants figures; otherwise never.
//!
//! An app's tree is every process in its PTY session: apps are session leaders, so their
//! children and grandchildren share the session id unless they deliberately left it.

use std::collections::HashMap;
use std::sync::mpsc as std_mpsc;

use anyhow::{Context, Result};
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};
use tokio::sync::mpsc;

/// Figures for one app.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    /// Percent of one CPU, summed over the tree (can exceed 100).
    pub cpu_percent: f32,
    /// Resident set size of the tree, in bytes.
    pub rss_bytes: u64,
}

/// A request: the apps (by id) and the pids of their session leaders.
pub type Request = Vec<(u64, u32)>;
/// A reply: figures per app id.
pub type Report = Vec<(u64, Usage)>;

/// The handle the state task keeps.
pub struct Sampler {
    tx: std_mpsc::Sender<Request>,
}

impl Sampler {
    /// Starts the sampling thread; reports arrive on `out`.
    pub fn spawn(out: mpsc::Sender<Report>) -> Result<Self> {
        let (tx, rx) = std_mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("metrics".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let mut system = System::new();
                while let Ok(mut req) = rx.recv() {
                    // Requests that piled up are answered by one refresh.
                    while let Ok(newer) = rx.try_recv() {
                        req = newer;
                    }
                    let report = sample(&mut system, &req);
                    if out.blocking_send(report).is_err() {
                        return;
                    }
                }
            })
            .context("spawning the metrics thread")?;
        Ok(Self { tx })
    }

    /// Asks for one sample; the answer comes back as a [`Report`].
    pub fn request(&self, req: Request) {
        let _ = self.tx.send(req);
    }
}

fn sample(system: &mut System, req: &Request) -> Report {
    system.refresh_processes_specifics(
        ProcessesToUpdate::All,
        true,
        ProcessRefreshKind::nothing().with_cpu().with_memory(),
    );
    let wanted: HashMap<u32, u64> = req.iter().map(|(app, pid)| (*pid, *app)).collect();
    let mut totals: HashMap<u64, Usage> = HashMap::new();
    for (pid, process) in system.processes() {
        if process.thread_kind().is_some() {
            continue;
        }
        let sid = if wanted.contains_key(&pid.as_u32()) {
            Some(pid.as_u32())
        } else {
            process.session_id().map(Pid::as_u32)
        };
        let Some(app) = sid.and_then(|s| wanted.get(&s)) else {
            continue;
        };
        let u = totals.entry(*app).or_default();
        u.cpu_percent += process.cpu_usage();
        u.rss_bytes += process.memory();
    }
    req.iter()
        .map(|(app, _)| (*app, totals.get(app).copied().unwrap_or_default()))
        .collect()
}

/// `12.3M`-style memory for narrow columns.
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "K", "M", "G", "T"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 || v >= 100.0 {
        format!("{v:.0}{}", UNITS[i])
    } else {
        format!("{v:.1}{}", UNITS[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_is_short() {
        assert_eq!(human_bytes(512), "512B");
        assert_eq!(human_bytes(1536), "1.5K");
        assert_eq!(human_bytes(250 * 1024 * 1024), "250M");
    }

    #[test]
    fn a_tree_is_everything_in_the_session() {
        // `setsid` gives the shell a session of its own (its pid is the session id), as an
        // app's PTY does; the test's own session may be 0 inside a container.
        let mut child = std::process::Command::new("setsid")
            .args(["sh", "-c", "sleep 30 & exec sleep 30"])
            .spawn()
            .unwrap();
        let sid = child.id();
        let mut system = System::new();
        // Poll until the background sleep exists: the tree then holds more than the leader.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let found = loop {
            let report = sample(&mut system, &vec![(7, sid)]);
            let tree = report.iter().find(|(a, _)| *a == 7).unwrap().1;
            let leader = system.process(Pid::from_u32(sid)).map_or(0, |p| p.memory());
            if leader > 0 && tree.rss_bytes > leader {
                break true;
            }
            if std::time::Instant::now() > deadline {
                break false;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let _ = rustix::process::kill_process_group(
            rustix::process::Pid::from_raw(sid as i32).unwrap(),
            rustix::process::Signal::KILL,
        );
        let _ = child.wait();
        assert!(found, "the session's other processes were not counted");
    }
}
