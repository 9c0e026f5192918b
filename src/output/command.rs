//! The ipvsadm command for any change, in the words `ipvsadm -S` uses.
//!
//! `rule` is what `ipvsadm -R` reads (and `rules::parse` reads back to the
//! same change); the save format is made of these lines. Two things ipvsadm's
//! options cannot say: the Local forwarding method (written `-g`, as
//! ipvsadm -S does) and tunnel settings on a non-tunnel server (dropped).

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use super::addr::{push_addr_port, Ipv4Text};
use super::number::Digits;
use super::{addr_port, sched_flag_words};
use crate::model::{
    Change, Dest, Family, Forward, Protocol, Service, ServiceFlags, ServiceKey, SyncDaemon,
    TunnelFlags, TunnelType,
};

/// The option naming a service of this protocol.
fn protocol_option(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Tcp => "-t",
        Protocol::Udp => "-u",
        Protocol::Sctp => "--sctp-service",
    }
}

/// One value in a command: text as typed into a form, or a value of the
/// table written as it is displayed, so that the save format writes a line
/// per real server without a `String` per number or address.
#[derive(Debug, Clone)]
pub enum Word<'a> {
    Text(Cow<'a, str>),
    Int(i64),
    Ipv4(Ipv4Addr),
    /// `a.b.c.d:port` or `[v6]:port`, as glibc prints the address.
    AddrPort(IpAddr, u16),
}

impl<'a> From<&'a str> for Word<'a> {
    fn from(text: &'a str) -> Word<'a> {
        Word::Text(text.into())
    }
}

impl From<String> for Word<'_> {
    fn from(text: String) -> Self {
        Word::Text(text.into())
    }
}

fn write_digits(f: &mut fmt::Formatter<'_>, digits: Digits) -> fmt::Result {
    f.write_str(std::str::from_utf8(digits.as_bytes()).expect("digits are ASCII"))
}

impl fmt::Display for Word<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Word::Text(text) => f.write_str(text),
            Word::Int(n) => write_digits(f, Digits::i64(*n)),
            // Whole, not through Ipv4Addr's Display, which formats each octet.
            Word::Ipv4(a) => f.write_str(Ipv4Text::of(a).as_str()),
            Word::AddrPort(IpAddr::V4(a), port) => {
                f.write_str(Ipv4Text::of(a).as_str())?;
                f.write_str(":")?;
                write_digits(f, Digits::u64(u64::from(*port)))
            }
            // Rust's Display differs from glibc's for `::a.b.c.d`.
            Word::AddrPort(addr @ IpAddr::V6(_), port) => {
                let mut text = Vec::with_capacity(56);
                push_addr_port(&mut text, addr, *port);
                f.write_str(std::str::from_utf8(&text).expect("an address is ASCII"))
            }
        }
    }
}

/// A service as ipvsadm names it.
#[derive(Debug, Clone)]
pub enum ServiceText<'a> {
    Addr {
        protocol: Protocol,
        /// `a.b.c.d:port` or `[v6]:port`.
        addr_port: Word<'a>,
    },
    Fwmark {
        mark: Word<'a>,
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
                addr_port: Word::AddrPort(*addr, *port),
            },
            // ipvsadm prints "-f %d"; unsigned here so marks >= 2^31 restore.
            ServiceKey::Fwmark { family, mark } => ServiceText::Fwmark {
                mark: Word::Int(i64::from(*mark)),
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

/// `-A`/`-E`'s values after the service: a service's, or a form's as
/// typed. `None` (or `false`) leaves the option out.
#[derive(Debug, Clone)]
pub struct ServiceWords<'a> {
    pub scheduler: Word<'a>,
    pub persistent: Option<Word<'a>>,
    pub netmask: Option<Word<'a>>,
    pub pe: Option<Word<'a>>,
    pub ops: bool,
    pub sched_flags: Option<Word<'a>>,
}

impl<'a> ServiceWords<'a> {
    /// The netmask is given whenever it is not the default (ipvsadm -S
    /// writes it only with persistence, losing it otherwise).
    pub fn of(service: &'a Service) -> ServiceWords<'a> {
        let netmask = match service.key.family() {
            Family::V4 if service.netmask != 0xffff_ffff => {
                Some(Word::Ipv4(Ipv4Addr::from(service.netmask)))
            }
            Family::V6 if service.netmask != 128 => Some(Word::Int(i64::from(service.netmask))),
            _ => None,
        };
        let words = restorable_flag_words(service);
        ServiceWords {
            scheduler: service.scheduler.as_str().into(),
            persistent: service
                .flags
                .has(ServiceFlags::PERSISTENT)
                .then(|| Word::Int(i64::from(service.timeout))),
            netmask,
            pe: service.pe_name.as_deref().map(Word::from),
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

/// A tunnelling server's tunnel settings.
#[derive(Debug, Clone)]
pub struct TunnelWords<'a> {
    pub tun_type: TunnelType,
    pub port: Word<'a>,
    pub flags: TunnelFlags,
}

/// `-a`/`-e`'s values after the service: a real server's, or a form's as
/// typed. `None` leaves the option out.
#[derive(Debug, Clone)]
pub struct DestWords<'a> {
    /// `a.b.c.d[:port]` or `[v6]:port`.
    pub server: Word<'a>,
    pub forward: Forward,
    pub weight: Option<Word<'a>>,
    /// Written only for a tunnelling server.
    pub tunnel: Option<TunnelWords<'a>>,
    pub upper: Option<Word<'a>>,
    pub lower: Option<Word<'a>>,
}

impl DestWords<'static> {
    /// Thresholds are given when set (ipvsadm -S drops them; `-R` reads them).
    pub fn of(dest: &Dest) -> DestWords<'static> {
        let set = |n: u32| (n != 0).then_some(Word::Int(i64::from(n)));
        DestWords {
            server: Word::AddrPort(dest.addr, dest.port),
            forward: dest.forward,
            // ipvsadm prints the weight with %d.
            weight: Some(Word::Int(i64::from(dest.weight as i32))),
            tunnel: (dest.forward == Forward::Tunnel).then_some(TunnelWords {
                tun_type: dest.tun_type,
                port: Word::Int(i64::from(dest.tun_port)),
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

/// `-A`/`-E` for a service of the table, as [`rule`] writes it; written
/// where it goes, without a `String` (the save format writes one per
/// service).
pub struct ServiceRule<'a> {
    pub edit: bool,
    pub service: &'a Service,
}

impl fmt::Display for ServiceRule<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}{}",
            service_command(self.edit),
            ServiceText::of(&self.service.key),
            ServiceWords::of(self.service)
        )
    }
}

