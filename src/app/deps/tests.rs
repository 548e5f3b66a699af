//! Tests of the dependency graph, the gate and the restart cascade.

use proptest::prelude::*;

use super::*;

fn dep(app: &str, condition: Condition, restart: bool) -> Dependency {
    Dependency {
        app: app.to_owned(),
        condition,
        restart,
    }
}

/// A graph from `(name, ["dependency", ...])`, every dependency `ready`.
fn graph(apps: &[(&str, &[&str])]) -> Result<DepGraph, Vec<GraphError>> {
    let owned: Vec<(&str, Vec<Dependency>)> = apps
        .iter()
        .map(|(name, deps)| (*name, deps.iter().map(|d| Dependency::ready(*d)).collect()))
        .collect();
    DepGraph::new(owned.iter().map(|(n, d)| (*n, d.as_slice())))
}

fn messages(errors: Vec<GraphError>) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

#[test]
fn conditions_use_lowercase_names() {
    let json = serde_json::to_string(&[Condition::Started, Condition::Ready, Condition::Completed]);
    assert_eq!(json.unwrap(), r#"["started","ready","completed"]"#);
    let back: Condition = serde_json::from_str(r#""completed""#).unwrap();
    assert_eq!(back, Condition::Completed);
    for c in [Condition::Started, Condition::Ready, Condition::Completed] {
        assert_eq!(Condition::parse(c.as_str()), Some(c));
    }
    assert_eq!(Condition::parse("Ready"), None);
    assert_eq!(Condition::default(), Condition::Ready);
}

#[test]
fn start_order_puts_dependencies_first_and_keeps_declaration_order() {
    let g = graph(&[
        ("web", &["api"]),
        ("api", &["db", "cache"]),
        ("db", &[]),
        ("cache", &[]),
        ("shell", &[]),
    ])
    .unwrap();
    assert_eq!(g.start_order(), ["db", "cache", "api", "web", "shell"]);
    assert_eq!(g.stop_order(), ["web", "api", "db", "cache", "shell"]);
}

#[test]
fn independent_apps_keep_declaration_order() {
    let g = graph(&[("c", &[]), ("a", &[]), ("b", &[])]).unwrap();
    assert_eq!(g.start_order(), ["c", "a", "b"]);
    assert_eq!(g.stop_order(), ["c", "a", "b"]);
}

#[test]
fn closure_and_dependents_follow_edges_transitively() {
    let g = graph(&[
        ("web", &["api"]),
        ("api", &["db"]),
        ("db", &[]),
        ("worker", &["db"]),
        ("x", &[]),
    ])
    .unwrap();
    assert_eq!(g.closure("web").unwrap(), ["db", "api", "web"]);
    assert_eq!(g.closure("db").unwrap(), ["db"]);
    assert_eq!(g.dependents("db").unwrap(), ["api", "web", "worker"]);
    assert_eq!(g.dependents("web").unwrap(), Vec::<&str>::new());
    assert_eq!(g.direct_dependents("db").unwrap(), ["api", "worker"]);
    assert_eq!(g.dependencies("api").unwrap(), [Dependency::ready("db")]);
    assert!(g.contains("x") && !g.contains("y"));
    assert_eq!(
        g.names().collect::<Vec<_>>(),
        ["web", "api", "db", "worker", "x"]
    );
}

#[test]
fn unknown_names_are_reported_with_a_suggestion() {
    let errors = graph(&[("web", &["dbb", "nothing"]), ("db", &[])]).unwrap_err();
    assert_eq!(
        messages(errors),
        [
            "app `web` depends on `dbb`, which is not an app of this session; did you mean `db`?",
            "app `web` depends on `nothing`, which is not an app of this session",
        ]
    );
    let errors = graph(&[("web", &["wbe"]), ("cache", &[])]).unwrap_err();
    assert_eq!(
        messages(errors),
        ["app `web` depends on `wbe`, which is not an app of this session"]
    );
    let g = graph(&[("api", &[])]).unwrap();
    let err = g.closure("apj").unwrap_err();
    assert_eq!(err.to_string(), "no app named `apj`; did you mean `api`?");
    assert!(g.dependents("zzzz").is_err() && g.dependencies("zzzz").is_err());
}

#[test]
fn duplicate_names_are_refused() {
    let errors = graph(&[("a", &[]), ("a", &[])]).unwrap_err();
    assert_eq!(messages(errors), ["app `a` is declared more than once"]);
}

#[test]
fn cycles_are_named_in_order_from_the_first_declared_member() {
    let errors = graph(&[("x", &["b"]), ("a", &["b"]), ("b", &["c"]), ("c", &["a"])]).unwrap_err();
    assert_eq!(messages(errors), ["dependency cycle: a -> b -> c -> a"]);
    let errors = graph(&[("solo", &["solo"])]).unwrap_err();
    assert_eq!(messages(errors), ["dependency cycle: solo -> solo"]);
}

#[test]
fn find_cycle_ignores_unknown_names() {
    let deps = [
        vec![Dependency::ready("b"), Dependency::ready("ghost")],
        vec![Dependency::ready("a")],
    ];
    let apps = [("a", deps[0].as_slice()), ("b", deps[1].as_slice())];
    assert_eq!(
        find_cycle(apps),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
    let none: [Dependency; 0] = [];
    assert_eq!(find_cycle([("a", &none[..])]), None);
}

#[test]
fn a_long_chain_does_not_exhaust_the_stack() {
    let names: Vec<String> = (0..20_000).map(|i| format!("a{i}")).collect();
    let deps: Vec<Vec<Dependency>> = (0..names.len())
        .map(|i| {
            names
                .get(i + 1)
                .map(|n| Dependency::ready(n.as_str()))
                .into_iter()
                .collect()
        })
        .collect();
    let g = DepGraph::new(
        names
            .iter()
            .map(String::as_str)
            .zip(deps.iter().map(Vec::as_slice)),
    )
    .unwrap();
    assert_eq!(g.start_order().first().copied(), Some("a19999"));
    assert_eq!(g.closure("a0").unwrap().len(), names.len());
}

// --- gate ---

fn running(ready: bool) -> DepStatus {
    DepStatus {
        live: true,
        ready,
        ..DepStatus::default()
    }
}

fn finished(code: i32) -> DepStatus {
    DepStatus {
        finished: Some(ExitStatus::Code(code)),
        ..DepStatus::default()
    }
}

fn gate_of(deps: &[Dependency], statuses: &[(&str, DepStatus)]) -> Gate {
    gate(deps, |name| {
        statuses.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
    })
}

#[test]
fn no_dependencies_means_go() {
    assert_eq!(gate(&[], |_| None), Gate::Go);
}

#[test]
fn each_condition_is_met_by_its_state() {
    let deps = [
        dep("db", Condition::Ready, false),
        dep("log", Condition::Started, false),
        dep("migrate", Condition::Completed, false),
    ];
    let all = [
        ("db", running(true)),
        ("log", running(false)),
        ("migrate", finished(0)),
    ];
    assert_eq!(gate_of(&deps, &all), Gate::Go);
    // A one-shot that already finished cleanly counts as started.
    let started = [dep("task", Condition::Started, false)];
    assert_eq!(gate_of(&started, &[("task", finished(0))]), Gate::Go);
}

#[test]
fn unmet_conditions_wait_and_list_what_for() {
    let deps = [
        dep("db", Condition::Ready, false),
        dep("migrate", Condition::Completed, false),
        dep("log", Condition::Started, false),
    ];
    // db runs but its probe has not passed; migrate runs or sits in backoff; log is waiting.
    let statuses = [
        ("db", running(false)),
        ("migrate", running(false)),
        ("log", DepStatus::default()),
    ];
    let expected = vec![
        ("db".to_owned(), Condition::Ready),
        ("migrate".to_owned(), Condition::Completed),
        ("log".to_owned(), Condition::Started),
    ];
    let gate = gate_of(&deps, &statuses);
    assert_eq!(gate, Gate::Wait(expected.clone()));
    assert_eq!(gate.waiting_for(), expected);
    let backoff = [
        ("db", running(true)),
        ("migrate", DepStatus::default()),
        ("log", running(false)),
    ];
    assert_eq!(
        gate_of(&deps, &backoff),
        Gate::Wait(vec![("migrate".to_owned(), Condition::Completed)])
    );
}

fn blocked_reason(deps: &[Dependency], status: DepStatus) -> String {
    match gate(deps, |_| Some(status)) {
        Gate::Blocked(list) => list[0].2.clone(),
        other => panic!("expected Blocked, got {other:?}"),
    }
}

#[test]
fn broken_dependencies_block_with_a_reason() {
    let completed = [dep("migrate", Condition::Completed, false)];
    assert_eq!(
        blocked_reason(&completed, finished(1)),
        "`migrate` exited with code 1 and is not restarted"
    );
    let ready = [dep("db", Condition::Ready, false)];
    let errored = DepStatus {
        errored: true,
        finished: Some(ExitStatus::Code(1)),
        ..DepStatus::default()
    };
    assert_eq!(
        blocked_reason(&ready, errored),
        "`db` is errored (it kept exiting too soon)"
    );
    let gave_up = DepStatus {
        gave_up: true,
        ..running(false)
    };
    assert_eq!(
        blocked_reason(&ready, gave_up),
        "`db` is not ready: its readiness probe gave up"
    );
    let stopped = DepStatus {
        stopped: true,
        ..DepStatus::default()
    };
    assert_eq!(blocked_reason(&ready, stopped), "`db` is stopped");
    assert_eq!(
        blocked_reason(&ready, finished(0)),
        "`db` exited with code 0 and is not restarted"
    );
    let gone = gate(&ready, |_| None);
    assert_eq!(
        gone,
        Gate::Blocked(vec![(
            "db".into(),
            Condition::Ready,
            "`db` is not an app of this session".into()
        )])
    );
}

#[test]
fn a_started_dependency_does_not_care_about_readiness() {
    let started = [dep("db", Condition::Started, false)];
    let gave_up = DepStatus {
        gave_up: true,
        ..running(false)
    };
    assert_eq!(gate(&started, |_| Some(gave_up)), Gate::Go);
}

#[test]
fn blocked_wins_over_waiting() {
    let deps = [
        dep("db", Condition::Ready, false),
        dep("migrate", Condition::Completed, false),
    ];
    let statuses = [("db", running(false)), ("migrate", finished(2))];
    let Gate::Blocked(list) = gate_of(&deps, &statuses) else {
        panic!("expected Blocked");
    };
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0].0.as_str(), list[0].1),
        ("migrate", Condition::Completed)
    );
}

