//! The state file on disk: reading it tolerantly (the complete sessions of a file that was cut
//! short, a clear refusal of a newer format), writing it privately and atomically, and keeping
//! a file aside under a name no other file has. It deals in JSON values, not sessions: what a
//! session holds and how it comes back is `persist`'s.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::paths;

/// Format version of the state file. A file with a higher one is never read or replaced.
pub const VERSION: u64 = 1;

/// What a state file holds, as far as it could be read.
#[derive(Debug, Default)]
pub struct Contents {
    pub sessions: Vec<Value>,
    pub orphans: Vec<Value>,
    /// Why not all of it could be read (cut short, not JSON, a missing field).
    pub damage: Option<String>,
}

#[derive(Debug)]
pub enum Read {
    Missing,
    /// Written by a newer appmux (this format version): nothing is taken from it.
    Newer(u64),
    Found(Contents),
}

/// The largest state file read (only regular files are, never a FIFO or a device).
const MAX_STATE_BYTES: u64 = 64 << 20;

/// Reads the state file at `path`.
pub fn read(path: &Path) -> io::Result<Read> {
    match crate::config::file::read_regular(path, MAX_STATE_BYTES) {
        Ok(bytes) => Ok(parse(&bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Read::Missing),
        Err(e) => Err(e),
    }
}

/// Parses a state file: all of it when it is whole, else every complete session before the
/// point where it breaks off.
pub fn parse(bytes: &[u8]) -> Read {
    let (fields, damage) = match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => (map.into_iter().collect(), None),
        Ok(_) => (Vec::new(), Some("it is not a JSON object".to_owned())),
        Err(e) => {
            let (fields, at) = salvage(bytes);
            let sessions = fields
                .iter()
                .find(|(k, _)| k == "sessions")
                .and_then(|(_, v)| v.as_array())
                .map_or(0, Vec::len);
            let what = format!(
                "it can be read only up to byte {at} ({e}); {sessions} complete session(s) before that were read"
            );
            (fields, Some(what))
        }
    };
    let mut contents = Contents {
        damage,
        ..Default::default()
    };
    let mut version = None;
    for (key, value) in fields {
        match key.as_str() {
            "version" => version = value.as_u64(),
            "sessions" | "orphans" => {
                let Value::Array(items) = value else {
                    contents
                        .damage
                        .get_or_insert_with(|| format!("`{key}` is not a list"));
                    continue;
                };
                match key.as_str() {
                    "sessions" => contents.sessions = items,
                    _ => contents.orphans = items,
                }
            }
            _ => {}
        }
    }
    match version {
        Some(v) if v > VERSION => Read::Newer(v),
        Some(_) => Read::Found(contents),
        None => {
            contents
                .damage
                .get_or_insert_with(|| "it has no format version".to_owned());
            Read::Found(contents)
        }
    }
}

/// Walks the top-level object of a file that does not parse, keeping every field that is
/// whole and, of the `sessions` and `orphans` lists, every element that is whole. Returns the
/// fields and the byte where reading stopped.
fn salvage(bytes: &[u8]) -> (Vec<(String, Value)>, usize) {
    let mut s = Scanner { bytes, at: 0 };
    let mut fields = Vec::new();
    if !s.eat(b'{') {
        return (fields, s.at);
    }
    while let Some(key) = s.value::<String>() {
        if !s.eat(b':') {
            break;
        }
        if key == "sessions" || key == "orphans" {
            let (items, whole) = s.list();
            fields.push((key, Value::Array(items)));
            if !whole {
                break;
            }
        } else {
            let Some(v) = s.value::<Value>() else {
                break;
            };
            fields.push((key, v));
        }
        if !s.eat(b',') {
            break;
        }
    }
    (fields, s.at)
}

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scanner<'_> {
    fn skip_space(&mut self) {
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    /// Consumes `byte` (after any white space) if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        let found = self.bytes.get(self.at) == Some(&byte);
        if found {
            self.at += 1;
        }
        found
    }

    /// One whole JSON value, or `None` (and nothing consumed) if it is cut short or broken.
    fn value<T: DeserializeOwned>(&mut self) -> Option<T> {
        self.skip_space();
        let mut stream = serde_json::Deserializer::from_slice(&self.bytes[self.at..]).into_iter();
        let v = stream.next()?.ok()?;
        self.at += stream.byte_offset();
        Some(v)
    }

    /// The whole elements of a list, and whether the list itself was whole.
    fn list(&mut self) -> (Vec<Value>, bool) {
        let mut items = Vec::new();
        if !self.eat(b'[') {
            return (items, false);
        }
        if self.eat(b']') {
            return (items, true);
        }
        loop {
            let Some(v) = self.value::<Value>() else {
                return (items, false);
            };
            items.push(v);
            if self.eat(b']') {
                return (items, true);
            }
            if !self.eat(b',') {
                return (items, false);
            }
        }
    }
}

