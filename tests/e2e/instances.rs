//! Instances end to end: an entry with `instances` runs that many apps, each told its index
//! and port; `appmux scale` changes the count live (highest index stopped first, 0 and back);
//! `reload` follows the file's count; `resurrect` brings back the count the session had;
//! `depends_on` on the entry means each instance; and bad input is refused with its place.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::harness::{Env, alive, wait_until};

/// Three instances of `api`, each printing its index and port, and `web`, which depends on
/// `api` (all of it) and a plain app `other`.
const PROJECT: &str = r#"session = "inst"
[[app]]
name = "api"
cmd = "echo inst=$APPMUX_INSTANCE port=$PORT; exec sleep 1000"
instances = 3
port = 4100

[[app]]
name = "web"
cmd = "echo web-up; exec sleep 1000"
depends_on = { api = "started" }
"#;

fn start(env: &Env, toml: &str) -> PathBuf {
    let file = env.project("proj", toml).join("appmux.toml");
    env.ok(&["new", "-d", "-c", file.to_str().unwrap()]);
    file
}

fn names(env: &Env) -> Vec<String> {
    let ls = env.ls_json();
    let Some(s) = ls["sessions"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["name"] == "inst"))
    else {
        return Vec::new();
    };
    s["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect()
}

fn running(env: &Env, app: &str) -> u32 {
    wait_until(&format!("{app} to run"), || {
        let a = env.app("inst", Some(app))?;
        (a["state"] == "running").then_some(())?;
        a["pid"].as_u64().map(|p| p as u32)
    })
}

