//! An app's process tree read from /proc: the leader and its descendants, found through each
//! thread's `children` file, and their CPU time and resident memory from `/proc/PID/stat`. Only
//! the apps' own processes are read, never the rest of the machine, and every file is closed
//! at once. CPU is the time a process used between two samples over the time between them.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::Usage;

/// The most processes counted in one app's tree: a fork bomb is not walked to the end.
const MAX_TREE: usize = 4096;
/// An app not sampled for this long loses its CPU history (it left every order, or is gone).
const FORGET_AFTER: Duration = Duration::from_secs(2 * 3600);

/// What one /proc/PID/stat says that a sample needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// When the process started, in clock ticks after boot: tells a reused pid from the old.
    pub start: u64,
    /// User plus system CPU time so far, in clock ticks.
    pub ticks: u64,
    /// Resident pages.
    pub rss_pages: u64,
    pub threads: u64,
}

/// Parses the text of /proc/PID/stat. The command name may hold spaces and parentheses, so
/// the fields are counted from after its last `)`.
pub fn parse_stat(text: &str) -> Option<Stat> {
    let rest = &text[text.rfind(')')? + 1..];
    // Counted from the state, which is field 3 of the file.
    let f: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| f.get(n - 3)?.parse::<u64>().ok();
    Some(Stat {
        ticks: field(14)?.saturating_add(field(15)?),
        threads: field(20)?,
        start: field(22)?,
        rss_pages: field(24)?,
    })
}

fn read_stat(pid: u32) -> Option<Stat> {
    parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// The direct children of `pid`: those of each of its threads (a child forked by another
/// thread is listed under that thread). A single thread is read without listing the tasks.
fn children(pid: u32, threads: u64, out: &mut Vec<u32>) {
    let mut read = |path: &std::path::Path| {
        if let Ok(text) = std::fs::read_to_string(path) {
            out.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<u32>().ok()),
            );
        }
    };
    if threads <= 1 {
        return read(std::path::Path::new(&format!(
            "/proc/{pid}/task/{pid}/children"
        )));
    }
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return;
    };
    for task in tasks.filter_map(|e| e.ok()) {
        read(&task.path().join("children"));
    }
}

/// `leader` and its descendants with their stats, leader first; a process gone while it was
/// read is left out.
pub fn tree(leader: u32) -> Vec<(u32, Stat)> {
    let mut pids = vec![leader];
    let mut out = Vec::new();
    let mut next = 0;
    while next < pids.len() && out.len() < MAX_TREE {
        let pid = pids[next];
        next += 1;
        let Some(stat) = read_stat(pid) else {
            continue;
        };
        out.push((pid, stat));
        children(pid, stat.threads, &mut pids);
    }
    out
}

/// The CPU time a process had at its last sample.
#[derive(Debug, Clone, Copy)]
struct Seen {
    start: u64,
    ticks: u64,
}

/// One app's last sample: its processes' CPU times, and when.
#[derive(Debug, Default)]
struct AppHistory {
    at: Option<Instant>,
    seen: HashMap<u32, Seen>,
}

/// Samples app trees, remembering each one's CPU times between samples.
pub struct Probe {
    history: HashMap<u64, AppHistory>,
    ticks_per_second: f64,
    page_size: u64,
}

impl Default for Probe {
    fn default() -> Self {
        Self {
            history: HashMap::new(),
            ticks_per_second: rustix::param::clock_ticks_per_second().max(1) as f64,
            page_size: rustix::param::page_size() as u64,
        }
    }
}

impl Probe {
    /// Figures for each app (id, leader pid), in the order asked.
    pub fn sample(&mut self, apps: &[(u64, u32)], now: Instant) -> Vec<(u64, Usage)> {
        let out = apps
            .iter()
            .map(|&(app, leader)| {
                let stats = tree(leader);
                let history = self.history.entry(app).or_default();
                (
                    app,
                    usage_of(history, &stats, now, self.ticks_per_second, self.page_size),
                )
            })
            .collect();
        self.history.retain(|_, h| {
            h.at.is_some_and(|t| now.saturating_duration_since(t) < FORGET_AFTER)
        });
        out
    }
}

