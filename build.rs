//! Puts the git revision into the version `appmux --version` prints: `0.1.0 (1a2b3c4)`, with
//! `-dirty` when the work tree has changes. Built outside a git checkout (a crate tarball, no
//! git installed), the version is the package's alone, silently.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let revision = revision(&manifest);
    let full = match &revision {
        Some(rev) => format!("{version} ({rev})"),
        None => version,
    };
    println!("cargo:rustc-env=APPMUX_VERSION={full}");
    println!("cargo:rerun-if-changed=build.rs");
    if revision.is_some() {
        watch_git(&manifest);
    }
}

/// `git` in `dir`, its trimmed stdout when it succeeded.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The short commit, `-dirty` when tracked files changed; none unless this package is the top
/// of its own checkout (an unpacked crate inside someone else's repository is not ours).
fn revision(manifest: &Path) -> Option<String> {
    let top = git(manifest, &["rev-parse", "--show-toplevel"])?;
    let same = Path::new(&top).canonicalize().ok()? == manifest.canonicalize().ok()?;
    if !same {
        return None;
    }
    let commit = git(manifest, &["rev-parse", "--short", "HEAD"])?;
    // Without optional locks, `status` never rewrites the index this script is rerun on.
    let dirty = git(
        manifest,
        &[
            "--no-optional-locks",
            "status",
            "--porcelain",
            "--untracked-files=no",
        ],
    )
    .is_some_and(|s| !s.is_empty());
    Some(if dirty {
        format!("{commit}-dirty")
    } else {
        commit
    })
}

/// Runs again when HEAD moves (a commit, a checkout), the branch it names moves, the index
/// changes, or a source file does (for the `-dirty` mark). A worktree's HEAD is in its own git
/// dir and its branches in the common one; both are asked of git.
fn watch_git(manifest: &Path) {
    let absolute = |p: String| {
        let p = PathBuf::from(p);
        if p.is_absolute() { p } else { manifest.join(p) }
    };
    if let Some(dir) = git(manifest, &["rev-parse", "--git-dir"]).map(absolute) {
        for file in ["HEAD", "index"] {
            println!("cargo:rerun-if-changed={}", dir.join(file).display());
        }
    }
    if let (Some(common), Some(head)) = (
        git(manifest, &["rev-parse", "--git-common-dir"]).map(absolute),
        git(manifest, &["symbolic-ref", "-q", "HEAD"]),
    ) {
        println!("cargo:rerun-if-changed={}", common.join(&head).display());
        println!(
            "cargo:rerun-if-changed={}",
            common.join("packed-refs").display()
        );
    }
    for tracked in ["src", "Cargo.toml", "Cargo.lock"] {
        println!(
            "cargo:rerun-if-changed={}",
            manifest.join(tracked).display()
        );
    }
}
