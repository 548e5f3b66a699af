//! Tests of the probe schedule (with a fake clock) and the HTTP format; parsing and validation
//! are tested beside `probe_spec`.

use proptest::prelude::*;

use super::*;

// --- schedule, on a fake clock ---

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn fail(why: &str) -> Outcome {
    Outcome::Fail(why.into())
}

fn tcp_spec() -> ProbeSpec {
    ProbeSpec::ready(ProbeKind::tcp("127.0.0.1:1").unwrap())
}

/// Runs one attempt from `at` and reports `outcome` `took` later.
fn attempt(s: &mut ProbeSchedule, at: Instant, took: Duration, outcome: Outcome) -> Transition {
    assert!(s.due(at), "an attempt should be due");
    let id = s.attempt_started(at);
    assert!(!s.due(at), "no second attempt while one is in flight");
    s.result(id, at + took, outcome)
}

#[test]
fn readiness_waits_for_the_initial_delay_then_probes_every_interval() {
    let t0 = Instant::now();
    let spec = ProbeSpec {
        initial_delay: ms(500),
        ..tcp_spec()
    };
    let mut s = ProbeSchedule::new(Role::Ready, &spec);
    assert_eq!((s.due(t0), s.deadline()), (false, None));
    s.start(t0);
    assert_eq!((s.due(t0), s.deadline()), (false, Some(t0 + ms(500))));
    let t1 = t0 + ms(500);
    assert_eq!(
        attempt(&mut s, t1, ms(20), fail("connection refused")),
        Transition::None
    );
    // The next attempt is an interval after the previous one started.
    assert_eq!(s.deadline(), Some(t1 + secs(1)));
    assert!(!s.due(t1 + ms(999)));
    assert_eq!(
        attempt(&mut s, t1 + secs(1), ms(5), Outcome::Ok),
        Transition::Ready
    );
    assert_eq!(
        (s.state(), s.deadline(), s.due(t1 + secs(60))),
        (ProbeState::Ready, None, false)
    );
    let last = s.last().unwrap();
    assert_eq!(
        (last.at, &last.outcome),
        (t1 + secs(1) + ms(5), &Outcome::Ok)
    );
}

#[test]
fn readiness_gives_up_at_its_total_timeout() {
    let t0 = Instant::now();
    let spec = ProbeSpec {
        timeout_total: Some(secs(3)),
        ..tcp_spec()
    };
    let mut s = ProbeSchedule::new(Role::Ready, &spec);
    s.start(t0);
    attempt(&mut s, t0, ms(1), fail("connection refused"));
    attempt(&mut s, t0 + secs(1), ms(1), fail("connection refused"));
    attempt(&mut s, t0 + secs(2), ms(1), fail("connection refused"));
    assert_eq!(s.deadline(), Some(t0 + secs(3)));
    assert_eq!(s.tick(t0 + ms(2999)), Transition::None);
    let gave_up = Transition::GaveUp {
        last_failure: Some("connection refused".into()),
    };
    assert_eq!(s.tick(t0 + secs(3)), gave_up);
    assert_eq!((s.state(), s.deadline()), (ProbeState::GaveUp, None));
    assert_eq!(s.consecutive_failures(), 3);
    assert_eq!(s.log_matched(t0 + secs(4)), Transition::None);
}

#[test]
fn a_failure_past_the_total_timeout_gives_up_at_once() {
    let t0 = Instant::now();
    let spec = ProbeSpec {
        timeout_total: Some(ms(1500)),
        ..tcp_spec()
    };
    let mut s = ProbeSchedule::new(Role::Ready, &spec);
    s.start(t0);
    attempt(&mut s, t0, ms(1), fail("refused"));
    let id = s.attempt_started(t0 + secs(1));
    let gave_up = Transition::GaveUp {
        last_failure: Some("HTTP status 503".into()),
    };
    assert_eq!(
        s.result(id, t0 + ms(1600), fail("HTTP status 503")),
        gave_up
    );
}

