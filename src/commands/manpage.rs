//! `appmux man`: one complete page. Name, synopsis, description and the global options are
//! clap_mangen's; every subcommand with its own options, and what clap knows nothing of
//! (files, environment, exit status, the keys of `appmux.toml` and `config.toml`, keymap
//! modes), are rendered here into the same page, so nothing points at a page that does not
//! exist. The reference text is in `reference`; a test holds it to the parsers' key tables.

mod reference;

use std::io::Write;

use anyhow::{Context, Result};
use clap::{Arg, ArgAction, CommandFactory};
use clap_mangen::roff::{Inline, Roff, bold, italic, roman};

use crate::cli::Cli;

/// `appmux man`: the page as roff on stdout.
pub fn man() -> Result<()> {
    let page = page().context("rendering the man page")?;
    std::io::stdout()
        .write_all(page.as_bytes())
        .map_err(Into::into)
}

/// The whole page.
pub fn page() -> std::io::Result<String> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    let mut roff = Roff::new();
    synopsis(&mut roff, &cmd);
    out.extend(roff.render().into_bytes());
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    let mut roff = Roff::new();
    commands(&mut roff, &cmd);
    reference::sections(&mut roff);
    out.extend(roff.render().into_bytes());
    man.render_version_section(&mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// `appmux [-L NAME] [-S PATH] [-c FILE] [COMMAND]`, with the value names clap_mangen leaves
/// out of its synopsis.
fn synopsis(roff: &mut Roff, cmd: &clap::Command) {
    roff.control("SH", ["SYNOPSIS"]);
    let globals: Vec<&Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && a.get_id() != "help" && a.get_id() != "version")
        .collect();
    let mut line = usage("appmux", &globals);
    line.push(roman(" ["));
    line.push(italic("COMMAND"));
    line.push(roman("]"));
    roff.text(line);
}

/// COMMANDS: each visible subcommand as a subsection with its usage, description, aliases and
/// its own options (the global ones are under OPTIONS).
fn commands(roff: &mut Roff, cmd: &clap::Command) {
    roff.control("SH", ["COMMANDS"]);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("appmux {}", sub.get_name());
        roff.control("SS", [name.as_str()]);
        let args: Vec<&Arg> = sub
            .get_arguments()
            .filter(|a| !a.is_hide_set() && !a.is_global_set())
            .collect();
        roff.text(usage(&name, &args));
        roff.control("PP", []);
        let about = sub.get_long_about().or(sub.get_about());
        if let Some(about) = about {
            roff.text([roman(about.to_string())]);
        }
        let aliases: Vec<&str> = sub.get_visible_aliases().collect();
        if !aliases.is_empty() {
            roff.control("PP", []);
            roff.text([roman(format!("Also: {}.", aliases.join(", ")))]);
        }
        for arg in args {
            option(roff, arg);
        }
    }
}

/// `appmux ls [--json] [-t SESSION]`: options first, then the positional arguments.
fn usage(name: &str, args: &[&Arg]) -> Vec<Inline> {
    let mut line = vec![bold(name)];
    let (options, positionals): (Vec<&&Arg>, Vec<&&Arg>) =
        args.iter().partition(|a| !a.is_positional());
    for arg in options.into_iter().chain(positionals) {
        let required = arg.is_required_set();
        line.push(roman(if required { " " } else { " [" }));
        line.extend(flag_and_value(arg));
        if arg.is_positional() && takes_many(arg) {
            line.push(roman("..."));
        }
        if !required {
            line.push(roman("]"));
        }
    }
    line
}

fn takes_many(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::Append)
        || arg.get_num_args().is_some_and(|n| n.max_values() > 1)
}

/// `-t, --target SESSION` for an option; `APP` for a positional; `-- CMD` for a last one.
fn flag_and_value(arg: &Arg) -> Vec<Inline> {
    let mut out = Vec::new();
    let value = arg
        .get_value_names()
        .map(|v| v.join(" "))
        .unwrap_or_else(|| arg.get_id().to_string().to_uppercase());
    if arg.is_positional() {
        if arg.is_last_set() {
            out.push(bold("-- "));
        }
        out.push(italic(value));
        return out;
    }
    let flags: Vec<String> = arg
        .get_short()
        .map(|s| format!("-{s}"))
        .into_iter()
        .chain(arg.get_long().map(|l| format!("--{l}")))
        .collect();
    out.push(bold(flags.join("|")));
    if arg.get_action().takes_values() {
        out.push(roman(" "));
        out.push(italic(value));
    }
    out
}

/// One option as a tagged paragraph: its flags, then its help, values and default.
fn option(roff: &mut Roff, arg: &Arg) {
    roff.control("TP", []);
    roff.text(flag_and_value(arg));
    let mut text = arg
        .get_long_help()
        .or(arg.get_help())
        .map(|h| h.to_string())
        .unwrap_or_default();
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect();
    // A boolean flag's possible values are true and false, which say nothing.
    if !values.is_empty() && arg.get_action().takes_values() {
        text.push_str(&format!(" Values: {}.", values.join(", ")));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && arg.get_action().takes_values() {
        text.push_str(&format!(" Default: {}.", defaults.join(" ")));
    }
    roff.text([roman(text)]);
}

#[cfg(test)]
mod tests;
