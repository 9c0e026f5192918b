//! One generic-netlink socket: numbered requests, acks, dumps.
//!
//! Protocol-agnostic (it serves both the controller lookup and IPVS); knows
//! nothing about wording: failures come back as [`Failure`] for the client
//! to put in operator words.

use std::fmt::Debug;
use std::io;
use std::time::Duration;

use netlink_packet_core::{
    DecodeError, Emitable, NetlinkBuffer, NetlinkMessage, NetlinkPayload, ParseableParametrized,
};
use netlink_packet_generic::{GenlFamily, GenlHeader, GenlMessage};
use netlink_sys::Socket;

use super::receive::Receiver;
use crate::protocol::{encode_request, DUMP_FLAGS, REQUEST_FLAGS};

/// Dump replies are sized to the reader's buffer (the kernel grows its dump
/// skb up to about 32 KiB); 64 KiB never truncates.
const RECV_BUF: usize = 64 * 1024;

/// The buffer of a transport for dumps whose replies are small (a
/// service's real servers: ~350 bytes each). The kernel allocates every
/// dump reply at the size of the reader's largest buffer so far; at a page
/// that comes from a slab cache, at 32 KiB from the page allocator, twice
/// per service (entries, then NLMSG_DONE). A reply bigger than a page is
/// split by the kernel, not cut: a wide service just takes more replies.
pub const SMALL_RECV_BUF: usize = 4096;

/// Kernel-side queue for our socket, so big dumps are not limited by a small
/// default (SO_RCVBUF; the kernel caps it at net.core.rmem_max).
const SOCKET_RCVBUF: usize = 1024 * 1024;

/// How long any single read may wait for the kernel (kubernetes #71071:
/// netlink reads that hung forever).
pub const RECV_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a request did not produce its answer.
#[derive(Debug)]
pub enum Failure {
    /// The kernel answered with this positive errno.
    Errno(i32),
    /// The answer could not be parsed.
    Decode(DecodeError),
    /// No answer within [`RECV_TIMEOUT`].
    Timeout,
    /// The socket itself failed.
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Failure::Timeout,
            _ => Failure::Io(e),
        }
    }
}

pub struct Transport {
    socket: Socket,
    seq: u32,
    receiver: Receiver,
    /// Request bytes, for requests encoded in place.
    out: Vec<u8>,
}

impl Transport {
    /// Wrap a bound NETLINK_GENERIC socket: set the receive timeout and buffer.
    pub fn new(socket: Socket) -> io::Result<Transport> {
        Transport::with_timeout(socket, RECV_TIMEOUT)
    }

    pub fn with_timeout(socket: Socket, timeout: Duration) -> io::Result<Transport> {
        Transport::with_buffer(socket, timeout, RECV_BUF)
    }

    /// With a receive buffer of `size` bytes (see [`SMALL_RECV_BUF`]).
    pub fn with_buffer(socket: Socket, timeout: Duration, size: usize) -> io::Result<Transport> {
        set_recv_timeout(&socket, timeout)?;
        // Best effort: a smaller queue still works, dumps are flow-controlled.
        let _ = socket.set_rx_buf_sz(SOCKET_RCVBUF);
        Ok(Transport {
            socket,
            seq: 0,
            receiver: Receiver::new(size),
            out: Vec::with_capacity(64),
        })
    }

    /// Send one request and return the replies: every message of a dump
    /// (until NLMSG_DONE), or for a plain request the reply messages that
    /// precede the kernel's ACK (requests always ask for one, so a change
    /// without a reply still reports its error).
    pub fn request<F>(&mut self, family_id: u16, payload: F, dump: bool) -> Result<Vec<F>, Failure>
    where
        F: GenlFamily + Emitable + ParseableParametrized<[u8], GenlHeader> + Debug,
    {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let flags = if dump { DUMP_FLAGS } else { REQUEST_FLAGS };
        let out = encode_request(family_id, payload, flags, seq);
        self.socket.send(&out, 0)?;
        self.receive(seq)
    }