#[test]
fn an_attempt_past_its_timeout_fails_and_its_late_result_is_ignored() {
    let t0 = Instant::now();
    let mut s = ProbeSchedule::new(Role::Ready, &tcp_spec());
    s.start(t0);
    let id = s.attempt_started(t0);
    assert_eq!(s.deadline(), Some(t0 + secs(1)));
    assert_eq!(s.tick(t0 + ms(999)), Transition::None);
    assert_eq!(s.in_flight(), Some(id));
    assert_eq!(s.tick(t0 + secs(1)), Transition::None);
    assert_eq!(s.in_flight(), None);
    assert_eq!(s.last().unwrap().outcome, fail("timed out after 1s"));
    assert_eq!(s.result(id, t0 + secs(5), Outcome::Ok), Transition::None);
    assert_eq!(s.state(), ProbeState::Pending);
    assert!(s.due(t0 + secs(1)));
}

#[test]
fn a_result_from_before_a_restart_or_stop_is_ignored() {
    let t0 = Instant::now();
    let mut s = ProbeSchedule::new(Role::Ready, &tcp_spec());
    s.start(t0);
    let old = s.attempt_started(t0);
    s.start(t0 + ms(100));
    assert_eq!(s.result(old, t0 + ms(150), Outcome::Ok), Transition::None);
    let current = s.attempt_started(t0 + ms(100));
    assert_ne!(old, current);
    s.stop();
    assert_eq!(
        s.result(current, t0 + ms(150), Outcome::Ok),
        Transition::None
    );
    assert_eq!(
        (s.deadline(), s.due(t0 + secs(9)), s.is_active()),
        (None, false, false)
    );
    assert_eq!(s.tick(t0 + secs(9)), Transition::None);
}

#[test]
fn a_slow_attempt_never_overlaps_the_next() {
    let t0 = Instant::now();
    let spec = ProbeSpec {
        interval: ms(100),
        timeout: secs(5),
        ..tcp_spec()
    };
    let mut s = ProbeSchedule::new(Role::Ready, &spec);
    s.start(t0);
    let id = s.attempt_started(t0);
    assert!(!s.due(t0 + ms(300)));
    s.result(id, t0 + ms(300), fail("slow"));
    // Overdue: the next attempt may start at once, but not earlier than the result.
    assert_eq!(s.deadline(), Some(t0 + ms(300)));
}

fn health(failures: u32) -> ProbeSchedule {
    let spec = ProbeSpec {
        failures,
        ..ProbeSpec::health(ProbeKind::tcp("127.0.0.1:1").unwrap())
    };
    ProbeSchedule::new(Role::Health, &spec)
}

#[test]
fn health_reports_only_changes_and_restarts_after_consecutive_failures() {
    let t0 = Instant::now();
    let mut s = health(3);
    s.start(t0);
    let mut t = t0;
    let mut step = |s: &mut ProbeSchedule, outcome: Outcome| {
        let transition = attempt(s, t, ms(1), outcome);
        t += secs(10);
        transition
    };
    assert_eq!(step(&mut s, Outcome::Ok), Transition::Healthy);
    assert_eq!(step(&mut s, Outcome::Ok), Transition::None);
    assert_eq!(step(&mut s, fail("refused")), Transition::None);
    assert_eq!(step(&mut s, fail("refused")), Transition::None);
    assert_eq!(
        (s.state(), s.consecutive_failures()),
        (ProbeState::Healthy, 2)
    );
    // A pass resets the count; it was healthy already, so nothing is reported.
    assert_eq!(step(&mut s, Outcome::Ok), Transition::None);
    assert_eq!(step(&mut s, fail("refused")), Transition::None);
    assert_eq!(step(&mut s, fail("HTTP status 500")), Transition::None);
    let unhealthy = Transition::Unhealthy {
        failures: 3,
        reason: "HTTP status 503".into(),
    };
    assert_eq!(step(&mut s, fail("HTTP status 503")), unhealthy);
    assert_eq!((s.state(), s.deadline()), (ProbeState::Unhealthy, None));
    // The next run starts over.
    s.start(t);
    assert_eq!(
        (s.state(), s.consecutive_failures(), s.deadline()),
        (ProbeState::Pending, 0, Some(t))
    );
}

