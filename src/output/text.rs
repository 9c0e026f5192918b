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

use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::model::{Dest, Family, Info, Service, ServiceFlags, ServiceKey, Snapshot, Timeouts};

use super::addr::{push_addr_port, push_ipv4};
use super::number::{push_largenum, push_left, push_right, push_u64, Digits};
use super::order;
use super::sink::{self, Sink};
use super::words::{each_sched_flag_word, has_sched_flags, tun_info};

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

/// The listing as a [`Sink`]: `ipvsadm -Ln [view] [--exact]`, written as the
/// table is read.
pub struct TextSink {
    pub options: TextOptions,
}

impl Sink for TextSink {
    fn begin(&mut self, out: &mut Vec<u8>, info: &Info, _: SystemTime) {
        // list_all: "%d.%d.%d (size=%d)", size printed as a signed int.
        let _ = writeln!(
            out,
            "IP Virtual Server version {} (size={})",
            info.version_string(),
            info.conn_tab_size as i32
        );
        out.extend_from_slice(title(self.options.view).as_bytes());
    }

    fn service(&mut self, out: &mut Vec<u8>, service: &Service, dests: &[&Dest]) {
        service_block(out, service, dests, self.options);
    }

    fn end(&mut self, _: &mut Vec<u8>) {}
}

/// One service's listing as a [`Sink`]: `ipvsadm -Ln -t|-u|--sctp-service|-f
/// SERVICE [view]` (list_service: the titles and the service, no version line).
pub struct ServiceTextSink {
    pub options: TextOptions,
}

impl Sink for ServiceTextSink {
    fn begin(&mut self, out: &mut Vec<u8>, _: &Info, _: SystemTime) {
        out.extend_from_slice(title(self.options.view).as_bytes());
    }

    fn service(&mut self, out: &mut Vec<u8>, service: &Service, dests: &[&Dest]) {
        service_block(out, service, dests, self.options);
    }

    fn end(&mut self, _: &mut Vec<u8>) {}
}

/// The whole listing, as `ipvsadm -Ln [view] [--exact]` prints it.
pub fn render(snapshot: &Snapshot, options: TextOptions) -> String {
    sink::render(&mut TextSink { options }, snapshot, UNIX_EPOCH)
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
    let mut sink = ServiceTextSink { options };
    let mut out = Vec::new();
    sink.begin(&mut out, &snapshot.info, UNIX_EPOCH);
    sink.service(&mut out, service, &dests);
    sink.end(&mut out);
    Some(String::from_utf8(out).expect("the listing is UTF-8"))
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
    let mut out = Vec::new();
    push_service_name(&mut out, key);
    String::from_utf8(out).expect("the service name is UTF-8")
}

fn push_service_name(out: &mut Vec<u8>, key: &ServiceKey) {
    match key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            let start = out.len();
            push_left(out, protocol.name().as_bytes(), 4);
            out.push(b' ');
            push_addr_port(out, addr, *port);
            // print_service_entry cuts IPv4 names at 33 bytes (only long host names reach it).
            if addr.is_ipv4() {
                out.truncate(start + 33);
            }
        }
        ServiceKey::Fwmark { family, mark } => {
            out.extend_from_slice(b"FWM  ");
            out.extend_from_slice(Digits::i64(i64::from(*mark as i32)).as_bytes());
            if *family == Family::V6 {
                out.extend_from_slice(b" IPv6");
            }
        }
    }
}

/// The plain service line's text after the name: scheduler, flags,
/// persistence, one-packet scheduling.
fn push_service_detail(out: &mut Vec<u8>, service: &Service) {
    out.push(b' ');
    out.extend_from_slice(service.scheduler.as_bytes());
    if has_sched_flags(service) {
        out.extend_from_slice(b" (");
        let mut first = true;
        each_sched_flag_word(service, |w| {
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(w.as_bytes());
        });
        out.push(b')');
    }
    if service.flags.has(ServiceFlags::PERSISTENT) {
        out.extend_from_slice(b" persistent ");
        push_u64(out, u64::from(service.timeout));
        match service.key.family() {
            Family::V4 if service.netmask != 0xffff_ffff => {
                out.extend_from_slice(b" mask ");
                push_ipv4(out, &std::net::Ipv4Addr::from(service.netmask));
            }
            Family::V6 if service.netmask != 128 => {
                out.extend_from_slice(b" mask ");
                out.extend_from_slice(Digits::i64(i64::from(service.netmask as i32)).as_bytes());
            }
            _ => {}
        }
        if let Some(pe) = &service.pe_name {
            out.extend_from_slice(b" pe ");
            out.extend_from_slice(pe.as_bytes());
        }
    }
    if service.flags.has(ServiceFlags::ONEPACKET) {
        out.extend_from_slice(b" ops");
    }
}

