//! Reading a log by line with the time each line began (from the index beside each file):
//! filtering by time and by a pattern, the last N of what is kept, and merging the logs of
//! several apps in time order. Files wholly before `--since` are skipped by their index alone.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use regex::Regex;

use super::index::{self, Entry};
use super::{ReadUpTo, open_all, rotated};

/// One line of a log: its bytes (with its newline, unless it is the unfinished last one) and
/// when it began (`None` when its index entry is missing: an index deleted or cut short).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub time: Option<u64>,
    pub bytes: Vec<u8>,
}

impl Line {
    /// The line as text without its line ending or escape sequences, as `--grep` and
    /// `--json` see it.
    pub fn plain(&self) -> String {
        let text = String::from_utf8_lossy(&self.bytes);
        let text = text.trim_end_matches(['\n', '\r']);
        text.split('\t')
            .map(crate::render::overlay::strip_escapes)
            .collect::<Vec<_>>()
            .join("\t")
    }
}

/// Which lines to keep. A line with no known time is left out when a time bound is given.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub since: Option<u64>,
    pub until: Option<u64>,
    pub grep: Option<Regex>,
}

impl Filter {
    pub fn keeps(&self, line: &Line) -> bool {
        let timed = self.since.is_none() && self.until.is_none()
            || line.time.is_some_and(|t| {
                self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t <= u)
            });
        timed
            && self
                .grep
                .as_ref()
                .is_none_or(|re| re.is_match(&line.plain()))
    }
}

/// The lines of one log file, read from byte `base` on into `data`, with their times from
/// `entries` (sorted by offset).
pub fn lines_of(data: &[u8], base: u64, entries: &[Entry]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut next = entries.iter().peekable();
    let mut start = 0;
    while start < data.len() {
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i + 1);
        let at = base + start as u64;
        while next.next_if(|e| e.offset < at).is_some() {}
        let time = next.next_if(|e| e.offset == at).map(|e| e.time);
        lines.push(Line {
            time,
            bytes: data[start..end].to_vec(),
        });
        start = end;
    }
    lines
}

/// The kept lines of the log at `path` across its rotated files, oldest first, the last `n`
/// of them, and where the live file was read up to for a follower. With `whole_lines`, an
/// unfinished last line is left for the follower to print once it is finished.
pub fn read_lines(
    path: &Path,
    filter: &Filter,
    n: usize,
    whole_lines: bool,
) -> io::Result<(Vec<Line>, Option<ReadUpTo>)> {
    let Some(look) = open_all(path) else {
        return Ok((Vec::new(), None));
    };
    let mut up_to = None;
    let mut files: Vec<(File, std::path::PathBuf, bool)> = Vec::new();
    if let Some((f, id)) = look.live {
        up_to = Some(ReadUpTo {
            file: id,
            offset: 0,
        });
        files.push((f, path.to_owned(), true));
    }
    for (i, (f, _)) in look.rotated.into_iter().enumerate() {
        files.push((f, rotated(path, i as u32 + 1), false));
    }
    // Newest file first, until enough lines are kept or the files are older than `since`.
    let mut newest_first: Vec<Vec<Line>> = Vec::new();
    let mut kept = 0;
    for (mut f, file_path, live) in files {
        let entries = index::read(&file_path);
        let before_since = |t: u64| filter.since.is_some_and(|s| t < s);
        if !live && entries.last().is_some_and(|e| before_since(e.time)) {
            break;
        }
        // Times only go up within a file, so the index is searched rather than the log
        // scanned: reading starts at the first line from `since` on and ends before the first
        // line after `until` (in the live file, only when nobody follows it).
        let plain = filter.since.is_none() && filter.until.is_none() && filter.grep.is_none();
        let from = match filter.since {
            Some(s) => entries.partition_point(|e| e.time < s),
            // Every line is kept: the last `n` still wanted start at the index's entry that
            // many from its end (lines the index missed only add to them).
            None if plain => entries.len().saturating_sub(n - kept),
            None => 0,
        };
        let to = match filter.until {
            Some(u) if !(live && whole_lines) => entries.partition_point(|e| e.time <= u),
            _ => entries.len(),
        };
        let start = match filter.since {
            // A line with no time is left out under a time bound, so one past every line
            // the index knows is the end of the file.
            Some(_) => match entries.get(from) {
                Some(e) => e.offset,
                None => f.metadata()?.len(),
            },
            None if from > 0 => entries[from].offset,
            None => 0,
        };
        f.seek(SeekFrom::Start(start))?;
        let mut data = Vec::new();
        match entries.get(to) {
            Some(end) => (&mut f)
                .take(end.offset.saturating_sub(start))
                .read_to_end(&mut data)?,
            None => f.read_to_end(&mut data)?,
        };
        if live && whole_lines && !data.ends_with(b"\n") {
            let cut = memchr::memrchr(b'\n', &data).map_or(0, |i| i + 1);
            data.truncate(cut);
        }
        if let Some(u) = up_to.as_mut().filter(|_| live) {
            u.offset = start + data.len() as u64;
        }
        let lines: Vec<Line> = lines_of(&data, start, &entries[from..to.max(from)])
            .into_iter()
            .filter(|l| filter.keeps(l))
            .collect();
        kept += lines.len();
        newest_first.push(lines);
        if kept >= n || entries.first().is_some_and(|e| before_since(e.time)) {
            break;
        }
    }
    let mut all: Vec<Line> = newest_first.into_iter().rev().flatten().collect();
    let skip = all.len().saturating_sub(n);
    all.drain(..skip);
    Ok((all, up_to))
}