#[test]
fn health_becomes_healthy_after_early_failures_and_honours_one_failure() {
    let t0 = Instant::now();
    let mut s = health(3);
    s.start(t0);
    attempt(&mut s, t0, ms(1), fail("refused"));
    assert_eq!(
        attempt(&mut s, t0 + secs(10), ms(1), Outcome::Ok),
        Transition::Healthy
    );
    let mut once = health(1);
    once.start(t0);
    let unhealthy = Transition::Unhealthy {
        failures: 1,
        reason: "refused".into(),
    };
    assert_eq!(attempt(&mut once, t0, ms(1), fail("refused")), unhealthy);
}

#[test]
fn a_log_probe_is_never_polled_and_passes_on_a_match() {
    let t0 = Instant::now();
    let spec = ProbeSpec {
        timeout_total: Some(secs(30)),
        ..ProbeSpec::ready(ProbeKind::log("up").unwrap())
    };
    let mut s = ProbeSchedule::new(Role::Ready, &spec);
    s.start(t0);
    assert!(!s.due(t0 + secs(10)));
    assert_eq!(s.deadline(), Some(t0 + secs(30)));
    assert_eq!(s.log_matched(t0 + secs(2)), Transition::Ready);
    assert_eq!(s.log_matched(t0 + secs(3)), Transition::None);
    assert_eq!(s.deadline(), None);
}

#[test]
fn out_of_range_specs_are_clamped_so_nothing_spins() {
    let t0 = Instant::now();
    let spec = ProbeSpec {
        interval: Duration::ZERO,
        timeout: Duration::ZERO,
        ..tcp_spec()
    };
    let mut s = ProbeSchedule::new(Role::Ready, &spec);
    s.start(t0);
    attempt(&mut s, t0, Duration::ZERO, fail("refused"));
    assert_eq!(s.deadline(), Some(t0 + MIN_INTERVAL));
}

#[derive(Debug, Clone)]
enum Op {
    Wait(u64),
    Pass,
    Fail,
    Restart,
}

fn any_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1u64..3000).prop_map(Op::Wait),
        Just(Op::Pass),
        Just(Op::Fail),
        Just(Op::Restart)
    ]
}

proptest! {
    /// Driven the way the event loop drives it, a schedule never stalls (while it has no
    /// verdict it always has a deadline), never reports a verdict twice in one run, and only
    /// reports unhealthy after exactly `failures` failures in a row.
    #[test]
    fn the_schedule_never_stalls_or_repeats_itself(
        ready in any::<bool>(),
        failures in 1u32..4,
        total in proptest::option::of(1u64..5000),
        ops in prop::collection::vec(any_op(), 1..60),
    ) {
        let role = if ready { Role::Ready } else { Role::Health };
        let base = ProbeSpec::ready(ProbeKind::tcp("127.0.0.1:1").unwrap());
        let timeout_total = if ready { total.map(ms) } else { None };
        let spec = ProbeSpec { failures, timeout_total, ..base };
        let mut s = ProbeSchedule::new(role, &spec);
        let mut now = Instant::now();
        s.start(now);
        let mut verdicts = 0;
        for op in ops {
            let pending = matches!(s.state(), ProbeState::Pending | ProbeState::Healthy);
            prop_assert!(!pending || s.deadline().is_some(), "stalled in {:?}", s.state());
            let transition = match op {
                Op::Wait(n) => {
                    now += ms(n);
                    s.tick(now)
                }
                Op::Pass | Op::Fail if s.due(now) => {
                    let id = s.attempt_started(now);
                    let outcome = if matches!(op, Op::Pass) { Outcome::Ok } else { fail("x") };
                    s.result(id, now, outcome)
                }
                Op::Pass | Op::Fail => Transition::None,
                Op::Restart => {
                    s.start(now);
                    verdicts = 0;
                    Transition::None
                }
            };
            match transition {
                Transition::Ready | Transition::GaveUp { .. } | Transition::Unhealthy { .. } => {
                    verdicts += 1;
                    prop_assert_eq!(verdicts, 1, "a second final verdict in one run");
                    prop_assert_eq!(s.deadline(), None);
                }
                _ => {}
            }
            if let Transition::Unhealthy { failures: seen, .. } = transition {
                prop_assert_eq!(seen, failures);
            }
        }
    }
}

