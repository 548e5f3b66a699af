//! Configuration: the project file and appmux's own options, parsed and validated.
//!
//! Read here:
//! - `appmux.toml` in a project (or `-c FILE`, or `APPMUX_CONFIG`, or the nearest parent's,
//!   found by `discover`): an optional `session` name, `env_file`s and
//!   `[[app]]` entries, turned into a `Project` of fully resolved `AppSpec`s (`project`), with
//!   the env files they name (`dotenv`); in a directory without one, a `Procfile` and the
//!   `.env` beside it, turned into the same (`procfile`);
//! - `$XDG_CONFIG_HOME/appmux/config.toml`: keymap, theme, scrollback, shell, mouse, sidebar
//!   and status bar (its content as templates, `status`), turned into `Options`; a missing
//!   file means the defaults (`options`);
//! - keymaps and themes by name, `keymaps/NAME.toml` and `themes/NAME.toml` under the config
//!   directory, each overriding the built-in file of that name (`keymap`, `theme`).
//!
//! The error contract: every problem is a `ConfigError` that names the file and the 1-based
//! line and column of the offending key or value (or line of an env file or Procfile),
//! displayed as `FILE:LINE:COL: MESSAGE`.
//! Loaders return the first problem in file order; `check_project` returns them all. This
//! module does not decide where files live (`paths` does), nor start anything.

pub mod discover;
pub(crate) mod doc;
pub mod dotenv;
pub mod error;
pub mod file;
pub mod keymap;
pub mod options;
pub mod procfile;
pub mod project;
pub mod status;
pub mod theme;
pub mod user;
/// Durations and sizes are spelt the same outside config files, so their parser is a leaf of
/// its own; this keeps the old path working.
pub use crate::units;

pub use discover::{CONFIG_VAR, discover_project};
pub use error::ConfigError;
pub use keymap::{KeyTable, Keymap, load_keymap, parse_keymap};
pub use options::{Options, Side, SidebarOptions, StatusOptions, StatusPosition, load_options};
pub use project::{
    AppSpec, Backoff, CommandSpec, Instance, LogSpec, PROJECT_FILE, Project, RestartPolicy,
    append_app, check_project, find_project, load_project, parse_project,
};
pub use theme::{Theme, load_theme, parse_theme};
pub use units::{ByteSize, DurationSpec};
