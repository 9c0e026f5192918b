//! Parse ipvsadm rule lines (what `ipvsadm -R` accepts) into `Change`s.
//!
//! Follows ipvsadm 1.31's parse_options/process_options: the same options
//! (short, long, `--long=value`, clustered short flags), the same defaults
//! (scheduler wlc, weight 1, direct routing, persistence 360 s, /32 or /128),
//! the same command/option table (commands_v_options) and tunnel table
//! (tunnel_types_v_options), and the same error wording where ipvsadm has one.
//! It checks more than ipvsadm before the kernel sees anything: scheduler and
//! persistence-engine names, netmask contiguity, lower threshold above upper.
//!
//! Differences, on purpose: option order does not matter (ipvsadm reads `-M`
//! and a port-less `-r` against whatever service option came before them),
//! names are not resolved (addresses and ports must be numeric), IPv4
//! addresses must be dotted quads, and `#` starts a comment.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::model::{
    Change, Dest, DestKey, Family, Forward, Protocol, Service, ServiceFlags, ServiceKey, Timeouts,
    TunnelFlags, TunnelType,
};

/// Schedulers the Linux kernel ships (net/netfilter/ipvs/ip_vs_*.c).
pub const SCHEDULERS: &[&str] = &[
    "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos",
];

/// Persistence engines the Linux kernel ships (ip_vs_pe_sip.c).
pub const PERSISTENCE_ENGINES: &[&str] = &["sip"];

/// ipvsadm's MAX_TIMEOUT: 31 days.
const MAX_TIMEOUT: u32 = 86400 * 31;
/// IPVS_SVC_PERSISTENT_TIMEOUT (6*60) in ipvsadm's libipvs/ip_vs.h: `-p` without a
/// value. The man page says 300; the binary and the golden captures say 360.
const DEFAULT_PERSISTENT_TIMEOUT: u32 = 360;
const DEFAULT_SCHEDULER: &str = "wlc";

/// A rules file that did not parse: which line, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Every change in a rules file (`ipvsadm -S` output or hand-written), or the
/// first error: nothing partial.
pub fn parse_rules(text: &str) -> Result<Vec<Change>, ParseError> {
    let mut changes = Vec::new();
    for (i, line) in text.lines().enumerate() {
        match parse_line(line) {
            Ok(Some(c)) => changes.push(c),
            Ok(None) => {}
            Err(message) => {
                return Err(ParseError {
                    line: i + 1,
                    message,
                })
            }
        }
    }
    Ok(changes)
}

/// One line: `None` for a blank or comment line. A leading `ipvsadm` is skipped.
pub fn parse_line(line: &str) -> Result<Option<Change>, String> {
    let mut tokens: Vec<&str> = Vec::new();
    for t in line.split_whitespace() {
        if t.starts_with('#') {
            break;
        }
        tokens.push(t);
    }
    if tokens
        .first()
        .is_some_and(|t| *t == "ipvsadm" || t.ends_with("/ipvsadm"))
    {
        tokens.remove(0);
    }
    if tokens.is_empty() {
        return Ok(None);
    }
    parse_args(&tokens).map(Some)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Add,
    Edit,
    Del,
    Flush,
    AddDest,
    DelDest,
    EditDest,
    Timeout,
    Zero,
}

impl Cmd {
    /// ipvsadm's cmdnames[].
    fn name(self) -> &'static str {
        match self {
            Cmd::Add => "add-service",
            Cmd::Edit => "edit-service",
            Cmd::Del => "delete-service",
            Cmd::Flush => "flush",
            Cmd::AddDest => "add-server",
            Cmd::DelDest => "delete-server",
            Cmd::EditDest => "edit-server",
            Cmd::Timeout => "set",
            Cmd::Zero => "zero",
        }
    }
}

/// The options a change command can carry, in ipvsadm's optnames[] order
/// (which fixes which error is reported first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opt {
    Numeric,
    Service,
    Scheduler,
    Persistent,
    Netmask,
    Server,
    Forward,
    Weight,
    UThreshold,
    LThreshold,
    Ops,
    Pe,
    SchedFlags,
    TunType,
    TunPort,
    TunNocsum,
    TunCsum,
    TunRemcsum,
}

