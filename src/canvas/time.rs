//! Wall-clock times for the header, in local time or UTC.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::output::json::civil_from_days;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TimeZone {
    #[default]
    Local,
    Utc,
}

/// `HH:MM:SS`.
pub fn clock(t: SystemTime, tz: TimeZone) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let of_day = match tz {
        TimeZone::Utc => secs.rem_euclid(86_400),
        TimeZone::Local => local_seconds_of_day(secs),
    };
    format!(
        "{:02}:{:02}:{:02}",
        of_day / 3600,
        (of_day / 60) % 60,
        of_day % 60
    )
}

/// `YYYY-MM-DD`: a recording may span days.
pub fn date(t: SystemTime, tz: TimeZone) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    // The zone's offset from the two times of day, within half a day.
    let offset = match tz {
        TimeZone::Utc => 0,
        TimeZone::Local => {
            let o = (local_seconds_of_day(secs) - secs.rem_euclid(86_400)).rem_euclid(86_400);
            if o > 43_200 {
                o - 86_400
            } else {
                o
            }
        }
    };
    let (y, m, d) = civil_from_days((secs + offset).div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

fn local_seconds_of_day(secs: i64) -> i64 {
    let t: libc::time_t = secs as libc::time_t;
    // SAFETY: localtime_r only writes into `tm`, which lives on this stack.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
    if ok {
        (tm.tm_hour as i64) * 3600 + (tm.tm_min as i64) * 60 + tm.tm_sec as i64
    } else {
        secs.rem_euclid(86_400)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn utc_clock() {
        let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000 + 3 * 3600);
        assert_eq!(clock(t, TimeZone::Utc), "01:13:20");
        assert_eq!(date(t, TimeZone::Utc), "2023-11-15");
        assert_eq!(date(UNIX_EPOCH, TimeZone::Utc), "1970-01-01");
    }
}
