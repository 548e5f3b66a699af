//! Tests for `instances` and `port` in a project file: the apps an entry expands into, and
//! each bad input with its exact location and message.

use super::{app_with, load, problem, problems};

fn env<'a>(spec: &'a crate::config::AppSpec, key: &str) -> Option<&'a str> {
    spec.env
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[test]
fn an_entry_with_instances_becomes_that_many_apps() {
    let text = app_with("instances = 3\nport = 3000\n")
        + "[[app]]\nname = \"web\"\ncmd = \"w\"\ndepends_on = [\"api\"]\n";
    let (_dir, project) = load(&text);
    let names: Vec<&str> = project.apps.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["api-0", "api-1", "api-2", "web"]);
    assert_eq!(env(&project.apps[2], "PORT"), Some("3002"));
    assert_eq!(env(&project.apps[2], "APPMUX_INSTANCE"), Some("2"));
    // `depends_on` keeps the entry's name, which means every instance of it.
    assert_eq!(project.apps[3].depends_on[0].app, "api");
    assert_eq!(project.apps[3].instance, None);
}

#[test]
fn port_alone_sets_port() {
    let (_dir, project) = load(&app_with("port = 8080\nenv = { PORT = \"1\" }"));
    assert_eq!(project.apps.len(), 1);
    assert_eq!(env(&project.apps[0], "PORT"), Some("8080"));
    assert_eq!(project.apps[0].port, Some(8080));
}

#[test]
fn bad_instance_counts_and_ports_are_located() {
    assert_eq!(
        problem(&app_with("instances = 0")),
        "4:13: `instances` must be between 1 and 64, found 0"
    );
    assert_eq!(
        problem(&app_with("instances = 65")),
        "4:13: `instances` must be between 1 and 64, found 65"
    );
    assert_eq!(
        problem(&app_with("instances = \"3\"")),
        "4:13: `instances`: expected an integer, found a string"
    );
    assert_eq!(
        problem(&app_with("port = 0")),
        "4:8: `port` must be between 1 and 65535, found 0"
    );
    assert_eq!(
        problem(&app_with("port = 65536")),
        "4:8: `port` must be between 1 and 65535, found 65536"
    );
    assert_eq!(
        problem(&app_with("instances = 3\nport = 65534")),
        "5:8: `port` 65534 gives instance 2 port 65536, past 65535 (`instances = 3`)"
    );
    // The last port that fits is fine.
    let (_dir, project) = load(&app_with("instances = 2\nport = 65534"));
    assert_eq!(env(&project.apps[1], "PORT"), Some("65535"));
}

#[test]
fn an_instance_name_that_another_entry_has_is_a_clash() {
    let clash_after = app_with("instances = 3") + "[[app]]\nname = \"api-2\"\ncmd = \"x\"\n";
    assert_eq!(
        problem(&clash_after),
        "6:8: app name `api-2` is also the name of instance 2 of `api` (`instances = 3` on line 4)"
    );
    let clash_before =
        "[[app]]\nname = \"api-0\"\ncmd = \"x\"\n".to_owned() + &app_with("instances = 2");
    assert_eq!(
        problem(&clash_before),
        "2:8: app name `api-0` is also the name of instance 0 of `api` (`instances = 2` on line 7)"
    );
    // `api-3` is not among three instances, and is free.
    let free = app_with("instances = 3") + "[[app]]\nname = \"api-3\"\ncmd = \"x\"\n";
    assert!(problems(&free).is_empty(), "{:?}", problems(&free));
}

#[test]
fn instance_names_must_be_valid_app_names() {
    let long = "x".repeat(crate::names::MAX_LEN - 1);
    let text = format!("[[app]]\nname = \"{long}\"\ncmd = \"run\"\ninstances = 10\n");
    let err = problem(&text);
    assert!(
        err.starts_with("2:8: app `name` with `instances = 10` gives instance names like"),
        "{err}"
    );
    assert!(err.ends_with("must be at most 64 characters long"), "{err}");
}
