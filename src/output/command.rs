//! The ipvsadm command for any change, in the words `ipvsadm -S` uses.
//!
//! `rule` is what `ipvsadm -R` reads (and `rules::parse` reads back to the
//! same change); the save format is made of these lines. Two things ipvsadm's
//! options cannot say: the Local forwarding method (written `-g`, as
//! ipvsadm -S does) and tunnel settings on a non-tunnel server (dropped).

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use super::{addr_port, sched_flag_words};
use crate::model::{
    Change, Dest, Family, Forward, Protocol, Service, ServiceFlags, ServiceKey, TunnelFlags,
    TunnelType,
};

/// The option naming a service of this protocol.
fn protocol_option(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Tcp => "-t",
        Protocol::Udp => "-u",
        Protocol::Sctp => "--sctp-service",
    }
}

/// A service as ipvsadm names it, its values as text: from a key, or as
/// typed into a form.
#[derive(Debug, Clone)]
pub enum ServiceText<'a> {
    Addr {
        protocol: Protocol,
        /// `a.b.c.d:port` or `[v6]:port`.
        addr_port: Cow<'a, str>,
    },
    Fwmark {
        mark: Cow<'a, str>,
        family: Family,
    },
}

impl ServiceText<'static> {
    pub fn of(key: &ServiceKey) -> ServiceText<'static> {
        match key {
            ServiceKey::Addr {
                protocol,
                addr,
                port,
            } => ServiceText::Addr {
                protocol: *protocol,
                addr_port: addr_port(addr, *port).into(),
            },
            // ipvsadm prints "-f %d"; unsigned here so marks >= 2^31 restore.
            ServiceKey::Fwmark { family, mark } => ServiceText::Fwmark {
                mark: mark.to_string().into(),
                family: *family,
            },
        }
    }
}

impl fmt::Display for ServiceText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServiceText::Addr {
                protocol,
                addr_port,
            } => write!(f, "{} {addr_port}", protocol_option(*protocol)),
            ServiceText::Fwmark {
                mark,
                family: Family::V4,
            } => write!(f, "-f {mark}"),
            ServiceText::Fwmark {
                mark,
                family: Family::V6,
            } => write!(f, "-f {mark} -6"),
        }
    }
}

/// `-t 10.0.0.1:80`, `-u [2001:db8::1]:53`, `--sctp-service ...`, `-f 42`,
/// `-f 42 -6` (print_service_entry's svc_name under FMT_RULE).
pub fn service_arg(key: &ServiceKey) -> String {
    ServiceText::of(key).to_string()
}

/// `addr:port` as typed, as ipvsadm reads it: `[v6]:port` for IPv6.
pub fn typed_addr_port(addr: &str, port: &str) -> String {
    match addr.parse::<IpAddr>() {
        Ok(IpAddr::V6(_)) => format!("[{addr}]:{port}"),
        _ => format!("{addr}:{port}"),
    }
}

/// Scheduler flag words that restore every bit: ipvsadm's words, plus
/// `flag-N` for a bit the scheduler has no word for.
fn restorable_flag_words(service: &Service) -> Vec<&'static str> {
    let mut words = sched_flag_words(service);
    let named = match service.scheduler.as_str() {
        "sh" | "mh" => ServiceFlags::SCHED1 | ServiceFlags::SCHED2,
        _ => ServiceFlags::SCHED1 | ServiceFlags::SCHED2 | ServiceFlags::SCHED3,
    };
    for (bit, word) in [
        (ServiceFlags::SCHED1, "flag-1"),
        (ServiceFlags::SCHED2, "flag-2"),
        (ServiceFlags::SCHED3, "flag-3"),
    ] {
        if service.flags.has(bit) && named & bit == 0 {
            words.push(word);
        }
    }
    words
}

/// `-A`/`-E`'s values after the service, as text: a service's, or a
/// form's as typed. `None` (or `false`) leaves the option out.
#[derive(Debug, Clone, Default)]
pub struct ServiceWords<'a> {
    pub scheduler: Cow<'a, str>,
    pub persistent: Option<Cow<'a, str>>,
    pub netmask: Option<Cow<'a, str>>,
    pub pe: Option<Cow<'a, str>>,
    pub ops: bool,
    pub sched_flags: Option<Cow<'a, str>>,
}

