//! The kernel client: `backend::Reader` and `backend::Writer` over IPVS
//! generic netlink.

use netlink_packet_generic::ctrl::nlas::GenlCtrlAttrs;
use netlink_packet_generic::ctrl::{GenlCtrl, GenlCtrlCmd};
use netlink_packet_generic::GenlFamily;

use std::collections::HashSet;
use std::ops::ControlFlow;

use super::conn_file::ConnFiles;
use super::netns;
use super::sysctl::SysctlFiles;
use super::transport::{Failure, Transport, RECV_TIMEOUT, SMALL_RECV_BUF};
use crate::backend::wording::{change_error, not_available, read_error, strerror};
use crate::backend::{Error, ErrorKind, Reader, Writer};
use crate::model::{
    Change, ConnSource, ConnWalk, Connection, Dest, Info, Service, ServiceKey, Setting, SyncDaemon,
    Timeouts, VsSettings,
};
use crate::protocol::convert::{
    change_request, daemon_from_message, get_config_request, get_daemons_request, get_info_request,
    get_services_request, info_from_message, timeouts_from_message,
};
use crate::protocol::direct::{service_from_payload, DestDecoder, ServiceDecoder};
use crate::protocol::{encode_dests_request, encode_service_request, IpvsMessage};

/// A long-lived connection to the kernel's IPVS table: two sockets (see
/// `dest_transport`), the family id resolved once, sequence-numbered
/// requests.
pub struct Client {
    /// Requests, changes and the services dump.
    transport: Transport,
    /// The real-server dumps, on a socket of their own with a small
    /// receive buffer, so the kernel builds their replies cheaply
    /// (`SMALL_RECV_BUF`); the services dump needs the big one (the kernel
    /// walks its service table from the start for every reply).
    dest_transport: Transport,
    family_id: u16,
    /// The `net.ipv4.vs.*` settings of the client's namespace (kernels
    /// without run_estimation, ~5.15 and older: estimator unknown).
    sysctl: SysctlFiles,
    /// Service and real-server messages decoded from the layout the kernel
    /// writes them in.
    services: ServiceDecoder,
    dests: DestDecoder,
    /// Real servers of the dump in progress: grown once, then each dump's
    /// list is copied out at its exact size (not grown afresh per service).
    scratch: Vec<Dest>,
    /// Services whose last real-server dump was wide (see `WIDE_DUMP`):
    /// their next dump goes through `transport`, whose big replies carry
    /// many real servers each.
    wide: HashSet<ServiceKey>,
    /// The connection table's /proc files, in the same namespace.
    conns: ConnFiles,
}

/// A service with more real servers than this has its dump read on the
/// big-buffer socket: a page-sized reply holds about ten real servers, and
/// the kernel makes each reply in a pass of its own that looks the service
/// up again and walks its list from the start; small services are read
/// faster on the small-buffer socket.
const WIDE_DUMP: usize = 32;
/// Wide services remembered at most.
const WIDE_KEPT: usize = 65_536;

impl Client {
    /// Connect to IPVS in the current network namespace, or in `netns`
    /// (`NAME` = `/run/netns/NAME`, or a path such as `/proc/PID/ns/net`).
    ///
    /// Fails with `ErrorKind::NotAvailable` when the kernel has no IPVS
    /// family (module not loaded), `ErrorKind::Namespace` when the
    /// namespace cannot be entered.
    pub fn open(netns: Option<&str>) -> Result<Client, Error> {
        let socket = || match netns {
            Some(ns) => netns::socket_in(ns),
            None => netns::new_socket().map_err(|e| socket_error(&e)),
        };
        let mut transport = Transport::new(socket()?).map_err(|e| socket_error(&e))?;
        let dest_transport = Transport::with_buffer(socket()?, RECV_TIMEOUT, SMALL_RECV_BUF)
            .map_err(|e| socket_error(&e))?;
        let family_id = resolve_family(&mut transport)?;
        Ok(Client {
            transport,
            dest_transport,
            family_id,
            sysctl: SysctlFiles::open(netns),
            services: ServiceDecoder::new(),
            dests: DestDecoder::new(),
            scratch: Vec::new(),
            wide: HashSet::new(),
            conns: ConnFiles::kernel(netns),
        })
    }

