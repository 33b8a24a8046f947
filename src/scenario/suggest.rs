//! "Did you mean" suggestions: the closest allowed word to a misspelt one, by edit distance.

/// The candidate closest to `word`, if it is close enough to be a plausible typo: at most one
/// edit for short words, a third of the length for longer ones. Ties go to the first candidate.
/// Names that differ only in their digits (`agent2` vs `agent1`) are different things, not
/// typos, so they are never suggested for each other.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    let stem = |s: &str| s.chars().filter(|c| !c.is_ascii_digit()).collect::<String>();
    let word_stem = stem(&word_lower);
    candidates
        .into_iter()
        .filter(|c| {
            let c = c.to_lowercase();
            c == word_lower || stem(&c) != word_stem
        })
        .map(|c| (levenshtein(&word_lower, &c.to_lowercase()), c))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// Levenshtein distance counted in characters, with adjacent transpositions as one edit
/// (optimal string alignment), so `reqeust` is one edit from `request`.
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, row) in d.chunks_mut(width).enumerate() {
        row[0] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEP_KEYS: &[&str] = &[
        "name", "actor", "request", "response", "state", "params", "capture",
    ];

    #[test]
    fn suggests_close_keys_only() {
        assert_eq!(closest("respnse", STEP_KEYS.iter().copied()), Some("response"));
        assert_eq!(closest("reqeust", STEP_KEYS.iter().copied()), Some("request"));
        assert_eq!(closest("Actor", STEP_KEYS.iter().copied()), Some("actor"));
        assert_eq!(closest("captures", STEP_KEYS.iter().copied()), Some("capture"));
        assert_eq!(closest("body", STEP_KEYS.iter().copied()), None);
        assert_eq!(closest("sloppy", ["strict", "lenient"]), None);
        assert_eq!(closest("lenent", ["strict", "lenient"]), Some("lenient"));
        assert_eq!(closest("agent2", ["agent1"]), None);
        assert_eq!(closest("agnet1", ["agent1"]), Some("agent1"));
    }

    #[test]
    fn counts_edits() {
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("ab", "ba"), 1);
    }
}
