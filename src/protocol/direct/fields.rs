//! The one description of the fields the dump decoders read: for each
//! attribute of a service or real-server nest, its field and how its value
//! is written. The walk checks values by it, and a `Layout` (where each
//! field lies in one message) is indexed by it, for the walk's reads and
//! the learnt decoders' alike.

use std::ops::Index;

use netlink_packet_core::DecodeError;

use crate::protocol::dest::*;
use crate::protocol::message::{IPVS_CMD_ATTR_DEST, IPVS_CMD_ATTR_SERVICE};
use crate::protocol::service::*;

/// How a value is written on the wire, so which lengths the walk accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wire {
    U8,
    /// Native byte order.
    U16,
    /// Network byte order (ports).
    U16Be,
    U32,
    /// `union nf_inet_addr`: its length is judged with the family, later.
    Addr,
    /// A NUL-terminated name, which must be UTF-8.
    Name,
    /// `struct ip_vs_flags`: flags, then mask; at least 8 bytes.
    Flags,
}

/// One attribute of a nest, as the decoders read it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Field {
    pub attr: u16,
    /// The attribute's name in `linux/ip_vs.h`, for messages.
    pub name: &'static str,
    pub wire: Wire,
}

impl Field {
    /// Whether `value` is a well-formed value of this field.
    pub fn check(&self, value: &[u8]) -> Result<(), DecodeError> {
        let exact = |want: usize| {
            if value.len() == want {
                Ok(())
            } else {
                Err(DecodeError::from(format!(
                    "invalid {}: {} bytes, expected {want}",
                    self.name,
                    value.len()
                )))
            }
        };
        match self.wire {
            Wire::U8 => exact(1),
            Wire::U16 | Wire::U16Be => exact(2),
            Wire::U32 => exact(4),
            Wire::Flags if value.len() < 8 => exact(8),
            Wire::Addr | Wire::Flags => Ok(()),
            Wire::Name => {
                let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
                std::str::from_utf8(&value[..end])
                    .map(drop)
                    .map_err(|e| DecodeError::from(format!("invalid {}: {e}", self.name)))
            }
        }
    }
}

/// A NUL-terminated name (the whole value when it has no NUL).
pub(super) fn cstring(v: &[u8], what: &str) -> Result<String, DecodeError> {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    String::from_utf8(v[..end].to_vec())
        .map_err(|e| DecodeError::from(format!("invalid {what}: {e}")))
}

/// A statistics counter of neither width.
pub(super) fn bad_counter(kind: u16, len: usize) -> DecodeError {
    DecodeError::from(format!(
        "invalid IPVS_STATS_ATTR {kind}: a statistics counter is 4 or 8 bytes, got {len}"
    ))
}

/// The counters IPVS_STATS_ATTR_CONNS (1) … OUTBPS (10), numbered alike in
/// both statistics groups; IPVS_STATS_ATTR_PAD and newer ones are skipped.
pub(super) const COUNTERS: usize = 10;

/// A top-level nest of a dump message and the fields read from it.
#[derive(Debug)]
pub(super) struct Nest<const N: usize> {
    pub attr: u16,
    pub name: &'static str,
    pub fields: [Field; N],
    /// The 32-bit and the 64-bit statistics groups in the nest; the
    /// decoders read STATS64 when present (kernels >= 4.1), else STATS.
    pub stats: u16,
    pub stats64: u16,
    /// Attribute type -> index in `fields` + 1 (0: not read).
    slots: [u8; 32],
}

impl<const N: usize> Nest<N> {
    const fn new(
        attr: u16,
        name: &'static str,
        fields: [Field; N],
        stats: u16,
        stats64: u16,
    ) -> Nest<N> {
        let mut slots = [0u8; 32];
        let mut i = 0;
        while i < N {
            slots[fields[i].attr as usize] = i as u8 + 1;
            i += 1;
        }
        Nest {
            attr,
            name,
            fields,
            stats,
            stats64,
            slots,
        }
    }

    /// The index of the field an attribute type is, if one is read.
    #[inline]
    pub fn slot(&self, attr: u16) -> Option<usize> {
        match self.slots.get(attr as usize) {
            Some(&s) if s > 0 => Some(s as usize - 1),
            _ => None,
        }
    }
}

/// A value's place in a payload: (offset, length), or None when the
/// message does not have it.
pub(super) type Place = Option<(u32, u32)>;

/// Where each field of a nest lies in one message (the last occurrence, as
/// a walk assigns them in order) and where the counters of the statistics
/// group read lie.
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout<const N: usize> {
    pub fields: [Place; N],
    pub counters: [Place; COUNTERS],
    /// A name field given more than once: the walk checks every copy, a
    /// read by this layout would check only the last.
    pub repeated_name: bool,
}

impl<const N: usize> Default for Layout<N> {
    fn default() -> Layout<N> {
        Layout {
            fields: [None; N],
            counters: [None; COUNTERS],
            repeated_name: false,
        }
    }
}

