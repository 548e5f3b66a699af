//! The module structure, read from the sources: which module may use which (DESIGN.md, STYLE.md)
//! and that no modules use each other in a circle.
//!
//! A module's uses are the `crate::`, `super::` and `self::` paths in its file, test modules
//! left out. A use between two modules counts between the siblings that hold them (a use of
//! `crate::config::doc` from `action::spec` is one of `action` on `config`), so a circle is
//! reported at the level where it can be undone; a module and its own children are one room.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module, as its path from the crate root: `["render", "screen"]`.
type Module = Vec<String>;

/// Every module of the crate and the text of its file, without test code.
fn modules() -> BTreeMap<Module, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect_rs(&src, &mut files);
    let mut modules = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap().with_extension("");
        let mut module: Module = rel
            .iter()
            .map(|c| c.to_string_lossy().into_owned())
            .collect();
        if module.last().is_some_and(|m| m == "tests") {
            continue;
        }
        if module.last().is_some_and(|m| m == "mod") || module == ["lib"] || module == ["main"] {
            module.pop();
        }
        let text = std::fs::read_to_string(&file).unwrap();
        modules.insert(module, without_tests_and_comments(&text));
    }
    modules
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file: its `#[cfg(test)] mod tests` (last in every file here) and its line
/// comments removed.
fn without_tests_and_comments(text: &str) -> String {
    let code = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    code.lines()
        .map(|line| line.find("//").map_or(line, |at| &line[..at]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths after `crate::`, `super::` or `self::` in `code`, each resolved from `module` to
/// a path from the crate root; a use tree (`crate::{a, b::{c, d}}`) gives one path per leaf.
fn used_paths(module: &Module, code: &str) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    for keyword in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(found) = code[from..].find(keyword) {
            let at = from + found;
            from = at + keyword.len();
            // Part of a longer name or path (`itself::`, the second `super::` of two).
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || b"_:".contains(&bytes[at - 1])) {
                continue;
            }
            let mut base: Vec<String> = match keyword {
                "crate::" => Vec::new(),
                "self::" => module.clone(),
                _ => module[..module.len().saturating_sub(1)].to_vec(),
            };
            let mut rest = &code[from..];
            while let Some(after) = rest.strip_prefix("super::") {
                base.pop();
                rest = after;
            }
            for tail in use_tree(rest) {
                let mut path = base.clone();
                path.extend(tail.into_iter().filter(|s| s != "self" && s != "*"));
                out.push(path);
            }
        }
    }
    out
}

/// The leaves of the use tree at the start of `text`: `a::b` or `a::{b, c::{d}}`.
fn use_tree(text: &str) -> Vec<Vec<String>> {
    let mut prefix = Vec::new();
    let mut rest = text;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..closing_brace(group)];
            return split_group(group)
                .into_iter()
                .flat_map(use_tree)
                .map(|tail| prefix.iter().cloned().chain(tail).collect())
                .collect();
        }
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '*'))
            .unwrap_or(rest.len());
        if len == 0 {
            return vec![prefix];
        }
        prefix.push(rest[..len].to_owned());
        rest = &rest[len..];
        match rest.strip_prefix("::") {
            Some(after) => rest = after,
            None => return vec![prefix],
        }
    }
}

/// The index of the `}` that closes a group whose `{` came just before `text`.
fn closing_brace(text: &str) -> usize {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return i,
            '}' => depth -= 1,
            _ => {}
        }
    }
    text.len()
}