    /// The generic-netlink id the kernel gave the IPVS family.
    pub fn family_id(&self) -> u16 {
        self.family_id
    }

    fn dump(&mut self, msg: IpvsMessage, what: &str) -> Result<Vec<IpvsMessage>, Error> {
        self.transport
            .request(self.family_id, msg, true)
            .map_err(|f| read_failure(f, what))
    }

    /// A single-reply GET (INFO, CONFIG): the first reply message.
    fn get(&mut self, msg: IpvsMessage, what: &str) -> Result<IpvsMessage, Error> {
        self.transport
            .request(self.family_id, msg, false)
            .map_err(|f| read_failure(f, what))?
            .into_iter()
            .next()
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Protocol,
                    format!("the kernel acknowledged the request for {what} without an answer"),
                )
            })
    }
}

impl Reader for Client {
    fn info(&mut self) -> Result<Info, Error> {
        let what = "the IPVS version";
        let reply = self.get(get_info_request(), what)?;
        info_from_message(&reply).map_err(|e| decode_error(what, e))
    }

    fn services(&mut self) -> Result<Vec<Service>, Error> {
        let mut services = Vec::new();
        let decoder = &mut self.services;
        self.transport
            .dump_each(self.family_id, get_services_request(), |payload| {
                services.push(decoder.decode(payload)?);
                Ok(())
            })
            .map_err(|f| read_failure(f, "the list of virtual services"))?;
        Ok(services)
    }

    /// The kernel's GET_SERVICE (doit): a missing service is ESRCH, worded
    /// as `NotFound`. Written and read as the real-server dumps are (a few
    /// dozen a poll: every service row on screen of a big table).
    fn service(&mut self, key: &ServiceKey) -> Result<Service, Error> {
        let family_id = self.family_id;
        let mut found = None;
        self.transport
            .dump_each_encoded(
                |out, seq| encode_service_request(out, family_id, key, seq),
                |payload| {
                    found = Some(service_from_payload(payload)?);
                    Ok(())
                },
            )
            .map_err(|f| read_failure(f, &format!("the service {key}")))?;
        found.ok_or_else(|| {
            Error::new(
                ErrorKind::Protocol,
                format!(
                    "the kernel acknowledged the request for the service {key} without an answer"
                ),
            )
        })
    }

    /// A service that no longer exists dumps as empty: the kernel answers a
    /// dest dump for an unknown service with no entries, not an error.
    fn dests(&mut self, service: &ServiceKey) -> Result<Vec<Dest>, Error> {
        let family = service.family();
        let family_id = self.family_id;
        let (decoder, dests) = (&mut self.dests, &mut self.scratch);
        dests.clear();
        let wide = !self.wide.is_empty() && self.wide.contains(service);
        let transport = if wide {
            &mut self.transport
        } else {
            &mut self.dest_transport
        };
        transport
            .dump_each_encoded(
                |out, seq| encode_dests_request(out, family_id, service, seq),
                |payload| {
                    dests.push(decoder.decode(payload, family)?);
                    Ok(())
                },
            )
            // Worded only on failure: formatting the key on every call cost
            // more than the decoding at 10,000 services.
            .map_err(|f| read_failure(f, &format!("the real servers of {service}")))?;
        if dests.len() > WIDE_DUMP {
            if self.wide.len() == WIDE_KEPT {
                // Services deleted since are never read again: forget all
                // rather than grow without bound; the next reads relearn.
                self.wide.clear();
            }
            self.wide.insert(*service);
        } else if wide {
            self.wide.remove(service);
        }
        Ok(dests.to_vec())
    }

    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        let reply = self.get(get_config_request(), "the connection timeouts")?;
        Ok(timeouts_from_message(&reply))
    }

    /// The kernel dumps master then backup (ip_vs_genl_dump_daemons).
    ///
    /// An entry lvstop cannot represent (a sync id above 255 set by another
    /// tool, a state a newer kernel added) is decoded after the whole dump
    /// was read, so the socket is sound: `Invalid`, not `Protocol`, which
    /// would make the resilient reader drop a healthy connection each poll.
    fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
        let what = "the sync daemon list";
        self.dump(get_daemons_request(), what)?
            .iter()
            .map(|m| {
                daemon_from_message(m).map_err(|e| {
                    Error::new(
                        ErrorKind::Invalid,
                        format!("the kernel lists a sync daemon lvstop cannot represent: {e}"),
                    )
                })
            })
            .collect()
    }

    fn estimator_running(&mut self) -> Option<bool> {
        // The file the settings panel reads, so the two never disagree.
        let v = self.sysctl.read_one(Setting::RunEstimation).ok()??;
        Some(v != 0)
    }

    fn settings(&mut self) -> Result<VsSettings, Error> {
        self.sysctl.read()
    }

    /// From `/proc/thread-self/net/ip_vs_conn[_sync]`, opened afresh in the
    /// table's namespace for each walk (see `conn_file`).
    fn connections(
        &mut self,
        source: ConnSource,
        visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<ConnWalk, Error> {
        self.conns.walk(source, visit)
    }

    /// The walk runs on a thread of its own with its own open file, so the
    /// owner thread polls between the slices of an exact read.
    fn open_connections(
        &mut self,
        source: ConnSource,
    ) -> Result<Box<dyn crate::backend::ConnCursor>, Error> {
        let mut files = self.conns.fresh();
        let walk = crate::backend::WalkThread::spawn(move |visit| files.walk(source, visit))?;
        Ok(Box::new(walk))
    }
}