/// `  -> ADDR:PORT` padded to the real-server column.
fn push_dest_name(out: &mut Vec<u8>, dest: &Dest) {
    out.extend_from_slice(b"  -> ");
    let start = out.len();
    push_addr_port(out, &dest.addr, dest.port);
    if dest.addr.is_ipv4() {
        out.truncate(start + 28);
    }
    let len = out.len() - start;
    out.resize(out.len() + 28usize.saturating_sub(len), b' ');
}

/// ` {n:<width$}`.
fn cell_left(out: &mut Vec<u8>, n: i64, width: usize) {
    out.push(b' ');
    push_left(out, Digits::i64(n).as_bytes(), width);
}

/// ` {n:>width$}`.
fn cell_right(out: &mut Vec<u8>, n: u64, width: usize) {
    out.push(b' ');
    push_right(out, Digits::u64(n).as_bytes(), width);
}

fn service_block(out: &mut Vec<u8>, service: &Service, dests: &[&Dest], o: TextOptions) {
    let st = &service.stats;
    match o.view {
        TextView::Stats | TextView::Rate => {
            let start = out.len();
            push_service_name(out, &service.key);
            let len = out.len() - start;
            out.resize(out.len() + 33usize.saturating_sub(len), b' ');
            let cells = if o.view == TextView::Stats {
                [st.conns, st.inpkts, st.outpkts, st.inbytes, st.outbytes]
            } else {
                [st.cps, st.inpps, st.outpps, st.inbps, st.outbps]
            };
            for n in cells {
                push_largenum(out, n, o.exact);
            }
        }
        _ => {
            push_service_name(out, &service.key);
            push_service_detail(out, service);
        }
    }
    out.push(b'\n');
    for d in dests {
        push_dest_name(out, d);
        let ds = &d.stats;
        let u = |n: u32| i64::from(n);
        match o.view {
            TextView::Stats => {
                for n in [ds.conns, ds.inpkts, ds.outpkts, ds.inbytes, ds.outbytes] {
                    push_largenum(out, n, o.exact);
                }
            }
            TextView::Rate => {
                // Real-server CPS/InPPS/OutPPS are printed "%8llu": never shortened.
                for n in [ds.cps, ds.inpps, ds.outpps] {
                    cell_right(out, n, 8);
                }
                push_largenum(out, ds.inbps, o.exact);
                push_largenum(out, ds.outbps, o.exact);
            }
            TextView::Thresholds => {
                cell_left(out, u(d.upper_threshold), 10);
                cell_left(out, u(d.lower_threshold), 10);
                cell_left(out, u(d.active_conns), 10);
                cell_left(out, u(d.inactive_conns), 10);
            }
            TextView::PersistConn => {
                cell_left(out, u(d.weight), 9);
                cell_left(out, u(d.persistent_conns), 11);
                cell_left(out, u(d.active_conns), 10);
                cell_left(out, u(d.inactive_conns), 10);
            }
            TextView::TunInfo => {
                out.push(b' ');
                push_left(out, d.forward.name().as_bytes(), 7);
                out.push(b' ');
                push_left(out, tun_info(d).as_bytes(), 13);
                cell_left(out, i64::from(d.weight as i32), 6);
                cell_left(out, u(d.active_conns), 10);
                cell_left(out, u(d.inactive_conns), 10);
            }
            TextView::Plain => {
                out.push(b' ');
                push_left(out, d.forward.name().as_bytes(), 7);
                cell_left(out, i64::from(d.weight as i32), 6);
                cell_left(out, u(d.active_conns), 10);
                cell_left(out, u(d.inactive_conns), 10);
            }
        }
        out.push(b'\n');
    }
}
