//! `cron_restart`, `schedule` and `max_memory` in an `[[app]]`: when an app is restarted or
//! started by the clock, and the memory above which it is restarted.
//!
//! This module owns reading those keys, with an error at the value that names the cron field
//! that is wrong (the `cron` leaf's wording), and what `schedule` implies for the app's other
//! keys: a scheduled app is a one-shot, so `restart` defaults to `never` and `autostart` to
//! false unless the file sets them, and `restart = "always"` is refused (it would keep the app
//! running, so the schedule could never start it). What the keys do at run time is the
//! supervisor's.

use toml::de::DeTable;

use std::ops::RangeInclusive;

use super::AppSpec;
use crate::command::RestartPolicy;
use crate::config::doc::{Report, Value};
use crate::cron::CronExpr;

/// `max_memory`: below a megabyte not even a shell fits; above a tebibyte is no limit.
pub const MAX_MEMORY: RangeInclusive<u64> = 1_000_000..=1 << 40;

/// Reads the keys into `spec`, after `restart` and `autostart` were read.
pub(super) fn parse(report: &mut Report<'_>, table: &DeTable<'_>, spec: &mut AppSpec) {
    spec.cron_restart = table
        .get("cron_restart")
        .and_then(|v| cron(report, v, "cron_restart"));
    spec.schedule = table
        .get("schedule")
        .and_then(|v| cron(report, v, "schedule"));
    spec.max_memory = table
        .get("max_memory")
        .and_then(|v| report.size(v, "max_memory", &MAX_MEMORY));
    if table.get("schedule").is_none() {
        return;
    }
    match table.get("restart") {
        None => spec.restart = RestartPolicy::Never,
        Some(value) if spec.restart == RestartPolicy::Always => {
            let message = "`restart = \"always\"` keeps the app running, so its `schedule` could never start it; use \"never\" (the default with `schedule`) or \"on-failure\"";
            report.error(&value.span(), message);
        }
        Some(_) => {}
    }
    if table.get("autostart").is_none() {
        spec.autostart = false;
    }
}

fn cron(report: &mut Report<'_>, value: &Value<'_>, key: &str) -> Option<CronExpr> {
    let text = report.string(value, key)?;
    CronExpr::parse(text)
        .map_err(|why| report.error(&value.span(), format!("`{key}`: {why}")))
        .ok()
}