impl Writer for Client {
    fn apply(&mut self, change: &Change) -> Result<(), Error> {
        match self
            .transport
            .request(self.family_id, change_request(change), false)
        {
            Ok(_) => Ok(()),
            Err(Failure::Errno(errno)) => Err(change_error(errno, change)),
            Err(other) => Err(read_failure(
                other,
                &format!(
                    "the kernel's answer to the change of {}",
                    crate::backend::wording::subject(change)
                ),
            )),
        }
    }
}

/// CTRL_CMD_GETFAMILY "IPVS": ENOENT means no IPVS in this kernel/namespace.
fn resolve_family(transport: &mut Transport) -> Result<u16, Error> {
    let request = GenlCtrl {
        cmd: GenlCtrlCmd::GetFamily,
        nlas: vec![GenlCtrlAttrs::FamilyName(
            IpvsMessage::family_name().to_string(),
        )],
    };
    let what = "the IPVS generic-netlink family";
    let replies = match transport.request(libc::GENL_ID_CTRL as u16, request, false) {
        Ok(r) => r,
        Err(Failure::Errno(libc::ENOENT)) => return Err(not_available()),
        Err(f) => return Err(read_failure(f, what)),
    };
    replies
        .iter()
        .flat_map(|m| m.nlas.iter())
        .find_map(|a| match a {
            GenlCtrlAttrs::FamilyId(id) => Some(*id),
            _ => None,
        })
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Protocol,
                "the kernel's answer for the IPVS generic-netlink family has no family id",
            )
        })
}

fn read_failure(f: Failure, what: &str) -> Error {
    match f {
        Failure::Errno(errno) => read_error(errno, what),
        Failure::Decode(e) => decode_error(what, e),
        Failure::Timeout => Error::new(
            ErrorKind::Io,
            format!(
                "reading {what} failed: the kernel did not answer within {} s",
                RECV_TIMEOUT.as_secs()
            ),
        ),
        Failure::Io(e) => {
            let errno = e.raw_os_error().unwrap_or(0);
            read_error(errno, what)
        }
    }
}

fn decode_error(what: &str, e: netlink_packet_core::DecodeError) -> Error {
    Error::new(
        ErrorKind::Protocol,
        format!("cannot understand the kernel's answer for {what}: {e}"),
    )
}

fn socket_error(e: &std::io::Error) -> Error {
    let errno = e.raw_os_error().unwrap_or(0);
    match errno {
        libc::EPERM | libc::EACCES => crate::backend::wording::permission_denied(errno),
        _ => Error::new(
            ErrorKind::Io,
            format!("cannot open a netlink socket: {}", strerror(errno)),
        )
        .with_errno(errno),
    }
}
