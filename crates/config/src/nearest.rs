//! The nearest known name to a mistyped one, for "did you mean" hints.

/// The candidate closest to `key` by edit distance (transpositions count once), when it is close enough to be a
/// typo: at most a third of the key's length, and at least one edit allowed.
pub fn nearest<'a>(key: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (key.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(key, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn a_typo_finds_its_key_and_nonsense_finds_none() {
        let keys = ["manager_instance_type", "admin_cidrs", "vpc_cidr"];
        assert_eq!(nearest("manager_instance_typ", keys), Some("manager_instance_type"));
        assert_eq!(nearest("admn_cidrs", keys), Some("admin_cidrs"));
        assert_eq!(nearest("completely_else", keys), None);
    }
}
