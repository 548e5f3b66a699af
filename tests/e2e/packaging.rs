//! What a packaged binary shows about itself: `--version` with the git revision it was built
//! from, and `man` as one page with every section.

use crate::harness::*;

#[test]
fn version_names_the_package_and_the_git_revision() {
    let env = Env::new();
    let out = env.ok(&["--version"]);
    let line = out.trim_end();
    let pkg = format!("appmux {}", env!("CARGO_PKG_VERSION"));
    let rest = line
        .strip_prefix(&pkg)
        .unwrap_or_else(|| panic!("{line:?} does not start with {pkg:?}"));
    // This test runs from the git checkout, so the revision is there.
    let in_git = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".git")
        .exists();
    if in_git {
        let rev = rest
            .strip_prefix(" (")
            .and_then(|r| r.strip_suffix(')'))
            .unwrap_or_else(|| panic!("no revision in {line:?}"));
        let hex = rev.strip_suffix("-dirty").unwrap_or(rev);
        assert!(
            hex.len() >= 7 && hex.chars().all(|c| c.is_ascii_hexdigit()),
            "{line:?}"
        );
    } else {
        assert_eq!(rest, "", "{line:?}");
    }
}

#[test]
fn man_prints_one_page_with_every_section() {
    let env = Env::new();
    let page = env.ok(&["man"]);
    for needle in [
        ".TH appmux 1",
        ".SH COMMANDS",
        ".SS \"appmux new\"",
        ".SS \"appmux startup\"",
        ".SH FILES",
        ".SH ENVIRONMENT",
        ".SH \"EXIT STATUS\"",
        ".SH \"PROJECT FILE\"",
        ".SH \"CONFIG FILE\"",
        ".SH KEYMAPS",
        "APPMUX_CONFIG",
    ] {
        assert!(page.contains(needle), "{needle} missing");
    }
    assert!(
        !page.contains("appmux\\-new(1)"),
        "names a page that does not exist"
    );
    assert!(!page.contains("daemon"), "shows a hidden flag");
}
