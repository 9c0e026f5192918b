//! Kernel replies of command SetInfo (genl payload, headers stripped).
#![no_main]
use libfuzzer_sys::fuzz_target;
use lvstop::protocol::IpvsCmd;

fuzz_target!(|data: &[u8]| lvstop_fuzz::reply(IpvsCmd::SetInfo, data));
