//! What `describe`, `why` and `wait` tell about one app, built from the app model and the other
//! apps of its session: JSON in the shape `--json` and the control API give, and the text the
//! command line prints. Reads only.

use std::time::{Duration, Instant};

use crate::action::WaitFor;
use crate::app::deps::Gate;
use crate::app::lifecycle::State;
use crate::app::probe::{Outcome, ProbeSchedule, Role};
use crate::app::schedule::{Trigger, rfc3339};
use crate::config::units::format_duration;
use crate::contract::{
    DependencyState, Dependent, Describe, LastExit, LastProbe, ListedFields, LogFileInfo,
    ProbeInfo, Probes, SCHEMA, WaitEntry, WaitReport, WaitingFor, Why,
};
use crate::pane::process::ExitStatus;
use crate::server::Server;
use crate::server::model::{App, AppId};

/// Where an app stands against what `wait` waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Met,
    /// Not yet; what it is doing meanwhile.
    Pending(String),
    /// It cannot happen without someone acting; why.
    Never(String),
}

/// Values of variables whose names say they are secrets are not shown.
fn masked(name: &str, value: &str) -> String {
    let upper = name.to_ascii_uppercase();
    let secret = ["KEY", "TOKEN", "SECRET", "PASSWORD"]
        .iter()
        .any(|w| upper.contains(w));
    if secret {
        "***".to_owned()
    } else {
        value.to_owned()
    }
}

fn ago(at: Instant, now: Instant) -> String {
    format!("{} ago", elapsed(now.saturating_duration_since(at)))
}

/// A span of time as people read it: `0.05s`, `2.5s`, `42s`, `3m05s`, `1h02m`, `2d03h`.
fn elapsed(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0 => format!("{:.2}s", d.as_secs_f64()),
        1..10 => format!("{:.1}s", d.as_secs_f64()),
        10..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        3600..86400 => format!("{}h{:02}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d{:02}h", secs / 86400, secs % 86400 / 3600),
    }
}

fn exit_text(status: ExitStatus) -> String {
    status.to_string()
}

/// A probe's configuration and last result.
fn probe_json(app: &App, role: Role, now: Instant) -> Option<ProbeInfo> {
    let spec = match role {
        Role::Ready => app.spec().ready.as_deref(),
        Role::Health => app.spec().health.as_deref(),
    }?;
    let schedule = app.probe(role);
    let last = schedule.and_then(ProbeSchedule::last).map(|l| {
        let (ok, error) = match &l.outcome {
            Outcome::Ok => (true, None),
            Outcome::Fail(why) => (false, Some(why.clone())),
        };
        LastProbe {
            ok,
            error,
            ago_s: now.saturating_duration_since(l.at).as_secs_f64(),
            consecutive_failures: l.consecutive_failures,
        }
    });
    Some(ProbeInfo {
        probe: spec.kind.to_string(),
        kind: spec.kind.name().to_owned(),
        interval: format_duration(spec.interval),
        timeout: format_duration(spec.timeout),
        initial_delay: format_duration(spec.initial_delay),
        timeout_total: spec.timeout_total.map(format_duration),
        failures: matches!(role, Role::Health).then_some(spec.failures),
        state: schedule.map(|s| s.state().as_str().to_owned()),
        last,
    })
}

/// One line on a probe's last result: `http http://… failed 2s ago: connection refused`.
fn last_probe_line(app: &App, role: Role, now: Instant) -> Option<String> {
    let spec = match role {
        Role::Ready => app.spec().ready.as_deref(),
        Role::Health => app.spec().health.as_deref(),
    }?;
    let name = match role {
        Role::Ready => "readiness",
        Role::Health => "health",
    };
    let schedule = app.probe(role)?;
    Some(match schedule.last() {
        None => format!("Its {name} probe ({}) has no result yet.", spec.kind),
        Some(l) => match &l.outcome {
            Outcome::Ok => format!(
                "Its {name} probe ({}) passed {}.",
                spec.kind,
                ago(l.at, now)
            ),
            Outcome::Fail(why) => format!(
                "Its {name} probe ({}) failed {} ({why}), {} time{} in a row.",
                spec.kind,
                ago(l.at, now),
                l.consecutive_failures,
                if l.consecutive_failures == 1 { "" } else { "s" }
            ),
        },
    })
}

