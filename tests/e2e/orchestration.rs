//! Orchestration end to end: the new project file keys (dependencies, probes, env files and
//! Procfiles) and what `check` says of them; dependencies gated on readiness, readiness and
//! health probes, `wait`, `why` and `describe`; pm2's everyday verbs (`delete`, `flush`) and
//! applying an edited project file to a running session (`reload`), from the command line and
//! the control API.

mod config;
mod deps;
mod verbs;
