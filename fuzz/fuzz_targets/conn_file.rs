//! The connection table's /proc text (`ip_vs_conn`, `ip_vs_conn_sync`):
//! the first byte picks the file, how it is handed out and when the
//! visitor stops; the rest is the text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| lvstop_fuzz::conn_file(data));