// --- HTTP wire format ---

#[test]
fn the_request_is_a_plain_http_1_1_get() {
    let request = http::request("127.0.0.1", 8080, "/health");
    assert_eq!(
        request,
        b"GET /health HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n"
    );
    let request = http::request("::1", 80, "/");
    assert_eq!(
        request,
        b"GET / HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n"
    );
}

#[test]
fn status_lines_parse_incrementally() {
    assert_eq!(
        http::parse_status_line(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"),
        Ok(Some(200))
    );
    assert_eq!(http::parse_status_line(b"HTTP/1.0 301\r\n"), Ok(Some(301)));
    assert_eq!(
        http::parse_status_line(b"HTTP/1.1 404 Not Found\n"),
        Ok(Some(404))
    );
    assert_eq!(http::parse_status_line(b""), Ok(None));
    assert_eq!(http::parse_status_line(b"HTTP/1.1 20"), Ok(None));
    let bad = |bytes: &[u8]| http::parse_status_line(bytes).unwrap_err().to_string();
    // Not HTTP is known before the line ends, so a chatty non-HTTP server fails fast.
    assert_eq!(
        bad(b"SSH-2.0-OpenSSH"),
        r#"not an HTTP response: "SSH-2.0-OpenSSH""#
    );
    assert!(bad(b"HTTP/2 200\r\n").starts_with("not an HTTP response"));
    assert!(bad(b"HTTP/1.1 2000 OK\r\n").starts_with("not an HTTP response"));
    assert!(bad(b"HTTP/1.1 OK\r\n").starts_with("not an HTTP response"));
    assert_eq!(bad(b"HTTP/1.1 099 Odd\r\n"), "invalid HTTP status 99");
    let mut long = b"HTTP/1.1 200 ".to_vec();
    long.resize(http::MAX_STATUS_LINE + 1, b'x');
    assert_eq!(bad(&long), "the response's first line is too long");
}

#[test]
fn two_and_three_hundreds_pass() {
    assert!(!http::status_passes(199));
    assert!(http::status_passes(200) && http::status_passes(302) && http::status_passes(399));
    assert!(!http::status_passes(400) && !http::status_passes(503));
    assert_eq!(http::outcome(204), Outcome::Ok);
    assert_eq!(http::outcome(503), fail("HTTP status 503"));
}

proptest! {
    #[test]
    fn status_parsing_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = http::parse_status_line(&bytes);
    }

    #[test]
    fn every_prefix_of_a_response_waits_or_gives_the_code(code in 100u16..600, reason in "[A-Za-z ]{0,12}") {
        let response = format!("HTTP/1.1 {code} {reason}\r\nServer: x\r\n\r\n");
        let line_end = response.find('\n').unwrap();
        for cut in 0..=response.len() {
            let parsed = http::parse_status_line(&response.as_bytes()[..cut]);
            let expected = if cut > line_end { Some(code) } else { None };
            prop_assert_eq!(parsed, Ok(expected));
        }
    }
}
