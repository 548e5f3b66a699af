//! `instances` and `port` in an `[[app]]`: one entry that runs several copies of an app.
//!
//! This module owns the two keys (their types and ranges), the names and environment of each
//! instance (`api-0`, `api-1` ..., with `APPMUX_INSTANCE=N` and `PORT=port+N`), the checks
//! that a project's entries and instances do not clash by name, and the pure expansion of an
//! entry into its instances, which `appmux scale` uses too. A `depends_on` naming an entry
//! with instances means all of them; resolving that at run time is the supervisor's.

use std::ops::{Range, RangeInclusive};

use toml::de::DeTable;

use super::AppSpec;
use crate::config::doc::{Report, Value};

/// `instances` in a project file: at least one (zero would be an entry that runs nothing);
/// at most a number a sidebar and a machine can still hold.
pub const INSTANCES: RangeInclusive<u64> = 1..=MAX_INSTANCES as u64;
/// The most instances one entry runs, from the file or from `appmux scale`.
pub const MAX_INSTANCES: u32 = 64;
/// `port`: a TCP port.
pub const PORT: RangeInclusive<u64> = 1..=65535;

/// The variable that tells an instance its index.
pub const INSTANCE_VAR: &str = "APPMUX_INSTANCE";
/// The variable that tells an app its port.
pub const PORT_VAR: &str = "PORT";

/// Which copy of an entry with `instances` an app is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Instance {
    /// The entry's own name, which `depends_on` and `appmux scale` use for all its instances.
    pub group: String,
    pub index: u32,
}

/// An entry's `instances` and `port` as written, located.
#[derive(Debug, Default, Clone)]
pub(super) struct Declared {
    pub instances: Option<(u32, Range<usize>)>,
    pub port: Option<(u16, Range<usize>)>,
}

/// Reads `instances` and `port` from an `[[app]]` table, with their ranges, and checks that
/// the last instance's port is still a port.
pub(super) fn parse(report: &mut Report<'_>, table: &DeTable<'_>) -> Declared {
    let read = |report: &mut Report<'_>, key: &str, range: &RangeInclusive<u64>| {
        let value: &Value<'_> = table.get(key)?;
        let n = report.integer(value, key, *range.start(), *range.end())?;
        Some((n, value.span()))
    };
    let instances = read(report, "instances", &INSTANCES)
        .and_then(|(n, at)| Some((u32::try_from(n).ok()?, at)));
    let port = read(report, "port", &PORT).and_then(|(n, at)| Some((u16::try_from(n).ok()?, at)));
    if let (Some((count, _)), Some((port, at))) = (&instances, &port)
        && let Err(problem) = port_of(*port, count.saturating_sub(1))
    {
        report.error(at, format!("`port` {problem} (`instances = {count}`)"));
    }
    Declared { instances, port }
}

/// `api-3`: the name of instance `index` of the entry `group`.
pub fn instance_name(group: &str, index: u32) -> String {
    format!("{group}-{index}")
}

/// The port of instance `index`: `port + index`, which must stay a port.
pub fn port_of(port: u16, index: u32) -> Result<u16, String> {
    u32::from(port)
        .checked_add(index)
        .and_then(|p| u16::try_from(p).ok())
        .ok_or_else(|| {
            let last = u64::from(port) + u64::from(index);
            format!("{port} gives instance {index} port {last}, past 65535")
        })
}

/// Sets `key` in an environment kept sorted by key.
fn set_var(env: &mut Vec<(String, String)>, key: &str, value: String) {
    match env.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
        Ok(i) => env[i].1 = value,
        Err(i) => env.insert(i, (key.to_owned(), value)),
    }
}

/// An app without instances: `port` sets `PORT` (over `env` and env files, as the key says
/// what the app listens on).
pub fn single(mut spec: AppSpec) -> AppSpec {
    if let Some(port) = spec.port {
        set_var(&mut spec.env, PORT_VAR, port.to_string());
    }
    spec.instance = None;
    spec
}

/// Instance `index` of the entry `group`, made from `base`: the entry itself, or any instance
/// of it (whatever makes one instance differ from another is replaced here). Fails when the
/// name is not a valid app name or the port runs past 65535.
pub fn instance_spec(base: &AppSpec, group: &str, index: u32) -> Result<AppSpec, String> {
    let mut spec = base.clone();
    spec.name = instance_name(group, index);
    crate::names::check_app(&spec.name)?;
    if let Some(port) = spec.port {
        let port = port_of(port, index).map_err(|p| format!("`port` {p}"))?;
        set_var(&mut spec.env, PORT_VAR, port.to_string());
    }
    set_var(&mut spec.env, INSTANCE_VAR, index.to_string());
    spec.instance = Some(Instance {
        group: group.to_owned(),
        index,
    });
    Ok(spec)
}

/// The apps an entry stands for: itself, or its instances `0..count`.
pub(super) fn expand(spec: AppSpec, count: Option<u32>) -> Vec<AppSpec> {
    let Some(count) = count else {
        return vec![single(spec)];
    };
    let group = spec.name.clone();
    // Names and ports were checked with the entry; an instance that still fails is left out
    // rather than run under a wrong name.
    (0..count)
        .filter_map(|i| instance_spec(&spec, &group, i).ok())
        .collect()
}

/// One entry's name and instance count, located, for the checks between entries.
pub(super) struct Named<'a> {
    pub name: &'a str,
    pub name_at: Range<usize>,
    pub instances: Option<(u32, Range<usize>)>,
}

