//! `ipvsadm -Ln` and its views, byte for byte (ipvsadm.c list_all,
//! print_title, print_service_entry, ipvsadm 1.31).
//!
//! Always numeric: lvstop never resolves names, so this is `-n` output.
//! Sorted as ipvsadm sorts by default (see `order`).
//!
//! One ipvsadm bug is not reproduced: libipvs reads a real server's 64-bit
//! statistics with its 32-bit parser (ipvs_dests_parse_cb calls
//! ipvs_parse_stats on IPVS_DEST_ATTR_STATS64; confirmed in the Debian 1.31
//! binary), so ipvsadm shows real-server conns, packets and rates modulo
//! 2^32 (bytes are right). lvstop shows the full values.

use std::fmt::Write;

use crate::model::{Dest, Family, Service, ServiceFlags, ServiceKey, Snapshot, Timeouts};

use super::addr::addr_port;
use super::number::largenum;
use super::order;
use super::words::{has_sched_flags, sched_flag_words, tun_info};

/// Which listing: `-Ln`, `--stats`, `--rate`, `--thresholds`,
/// `--persistent-conn`, `--tun-info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextView {
    #[default]
    Plain,
    Stats,
    Rate,
    Thresholds,
    PersistConn,
    TunInfo,
}

/// How to list: the view, and `--exact` (numbers not shortened to K/M/G/T).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextOptions {
    pub view: TextView,
    pub exact: bool,
}

/// The whole listing, as `ipvsadm -Ln [view] [--exact]` prints it.
pub fn render(snapshot: &Snapshot, options: TextOptions) -> String {
    let mut out = String::new();
    let info = &snapshot.info;
    // list_all: "%d.%d.%d (size=%d)", size printed as a signed int.
    let _ = writeln!(
        out,
        "IP Virtual Server version {} (size={})",
        info.version_string(),
        info.conn_tab_size as i32
    );
    out.push_str(&title(options.view));
    for (service, dests) in order::sorted(snapshot) {
        service_block(&mut out, service, &dests, options);
    }
    out
}

/// One service, as `ipvsadm -Ln -t|-u|-f SERVICE [view]` prints it
/// (list_service: no version line). `None` if the snapshot lacks it.
pub fn render_service(
    snapshot: &Snapshot,
    key: &ServiceKey,
    options: TextOptions,
) -> Option<String> {
    let (service, dests) = order::sorted(snapshot)
        .into_iter()
        .find(|(s, _)| s.key == *key)?;
    let mut out = title(options.view);
    service_block(&mut out, service, &dests, options);
    Some(out)
}

/// `ipvsadm -L --timeout` (list_timeout).
pub fn render_timeouts(t: &Timeouts) -> String {
    format!(
        "Timeout (tcp tcpfin udp): {} {} {}\n",
        t.tcp as i32, t.tcp_fin as i32, t.udp as i32
    )
}

/// print_title: the two column-header lines.
pub fn title(view: TextView) -> String {
    const PROT: &str = "Prot LocalAddress:Port";
    const REMOTE: &str = "  -> RemoteAddress:Port";
    match view {
        TextView::Stats => format!(
            "{PROT:<33} {:>8} {:>8} {:>8} {:>8} {:>8}\n{REMOTE}\n",
            "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"
        ),
        TextView::Rate => format!(
            "{PROT:<33} {:>8} {:>8} {:>8} {:>8} {:>8}\n{REMOTE}\n",
            "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"
        ),
        TextView::Thresholds => format!(
            "{PROT:<33} {:<10} {:<10} {:<10} {:<10}\n{REMOTE}\n",
            "Uthreshold", "Lthreshold", "ActiveConn", "InActConn"
        ),
        TextView::PersistConn => format!(
            "{PROT:<33} {:<9} {:<11} {:<10} {:<10}\n{REMOTE}\n",
            "Weight", "PersistConn", "ActiveConn", "InActConn"
        ),
        TextView::TunInfo => "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n".to_string(),
        TextView::Plain => "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n".to_string(),
    }
}