// --- restart cascade ---

fn cascade_graph() -> (Vec<(&'static str, Vec<Dependency>)>, DepGraph) {
    let apps = vec![
        ("db", vec![]),
        ("cache", vec![]),
        (
            "api",
            vec![
                dep("db", Condition::Ready, true),
                dep("cache", Condition::Started, true),
            ],
        ),
        ("web", vec![dep("db", Condition::Ready, false)]),
        ("idle", vec![dep("db", Condition::Ready, true)]),
    ];
    let g = DepGraph::new(apps.iter().map(|(n, d)| (*n, d.as_slice()))).unwrap();
    (apps, g)
}

#[test]
fn a_restart_marks_live_dependents_that_asked_for_it() {
    let (_, g) = cascade_graph();
    let mut cascade = RestartCascade::default();
    // `idle` asked too but is not running, so nothing restarts it.
    let status = |name: &str| {
        Some(if name == "idle" {
            DepStatus::default()
        } else {
            running(false)
        })
    };
    assert_eq!(cascade.restarted(&g, "db", status), ["api"]);
    assert!(cascade.is_pending("api") && !cascade.is_pending("web") && !cascade.is_pending("idle"));
    // Not due while db is not ready again.
    assert_eq!(cascade.due(&g, status), Vec::<String>::new());
    assert_eq!(cascade.due(&g, |_| Some(running(true))), ["api"]);
    assert!(!cascade.is_pending("api"));
    assert_eq!(
        cascade.due(&g, |_| Some(running(true))),
        Vec::<String>::new()
    );
}

#[test]
fn a_dependent_waits_for_every_restarted_dependency() {
    let (_, g) = cascade_graph();
    let mut cascade = RestartCascade::default();
    assert_eq!(
        cascade.restarted(&g, "db", |_| Some(running(true))),
        ["api", "idle"]
    );
    assert_eq!(
        cascade.restarted(&g, "cache", |_| Some(running(true))),
        ["api"]
    );
    // cache (started) is back, db (ready) is not yet.
    let partial = |name: &str| Some(running(name != "db"));
    assert!(cascade.due(&g, partial).is_empty());
    assert_eq!(cascade.due(&g, |_| Some(running(true))), ["api", "idle"]);
}

#[test]
fn forgetting_and_unknown_apps_clear_or_skip() {
    let (_, g) = cascade_graph();
    let mut cascade = RestartCascade::default();
    cascade.restarted(&g, "db", |_| Some(running(true)));
    cascade.forget("api");
    cascade.forget("idle");
    assert!(cascade.due(&g, |_| Some(running(true))).is_empty());
    assert!(
        cascade
            .restarted(&g, "nope", |_| Some(running(true)))
            .is_empty()
    );
    assert_eq!(cascade, RestartCascade::default());
}

// --- properties ---

/// Up to 12 apps with random edges (self-edges and cycles included).
fn any_edges() -> impl Strategy<Value = (usize, Vec<Vec<usize>>)> {
    (1usize..12).prop_flat_map(|n| {
        (
            Just(n),
            prop::collection::vec(prop::collection::vec(0..n, 0..4), n),
        )
    })
}

/// Random edges that only point to later-shuffled nodes, so the graph is acyclic.
fn any_dag() -> impl Strategy<Value = (usize, Vec<Vec<usize>>)> {
    any_edges()
        .prop_flat_map(|(n, edges)| {
            (
                Just(n),
                Just(edges),
                Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
            )
        })
        .prop_map(|(n, edges, rank)| {
            let acyclic = edges
                .into_iter()
                .enumerate()
                .map(|(a, list)| list.into_iter().filter(|&b| rank[b] < rank[a]).collect())
                .collect();
            (n, acyclic)
        })
}

fn build(n: usize, edges: &[Vec<usize>]) -> (Vec<String>, Vec<Vec<Dependency>>) {
    let names: Vec<String> = (0..n).map(|i| format!("app{i}")).collect();
    let deps = edges
        .iter()
        .map(|list| {
            list.iter()
                .map(|&b| Dependency::ready(names[b].as_str()))
                .collect()
        })
        .collect();
    (names, deps)
}

fn apps<'a>(
    names: &'a [String],
    deps: &'a [Vec<Dependency>],
) -> impl Iterator<Item = (&'a str, &'a [Dependency])> {
    names
        .iter()
        .map(String::as_str)
        .zip(deps.iter().map(Vec::as_slice))
}

