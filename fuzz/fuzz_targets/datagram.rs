//! Whole received datagrams (netlink + genl headers, possibly several
//! messages), as the transport reads them.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| lvstop_fuzz::datagram(data));