/// The service column: `TCP  10.0.0.1:80`, `SCTP [2001:db8::1]:80`,
/// `FWM  42`, `FWM  42 IPv6` (marks printed with `%d`, as ipvsadm does).
pub fn service_name(key: &ServiceKey) -> String {
    match key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            let mut s = format!("{:<4} {}", protocol.name(), addr_port(addr, *port));
            // print_service_entry cuts IPv4 names at 33 bytes (only long host names reach it).
            if addr.is_ipv4() {
                s.truncate(33);
            }
            s
        }
        ServiceKey::Fwmark {
            family: Family::V4,
            mark,
        } => format!("FWM  {}", *mark as i32),
        ServiceKey::Fwmark {
            family: Family::V6,
            mark,
        } => format!("FWM  {} IPv6", *mark as i32),
    }
}

/// The plain service line's text after the name: scheduler, flags,
/// persistence, one-packet scheduling.
fn service_detail(service: &Service) -> String {
    let mut s = format!(" {}", service.scheduler);
    if has_sched_flags(service) {
        let _ = write!(s, " ({})", sched_flag_words(service).join(","));
    }
    if service.flags.has(ServiceFlags::PERSISTENT) {
        let _ = write!(s, " persistent {}", service.timeout);
        match service.key.family() {
            Family::V4 if service.netmask != 0xffff_ffff => {
                let _ = write!(s, " mask {}", std::net::Ipv4Addr::from(service.netmask));
            }
            Family::V6 if service.netmask != 128 => {
                let _ = write!(s, " mask {}", service.netmask as i32);
            }
            _ => {}
        }
        if let Some(pe) = &service.pe_name {
            let _ = write!(s, " pe {pe}");
        }
    }
    if service.flags.has(ServiceFlags::ONEPACKET) {
        s.push_str(" ops");
    }
    s
}

fn dest_name(dest: &Dest) -> String {
    let mut s = addr_port(&dest.addr, dest.port);
    if dest.addr.is_ipv4() {
        s.truncate(28);
    }
    s
}

fn service_block(out: &mut String, service: &Service, dests: &[&Dest], o: TextOptions) {
    let name = service_name(&service.key);
    let st = &service.stats;
    match o.view {
        TextView::Stats => {
            let _ = write!(out, "{name:<33}");
            for n in [st.conns, st.inpkts, st.outpkts, st.inbytes, st.outbytes] {
                out.push_str(&largenum(n, o.exact));
            }
        }
        TextView::Rate => {
            let _ = write!(out, "{name:<33}");
            for n in [st.cps, st.inpps, st.outpps, st.inbps, st.outbps] {
                out.push_str(&largenum(n, o.exact));
            }
        }
        _ => {
            out.push_str(&name);
            out.push_str(&service_detail(service));
        }
    }
    out.push('\n');
    for d in dests {
        let dn = dest_name(d);
        let ds = &d.stats;
        match o.view {
            TextView::Stats => {
                let _ = write!(out, "  -> {dn:<28}");
                for n in [ds.conns, ds.inpkts, ds.outpkts, ds.inbytes, ds.outbytes] {
                    out.push_str(&largenum(n, o.exact));
                }
                out.push('\n');
            }
            TextView::Rate => {
                // Real-server CPS/InPPS/OutPPS are printed "%8llu": never shortened.
                let _ = write!(
                    out,
                    "  -> {dn:<28} {:>8} {:>8} {:>8}",
                    ds.cps, ds.inpps, ds.outpps
                );
                out.push_str(&largenum(ds.inbps, o.exact));
                out.push_str(&largenum(ds.outbps, o.exact));
                out.push('\n');
            }
            TextView::Thresholds => {
                let _ = writeln!(
                    out,
                    "  -> {dn:<28} {:<10} {:<10} {:<10} {:<10}",
                    d.upper_threshold, d.lower_threshold, d.active_conns, d.inactive_conns
                );
            }
            TextView::PersistConn => {
                let _ = writeln!(
                    out,
                    "  -> {dn:<28} {:<9} {:<11} {:<10} {:<10}",
                    d.weight, d.persistent_conns, d.active_conns, d.inactive_conns
                );
            }
            TextView::TunInfo => {
                let _ = writeln!(
                    out,
                    "  -> {dn:<28} {:<7} {:<13} {:<6} {:<10} {:<10}",
                    d.forward.name(),
                    tun_info(d),
                    d.weight as i32,
                    d.active_conns,
                    d.inactive_conns
                );
            }
            TextView::Plain => {
                let _ = writeln!(
                    out,
                    "  -> {dn:<28} {:<7} {:<6} {:<10} {:<10}",
                    d.forward.name(),
                    d.weight as i32,
                    d.active_conns,
                    d.inactive_conns
                );
            }
        }
    }
}
