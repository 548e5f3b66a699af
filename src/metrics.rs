//! CPU and memory of each app's process tree, sampled off the input and render paths. A named
//! thread does the sampling; the state task gives it a standing [`Order`] (which apps, how
//! often) and asks for one-off samples when `ls` wants fresh figures, and gets [`Report`]s back.
//!
//! Idle costs nothing: with an empty order the thread sleeps until asked. Under an order it
//! wakes once per interval and reports only what changed as the sidebar shows it (`12.3M`,
//! `0.4%`), so apps that sit still wake nothing else; the apps an order marks `always` (a
//! memory limit counts samples in a row; an events subscriber wants every sample) are
//! reported after every sample.
//!
//! An app's tree is its leader and the leader's descendants (`proc`): only those processes are
//! read, never every process on the machine.

mod proc;

use std::collections::HashMap;
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tokio::sync::mpsc;

/// Figures for one app.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    /// Percent of one CPU, summed over the tree (can exceed 100).
    pub cpu_percent: f32,
    /// Resident set size of the tree, in bytes.
    pub rss_bytes: u64,
}

impl Usage {
    /// Whether the sidebar shows both alike: a change it would not show is no reason to redraw.
    pub fn shows_as(&self, other: &Usage) -> bool {
        cpu_text(self.cpu_percent) == cpu_text(other.cpu_percent)
            && human_bytes(self.rss_bytes) == human_bytes(other.rss_bytes)
    }
}

/// What the state task wants sampled until it says otherwise.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Order {
    /// The apps (id, leader pid) sampled every `every`; none means no sampling at all.
    pub apps: Vec<(u64, u32)>,
    /// Of those, the ones reported after every sample, changed or not.
    pub always: Vec<u64>,
    pub every: Duration,
}

/// What the state task sends the thread.
#[derive(Debug)]
enum Ask {
    Order(Order),
    /// A one-off sample of these apps, all of them reported (`ls` waits for it).
    Now(Vec<(u64, u32)>),
}

/// A reply: figures per app id, and whether it answers a one-off request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub usage: Vec<(u64, Usage)>,
    pub answer: bool,
}

/// Requests waiting for the thread: orders replace each other, so a handful is plenty; a
/// request that finds the queue full is dropped (an order is sent again, see
/// [`Sampler::order`]; a waiting `ls` is answered at its deadline).
const ASK_QUEUE: usize = 16;

/// The handle the state task keeps.
pub struct Sampler {
    tx: std_mpsc::SyncSender<Ask>,
}

impl Sampler {
    /// Starts the sampling thread; reports arrive on `out`.
    pub fn spawn(out: mpsc::Sender<Report>) -> Result<Self> {
        let (tx, rx) = std_mpsc::sync_channel::<Ask>(ASK_QUEUE);
        std::thread::Builder::new()
            .name("metrics".into())
            .stack_size(256 * 1024)
            .spawn(move || Worker::default().run(&rx, &out))
            .context("spawning the metrics thread")?;
        Ok(Self { tx })
    }

    /// Replaces the standing order; false when the queue was full (send it again later).
    pub fn order(&self, order: Order) -> bool {
        self.tx.try_send(Ask::Order(order)).is_ok()
    }

    /// Asks for one sample of `apps`; the answer comes back as a [`Report`] with `answer` set.
    pub fn now(&self, apps: Vec<(u64, u32)>) {
        let _ = self.tx.try_send(Ask::Now(apps));
    }
}

/// The thread's state: the order, when it is next due, and what the state task was last told
/// of each app.
#[derive(Default)]
struct Worker {
    probe: proc::Probe,
    order: Order,
    next: Option<Instant>,
    told: Told,
}

impl Worker {
    fn run(mut self, rx: &std_mpsc::Receiver<Ask>, out: &mpsc::Sender<Report>) {
        loop {
            let ask = match self.next {
                None => match rx.recv() {
                    Ok(ask) => Some(ask),
                    Err(_) => return,
                },
                Some(t) => match rx.recv_timeout(t.saturating_duration_since(Instant::now())) {
                    Ok(ask) => Some(ask),
                    Err(std_mpsc::RecvTimeoutError::Timeout) => None,
                    Err(std_mpsc::RecvTimeoutError::Disconnected) => return,
                },
            };
            let report = match ask {
                Some(first) => self.asked(first, rx),
                None => self.tick(Instant::now()),
            };
            if let Some(report) = report
                && out.blocking_send(report).is_err()
            {
                return;
            }
        }
    }

    /// Takes `first` and whatever else is queued: the latest order wins, and the one-off
    /// samples asked meanwhile are answered by one.
    fn asked(&mut self, first: Ask, rx: &std_mpsc::Receiver<Ask>) -> Option<Report> {
        let mut now_apps: Option<Vec<(u64, u32)>> = None;
        let mut ask = Some(first);
        while let Some(a) = ask {
            match a {
                Ask::Order(order) => self.set_order(order, Instant::now()),
                Ask::Now(apps) => {
                    let all = now_apps.get_or_insert_with(Vec::new);
                    for app in apps {
                        if !all.contains(&app) {
                            all.push(app);
                        }
                    }
                }
            }
            ask = rx.try_recv().ok();
        }
        let apps = now_apps?;
        let usage = self.probe.sample(&apps, Instant::now());
        for &(app, usage) in &usage {
            let pid = apps.iter().find(|(a, _)| *a == app).map_or(0, |(_, p)| *p);
            self.told.record(app, pid, usage);
        }
        Some(Report {
            usage,
            answer: true,
        })
    }

