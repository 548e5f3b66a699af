//! The `depends_on` vocabulary that project files, the control API and the supervisor all
//! speak: what a dependent needs of a dependency (`Condition`, `Dependency`), why a set of
//! declarations is not a usable graph (`GraphError`), and the cycle search over them
//! (`find_cycle`, `cycle_among`). A leaf: the config layer reads files into these types and
//! checks them here, and `app::deps` builds the graph and the gate on them, without either
//! depending on the other.

use std::collections::HashMap;

/// What a dependent needs of a dependency before it starts.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Condition {
    /// The dependency has a live process.
    Started,
    /// Its readiness probe passed; without a probe, it is running.
    #[default]
    Ready,
    /// It exited with code 0 (one-shot tasks such as migrations).
    Completed,
}

impl Condition {
    /// The spelling used in config files, `ls --json` and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Started => "started",
            Self::Ready => "ready",
            Self::Completed => "completed",
        }
    }

    /// Parses the config spelling (`started`, `ready`, `completed`).
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "started" => Some(Self::Started),
            "ready" => Some(Self::Ready),
            "completed" => Some(Self::Completed),
            _ => None,
        }
    }
}

impl std::fmt::Display for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of an app's `depends_on`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Dependency {
    pub app: String,
    pub condition: Condition,
    /// Restart the dependent once this dependency, after restarting, meets `condition` again.
    pub restart: bool,
}

impl Dependency {
    /// The short form, `depends_on = ["db"]`: wait until `db` is ready, no restart.
    pub fn ready(app: impl Into<String>) -> Self {
        Self {
            app: app.into(),
            condition: Condition::Ready,
            restart: false,
        }
    }
}

/// Why a set of apps does not form a usable graph, or a name is not in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("app `{0}` is declared more than once")]
    DuplicateApp(String),
    #[error(
        "app `{app}` depends on `{dependency}`, which is not an app of this session{}",
        did_you_mean(.suggestion.as_deref())
    )]
    UnknownDependency {
        app: String,
        dependency: String,
        suggestion: Option<String>,
    },
    /// The names in dependency order, the first repeated at the end: `a -> b -> a`.
    #[error("dependency cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    #[error("no app named `{name}`{}", did_you_mean(.suggestion.as_deref()))]
    NoSuchApp {
        name: String,
        suggestion: Option<String>,
    },
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
}

/// Looks for a dependency cycle among `apps` (name, `depends_on`) in declaration order,
/// ignoring dependencies on unknown names. Returns the names along the cycle, the first
/// repeated at the end: `["a", "b", "c", "a"]` for a → b → c → a. Of two apps with one name,
/// the first is the one dependents mean.
pub fn find_cycle<'a>(
    apps: impl IntoIterator<Item = (&'a str, &'a [Dependency])>,
) -> Option<Vec<String>> {
    let (names, deps): (Vec<&str>, Vec<&[Dependency]>) = apps.into_iter().unzip();
    let mut index = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        index.entry(*name).or_insert(i);
    }
    let needs: Vec<Vec<usize>> = deps
        .iter()
        .map(|list| {
            let mut needs = Vec::new();
            for &b in list.iter().filter_map(|dep| index.get(dep.app.as_str())) {
                if !needs.contains(&b) {
                    needs.push(b);
                }
            }
            needs
        })
        .collect();
    let cycle = cycle_among(&needs)?;
    Some(cycle.into_iter().map(|i| names[i].to_owned()).collect())
}

/// A cycle among nodes whose edges are `needs[a]` (the nodes `a` depends on), as indices
/// `[a, b, a]` starting at its earliest-declared member.
pub fn cycle_among(needs: &[Vec<usize>]) -> Option<Vec<usize>> {
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut mark = vec![NEW; needs.len()];
    for root in 0..needs.len() {
        if mark[root] != NEW {
            continue;
        }
        // An explicit stack of (node, next edge to follow), so a long chain cannot
        // overflow the thread's stack.
        let mut stack = vec![(root, 0)];
        mark[root] = OPEN;
        while let Some((node, edge)) = stack.last_mut() {
            let Some(&next) = needs[*node].get(*edge) else {
                mark[*node] = DONE;
                stack.pop();
                continue;
            };
            *edge += 1;
            match mark[next] {
                NEW => {
                    mark[next] = OPEN;
                    stack.push((next, 0));
                }
                OPEN => {
                    let from = stack.iter().position(|(n, _)| *n == next).unwrap_or(0);
                    let mut cycle: Vec<usize> = stack[from..].iter().map(|(n, _)| *n).collect();
                    let first = (0..cycle.len()).min_by_key(|&i| cycle[i]).unwrap_or(0);
                    cycle.rotate_left(first);
                    cycle.push(cycle[0]);
                    return Some(cycle);
                }
                _ => {}
            }
        }
    }
    None
}
