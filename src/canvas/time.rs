//! Wall-clock times for the header, in local time or UTC.

use std::time::{SystemTime, UNIX_EPOCH};

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

/// A date from days since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
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
