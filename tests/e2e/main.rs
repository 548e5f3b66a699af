//! End-to-end tests: the real binary, real PTYs, real clients. One test target so that all of
//! them share one build.

mod apps;
mod container;
mod contract;
mod core;
mod cores;
mod daily;
mod discovery;
mod ending;
mod faults;
mod fidelity;
mod floating;
mod hardening;
mod harness;
mod headless;
mod idle;
mod instances;
mod listing;
mod logtime;
mod mouse;
mod orchestration;
mod packaging;
mod persist;
mod prompt;
mod schedules;
mod ssh;
mod switching;
mod systemd;
mod targets;
mod terminal;
mod userconfig;
mod vocabulary;
mod waiting;
mod watch;
mod workspace;
