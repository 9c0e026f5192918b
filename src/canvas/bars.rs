//! Sparkline text: block glyphs, newest sample at the right edge, so "now"
//! is the same column on every row. A zero is `▁` (drawn, so it differs from
//! no data); anything above zero is at least `▂`; a cell with no sample is
//! blank.

const LEVELS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Eighths of `height` rows a value fills on a scale topped by `max`.
fn eighths(v: u64, max: u64, height: usize) -> usize {
    let total = height * 8;
    if v == 0 || max == 0 {
        return 1;
    }
    let e = (v as f64 / max as f64 * total as f64).round() as usize;
    e.clamp(2, total)
}

/// `height` lines of `width` cells, top line first, for `values` (oldest
/// first) scaled so `max` fills the height. Only the newest `width` values
/// are drawn, right-aligned.
pub fn rows(values: &[u64], width: usize, max: u64, height: usize) -> Vec<String> {
    let height = height.max(1);
    let shown = &values[values.len().saturating_sub(width)..];
    let pad = width - shown.len();
    (0..height)
        .map(|line| {
            // Eighths below this line.
            let below = (height - 1 - line) * 8;
            let mut s = " ".repeat(pad);
            for &v in shown {
                let fill = eighths(v, max, height).saturating_sub(below).min(8);
                s.push(LEVELS[fill]);
            }
            s
        })
        .collect()
}

/// One line of `rows`.
pub fn line(values: &[u64], width: usize, max: u64) -> String {
    rows(values, width, max, 1).remove(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_the_right_edge_and_missing_data_is_blank() {
        assert_eq!(line(&[8, 8], 5, 8), "   ██");
        assert_eq!(line(&[1, 2, 3, 4, 5, 6, 7, 8], 3, 8), "▆▇█");
    }

    #[test]
    fn zero_is_the_lowest_bar_and_nonzero_shows_above_it() {
        assert_eq!(line(&[0, 1, 1000], 3, 1000), "▁▂█");
        assert_eq!(line(&[0, 0], 2, 0), "▁▁");
    }

    #[test]
    fn one_scale_draws_equal_values_equally() {
        let a = line(&[178], 1, 180);
        let b = line(&[173], 1, 180);
        assert_eq!(a, b, "178 and 173 on one scale look alike");
    }

    #[test]
    fn taller_bars_stack_rows() {
        assert_eq!(rows(&[0, 4, 8], 3, 8, 2), vec!["  █", "▁██"]);
    }
}