    fn set_order(&mut self, order: Order, now: Instant) {
        self.told.keep_only(&order.apps);
        self.next = if order.apps.is_empty() {
            None
        } else {
            // A new order samples at once; a changed one keeps its rhythm, but never waits
            // longer than its own interval.
            let soonest = after(now, order.every);
            Some(self.next.map_or(now, |t| t.min(soonest)))
        };
        self.order = order;
    }

    /// One sample of the order; a report when anything in it is worth telling.
    fn tick(&mut self, now: Instant) -> Option<Report> {
        self.next = Some(after(now, self.order.every));
        let usage = self.probe.sample(&self.order.apps, now);
        let sampled: Vec<(u64, u32, Usage)> = usage
            .into_iter()
            .zip(&self.order.apps)
            .map(|((app, u), (_, pid))| (app, *pid, u))
            .collect();
        let usage = self.told.changes(&sampled, &self.order.always);
        (!usage.is_empty()).then_some(Report {
            usage,
            answer: false,
        })
    }
}

/// `d` after `now`; an interval too long for the clock (never one from a checked setting) waits
/// an hour.
fn after(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(3600)))
        .unwrap_or(now)
}

/// What the state task was last told of each app: its leader then and its figures.
#[derive(Debug, Default)]
struct Told(HashMap<u64, (u32, Usage)>);

impl Told {
    fn record(&mut self, app: u64, pid: u32, usage: Usage) {
        self.0.insert(app, (pid, usage));
    }

    /// The samples worth reporting, recorded as told: the apps in `always`, and those whose
    /// figures show differently from what was last told (or that were never told, or have a
    /// new process since).
    fn changes(&mut self, sampled: &[(u64, u32, Usage)], always: &[u64]) -> Vec<(u64, Usage)> {
        let mut out = Vec::new();
        for &(app, pid, usage) in sampled {
            let same = self
                .0
                .get(&app)
                .is_some_and(|(p, told)| *p == pid && told.shows_as(&usage));
            if same && !always.contains(&app) {
                continue;
            }
            self.record(app, pid, usage);
            out.push((app, usage));
        }
        out
    }

    /// Forgets the apps the order no longer covers.
    fn keep_only(&mut self, apps: &[(u64, u32)]) {
        self.0.retain(|app, _| apps.iter().any(|(a, _)| a == app));
    }
}

/// `0.4%`-style CPU, as the sidebar shows it.
pub fn cpu_text(percent: f32) -> String {
    format!("{percent:.1}%")
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

    fn u(cpu: f32, rss: u64) -> Usage {
        Usage {
            cpu_percent: cpu,
            rss_bytes: rss,
        }
    }

    #[test]
    fn only_what_the_sidebar_would_show_differently_is_reported() {
        let mut told = Told::default();
        let first = told.changes(
            &[(1, 100, u(0.0, 10 << 20)), (2, 200, u(0.0, 5 << 20))],
            &[],
        );
        assert_eq!(first.len(), 2, "never told: both reported");
        // 10.0M stays 10.0M and 0.01% shows as 0.0%: nothing to tell.
        let quiet = told.changes(
            &[
                (1, 100, u(0.01, (10 << 20) + 4096)),
                (2, 200, u(0.0, 5 << 20)),
            ],
            &[],
        );
        assert!(quiet.is_empty(), "{quiet:?}");
        // Memory that shows as 10.5M, and app 2 restarted with a new pid.
        let moved = told.changes(
            &[
                (1, 100, u(0.0, 10 << 20 | 1 << 19)),
                (2, 201, u(0.0, 5 << 20)),
            ],
            &[],
        );
        assert_eq!(
            moved.iter().map(|(a, _)| *a).collect::<Vec<_>>(),
            vec![1, 2]
        );
    }

    #[test]
    fn apps_marked_always_are_reported_after_every_sample() {
        let mut told = Told::default();
        told.changes(&[(1, 100, u(0.0, 1 << 20))], &[1]);
        let again = told.changes(&[(1, 100, u(0.0, 1 << 20))], &[1]);
        assert_eq!(again, vec![(1, u(0.0, 1 << 20))]);
    }

    #[test]
    fn an_empty_order_never_wakes_the_thread() {
        let mut w = Worker::default();
        let now = Instant::now();
        w.set_order(Order::default(), now);
        assert_eq!(w.next, None);
        let order = Order {
            apps: vec![(1, std::process::id())],
            always: Vec::new(),
            every: Duration::from_secs(1),
        };
        w.set_order(order.clone(), now);
        assert_eq!(w.next, Some(now), "a new order samples at once");
        assert!(w.tick(now).is_some(), "the first sample is told");
        assert_eq!(w.next, Some(now + Duration::from_secs(1)));
        w.set_order(Order::default(), now);
        assert_eq!(w.next, None, "back to sleep");
    }

    #[test]
    fn human_bytes_is_short() {
        assert_eq!(human_bytes(512), "512B");
        assert_eq!(human_bytes(1536), "1.5K");
        assert_eq!(human_bytes(250 * 1024 * 1024), "250M");
    }
}
