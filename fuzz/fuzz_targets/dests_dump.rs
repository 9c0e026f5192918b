//! Kernel replies of command NewDest (genl payload, headers stripped).
#![no_main]
use libfuzzer_sys::fuzz_target;
use lvstop::protocol::IpvsCmd;

fuzz_target!(|data: &[u8]| lvstop_fuzz::reply(IpvsCmd::NewDest, data));