const ALL_OPTS: [Opt; 18] = [
    Opt::Numeric,
    Opt::Service,
    Opt::Scheduler,
    Opt::Persistent,
    Opt::Netmask,
    Opt::Server,
    Opt::Forward,
    Opt::Weight,
    Opt::UThreshold,
    Opt::LThreshold,
    Opt::Ops,
    Opt::Pe,
    Opt::SchedFlags,
    Opt::TunType,
    Opt::TunPort,
    Opt::TunNocsum,
    Opt::TunCsum,
    Opt::TunRemcsum,
];

impl Opt {
    fn name(self) -> &'static str {
        match self {
            Opt::Numeric => "numeric",
            Opt::Service => "service-address",
            Opt::Scheduler => "scheduler",
            Opt::Persistent => "persistent",
            Opt::Netmask => "netmask",
            Opt::Server => "real-server",
            Opt::Forward => "forwarding-method",
            Opt::Weight => "weight",
            Opt::UThreshold => "u-threshold",
            Opt::LThreshold => "l-threshold",
            Opt::Ops => "ops",
            Opt::Pe => "pe",
            Opt::SchedFlags => "sched-flags",
            Opt::TunType => "tun-type",
            Opt::TunPort => "tun-port",
            Opt::TunNocsum => "tun-nocsum",
            Opt::TunCsum => "tun-csum",
            Opt::TunRemcsum => "tun-remcsum",
        }
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// commands_v_options for the change commands: '+' compulsory, 'x' illegal,
/// ' ' optional.
fn allowed(cmd: Cmd, opt: Opt) -> char {
    use Opt::*;
    match cmd {
        Cmd::Add | Cmd::Edit => match opt {
            Service => '+',
            Scheduler | Persistent | Netmask | Ops | Pe | SchedFlags => ' ',
            _ => 'x',
        },
        Cmd::Del => match opt {
            Service => '+',
            _ => 'x',
        },
        Cmd::AddDest | Cmd::EditDest => match opt {
            Service | Server => '+',
            Forward | Weight | UThreshold | LThreshold | TunType | TunPort | TunNocsum
            | TunCsum | TunRemcsum => ' ',
            _ => 'x',
        },
        Cmd::DelDest => match opt {
            Service | Server => '+',
            _ => 'x',
        },
        Cmd::Zero => match opt {
            Service => ' ',
            _ => 'x',
        },
        Cmd::Flush | Cmd::Timeout => 'x',
    }
}

/// An address option before its family is known to agree with the rest.
#[derive(Debug, Clone, Copy)]
struct AddrPort {
    addr: IpAddr,
    port: Option<u16>,
}

#[derive(Debug, Clone, Copy)]
enum SvcOpt {
    Addr(Protocol, AddrPort),
    Fwmark(u32),
}

#[derive(Default)]
struct Parsed {
    cmd: Option<Cmd>,
    seen: u32,
    svc: Option<SvcOpt>,
    ipv6: bool,
    scheduler: Option<String>,
    persistent: Option<u32>,
    netmask: Option<String>,
    server: Option<AddrPort>,
    forward: Option<Forward>,
    weight: Option<u32>,
    upper: Option<u32>,
    lower: Option<u32>,
    ops: bool,
    pe: Option<String>,
    sched_flags: Option<String>,
    tun_type: Option<TunnelType>,
    tun_port: Option<u16>,
    tun_flags: u16,
    positional: Vec<String>,
}

impl Parsed {
    fn set_command(&mut self, cmd: Cmd) -> Result<(), String> {
        if self.cmd.is_some() {
            return Err("multiple commands specified".into());
        }
        self.cmd = Some(cmd);
        Ok(())
    }

    fn set_option(&mut self, opt: Opt) -> Result<(), String> {
        if self.seen & opt.bit() != 0 {
            return Err(format!("multiple '{}' options specified", opt.name()));
        }
        self.seen |= opt.bit();
        Ok(())
    }

    fn has(&self, opt: Opt) -> bool {
        self.seen & opt.bit() != 0
    }
}

/// How an option takes its argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arity {
    None,
    Required,
    /// `-p [timeout]`: the next word if it does not look like an option (popt).
    Optional,
}