/// The checks between entries: an entry's instance names must be valid app names, and no
/// instance may have the name of another entry (reported at that entry's `name`, naming the
/// line of the `instances` that makes it).
pub(super) fn check_names(report: &mut Report<'_>, entries: &[Named<'_>]) {
    for entry in entries {
        let Some((count, at)) = &entry.instances else {
            continue;
        };
        let last = instance_name(entry.name, count.saturating_sub(1));
        if let Some(problem) = crate::names::problem(crate::names::Kind::App, &last) {
            let message = format!(
                "app `name` with `instances = {count}` gives instance names like {}, which {problem}",
                crate::names::quoted(&last)
            );
            report.error(&entry.name_at, message);
        }
        let line = report.line_of(at);
        for other in entries {
            let Some(index) = index_in(entry.name, other.name).filter(|i| i < count) else {
                continue;
            };
            let message = format!(
                "app name `{}` is also the name of instance {index} of `{}` (`instances = {count}` on line {line})",
                other.name, entry.name
            );
            report.error(&other.name_at, message);
        }
    }
}

/// The index `name` has as an instance of `group` (`api-2` → 2), if it is spelt like one.
pub fn index_in(group: &str, name: &str) -> Option<u32> {
    let digits = name.strip_prefix(group)?.strip_prefix('-')?;
    // `api-02` is not an instance name: indexes are written without leading zeros.
    if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `appmux scale APP N`: the count, from 0 (stop them all) to [`MAX_INSTANCES`].
pub fn parse_count(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n) if n <= MAX_INSTANCES => Ok(n),
        _ => Err(format!(
            "expected a number of instances from 0 to {MAX_INSTANCES}, found {}",
            crate::names::quoted(text)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CommandSpec;

    fn base() -> AppSpec {
        let mut spec =
            AppSpec::ad_hoc("api".into(), CommandSpec::Shell("serve".into()), "/".into());
        spec.env = vec![("A".into(), "1".into()), ("Z".into(), "2".into())];
        spec
    }

    fn var<'a>(spec: &'a AppSpec, key: &str) -> Option<&'a str> {
        spec.env
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn an_entry_expands_into_named_instances_with_their_index_and_port() {
        let mut spec = base();
        spec.port = Some(3000);
        let apps = expand(spec, Some(3));
        let names: Vec<&str> = apps.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["api-0", "api-1", "api-2"]);
        for (i, app) in apps.iter().enumerate() {
            assert_eq!(var(app, INSTANCE_VAR), Some(i.to_string().as_str()));
            assert_eq!(var(app, PORT_VAR), Some((3000 + i).to_string().as_str()));
            let instance = app.instance.as_ref().unwrap();
            assert_eq!((instance.group.as_str(), instance.index), ("api", i as u32));
            // The environment stays sorted, so equal specs compare equal.
            assert!(app.env.windows(2).all(|w| w[0].0 < w[1].0), "{:?}", app.env);
        }
    }

    #[test]
    fn without_instances_port_sets_port_and_nothing_else() {
        let mut spec = base();
        spec.env.push(("PORT".into(), "1".into()));
        spec.env.sort();
        spec.port = Some(8080);
        let apps = expand(spec, None);
        assert_eq!(apps.len(), 1);
        assert_eq!(apps[0].name, "api");
        assert_eq!(var(&apps[0], PORT_VAR), Some("8080"));
        assert_eq!(var(&apps[0], INSTANCE_VAR), None);
        assert_eq!(apps[0].instance, None);
        let plain = expand(base(), None);
        assert_eq!(var(&plain[0], PORT_VAR), None);
    }

    #[test]
    fn an_instance_made_from_another_instance_is_the_same_as_from_the_entry() {
        let mut spec = base();
        spec.port = Some(4000);
        let from_entry = instance_spec(&spec, "api", 5).unwrap();
        let two = instance_spec(&spec, "api", 2).unwrap();
        assert_eq!(instance_spec(&two, "api", 5).unwrap(), from_entry);
        assert_eq!(var(&from_entry, PORT_VAR), Some("4005"));
    }

    #[test]
    fn ports_past_65535_and_names_too_long_are_refused() {
        let mut spec = base();
        spec.port = Some(65534);
        assert!(instance_spec(&spec, "api", 1).is_ok());
        let err = instance_spec(&spec, "api", 2).unwrap_err();
        assert_eq!(err, "`port` 65534 gives instance 2 port 65536, past 65535");
        let long = "x".repeat(crate::names::MAX_LEN - 1);
        assert!(instance_spec(&base(), &long, 9).is_err());
    }

    #[test]
    fn instance_names_are_recognised_exactly() {
        assert_eq!(index_in("api", "api-0"), Some(0));
        assert_eq!(index_in("api", "api-12"), Some(12));
        for other in ["api", "api-", "api-01", "api-x", "api0", "web-1", "api-1-0"] {
            assert_eq!(index_in("api", other), None, "{other}");
        }
        assert_eq!(index_in("api-1", "api-1-0"), Some(0));
    }

    #[test]
    fn scale_counts_are_range_checked() {
        assert_eq!(parse_count("0"), Ok(0));
        assert_eq!(parse_count("64"), Ok(64));
        for bad in ["65", "-1", "x", "", "1.5"] {
            let err = parse_count(bad).unwrap_err();
            assert!(err.contains("from 0 to 64"), "{bad}: {err}");
        }
    }
}
