//! A journal entry's change in words, as the monitor's journal pane shows
//! it: what changed from what to what (`10.10.1.21:443 weight 1 → 0`,
//! `scheduler wrr → lc`), read from the change and the state before it.

use crate::model::{Change, Dest, Family, Service, Timeouts, TunnelFlags};
use crate::output::addr_port;
use crate::output::command::{ServiceWords, Word};

use super::{Record, State};

/// The change a record holds, in words.
pub fn describe(record: &Record) -> String {
    let before = &record.before;
    match &record.change {
        Change::AddService(s) => format!("added service {} ({})", s.key, s.scheduler),
        Change::EditService(s) => {
            let (key, now) = (s.key, service_settings(s));
            match before {
                State::Service { service, .. } => {
                    changes(&format!("{key}"), &service_settings(service), &now)
                }
                _ => format!("edited service {key} (absent before)"),
            }
        }
        Change::DeleteService(k) => match before {
            State::Service { dests, .. } => format!(
                "deleted service {k} with {} real server{}",
                dests.len(),
                if dests.len() == 1 { "" } else { "s" }
            ),
            _ => format!("deleted service {k}"),
        },
        Change::AddDest { service, dest } => format!(
            "added real server {} to {service}: weight {}, {}",
            server(dest),
            dest.weight,
            forward(dest)
        ),
        Change::EditDest { service, dest } => match before {
            State::Dest { dest: was, .. } => {
                let what = changes(&server(dest), &dest_settings(was), &dest_settings(dest));
                format!("{what} of {service}")
            }
            _ => format!(
                "edited real server {} of {service} (absent before)",
                server(dest)
            ),
        },
        Change::DeleteDest { service, dest } => format!(
            "deleted real server {} of {service}",
            addr_port(&dest.addr, dest.port)
        ),
        Change::Zero(Some(k)) => format!("zeroed the counters of {k}"),
        Change::Zero(None) => "zeroed all counters".into(),
        Change::Flush => match before {
            State::Table { services } => format!(
                "cleared the table ({} service{})",
                services.len(),
                if services.len() == 1 { "" } else { "s" }
            ),
            _ => "cleared the table".into(),
        },
        Change::SetTimeouts(t) => match before {
            State::Timeouts { timeouts } => changes(
                "timeouts",
                &timeout_settings(timeouts),
                &timeout_settings(t),
            ),
            _ => format!("timeouts tcp {} tcpfin {} udp {}", t.tcp, t.tcp_fin, t.udp),
        },
    }
}

/// `subject name a → b, name c → d`, or that nothing differed.
fn changes(subject: &str, before: &[(&str, String)], after: &[(&str, String)]) -> String {
    let diffs: Vec<String> = before
        .iter()
        .zip(after)
        .filter(|(b, a)| b.1 != a.1)
        .map(|((name, b), (_, a))| format!("{name} {b} → {a}"))
        .collect();
    if diffs.is_empty() {
        format!("{subject} rewritten, no setting changed")
    } else {
        format!("{subject} {}", diffs.join(", "))
    }
}

fn server(d: &Dest) -> String {
    addr_port(&d.addr, d.port)
}

fn forward(d: &Dest) -> String {
    d.forward.name().to_ascii_lowercase()
}

/// A threshold or a timeout of 0 means none.
fn or_none(n: u32) -> String {
    if n == 0 {
        "none".into()
    } else {
        n.to_string()
    }
}

/// What `-e` sets, named as the form names it.
fn dest_settings(d: &Dest) -> Vec<(&'static str, String)> {
    let csum = if d.tun_flags.0 & TunnelFlags::REMCSUM != 0 {
        "remcsum"
    } else if d.tun_flags.0 & TunnelFlags::CSUM != 0 {
        "csum"
    } else {
        "nocsum"
    };
    vec![
        ("weight", d.weight.to_string()),
        ("forwarding", forward(d)),
        ("upper threshold", or_none(d.upper_threshold)),
        ("lower threshold", or_none(d.lower_threshold)),
        ("tunnel type", d.tun_type.name().into()),
        ("tunnel port", or_none(u32::from(d.tun_port))),
        ("tunnel checksum", csum.into()),
    ]
}

/// What `-E` sets, in ipvsadm's words.
fn service_settings(s: &Service) -> Vec<(&'static str, String)> {
    let w = ServiceWords::of(s);
    let text = |w: &Option<Word>, none: &str| w.as_ref().map_or(none.into(), |w| w.to_string());
    let default_mask = match s.key.family() {
        Family::V4 => "255.255.255.255",
        Family::V6 => "128",
    };
    vec![
        ("scheduler", w.scheduler.to_string()),
        ("persistence", text(&w.persistent, "none")),
        ("netmask", text(&w.netmask, default_mask)),
        ("persistence engine", text(&w.pe, "none")),
        ("one-packet", if w.ops { "on" } else { "off" }.into()),
        ("scheduler flags", text(&w.sched_flags, "none")),
    ]
}

fn timeout_settings(t: &Timeouts) -> Vec<(&'static str, String)> {
    vec![
        ("tcp", t.tcp.to_string()),
        ("tcpfin", t.tcp_fin.to_string()),
        ("udp", t.udp.to_string()),
    ]
}
