//! Configuration: the project file and appmux's own options, parsed and validated.
//!
//! Two files are read here:
//! - `appmux.toml` in a project (or `-c FILE`): an optional `session` name and `[[app]]`
//!   entries, turned into a `Project` of fully resolved `AppSpec`s (`project`);
//! - `$XDG_CONFIG_HOME/appmux/config.toml`: keymap, theme, scrollback, shell, mouse, sidebar
//!   and status bar, turned into `Options`; a missing file means the defaults (`options`).
//!
//! The error contract: every problem is a `ConfigError` that names the file and the 1-based
//! line and column of the offending key or value, displayed as `FILE:LINE:COL: MESSAGE`.
//! Loaders return the first problem in file order; `check_project` returns them all. This
//! module does not decide where files live (`paths` does), nor start anything.

mod doc;
pub mod error;
pub mod options;
pub mod project;
pub mod units;

pub use error::ConfigError;
pub use options::{Options, Side, SidebarOptions, StatusOptions, StatusPosition, load_options};
pub use project::{
    AppSpec, Backoff, CommandSpec, LogSpec, PROJECT_FILE, Project, RestartPolicy, append_app,
    check_project, find_project, load_project, parse_project,
};
pub use units::{ByteSize, DurationSpec};