/// `-a`/`-e` for a real server of the table, as [`rule`] writes it.
pub struct DestRule<'a> {
    pub edit: bool,
    pub service: &'a ServiceKey,
    pub dest: &'a Dest,
}

impl fmt::Display for DestRule<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}{}",
            dest_command(self.edit),
            ServiceText::of(self.service),
            DestWords::of(self.dest)
        )
    }
}

/// The rule for a change, as `ipvsadm -R` reads it (no program name).
pub fn rule(change: &Change) -> String {
    match change {
        Change::AddService(s) | Change::EditService(s) => ServiceRule {
            edit: matches!(change, Change::EditService(_)),
            service: s,
        }
        .to_string(),
        Change::DeleteService(k) => format!("-D {}", service_arg(k)),
        Change::AddDest { service, dest } | Change::EditDest { service, dest } => DestRule {
            edit: matches!(change, Change::EditDest { .. }),
            service,
            dest,
        }
        .to_string(),
        Change::DeleteDest { service, dest } => format!(
            "-d {} -r {}",
            service_arg(service),
            addr_port(&dest.addr, dest.port)
        ),
        Change::Zero(None) => "-Z".to_string(),
        Change::Zero(Some(k)) => format!("-Z {}", service_arg(k)),
        Change::Flush => "-C".to_string(),
        Change::SetTimeouts(t) => format!("--set {} {} {}", t.tcp, t.tcp_fin, t.udp),
        Change::StartDaemon(d) => start_daemon(d),
        Change::StopDaemon(role) => format!("--stop-daemon {role}"),
    }
}

/// `--start-daemon ROLE --mcast-interface IFACE --syncid N` and each option
/// that is set, in ipvsadm's help order. The interface name is printable by
/// type (`Interface`); a v6 group needs no brackets here.
fn start_daemon(d: &SyncDaemon) -> String {
    let mut line = format!(
        "--start-daemon {} --mcast-interface {} --syncid {}",
        d.role, d.interface, d.sync_id
    );
    if let Some(len) = d.max_len {
        line.push_str(&format!(" --sync-maxlen {len}"));
    }
    if let Some(group) = &d.group {
        line.push_str(&format!(
            " --mcast-group {}",
            crate::model::addr::addr(group)
        ));
    }
    if let Some(port) = d.port {
        line.push_str(&format!(" --mcast-port {port}"));
    }
    if let Some(ttl) = d.ttl {
        line.push_str(&format!(" --mcast-ttl {ttl}"));
    }
    line
}

/// The shell command for a change: `ipvsadm ` + `rule`.
pub fn command_line(change: &Change) -> String {
    format!("ipvsadm {}", rule(change))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_the_table_are_written_as_ipvsadm_writes_them() {
        let v4: IpAddr = "10.0.0.2".parse().unwrap();
        let compat: IpAddr = "::10.0.0.1".parse().unwrap();
        assert_eq!(Word::AddrPort(v4, 80).to_string(), "10.0.0.2:80");
        // glibc's dotted tail, where Rust's Display writes ::a00:1.
        assert_eq!(Word::AddrPort(compat, 0).to_string(), "[::10.0.0.1]:0");
        assert_eq!(Word::Int(-1).to_string(), "-1");
        assert_eq!(Word::Int(4_294_967_295).to_string(), "4294967295");
        assert_eq!(
            Word::Ipv4(Ipv4Addr::new(255, 255, 255, 0)).to_string(),
            "255.255.255.0"
        );
        assert_eq!(Word::from("wlc").to_string(), "wlc");
    }

    #[test]
    fn a_weight_above_i32_max_is_written_with_percent_d() {
        let dest = Dest {
            weight: u32::MAX,
            ..Dest::new("10.0.0.2".parse().unwrap(), 80)
        };
        let key = ServiceKey::Fwmark {
            family: Family::V4,
            mark: 3_000_000_000,
        };
        let line = DestRule {
            edit: false,
            service: &key,
            dest: &dest,
        }
        .to_string();
        assert_eq!(line, "-a -f 3000000000 -r 10.0.0.2:80 -m -w -1");
    }
}
