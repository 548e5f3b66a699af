//! The wire format of HTTP probes: the request bytes, and the status read back from the first
//! line of the response. Plain HTTP/1.1 with `Connection: close`; the rest of the response is
//! never needed. Pure: the runner owns the socket and its timeout.

use super::{Outcome, ProbeError};
pub use crate::probe_spec::{authority, bracketed};

/// The most bytes read while looking for the end of the status line; a server sending more
/// without a line break is not speaking HTTP.
pub const MAX_STATUS_LINE: usize = 1024;

/// The whole GET request for `path` on `host:port`.
pub fn request(host: &str, port: u16, path: &str) -> Vec<u8> {
    let host = authority(host, port);
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").into_bytes()
}

/// The status code from the start of a response: `Ok(None)` while the first line is not
/// complete yet, an error as soon as the bytes cannot be an HTTP/1.x status line.
pub fn parse_status_line(bytes: &[u8]) -> Result<Option<u16>, ProbeError> {
    const PREFIX: &[u8] = b"HTTP/1.";
    let seen = bytes.len().min(PREFIX.len());
    if bytes[..seen] != PREFIX[..seen] {
        return Err(not_http(bytes));
    }
    let Some(end) = memchr::memchr(b'\n', bytes) else {
        if bytes.len() > MAX_STATUS_LINE {
            return Err(ProbeError("the response's first line is too long".into()));
        }
        return Ok(None);
    };
    let line = bytes[..end].strip_suffix(b"\r").unwrap_or(&bytes[..end]);
    let mut parts = line.splitn(3, |&b| b == b' ');
    let version = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    let minor_ok = matches!(version, b"HTTP/1.0" | b"HTTP/1.1");
    let digits = code.len() == 3 && code.iter().all(u8::is_ascii_digit);
    if !minor_ok || !digits {
        return Err(not_http(line));
    }
    let code = code.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    if !(100..=599).contains(&code) {
        return Err(ProbeError(format!("invalid HTTP status {code}")));
    }
    Ok(Some(code))
}

fn not_http(start: &[u8]) -> ProbeError {
    let shown: String = String::from_utf8_lossy(&start[..start.len().min(40)])
        .chars()
        .map(|c| if c.is_control() { '.' } else { c })
        .collect();
    ProbeError(format!("not an HTTP response: {shown:?}"))
}

/// 2xx and 3xx pass: a redirect still proves the service answers.
pub fn status_passes(code: u16) -> bool {
    (200..400).contains(&code)
}

/// The outcome of an attempt that got `code` back.
pub fn outcome(code: u16) -> Outcome {
    if status_passes(code) {
        Outcome::Ok
    } else {
        Outcome::Fail(format!("HTTP status {code}"))
    }
}
