//! `compare DIR_A DIR_B`: two targets' goldens lined up scenario by scenario, actor by actor,
//! notification by notification — the vendor-matrix view.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::diff::{Observed, diff};
use super::drift::Drift;
use super::store::{GoldenError, GoldenStore};
use crate::matching::Vars;

/// How one scenario's goldens compare.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ScenarioComparison {
    /// Only the first directory has it.
    OnlyInA,
    /// Only the second directory has it.
    OnlyInB,
    /// Both have it; these are the differences (B relative to A).
    Compared {
        /// Every drift.
        drifts: Vec<Drift>,
    },
}

/// The comparison of two golden directories.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The first directory.
    pub a: PathBuf,
    /// The second directory.
    pub b: PathBuf,
    /// Per golden (path relative to the directories), in path order.
    pub scenarios: Vec<(PathBuf, ScenarioComparison)>,
}

impl Comparison {
    /// Whether the two directories differ anywhere.
    pub fn differs(&self) -> bool {
        self.scenarios.iter().any(|(_, c)| match c {
            ScenarioComparison::Compared { drifts } => !drifts.is_empty(),
            _ => true,
        })
    }
}

/// Compares every golden of `a` with the same golden of `b`.
pub fn compare_dirs(a: &Path, b: &Path) -> Result<Comparison, GoldenError> {
    let (store_a, store_b) = (GoldenStore::new(a), GoldenStore::new(b));
    let relative = |store: &GoldenStore, dir: &Path| -> Result<Vec<PathBuf>, GoldenError> {
        Ok(store
            .goldens()?
            .into_iter()
            .filter_map(|p| p.strip_prefix(dir).ok().map(Path::to_path_buf))
            .collect())
    };
    let in_a = relative(&store_a, a)?;
    let in_b = relative(&store_b, b)?;
    let mut all: Vec<PathBuf> = in_a.iter().chain(&in_b).cloned().collect();
    all.sort();
    all.dedup();
    let mut scenarios = Vec::new();
    for path in all {
        let golden_a = store_a.load(&a.join(&path))?;
        let golden_b = store_b.load(&b.join(&path))?;
        let comparison = match (golden_a, golden_b) {
            (Some(ga), Some(gb)) => ScenarioComparison::Compared {
                drifts: diff(&ga, &gb, &Vars::new(), Observed::Golden),
            },
            (Some(_), None) => ScenarioComparison::OnlyInA,
            (None, _) => ScenarioComparison::OnlyInB,
        };
        scenarios.push((path, comparison));
    }
    Ok(Comparison {
        a: a.to_path_buf(),
        b: b.to_path_buf(),
        scenarios,
    })
}
