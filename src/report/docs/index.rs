//! The index of the reference pages: by operation (what a GWS implementer looks up) and by
//! tag (how the suite is organised).

use std::collections::BTreeMap;

use super::page::{Action, Page};

/// One page in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The page title.
    pub title: String,
    /// The link from the index to the page.
    pub link: String,
    /// The scenario's summary (or its name).
    pub summary: String,
}

/// The index.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Operations (names first, then other requests, then state-hook steps), each with the
    /// pages that perform it.
    pub by_operation: Vec<(String, Vec<Entry>)>,
    /// Tags, sorted, each with its pages.
    pub by_tag: Vec<(String, Vec<Entry>)>,
}

/// The index of `pages`, each linked as `link(page)`; pages keep their input order inside a
/// group.
pub fn build_index(pages: &[Page], link: &dyn Fn(&Page) -> String) -> Index {
    let mut by_operation: BTreeMap<(u8, String), Vec<Entry>> = BTreeMap::new();
    let mut by_tag: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for page in pages {
        let entry = Entry {
            title: page.title.clone(),
            link: link(page),
            summary: page.summary.clone().unwrap_or_else(|| page.name.clone()),
        };
        let mut keys: Vec<(u8, String)> = page
            .steps
            .iter()
            .map(|step| {
                let tier = match &step.action {
                    Action::Http {
                        operation: Some(_), ..
                    } => 0,
                    Action::Http { .. } => 1,
                    Action::State { .. } => 2,
                };
                (tier, step.action.operation_key())
            })
            .collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            by_operation.entry(key).or_default().push(entry.clone());
        }
        for tag in &page.tags {
            let list = by_tag.entry(tag.clone()).or_default();
            if !list.contains(&entry) {
                list.push(entry.clone());
            }
        }
    }
    Index {
        by_operation: by_operation.into_iter().map(|((_, k), v)| (k, v)).collect(),
        by_tag: by_tag.into_iter().collect(),
    }
}