/// Several apps' lines merged in time order, each app's own order kept; a line with no time
/// goes with the line before it in its app.
pub fn merge(logs: Vec<Vec<Line>>) -> Vec<(usize, Line)> {
    let mut heads: Vec<std::iter::Peekable<std::vec::IntoIter<Line>>> =
        logs.into_iter().map(|l| l.into_iter().peekable()).collect();
    let mut last = vec![0u64; heads.len()];
    let mut out = Vec::new();
    loop {
        let pick = heads
            .iter_mut()
            .enumerate()
            .filter_map(|(i, h)| Some((h.peek()?.time.unwrap_or(last[i]), i)))
            .min();
        let Some((key, i)) = pick else {
            return out;
        };
        last[i] = key;
        if let Some(line) = heads[i].next() {
            out.push((i, line));
        }
    }
}

/// The last `n` of merged lines.
pub fn last_n<T>(mut lines: Vec<T>, n: usize) -> Vec<T> {
    let skip = lines.len().saturating_sub(n);
    lines.drain(..skip);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LogSpec;
    use crate::logs::AppLog;

    fn text(lines: &[Line]) -> Vec<(Option<u64>, String)> {
        lines
            .iter()
            .map(|l| (l.time, String::from_utf8_lossy(&l.bytes).into_owned()))
            .collect()
    }

    #[test]
    fn lines_carry_the_time_they_began_across_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let spec = LogSpec {
            max_size: 16,
            max_files: 10,
        };
        let mut log = AppLog::new(dir.path().join("a.log"), spec);
        log.write_at(b"one\ntwo\n", 1000);
        log.write_at(b"three is long", 2000);
        log.write_at(b"\nfour\n", 3000);
        let (all, _) = read_lines(log.path(), &Filter::default(), 100, false).unwrap();
        let lines: Vec<(Option<u64>, String)> = text(&all);
        // "three is long\n" was cut by rotation; it began at 2000, its tail is a line of the
        // next file that began at 3000.
        assert_eq!(lines[0], (Some(1000), "one\n".into()));
        assert_eq!(lines[1], (Some(1000), "two\n".into()));
        assert_eq!(lines[2].0, Some(2000));
        let joined: String = lines.iter().map(|l| l.1.as_str()).collect();
        assert_eq!(joined, "one\ntwo\nthree is long\nfour\n");
        assert_eq!(lines.last().unwrap(), &(Some(3000), "four\n".into()));
    }

    #[test]
    fn since_until_grep_and_n_select_lines() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = AppLog::new(dir.path().join("a.log"), LogSpec::default());
        for i in 0..10u64 {
            log.write_at(format!("line {i}\n").as_bytes(), 1000 * i);
        }
        let read = |filter: Filter, n| {
            let (lines, _) = read_lines(log.path(), &filter, n, false).unwrap();
            text(&lines).into_iter().map(|l| l.1).collect::<Vec<_>>()
        };
        let window = Filter {
            since: Some(3000),
            until: Some(5000),
            ..Filter::default()
        };
        assert_eq!(
            read(window.clone(), 100),
            ["line 3\n", "line 4\n", "line 5\n"]
        );
        assert_eq!(read(window, 2), ["line 4\n", "line 5\n"]);
        let grep = Filter {
            grep: Some(Regex::new("[27]$").unwrap()),
            ..Filter::default()
        };
        assert_eq!(read(grep, 100), ["line 2\n", "line 7\n"]);
        let future = Filter {
            since: Some(u64::MAX),
            ..Filter::default()
        };
        assert!(read(future, 100).is_empty());
    }

    proptest::proptest! {
        /// Seeking by the index selects exactly what reading every line and filtering would,
        /// wherever the bounds fall: inside a file, between files, before or after all; and
        /// the last N lines read from the index's entry N from the end are the last N.
        #[test]
        fn seeking_by_time_selects_what_a_full_scan_would(
            steps in proptest::collection::vec((1usize..40, 0u64..3), 1..60),
            since in proptest::option::of(0u64..130),
            until in proptest::option::of(0u64..130),
            follow in proptest::bool::ANY,
            n in 1usize..80,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let spec = LogSpec { max_size: 64, max_files: 1000 };
            let mut log = AppLog::new(dir.path().join("a.log"), spec);
            let mut time = 0;
            for (i, (len, dt)) in steps.iter().enumerate() {
                time += dt;
                log.write_at(format!("{i} {}\n", "x".repeat(*len)).as_bytes(), time);
            }
            let (every, _) = read_lines(log.path(), &Filter::default(), usize::MAX, follow).unwrap();
            let filter = Filter { since, until, grep: None };
            let want: Vec<Line> = every.into_iter().filter(|l| filter.keeps(l)).collect();
            let (got, _) = read_lines(log.path(), &filter, usize::MAX, follow).unwrap();
            proptest::prop_assert_eq!(text(&got), text(&want));
            // The last `n` with no filter, read from the index's entry `n` from the end.
            let (every, _) = read_lines(log.path(), &Filter::default(), usize::MAX, follow).unwrap();
            let (tail, _) = read_lines(log.path(), &Filter::default(), n, follow).unwrap();
            proptest::prop_assert_eq!(text(&tail), text(&last_n(every, n)));
        }
    }

    #[test]
    fn a_deleted_index_leaves_the_log_whole_with_times_unknown_until_new_lines() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = AppLog::new(dir.path().join("a.log"), LogSpec::default());
        log.write_at(b"old\n", 1000);
        std::fs::remove_file(index::index_path(log.path())).unwrap();
        log.last_check = None;
        log.write_at(b"new\n", 2000);
        let (lines, _) = read_lines(log.path(), &Filter::default(), 100, false).unwrap();
        assert_eq!(
            text(&lines),
            [(None, "old\n".into()), (Some(2000), "new\n".into())]
        );
    }

    #[test]
    fn merging_keeps_each_apps_order_and_interleaves_by_time() {
        let l = |t: Option<u64>, s: &str| Line {
            time: t,
            bytes: s.as_bytes().to_vec(),
        };
        let a = vec![l(Some(1), "a1"), l(None, "a?"), l(Some(5), "a5")];
        let b = vec![l(Some(2), "b2"), l(Some(3), "b3")];
        let merged: Vec<String> = merge(vec![a, b])
            .into_iter()
            .map(|(i, l)| format!("{i}:{}", String::from_utf8_lossy(&l.bytes)))
            .collect();
        assert_eq!(merged, ["0:a1", "0:a?", "1:b2", "1:b3", "0:a5"]);
        assert_eq!(
            Line {
                time: None,
                bytes: b"\x1b[31mred\x1b[0m\tx\r\n".to_vec()
            }
            .plain(),
            "red\tx"
        );
    }
}
