//! `start`, `stop` and `restart` on the command line: send the action, then (unless
//! `--no-wait`) follow the server's `app.wait` verdict until every app got where it was asked
//! — `stopped` for stop, `up` for start and restart — printing one line per app as it gets
//! there or cannot. Keys and the control API send the same actions and do not wait; the
//! waiting is the command line's alone.

use std::collections::HashSet;
use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use serde_json::Value;

use super::inspect::{POLL, report};
use super::request_action;
use crate::action::{Action, AppAction, Wait, WaitFor};
use crate::cli::AppsArgs;
use crate::paths::SocketPaths;

/// What `stop` allows beyond an app's stop timeout: SIGKILL is sent at the timeout, and the
/// kernel and the server need a moment to reap the process group.
const STOP_MARGIN: Duration = Duration::from_secs(2);

/// `start`, `stop`, `restart`: `verb` is the app action that takes the names.
pub fn apps_op(
    sock: &SocketPaths,
    args: AppsArgs,
    verb: fn(Vec<String>) -> AppAction,
) -> Result<()> {
    let action = verb(args.apps.clone());
    let want = match action {
        AppAction::Stop(_) => WaitFor::Stopped,
        _ => WaitFor::Up,
    };
    request_action(sock, args.target.clone(), &Action::App(action))?;
    if args.no_wait {
        return Ok(());
    }
    let wait = AppAction::Wait(Wait {
        apps: args.apps,
        condition: want,
    });
    let mut out = std::io::stdout().lock();
    let mut follow = Follow::new(want, args.timeout);
    loop {
        let answer = report(sock, args.target.clone(), wait.clone())?;
        let entries = answer["apps"].as_array().cloned().unwrap_or_default();
        for line in follow.update(&entries, Instant::now()) {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
        match follow.outcome(&entries) {
            Some(Ok(())) => return Ok(()),
            Some(Err(failed)) => bail!(
                "{} did not get {}: {}",
                failed.join(", "),
                if want == WaitFor::Stopped {
                    "stopped"
                } else {
                    "up"
                },
                follow.reasons.join("; ")
            ),
            None => std::thread::sleep(POLL),
        }
    }
}

/// The verbs' progress through successive `app.wait` answers: which apps are settled, which
/// failed and why, and the deadline.
struct Follow {
    want: WaitFor,
    /// `--timeout`, which replaces the stop rule.
    limit: Option<Duration>,
    /// Without `--timeout`, a stop waits this long for the next app to stop: the apps stop in
    /// waves (dependents first), so the clock restarts whenever one gets there.
    deadline: Option<Instant>,
    settled: HashSet<String>,
    failed: Vec<String>,
    reasons: Vec<String>,
}

impl Follow {
    fn new(want: WaitFor, limit: Option<Duration>) -> Self {
        Self {
            want,
            limit,
            deadline: limit.map(|l| Instant::now() + l),
            settled: HashSet::new(),
            failed: Vec::new(),
            reasons: Vec::new(),
        }
    }

    /// The lines for apps that got there or cannot since the last answer; at the deadline,
    /// the apps still on their way fail with what they are doing.
    fn update(&mut self, entries: &[Value], now: Instant) -> Vec<String> {
        let mut lines = Vec::new();
        let mut progress = false;
        for e in entries {
            let name = e["app"].as_str().unwrap_or("?").to_owned();
            if self.settled.contains(&name) {
                continue;
            }
            let why = e["why"].as_str().unwrap_or_default();
            match e["verdict"].as_str() {
                Some("met") => lines.push(format!("{name}: {}", self.met_word(e))),
                Some("never") => lines.push(self.fail(&name, why)),
                _ => continue,
            }
            progress = true;
            self.settled.insert(name);
        }
        if self.limit.is_none()
            && self.want == WaitFor::Stopped
            && (progress || self.deadline.is_none())
        {
            let longest = entries
                .iter()
                .filter_map(|e| e["stop_timeout_ms"].as_u64())
                .max()
                .unwrap_or(0);
            self.deadline = Some(now + Duration::from_millis(longest) + STOP_MARGIN);
        }
        if self.deadline.is_some_and(|d| now >= d) {
            for e in entries {
                let name = e["app"].as_str().unwrap_or("?").to_owned();
                if self.settled.insert(name.clone()) {
                    let doing = e["why"].as_str().unwrap_or("not there yet");
                    lines.push(self.fail(&name, &format!("timed out, still {doing}")));
                }
            }
        }
        lines
    }

    fn fail(&mut self, name: &str, why: &str) -> String {
        self.failed.push(name.to_owned());
        self.reasons.push(format!("{name}: {why}"));
        format!("{name}: failed: {why}")
    }

    /// What an app that got there is: `stopped` (or `exited`, `errored` when it was already),
    /// `ready`, `running`, or `completed` for a one-shot app that exited 0.
    fn met_word(&self, e: &Value) -> String {
        let state = e["state"].as_str().unwrap_or("?");
        match self.want {
            WaitFor::Stopped => state.to_owned(),
            _ if e["ready"] == Value::Bool(true) => "ready".into(),
            _ if state == "exited" => "completed".into(),
            _ => state.to_owned(),
        }
    }

    /// Done once every app is settled: success when none failed.
    fn outcome(&self, entries: &[Value]) -> Option<Result<(), Vec<String>>> {
        let all = entries
            .iter()
            .all(|e| self.settled.contains(e["app"].as_str().unwrap_or("?")));
        match (all, self.failed.is_empty()) {
            (false, _) => None,
            (true, true) => Some(Ok(())),
            (true, false) => Some(Err(self.failed.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(app: &str, verdict: &str, state: &str, why: Option<&str>) -> Value {
        json!({"app": app, "verdict": verdict, "state": state, "why": why,
               "ready": null, "stop_timeout_ms": 1000})
    }

    #[test]
    fn each_app_is_reported_once_as_it_gets_there() {
        let now = Instant::now();
        let mut f = Follow::new(WaitFor::Up, None);
        let first = [
            entry("api", "met", "running", None),
            entry("web", "pending", "waiting", Some("waiting for api (ready)")),
        ];
        assert_eq!(f.update(&first, now), ["api: running"]);
        assert_eq!(f.outcome(&first), None);
        let mut ready = entry("web", "met", "running", None);
        ready["ready"] = json!(true);
        let second = [entry("api", "met", "running", None), ready];
        assert_eq!(f.update(&second, now), ["web: ready"]);
        assert_eq!(f.outcome(&second), Some(Ok(())));
    }

    #[test]
    fn an_app_that_cannot_get_there_fails_with_its_reason() {
        let mut f = Follow::new(WaitFor::Up, None);
        let list = [
            entry("job", "met", "exited", None),
            entry("bad", "never", "waiting", Some("it exited with code 1")),
        ];
        assert_eq!(
            f.update(&list, Instant::now()),
            ["job: completed", "bad: failed: it exited with code 1"]
        );
        assert_eq!(f.outcome(&list), Some(Err(vec!["bad".to_owned()])));
    }

    #[test]
    fn a_stop_gives_up_after_the_stop_timeout_and_margin_without_progress() {
        let t0 = Instant::now();
        let mut f = Follow::new(WaitFor::Stopped, None);
        let list = [entry("api", "pending", "stopping", Some("stopping"))];
        assert!(f.update(&list, t0).is_empty());
        let almost = t0 + Duration::from_millis(1000) + STOP_MARGIN - Duration::from_millis(1);
        assert!(f.update(&list, almost).is_empty());
        let late = t0 + Duration::from_millis(1000) + STOP_MARGIN;
        assert_eq!(
            f.update(&list, late),
            ["api: failed: timed out, still stopping"]
        );
        assert_eq!(f.outcome(&list), Some(Err(vec!["api".to_owned()])));
    }
}
