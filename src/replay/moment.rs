//! A moment in a recording as an operator types it (`--from`, `--to`, the
//! monitor's go-to form): `HH:MM[:SS]`, a full date `YYYY-MM-DD HH:MM[:SS]`
//! (or with `T`), either in local time or, ending in `Z`, UTC; or `@SECONDS`
//! since the epoch, fractions allowed. Typed text is hostile: a bounded
//! length, digits where digits go, and a refusal naming what was wrong.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Longer than any form above: refused before any parsing.
const TYPED_MAX: usize = 40;

/// A moment typed, not yet placed on a recording's timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Moment {
    /// Seconds since the epoch.
    Exact(SystemTime),
    /// A time of day (seconds since midnight), on the first day of the
    /// recording that has it at or after the recording's start.
    OfDay { seconds: f64, utc: bool },
}

/// Parses one moment; the error says what was expected.
pub fn parse(typed: &str) -> Result<Moment, String> {
    let s = typed.trim();
    if s.len() > TYPED_MAX {
        return Err(format!("a time is at most {TYPED_MAX} characters"));
    }
    let expected = || {
        format!(
            "'{}' is not a time: give HH:MM[:SS], YYYY-MM-DD HH:MM[:SS] (Z for UTC) or @SECONDS",
            s.escape_debug()
        )
    };
    if let Some(secs) = s.strip_prefix('@') {
        let v: f64 = secs.parse().map_err(|_| expected())?;
        if !v.is_finite() || !(0.0..=1e11).contains(&v) {
            return Err(expected());
        }
        return Ok(Moment::Exact(UNIX_EPOCH + Duration::from_secs_f64(v)));
    }
    let (body, utc) = match s.strip_suffix('Z') {
        Some(b) => (b, true),
        None => (s, false),
    };
    let (date, time) = match body.find([' ', 'T']) {
        Some(at) => (Some(&body[..at]), &body[at + 1..]),
        None => (None, body),
    };
    let seconds = time_of_day(time).ok_or_else(expected)?;
    match date {
        None => Ok(Moment::OfDay { seconds, utc }),
        Some(d) => {
            let (y, m, day) = calendar_date(d).ok_or_else(expected)?;
            let midnight = midnight(y, m, day, utc).ok_or_else(expected)?;
            Ok(Moment::Exact(midnight + Duration::from_secs_f64(seconds)))
        }
    }
}

/// `HH:MM[:SS[.frac]]` as seconds since midnight.
fn time_of_day(s: &str) -> Option<f64> {
    let mut parts = s.split(':');
    let h = two_digits(parts.next()?, 23)?;
    let m = two_digits(parts.next()?, 59)?;
    let sec = match parts.next() {
        None => 0.0,
        Some(p) => {
            let (whole, frac) = p.split_once('.').unwrap_or((p, ""));
            let whole = two_digits(whole, 60)?;
            if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 9 {
                return None;
            }
            let frac: f64 = if frac.is_empty() {
                0.0
            } else {
                format!("0.{frac}").parse().ok()?
            };
            whole as f64 + frac
        }
    };
    if parts.next().is_some() {
        return None;
    }
    Some((h * 3600 + m * 60) as f64 + sec)
}

fn two_digits(s: &str, max: u32) -> Option<u32> {
    if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: u32 = s.parse().ok()?;
    (v <= max).then_some(v)
}

/// `YYYY-MM-DD`.
fn calendar_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut parts = s.split('-');
    let y = parts.next()?;
    if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let m = two_digits(parts.next()?, 12)?;
    let d = two_digits(parts.next()?, 31)?;
    if parts.next().is_some() || m == 0 || d == 0 {
        return None;
    }
    Some((y.parse().ok()?, m, d))
}

/// Midnight starting that day, in UTC or in local time (`mktime`).
fn midnight(y: i32, m: u32, d: u32, utc: bool) -> Option<SystemTime> {
    let secs = if utc {
        days_from_civil(y, m, d) * 86_400
    } else {
        // SAFETY: mktime reads and normalises the zeroed `tm` on this stack.
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        tm.tm_year = y - 1900;
        tm.tm_mon = m as i32 - 1;
        tm.tm_mday = d as i32;
        tm.tm_isdst = -1;
        let t = unsafe { libc::mktime(&mut tm) };
        if t == -1 {
            return None;
        }
        t as i64
    };
    (secs >= 0).then(|| UNIX_EPOCH + Duration::from_secs(secs as u64))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y } as i64;
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl Moment {
    /// The moment on a recording's timeline starting at `start`: a time of
    /// day is the first one at or after the start (in the zone it was typed
    /// in).
    pub fn place(self, start: SystemTime) -> SystemTime {
        match self {
            Moment::Exact(t) => t,
            Moment::OfDay { seconds, utc } => {
                let start_secs = start
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs_f64())
                    .unwrap_or(0.0);
                let day_start = if utc {
                    (start_secs / 86_400.0).floor() * 86_400.0
                } else {
                    start_secs - local_seconds_of_day(start_secs as i64) as f64 - start_secs.fract()
                };
                let mut at = day_start + seconds;
                if at < start_secs.floor() {
                    at += 86_400.0;
                }
                UNIX_EPOCH + Duration::from_secs_f64(at.max(0.0))
            }
        }
    }
}

fn local_seconds_of_day(secs: i64) -> i64 {
    let t: libc::time_t = secs as libc::time_t;
    // SAFETY: localtime_r only writes into `tm`, which lives on this stack.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    if unsafe { libc::localtime_r(&t, &mut tm).is_null() } {
        return secs.rem_euclid(86_400);
    }
    (tm.tm_hour as i64) * 3600 + (tm.tm_min as i64) * 60 + tm.tm_sec as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn every_form_parses() {
        assert_eq!(
            parse("@1700000000").unwrap(),
            Moment::Exact(at(1_700_000_000))
        );
        assert_eq!(
            parse("2023-11-14 22:13:20Z").unwrap(),
            Moment::Exact(at(1_700_000_000))
        );
        assert_eq!(
            parse("2023-11-14T22:13:20Z").unwrap(),
            Moment::Exact(at(1_700_000_000))
        );
        assert_eq!(
            parse("22:13Z").unwrap(),
            Moment::OfDay {
                seconds: 80_000.0 - 20.0,
                utc: true
            }
        );
        assert_eq!(
            parse(" 03:12:07.5 ").unwrap(),
            Moment::OfDay {
                seconds: 3.0 * 3600.0 + 12.0 * 60.0 + 7.5,
                utc: false
            }
        );
    }

    #[test]
    fn a_time_of_day_is_the_first_at_or_after_the_start() {
        let start = at(1_700_000_000); // 2023-11-14 22:13:20 UTC
        let later = parse("23:00Z").unwrap().place(start);
        assert_eq!(later, at(1_700_000_000 - 80_000 + 82_800));
        let next_day = parse("01:00:00Z").unwrap().place(start);
        assert_eq!(next_day, at(1_700_000_000 - 80_000 + 86_400 + 3600));
    }

    #[test]
    fn bad_times_are_refused_in_words() {
        for bad in [
            "",
            "3:12",
            "24:00",
            "12:60",
            "12:00:61",
            "12:00:00:00",
            "2023-13-01 00:00",
            "2023-1-01 00:00",
            "@-5",
            "@nan",
            "@1e300",
            "12:0a",
            "tomorrow",
            "12:00:00.1234567890",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.contains("not a time"), "{bad}: {e}");
        }
        assert!(parse(&"1".repeat(41)).unwrap_err().contains("at most 40"));
    }
}
