//! Names the server's models go by (ids, the app model) and the rules for the names users give
//! sessions and apps. The session model is `session`, the app model `crate::app::model`.

pub use crate::app::model::App;
pub use crate::ids::{AppId, ClientId, SessionId};
pub use crate::layout::PaneId;

/// Seconds since the Unix epoch (0 for times before it), as `ls` and the state file give them.
pub fn unix_secs(t: std::time::SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Picks `base`, or `base-2`, `base-3` ... so that `taken` does not already contain it. The
/// suffix is kept within the name length limit by shortening `base`.
pub fn unique_name(base: &str, taken: &std::collections::HashSet<String>) -> String {
    let base = if base.is_empty() { "app" } else { base };
    if !taken.contains(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n: u64| {
            let suffix = format!("-{n}");
            let keep = crate::names::MAX_LEN.saturating_sub(suffix.len());
            base.chars()
                .take(keep)
                .chain(suffix.chars())
                .collect::<String>()
        })
        .find(|cand| !taken.contains(cand))
        .unwrap_or_else(|| base.to_owned())
}

/// Session names appear in targets (`NAME:APP`), listings and file names: see `names`.
pub fn check_session_name(name: &str) -> Result<(), String> {
    crate::names::check_session(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_unique() {
        let taken = ["sh", "sh-2", "vim"].map(String::from).into();
        assert_eq!(unique_name("sh", &taken), "sh-3");
        assert_eq!(unique_name("bash", &taken), "bash");
        assert_eq!(unique_name("", &taken), "app");
        let long = "x".repeat(crate::names::MAX_LEN);
        let taken = [long.clone()].into();
        let unique = unique_name(&long, &taken);
        assert_eq!(crate::names::check_app(&unique), Ok(()), "{unique}");
        assert!(unique.ends_with("-2"));
    }

    #[test]
    fn session_names_are_checked() {
        assert!(check_session_name("work").is_ok());
        assert!(check_session_name("a:b").is_err());
        assert!(check_session_name("").is_err());
        assert!(check_session_name("/abs/path").is_err());
    }
}
