//! Did-you-mean hints: the known name closest to one that is not known, by edit distance.
//!
//! Config keys, action names and app names all get their hints here, so one measure decides
//! what counts as a typo everywhere. This module knows none of those names; callers hand in
//! the candidates.

/// The name in `candidates` closest to `name`, within an edit distance of 2, for did-you-mean
/// hints: the first of equally close ones.
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    // Lengths that differ by more than the limit cannot be within it, and skipping them keeps
    // a very long unknown name from costing a large table each.
    let len = name.chars().count();
    candidates
        .into_iter()
        .filter(|candidate| len.abs_diff(candidate.chars().count()) <= 2)
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance in characters, ignoring ASCII case (so `CMD` suggests `cmd`).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("comand", "command"), 1);
        assert_eq!(edit_distance("comand", "cmd"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("CWD", "cwd"), 0);
    }

    #[test]
    fn closest_picks_the_nearest_name_or_none() {
        let names = ["db", "cache", "api"];
        assert_eq!(closest("dbb", names), Some("db"));
        assert_eq!(closest("cahce", names), Some("cache"));
        assert_eq!(closest("worker", names), None);
    }
}