/// What an option word means.
#[derive(Debug, Clone, Copy)]
enum Spec {
    Command(Cmd),
    /// A command lvstop does not take from rules (listing, saving, daemons).
    OtherCommand(&'static str),
    Tcp,
    Udp,
    Sctp,
    Fwmark,
    Scheduler,
    Persistent,
    Netmask,
    Server,
    Masq,
    Ipip,
    Gate,
    Weight,
    Upper,
    Lower,
    Numeric,
    Ipv6,
    Ops,
    Pe,
    SchedFlags,
    TunType,
    TunPort,
    TunNocsum,
    TunCsum,
    TunRemcsum,
    /// A listing or daemon option: valid ipvsadm, never valid in a change.
    Other(&'static str, Arity),
}

impl Spec {
    fn arity(self) -> Arity {
        match self {
            Spec::Tcp
            | Spec::Udp
            | Spec::Sctp
            | Spec::Fwmark
            | Spec::Scheduler
            | Spec::Netmask
            | Spec::Server
            | Spec::Weight
            | Spec::Upper
            | Spec::Lower
            | Spec::Pe
            | Spec::SchedFlags
            | Spec::TunType
            | Spec::TunPort => Arity::Required,
            Spec::Persistent => Arity::Optional,
            Spec::OtherCommand("start-daemon") | Spec::OtherCommand("stop-daemon") => {
                Arity::Required
            }
            Spec::Other(_, a) => a,
            _ => Arity::None,
        }
    }
}

fn short_spec(c: char) -> Option<Spec> {
    Some(match c {
        'A' => Spec::Command(Cmd::Add),
        'E' => Spec::Command(Cmd::Edit),
        'D' => Spec::Command(Cmd::Del),
        'C' => Spec::Command(Cmd::Flush),
        'a' => Spec::Command(Cmd::AddDest),
        'e' => Spec::Command(Cmd::EditDest),
        'd' => Spec::Command(Cmd::DelDest),
        'Z' => Spec::Command(Cmd::Zero),
        'L' | 'l' => Spec::OtherCommand("list"),
        'R' => Spec::OtherCommand("restore"),
        'S' => Spec::OtherCommand("save"),
        'h' => Spec::OtherCommand("help"),
        'v' => Spec::OtherCommand("version"),
        't' => Spec::Tcp,
        'u' => Spec::Udp,
        'f' => Spec::Fwmark,
        's' => Spec::Scheduler,
        'p' => Spec::Persistent,
        'M' => Spec::Netmask,
        'r' => Spec::Server,
        'm' => Spec::Masq,
        'i' => Spec::Ipip,
        'g' => Spec::Gate,
        'w' => Spec::Weight,
        'x' => Spec::Upper,
        'y' => Spec::Lower,
        'n' => Spec::Numeric,
        '6' => Spec::Ipv6,
        'o' => Spec::Ops,
        'b' => Spec::SchedFlags,
        'c' => Spec::Other("connection", Arity::None),
        'X' => Spec::Other("exact", Arity::None),
        _ => return None,
    })
}

fn long_spec(name: &str) -> Option<Spec> {
    Some(match name {
        "add-service" => Spec::Command(Cmd::Add),
        "edit-service" => Spec::Command(Cmd::Edit),
        "delete-service" => Spec::Command(Cmd::Del),
        "clear" => Spec::Command(Cmd::Flush),
        "add-server" => Spec::Command(Cmd::AddDest),
        "edit-server" => Spec::Command(Cmd::EditDest),
        "delete-server" => Spec::Command(Cmd::DelDest),
        "zero" => Spec::Command(Cmd::Zero),
        "set" => Spec::Command(Cmd::Timeout),
        "list" => Spec::OtherCommand("list"),
        "restore" => Spec::OtherCommand("restore"),
        "save" => Spec::OtherCommand("save"),
        "help" => Spec::OtherCommand("help"),
        "version" => Spec::OtherCommand("version"),
        "start-daemon" => Spec::OtherCommand("start-daemon"),
        "stop-daemon" => Spec::OtherCommand("stop-daemon"),
        "tcp-service" => Spec::Tcp,
        "udp-service" => Spec::Udp,
        "sctp-service" => Spec::Sctp,
        "fwmark-service" => Spec::Fwmark,
        "scheduler" => Spec::Scheduler,
        "persistent" => Spec::Persistent,
        "netmask" => Spec::Netmask,
        "real-server" => Spec::Server,
        "masquerading" => Spec::Masq,
        "ipip" => Spec::Ipip,
        "gatewaying" => Spec::Gate,
        "weight" => Spec::Weight,
        "u-threshold" => Spec::Upper,
        "l-threshold" => Spec::Lower,
        "numeric" => Spec::Numeric,
        "ipv6" => Spec::Ipv6,
        "ops" => Spec::Ops,
        "pe" => Spec::Pe,
        "sched-flags" => Spec::SchedFlags,
        "tun-type" => Spec::TunType,
        "tun-port" => Spec::TunPort,
        "tun-nocsum" => Spec::TunNocsum,
        "tun-csum" => Spec::TunCsum,
        "tun-remcsum" => Spec::TunRemcsum,
        "connection" => Spec::Other("connection", Arity::None),
        "timeout" => Spec::Other("timeout", Arity::None),
        "daemon" => Spec::Other("daemon", Arity::None),
        "stats" => Spec::Other("stats", Arity::None),
        "rate" => Spec::Other("rate", Arity::None),
        "thresholds" => Spec::Other("thresholds", Arity::None),
        "persistent-conn" => Spec::Other("persistent-conn", Arity::None),
        "nosort" => Spec::Other("nosort", Arity::None),
        "sort" => Spec::Other("sort", Arity::None),
        "exact" => Spec::Other("exact", Arity::None),
        "tun-info" => Spec::Other("tun-info", Arity::None),
        "mcast-interface" => Spec::Other("mcast-interface", Arity::Required),
        "syncid" => Spec::Other("syncid", Arity::Required),
        "mcast-group" => Spec::Other("mcast-group", Arity::Required),
        "mcast-port" => Spec::Other("mcast-port", Arity::Required),
        "mcast-ttl" => Spec::Other("mcast-ttl", Arity::Required),
        "sync-maxlen" => Spec::Other("sync-maxlen", Arity::Required),
        _ => return None,
    })
}

/// One command's words (without the program name): the change it asks for.
pub fn parse_args<S: AsRef<str>>(args: &[S]) -> Result<Change, String> {
    let args: Vec<&str> = args.iter().map(|s| s.as_ref()).collect();
    let mut p = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let word = args[i];
        i += 1;
        if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            let spec = long_spec(name).ok_or_else(|| format!("invalid option `{word}'"))?;
            let value = match (spec.arity(), inline) {
                (Arity::None, Some(_)) => {
                    return Err(format!("option `--{name}' takes no value"));
                }
                (Arity::None, None) => None,
                (_, Some(v)) => Some(v),
                (Arity::Required, None) => {
                    let v = args
                        .get(i)
                        .ok_or_else(|| format!("option `--{name}' needs a value"))?;
                    i += 1;
                    Some(*v)
                }
                (Arity::Optional, None) => match args.get(i) {
                    Some(v) if !v.starts_with('-') => {
                        i += 1;
                        Some(*v)
                    }
                    _ => None,
                },
            };
            apply(&mut p, spec, value)?;
        } else if word.len() > 1 && word.starts_with('-') {
            let body = &word[1..];
            for (k, c) in body.char_indices() {
                let spec = short_spec(c).ok_or_else(|| format!("invalid option `-{c}'"))?;
                let rest = &body[k + c.len_utf8()..];
                match spec.arity() {
                    Arity::None => apply(&mut p, spec, None)?,
                    arity => {
                        let value = if !rest.is_empty() {
                            Some(rest)
                        } else if arity == Arity::Required {
                            let v = args
                                .get(i)
                                .ok_or_else(|| format!("option `-{c}' needs a value"))?;
                            i += 1;
                            Some(*v)
                        } else {
                            match args.get(i) {
                                Some(v) if !v.starts_with('-') => {
                                    i += 1;
                                    Some(*v)
                                }
                                _ => None,
                            }
                        };
                        apply(&mut p, spec, value)?;
                        break;
                    }
                }
            }
        } else {
            p.positional.push(word.to_string());
        }
    }
    build(p)
}

