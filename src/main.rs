//! The `appmux` binary: parse the command line, run it, and map errors to exit codes
//! (0 ok, 1 failure with one clear line on stderr, 2 usage errors and invalid config).

use clap::Parser;

fn main() {
    let cli = appmux::cli::Cli::parse_from(appmux::cli::tmux_argv(std::env::args_os()));
    if let Err(e) = appmux::commands::run(cli) {
        // A closed stdout (`appmux ls | head`) is not an error worth reporting.
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        {
            std::process::exit(0);
        }
        if let Some(bad) = e.downcast_ref::<appmux::commands::BadConfig>() {
            eprintln!("appmux: {bad}");
            std::process::exit(appmux::commands::EXIT_USAGE);
        }
        tracing::error!("{e:#}");
        eprintln!("appmux: {e:#}");
        std::process::exit(appmux::commands::EXIT_FAILURE);
    }
}