/// Writes `bytes` to `path` in a new 0600 temporary file, fsyncs it, renames it over the old
/// one and fsyncs the directory. A temporary file left behind (or a symlink planted in its
/// place) is removed first, never written through.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    paths::create_dir_private(dir).map_err(|e| io::Error::other(format!("{e:#}")))?;
    let tmp = path.with_extension("json.tmp");
    match std::fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut f = paths::create_private_new(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()
}

/// Moves the file at `path` to `PATH.TAG-SECS` (then `-2`, `-3` … if that exists), so that
/// no earlier file kept aside is ever replaced. Returns where it went.
pub fn keep_aside(path: &Path, tag: &str, secs: u64) -> io::Result<PathBuf> {
    let base = format!("{}.{tag}-{secs}", path.display());
    for n in 1..=1000u32 {
        let aside = PathBuf::from(match n {
            1 => base.clone(),
            n => format!("{base}-{n}"),
        });
        // A hard link, unlike a rename, fails instead of replacing what is there.
        match std::fs::hard_link(path, &aside) {
            Ok(()) => {
                std::fs::remove_file(path)?;
                return Ok(aside);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "{base}: too many files kept aside"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(r: Read) -> Contents {
        match r {
            Read::Found(c) => c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_whole_file_is_read_whole() {
        let c = found(parse(
            br#"{"version":1,"saved_at":5,"sessions":[{"name":"a"}],"orphans":[]}"#,
        ));
        assert_eq!(c.sessions.len(), 1);
        assert!(c.damage.is_none());
    }

    #[test]
    fn a_cut_file_gives_its_complete_sessions() {
        let whole = serde_json::to_vec_pretty(&serde_json::json!({
            "version": 1,
            "saved_at": 5,
            "sessions": [{"name": "a", "n": 1.5}, {"name": "b", "list": [1, 2]}],
            "orphans": [],
        }))
        .unwrap();
        let cut = whole.windows(3).position(|w| w == b"\"b\"").unwrap() + 2;
        let c = found(parse(&whole[..cut]));
        assert_eq!(c.sessions, vec![serde_json::json!({"name": "a", "n": 1.5})]);
        assert!(c.damage.unwrap().contains("1 complete session"));
        // Cut anywhere, it never panics and never invents a session.
        for end in 0..whole.len() {
            if let Read::Found(c) = parse(&whole[..end]) {
                assert!(c.sessions.len() <= 2);
            }
        }
    }

    #[test]
    fn a_newer_format_is_refused_and_a_missing_version_is_damage() {
        assert!(matches!(
            parse(br#"{"version":2,"sessions":[]}"#),
            Read::Newer(2)
        ));
        let c = found(parse(br#"{"sessions":[]}"#));
        assert!(c.damage.unwrap().contains("version"));
    }

    #[test]
    fn files_kept_aside_in_the_same_second_keep_their_own_names() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        std::fs::write(&p, b"one").unwrap();
        let first = keep_aside(&p, "bad", 7).unwrap();
        std::fs::write(&p, b"two").unwrap();
        let second = keep_aside(&p, "bad", 7).unwrap();
        assert_ne!(first, second);
        assert_eq!(std::fs::read(&first).unwrap(), b"one");
        assert_eq!(std::fs::read(&second).unwrap(), b"two");
        assert!(!p.exists());
    }

    #[test]
    fn atomic_writes_replace_the_file_privately_and_never_through_a_symlink() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        std::os::unix::fs::symlink(&victim, p.with_extension("json.tmp")).unwrap();
        write_atomically(&p, b"one").unwrap();
        write_atomically(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        assert!(!p.with_extension("json.tmp").exists());
        let mode = std::fs::metadata(&p).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