fn number(s: &str, min: u64, max: u64) -> Option<u64> {
    // string_to_number: a whole decimal number within [min, max].
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u64>().ok().filter(|n| (min..=max).contains(n))
}

/// parse_service: `a.b.c.d[:port]`, `[v6]:port`, or a bare v6 address.
fn parse_addr_port(s: &str) -> Option<AddrPort> {
    if s.is_empty() || s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let port = |p: &str| number(p, 0, 65535).map(|n| n as u16);
    if let Some(rest) = s.strip_prefix('[') {
        let (a, after) = rest.split_once(']')?;
        let p = after.strip_prefix(':')?;
        let addr: Ipv6Addr = a.parse().ok()?;
        return Some(AddrPort {
            addr: IpAddr::V6(addr),
            port: Some(port(p)?),
        });
    }
    if let Ok(a) = s.parse::<Ipv6Addr>() {
        return Some(AddrPort {
            addr: IpAddr::V6(a),
            port: None,
        });
    }
    let (a, p) = match s.rsplit_once(':') {
        Some((a, p)) => (a, Some(port(p)?)),
        None => (s, None),
    };
    let addr: Ipv4Addr = a.parse().ok()?;
    Some(AddrPort {
        addr: IpAddr::V4(addr),
        port: p,
    })
}

