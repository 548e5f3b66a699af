//! CPU and memory of each app's whole process tree, from sysinfo, sampled off the input and
//! render paths. A named thread owns the `sysinfo::System`; the state task asks for a sample
//! (one refresh for all apps) and gets the figures back as an event. The state task asks once
//! per interval while a client is attached, and when `ls` wants figures; apps with a memory
//! limit are sampled on their own, attached or not; otherwise never.
//!
//! An app's tree is every process in its PTY session: apps are session leaders, so their
//! children and grandchildren share the session id unless they deliberately left it.
//!
//! Only those processes are refreshed, and sysinfo is told to keep no files open: left to
//! itself it refreshes every process on the machine and keeps each one's /proc stat file open,
//! up to half the descriptor limit, which a server needs for its connections and apps.

use std::collections::HashMap;
use std::sync::mpsc as std_mpsc;

use anyhow::{Context, Result};
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};
use tokio::sync::mpsc;

use crate::pane::process::proc_session;

/// Figures for one app.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    /// Percent of one CPU, summed over the tree (can exceed 100).
    pub cpu_percent: f32,
    /// Resident set size of the tree, in bytes.
    pub rss_bytes: u64,
}

/// A request: the apps (by id) and the pids of their session leaders.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    pub apps: Vec<(u64, u32)>,
    /// Every app with a process is in it (for clients and `ls`), not only the ones with a
    /// memory limit.
    pub full: bool,
}

impl Request {
    /// One request for what both ask: the apps of either, full if either is.
    fn merge(mut self, newer: Request) -> Request {
        for (app, pid) in newer.apps {
            match self.apps.iter_mut().find(|(a, _)| *a == app) {
                Some(entry) => entry.1 = pid,
                None => self.apps.push((app, pid)),
            }
        }
        self.full |= newer.full;
        self
    }
}

/// A reply: figures per app id, and whether the request was a full one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub usage: Vec<(u64, Usage)>,
    pub full: bool,
}

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
                sysinfo::set_open_files_limit(0);
                let mut probe = Probe::default();
                while let Ok(mut req) = rx.recv() {
                    // Requests that piled up are answered by one refresh that covers them all.
                    while let Ok(newer) = rx.try_recv() {
                        req = req.merge(newer);
                    }
                    let report = Report {
                        usage: probe.sample(&req.apps),
                        full: req.full,
                    };
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

/// sysinfo's view of the apps' processes, refreshed one sample at a time.
#[derive(Default)]
struct Probe {
    system: System,
    /// The processes of the last sample: refreshed again so that the ones gone since leave
    /// sysinfo's table instead of staying in it forever.
    seen: Vec<Pid>,
}

impl Probe {
    fn sample(&mut self, req: &[(u64, u32)]) -> Vec<(u64, Usage)> {
        let trees = tree_members(req);
        let mut refresh: Vec<Pid> = trees.keys().map(|p| Pid::from_u32(*p)).collect();
        let seen = std::mem::replace(&mut self.seen, refresh.clone());
        refresh.extend(seen);
        refresh.sort_unstable();
        refresh.dedup();
        self.system.refresh_processes_specifics(
            ProcessesToUpdate::Some(&refresh),
            true,
            ProcessRefreshKind::nothing().with_cpu().with_memory(),
        );
        let mut totals: HashMap<u64, Usage> = HashMap::new();
        for (pid, app) in &trees {
            let Some(process) = self.system.process(Pid::from_u32(*pid)) else {
                continue;
            };
            if process.thread_kind().is_some() {
                continue;
            }
            let u = totals.entry(*app).or_default();
            u.cpu_percent += process.cpu_usage();
            u.rss_bytes += process.memory();
        }
        req.iter()
            .map(|(app, _)| (*app, totals.get(app).copied().unwrap_or_default()))
            .collect()
    }
}

/// Every process in the apps' sessions, with the app it belongs to. Each /proc/PID/stat is
/// read and closed at once.
fn tree_members(req: &[(u64, u32)]) -> HashMap<u32, u64> {
    let leaders: HashMap<u32, u64> = req.iter().map(|(app, pid)| (*pid, *app)).collect();
    let mut members = leaders.clone();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return members;
    };
    for pid in dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok()) {
        if let Some(app) = proc_session(pid).and_then(|sid| leaders.get(&sid)) {
            members.insert(pid, *app);
        }
    }
    members
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
    fn piled_up_requests_merge() {
        let limited = Request {
            apps: vec![(1, 100)],
            full: false,
        };
        let full = Request {
            apps: vec![(1, 101), (2, 200)],
            full: true,
        };
        let merged = limited.clone().merge(full);
        assert_eq!(merged.apps, vec![(1, 101), (2, 200)]);
        assert!(merged.full);
        let again = merged.merge(limited);
        assert!(again.full, "a full request stays full");
    }

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
        let mut probe = Probe::default();
        // Poll until the background sleep exists: the tree then holds more than the leader.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let found = loop {
            let report = probe.sample(&[(7, sid)]);
            let tree = report.iter().find(|(a, _)| *a == 7).unwrap().1;
            let leader = probe
                .system
                .process(Pid::from_u32(sid))
                .map_or(0, |p| p.memory());
            // Only the session's processes are looked at, not every process on the machine.
            assert!(probe.system.processes().len() <= 2);
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