/// Waits until the app's log holds `needle`.
fn logged(env: &Env, app: &str, needle: &str) {
    let file = env.log_file("inst", app);
    wait_until(&format!("`{needle}` in {}", file.display()), || {
        let text = std::fs::read_to_string(&file).ok()?;
        text.contains(needle).then_some(())
    });
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn three_instances_run_with_their_index_and_port() {
    let env = Env::new();
    start(&env, PROJECT);
    assert_eq!(names(&env), strings(&["api-0", "api-1", "api-2", "web"]));
    for i in 0..3 {
        running(&env, &format!("api-{i}"));
        logged(
            &env,
            &format!("api-{i}"),
            &format!("inst={i} port={}", 4100 + i),
        );
    }
    logged(&env, "web", "web-up");
    let api1 = env.app("inst", Some("api-1")).unwrap();
    assert_eq!(api1["instance"], 1);
    assert_eq!(api1["group"], "api");
    let web = env.app("inst", Some("web")).unwrap();
    assert!(web["instance"].is_null() && web["group"].is_null(), "{web}");
    // `depends_on` names the entry; describe lists each instance it stands for.
    assert_eq!(web["depends_on"][0]["app"], "api");
    let described: serde_json::Value =
        serde_json::from_str(&env.ok(&["describe", "web", "-t", "inst", "--json"])).unwrap();
    let deps: Vec<&str> = described["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["app"].as_str().unwrap())
        .collect();
    assert_eq!(deps, ["api-0", "api-1", "api-2"]);
    let text = env.ok(&["describe", "api-2", "-t", "inst"]);
    assert!(text.contains("2 of api (3 instances)"), "{text}");
}

#[test]
fn scale_up_then_down_stops_the_highest_index_first() {
    let env = Env::new();
    start(&env, PROJECT);
    let first = running(&env, "api-0");
    let out = env.ok(&["scale", "api", "5", "-t", "inst"]);
    assert_eq!(out, "+ api-3\n+ api-4\napi: 5 instances (was 3)\n");
    for i in 3..5 {
        running(&env, &format!("api-{i}"));
        logged(
            &env,
            &format!("api-{i}"),
            &format!("inst={i} port={}", 4100 + i),
        );
    }
    let pids: Vec<u32> = (1..5).map(|i| running(&env, &format!("api-{i}"))).collect();

    let out = env.ok(&["scale", "api", "1", "-t", "inst"]);
    assert_eq!(
        out,
        "- api-4\n- api-3\n- api-2\n- api-1\napi: 1 instance (was 5)\n"
    );
    assert_eq!(names(&env), strings(&["api-0", "web"]));
    for pid in pids {
        wait_until("a removed instance's process to end", || {
            (!alive(pid)).then_some(())
        });
    }
    assert_eq!(
        running(&env, "api-0"),
        first,
        "the one that stays is not touched"
    );
    let again = env.ok(&["scale", "api", "1", "-t", "inst"]);
    assert_eq!(again, "api: 1 instance (no change)\n");
}

#[test]
fn scale_to_zero_and_back() {
    let env = Env::new();
    start(&env, PROJECT);
    let pids: Vec<u32> = (0..3).map(|i| running(&env, &format!("api-{i}"))).collect();
    let out = env.ok(&["scale", "api", "0", "-t", "inst"]);
    assert_eq!(out, "- api-2\n- api-1\n- api-0\napi: 0 instances (was 3)\n");
    assert_eq!(names(&env), strings(&["web"]));
    for pid in pids {
        wait_until("the instances to end", || (!alive(pid)).then_some(()));
    }
    let out = env.ok(&["scale", "api", "2", "-t", "inst"]);
    assert_eq!(out, "+ api-0\n+ api-1\napi: 2 instances (was 0)\n");
    for i in 0..2 {
        running(&env, &format!("api-{i}"));
    }
    // A new run of the same name: the log has its line again.
    let log = env.log_file("inst", "api-1");
    wait_until("api-1 to print twice", || {
        let text = std::fs::read_to_string(&log).ok()?;
        (text.matches("inst=1 port=4101").count() == 2).then_some(())
    });
}

#[test]
fn scale_refuses_unknown_apps_and_bad_counts_and_changes_nothing() {
    let env = Env::new();
    start(&env, PROJECT);
    running(&env, "api-2");
    let before = names(&env);
    let cases: [(&[&str], &str); 6] = [
        (
            &["scale", "nope", "2"],
            "can't find app `nope` in session inst",
        ),
        (&["scale", "apj", "2"], "did you mean `api`?"),
        (&["scale", "web", "2"], "app `web` has no instances"),
        (&["scale", "api-1", "2"], "`api-1` is instance 1 of `api`"),
        (&["scale", "api", "65"], "from 0 to 64, found \"65\""),
        (&["scale", "api", "-1"], "from 0 to 64, found \"-1\""),
    ];
    for (args, message) in cases {
        let mut args = args.to_vec();
        args.extend(["-t", "inst"]);
        let out = env.run(&args);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(names(&env), before);
    // A session cannot be left without apps.
    let alone =
        "session = \"inst\"\n[[app]]\nname = \"api\"\ncmd = \"exec sleep 1000\"\ninstances = 2\n";
    let env = Env::new();
    start(&env, alone);
    let out = env.run(&["scale", "api", "0", "-t", "inst"]);
    assert!(stderr(&out).contains("without apps"), "{}", stderr(&out));
    assert_eq!(names(&env), strings(&["api-0", "api-1"]));
}

#[test]
fn reload_follows_the_files_count_and_resurrect_the_sessions() {
    let env = Env::new();
    let file = start(&env, PROJECT);
    running(&env, "api-2");
    std::fs::write(&file, PROJECT.replace("instances = 3", "instances = 4")).unwrap();
    assert_eq!(env.ok(&["reload", "-t", "inst"]), "+ api-3\n");
    running(&env, "api-3");
    std::fs::write(&file, PROJECT.replace("instances = 3", "instances = 2")).unwrap();
    assert_eq!(env.ok(&["reload", "-t", "inst"]), "- api-2\n- api-3\n");
    assert_eq!(names(&env), strings(&["api-0", "api-1", "web"]));

    // The session's count, scaled or not, is what resurrect brings back; a group at 0 can
    // still be scaled up after it.
    env.ok(&["scale", "api", "3", "-t", "inst"]);
    running(&env, "api-2");
    env.ok(&["save"]);
    env.ok(&["kill-server"]);
    env.ok(&["resurrect"]);
    assert_eq!(names(&env), strings(&["api-0", "api-1", "web", "api-2"]));
    running(&env, "api-2");
    env.ok(&["scale", "api", "0", "-t", "inst"]);
    env.ok(&["save"]);
    env.ok(&["kill-server"]);
    env.ok(&["resurrect"]);
    assert_eq!(names(&env), strings(&["web"]));
    assert_eq!(
        env.ok(&["scale", "api", "1", "-t", "inst"]),
        "+ api-0\napi: 1 instance (was 0)\n"
    );
    logged(&env, "api-0", "inst=0 port=4100");
}

/// `new` with a bad file fails with the file, line and column; `check` says the same.
fn refused(env: &Env, dir: &str, toml: &str, place_and_message: &str) {
    let file: PathBuf = env.project(dir, toml).join("appmux.toml");
    let expected = format!("{}:{place_and_message}", file.display());
    for args in [
        vec!["new", "-d", "-c", file.to_str().unwrap()],
        vec!["check", file.to_str().unwrap()],
    ] {
        let out = env.run(&args);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(
            stderr(&out).contains(&expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(!Path::new(&env.socket()).exists() || names(env).is_empty());
}

#[test]
fn bad_instances_ports_and_clashing_names_are_config_errors() {
    let env = Env::new();
    let app = |extra: &str| format!("[[app]]\nname = \"api\"\ncmd = \"true\"\n{extra}\n");
    refused(
        &env,
        "zero",
        &app("instances = 0"),
        "4:13: `instances` must be between 1 and 64, found 0",
    );
    refused(
        &env,
        "text",
        &app("instances = \"two\""),
        "4:13: `instances`: expected an integer, found a string",
    );
    refused(
        &env,
        "overflow",
        &app("instances = 3\nport = 65534"),
        "5:8: `port` 65534 gives instance 2 port 65536, past 65535 (`instances = 3`)",
    );
    refused(
        &env,
        "clash",
        &(app("instances = 3") + "[[app]]\nname = \"api-1\"\ncmd = \"true\"\n"),
        "6:8: app name `api-1` is also the name of instance 1 of `api` (`instances = 3` on line 4)",
    );
}

#[test]
fn depends_on_an_entry_waits_for_every_instance() {
    let env = Env::new();
    let go = env.path("go");
    let toml = format!(
        r#"session = "inst"
[[app]]
name = "api"
cmd = "if [ $APPMUX_INSTANCE = 1 ]; then while [ ! -e {go} ]; do sleep 0.05; done; fi; echo ready; exec sleep 1000"
instances = 2
ready = {{ log = "ready" }}

[[app]]
name = "web"
cmd = "echo web-up; exec sleep 1000"
depends_on = ["api"]
"#,
        go = go.display()
    );
    start(&env, &toml);
    wait_until("web to wait for api-1 alone", || {
        let web = env.app("inst", Some("web"))?;
        let api0 = env.app("inst", Some("api-0"))?;
        let waiting: Vec<&str> = web["waiting_for"]
            .as_array()?
            .iter()
            .filter_map(|d| d["app"].as_str())
            .collect();
        (api0["ready"] == true && web["state"] == "waiting" && waiting == ["api-1"]).then_some(())
    });
    std::fs::write(&go, "").unwrap();
    running(&env, "web");
    logged(&env, "web", "web-up");
}
