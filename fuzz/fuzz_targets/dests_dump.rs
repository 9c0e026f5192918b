//! Kernel replies of command NewDest (genl payload, headers stripped):
//! through the typed tree and conversions, and through the client's
//! learnt-layout decoder against the plain walk.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lvstop::protocol::IpvsCmd;

fuzz_target!(|data: &[u8]| {
    lvstop_fuzz::reply(IpvsCmd::NewDest, data);
    lvstop_fuzz::dest_learnt_layout(data);
});
