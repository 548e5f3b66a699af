//! Tests of probe parsing and validation: URLs, addresses, commands and patterns, the
//! defaults and the ranges.

use super::*;

fn err(result: Result<ProbeKind, ProbeError>) -> String {
    result.unwrap_err().to_string()
}

fn http_kind(host: &str, port: u16, path: &str) -> ProbeKind {
    ProbeKind::Http {
        host: host.into(),
        port,
        path: path.into(),
    }
}

#[test]
fn http_urls_parse_into_host_port_and_path() {
    let ok = |url| ProbeKind::http(url).unwrap();
    assert_eq!(
        ok("http://127.0.0.1:8080/health"),
        http_kind("127.0.0.1", 8080, "/health")
    );
    assert_eq!(ok("http://localhost"), http_kind("localhost", 80, "/"));
    assert_eq!(
        ok("HTTP://[::1]:9000/x?full=1"),
        http_kind("::1", 9000, "/x?full=1")
    );
    assert_eq!(
        ok("http://api.internal?q"),
        http_kind("api.internal", 80, "/?q")
    );
    assert_eq!(ok("http://h:81/a#frag"), http_kind("h", 81, "/a"));
}

#[test]
fn bad_http_urls_say_what_is_wrong() {
    assert_eq!(
        err(ProbeKind::http("https://127.0.0.1/health")),
        r#""https://127.0.0.1/health": https is not supported; probes send plain HTTP/1.1, use http://"#
    );
    let example = r#"expected a URL like "http://127.0.0.1:8080/health""#;
    assert_eq!(
        err(ProbeKind::http("127.0.0.1:8080/health")),
        format!(r#"invalid URL "127.0.0.1:8080/health": {example}"#)
    );
    assert!(err(ProbeKind::http("ftp://x/")).contains(example));
    assert!(err(ProbeKind::http("http://")).ends_with("the host is missing"));
    assert!(err(ProbeKind::http("http:///health")).ends_with("the host is missing"));
    assert!(
        err(ProbeKind::http("http://h:0/")).ends_with(r#"invalid port "0" (expected 1 to 65535)"#)
    );
    assert!(err(ProbeKind::http("http://h:99999/")).contains("invalid port"));
    assert!(err(ProbeKind::http("http://h:/")).contains("invalid port"));
    assert!(
        err(ProbeKind::http("http://u:p@h/"))
            .ends_with("user names and passwords are not supported")
    );
    assert!(
        err(ProbeKind::http("http://h/a b"))
            .ends_with("spaces and control characters must be percent-encoded")
    );
    assert!(err(ProbeKind::http("http://::1/")).contains("must be in brackets"));
    assert!(err(ProbeKind::http("http://[::1/")).contains("closing `]`"));
    assert!(err(ProbeKind::http("http://[zz]/")).contains("invalid IPv6 address"));
    assert!(err(ProbeKind::http("http://a$b/")).contains(r#"invalid host "a$b""#));
}

#[test]
fn tcp_addresses_need_a_host_and_a_port() {
    let tcp = |host: &str, port| ProbeKind::Tcp {
        host: host.into(),
        port,
    };
    assert_eq!(
        ProbeKind::tcp("127.0.0.1:5432").unwrap(),
        tcp("127.0.0.1", 5432)
    );
    assert_eq!(ProbeKind::tcp("[::1]:5432").unwrap(), tcp("::1", 5432));
    assert_eq!(ProbeKind::tcp("db.local:1").unwrap(), tcp("db.local", 1));
    assert_eq!(
        err(ProbeKind::tcp("127.0.0.1")),
        r#"invalid address "127.0.0.1": the port is missing; expected HOST:PORT like "127.0.0.1:5432""#
    );
    assert!(err(ProbeKind::tcp(":5432")).contains("the host is missing"));
    assert!(err(ProbeKind::tcp("h:70000")).contains("invalid port"));
    assert!(err(ProbeKind::tcp("a b:1")).contains("invalid host"));
    assert!(err(ProbeKind::tcp("[::1]")).contains("the port is missing"));
    assert!(err(ProbeKind::tcp("[::1]x")).contains("expected `:PORT`"));
}

#[test]
fn exec_commands_must_name_something_to_run() {
    let shell = CommandSpec::Shell("pg_isready -h 127.0.0.1".into());
    assert_eq!(
        ProbeKind::exec(shell.clone()).unwrap(),
        ProbeKind::Exec(shell)
    );
    let argv = CommandSpec::Argv(vec!["pg_isready".into()]);
    assert!(ProbeKind::exec(argv).is_ok());
    assert_eq!(
        err(ProbeKind::exec(CommandSpec::Shell("  ".into()))),
        "the command must not be empty"
    );
    assert!(err(ProbeKind::exec(CommandSpec::Argv(vec![]))).contains("program name"));
    assert!(
        err(ProbeKind::exec(CommandSpec::Argv(vec![
            String::new(),
            "x".into()
        ])))
        .contains("program name")
    );
    assert!(err(ProbeKind::exec(CommandSpec::Shell("a\0b".into()))).contains("NUL"));
}

#[test]
fn log_patterns_compile_or_explain() {
    let ProbeKind::Log(pattern) = ProbeKind::log("listening on .*:8080").unwrap() else {
        panic!("expected a log probe");
    };
    assert!(pattern.is_match("server listening on 0.0.0.0:8080"));
    assert!(!pattern.is_match("listening on 0.0.0.0:9090"));
    assert_eq!(pattern, LogPattern::new("listening on .*:8080").unwrap());
    let message = err(ProbeKind::log("listening (on"));
    assert_eq!(message, r#"invalid regex "listening (on": unclosed group"#);
    assert!(!message.contains('\n'));
    assert_eq!(err(ProbeKind::log("")), "the pattern must not be empty");
    assert!(err(ProbeKind::log(r"\w{1000}{1000}")).starts_with("invalid regex"));
}

#[test]
fn kinds_display_for_describe() {
    assert_eq!(
        http_kind("::1", 8080, "/h").to_string(),
        "http http://[::1]:8080/h"
    );
    assert_eq!(http_kind("a", 80, "/").to_string(), "http http://a/");
    assert_eq!(
        ProbeKind::tcp("[::1]:5").unwrap().to_string(),
        "tcp [::1]:5"
    );
    let exec = ProbeKind::exec(CommandSpec::Shell("true".into())).unwrap();
    assert_eq!(
        (exec.to_string().as_str(), exec.name()),
        ("exec true", "exec")
    );
    let log = ProbeKind::log("up").unwrap();
    assert_eq!(
        (log.to_string().as_str(), log.name(), log.is_polled()),
        ("log \"up\"", "log", false)
    );
}

#[test]
fn specs_have_the_documented_defaults_and_ranges() {
    let tcp = ProbeKind::tcp("127.0.0.1:1").unwrap();
    let ready = ProbeSpec::ready(tcp.clone());
    assert_eq!(
        (ready.interval, ready.timeout, ready.initial_delay),
        (
            Duration::from_secs(1),
            Duration::from_secs(1),
            Duration::ZERO
        )
    );
    assert_eq!((ready.timeout_total, ready.failures), (None, 3));
    let health = ProbeSpec::health(tcp.clone());
    assert_eq!(
        (health.interval, health.timeout, health.failures),
        (Duration::from_secs(10), Duration::from_secs(1), 3)
    );
    assert_eq!(ready.validate(Role::Ready), Ok(()));
    assert_eq!(health.validate(Role::Health), Ok(()));
    let bad = |spec: ProbeSpec, role| spec.validate(role).unwrap_err().to_string();
    let zero = ProbeSpec {
        interval: Duration::ZERO,
        ..ready.clone()
    };
    assert_eq!(
        bad(zero, Role::Ready),
        "`interval` must be between 10ms and 24h"
    );
    let long = ProbeSpec {
        initial_delay: Duration::from_secs(90_000),
        ..ready.clone()
    };
    assert_eq!(
        bad(long, Role::Ready),
        "`initial_delay` must be between 0s and 24h"
    );
    let no_failures = ProbeSpec {
        failures: 0,
        ..health.clone()
    };
    assert_eq!(
        bad(no_failures, Role::Health),
        "`failures` must be between 1 and 1000"
    );
    let total = ProbeSpec {
        timeout_total: Some(Duration::from_secs(5)),
        ..health.clone()
    };
    assert!(bad(total.clone(), Role::Health).contains("only to `ready`"));
    assert_eq!(total.validate(Role::Ready), Ok(()));
    let log = ProbeSpec::health(ProbeKind::log("up").unwrap());
    assert!(bad(log.clone(), Role::Health).contains("can only be a `ready` probe"));
    assert_eq!(log.validate(Role::Ready), Ok(()));
}
