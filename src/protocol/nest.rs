//! Helpers shared by the attribute groups.

use netlink_packet_core::{DecodeError, NlaBuffer, NlasIterator, Parseable};

/// Flag set on the nests lvstop sends, as ipvsadm 1.31 (libnl 3.7) does.
///
/// The kernel's IPVS policies parse nests without strict validation, so it
/// accepts them with or without NLA_F_NESTED, and its own replies omit it
/// (`nla_nest_start_noflag`); parsing masks it either way (`NlaBuffer::kind`).
pub const NESTED: u16 = netlink_packet_core::NLA_F_NESTED;

/// Parse every attribute of a nest's payload.
pub fn parse_nested<A>(payload: &[u8]) -> Result<Vec<A>, DecodeError>
where
    A: for<'a> Parseable<NlaBuffer<&'a [u8]>>,
{
    NlasIterator::new(payload)
        .map(|nla| nla.and_then(|nla| A::parse(&nla)))
        .collect()
}

/// NUL-terminated string length, as the kernel's NLA_NUL_STRING wants.
pub fn string_len(s: &str) -> usize {
    s.len() + 1
}

pub fn emit_string(buffer: &mut [u8], s: &str) {
    buffer[..s.len()].copy_from_slice(s.as_bytes());
    buffer[s.len()] = 0;
}

/// A NUL-terminated string; anything after the first NUL is ignored.
pub fn parse_cstring(payload: &[u8]) -> Result<String, DecodeError> {
    let end = payload
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(payload.len());
    String::from_utf8(payload[..end].to_vec()).map_err(DecodeError::from)
}
