//! Building a change from options already read: ipvsadm's checks of the
//! options together (commands_v_options, then process_options' own), and
//! its defaults (scheduler wlc, weight 1, direct routing, /32 or /128).
//!
//! The checks that tie two options together are public one by one, so a
//! form can check each field against the fields it depends on.

use crate::model::{
    Change, Dest, DestKey, Family, Forward, Protocol, Service, ServiceFlags, ServiceKey, Timeouts,
    TunnelFlags, TunnelType,
};

use super::daemon::{self, DaemonOptions};
use super::error::RuleError;
use super::options::{self, Allowed, Cmd, Opt, ALL_OPTS, TUNNEL_OPTS, TUNNEL_TABLE_OPTS};
use super::value::{self, AddrPort};

const DEFAULT_SCHEDULER: &str = "wlc";

/// `-A`/`-E`'s options after the service, each read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceOptions {
    pub scheduler: Option<String>,
    pub persistent: Option<u32>,
    /// Read against the service's family, once that is known.
    pub netmask: Option<String>,
    pub ops: bool,
    pub pe: Option<String>,
    /// Read against the final scheduler.
    pub sched_flags: Option<String>,
}

/// `-a`/`-e`'s options after the server, each read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DestOptions {
    pub forward: Option<Forward>,
    pub weight: Option<u32>,
    pub upper: Option<u32>,
    pub lower: Option<u32>,
    pub tun_type: Option<TunnelType>,
    pub tun_port: Option<u16>,
    /// Which of `--tun-nocsum`, `--tun-csum`, `--tun-remcsum` were given.
    pub checksums: Vec<Opt>,
}

impl DestOptions {
    fn given(&self, opt: Opt) -> bool {
        match opt {
            Opt::TunType => self.tun_type.is_some(),
            Opt::TunPort => self.tun_port.is_some(),
            _ => self.checksums.contains(&opt),
        }
    }
}

/// The service a command names, as read.
#[derive(Debug, Clone, Copy)]
pub enum ServiceArg {
    Addr(Protocol, AddrPort),
    Fwmark(u32),
}

/// Everything one command said, as the option words are read.
#[derive(Debug, Default)]
pub struct Gathered {
    pub cmd: Option<Cmd>,
    seen: u32,
    pub service: Option<ServiceArg>,
    pub ipv6: bool,
    pub options: ServiceOptions,
    pub server: Option<AddrPort>,
    pub dest: DestOptions,
    pub daemon: DaemonOptions,
    pub positional: Vec<String>,
}

impl Gathered {
    pub fn set_command(&mut self, cmd: Cmd) -> Result<(), RuleError> {
        if self.cmd.is_some() {
            return Err(RuleError::MultipleCommands);
        }
        self.cmd = Some(cmd);
        Ok(())
    }

    /// Notes an option as given; each may be given once.
    pub fn set_option(&mut self, opt: Opt) -> Result<(), RuleError> {
        if self.has(opt) {
            return Err(RuleError::MultipleOption(opt));
        }
        self.seen |= opt.bit();
        Ok(())
    }

    fn has(&self, opt: Opt) -> bool {
        self.seen & opt.bit() != 0
    }

    /// The service key, and the port a port-less `-r` inherits.
    fn service_key(&self) -> Option<(ServiceKey, u16)> {
        Some(match self.service? {
            ServiceArg::Addr(protocol, ap) => (
                ServiceKey::Addr {
                    protocol,
                    addr: ap.addr,
                    port: ap.port.unwrap_or(0),
                },
                ap.port.unwrap_or(0),
            ),
            ServiceArg::Fwmark(mark) => (
                ServiceKey::Fwmark {
                    family: if self.ipv6 { Family::V6 } else { Family::V4 },
                    mark,
                },
                0,
            ),
        })
    }

