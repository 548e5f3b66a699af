//! Orchestration end to end: dependencies, probes, env files and Procfiles, with the real
//! binary.

mod config;
