//! Minimum-cost assignment (the Hungarian algorithm with potentials, O(r²·c) for r ≤ c), used to
//! pair expected with actual elements under `$unordered` and `$contains`. A greedy first-fit
//! can miss a perfect pairing that exists (`["$unordered", "$any", 1]` against `[1, 2]`:
//! `$any` grabs `1` first); this never does.

/// Assigns each row to a distinct column minimising the total cost, where `cost(row, col)` is
/// read from the row-major `costs` (`rows * cols` entries). Returns, for each row, its column,
/// or `None` for the rows left over when there are more rows than columns.
pub(crate) fn min_cost_assignment(rows: usize, cols: usize, costs: &[u64]) -> Vec<Option<usize>> {
    debug_assert_eq!(costs.len(), rows * cols, "cost matrix has rows * cols entries");
    if rows == 0 || cols == 0 {
        return vec![None; rows];
    }
    if rows <= cols {
        hungarian(rows, cols, |r, c| costs[r * cols + c])
            .into_iter()
            .map(Some)
            .collect()
    } else {
        let col_to_row = hungarian(cols, rows, |c, r| costs[r * cols + c]);
        let mut row_to_col = vec![None; rows];
        for (col, row) in col_to_row.into_iter().enumerate() {
            row_to_col[row] = Some(col);
        }
        row_to_col
    }
}

/// The classic O(n²·m) Hungarian algorithm with row/column potentials (n ≤ m), 1-based
/// internally with column 0 as the sentinel. Returns the column of each row.
fn hungarian(n: usize, m: usize, cost: impl Fn(usize, usize) -> u64) -> Vec<usize> {
    let inf = i128::MAX / 4;
    let mut u = vec![0_i128; n + 1];
    let mut v = vec![0_i128; m + 1];
    let mut owner = vec![0_usize; m + 1];
    let mut way = vec![0_usize; m + 1];
    for row in 1..=n {
        owner[0] = row;
        let mut j0 = 0;
        let mut minv = vec![inf; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = owner[j0];
            let mut delta = inf;
            let mut j1 = 0;
            for j in 1..=m {
                if used[j] {
                    continue;
                }
                let reduced = i128::from(cost(i0 - 1, j - 1)) - u[i0] - v[j];
                if reduced < minv[j] {
                    minv[j] = reduced;
                    way[j] = j0;
                }
                if minv[j] < delta {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[owner[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if owner[j0] == 0 {
                break;
            }
        }
        while j0 != 0 {
            let j1 = way[j0];
            owner[j0] = owner[j1];
            j0 = j1;
        }
    }
    let mut row_to_col = vec![0; n];
    for (col, &row) in owner.iter().enumerate().skip(1) {
        if row != 0 {
            row_to_col[row - 1] = col - 1;
        }
    }
    row_to_col
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn total(costs: &[u64], cols: usize, assignment: &[Option<usize>]) -> u64 {
        assignment
            .iter()
            .enumerate()
            .filter_map(|(r, c)| c.map(|c| costs[r * cols + c]))
            .sum()
    }

    /// The optimum by trying every assignment of min(rows, cols) pairs (small sizes only).
    fn brute_force(rows: usize, cols: usize, costs: &[u64]) -> u64 {
        fn go(row: usize, skips: usize, rows: usize, cols: usize, costs: &[u64], used: &mut [bool]) -> u64 {
            if row == rows {
                return 0;
            }
            let mut best = u64::MAX;
            if skips > 0 {
                best = go(row + 1, skips - 1, rows, cols, costs, used);
            }
            for col in 0..cols {
                if !used[col] {
                    used[col] = true;
                    let rest = go(row + 1, skips, rows, cols, costs, used);
                    used[col] = false;
                    if rest != u64::MAX {
                        best = best.min(costs[row * cols + col] + rest);
                    }
                }
            }
            best
        }
        go(
            0,
            rows.saturating_sub(cols),
            rows,
            cols,
            costs,
            &mut vec![false; cols],
        )
    }

    #[test]
    fn finds_the_assignment_a_greedy_pass_misses() {
        // Row 0 is cheap everywhere, row 1 only fits column 0: greedy takes column 0 for row 0.
        let costs = [0, 0, 0, 5];
        assert_eq!(min_cost_assignment(2, 2, &costs), [Some(1), Some(0)]);
    }

    #[test]
    fn empty_sides() {
        assert_eq!(min_cost_assignment(0, 3, &[]), Vec::<Option<usize>>::new());
        assert_eq!(min_cost_assignment(2, 0, &[]), [None, None]);
    }

    proptest! {
        #[test]
        fn matches_brute_force(rows in 0_usize..6, cols in 0_usize..6, seed in prop::collection::vec(0_u64..20, 36)) {
            let costs: Vec<u64> = seed.into_iter().take(rows * cols).collect();
            let assignment = min_cost_assignment(rows, cols, &costs);
            prop_assert_eq!(assignment.len(), rows);
            let mut seen = vec![false; cols];
            for col in assignment.iter().flatten() {
                prop_assert!(!seen[*col], "columns are distinct");
                seen[*col] = true;
            }
            prop_assert_eq!(assignment.iter().flatten().count(), rows.min(cols));
            prop_assert_eq!(total(&costs, cols, &assignment), brute_force(rows, cols, &costs));
        }
    }
}