    /// generic_opt_check, in optnames order.
    fn check_options(&self, cmd: Cmd) -> Result<(), RuleError> {
        for opt in ALL_OPTS {
            match (self.has(opt), options::for_command(cmd, opt)) {
                (false, Allowed::Compulsory) => return Err(RuleError::MissingOption(opt, cmd)),
                (true, Allowed::Illegal) => return Err(RuleError::IllegalOption(opt, cmd)),
                _ => {}
            }
        }
        Ok(())
    }

    /// The change the command asks for.
    pub fn build(self) -> Result<Change, RuleError> {
        let cmd = self.cmd.ok_or(RuleError::NoCommand)?;
        self.check_options(cmd)?;
        if cmd == Cmd::Timeout {
            let [tcp, tcp_fin, udp] = self.positional.as_slice() else {
                return Err(RuleError::SetNeedsThreeTimeouts);
            };
            return Ok(Change::SetTimeouts(Timeouts {
                tcp: value::timeout(tcp, 0)?,
                tcp_fin: value::timeout(tcp_fin, 0)?,
                udp: value::timeout(udp, 0)?,
            }));
        }
        if let Some(extra) = self.positional.first() {
            return Err(RuleError::UnexpectedArgument(extra.clone()));
        }
        let svc = self.service_key();
        let compulsory = "checked by commands_v_options";
        Ok(match cmd {
            Cmd::Flush => Change::Flush,
            Cmd::Zero => Change::Zero(svc.map(|(k, _)| k)),
            Cmd::Del => Change::DeleteService(svc.expect(compulsory).0),
            Cmd::Add => Change::AddService(service(svc.expect(compulsory).0, &self.options)?),
            Cmd::Edit => Change::EditService(service(svc.expect(compulsory).0, &self.options)?),
            Cmd::DelDest => {
                let (service, vport) = svc.expect(compulsory);
                let r = self.server.expect(compulsory);
                Change::DeleteDest {
                    service,
                    dest: DestKey {
                        addr: r.addr,
                        port: r.port.unwrap_or(vport),
                    },
                }
            }
            Cmd::AddDest | Cmd::EditDest => {
                let (service, vport) = svc.expect(compulsory);
                let server = self.server.expect(compulsory);
                let dest = dest(&service, vport, server, &self.dest)?;
                if cmd == Cmd::AddDest {
                    Change::AddDest { service, dest }
                } else {
                    Change::EditDest { service, dest }
                }
            }
            Cmd::StartDaemon | Cmd::StopDaemon => daemon::change(cmd, &self.daemon),
            Cmd::Timeout => unreachable!("handled above"),
        })
    }
}

/// A port-0 service catches every port: ipvsadm allows it only persistent.
pub fn check_port(port: u16, persistent: bool) -> Result<(), RuleError> {
    match port == 0 && !persistent {
        true => Err(RuleError::ZeroPort),
        false => Ok(()),
    }
}

/// `-o` on a service of `protocol` (`None`: a firewall mark, any protocol).
pub fn check_one_packet(protocol: Option<Protocol>) -> Result<(), RuleError> {
    match protocol.is_some_and(|p| p != Protocol::Udp) {
        true => Err(RuleError::OnePacketNotUdp),
        false => Ok(()),
    }
}

/// The service of `-A`/`-E`.
pub fn service(key: ServiceKey, o: &ServiceOptions) -> Result<Service, RuleError> {
    let scheduler = o.scheduler.as_deref().unwrap_or(DEFAULT_SCHEDULER);
    let mut service = Service::new(key, scheduler);
    if let Some(timeout) = o.persistent {
        service.flags.0 |= ServiceFlags::PERSISTENT;
        service.timeout = timeout;
    }
    let protocol = match key {
        ServiceKey::Addr { protocol, port, .. } => {
            check_port(port, o.persistent.is_some())?;
            Some(protocol)
        }
        ServiceKey::Fwmark { .. } => None,
    };
    if o.ops {
        check_one_packet(protocol)?;
        service.flags.0 |= ServiceFlags::ONEPACKET;
    }
    if let Some(m) = &o.netmask {
        service.netmask = value::netmask(key.family(), m)?;
    }
    if let Some(list) = &o.sched_flags {
        service.flags.0 |= value::sched_flags(scheduler, list)?;
    }
    service.pe_name = o.pe.clone();
    Ok(service)
}