fn apply(p: &mut Parsed, spec: Spec, value: Option<&str>) -> Result<(), String> {
    let v = value.unwrap_or("");
    match spec {
        Spec::Command(c) => p.set_command(c)?,
        Spec::OtherCommand(name) => {
            return Err(format!(
            "the '{name}' command is not a table change (rules take -A -E -D -C -a -e -d -Z --set)"
        ))
        }
        Spec::Tcp | Spec::Udp | Spec::Sctp => {
            p.set_option(Opt::Service)?;
            let protocol = match spec {
                Spec::Tcp => Protocol::Tcp,
                Spec::Udp => Protocol::Udp,
                _ => Protocol::Sctp,
            };
            let ap = parse_addr_port(v)
                .ok_or_else(|| format!("illegal virtual server address[:port] specified: `{v}'"))?;
            p.svc = Some(SvcOpt::Addr(protocol, ap));
        }
        Spec::Fwmark => {
            p.set_option(Opt::Service)?;
            let mark = number(v, 1, u64::from(u32::MAX))
                .ok_or_else(|| format!("invalid fwmark value `{v}' specified (1 to 4294967295)"))?;
            p.svc = Some(SvcOpt::Fwmark(mark as u32));
        }
        Spec::Ipv6 => {
            if !matches!(p.svc, Some(SvcOpt::Fwmark(_))) {
                return Err("-6 used before -f".into());
            }
            p.ipv6 = true;
        }
        Spec::Scheduler => {
            p.set_option(Opt::Scheduler)?;
            if !SCHEDULERS.contains(&v) {
                return Err(format!(
                    "unknown scheduler `{v}' (the kernel's schedulers: {})",
                    SCHEDULERS.join(" ")
                ));
            }
            p.scheduler = Some(v.to_string());
        }
        Spec::Persistent => {
            p.set_option(Opt::Persistent)?;
            p.persistent = Some(match value {
                None => DEFAULT_PERSISTENT_TIMEOUT,
                Some(t) => number(t, 1, u64::from(MAX_TIMEOUT)).ok_or_else(|| {
                    format!("invalid timeout value `{t}' specified (1 to {MAX_TIMEOUT})")
                })? as u32,
            });
        }
        Spec::Netmask => {
            p.set_option(Opt::Netmask)?;
            p.netmask = Some(v.to_string());
        }
        Spec::Server => {
            p.set_option(Opt::Server)?;
            p.server =
                Some(parse_addr_port(v).ok_or_else(|| {
                    format!("illegal real server address[:port] specified: `{v}'")
                })?);
        }
        Spec::Masq | Spec::Ipip | Spec::Gate => {
            p.set_option(Opt::Forward)?;
            p.forward = Some(match spec {
                Spec::Masq => Forward::Masq,
                Spec::Ipip => Forward::Tunnel,
                _ => Forward::Route,
            });
        }
        Spec::Weight => {
            p.set_option(Opt::Weight)?;
            // Debian's ipvsadm takes weights up to INT_MAX, as the kernel does.
            p.weight = Some(
                number(v, 0, i32::MAX as u64)
                    .ok_or_else(|| format!("illegal weight specified: `{v}' (0 to 2147483647)"))?
                    as u32,
            );
        }
        Spec::Upper => {
            p.set_option(Opt::UThreshold)?;
            p.upper =
                Some(number(v, 0, i32::MAX as u64).ok_or_else(|| {
                    format!("illegal u_threshold specified: `{v}' (0 to 2147483647)")
                })? as u32);
        }
        Spec::Lower => {
            p.set_option(Opt::LThreshold)?;
            p.lower =
                Some(number(v, 0, i32::MAX as u64).ok_or_else(|| {
                    format!("illegal l_threshold specified: `{v}' (0 to 2147483647)")
                })? as u32);
        }
        Spec::Numeric => p.set_option(Opt::Numeric)?,
        Spec::Ops => {
            p.set_option(Opt::Ops)?;
            p.ops = true;
        }
        Spec::Pe => {
            p.set_option(Opt::Pe)?;
            if !PERSISTENCE_ENGINES.contains(&v) {
                return Err(format!(
                    "unknown persistence engine `{v}' (the kernel's engines: {})",
                    PERSISTENCE_ENGINES.join(" ")
                ));
            }
            p.pe = Some(v.to_string());
        }
        Spec::SchedFlags => {
            p.set_option(Opt::SchedFlags)?;
            p.sched_flags = Some(v.to_string());
        }
        Spec::TunType => {
            p.set_option(Opt::TunType)?;
            p.tun_type = Some(match v {
                "ipip" => TunnelType::Ipip,
                "gue" => TunnelType::Gue,
                "gre" => TunnelType::Gre,
                _ => {
                    return Err(format!(
                        "illegal tunnel type specified: `{v}' (one of ipip gue gre)"
                    ))
                }
            });
        }
        Spec::TunPort => {
            p.set_option(Opt::TunPort)?;
            p.tun_port = Some(
                number(v, 1, 65535)
                    .ok_or_else(|| format!("illegal tunnel port specified: `{v}' (1 to 65535)"))?
                    as u16,
            );
        }
        Spec::TunNocsum => p.set_option(Opt::TunNocsum)?,
        Spec::TunCsum => {
            p.set_option(Opt::TunCsum)?;
            p.tun_flags |= TunnelFlags::CSUM;
        }
        Spec::TunRemcsum => {
            p.set_option(Opt::TunRemcsum)?;
            p.tun_flags |= TunnelFlags::REMCSUM;
        }
        Spec::Other(name, _) => {
            return Err(format!(
                "option '--{name}' is for listing or the sync daemon, not a table change"
            ))
        }
    }
    Ok(())
}

