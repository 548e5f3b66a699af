//! Readiness and health probes as configured: what a probe checks (`ProbeKind`), its timing
//! (`ProbeSpec`), which probe of an app it is (`Role`), the limits on all of it, and the
//! validation that names the value at fault (`ProbeError`). A leaf: the config layer reads
//! `ready` and `health` tables into these types, and the supervisor (`app::probe`) schedules
//! and runs them, without either depending on the other.

use std::time::Duration;

use regex::{Regex, RegexBuilder};

use crate::command::CommandSpec;
use crate::units::format_duration;

/// Why a probe as written cannot be used; the message names the value and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ProbeError(pub(crate) String);

/// The longest an interval, timeout, delay or total may be.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);
/// The shortest interval or timeout, so a probe can never spin.
pub const MIN_INTERVAL: Duration = Duration::from_millis(10);
/// The most consecutive failures a health probe may wait for.
pub const MAX_FAILURES: u32 = 1000;
/// A compiled `log` pattern's memory bound, so a pattern cannot blow up the server.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The kinds a probe table may hold, one of them exactly, in the order messages list them.
pub const KINDS: [&str; 4] = ["http", "tcp", "exec", "log"];

/// Which probe of an app this is; it decides what results mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `ready`: runs from the app's start until it first passes.
    Ready,
    /// `health`: runs once the app is ready; enough failures in a row restart the app.
    Health,
}

/// What a probe checks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeKind {
    /// A GET answered with a 2xx or 3xx status. `host` is bare (an IPv6 address without
    /// brackets), ready for a connect call.
    Http {
        host: String,
        port: u16,
        path: String,
    },
    /// A TCP connect succeeds.
    Tcp { host: String, port: u16 },
    /// The command exits with code 0, run in the app's cwd with its environment.
    Exec(CommandSpec),
    /// A line of this run's output matches.
    Log(LogPattern),
}

/// A compiled `log` pattern; equal when written the same. Serialized as the pattern text, and
/// compiled again (with the same bound) when read back.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct LogPattern(Regex);

impl From<LogPattern> for String {
    fn from(pattern: LogPattern) -> Self {
        pattern.as_str().to_owned()
    }
}

impl TryFrom<String> for LogPattern {
    type Error = ProbeError;

    fn try_from(pattern: String) -> Result<Self, ProbeError> {
        Self::new(&pattern)
    }
}

impl PartialEq for LogPattern {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for LogPattern {}

impl LogPattern {
    /// Compiles `pattern` (Rust regex syntax), bounded in size.
    pub fn new(pattern: &str) -> Result<Self, ProbeError> {
        if pattern.is_empty() {
            return Err(ProbeError("the pattern must not be empty".into()));
        }
        let compiled = RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|err| {
                // The regex crate's message spans lines, with the pattern and a caret; a
                // config error is one line.
                let detail = err.to_string();
                let last = detail.lines().last().unwrap_or_default().trim();
                let last = last.strip_prefix("error: ").unwrap_or(last);
                ProbeError(format!("invalid regex {pattern:?}: {last}"))
            })?;
        Ok(Self(compiled))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Whether one line of output (without its line ending) matches.
    pub fn is_match(&self, line: &str) -> bool {
        self.0.is_match(line)
    }
}

impl ProbeKind {
    /// `http = "http://HOST[:PORT][/PATH]"`: plain HTTP only; the port defaults to 80 and the
    /// path to `/`.
    pub fn http(url: &str) -> Result<Self, ProbeError> {
        let example = "expected a URL like \"http://127.0.0.1:8080/health\"";
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        if lower.starts_with("https://") {
            return Err(ProbeError(format!(
                "{url:?}: https is not supported; probes send plain HTTP/1.1, use http://"
            )));
        }
        let rest = match url.get(..7) {
            Some(scheme) if scheme.eq_ignore_ascii_case("http://") => &url[7..],
            _ => return Err(ProbeError(format!("invalid URL {url:?}: {example}"))),
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let (authority, path) = match rest.find(['/', '?']) {
            Some(at) if rest[at..].starts_with('?') => (&rest[..at], format!("/{}", &rest[at..])),
            Some(at) => (&rest[..at], rest[at..].to_owned()),
            None => (rest, "/".to_owned()),
        };
        if authority.contains('@') {
            let message =
                format!("invalid URL {url:?}: user names and passwords are not supported");
            return Err(ProbeError(message));
        }
        if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            let message = format!(
                "invalid URL {url:?}: spaces and control characters must be percent-encoded"
            );
            return Err(ProbeError(message));
        }
        let (host, port) = host_port(authority, Some(80))
            .map_err(|why| ProbeError(format!("invalid URL {url:?}: {why}")))?;
        Ok(Self::Http { host, port, path })
    }

    /// `tcp = "HOST:PORT"`, with an IPv6 host in brackets: `"[::1]:5432"`.
    pub fn tcp(address: &str) -> Result<Self, ProbeError> {
        let (host, port) = host_port(address, None).map_err(|why| {
            ProbeError(format!(
                "invalid address {address:?}: {why}; expected HOST:PORT like \"127.0.0.1:5432\""
            ))
        })?;
        Ok(Self::Tcp { host, port })
    }

    /// `exec = "..."` (under `sh -c`) or `exec = ["prog", "arg"]` (run directly).
    pub fn exec(command: CommandSpec) -> Result<Self, ProbeError> {
        let problem = match &command {
            CommandSpec::Shell(script) if script.trim().is_empty() => {
                Some("the command must not be empty")
            }
            CommandSpec::Argv(argv) if argv.first().is_none_or(|p| p.is_empty()) => {
                Some("the command must start with a program name")
            }
            _ => None,
        };
        if let Some(problem) = problem {
            return Err(ProbeError(problem.into()));
        }
        if command.argv().iter().any(|arg| arg.contains('\0')) {
            return Err(ProbeError(
                "the command must not contain a NUL character".into(),
            ));
        }
        Ok(Self::Exec(command))
    }

