//! How a recording is written: its size bound and block cadence.

use std::time::Duration;

/// What `--record-max` defaults to: a bound always applies, so a recording
/// left running never fills the disk.
pub const DEFAULT_MAX: u64 = 1 << 30;

/// The smallest `--record-max`: room for a few segments of small blocks.
pub const MIN_MAX: u64 = 64 << 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordOptions {
    /// Total bytes kept across the segments (the newest are kept).
    pub max_bytes: u64,
    /// A block is written (and fsync'd) when it spans this long...
    pub block_span: Duration,
    /// ...or when its entries after its first tick's whole table reach
    /// this many bytes before compression.
    pub block_bytes: usize,
}

impl Default for RecordOptions {
    fn default() -> RecordOptions {
        RecordOptions {
            max_bytes: DEFAULT_MAX,
            block_span: Duration::from_secs(60),
            // A jump decodes its block's changes up to the cursor: at 10,000
            // x 10 with every counter moving, 8 MiB of a block held 9 ticks
            // of them and their decoding was most of a jump's 1 s in the test
            // VM; 3 MiB after the table holds 4 (docs/benchmarks.md).
            block_bytes: 3 << 20,
        }
    }
}

impl RecordOptions {
    /// Segments a recording rotates through: the bound is kept by dropping
    /// the oldest segment, an eighth of the data at a time.
    pub const SEGMENTS: u64 = 8;

    pub fn segment_bytes(&self) -> u64 {
        (self.max_bytes / Self::SEGMENTS).max(1)
    }
}

/// `500M`, `2G`, `64K`, `1T` or a number of bytes (powers of 1024; `B`,
/// `iB` may follow the letter), for `--record-max`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let bad = || format!("'{text}' is not a size (examples: 500M, 2G)");
    let t = text.trim();
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return Err(bad());
    }
    let n: u64 = t[..digits].parse().map_err(|_| bad())?;
    let unit = t[digits..].to_ascii_uppercase();
    let shift = match unit.as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(bad()),
    };
    let bytes = n
        .checked_mul(1u64 << shift)
        .ok_or_else(|| format!("'{text}' is too large"))?;
    if bytes < MIN_MAX {
        return Err(format!("'{text}' is too small (at least 64K)"));
    }
    Ok(bytes)
}
