//! Whole request datagrams: netlink header + genl header + payload.

use std::fmt::Debug;

use netlink_packet_core::{
    Emitable, NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_generic::{GenlFamily, GenlMessage};
use std::net::IpAddr;

use super::command::IpvsCmd;
use super::message::{IPVS_CMD_ATTR_SERVICE, IPVS_GENL_VERSION};
use super::nest::NESTED as NLA_F_NESTED;
use super::service::{
    IPVS_SVC_ATTR_ADDR, IPVS_SVC_ATTR_AF, IPVS_SVC_ATTR_FWMARK, IPVS_SVC_ATTR_PORT,
    IPVS_SVC_ATTR_PROTOCOL,
};
use crate::model::{Family, ServiceKey};

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

/// The real-server dump request for one service, written straight into
/// `out` (cleared first): the same bytes as
/// `encode_request(family_id, get_dests_request(key), DUMP_FLAGS, seq)`.
/// The poller sends one per service and poll, so it skips building and
/// serialising an attribute tree through netlink-packet-core.
pub fn encode_dests_request(out: &mut Vec<u8>, family_id: u16, key: &ServiceKey, seq: u32) {
    encode_keyed_request(out, family_id, (IpvsCmd::GetDest, DUMP_FLAGS), key, seq);
}

/// The request for one service (GET_SERVICE, not a dump), written as
/// `encode_dests_request` is: the same bytes as
/// `encode_request(family_id, get_service_request(key), REQUEST_FLAGS, seq)`.
/// The monitor sends one per service on screen and poll in a big table.
pub fn encode_service_request(out: &mut Vec<u8>, family_id: u16, key: &ServiceKey, seq: u32) {
    encode_keyed_request(
        out,
        family_id,
        (IpvsCmd::GetService, REQUEST_FLAGS),
        key,
        seq,
    );
}

/// A request whose only attribute is a service's identity.
fn encode_keyed_request(
    out: &mut Vec<u8>,
    family_id: u16,
    (cmd, flags): (IpvsCmd, u16),
    key: &ServiceKey,
    seq: u32,
) {
    fn attr(out: &mut Vec<u8>, kind: u16, value: &[u8]) {
        out.extend_from_slice(&((4 + value.len()) as u16).to_ne_bytes());
        out.extend_from_slice(&kind.to_ne_bytes());
        out.extend_from_slice(value);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    out.clear();
    // nlmsghdr: length (patched below), type, flags, seq, port id 0.
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&family_id.to_ne_bytes());
    out.extend_from_slice(&flags.to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    // genlmsghdr: cmd, version, reserved.
    out.extend_from_slice(&[u8::from(cmd), IPVS_GENL_VERSION, 0, 0]);
    let nest = out.len();
    out.extend_from_slice(&[0; 2]);
    out.extend_from_slice(&(IPVS_CMD_ATTR_SERVICE | NLA_F_NESTED).to_ne_bytes());
    match key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            attr(
                out,
                IPVS_SVC_ATTR_AF,
                &Family::of(addr).to_af().to_ne_bytes(),
            );
            attr(
                out,
                IPVS_SVC_ATTR_PROTOCOL,
                &protocol.number().to_ne_bytes(),
            );
            let mut bytes = [0u8; 16];
            match addr {
                IpAddr::V4(a) => bytes[..4].copy_from_slice(&a.octets()),
                IpAddr::V6(a) => bytes.copy_from_slice(&a.octets()),
            }
            attr(out, IPVS_SVC_ATTR_ADDR, &bytes);
            attr(out, IPVS_SVC_ATTR_PORT, &port.to_be_bytes());
        }
        ServiceKey::Fwmark { family, mark } => {
            attr(out, IPVS_SVC_ATTR_AF, &family.to_af().to_ne_bytes());
            attr(out, IPVS_SVC_ATTR_FWMARK, &mark.to_ne_bytes());
        }
    }
    let nest_len = (out.len() - nest) as u16;
    out[nest..nest + 2].copy_from_slice(&nest_len.to_ne_bytes());
    let len = out.len() as u32;
    out[..4].copy_from_slice(&len.to_ne_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Protocol;
    use crate::protocol::convert::{get_dests_request, get_service_request};
    use proptest::prelude::*;

    fn same_as_the_generic_encoder(key: ServiceKey, family_id: u16, seq: u32) {
        let mut fast = vec![0xaa; 3];
        encode_dests_request(&mut fast, family_id, &key, seq);
        let generic = encode_request(family_id, get_dests_request(&key), DUMP_FLAGS, seq);
        assert_eq!(fast, generic, "{key:?}");
        encode_service_request(&mut fast, family_id, &key, seq);
        let generic = encode_request(family_id, get_service_request(&key), REQUEST_FLAGS, seq);
        assert_eq!(fast, generic, "{key:?}");
    }

    proptest! {
        #[test]
        fn keyed_request_bytes_equal_the_generic_encoder(
            v6 in any::<bool>(), fwmark in any::<bool>(), proto in 0usize..3,
            a in any::<[u8; 16]>(), port in any::<u16>(), mark in 1u32.., family_id in any::<u16>(),
            seq in any::<u32>(),
        ) {
            let addr = if v6 { IpAddr::from(a) } else { IpAddr::from([a[0], a[1], a[2], a[3]]) };
            let family = Family::of(&addr);
            let key = if fwmark {
                ServiceKey::Fwmark { family, mark }
            } else {
                let protocol = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp][proto];
                ServiceKey::Addr { protocol, addr, port }
            };
            same_as_the_generic_encoder(key, family_id, seq);
        }
    }
}
