//! "Did you mean": the closest known word by edit distance.

/// Levenshtein distance.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let best = candidates.iter().min_by_key(|c| distance(word, c))?;
    (distance(word, best) <= (word.chars().count() / 3).max(2)).then_some(*best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_word_and_nonsense_does_not() {
        assert_eq!(distance("snapshto", "snapshot"), 2);
        assert_eq!(
            closest("snapshto", &["snapshot", "disk", "group"]),
            Some("snapshot")
        );
        assert_eq!(
            closest("--incremntal", &["--incremental", "--sku"]),
            Some("--incremental")
        );
        assert_eq!(closest("xyzzy", &["snapshot", "disk"]), None);
    }
}