/// parse_sched_flags, against the final scheduler.
fn sched_flags(sched: &str, list: &str) -> Result<u32, String> {
    let mut flags = 0;
    for flag in list.split(',').filter(|f| !f.is_empty()) {
        let (bit, only) = match flag {
            "flag-1" => (ServiceFlags::SCHED1, None),
            "flag-2" => (ServiceFlags::SCHED2, None),
            "flag-3" => (ServiceFlags::SCHED3, None),
            "sh-fallback" => (ServiceFlags::SCHED1, Some("sh")),
            "sh-port" => (ServiceFlags::SCHED2, Some("sh")),
            "mh-fallback" => (ServiceFlags::SCHED1, Some("mh")),
            "mh-port" => (ServiceFlags::SCHED2, Some("mh")),
            _ => return Err(format!("invalid scheduler flag `{flag}'")),
        };
        if only.is_some_and(|s| s != sched) {
            return Err(format!(
                "incompatible scheduler flag `{flag}' (scheduler is {sched})"
            ));
        }
        flags |= bit;
    }
    Ok(flags)
}

/// parse_netmask / the IPv6 prefix branch of `-M`.
fn netmask(family: Family, s: &str) -> Result<u32, String> {
    match family {
        Family::V4 => {
            let m: Ipv4Addr = s
                .parse()
                .map_err(|_| format!("illegal virtual server persistent mask specified: `{s}'"))?;
            let m = u32::from(m);
            // The kernel masks client addresses with it: only a prefix makes sense.
            if m.leading_ones() + m.trailing_zeros() != 32 {
                return Err(format!("non-contiguous netmask `{s}'"));
            }
            Ok(m)
        }
        Family::V6 => number(s, 1, 128)
            .map(|n| n as u32)
            .ok_or_else(|| format!("illegal ipv6 netmask specified: `{s}' (1 to 128)")),
    }
}

