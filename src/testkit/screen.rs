//! A drawn screen as text, for assertions and snapshots.

use ratatui::buffer::Buffer;

/// Each row's cells, untrimmed: column `x` is the `x`th symbol.
pub fn rows(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

/// The rows with trailing blanks trimmed, each ending in a newline: the
/// form the snapshots are stored in.
pub fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for row in rows(buf) {
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}
