//! RFC 3339 timestamps without a date crate: the journal only ever writes
//! UTC, so the civil-from-days arithmetic is all that is needed.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::output::json::civil_from_days;

/// `2023-11-14T22:13:20.000Z` and the whole unix seconds of `t`.
///
/// Times before 1970 (a clock gone badly wrong) are written as the epoch
/// rather than refused: a journal record must never fail for its timestamp.
pub fn stamp(t: SystemTime) -> (String, u64) {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (y, m, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    let text = format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        d.subsec_millis()
    );
    (text, secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn known_instants() {
        let at = |s: u64, ms: u64| {
            stamp(UNIX_EPOCH + Duration::from_secs(s) + Duration::from_millis(ms))
        };
        assert_eq!(at(0, 0), ("1970-01-01T00:00:00.000Z".into(), 0));
        assert_eq!(at(1_700_000_000, 250).0, "2023-11-14T22:13:20.250Z");
        // Leap day, and the last second of a leap year (date -u -d @...).
        assert_eq!(at(951_782_400, 0).0, "2000-02-29T00:00:00.000Z");
        assert_eq!(at(1_609_459_199, 999).0, "2020-12-31T23:59:59.999Z");
        assert_eq!(at(4_102_444_800, 0).0, "2100-01-01T00:00:00.000Z");
    }
}