    /// A dump whose reply messages are handed to `each` as they arrive (the
    /// payload after the genl header), undecoded: big dumps decode straight
    /// into the model (`protocol::direct`) without an intermediate tree.
    pub fn dump_each<F>(
        &mut self,
        family_id: u16,
        payload: F,
        each: impl FnMut(&[u8]) -> Result<(), DecodeError>,
    ) -> Result<(), Failure>
    where
        F: GenlFamily + Emitable + Debug,
    {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let out = encode_request(family_id, payload, DUMP_FLAGS, seq);
        self.socket.send(&out, 0)?;
        self.answer_each(seq, each)
    }

    /// As `dump_each`, with the request written by `encode` (given the
    /// sequence number) into a buffer kept between calls: the per-service
    /// real-server dumps, sent thousands of times a poll. A plain request
    /// (the answer ends with the ACK, not NLMSG_DONE) works the same way.
    pub fn dump_each_encoded(
        &mut self,
        encode: impl FnOnce(&mut Vec<u8>, u32),
        each: impl FnMut(&[u8]) -> Result<(), DecodeError>,
    ) -> Result<(), Failure> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        encode(&mut self.out, seq);
        self.socket.send(&self.out, 0)?;
        self.answer_each(seq, each)
    }

    fn answer_each(
        &mut self,
        seq: u32,
        mut each: impl FnMut(&[u8]) -> Result<(), DecodeError>,
    ) -> Result<(), Failure> {
        loop {
            let n = self.receiver.receive(&self.socket)?;
            for i in 0..n {
                if take_datagram_with(self.receiver.datagram(i), seq, &mut each)? {
                    return Ok(());
                }
            }
        }
    }

    /// Read until the answer to request `seq` is complete.
    fn receive<F>(&mut self, seq: u32) -> Result<Vec<F>, Failure>
    where
        F: ParseableParametrized<[u8], GenlHeader> + Debug,
    {
        let mut replies = Vec::new();
        loop {
            let n = self.receiver.receive(&self.socket)?;
            for i in 0..n {
                if take_datagram(self.receiver.datagram(i), seq, &mut replies)? {
                    return Ok(replies);
                }
            }
        }
    }
}

/// Decodes one received datagram of the answer to request `seq`, appending
/// its reply messages to `replies`; `Ok(true)` once the answer is complete
/// (NLMSG_DONE or the ACK). Messages with another sequence number (left over
/// from a request that timed out) are skipped.
///
/// Public so the host benchmarks time exactly what the client runs.
pub fn take_datagram<F>(buf: &[u8], seq: u32, replies: &mut Vec<F>) -> Result<bool, Failure>
where
    F: ParseableParametrized<[u8], GenlHeader> + Debug,
{
    let mut offset = 0;
    while offset < buf.len() {
        let bytes = &buf[offset..];
        let nl = NetlinkBuffer::new_checked(bytes).map_err(Failure::Decode)?;
        let len = nl.length() as usize;
        let aligned = (len + 3) & !3;
        let this_seq = nl.sequence_number();
        let frame = &bytes[..len];
        offset += aligned;
        // A reply to an earlier request that timed out: not ours.
        if this_seq != seq {
            continue;
        }
        let parsed =
            NetlinkMessage::<GenlMessage<F>>::deserialize(frame).map_err(Failure::Decode)?;
        match parsed.payload {
            NetlinkPayload::InnerMessage(m) => replies.push(m.payload),
            NetlinkPayload::Done(done) => {
                if done.code < 0 {
                    return Err(Failure::Errno(-done.code));
                }
                return Ok(true);
            }
            NetlinkPayload::Error(e) => {
                return match e.code {
                    None => Ok(true),
                    Some(code) => Err(Failure::Errno(code.get().abs())),
                };
            }
            NetlinkPayload::Noop => {}
            NetlinkPayload::Overrun(_) => return Err(Failure::Errno(libc::ENOBUFS)),
            _ => {}
        }
    }
    Ok(false)
}

const NLMSG_NOOP: u16 = 1;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_OVERRUN: u16 = 4;
/// nlmsghdr + genlmsghdr.
const HEADERS: usize = 16 + 4;

