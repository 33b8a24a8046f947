//! Which loaded scenarios a run takes: `--filter GLOB` on names, `--tag TAG` / `--tag '!TAG'`,
//! `--last-failed` (a set of names), then `--shard K/N`. Pure: no I/O, and every criterion
//! looks at one scenario alone, so the result keeps the input order and does not depend on
//! which other scenarios were loaded.
//!
//! Shards partition by a stable hash of the scenario *name* (FNV-1a, 64 bit, written out here
//! so that no crate upgrade or platform can change it): every machine of a CI matrix computes
//! the same split, and adding a scenario never moves another one to a different shard.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::scenario::LoadedScenario;

/// Why a selection flag cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    /// `--shard` is not `K/N` with `1 <= K <= N`.
    #[error("--shard {0:?}: write K/N with 1 <= K <= N, e.g. 1/4")]
    Shard(String),
    /// `--filter` is not a glob.
    #[error("--filter {pattern:?} is not a glob pattern: {reason}")]
    Filter {
        /// The pattern as given.
        pattern: String,
        /// Why it does not parse.
        reason: String,
    },
    /// `--tag` is empty (or just `!`).
    #[error("--tag {0:?}: name a tag (or `!TAG` to exclude one)")]
    Tag(String),
}

/// One of `N` shards (1-based `index`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u32,
    count: u32,
}

impl Shard {
    /// Shard `index` (1-based) of `count`, if `1 <= index <= count`.
    pub fn new(index: u32, count: u32) -> Option<Self> {
        (index >= 1 && index <= count).then_some(Shard { index, count })
    }

    /// Whether the scenario called `name` belongs to this shard.
    pub fn contains(self, name: &str) -> bool {
        shard_of(name, self.count) == self.index
    }
}

impl FromStr for Shard {
    type Err = SelectionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || SelectionError::Shard(text.to_owned());
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let k: u32 = k.trim().parse().map_err(|_| bad())?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        Shard::new(k, n).ok_or_else(bad)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The shard (1-based, of `count`) the scenario called `name` belongs to.
pub fn shard_of(name: &str, count: u32) -> u32 {
    let count = u64::from(count.max(1));
    // The remainder is below `count`, which came from a u32.
    u32::try_from(fnv1a_64(name.as_bytes()) % count).unwrap_or(0) + 1
}

/// FNV-1a, 64 bit (the published offset basis and prime).
fn fnv1a_64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(PRIME)
    })
}

/// The selection flags, parsed.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    filters: Vec<glob::Pattern>,
    include_tags: Vec<String>,
    exclude_tags: Vec<String>,
    only: Option<BTreeSet<String>>,
    shard: Option<Shard>,
}

impl Selection {
    /// A selection from the flags: `filters` (a name must match one of them, if any), `tags`
    /// (`TAG` — a scenario must carry one of them, if any; `!TAG` — it must carry none of
    /// them) and `shard`.
    pub fn new(filters: &[String], tags: &[String], shard: Option<Shard>) -> Result<Self, SelectionError> {
        let filters = filters
            .iter()
            .map(|pattern| {
                glob::Pattern::new(pattern).map_err(|e| SelectionError::Filter {
                    pattern: pattern.clone(),
                    reason: e.msg.to_owned(),
                })
            })
            .collect::<Result<_, _>>()?;
        let mut include_tags = Vec::new();
        let mut exclude_tags = Vec::new();
        for tag in tags {
            match tag.strip_prefix('!') {
                Some(excluded) if !excluded.trim().is_empty() => {
                    exclude_tags.push(excluded.trim().to_owned());
                }
                None if !tag.trim().is_empty() => include_tags.push(tag.trim().to_owned()),
                _ => return Err(SelectionError::Tag(tag.clone())),
            }
        }
        Ok(Selection {
            filters,
            include_tags,
            exclude_tags,
            only: None,
            shard,
        })
    }

    /// Restricts the selection to the scenarios called one of `names` (`--last-failed`).
    pub fn only(mut self, names: BTreeSet<String>) -> Self {
        self.only = Some(names);
        self
    }

    /// Whether anything but the shard narrows the selection (then an empty result is worth
    /// saying; an empty shard of a small suite is not).
    pub fn narrows(&self) -> bool {
        !self.filters.is_empty()
            || !self.include_tags.is_empty()
            || !self.exclude_tags.is_empty()
            || self.only.is_some()
    }

    /// Whether a scenario called `name` with `tags` passes every criterion but the shard.
    pub fn matches(&self, name: &str, tags: &[String]) -> bool {
        let has = |wanted: &String| tags.iter().any(|t| t == wanted);
        (self.filters.is_empty() || self.filters.iter().any(|p| p.matches(name)))
            && (self.include_tags.is_empty() || self.include_tags.iter().any(has))
            && !self.exclude_tags.iter().any(has)
            && self.only.as_ref().is_none_or(|names| names.contains(name))
    }

    /// Whether a scenario called `name` is in the selected shard (every name is, without one).
    pub fn in_shard(&self, name: &str) -> bool {
        self.shard.is_none_or(|s| s.contains(name))
    }

    /// Splits `scenarios` into those selected and those left out, each in input order.
    pub fn apply(&self, scenarios: Vec<LoadedScenario>) -> Selected<LoadedScenario> {
        self.partition(scenarios, |loaded| (&loaded.name, &loaded.scenario.tags))
    }