/// The definition of the stable order: repeatedly take the first declared app whose
/// dependencies are all placed. `None` when the graph has a cycle.
fn reference_order(n: usize, edges: &[Vec<usize>]) -> Option<Vec<usize>> {
    let mut placed = vec![false; n];
    let mut order = Vec::new();
    while order.len() < n {
        let next = (0..n).find(|&a| !placed[a] && edges[a].iter().all(|&b| placed[b]))?;
        placed[next] = true;
        order.push(next);
    }
    Some(order)
}

proptest! {
    #[test]
    fn start_order_is_the_stable_topological_order((n, edges) in any_dag()) {
        let (names, deps) = build(n, &edges);
        let g = DepGraph::new(apps(&names, &deps)).unwrap();
        let expected: Vec<&str> = reference_order(n, &edges).unwrap().into_iter().map(|i| names[i].as_str()).collect();
        prop_assert_eq!(g.start_order(), expected);
    }

    #[test]
    fn stop_order_puts_every_dependent_before_its_dependencies((n, edges) in any_dag()) {
        let (names, deps) = build(n, &edges);
        let g = DepGraph::new(apps(&names, &deps)).unwrap();
        let stop = g.stop_order();
        prop_assert_eq!(stop.len(), n);
        let at = |i: usize| stop.iter().position(|s| *s == names[i]).unwrap();
        for (a, list) in edges.iter().enumerate() {
            for &b in list {
                prop_assert!(at(a) < at(b), "{} depends on {} but stops after it", names[a], names[b]);
            }
        }
        for (i, name) in names.iter().enumerate() {
            for d in g.dependents(name).unwrap() {
                prop_assert!(g.closure(d).unwrap().contains(&names[i].as_str()));
            }
        }
    }

    #[test]
    fn a_cycle_is_found_exactly_when_there_is_one((n, edges) in any_edges()) {
        let (names, deps) = build(n, &edges);
        let cyclic = reference_order(n, &edges).is_none();
        let found = find_cycle(apps(&names, &deps));
        prop_assert_eq!(found.is_some(), cyclic);
        prop_assert_eq!(DepGraph::new(apps(&names, &deps)).is_err(), cyclic);
        if let Some(cycle) = found {
            prop_assert!(cycle.len() >= 2);
            prop_assert_eq!(cycle.first(), cycle.last());
            let inner: BTreeSet<&String> = cycle[1..].iter().collect();
            prop_assert_eq!(inner.len(), cycle.len() - 1, "a member repeats: {:?}", cycle);
            for pair in cycle.windows(2) {
                let a = names.iter().position(|x| *x == pair[0]).unwrap();
                let b = names.iter().position(|x| *x == pair[1]).unwrap();
                prop_assert!(edges[a].contains(&b), "{} -> {} is not an edge", pair[0], pair[1]);
            }
        }
    }
}