/// As [`take_datagram`], handing each reply's payload (after the genl
/// header) to `each` instead of parsing it.
pub fn take_datagram_with(
    buf: &[u8],
    seq: u32,
    each: &mut impl FnMut(&[u8]) -> Result<(), DecodeError>,
) -> Result<bool, Failure> {
    let mut offset = 0;
    while offset < buf.len() {
        let bytes = &buf[offset..];
        // nlmsghdr read by hand (netlink-packet-core's checked buffer is
        // dear per real server); anything off is worded by it.
        let header = bytes
            .first_chunk::<16>()
            .map(|h| {
                let len = u32::from_ne_bytes([h[0], h[1], h[2], h[3]]) as usize;
                let kind = u16::from_ne_bytes([h[4], h[5]]);
                let seq = u32::from_ne_bytes([h[8], h[9], h[10], h[11]]);
                (len, kind, seq)
            })
            .filter(|&(len, _, _)| len >= 16 && len <= bytes.len());
        let Some((len, kind, this_seq)) = header else {
            NetlinkBuffer::new_checked(bytes).map_err(Failure::Decode)?;
            return Err(Failure::Decode(DecodeError::from(
                "a damaged netlink header",
            )));
        };
        let frame = &bytes[..len];
        offset += (len + 3) & !3;
        if this_seq != seq {
            continue;
        }
        match kind {
            NLMSG_NOOP => {}
            // The end of every dump, one per service: read by hand, not by
            // the typed parser. Its payload is the dump's status, 0 or a
            // negative errno.
            NLMSG_DONE if len >= 20 => {
                let code = i32::from_ne_bytes([frame[16], frame[17], frame[18], frame[19]]);
                if code < 0 {
                    return Err(Failure::Errno(code.saturating_neg()));
                }
                return Ok(true);
            }
            NLMSG_DONE | NLMSG_ERROR => {
                // Rare: the typed parser words the error code, and a DONE
                // too short for its status.
                let mut none: Vec<netlink_packet_generic::ctrl::GenlCtrl> = Vec::new();
                return take_datagram(frame, seq, &mut none);
            }
            NLMSG_OVERRUN => return Err(Failure::Errno(libc::ENOBUFS)),
            _ => {
                if len < HEADERS {
                    return Err(Failure::Decode(DecodeError::from(
                        "a generic-netlink message shorter than its headers",
                    )));
                }
                each(&frame[HEADERS..]).map_err(Failure::Decode)?;
            }
        }
    }
    Ok(false)
}

