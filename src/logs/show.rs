//! How `appmux logs` prints timed lines: as they are (byte for byte), prefixed by the app's
//! name (coloured on a terminal, as `pm2 logs` does) when several apps are shown and by the
//! time with `--timestamps`, or one JSON object per line with `--json`. Following several
//! logs (or one with filters) runs a follower per log and prints whole lines as they come.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::mpsc;

use super::query::{Filter, Line};
use super::{ReadUpTo, follow, time};

/// How lines are printed.
#[derive(Debug, Clone, Default)]
pub struct Format {
    pub timestamps: bool,
    pub json: bool,
    /// Keep escape sequences in `--json` lines.
    pub ansi: bool,
    /// Prefix lines with the app's name, padded to this width.
    pub names: Option<usize>,
    /// Colour the names (stdout is a terminal).
    pub colour: bool,
}

/// Colours for app names, by the app's place in the list.
const COLOURS: [u8; 6] = [36, 33, 32, 35, 34, 31];
/// The width of a printed time, for lines whose time is unknown.
const TIME_WIDTH: usize = 24;

/// Prints one line of app number `i` called `app`.
pub fn print_line(
    out: &mut impl Write,
    fmt: &Format,
    i: usize,
    app: &str,
    line: &Line,
) -> io::Result<()> {
    if fmt.json {
        let time = line.time.map(time::rfc3339_ms);
        let text = if fmt.ansi {
            let raw = String::from_utf8_lossy(&line.bytes);
            raw.trim_end_matches(['\n', '\r']).to_owned()
        } else {
            line.plain()
        };
        let obj = crate::contract::LogLine {
            schema: crate::contract::SCHEMA,
            app: app.to_owned(),
            time,
            line: text,
        };
        let obj = serde_json::to_string(&obj).map_err(io::Error::other)?;
        return writeln!(out, "{obj}");
    }
    if let Some(width) = fmt.names {
        if fmt.colour {
            let c = COLOURS[i % COLOURS.len()];
            write!(out, "\x1b[{c}m{app:<width$}\x1b[0m | ")?;
        } else {
            write!(out, "{app:<width$} | ")?;
        }
    }
    if fmt.timestamps {
        let time = line.time.map_or_else(|| "-".into(), time::rfc3339_ms);
        write!(out, "{time:<TIME_WIDTH$} ")?;
    }
    out.write_all(&line.bytes)?;
    if !line.bytes.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Hands the whole lines of what a follower writes to a channel, stamped when they were read
/// (at most a wake-up after they were written).
struct LineSink {
    app: usize,
    partial: Vec<u8>,
    tx: mpsc::SyncSender<(usize, Line)>,
}

impl Write for LineSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let now = time::now_ms();
        self.partial.extend_from_slice(buf);
        while let Some(i) = memchr::memchr(b'\n', &self.partial) {
            let bytes: Vec<u8> = self.partial.drain(..=i).collect();
            let line = Line {
                time: Some(now),
                bytes,
            };
            self.tx
                .send((self.app, line))
                .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Lines read by the followers and not yet printed.
const FOLLOW_QUEUE: usize = 1024;

/// Follows every log from where it was read up to, printing the lines that pass `filter`
/// until stdout closes or every follower stopped.
pub fn follow_all(
    logs: Vec<(String, PathBuf, Option<ReadUpTo>)>,
    filter: &Filter,
    fmt: &Format,
    out: &mut impl Write,
) -> io::Result<()> {
    // Bounded: when stdout is slow, the followers wait instead of piling lines up.
    let (tx, rx) = mpsc::sync_channel(FOLLOW_QUEUE);
    let mut names = Vec::new();
    for (i, (app, path, from)) in logs.into_iter().enumerate() {
        names.push(app);
        let tx = tx.clone();
        std::thread::Builder::new()
            .name("appmux-follow".into())
            .spawn(move || {
                let mut sink = LineSink {
                    app: i,
                    partial: Vec::new(),
                    tx,
                };
                if let Err(e) = follow(&path, from, &mut sink) {
                    tracing::debug!(path = %path.display(), "following stopped: {e}");
                }
            })?;
    }
    drop(tx);
    while let Ok((i, line)) = rx.recv() {
        if filter.keeps(&line) {
            print_line(out, fmt, i, &names[i], &line)?;
        }
        // What is queued goes out together; the output waits for no line that is not here.
        for (i, line) in rx.try_iter() {
            if filter.keeps(&line) {
                print_line(out, fmt, i, &names[i], &line)?;
            }
        }
        out.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(fmt: &Format, line: &Line) -> String {
        let mut out = Vec::new();
        print_line(&mut out, fmt, 0, "api", line).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn lines_print_as_they_are_with_the_prefixes_asked_for() {
        let line = Line {
            time: Some(1_796_119_200_123),
            bytes: b"\x1b[1mhi\x1b[0m\r\n".to_vec(),
        };
        assert_eq!(shown(&Format::default(), &line), "\x1b[1mhi\x1b[0m\r\n");
        let fmt = Format {
            timestamps: true,
            names: Some(5),
            ..Format::default()
        };
        assert_eq!(
            shown(&fmt, &line),
            "api   | 2026-12-01T10:00:00.123Z \x1b[1mhi\x1b[0m\r\n"
        );
        let untimed = Line {
            time: None,
            bytes: b"x".to_vec(),
        };
        let fmt = Format {
            timestamps: true,
            ..Format::default()
        };
        assert_eq!(shown(&fmt, &untimed), format!("{:<24} x\n", "-"));
    }

    #[test]
    fn json_lines_strip_escapes_unless_ansi_is_asked() {
        let line = Line {
            time: Some(0),
            bytes: b"\x1b[31mred\x1b[0m\r\n".to_vec(),
        };
        let fmt = Format {
            json: true,
            ..Format::default()
        };
        let v: serde_json::Value = serde_json::from_str(&shown(&fmt, &line)).unwrap();
        assert_eq!(v["app"], "api");
        assert_eq!(v["time"], "1970-01-01T00:00:00.000Z");
        assert_eq!(v["line"], "red");
        let fmt = Format {
            json: true,
            ansi: true,
            ..Format::default()
        };
        let v: serde_json::Value = serde_json::from_str(&shown(&fmt, &line)).unwrap();
        assert_eq!(v["line"], "\x1b[31mred\x1b[0m");
    }
}