/// An app's figures from its processes' stats, against its last sample (which it replaces).
/// A process not in the last sample has no CPU figure yet and counts for none.
fn usage_of(
    history: &mut AppHistory,
    stats: &[(u32, Stat)],
    now: Instant,
    ticks_per_second: f64,
    page_size: u64,
) -> Usage {
    let elapsed = history
        .at
        .map(|t| now.saturating_duration_since(t).as_secs_f64())
        .filter(|s| *s > 0.0);
    let mut used = 0u64;
    let mut rss = 0u64;
    let mut seen = HashMap::with_capacity(stats.len());
    for &(pid, s) in stats {
        if let Some(old) = history.seen.get(&pid).filter(|o| o.start == s.start) {
            used = used.saturating_add(s.ticks.saturating_sub(old.ticks));
        }
        rss = rss.saturating_add(s.rss_pages.saturating_mul(page_size));
        seen.insert(
            pid,
            Seen {
                start: s.start,
                ticks: s.ticks,
            },
        );
    }
    history.seen = seen;
    history.at = Some(now);
    let cpu_percent = elapsed.map_or(0.0, |secs| used as f64 / ticks_per_second / secs * 100.0);
    Usage {
        cpu_percent: cpu_percent as f32,
        rss_bytes: rss,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_name() {
        // A name with spaces and a parenthesis, as a process may give itself.
        let text = "4242 (my (odd) app) S 1 4242 4242 0 -1 4194560 100 0 0 0 \
                    250 50 0 0 20 0 1 0 98765 10000000 1234 18446744073709551615";
        let s = parse_stat(text).unwrap();
        assert_eq!(s.ticks, 300);
        assert_eq!(s.start, 98765);
        assert_eq!(s.rss_pages, 1234);
        assert_eq!(s.threads, 1);
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn cpu_is_the_time_used_between_two_samples() {
        let mut h = AppHistory::default();
        let t0 = Instant::now();
        let stat = |ticks| Stat {
            start: 7,
            ticks,
            rss_pages: 10,
            threads: 1,
        };
        let first = usage_of(&mut h, &[(1, stat(1000))], t0, 100.0, 4096);
        assert_eq!(first.cpu_percent, 0.0, "no figure before a second sample");
        assert_eq!(first.rss_bytes, 40960);
        // 50 ticks in 2 s at 100 ticks a second: a quarter of a core.
        let second = usage_of(
            &mut h,
            &[(1, stat(1050))],
            t0 + Duration::from_secs(2),
            100.0,
            4096,
        );
        assert!((second.cpu_percent - 25.0).abs() < 0.01, "{second:?}");
        // The same pid reused by a new process is not compared with the old one.
        let reused = Stat {
            start: 8,
            ticks: 5000,
            rss_pages: 1,
            threads: 1,
        };
        let third = usage_of(
            &mut h,
            &[(1, reused)],
            t0 + Duration::from_secs(3),
            100.0,
            4096,
        );
        assert_eq!(third.cpu_percent, 0.0);
    }

    #[test]
    fn a_tree_is_the_leader_and_its_descendants() {
        // The shell forks a background sleep, then becomes a sleep itself: two processes, the
        // second a child of the first.
        let mut child = std::process::Command::new("sh")
            .args(["-c", "sleep 30 & exec sleep 30"])
            .spawn()
            .unwrap();
        let leader = child.id();
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut probe = Probe::default();
        let found = loop {
            let members = tree(leader);
            assert_eq!(members[0].0, leader);
            let report = probe.sample(&[(7, leader)], Instant::now());
            let leader_rss = read_stat(leader).map_or(0, |s| s.rss_pages * probe.page_size);
            if members.len() == 2 && leader_rss > 0 && report[0].1.rss_bytes > leader_rss {
                break true;
            }
            if Instant::now() > deadline {
                break false;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        for (pid, _) in tree(leader) {
            let _ = rustix::process::kill_process(
                rustix::process::Pid::from_raw(pid as i32).unwrap(),
                rustix::process::Signal::KILL,
            );
        }
        let _ = child.wait();
        assert!(found, "the background sleep was not counted");
    }

    #[test]
    fn a_child_forked_by_another_thread_is_in_the_tree() {
        // The test binary runs threads: a child spawned from one of them is listed under that
        // thread's `children`, not the main thread's.
        let mut child = std::thread::spawn(|| {
            std::process::Command::new("sleep")
                .arg("30")
                .spawn()
                .unwrap()
        })
        .join()
        .unwrap();
        let found = tree(std::process::id())
            .iter()
            .any(|(p, _)| *p == child.id());
        let _ = child.kill();
        let _ = child.wait();
        assert!(found);
    }
}
