//! Receiving the datagrams of an answer several per system call.
//!
//! A real-server dump arrives as two datagrams: the entries, then
//! NLMSG_DONE, which the kernel queues while the first is being read
//! (netlink_recvmsg continues the dump). `recvmmsg` with MSG_WAITFORONE
//! waits for the first and takes whatever is queued behind it, so a dump of
//! a service costs one receive call instead of two; a big dump takes up to
//! `BATCH` datagrams a call.

use std::io;
use std::os::fd::AsRawFd;

use netlink_sys::Socket;

/// Datagrams taken per call at most.
const BATCH: usize = 4;

pub struct Receiver {
    bufs: Vec<Vec<u8>>,
    lens: [usize; BATCH],
}

impl Receiver {
    /// Buffers of `size` bytes each (a datagram that does not fit is an
    /// error, not a silent cut).
    pub fn new(size: usize) -> Receiver {
        Receiver {
            bufs: (0..BATCH).map(|_| vec![0u8; size]).collect(),
            lens: [0; BATCH],
        }
    }

    /// Waits for a datagram (up to the socket's receive timeout) and takes
    /// it and those already queued behind it; returns how many.
    pub fn receive(&mut self, socket: &Socket) -> io::Result<usize> {
        // SAFETY: zeroed iovec/mmsghdr are valid empty values; each is then
        // pointed at a buffer we own for its full length, and they all live
        // across the call.
        let mut iov: [libc::iovec; BATCH] = unsafe { std::mem::zeroed() };
        let mut msgs: [libc::mmsghdr; BATCH] = unsafe { std::mem::zeroed() };
        for ((v, m), buf) in iov.iter_mut().zip(msgs.iter_mut()).zip(&mut self.bufs) {
            v.iov_base = buf.as_mut_ptr().cast();
            v.iov_len = buf.len();
            m.msg_hdr.msg_iov = v;
            m.msg_hdr.msg_iovlen = 1;
        }
        let n = loop {
            // SAFETY: msgs holds BATCH valid headers (above); no timeout
            // argument: the socket's SO_RCVTIMEO bounds the first wait.
            let rc = unsafe {
                libc::recvmmsg(
                    socket.as_raw_fd(),
                    msgs.as_mut_ptr(),
                    BATCH as libc::c_uint,
                    libc::MSG_WAITFORONE,
                    std::ptr::null_mut(),
                )
            };
            if rc >= 0 {
                break rc as usize;
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        };
        for (i, m) in msgs.iter().take(n).enumerate() {
            if m.msg_hdr.msg_flags & libc::MSG_TRUNC != 0 {
                return Err(io::Error::other(format!(
                    "a netlink reply larger than the {}-byte receive buffer",
                    self.bufs[i].len()
                )));
            }
            self.lens[i] = m.msg_len as usize;
        }
        Ok(n)
    }

    /// Datagram `i` of the last `receive`.
    pub fn datagram(&self, i: usize) -> &[u8] {
        &self.bufs[i][..self.lens[i]]
    }
}

#[cfg(test)]
mod tests {
    //! Against the host kernel's generic-netlink controller (no IPVS needed).

    use netlink_packet_generic::ctrl::nlas::GenlCtrlAttrs;
    use netlink_packet_generic::ctrl::{GenlCtrl, GenlCtrlCmd};

    use super::*;
    use crate::protocol::{encode_request, REQUEST_FLAGS};

    /// A socket with `n` answers to "nlctrl" lookups queued (a reply and an
    /// ACK each).
    fn queued(n: u32) -> Socket {
        let socket = crate::kernel::netns::new_socket().unwrap();
        for seq in 1..=n {
            let lookup = GenlCtrl {
                cmd: GenlCtrlCmd::GetFamily,
                nlas: vec![GenlCtrlAttrs::FamilyName("nlctrl".into())],
            };
            let out = encode_request(libc::GENL_ID_CTRL as u16, lookup, REQUEST_FLAGS, seq);
            socket.send(&out, 0).unwrap();
        }
        socket
    }

    fn seq_of(datagram: &[u8]) -> u32 {
        u32::from_ne_bytes(datagram[8..12].try_into().unwrap())
    }

    #[test]
    fn takes_what_is_queued_behind_the_first_in_order() {
        let socket = queued(3);
        let mut r = Receiver::new(64 * 1024);
        let n = r.receive(&socket).unwrap();
        assert_eq!(n, BATCH);
        let seqs: Vec<u32> = (0..n).map(|i| seq_of(r.datagram(i))).collect();
        // Reply and ACK of the first lookup, then of the second.
        assert_eq!(seqs, [1, 1, 2, 2]);
        let n = r.receive(&socket).unwrap();
        let seqs: Vec<u32> = (0..n).map(|i| seq_of(r.datagram(i))).collect();
        assert_eq!(seqs, [3, 3], "the rest, without waiting for more");
    }

    #[test]
    fn a_datagram_larger_than_the_buffer_is_an_error() {
        let socket = queued(1);
        let mut r = Receiver::new(32);
        let e = r.receive(&socket).unwrap_err();
        assert!(e.to_string().contains("larger than the 32-byte"), "{e}");
    }
}
