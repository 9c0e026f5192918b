//! Whole request datagrams: netlink header + genl header + payload.

use std::fmt::Debug;

use netlink_packet_core::{
    Emitable, NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_generic::{GenlFamily, GenlMessage};

/// Flags of a plain request: the kernel always acknowledges, so a change
/// that has no reply still reports success or its errno.
pub const REQUEST_FLAGS: u16 = NLM_F_REQUEST | NLM_F_ACK;

/// Flags of a dump request. NLM_F_ACK as ipvsadm (libnl) sends it: for a
/// dump the kernel answers with NLMSG_DONE and no separate ACK.
pub const DUMP_FLAGS: u16 = NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP;

/// Serialize one request for `family_id` (port id 0: the kernel fills in ours).
pub fn encode_request<F>(family_id: u16, payload: F, flags: u16, seq: u32) -> Vec<u8>
where
    F: GenlFamily + Emitable + Debug,
{
    let mut genl = GenlMessage::from_payload(payload);
    genl.set_resolved_family_id(family_id);
    let mut header = NetlinkHeader::default();
    header.flags = flags;
    header.sequence_number = seq;
    let mut msg = NetlinkMessage::new(header, NetlinkPayload::InnerMessage(genl));
    msg.finalize();
    let mut out = vec![0u8; msg.buffer_len()];
    msg.serialize(&mut out);
    out
}