/// The top-level, comma-separated items of a use group.
fn split_group(group: &str) -> Vec<&str> {
    let (mut depth, mut start, mut items) = (0, 0, Vec::new());
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(group[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(group[start..].trim());
    items.into_iter().filter(|s| !s.is_empty()).collect()
}

/// Who uses whom, between siblings: `a -> b` with the files that make the use.
fn sibling_uses() -> BTreeMap<Module, BTreeMap<Module, BTreeSet<String>>> {
    let modules = modules();
    let owner = |path: &[String]| {
        let mut path = path.to_vec();
        while !path.is_empty() && !modules.contains_key(&path) {
            path.pop();
        }
        path
    };
    let mut uses: BTreeMap<Module, BTreeMap<Module, BTreeSet<String>>> = BTreeMap::new();
    for (module, code) in &modules {
        for path in used_paths(module, code) {
            let target = owner(&path);
            let common = module
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            // A module and its ancestors or descendants are one room.
            if common >= module.len() || common >= target.len() {
                continue;
            }
            uses.entry(module[..=common].to_vec())
                .or_default()
                .entry(target[..=common].to_vec())
                .or_default()
                .insert(module.join("::"));
        }
    }
    uses
}

/// Every module `from` reaches by uses, directly or not.
fn reached(uses: &BTreeMap<Module, BTreeMap<Module, BTreeSet<String>>>, from: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![vec![from.to_owned()]];
    while let Some(module) = todo.pop() {
        for next in uses.get(&module).into_iter().flat_map(|m| m.keys()) {
            if seen.insert(next.clone()) {
                todo.push(next.clone());
            }
        }
    }
    seen.into_iter().map(|m| m.join("::")).collect()
}

/// A circle of uses through `start`, if there is one: the modules in order.
fn circle_through(
    uses: &BTreeMap<Module, BTreeMap<Module, BTreeSet<String>>>,
    start: &Module,
    skip: impl Fn(&Module, &Module) -> bool,
) -> Option<Vec<Module>> {
    let mut path = vec![start.clone()];
    let mut seen = BTreeSet::new();
    fn walk(
        uses: &BTreeMap<Module, BTreeMap<Module, BTreeSet<String>>>,
        start: &Module,
        path: &mut Vec<Module>,
        seen: &mut BTreeSet<Module>,
        skip: &dyn Fn(&Module, &Module) -> bool,
    ) -> bool {
        let here = path.last().unwrap().clone();
        for next in uses.get(&here).into_iter().flat_map(|m| m.keys()) {
            if skip(&here, next) {
                continue;
            }
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(uses, start, path, seen, skip) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    walk(uses, start, &mut path, &mut seen, &skip).then_some(path)
}

/// No modules use each other in a circle, at any level of the tree, the server's own files
/// included.
#[test]
fn no_modules_use_each_other_in_a_circle() {
    let uses = sibling_uses();
    let exempt = |_a: &Module, _b: &Module| false;
    let circles: Vec<String> = uses
        .keys()
        .filter_map(|start| circle_through(&uses, start, exempt))
        .map(|circle| {
            let names: Vec<String> = circle.iter().map(|m| m.join("::")).collect();
            format!("{} -> {}", names.join(" -> "), names[0])
        })
        .collect();
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

/// The finder itself: a use tree with groups and `super::` gives every module it names.
#[test]
fn use_trees_are_read_to_every_leaf() {
    let module: Module = vec!["render".into(), "screen".into()];
    let paths = used_paths(
        &module,
        "use crate::{a::{b, c::D}, e};\nuse super::color::{self, x};\nfn f() { super::super::g::h(); }",
    );
    let names: BTreeSet<String> = paths.iter().map(|p| p.join("::")).collect();
    let expected = [
        "a::b",
        "a::c::D",
        "e",
        "render::color",
        "render::color::x",
        "g::h",
    ];
    assert_eq!(names, expected.iter().map(|s| s.to_string()).collect());
}

/// A pane is a PTY and its emulator: it knows nothing of the wire format between client and
/// server (a pane's size is `size::Size`, not a protocol type).
#[test]
fn the_pane_does_not_depend_on_the_wire_format() {
    let reached = reached(&sibling_uses(), "pane");
    assert!(!reached.contains(&"protocol".to_owned()), "{reached:?}");
}

/// The client meets the server only in `protocol`.
#[test]
fn the_client_never_uses_server_code() {
    let reached = reached(&sibling_uses(), "client");
    assert!(!reached.contains(&"server".to_owned()), "{reached:?}");
    assert!(reached.contains(&"protocol".to_owned()), "{reached:?}");
}

/// The config layer reads files into plain data (`AppSpec` and the leaves it holds, such as
/// `dependency` and `probe_spec`) that the supervisor consumes; it never reaches the
/// supervisor itself, so the app model may hold a spec without an import circle.
#[test]
fn the_config_layer_does_not_depend_on_the_supervisor() {
    let reached = reached(&sibling_uses(), "config");
    assert!(!reached.contains(&"app".to_owned()), "{reached:?}");
    assert!(!reached.contains(&"server".to_owned()), "{reached:?}");
}

/// Where directories are comes from the environment in one place, `paths`.
#[test]
fn only_paths_reads_where_directories_are() {
    let variables = ["\"HOME\"", "\"XDG_", "\"TMPDIR\"", "\"TERMINFO\""];
    // A read, not a mention: the man page and unit files name these variables too.
    let reads = |code: &str| {
        variables.iter().any(|v| {
            ["var(", "var_os(", "env(", "remove_var("]
                .iter()
                .any(|call| code.contains(&format!("{call}{v}")))
        })
    };
    let readers: Vec<String> = modules()
        .into_iter()
        .filter(|(module, code)| module != &["paths"] && reads(code))
        .map(|(module, _)| module.join("::"))
        .collect();
    assert!(readers.is_empty(), "{readers:?}");
}