impl Server {
    /// Where `id` stands against `want`.
    pub(super) fn wait_verdict(&self, id: AppId, want: WaitFor) -> Verdict {
        let Some(app) = self.apps.get(&id) else {
            return Verdict::Never("it was removed".into());
        };
        let state = app.life().state;
        if let Some(Gate::Blocked(list)) = app.gate()
            && want != WaitFor::Stopped
        {
            let why: Vec<&str> = list.iter().map(|(_, _, w)| w.as_str()).collect();
            return Verdict::Never(format!(
                "it waits for what cannot happen: {}",
                why.join("; ")
            ));
        }
        let idle_never = |what: &str| match state {
            State::Stopped => Some(Verdict::Never(format!(
                "it is stopped, so it will not be {what}"
            ))),
            State::Exited(s) => Some(Verdict::Never(format!("it {s} and is not restarted"))),
            State::Errored(s) => Some(Verdict::Never(format!(
                "it is errored (it kept exiting too soon; last: {s})"
            ))),
            _ => None,
        };
        match want {
            WaitFor::Ready | WaitFor::Up if app.is_ready() && app.readiness().is_some() => {
                Verdict::Met
            }
            WaitFor::Ready if app.is_ready() => Verdict::Met,
            WaitFor::Ready | WaitFor::Up if app.gave_up() => {
                Verdict::Never("it is not ready: its readiness probe gave up".into())
            }
            WaitFor::Running if state == State::Running => Verdict::Met,
            WaitFor::Ready | WaitFor::Running => {
                idle_never(want.as_str()).unwrap_or_else(|| Verdict::Pending(self.doing(app)))
            }
            WaitFor::Completed => match state {
                State::Exited(ExitStatus::Code(0)) => Verdict::Met,
                _ => idle_never("completed").unwrap_or_else(|| Verdict::Pending(self.doing(app))),
            },
            WaitFor::Stopped => match state {
                State::Stopped | State::Exited(_) | State::Errored(_) => Verdict::Met,
                _ => Verdict::Pending(self.doing(app)),
            },
            WaitFor::Up => self.up_verdict(app).unwrap_or_else(|| {
                idle_never("up").unwrap_or_else(|| Verdict::Pending(self.doing(app)))
            }),
        }
    }

    /// `up`, where it differs from `ready`: without a readiness probe a run must last
    /// `min_uptime` (so an app that dies at once is caught, not reported running), an exit on
    /// the way fails it even when a restart is due, and a one-shot app that exited 0 is done.
    fn up_verdict(&self, app: &App) -> Option<Verdict> {
        match app.life().state {
            // Not ready yet (ready and gave up are decided before).
            State::Running if app.readiness().is_some() => None,
            State::Running => {
                let min = app.spec().min_uptime;
                Some(if app.uptime().is_some_and(|u| u >= min) {
                    Verdict::Met
                } else {
                    Verdict::Pending(format!("running for less than {}", format_duration(min)))
                })
            }
            State::Backoff { last, .. } => Some(Verdict::Never(format!(
                "it {last} and is restarting ({})",
                self.doing(app)
            ))),
            State::Exited(ExitStatus::Code(0)) => Some(Verdict::Met),
            _ => None,
        }
    }