/// The service key, and the port a port-less `-r` inherits.
fn service_key(p: &Parsed) -> Option<(ServiceKey, u16)> {
    Some(match p.svc? {
        SvcOpt::Addr(protocol, ap) => (
            ServiceKey::Addr {
                protocol,
                addr: ap.addr,
                port: ap.port.unwrap_or(0),
            },
            ap.port.unwrap_or(0),
        ),
        SvcOpt::Fwmark(mark) => (
            ServiceKey::Fwmark {
                family: if p.ipv6 { Family::V6 } else { Family::V4 },
                mark,
            },
            0,
        ),
    })
}

fn build(p: Parsed) -> Result<Change, String> {
    let cmd = p
        .cmd
        .ok_or_else(|| "no command given (one of -A -E -D -C -a -e -d -Z --set)".to_string())?;
    // generic_opt_check, in optnames order.
    for opt in ALL_OPTS {
        match (p.has(opt), allowed(cmd, opt)) {
            (false, '+') => {
                return Err(format!(
                    "You need to supply the '{}' option for the '{}' command",
                    opt.name(),
                    cmd.name()
                ))
            }
            (true, 'x') => {
                return Err(format!(
                    "Illegal '{}' option with the '{}' command",
                    opt.name(),
                    cmd.name()
                ))
            }
            _ => {}
        }
    }
    if cmd == Cmd::Timeout {
        if p.positional.len() != 3 {
            return Err("--set option requires 3 timeout values".into());
        }
        let t = |s: &str| {
            number(s, 0, u64::from(MAX_TIMEOUT))
                .map(|n| n as u32)
                .ok_or_else(|| {
                    format!("invalid timeout value `{s}' specified (0 to {MAX_TIMEOUT})")
                })
        };
        return Ok(Change::SetTimeouts(Timeouts {
            tcp: t(&p.positional[0])?,
            tcp_fin: t(&p.positional[1])?,
            udp: t(&p.positional[2])?,
        }));
    }
    if let Some(extra) = p.positional.first() {
        return Err(format!("unexpected argument {extra}"));
    }
    let svc = service_key(&p);
    match cmd {
        Cmd::Flush => Ok(Change::Flush),
        Cmd::Zero => Ok(Change::Zero(svc.map(|(k, _)| k))),
        Cmd::Del => Ok(Change::DeleteService(svc.expect("compulsory").0)),
        Cmd::Add | Cmd::Edit => {
            let (key, _) = svc.expect("compulsory");
            let service = build_service(&p, key)?;
            Ok(if cmd == Cmd::Add {
                Change::AddService(service)
            } else {
                Change::EditService(service)
            })
        }
        Cmd::DelDest => {
            let (service, vport) = svc.expect("compulsory");
            let r = p.server.expect("compulsory");
            Ok(Change::DeleteDest {
                service,
                dest: DestKey {
                    addr: r.addr,
                    port: r.port.unwrap_or(vport),
                },
            })
        }
        Cmd::AddDest | Cmd::EditDest => {
            let (service, vport) = svc.expect("compulsory");
            let dest = build_dest(&p, &service, vport)?;
            Ok(if cmd == Cmd::AddDest {
                Change::AddDest { service, dest }
            } else {
                Change::EditDest { service, dest }
            })
        }
        Cmd::Timeout => unreachable!("handled above"),
    }
}