fn set_recv_timeout(socket: &Socket, timeout: Duration) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let tv = libc::timeval {
        tv_sec: timeout.as_secs() as libc::time_t,
        tv_usec: timeout.subsec_micros() as libc::suseconds_t,
    };
    // SAFETY: plain setsockopt on a valid fd with a correctly sized timeval.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            &tv as *const libc::timeval as *const libc::c_void,
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Against the host kernel's generic-netlink controller, which every
    //! Linux has (IPVS is not needed).

    use netlink_packet_generic::ctrl::nlas::GenlCtrlAttrs;
    use netlink_packet_generic::ctrl::{GenlCtrl, GenlCtrlCmd};

    use super::*;

    fn get_family(name: &str) -> GenlCtrl {
        GenlCtrl {
            cmd: GenlCtrlCmd::GetFamily,
            nlas: vec![GenlCtrlAttrs::FamilyName(name.into())],
        }
    }

    fn transport(timeout: Duration) -> Transport {
        let socket = crate::kernel::netns::new_socket().unwrap();
        Transport::with_timeout(socket, timeout).unwrap()
    }

    #[test]
    fn a_missing_answer_times_out_instead_of_hanging() {
        let mut t = transport(Duration::from_millis(200));
        let started = std::time::Instant::now();
        // Nothing was sent: nothing will come.
        let r = t.receive::<GenlCtrl>(1);
        assert!(matches!(r, Err(Failure::Timeout)), "{r:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn answers_to_stale_requests_are_skipped() {
        let mut t = transport(RECV_TIMEOUT);
        // A request nobody waits for (as after a timeout): its answer, an
        // ENOENT error, arrives first but carries sequence number 1000.
        let stale = encode_request(
            libc::GENL_ID_CTRL as u16,
            get_family("lvstop-none"),
            REQUEST_FLAGS,
            1000,
        );
        t.socket.send(&stale, 0).unwrap();
        let replies = t
            .request(libc::GENL_ID_CTRL as u16, get_family("nlctrl"), false)
            .expect("the stale ENOENT is not taken for this answer");
        assert!(replies[0]
            .nlas
            .contains(&GenlCtrlAttrs::FamilyName("nlctrl".into())));
    }

    #[test]
    fn kernel_errors_come_back_as_positive_errno() {
        let mut t = transport(RECV_TIMEOUT);
        let r = t.request(libc::GENL_ID_CTRL as u16, get_family("lvstop-none"), false);
        assert!(matches!(r, Err(Failure::Errno(libc::ENOENT))), "{r:?}");
    }

    #[test]
    fn dumps_read_until_done() {
        // Every registered family: several messages, possibly several datagrams.
        let mut t = transport(RECV_TIMEOUT);
        let all = t
            .request(
                libc::GENL_ID_CTRL as u16,
                GenlCtrl {
                    cmd: GenlCtrlCmd::GetFamily,
                    nlas: vec![],
                },
                true,
            )
            .unwrap();
        assert!(all.len() > 1, "{}", all.len());
        assert!(all
            .iter()
            .any(|m| m.nlas.contains(&GenlCtrlAttrs::FamilyName("nlctrl".into()))));
    }

    #[test]
    fn a_dump_ends_with_its_status() {
        let done = |seq: u32, code: i32| {
            let mut d = Vec::new();
            d.extend_from_slice(&20u32.to_ne_bytes());
            d.extend_from_slice(&NLMSG_DONE.to_ne_bytes());
            d.extend_from_slice(&2u16.to_ne_bytes()); // NLM_F_MULTI
            d.extend_from_slice(&seq.to_ne_bytes());
            d.extend_from_slice(&0u32.to_ne_bytes());
            d.extend_from_slice(&code.to_ne_bytes());
            d
        };
        let mut each = |_: &[u8]| -> Result<(), DecodeError> { panic!("no messages") };
        assert!(matches!(
            take_datagram_with(&done(7, 0), 7, &mut each),
            Ok(true)
        ));
        let r = take_datagram_with(&done(7, -libc::EINTR), 7, &mut each);
        assert!(matches!(r, Err(Failure::Errno(libc::EINTR))), "{r:?}");
        // Another request's end is not ours.
        assert!(matches!(
            take_datagram_with(&done(6, -1), 7, &mut each),
            Ok(false)
        ));
        // Both paths agree.
        let mut none: Vec<GenlCtrl> = Vec::new();
        let typed = take_datagram(&done(7, -libc::EINTR), 7, &mut none);
        assert!(
            matches!(typed, Err(Failure::Errno(libc::EINTR))),
            "{typed:?}"
        );
    }

    /// Captured dump replies cut anywhere, or with a message length that
    /// does not fit, are errors (or a complete prefix), never a panic.
    #[test]
    fn damaged_datagrams_are_errors_not_panics() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/6.12");
        let mut checked = 0;
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if !e.file_name().to_string_lossy().ends_with(".resp.bin") {
                continue;
            }
            let b = std::fs::read(e.path()).unwrap();
            if b.len() < 16 {
                continue;
            }
            let seq = u32::from_ne_bytes(b[8..12].try_into().unwrap());
            let mut ok = |_: &[u8]| Ok(());
            for cut in 0..b.len() {
                let _ = take_datagram_with(&b[..cut], seq, &mut ok);
            }
            for len in [0u32, 8, 15, b.len() as u32 + 1, u32::MAX] {
                let mut bad = b.clone();
                bad[..4].copy_from_slice(&len.to_ne_bytes());
                assert!(
                    take_datagram_with(&bad, seq, &mut ok).is_err(),
                    "length {len}"
                );
            }
            checked += 1;
        }
        assert!(checked > 10, "{checked}");
    }
}
