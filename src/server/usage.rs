//! CPU and memory in the server: what the metrics thread is told to sample, and what its
//! reports change. Figures are sampled only while something shows or needs them: an attached
//! client whose sidebar is shown (the apps of its session), an events subscriber to `metrics`
//! (every app), an app with a memory limit (that app, every [`LIMIT_INTERVAL`]), and `ls`,
//! which asks for a one-off sample and waits briefly for it. Otherwise the thread sleeps and
//! nothing wakes the loop. A report marks dirty only the clients whose sidebar shows an app
//! whose figures changed as shown.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::app::lifecycle::State;
use crate::metrics::{self, Order, Usage};
use crate::protocol::{Reply, ServerMsg};
use crate::server::Server;
use crate::server::limits::LIMIT_INTERVAL;
use crate::server::model::{AppId, ClientId, SessionId};

/// The longest `ls` waits for fresh metrics.
const LS_WAIT: Duration = Duration::from_millis(500);

/// What the order needs to know of one app with a process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wanted {
    pub app: u64,
    pub pid: u32,
    /// A client's sidebar shows it, or a subscriber wants its figures.
    pub shown: bool,
    /// It has a memory limit: every sample goes to the limit.
    pub limited: bool,
}

/// The standing order for these apps: the shown and the limited ones are sampled, the limited
/// ones (and all, for subscribers) reported after every sample; every `interval` while any is
/// shown, every [`LIMIT_INTERVAL`] while any is limited. Nothing wanted, no sampling.
pub fn order_for(apps: &[Wanted], subscribers: bool, interval: Duration) -> Order {
    let sampled: Vec<&Wanted> = apps.iter().filter(|w| w.shown || w.limited).collect();
    let shown = sampled.iter().any(|w| w.shown).then_some(interval);
    let limited = sampled.iter().any(|w| w.limited).then_some(LIMIT_INTERVAL);
    Order {
        apps: sampled.iter().map(|w| (w.app, w.pid)).collect(),
        always: sampled
            .iter()
            .filter(|w| w.limited || subscribers)
            .map(|w| w.app)
            .collect(),
        every: shown.into_iter().chain(limited).min().unwrap_or_default(),
    }
}

impl Server {
    /// The sessions whose sidebar an attached client shows.
    fn sessions_with_sidebar(&self) -> HashSet<SessionId> {
        self.clients
            .values()
            .filter_map(|c| {
                let session = c.session()?;
                self.client_areas(c.id())?.sidebar.map(|_| session)
            })
            .collect()
    }

    /// Tells the metrics thread what to sample when that changed since it was last told.
    pub(super) fn sync_metrics_order(&mut self) {
        if self.sampler.is_none() {
            return;
        }
        let subscribers = self.has_subscribers("metrics");
        let shown = self.sessions_with_sidebar();
        let wanted: Vec<Wanted> = self
            .apps
            .values()
            .filter_map(|a| {
                Some(Wanted {
                    app: a.id().0,
                    pid: a.pid()?,
                    shown: subscribers || shown.contains(&a.session()),
                    limited: a.spec().max_memory.is_some() && a.life().state == State::Running,
                })
            })
            .collect();
        let order = order_for(&wanted, subscribers, self.settings.metrics_interval);
        if self.metrics_order.as_ref() == Some(&order) {
            return;
        }
        let Some(sampler) = &self.sampler else { return };
        // A full queue keeps the old order on record as unknown, so the next turn sends it.
        self.metrics_order = sampler.order(order.clone()).then_some(order);
    }

    /// Figures from the metrics thread: kept on the apps, checked against memory limits,
    /// redrawn where shown differently, published to subscribers, and given to waiting `ls`.
    pub(super) fn on_usage(&mut self, report: metrics::Report) {
        let now = Instant::now();
        for &(id, usage) in &report.usage {
            let Some(app) = self.apps.get_mut(&AppId(id)) else {
                continue;
            };
            let before = app.usage();
            app.set_usage(usage);
            self.memory_sampled(AppId(id), usage, now);
            if before.is_none_or(|b| !b.shows_as(&usage)) {
                self.sidebar_changed(AppId(id));
            }
        }
        if !report.usage.is_empty() && self.has_subscribers("metrics") {
            self.publish_metrics();
        }
        if report.answer {
            self.last_answer = Some(now);
            let waiting: Vec<ClientId> = self.pending_ls.drain(..).map(|(c, _)| c).collect();
            for c in waiting {
                self.answer_ls(c);
            }
        }
    }

