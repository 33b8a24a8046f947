//! Judging one actor's notifications for one step against its expectations, strict or
//! lenient (DESIGN.md §3 "Streams").

use std::collections::BTreeSet;

use serde_json::Value;
use serde_saphyr::Spanned;

use crate::matching::{Mismatch, Vars, match_value};
use crate::scenario::StreamMode;

/// The verdict on one actor's notifications for one step.
#[derive(Debug, Default)]
pub(super) struct StreamJudgement {
    /// Expected index → (actual, mismatches) for expectations matched to a notification that
    /// differs.
    pub differing: Vec<(usize, Value, Vec<Mismatch>)>,
    /// Expected indices that found no notification.
    pub unmatched: Vec<usize>,
    /// Notifications no expectation claimed.
    pub extras: Vec<Value>,
    /// Expected index → the notification it was compared with (matching or not), in
    /// expectation order: where its symbolic ids bind.
    pub matched: Vec<(usize, Value)>,
}

/// For each expectation in order, the index of the first later notification matching it.
fn subsequence(expected: &[Spanned<Value>], received: &[&Value], vars: &Vars) -> Vec<Option<usize>> {
    let mut next = 0;
    expected
        .iter()
        .map(|exp| {
            let found =
                (next..received.len()).find(|&i| match_value(&exp.value, received[i], vars).is_empty());
            if let Some(i) = found {
                next = i + 1;
            }
            found
        })
        .collect()
}

/// Judges `received` against `expected`.
///
/// Strict: position by position; surplus notifications are extras (failures for the caller).
/// Lenient: expectations must appear in order among the notifications; the others are extras
/// (notes). An expectation that found no exact match is compared with the notification at its
/// position, so the report can still show a diff against the most likely candidate.
pub(super) fn judge(
    mode: StreamMode,
    expected: &[Spanned<Value>],
    received: &[&Value],
    vars: &Vars,
) -> StreamJudgement {
    let mut j = StreamJudgement::default();
    match mode {
        StreamMode::Strict => {
            for (i, exp) in expected.iter().enumerate() {
                match received.get(i) {
                    Some(actual) => {
                        j.matched.push((i, (*actual).clone()));
                        let mismatches = match_value(&exp.value, actual, vars);
                        if !mismatches.is_empty() {
                            j.differing.push((i, (*actual).clone(), mismatches));
                        }
                    }
                    None => j.unmatched.push(i),
                }
            }
            j.extras = received
                .iter()
                .skip(expected.len())
                .map(|v| (*v).clone())
                .collect();
        }
        StreamMode::Lenient => {
            let positions = subsequence(expected, received, vars);
            let claimed: BTreeSet<usize> = positions.iter().flatten().copied().collect();
            for (i, pos) in positions.iter().enumerate() {
                if let Some(k) = pos {
                    j.matched.push((i, received[*k].clone()));
                    continue;
                }
                // Compare with the first unclaimed notification to show a useful diff.
                match received.iter().enumerate().find(|(k, _)| !claimed.contains(k)) {
                    Some((_, actual)) => {
                        let mismatches = match_value(&expected[i].value, actual, vars);
                        j.differing.push((i, (*actual).clone(), mismatches));
                    }
                    None => j.unmatched.push(i),
                }
            }
            j.extras = received
                .iter()
                .enumerate()
                .filter(|(k, _)| !claimed.contains(k))
                .map(|(_, v)| (*v).clone())
                .collect();
        }
    }
    j
}
