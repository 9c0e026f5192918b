//! The ipvsadm command for any change, in the words `ipvsadm -S` uses.
//!
//! `rule` is what `ipvsadm -R` reads (and `parse` reads back to the same
//! change); the save format is made of these lines. Two things ipvsadm's
//! options cannot say: the Local forwarding method (written `-g`, as
//! ipvsadm -S does) and tunnel settings on a non-tunnel server (dropped).

use std::fmt::Write;
use std::net::Ipv4Addr;

use crate::model::{
    Change, Dest, Family, Forward, Protocol, Service, ServiceFlags, ServiceKey, TunnelFlags,
    TunnelType,
};
use crate::output::{addr_port, sched_flag_words};

/// `-t 10.0.0.1:80`, `-u [2001:db8::1]:53`, `--sctp-service ...`, `-f 42`,
/// `-f 42 -6` (print_service_entry's svc_name under FMT_RULE).
pub fn service_arg(key: &ServiceKey) -> String {
    match key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            let opt = match protocol {
                Protocol::Tcp => "-t",
                Protocol::Udp => "-u",
                Protocol::Sctp => "--sctp-service",
            };
            format!("{opt} {}", addr_port(addr, *port))
        }
        // ipvsadm prints "-f %d"; unsigned here so marks >= 2^31 restore.
        ServiceKey::Fwmark {
            family: Family::V4,
            mark,
        } => format!("-f {mark}"),
        ServiceKey::Fwmark {
            family: Family::V6,
            mark,
        } => format!("-f {mark} -6"),
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

/// `-A`/`-E` arguments after the service: ` -s wlc -p 300 -M ... --pe sip -o -b ...`,
/// in ipvsadm -S's order. The netmask is written whenever it is not the
/// default (ipvsadm -S writes it only with persistence, losing it otherwise).
pub fn service_options(service: &Service) -> String {
    let mut s = format!(" -s {}", service.scheduler);
    if service.flags.has(ServiceFlags::PERSISTENT) {
        let _ = write!(s, " -p {}", service.timeout);
    }
    match service.key.family() {
        Family::V4 if service.netmask != 0xffff_ffff => {
            let _ = write!(s, " -M {}", Ipv4Addr::from(service.netmask));
        }
        Family::V6 if service.netmask != 128 => {
            let _ = write!(s, " -M {}", service.netmask);
        }
        _ => {}
    }
    if let Some(pe) = &service.pe_name {
        let _ = write!(s, " --pe {pe}");
    }
    if service.flags.has(ServiceFlags::ONEPACKET) {
        s.push_str(" -o");
    }
    let words = restorable_flag_words(service);
    if !words.is_empty() {
        let _ = write!(s, " -b {}", words.join(","));
    }
    s
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

/// `-a`/`-e` arguments after the service: ` -r 10.0.0.2:80 -m -w 1`, then
/// the tunnel options as print_tunnel_rule writes them, then `-x`/`-y` when
/// set (ipvsadm -S drops thresholds; `-R` reads them).
pub fn dest_options(dest: &Dest) -> String {
    let mut s = format!(
        " -r {} {} -w {}",
        addr_port(&dest.addr, dest.port),
        forward_switch(dest.forward),
        dest.weight as i32
    );
    if dest.forward == Forward::Tunnel {
        match dest.tun_type {
            TunnelType::Ipip => s.push_str(" --tun-type ipip"),
            TunnelType::Gue => {
                let _ = write!(
                    s,
                    " --tun-type gue --tun-port {} {}",
                    dest.tun_port,
                    tun_flags_option(dest.tun_flags)
                );
            }
            TunnelType::Gre => {
                let _ = write!(s, " --tun-type gre {}", tun_flags_option(dest.tun_flags));
            }
        }
    }
    if dest.upper_threshold != 0 {
        let _ = write!(s, " -x {}", dest.upper_threshold);
    }
    if dest.lower_threshold != 0 {
        let _ = write!(s, " -y {}", dest.lower_threshold);
    }
    s
}

/// The rule for a change, as `ipvsadm -R` reads it (no program name).
pub fn rule(change: &Change) -> String {
    match change {
        Change::AddService(s) => format!("-A {}{}", service_arg(&s.key), service_options(s)),
        Change::EditService(s) => format!("-E {}{}", service_arg(&s.key), service_options(s)),
        Change::DeleteService(k) => format!("-D {}", service_arg(k)),
        Change::AddDest { service, dest } => {
            format!("-a {}{}", service_arg(service), dest_options(dest))
        }
        Change::EditDest { service, dest } => {
            format!("-e {}{}", service_arg(service), dest_options(dest))
        }
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