impl<'a> ServiceWords<'a> {
    /// The netmask is given whenever it is not the default (ipvsadm -S
    /// writes it only with persistence, losing it otherwise).
    pub fn of(service: &'a Service) -> ServiceWords<'a> {
        let netmask = match service.key.family() {
            Family::V4 if service.netmask != 0xffff_ffff => {
                Some(Ipv4Addr::from(service.netmask).to_string().into())
            }
            Family::V6 if service.netmask != 128 => Some(service.netmask.to_string().into()),
            _ => None,
        };
        let words = restorable_flag_words(service);
        ServiceWords {
            scheduler: service.scheduler.as_str().into(),
            persistent: service
                .flags
                .has(ServiceFlags::PERSISTENT)
                .then(|| service.timeout.to_string().into()),
            netmask,
            pe: service.pe_name.as_deref().map(Cow::from),
            ops: service.flags.has(ServiceFlags::ONEPACKET),
            sched_flags: (!words.is_empty()).then(|| words.join(",").into()),
        }
    }
}

/// ` -s wlc -p 300 -M ... --pe sip -o -b ...`, in ipvsadm -S's order.
impl fmt::Display for ServiceWords<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, " -s {}", self.scheduler)?;
        if let Some(t) = &self.persistent {
            write!(f, " -p {t}")?;
        }
        if let Some(m) = &self.netmask {
            write!(f, " -M {m}")?;
        }
        if let Some(pe) = &self.pe {
            write!(f, " --pe {pe}")?;
        }
        if self.ops {
            f.write_str(" -o")?;
        }
        if let Some(words) = &self.sched_flags {
            write!(f, " -b {words}")?;
        }
        Ok(())
    }
}

/// `-A`/`-E` arguments after the service: ` -s wlc -p 300 -M ... --pe sip -o -b ...`.
pub fn service_options(service: &Service) -> String {
    ServiceWords::of(service).to_string()
}

/// fwd_switch: `-m`, `-i`, `-g` (Local is written `-g`, as ipvsadm does).
fn forward_switch(forward: Forward) -> &'static str {
    match forward {
        Forward::Masq => "-m",
        Forward::Tunnel => "-i",
        Forward::Local | Forward::Route => "-g",
    }
}

/// ipvsadm's tun_flags_opts[].
fn tun_flags_option(flags: TunnelFlags) -> &'static str {
    if flags.0 & TunnelFlags::REMCSUM != 0 {
        "--tun-remcsum"
    } else if flags.0 & TunnelFlags::CSUM != 0 {
        "--tun-csum"
    } else {
        "--tun-nocsum"
    }
}

/// A tunnelling server's tunnel settings, the port as text.
#[derive(Debug, Clone)]
pub struct TunnelWords<'a> {
    pub tun_type: TunnelType,
    pub port: Cow<'a, str>,
    pub flags: TunnelFlags,
}

/// `-a`/`-e`'s values after the service, as text: a real server's, or a
/// form's as typed. `None` leaves the option out.
#[derive(Debug, Clone)]
pub struct DestWords<'a> {
    /// `a.b.c.d[:port]` or `[v6]:port`.
    pub server: Cow<'a, str>,
    pub forward: Forward,
    pub weight: Option<Cow<'a, str>>,
    /// Written only for a tunnelling server.
    pub tunnel: Option<TunnelWords<'a>>,
    pub upper: Option<Cow<'a, str>>,
    pub lower: Option<Cow<'a, str>>,
}