    /// Splits `items` by the name and tags `key` gives each, keeping the input order.
    pub fn partition<T>(&self, items: Vec<T>, key: impl Fn(&T) -> (&str, &[String])) -> Selected<T> {
        let mut selected = Selected {
            chosen: Vec::new(),
            left_out: Vec::new(),
            matched: 0,
        };
        for item in items {
            let (name, tags) = key(&item);
            let matched = self.matches(name, tags);
            let chosen = matched && self.in_shard(name);
            selected.matched += usize::from(matched);
            if chosen {
                selected.chosen.push(item);
            } else {
                selected.left_out.push(item);
            }
        }
        selected
    }
}

/// The outcome of [`Selection::apply`].
#[derive(Debug)]
pub struct Selected<T> {
    /// The scenarios to run, in input order.
    pub chosen: Vec<T>,
    /// The others (their goldens are still referenced, so not "unreferenced").
    pub left_out: Vec<T>,
    /// How many matched every criterion before sharding.
    pub matched: usize,
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        // From the FNV reference test suite (http://www.isthe.com/chongo/src/fnv/test_fnv.c).
        assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    /// Shards of the four seed scenarios (computed independently, in Python, from the FNV-1a
    /// definition).
    const PINNED_2: [u32; 4] = [1, 1, 2, 2];
    const PINNED_3: [u32; 4] = [2, 3, 1, 1];

    #[test]
    fn shards_of_the_shipped_scenario_names_are_pinned() {
        // A change here moves scenarios between the machines of every CI matrix.
        let names = [
            "complete",
            "leave",
            "remove-participant-from-conference",
            "set-disposition",
        ];
        let of = |count| names.iter().map(|n| shard_of(n, count)).collect::<Vec<u32>>();
        assert_eq!(of(2), PINNED_2);
        assert_eq!(of(3), PINNED_3);
    }

    #[test]
    fn shard_text_is_k_of_n() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(
            "1/1".parse::<Shard>().map(|s| s.to_string()),
            Ok("1/1".to_owned())
        );
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "-1/2", ""] {
            assert_eq!(
                bad.parse::<Shard>(),
                Err(SelectionError::Shard(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn filters_are_globs_on_names_any_of_which_may_match() {
        let selection = Selection::new(&["comp*".to_owned(), "leave".to_owned()], &[], None).expect("valid");
        assert!(selection.matches("complete", &[]));
        assert!(selection.matches("leave", &[]));
        assert!(!selection.matches("leave-2", &[]));
        assert!(!selection.matches("set-disposition", &[]));
        assert!(Selection::new(&["[".to_owned()], &[], None).is_err());
    }

    #[test]
    fn tags_include_any_and_exclude_every_bang_tag() {
        let selection = Selection::new(&[], &tags(&["seed", "smoke", "!slow"]), None).expect("valid");
        assert!(selection.matches("a", &tags(&["seed"])));
        assert!(selection.matches("a", &tags(&["smoke", "other"])));
        assert!(!selection.matches("a", &tags(&["seed", "slow"])));
        assert!(!selection.matches("a", &tags(&["other"])));
        let exclude_only = Selection::new(&[], &tags(&["!slow"]), None).expect("valid");
        assert!(exclude_only.matches("a", &[]));
        assert!(!exclude_only.matches("a", &tags(&["slow"])));
        assert_eq!(
            Selection::new(&[], &tags(&["!"]), None).err(),
            Some(SelectionError::Tag("!".to_owned()))
        );
    }

    #[test]
    fn only_keeps_the_named_scenarios() {
        let selection = Selection::default().only(["leave".to_owned()].into());
        assert!(selection.narrows());
        assert!(selection.matches("leave", &[]));
        assert!(!selection.matches("complete", &[]));
        assert!(!Selection::default().narrows());
    }

    fn names() -> impl Strategy<Value = BTreeSet<String>> {
        proptest::collection::btree_set("[a-z0-9-]{1,24}", 0..60)
    }

    /// Each shard's names, as `--shard K/count` selects them from `names`.
    fn shards(names: &BTreeSet<String>, count: u32) -> Vec<Vec<String>> {
        (1..=count)
            .map(|k| {
                let selection = Selection::new(&[], &[], Shard::new(k, count)).expect("valid");
                let items: Vec<String> = names.iter().cloned().collect();
                selection.partition(items, |n| (n.as_str(), &[])).chosen
            })
            .collect()
    }

    proptest! {
        #[test]
        fn shards_are_disjoint_and_cover_every_scenario(names in names(), count in 1u32..9) {
            let mut seen: Vec<String> = shards(&names, count).into_iter().flatten().collect();
            seen.sort();
            // Every name once: none left out (cover), none twice (disjoint).
            prop_assert_eq!(seen, names.iter().cloned().collect::<Vec<_>>());
        }

        #[test]
        fn adding_a_scenario_moves_no_other_between_shards(
            names in names(),
            added in "[a-z0-9-]{1,24}",
            count in 1u32..9,
        ) {
            let before = shards(&names, count);
            let mut grown = names.clone();
            grown.insert(added.clone());
            let after = shards(&grown, count);
            for (k, (old, new)) in before.iter().zip(&after).enumerate() {
                let kept: Vec<&String> = new.iter().filter(|n| **n != added || names.contains(*n)).collect();
                prop_assert_eq!(kept, old.iter().collect::<Vec<_>>(), "shard {} of {}", k + 1, count);
            }
        }
    }
}