    /// `log = "REGEX"`.
    pub fn log(pattern: &str) -> Result<Self, ProbeError> {
        LogPattern::new(pattern).map(Self::Log)
    }

    /// The key the kind is written with: `http`, `tcp`, `exec` or `log`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Http { .. } => KINDS[0],
            Self::Tcp { .. } => KINDS[1],
            Self::Exec(_) => KINDS[2],
            Self::Log(_) => KINDS[3],
        }
    }

    /// Whether the schedule starts attempts; a `log` probe is fed by the app's output instead.
    pub fn is_polled(&self) -> bool {
        !matches!(self, Self::Log(_))
    }
}

impl std::fmt::Display for ProbeKind {
    /// One line for `describe` and log markers: `http http://127.0.0.1:8080/health`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Http { host, port, path } => {
                write!(f, "http http://{}{path}", authority(host, *port))
            }
            Self::Tcp { host, port } => write!(f, "tcp {}:{port}", bracketed(host)),
            Self::Exec(command) => write!(f, "exec {}", command.display()),
            Self::Log(pattern) => write!(f, "log {:?}", pattern.as_str()),
        }
    }
}

/// Splits `HOST:PORT` (`[V6]:PORT`); the port may be left out when there is a default.
fn host_port(text: &str, default_port: Option<u16>) -> Result<(String, u16), String> {
    let (host, port) = if let Some(inner) = text.strip_prefix('[') {
        let (host, after) = inner
            .split_once(']')
            .ok_or("an IPv6 address needs a closing `]`")?;
        if !host
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
            || host.is_empty()
        {
            return Err(format!("invalid IPv6 address {host:?}"));
        }
        match after {
            "" => (host, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None => return Err("expected `:PORT` after the IPv6 address".into()),
            },
        }
    } else {
        match text.rsplit_once(':') {
            Some((host, _)) if host.contains(':') => {
                return Err("an IPv6 address must be in brackets, like [::1]:8080".into());
            }
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    if host.is_empty() {
        return Err("the host is missing".into());
    }
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ".-_:".contains(c))
    {
        return Err(format!("invalid host {host:?}"));
    }
    let port = match (port, default_port) {
        (Some(port), _) => match port.parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => return Err(format!("invalid port {port:?} (expected 1 to 65535)")),
        },
        (None, Some(port)) => port,
        (None, None) => return Err("the port is missing".into()),
    };
    Ok((host.to_owned(), port))
}

/// A probe as configured: what it checks and its timing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProbeSpec {
    pub kind: ProbeKind,
    /// Between the starts of two attempts.
    pub interval: Duration,
    /// The most one attempt may take; past it the attempt fails.
    pub timeout: Duration,
    /// Before the first attempt, from the app's start (or from ready, for health).
    pub initial_delay: Duration,
    /// Readiness only: past this much time since the start without a pass, give up.
    pub timeout_total: Option<Duration>,
    /// Health only: consecutive failures that make the app unhealthy.
    pub failures: u32,
}

impl ProbeSpec {
    /// A `ready` probe with the defaults: every 1s, 1s per attempt, no delay, no total limit.
    pub fn ready(kind: ProbeKind) -> Self {
        Self {
            kind,
            interval: Duration::from_secs(1),
            timeout: Duration::from_secs(1),
            initial_delay: Duration::ZERO,
            timeout_total: None,
            failures: 3,
        }
    }

    /// A `health` probe with the defaults: every 10s, 1s per attempt, unhealthy after 3
    /// failures in a row.
    pub fn health(kind: ProbeKind) -> Self {
        Self {
            interval: Duration::from_secs(10),
            ..Self::ready(kind)
        }
    }

    /// Checks the ranges (so time arithmetic cannot overflow and nothing spins) and that the
    /// kind suits the role. The message names the key.
    pub fn validate(&self, role: Role) -> Result<(), ProbeError> {
        let range = |key: &str, value: Duration, min: Duration| {
            if value < min || value > MAX_DURATION {
                let (min, max) = (format_duration(min), format_duration(MAX_DURATION));
                return Err(ProbeError(format!(
                    "`{key}` must be between {min} and {max}"
                )));
            }
            Ok(())
        };
        range("interval", self.interval, MIN_INTERVAL)?;
        range("timeout", self.timeout, MIN_INTERVAL)?;
        range("initial_delay", self.initial_delay, Duration::ZERO)?;
        if let Some(total) = self.timeout_total {
            range("timeout_total", total, MIN_INTERVAL)?;
            if role == Role::Health {
                return Err(ProbeError(
                    "`timeout_total` applies only to `ready` probes".into(),
                ));
            }
        }
        if !(1..=MAX_FAILURES).contains(&self.failures) {
            return Err(ProbeError(format!(
                "`failures` must be between 1 and {MAX_FAILURES}"
            )));
        }
        if role == Role::Health && !self.kind.is_polled() {
            let message = "a `log` probe can only be a `ready` probe: output cannot say an app is still healthy";
            return Err(ProbeError(message.into()));
        }
        Ok(())
    }
}

/// `host` as it appears in a URL or `Host` header: IPv6 addresses in brackets.
pub fn bracketed(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

/// `host:port`, with the port left out when it is HTTP's default, as a browser writes it.
pub fn authority(host: &str, port: u16) -> String {
    match port {
        80 => bracketed(host),
        _ => format!("{}:{port}", bracketed(host)),
    }
}

#[cfg(test)]
mod tests;
