//! A recording segment (`--record` file): header, blocks, entries decoded.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = lvstop::record::read_segment_bytes(data);
});
