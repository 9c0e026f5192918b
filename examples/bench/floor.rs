//! The floor: what reading the whole table costs the kernel and the socket,
//! with no decoding at all. One socket, one services dump, one real-server
//! dump per service, a 64 KiB receive buffer; replies are only counted.
//!
//! The only parsing is netlink framing (message lengths and types) and, to
//! name each service in its real-server request, copying the key attributes
//! (AF, protocol, address, port, fwmark) out of the service nest unread.

use std::io;

use netlink_packet_core::DefaultNla;
use netlink_sys::{protocols::NETLINK_GENERIC, Socket};

use lvstop::protocol::{encode_request, IpvsAttr, IpvsCmd, IpvsMessage, DUMP_FLAGS};

const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLA_TYPE_MASK: u16 = 0x3fff;
/// IPVS_SVC_ATTR_AF ..= IPVS_SVC_ATTR_FWMARK: what identifies a service.
const KEY_ATTRS: std::ops::RangeInclusive<u16> = 1..=5;

/// What one floor read saw.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub services: usize,
    pub dests: usize,
    pub datagrams: usize,
}

pub struct Floor {
    socket: Socket,
    family: u16,
    seq: u32,
    buf: Vec<u8>,
}

impl Floor {
    pub fn open(family: u16) -> io::Result<Floor> {
        let mut socket = Socket::new(NETLINK_GENERIC)?;
        socket.bind_auto()?;
        let _ = socket.set_rx_buf_sz(1024 * 1024);
        Ok(Floor {
            socket,
            family,
            seq: 0,
            buf: Vec::with_capacity(64 * 1024),
        })
    }

    pub fn read(&mut self) -> io::Result<Counts> {
        let mut counts = Counts::default();
        let mut keys = Vec::new();
        let request = IpvsMessage::new(IpvsCmd::GetService, vec![]);
        counts.services = self.dump(request, &mut counts.datagrams, Some(&mut keys))?;
        for key in keys {
            let request = IpvsMessage::new(
                IpvsCmd::GetDest,
                vec![IpvsAttr::Other(DefaultNla::new(
                    1 | netlink_packet_core::NLA_F_NESTED,
                    key,
                ))],
            );
            counts.dests += self.dump(request, &mut counts.datagrams, None)?;
        }
        Ok(counts)
    }

    /// One dump; returns the number of IPVS messages. With `keys`, the key
    /// attributes of each message's first nest are collected raw.
    fn dump(
        &mut self,
        request: IpvsMessage,
        datagrams: &mut usize,
        mut keys: Option<&mut Vec<Vec<u8>>>,
    ) -> io::Result<usize> {
        self.seq += 1;
        let out = encode_request(self.family, request, DUMP_FLAGS, self.seq);
        self.socket.send(&out, 0)?;
        let mut messages = 0;
        loop {
            self.buf.clear();
            self.socket.recv(&mut self.buf, 0)?;
            *datagrams += 1;
            let mut off = 0;
            while off + 16 <= self.buf.len() {
                let len = u32::from_ne_bytes(self.buf[off..off + 4].try_into().unwrap()) as usize;
                let kind = u16::from_ne_bytes(self.buf[off + 4..off + 6].try_into().unwrap());
                if len < 16 || off + len > self.buf.len() {
                    return Err(io::Error::other("truncated netlink message"));
                }
                match kind {
                    NLMSG_DONE => return Ok(messages),
                    NLMSG_ERROR => {
                        let code =
                            i32::from_ne_bytes(self.buf[off + 16..off + 20].try_into().unwrap());
                        if code != 0 {
                            return Err(io::Error::from_raw_os_error(-code));
                        }
                        return Ok(messages);
                    }
                    k if k == self.family => {
                        messages += 1;
                        if let Some(keys) = keys.as_deref_mut() {
                            // nlmsghdr (16) + genlmsghdr (4), then the service nest.
                            keys.push(key_of(&self.buf[off + 20..off + len]));
                        }
                    }
                    _ => {}
                }
                off += (len + 3) & !3;
            }
        }
    }
}

/// The key attributes of the first nest in `attrs`, copied as they are.
fn key_of(attrs: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(48);
    if attrs.len() < 4 {
        return key;
    }
    let nest_len = (u16::from_ne_bytes([attrs[0], attrs[1]]) as usize).min(attrs.len());
    let mut off = 4;
    while off + 4 <= nest_len {
        let len = u16::from_ne_bytes([attrs[off], attrs[off + 1]]) as usize;
        let kind = u16::from_ne_bytes([attrs[off + 2], attrs[off + 3]]) & NLA_TYPE_MASK;
        if len < 4 || off + len > nest_len {
            break;
        }
        let aligned = ((len + 3) & !3).min(nest_len - off);
        if KEY_ATTRS.contains(&kind) {
            key.extend_from_slice(&attrs[off..off + aligned]);
        }
        off += aligned;
    }
    key
}