    /// Marks dirty the clients whose sidebar lists `app`.
    fn sidebar_changed(&mut self, app: AppId) {
        let Some(session) = self.apps.get(&app).map(|a| a.session()) else {
            return;
        };
        let ids: Vec<ClientId> = self
            .clients
            .values()
            .filter(|c| c.session() == Some(session))
            .map(|c| c.id())
            .collect();
        for id in ids {
            if self.client_areas(id).is_some_and(|a| a.sidebar.is_some())
                && let Some(c) = self.clients.get_mut(&id)
            {
                c.mark_dirty();
            }
        }
    }

    fn publish_metrics(&mut self) {
        use crate::contract::{AppUsage, EventPayload, MetricsEvent};
        let apps: Vec<AppUsage> = self
            .apps
            .values()
            .filter_map(|a| {
                let u: Usage = a.usage()?;
                let session = self.sessions.get(&a.session())?.name().to_owned();
                Some(AppUsage {
                    session,
                    app: a.name().to_owned(),
                    cpu_percent: u.cpu_percent,
                    rss_bytes: u.rss_bytes,
                })
            })
            .collect();
        self.publish("metrics", EventPayload::Metrics(MetricsEvent { apps }));
    }

    /// `ls` wants CPU and memory: answer at once when a recent sample exists, otherwise ask for
    /// one and answer when it arrives (or at the deadline, whichever is first).
    pub(super) fn list_request(&mut self, id: ClientId) {
        let now = Instant::now();
        let fresh = self
            .last_answer
            .is_some_and(|t| now.duration_since(t) < self.settings.metrics_interval);
        let apps: Vec<(u64, u32)> = self
            .apps
            .values()
            .filter_map(|a| Some((a.id().0, a.pid()?)))
            .collect();
        let Some(sampler) = self.sampler.as_ref().filter(|_| !fresh && !apps.is_empty()) else {
            return self.answer_ls(id);
        };
        sampler.now(apps);
        self.pending_ls.push((id, now + LS_WAIT));
    }

    /// When the next waiting `ls` must be answered, fresh figures or not.
    pub(super) fn ls_deadline(&self) -> Option<Instant> {
        self.pending_ls.iter().map(|(_, t)| *t).min()
    }

    pub(super) fn answer_due_ls(&mut self, now: Instant) {
        let due: Vec<ClientId> = self
            .pending_ls
            .iter()
            .filter(|(_, t)| *t <= now)
            .map(|(c, _)| *c)
            .collect();
        self.pending_ls.retain(|(_, t)| *t > now);
        for c in due {
            self.answer_ls(c);
        }
    }

    fn answer_ls(&mut self, id: ClientId) {
        let report = self.list();
        self.send(id, &ServerMsg::Reply(Reply::List(report)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn app(app: u64, shown: bool, limited: bool) -> Wanted {
        Wanted {
            app,
            pid: 100 + app as u32,
            shown,
            limited,
        }
    }

    #[test]
    fn nothing_shown_and_no_limit_samples_nothing() {
        // Apps running, a client attached with the sidebar hidden: no order, so the metrics
        // thread sleeps and never wakes the loop.
        let order = order_for(&[app(1, false, false), app(2, false, false)], false, SECOND);
        assert!(order.apps.is_empty(), "{order:?}");
    }

    #[test]
    fn a_shown_sidebar_samples_its_apps_and_reports_changes_only() {
        let order = order_for(
            &[app(1, true, false), app(2, false, false)],
            false,
            2 * SECOND,
        );
        assert_eq!(order.apps, vec![(1, 101)]);
        assert!(order.always.is_empty());
        assert_eq!(order.every, 2 * SECOND);
    }

    #[test]
    fn limited_apps_are_sampled_on_their_own_and_reported_every_time() {
        let order = order_for(
            &[app(1, false, true), app(2, false, false)],
            false,
            5 * SECOND,
        );
        assert_eq!(order.apps, vec![(1, 101)]);
        assert_eq!(order.always, vec![1]);
        assert_eq!(order.every, LIMIT_INTERVAL);
    }

    #[test]
    fn subscribers_get_every_sample() {
        let order = order_for(&[app(1, true, false), app(2, true, false)], true, SECOND);
        assert_eq!(order.always, vec![1, 2]);
    }
}
