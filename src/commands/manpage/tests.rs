use clap::CommandFactory;

use super::reference::{self, Entry};
use super::*;
use crate::config::doc::Keys;

fn listed(entries: &[Entry]) -> String {
    entries
        .iter()
        .map(|(term, text)| format!("{term} {text}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every key the parser knows, as a word of the text.
fn assert_all_listed(keys: &[&str], text: &str, what: &str) {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .collect();
    for key in keys {
        assert!(words.contains(key), "{what}: `{key}` is not documented");
    }
}

#[test]
fn the_page_has_every_section() {
    let page = page().unwrap();
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH OPTIONS",
        ".SH COMMANDS",
        ".SH FILES",
        ".SH ENVIRONMENT",
        ".SH \"EXIT STATUS\"",
        ".SH \"PROJECT FILE\"",
        ".SH \"CONFIG FILE\"",
        ".SH KEYMAPS",
        ".SH VERSION",
    ] {
        assert!(page.contains(section), "{section} missing");
    }
    for var in [
        "APPMUX_CONFIG",
        "APPMUX_LOG",
        "RUST_LOG",
        "NOTIFY_SOCKET",
        "JOURNAL_STREAM",
    ] {
        assert!(page.contains(var), "{var} missing");
    }
    assert!(page.contains(crate::VERSION));
}

#[test]
fn every_visible_subcommand_and_option_is_on_the_page() {
    let page = page().unwrap();
    let cmd = Cli::command();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let header = format!(".SS \"appmux {}\"", sub.get_name());
        let at = page
            .find(&header)
            .unwrap_or_else(|| panic!("{header} missing"));
        let end = page[at + 1..]
            .find(".SS")
            .or_else(|| page[at + 1..].find(".SH"))
            .map_or(page.len(), |e| at + 1 + e);
        let own = &page[at..end];
        for arg in sub.get_arguments().filter(|a| !a.is_global_set()) {
            // roff escapes every hyphen.
            let flag = arg
                .get_long()
                .map(|l| format!("--{l}"))
                .or(arg.get_short().map(|s| format!("-{s}")))
                .map(|f| f.replace('-', "\\-"));
            let Some(flag) = flag else { continue };
            // A flag stands in bold, alone or after a `|`.
            let shown = own.contains(&format!("\\fB{flag}")) || own.contains(&format!("|{flag}"));
            assert_eq!(
                shown,
                !arg.is_hide_set(),
                "{flag} of {} (hidden: {})",
                sub.get_name(),
                arg.is_hide_set()
            );
        }
    }
    // The hidden server flag and the subcommand pages clap_mangen would point at are absent.
    assert!(!page.contains("daemon"), "a hidden flag is on the page");
    assert!(!page.contains("appmux\\-new(1)") && !page.contains("(1)\n.TP"));
}

#[test]
fn no_page_that_does_not_exist_is_named() {
    let page = page().unwrap();
    let refs: Vec<&str> = page
        .match_indices("(1)")
        .map(|(i, _)| &page[page[..i].rfind([' ', '\n']).map_or(0, |s| s + 1)..i + 3])
        .collect();
    assert!(refs.iter().all(|r| *r == "appmux(1)"), "{refs:?}");
}

#[test]
fn every_key_of_the_parsers_is_documented() {
    use crate::config::{keymap, options, project};
    let project_keys = listed(reference::PROJECT_TOP);
    assert_all_listed(project::TOP_KEYS.known, &project_keys, "appmux.toml");
    let app_keys = listed(reference::PROJECT_APP);
    assert_all_listed(project::app::APP_KEYS.known, &app_keys, "[[app]]");
    let nested = listed(reference::PROJECT_NESTED);
    let tables: [&Keys; 3] = [
        &project::app::BACKOFF_KEYS,
        &project::app::LOG_KEYS,
        &project::depends::ENTRY_KEYS,
    ];
    for keys in tables {
        assert_all_listed(keys.known, &nested, keys.context);
    }
    assert_all_listed(project::probe::KNOWN, &nested, "probes");
    let config = listed(reference::CONFIG_TOP);
    assert_all_listed(options::TOP_KEYS.known, &config, "config.toml");
    let config_nested = listed(reference::CONFIG_NESTED);
    for keys in [
        &options::SIDEBAR_KEYS,
        &options::STATUS_KEYS,
        &options::TERMINAL_KEYS,
    ] {
        assert_all_listed(keys.known, &config_nested, keys.context);
    }
    assert_all_listed(
        keymap::TOP_KEYS.known,
        &listed(reference::KEYMAP_MODES),
        "keymaps",
    );
}

/// Where groff is installed, it formats the page without a warning.
#[test]
fn groff_formats_the_page_cleanly_where_it_exists() {
    use std::io::Write;
    let child = std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("groff is not installed; only the text is checked");
        return;
    };
    let page = page().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.trim().is_empty(), "{stderr}");
}