    /// `wait`: each app's verdict (with its state, readiness and stop timeout); `met` when all
    /// are met, `never` with the reasons when one cannot be.
    pub(super) fn wait_report(&self, apps: &[AppId], want: WaitFor) -> WaitReport {
        let mut all_met = true;
        let mut never = Vec::new();
        let mut list = Vec::new();
        for &id in apps {
            let app = self.apps.get(&id);
            let name = app.map(|a| a.name().to_owned()).unwrap_or_default();
            let (verdict, why) = match self.wait_verdict(id, want) {
                Verdict::Met => ("met", None),
                Verdict::Pending(why) => {
                    all_met = false;
                    ("pending", Some(why))
                }
                Verdict::Never(why) => {
                    all_met = false;
                    never.push(format!("{name}: {why}"));
                    ("never", Some(why))
                }
            };
            // What the verbs that wait print, and how long a stop may take.
            list.push(WaitEntry {
                app: name,
                verdict: verdict.to_owned(),
                why,
                state: app.map(|a| a.state_label().to_owned()),
                ready: app.and_then(App::readiness),
                stop_timeout_ms: app.map(|a| a.spec().stop_timeout.as_millis() as u64),
            });
        }
        WaitReport {
            schema: SCHEMA,
            condition: want.as_str().to_owned(),
            met: all_met,
            never,
            apps: list,
        }
    }

    /// What an app is doing, in a few words: `running`, `waiting for db (ready)`.
    fn doing(&self, app: &App) -> String {
        let now = Instant::now();
        match app.life().state {
            State::Waiting => {
                let what: Vec<String> = app
                    .gate()
                    .map(Gate::waiting_for)
                    .unwrap_or_default()
                    .iter()
                    .map(|(a, c)| format!("{a} ({c})"))
                    .collect();
                format!("waiting for {}", what.join(", "))
            }
            State::Running if app.readiness() == Some(false) => "running, not ready yet".into(),
            State::Backoff { until, .. } => format!(
                "restarting in {}",
                elapsed(until.saturating_duration_since(now))
            ),
            _ => app.state_label().to_owned(),
        }
    }

    /// `why`: one paragraph on why the app is in its state, and the facts behind it.
    pub(super) fn why(&self, id: AppId) -> Option<Why> {
        let app = self.apps.get(&id)?;
        let now = Instant::now();
        let mut text = vec![format!("{} is {}.", app.name(), self.doing(app))];
        if let Some(gate) = app.gate() {
            match gate {
                Gate::Blocked(list) => {
                    for (_, _, why) in list {
                        text.push(format!("It cannot start: {why}."));
                    }
                }
                _ => text.push("It starts once each of them meets its condition.".into()),
            }
        }
        text.extend(last_probe_line(app, Role::Ready, now));
        text.extend(last_probe_line(app, Role::Health, now));
        if let Some(exit) = app.life().last_exit() {
            let at = app
                .last_exit_at()
                .map(|t| format!(" {}", ago(t, now)))
                .unwrap_or_default();
            text.push(format!("Its last run {}{at}.", exit_text(exit)));
        }
        let backoff = match app.life().state {
            State::Backoff { until, .. } => Some(until.saturating_duration_since(now)),
            _ => None,
        };
        if let State::Errored(_) = app.life().state {
            text.push(format!(
                "It is errored: it exited within {} of starting more than {} times in a row; start it by hand.",
                format_duration(app.spec().min_uptime),
                app.spec().max_restarts
            ));
        }
        if app.life().restarts > 0 {
            text.push(format!("It was restarted {} times.", app.life().restarts));
        }
        let waiting_for: Vec<WaitingFor> = app
            .gate()
            .map(Gate::waiting_for)
            .unwrap_or_default()
            .into_iter()
            .map(|(a, c)| WaitingFor {
                app: a.to_string(),
                condition: c.as_str().to_owned(),
            })
            .collect();
        let (code, signal) = match app.life().last_exit() {
            Some(ExitStatus::Code(c)) => (Some(c), None),
            Some(ExitStatus::Signal(s)) => (None, Some(s)),
            None => (None, None),
        };
        Some(Why {
            schema: SCHEMA,
            app: app.name().to_owned(),
            state: app.state_label().to_owned(),
            text: text.join(" "),
            waiting_for,
            blocked: match app.gate() {
                Some(Gate::Blocked(list)) => list.iter().map(|(_, _, w)| w.clone()).collect(),
                _ => Vec::new(),
            },
            ready: probe_json(app, Role::Ready, now),
            health: probe_json(app, Role::Health, now),
            last_exit: LastExit {
                exit_code: code,
                signal,
            },
            backoff_s: backoff.map(|d| d.as_secs_f64()),
            restarts: app.life().restarts,
            errored: matches!(app.life().state, State::Errored(_)),
        })
    }

