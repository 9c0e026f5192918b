//! Times typed for a replay (`--from`, `--to`, the monitor's go-to form):
//! parsed, then placed on a recording's timeline starting at any second.
#![no_main]
use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use lvstop::replay::moment;

fuzz_target!(|data: &[u8]| {
    let (start, text) = match data.split_first_chunk::<4>() {
        Some((s, rest)) => (u32::from_le_bytes(*s), rest),
        None => (0, data),
    };
    if let Ok(m) = moment::parse(&String::from_utf8_lossy(text)) {
        let _ = m.place(UNIX_EPOCH + Duration::from_secs(start.into()));
    }
});
