//! Orchestration end to end: the new project file keys (dependencies, probes, env files and
//! Procfiles) and what `check` says of them; dependencies gated on readiness, readiness and
//! health probes, `wait`, `why` and `describe`; pm2's everyday verbs (`delete`, `flush`) and
//! applying an edited project file to a running session (`reload`), from the command line and
//! the control API.

mod config;
mod deps;
mod verbs;

use std::path::PathBuf;

use crate::harness::Env;

/// Writes a project and starts its session detached; returns the project file.
fn start(env: &Env, dir: &str, toml: &str) -> PathBuf {
    let file = env.project(dir, toml).join("appmux.toml");
    env.ok(&["new", "-d", "-c", file.to_str().unwrap()]);
    file
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
