//! The user's whole configuration at once, as the server applies it: the options file
//! (`config.toml`), the keymap it names with the prefix key it sets, and the theme it names.
//!
//! This module owns the order of loading and the rule for problems: every good key and line is
//! applied and every problem collected (located), so one bad key never costs the others; only
//! an options file that cannot be read or is not TOML gives nothing. It does not decide where
//! files live (`paths`) or apply anything to a server.

use std::path::Path;

use super::error::ConfigError;
use super::keymap::{Keymap, load_keymap};
use super::options::{Options, load_options_leniently};
use super::theme::{Theme, load_theme};

/// Options, keymap and theme, loaded together.
#[derive(Debug, Clone)]
pub struct UserConfig {
    pub options: Options,
    pub keymap: Keymap,
    pub theme: Theme,
}

/// Loads `options_file`, then the keymap and theme it names from `config_dir` (or the
/// built-ins). Every problem comes back, in that order; the configuration is `None` only when
/// the options file cannot be used at all.
pub fn load(config_dir: &Path, options_file: &Path) -> (Option<UserConfig>, Vec<ConfigError>) {
    let (options, mut problems) = load_options_leniently(options_file);
    let Some(options) = options else {
        return (None, problems);
    };
    let (keymap, found) = load_keymap(config_dir, &options.keymap);
    problems.extend(found);
    let keymap = match options.prefix {
        Some(prefix) => keymap
            .clone()
            .with_prefix(prefix)
            .unwrap_or_else(|message| {
                problems.push(ConfigError::whole_file(options_file, message));
                keymap
            }),
        None => keymap,
    };
    let (theme, found) = load_theme(config_dir, &options.theme);
    problems.extend(found);
    let config = UserConfig {
        options,
        keymap,
        theme,
    };
    (Some(config), problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Action;
    use crate::config::KeyTable;
    use crate::keys::Key;

    fn key(name: &str) -> Key {
        name.parse().unwrap()
    }

    fn action(text: &str) -> Action {
        text.parse().unwrap()
    }

    #[test]
    fn the_prefix_option_rebinds_the_prefix_of_the_keymap_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "prefix = \"C-a\"\n").unwrap();
        let (config, problems) = load(dir.path(), &file);
        assert!(problems.is_empty(), "{problems:?}");
        let keymap = config.unwrap().keymap;
        assert_eq!(keymap.prefix, Some(key("C-a")));
        let detach = action("client.detach");
        assert_eq!(keymap.lookup(KeyTable::Prefix, key("d")), Some(&detach));
        // The double tap moved with the prefix: C-a C-a types C-a, C-b is free.
        let send = action("client.send-prefix");
        assert_eq!(keymap.lookup(KeyTable::Prefix, key("C-a")), Some(&send));
        assert_eq!(keymap.lookup(KeyTable::Prefix, key("C-b")), None);
        assert_eq!(keymap.keys_for(&detach).as_deref(), Some("C-a d"));
    }

    #[test]
    fn one_bad_key_leaves_the_good_ones_applied() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            "prefix = \"C-a\"\nmouse = \"no\"\ntheme = \"nord\"\n",
        )
        .unwrap();
        let (config, problems) = load(dir.path(), &file);
        let config = config.unwrap();
        assert_eq!(config.keymap.prefix, Some(key("C-a")));
        assert_eq!(config.options.theme, "nord");
        assert!(config.options.mouse, "the bad key keeps its default");
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let at = file.display();
        assert_eq!(
            shown,
            [format!(
                "{at}:2:9: `mouse`: expected a boolean (true or false), found a string"
            )]
        );
    }

    #[test]
    fn a_file_that_is_not_toml_gives_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "prefix = \n").unwrap();
        let (config, problems) = load(dir.path(), &file);
        assert!(config.is_none());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 1);
    }

    #[test]
    fn a_bad_prefix_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "\nprefix = \"C-Q-x\"\n").unwrap();
        let (config, problems) = load(dir.path(), &file);
        assert_eq!(config.unwrap().keymap.prefix, Some(Key::ctrl('b')));
        assert_eq!((problems[0].line, problems[0].col), (2, 10));
    }
}