/// Declares a nest's fields once: an enum naming each field (its index in
/// the nest), and the nest's description in the same order.
macro_rules! nest {
    ($(#[$doc:meta])* $nest:ident, $field:ident, $attr:expr, $stats:expr, $stats64:expr,
     { $($name:ident = $const:ident: $wire:ident,)* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(super) enum $field { $($name,)* }

        $(#[$doc])*
        pub(super) const $nest: Nest<{ [$(stringify!($name)),*].len() }> = Nest::new(
            $attr,
            stringify!($attr),
            [$(Field { attr: $const, name: stringify!($const), wire: Wire::$wire },)*],
            $stats,
            $stats64,
        );

        impl Index<$field> for Layout<{ [$(stringify!($name)),*].len() }> {
            type Output = Place;

            #[inline]
            fn index(&self, f: $field) -> &Place {
                &self.fields[f as usize]
            }
        }
    };
}

nest!(
    /// IPVS_CMD_ATTR_SERVICE: a service of a GET_SERVICE dump.
    SERVICE, ServiceField, IPVS_CMD_ATTR_SERVICE, IPVS_SVC_ATTR_STATS, IPVS_SVC_ATTR_STATS64, {
        Af = IPVS_SVC_ATTR_AF: U16,
        Protocol = IPVS_SVC_ATTR_PROTOCOL: U16,
        Addr = IPVS_SVC_ATTR_ADDR: Addr,
        Port = IPVS_SVC_ATTR_PORT: U16Be,
        Fwmark = IPVS_SVC_ATTR_FWMARK: U32,
        Scheduler = IPVS_SVC_ATTR_SCHED_NAME: Name,
        Flags = IPVS_SVC_ATTR_FLAGS: Flags,
        Timeout = IPVS_SVC_ATTR_TIMEOUT: U32,
        Netmask = IPVS_SVC_ATTR_NETMASK: U32,
        PeName = IPVS_SVC_ATTR_PE_NAME: Name,
    }
);

nest!(
    /// IPVS_CMD_ATTR_DEST: a real server of a GET_DEST dump.
    DEST, DestField, IPVS_CMD_ATTR_DEST, IPVS_DEST_ATTR_STATS, IPVS_DEST_ATTR_STATS64, {
        Addr = IPVS_DEST_ATTR_ADDR: Addr,
        Port = IPVS_DEST_ATTR_PORT: U16Be,
        Forward = IPVS_DEST_ATTR_FWD_METHOD: U32,
        Weight = IPVS_DEST_ATTR_WEIGHT: U32,
        UpperThreshold = IPVS_DEST_ATTR_U_THRESH: U32,
        LowerThreshold = IPVS_DEST_ATTR_L_THRESH: U32,
        ActiveConns = IPVS_DEST_ATTR_ACTIVE_CONNS: U32,
        InactiveConns = IPVS_DEST_ATTR_INACT_CONNS: U32,
        PersistentConns = IPVS_DEST_ATTR_PERSIST_CONNS: U32,
        Family = IPVS_DEST_ATTR_ADDR_FAMILY: U16,
        TunnelType = IPVS_DEST_ATTR_TUN_TYPE: U8,
        TunnelPort = IPVS_DEST_ATTR_TUN_PORT: U16Be,
        TunnelFlags = IPVS_DEST_ATTR_TUN_FLAGS: U16,
    }
);

pub(super) type ServiceLayout = Layout<{ SERVICE.fields.len() }>;
pub(super) type DestLayout = Layout<{ DEST.fields.len() }>;

#[cfg(test)]
mod tests {
    use super::*;

    /// Each field is found by its own attribute type, and only it.
    #[test]
    fn every_field_is_found_by_its_attribute() {
        for (i, f) in SERVICE.fields.iter().enumerate() {
            assert_eq!(SERVICE.slot(f.attr), Some(i), "{}", f.name);
        }
        for (i, f) in DEST.fields.iter().enumerate() {
            assert_eq!(DEST.slot(f.attr), Some(i), "{}", f.name);
        }
        for attr in [0, SERVICE.stats, SERVICE.stats64, 13, 31, 32, 0x3fff] {
            assert_eq!(SERVICE.slot(attr), None, "{attr}");
        }
        assert_eq!(DEST.slot(DEST.stats64), None);
        assert_eq!(SERVICE.name, "IPVS_CMD_ATTR_SERVICE");
        assert_eq!(DEST.name, "IPVS_CMD_ATTR_DEST");
        assert_eq!(
            SERVICE.fields[ServiceField::PeName as usize].name,
            "IPVS_SVC_ATTR_PE_NAME"
        );
        assert_eq!(
            DEST.fields[DestField::TunnelFlags as usize].attr,
            IPVS_DEST_ATTR_TUN_FLAGS
        );
    }
}