fn build_service(p: &Parsed, key: ServiceKey) -> Result<Service, String> {
    let scheduler = p.scheduler.as_deref().unwrap_or(DEFAULT_SCHEDULER);
    let mut service = Service::new(key, scheduler);
    if let Some(timeout) = p.persistent {
        service.flags.0 |= ServiceFlags::PERSISTENT;
        service.timeout = timeout;
    }
    if let ServiceKey::Addr { port: 0, .. } = key {
        if p.persistent.is_none() {
            return Err("Zero port specified for non-persistent service".into());
        }
    }
    if p.ops {
        if let ServiceKey::Addr { protocol, .. } = key {
            if protocol != Protocol::Udp {
                return Err("One-Packet Scheduling is only for UDP virtual services".into());
            }
        }
        service.flags.0 |= ServiceFlags::ONEPACKET;
    }
    if let Some(m) = &p.netmask {
        service.netmask = netmask(key.family(), m)?;
    }
    if let Some(list) = &p.sched_flags {
        service.flags.0 |= sched_flags(scheduler, list)?;
    }
    service.pe_name = p.pe.clone();
    Ok(service)
}

/// The '+'/'x'/'1' table for tunnel options (tunnel_types_v_options), with
/// ipvsadm's wording.
fn tunnel_check(p: &Parsed, tun: TunnelType) -> Result<(), String> {
    let opts = [Opt::TunPort, Opt::TunNocsum, Opt::TunCsum, Opt::TunRemcsum];
    let table: [char; 4] = match tun {
        TunnelType::Ipip => ['x', 'x', 'x', 'x'],
        TunnelType::Gue => ['+', '1', '1', '1'],
        TunnelType::Gre => ['x', '1', '1', 'x'],
    };
    let mut first: Option<Opt> = None;
    for (opt, rule) in opts.into_iter().zip(table) {
        if !p.has(opt) {
            if rule == '+' {
                return Err(format!(
                    "You need to supply the '{}' option for the '{}' tunnel type",
                    opt.name(),
                    tun.name()
                ));
            }
            continue;
        }
        if rule == 'x' {
            return Err(format!(
                "Illegal '{}' option with the '{}' tunnel type",
                opt.name(),
                tun.name()
            ));
        }
        if rule == '1' {
            if let Some(last) = first {
                return Err(format!(
                    "The option '{}' conflicts with the '{}' option in the '{}' tunnel type",
                    opt.name(),
                    last.name(),
                    tun.name()
                ));
            }
            first = Some(opt);
        }
    }
    Ok(())
}

fn build_dest(p: &Parsed, service: &ServiceKey, vport: u16) -> Result<Dest, String> {
    let r = p.server.expect("compulsory");
    // ipvsadm's default forwarding method is direct routing (-g).
    let forward = p.forward.unwrap_or(Forward::Route);
    let mut port = r.port.unwrap_or(vport);
    // DR and tunnelling cannot change the port: ipvsadm forces the service's.
    if matches!(service, ServiceKey::Addr { .. })
        && matches!(forward, Forward::Tunnel | Forward::Route)
    {
        port = vport;
    }
    if Family::of(&r.addr) != service.family() && forward != Forward::Tunnel {
        return Err("Different address family is allowed only for tunneling servers".into());
    }
    let tun_opts = [
        Opt::TunType,
        Opt::TunPort,
        Opt::TunNocsum,
        Opt::TunCsum,
        Opt::TunRemcsum,
    ];
    if tun_opts.iter().any(|o| p.has(*o)) && forward != Forward::Tunnel {
        return Err("Tunnel options conflict with forward method".into());
    }
    let tun_type = p.tun_type.unwrap_or_default();
    tunnel_check(p, tun_type)?;
    let mut dest = Dest::new(r.addr, port);
    dest.forward = forward;
    dest.weight = p.weight.unwrap_or(1);
    dest.upper_threshold = p.upper.unwrap_or(0);
    dest.lower_threshold = p.lower.unwrap_or(0);
    // The kernel refuses this (ERANGE); say so before it does.
    if dest.lower_threshold > dest.upper_threshold {
        return Err(format!(
            "lower threshold {} is above upper threshold {}",
            dest.lower_threshold, dest.upper_threshold
        ));
    }
    dest.tun_type = tun_type;
    dest.tun_port = p.tun_port.unwrap_or(0);
    dest.tun_flags = TunnelFlags(p.tun_flags);
    Ok(dest)
}