    /// `describe`: everything about one app.
    pub(super) fn describe(&self, id: AppId) -> Option<Describe> {
        let app = self.apps.get(&id)?;
        let now = Instant::now();
        let spec = app.spec();
        let env = spec
            .env
            .iter()
            .map(|(k, v)| (k.clone(), masked(k, v)))
            .collect();
        let state_of = |name: &str| {
            self.app_in(app.session(), name)
                .and_then(|a| self.apps.get(&a))
                .map(|a| a.state_label().to_owned())
        };
        let dependencies = self
            .dependencies_of(app)
            .iter()
            .map(|d| DependencyState {
                app: d.app.clone(),
                condition: d.condition.as_str().to_owned(),
                restart: d.restart,
                state: state_of(&d.app),
            })
            .collect();
        let dependents = self
            .sessions
            .get(&app.session())
            .map(|s| s.apps().to_vec())
            .unwrap_or_default()
            .iter()
            .filter_map(|a| self.apps.get(a))
            .filter(|a| self.dependencies_of(a).iter().any(|d| d.app == app.name()))
            .map(|a| Dependent {
                app: a.name().to_owned(),
                state: a.state_label().to_owned(),
            })
            .collect();
        let logs = crate::logs::files_oldest_first(app.log().path())
            .iter()
            .map(|p| LogFileInfo {
                file: p.display().to_string(),
                bytes: std::fs::metadata(p).map(|m| m.len()).ok(),
            })
            .collect();
        Some(Describe {
            schema: SCHEMA,
            listed: ListedFields(crate::server::dispatch::app_info(app)),
            session: self
                .sessions
                .get(&app.session())
                .map(|s| s.name().to_owned()),
            command: spec.cmd.display(),
            cwd: spec.cwd.display().to_string(),
            env,
            autostart: spec.autostart,
            restart: spec.restart.as_str().to_owned(),
            max_restarts: spec.max_restarts,
            min_uptime: format_duration(spec.min_uptime),
            stop_timeout: format_duration(spec.stop_timeout),
            probes: Probes {
                ready: probe_json(app, Role::Ready, now),
                health: probe_json(app, Role::Health, now),
            },
            port: spec.port,
            instances: spec
                .instance
                .as_ref()
                .map(|i| self.instances_of(app.session(), &i.group).len()),
            watch: crate::server::watch::describe(spec.watch.as_deref()),
            cron_restart: spec.cron_restart.as_ref().map(|c| c.as_str().to_owned()),
            schedule: spec.schedule.as_ref().map(|c| c.as_str().to_owned()),
            next_restart: app.next_run_of(Trigger::CronRestart).map(|t| rfc3339(&t)),
            next_start: app.next_run_of(Trigger::Schedule).map(|t| rfc3339(&t)),
            max_memory: spec.max_memory,
            dependencies,
            dependents,
            logs,
            why: self.why(id).map(|w| w.text).unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod elapsed_tests {
    use super::*;

    #[test]
    fn spans_of_time_read_as_people_write_them() {
        let ms = Duration::from_millis;
        assert_eq!(elapsed(ms(49)), "0.05s");
        assert_eq!(elapsed(ms(2_500)), "2.5s");
        assert_eq!(elapsed(ms(11_525)), "11s");
        assert_eq!(elapsed(ms(185_000)), "3m05s");
        assert_eq!(elapsed(ms(3_720_000)), "1h02m");
        assert_eq!(elapsed(ms(183_600_000)), "2d03h");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_by_name() {
        assert_eq!(masked("API_KEY", "x"), "***");
        assert_eq!(masked("github_token", "x"), "***");
        assert_eq!(masked("DB_PASSWORD", "x"), "***");
        assert_eq!(masked("CLIENT_SECRET", "x"), "***");
        assert_eq!(masked("PORT", "8080"), "8080");
    }
}
