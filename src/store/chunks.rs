//! How many rows one multi-row statement carries.
//!
//! A batch's positions and outputs are written with multi-row statements, but never with
//! one statement per batch size: every distinct statement text is prepared and cached
//! anew (a batch of 137 rows, then one of 138, each parse and plan once and push useful
//! statements out of the cache), and SQLite looks up each parameter's name by a linear scan
//! of the statement's parameter list, which sqlx does for every parameter, so binding costs
//! the square of a statement's parameters. Rows are therefore cut into chunks whose sizes
//! are powers of two up to [`MAX_ROWS`]: a handful of statement texts per table, all
//! cached, each with a few hundred parameters at most.

/// Most rows in one statement.
pub(super) const MAX_ROWS: usize = 32;

/// The statement sizes `rows` rows are written in: as many [`MAX_ROWS`] as fit, then the
/// remainder's binary digits, largest first.
pub(super) fn sizes(rows: usize) -> impl Iterator<Item = usize> {
    let mut left = rows;
    std::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let size = if left >= MAX_ROWS { MAX_ROWS } else { 1 << (usize::BITS - 1 - left.leading_zeros()) };
        left -= size;
        Some(size)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_cover_every_row_with_few_distinct_statements() {
        for rows in 0..=300 {
            let sizes: Vec<usize> = sizes(rows).collect();
            assert_eq!(sizes.iter().sum::<usize>(), rows, "{rows}");
            assert!(sizes.iter().all(|s| s.is_power_of_two() && *s <= MAX_ROWS), "{rows}: {sizes:?}");
            assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "largest first: {sizes:?}");
        }
        assert_eq!(sizes(100).collect::<Vec<_>>(), [32, 32, 32, 4]);
    }
}
