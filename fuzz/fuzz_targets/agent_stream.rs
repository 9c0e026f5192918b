//! A remote agent's stream (docs/agent-protocol.md): lines decoded as lvstop
//! decodes them, readings put together as lvstop's Staging does, and each
//! line also read as a request, as the agent reads lvstop's lines.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lvstop::fleet::protocol::{decode_from_agent, decode_to_agent, FromAgent, Staging};

fuzz_target!(|data: &[u8]| {
    let mut staging = Staging::new();
    for line in data.split(|&b| b == b'\n') {
        let _ = decode_to_agent(line);
        if let Ok(FromAgent::Reading(r)) = decode_from_agent(line) {
            if staging.take(&r).is_err() {
                // lvstop marks the director bad and starts over.
                staging = Staging::new();
            }
        }
    }
});