impl DestWords<'static> {
    /// Thresholds are given when set (ipvsadm -S drops them; `-R` reads them).
    pub fn of(dest: &Dest) -> DestWords<'static> {
        let set = |n: u32| (n != 0).then(|| n.to_string().into());
        DestWords {
            server: addr_port(&dest.addr, dest.port).into(),
            forward: dest.forward,
            weight: Some((dest.weight as i32).to_string().into()),
            tunnel: (dest.forward == Forward::Tunnel).then(|| TunnelWords {
                tun_type: dest.tun_type,
                port: dest.tun_port.to_string().into(),
                flags: dest.tun_flags,
            }),
            upper: set(dest.upper_threshold),
            lower: set(dest.lower_threshold),
        }
    }
}

/// ` -r 10.0.0.2:80 -m -w 1`, then the tunnel options as print_tunnel_rule
/// writes them, then `-x`/`-y`.
impl fmt::Display for DestWords<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, " -r {} {}", self.server, forward_switch(self.forward))?;
        if let Some(w) = &self.weight {
            write!(f, " -w {w}")?;
        }
        if let Some(t) = &self.tunnel {
            match t.tun_type {
                TunnelType::Ipip => f.write_str(" --tun-type ipip")?,
                TunnelType::Gue => write!(
                    f,
                    " --tun-type gue --tun-port {} {}",
                    t.port,
                    tun_flags_option(t.flags)
                )?,
                TunnelType::Gre => write!(f, " --tun-type gre {}", tun_flags_option(t.flags))?,
            }
        }
        if let Some(x) = &self.upper {
            write!(f, " -x {x}")?;
        }
        if let Some(y) = &self.lower {
            write!(f, " -y {y}")?;
        }
        Ok(())
    }
}

/// `-a`/`-e` arguments after the service: ` -r 10.0.0.2:80 -m -w 1 ...`.
pub fn dest_options(dest: &Dest) -> String {
    DestWords::of(dest).to_string()
}

/// A command a form is still filling in, its values as typed, spelled as
/// `rule` spells a valid one.
#[derive(Debug, Clone)]
pub enum Draft<'a> {
    Service {
        edit: bool,
        service: ServiceText<'a>,
        words: ServiceWords<'a>,
    },
    Dest {
        edit: bool,
        service: &'a ServiceKey,
        words: DestWords<'a>,
    },
}

fn service_command(edit: bool) -> &'static str {
    if edit {
        "-E"
    } else {
        "-A"
    }
}

fn dest_command(edit: bool) -> &'static str {
    if edit {
        "-e"
    } else {
        "-a"
    }
}

/// The shell command of a draft: `ipvsadm -A -t 192.0.2.1: -s wlc`.
pub fn draft_line(draft: &Draft) -> String {
    match draft {
        Draft::Service {
            edit,
            service,
            words,
        } => format!("ipvsadm {} {service}{words}", service_command(*edit)),
        Draft::Dest {
            edit,
            service,
            words,
        } => format!(
            "ipvsadm {} {}{words}",
            dest_command(*edit),
            service_arg(service)
        ),
    }
}

/// The rule for a change, as `ipvsadm -R` reads it (no program name).
pub fn rule(change: &Change) -> String {
    match change {
        Change::AddService(s) | Change::EditService(s) => format!(
            "{} {}{}",
            service_command(matches!(change, Change::EditService(_))),
            service_arg(&s.key),
            service_options(s)
        ),
        Change::DeleteService(k) => format!("-D {}", service_arg(k)),
        Change::AddDest { service, dest } | Change::EditDest { service, dest } => format!(
            "{} {}{}",
            dest_command(matches!(change, Change::EditDest { .. })),
            service_arg(service),
            dest_options(dest)
        ),
        Change::DeleteDest { service, dest } => format!(
            "-d {} -r {}",
            service_arg(service),
            addr_port(&dest.addr, dest.port)
        ),
        Change::Zero(None) => "-Z".to_string(),
        Change::Zero(Some(k)) => format!("-Z {}", service_arg(k)),
        Change::Flush => "-C".to_string(),
        Change::SetTimeouts(t) => format!("--set {} {} {}", t.tcp, t.tcp_fin, t.udp),
    }
}

/// The shell command for a change: `ipvsadm ` + `rule`.
pub fn command_line(change: &Change) -> String {
    format!("ipvsadm {}", rule(change))
}
