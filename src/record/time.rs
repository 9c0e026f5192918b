//! Wall times in a recording: signed microseconds since the Unix epoch, so
//! any `SystemTime` a clock gives round-trips.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub fn to_micros(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_micros()).unwrap_or(i64::MAX),
    }
}

pub fn from_micros(us: i64) -> SystemTime {
    if us >= 0 {
        UNIX_EPOCH + Duration::from_micros(us as u64)
    } else {
        UNIX_EPOCH - Duration::from_micros(us.unsigned_abs())
    }
}

/// `2026-12-04T22:35:01.000Z`, for messages about a place in a file.
pub fn words(us: i64) -> String {
    crate::journal::stamp(from_micros(us)).0
}