/// A server of another family than its service's: only through a tunnel.
pub fn check_family(service: Family, server: Family, forward: Forward) -> Result<(), RuleError> {
    match server != service && forward != Forward::Tunnel {
        true => Err(RuleError::FamilyMismatch),
        false => Ok(()),
    }
}

/// tunnel_types_v_options: the tunnel options `given`, against the type.
pub fn check_tunnel(tunnel: TunnelType, given: &[Opt]) -> Result<(), RuleError> {
    let mut first: Option<Opt> = None;
    for opt in TUNNEL_TABLE_OPTS {
        let rule = options::for_tunnel(tunnel, opt);
        if !given.contains(&opt) {
            if rule == Allowed::Compulsory {
                return Err(RuleError::MissingTunnelOption(opt, tunnel));
            }
            continue;
        }
        match (rule, first) {
            (Allowed::Illegal, _) => return Err(RuleError::IllegalTunnelOption(opt, tunnel)),
            (Allowed::OneOf, Some(first)) => {
                return Err(RuleError::ConflictingTunnelOptions { opt, first, tunnel })
            }
            (Allowed::OneOf, None) => first = Some(opt),
            _ => {}
        }
    }
    Ok(())
}

/// The kernel refuses a lower threshold above the upper (ERANGE); say so
/// before it does.
pub fn check_thresholds(upper: u32, lower: u32) -> Result<(), RuleError> {
    match lower > upper {
        true => Err(RuleError::LowerAboveUpper { lower, upper }),
        false => Ok(()),
    }
}

/// The real server of `-a`/`-e`; `vport` is the port a port-less server
/// inherits.
pub fn dest(
    service: &ServiceKey,
    vport: u16,
    server: AddrPort,
    o: &DestOptions,
) -> Result<Dest, RuleError> {
    // ipvsadm's default forwarding method is direct routing (-g).
    let forward = o.forward.unwrap_or(Forward::Route);
    let mut port = server.port.unwrap_or(vport);
    // Only NAT can change the port: ipvsadm forces the service's (Local is
    // written -g, so it reads back as direct routing).
    if matches!(service, ServiceKey::Addr { .. }) && forward != Forward::Masq {
        port = vport;
    }
    check_family(service.family(), Family::of(&server.addr), forward)?;
    if TUNNEL_OPTS.iter().any(|o2| o.given(*o2)) && forward != Forward::Tunnel {
        return Err(RuleError::TunnelOptionsWithoutTunnel);
    }
    let tun_type = o.tun_type.unwrap_or_default();
    let given: Vec<Opt> = TUNNEL_TABLE_OPTS
        .into_iter()
        .filter(|opt| o.given(*opt))
        .collect();
    check_tunnel(tun_type, &given)?;
    let mut dest = Dest::new(server.addr, port);
    dest.forward = forward;
    dest.weight = o.weight.unwrap_or(1);
    dest.upper_threshold = o.upper.unwrap_or(0);
    dest.lower_threshold = o.lower.unwrap_or(0);
    check_thresholds(dest.upper_threshold, dest.lower_threshold)?;
    dest.tun_type = tun_type;
    dest.tun_port = o.tun_port.unwrap_or(0);
    let mut flags = 0;
    if o.checksums.contains(&Opt::TunCsum) {
        flags |= TunnelFlags::CSUM;
    }
    if o.checksums.contains(&Opt::TunRemcsum) {
        flags |= TunnelFlags::REMCSUM;
    }
    dest.tun_flags = TunnelFlags(flags);
    Ok(dest)
}
