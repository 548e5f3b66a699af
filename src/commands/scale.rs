//! `appmux scale APP N`: asks the server to run N instances of an entry with `instances` and
//! prints what it did, a line per instance started (`+ api-3`) or stopped (`- api-4`, in the
//! order they were stopped), then the count.

use std::io::Write;

use anyhow::{Result, bail};
use serde_json::Value;

use super::inspect::report;
use crate::action::{AppAction, Scale};
use crate::cli::ScaleArgs;
use crate::config::project::instances::parse_count;
use crate::paths::SocketPaths;

pub fn scale(sock: &SocketPaths, args: ScaleArgs) -> Result<()> {
    let count = match parse_count(&args.count) {
        Ok(n) => n,
        Err(e) => bail!("scale {}: {e}", args.app),
    };
    let action = AppAction::Scale(Scale {
        app: args.app,
        count,
    });
    let answer = report(sock, args.target, action)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{answer}")?;
    } else {
        for line in lines(&answer) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// The report for people.
fn lines(report: &Value) -> Vec<String> {
    let names = |key: &str| -> Vec<String> {
        report[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    let app = report["app"].as_str().unwrap_or("?");
    let (from, to) = (&report["from"], &report["to"]);
    let mut lines: Vec<String> = names("started").iter().map(|n| format!("+ {n}")).collect();
    lines.extend(names("stopped").iter().map(|n| format!("- {n}")));
    let plural = if to.as_u64() == Some(1) { "" } else { "s" };
    lines.push(match from == to {
        true => format!("{app}: {to} instance{plural} (no change)"),
        false => format!("{app}: {to} instance{plural} (was {from})"),
    });
    lines
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_report_reads_as_lines_in_the_order_things_happened() {
        let down = json!({"app": "api", "from": 5, "to": 2, "started": [],
                          "stopped": ["api-4", "api-3", "api-2"]});
        assert_eq!(
            lines(&down),
            ["- api-4", "- api-3", "- api-2", "api: 2 instances (was 5)"]
        );
        let up = json!({"app": "api", "from": 0, "to": 1, "started": ["api-0"], "stopped": []});
        assert_eq!(lines(&up), ["+ api-0", "api: 1 instance (was 0)"]);
        let same = json!({"app": "api", "from": 3, "to": 3, "started": [], "stopped": []});
        assert_eq!(lines(&same), ["api: 3 instances (no change)"]);
    }
}
