//! Changes in an operator's words, for the status line: what a change did
//! with the values before and after (`10.10.1.21:443 weight 10 → 9`), and
//! what a change about to be sent will do (an undo, before it is asked).
//! Addresses come early and whole, so a line cut at a space keeps them.

use crate::backend::wording::dest_name;
use crate::journal::State;
use crate::model::{Change, Dest, Service, SyncDaemon};

/// What an applied change did, from the state read before and after it.
pub fn done(change: &Change, before: &State, after: Option<&State>) -> String {
    match change {
        Change::EditDest { dest, .. } => {
            let name = dest_name(&dest.key());
            let after = match after {
                Some(State::Dest { dest: a, .. }) => a,
                _ => dest,
            };
            match before {
                State::Dest { dest: b, .. } => {
                    let diffs = dest_diffs(b, after);
                    if diffs.is_empty() {
                        format!("{name} unchanged (weight {})", after.weight)
                    } else {
                        format!("{name} {}", diffs.join(", "))
                    }
                }
                _ => format!("{name} weight {}", after.weight),
            }
        }
        Change::EditService(s) => {
            let after = match after {
                Some(State::Service { service: a, .. }) => a,
                _ => s,
            };
            match before {
                State::Service { service: b, .. } => {
                    let diffs = service_diffs(b, after);
                    if diffs.is_empty() {
                        format!("{} unchanged", s.key)
                    } else {
                        format!("{} {}", s.key, diffs.join(", "))
                    }
                }
                _ => format!("{} scheduler {}", s.key, after.scheduler),
            }
        }
        Change::AddService(s) => format!("added service {}", s.key),
        Change::AddDest { service, dest } => {
            format!("added {} to {service}", dest_name(&dest.key()))
        }
        Change::DeleteService(k) => match before {
            State::Service { dests, .. } if !dests.is_empty() => format!(
                "deleted service {k} with {} real server{}",
                dests.len(),
                plural(dests.len())
            ),
            _ => format!("deleted service {k}"),
        },
        Change::DeleteDest { service, dest } => {
            format!("deleted {} from {service}", dest_name(dest))
        }
        Change::Zero(Some(k)) => format!("zeroed the counters of {k}"),
        Change::Zero(None) => "zeroed all counters".into(),
        Change::Flush => "cleared the whole table".into(),
        Change::SetTimeouts(_) => "set the connection timeouts".into(),
        Change::StartDaemon(d) => {
            let running = match after {
                Some(State::Daemons { daemons }) => daemons.iter().find(|r| r.role == d.role),
                _ => None,
            };
            format!("started {}", daemon_words(running.unwrap_or(d)))
        }
        Change::StopDaemon(role) => match before {
            State::Daemons { daemons } => match daemons.iter().find(|r| r.role == *role) {
                Some(d) => format!("stopped {}", daemon_words(d)),
                None => format!("stopped the {role} sync daemon"),
            },
            _ => format!("stopped the {role} sync daemon"),
        },
    }
}

/// What sending a change will do, said before it is sent.
pub fn will_do(change: &Change) -> String {
    match change {
        Change::EditDest { dest, .. } => {
            format!(
                "set {} back to weight {}",
                dest_name(&dest.key()),
                dest.weight
            )
        }
        Change::EditService(s) => format!("set {} back to scheduler {}", s.key, s.scheduler),
        Change::AddService(s) => format!("add service {} again", s.key),
        Change::AddDest { service, dest } => {
            format!("add {} to {service} again", dest_name(&dest.key()))
        }
        Change::DeleteService(k) => format!("delete service {k}"),
        Change::DeleteDest { service, dest } => {
            format!("delete real server {} of {service}", dest_name(dest))
        }
        Change::Zero(_) => "zero counters".into(),
        Change::Flush => "clear the whole table".into(),
        Change::SetTimeouts(_) => "restore the connection timeouts".into(),
        Change::StartDaemon(d) => format!("start {} again", daemon_words(d)),
        Change::StopDaemon(role) => format!("stop the {role} sync daemon"),
    }
}

/// Whether a change takes something out of the table (a running sync
/// daemon counts: stopping it ends the backup's copy).
pub fn deletes(change: &Change) -> bool {
    matches!(
        change,
        Change::DeleteService(_)
            | Change::DeleteDest { .. }
            | Change::Flush
            | Change::StopDaemon(_)
    )
}

/// `the master sync daemon on eth0 (sync id 3, max length 1472, group
/// 224.0.0.81, port 8848, TTL 1)`: the options that are known.
fn daemon_words(d: &SyncDaemon) -> String {
    let mut parts = vec![format!("sync id {}", d.sync_id)];
    if let Some(len) = d.max_len {
        parts.push(format!("max length {len}"));
    }
    if let Some(group) = &d.group {
        parts.push(format!("group {}", crate::model::addr::addr(group)));
    }
    if let Some(port) = d.port {
        parts.push(format!("port {port}"));
    }
    if let Some(ttl) = d.ttl {
        parts.push(format!("TTL {ttl}"));
    }
    format!(
        "the {} sync daemon on {} ({})",
        d.role,
        d.interface,
        parts.join(", ")
    )
}

fn dest_diffs(b: &Dest, a: &Dest) -> Vec<String> {
    let mut out = Vec::new();
    if b.weight != a.weight {
        out.push(format!("weight {} → {}", b.weight, a.weight));
    }
    if b.forward != a.forward {
        out.push(format!(
            "forwarding {} → {}",
            b.forward.name(),
            a.forward.name()
        ));
    }
    if b.upper_threshold != a.upper_threshold {
        out.push(format!(
            "upper threshold {} → {}",
            b.upper_threshold, a.upper_threshold
        ));
    }
    if b.lower_threshold != a.lower_threshold {
        out.push(format!(
            "lower threshold {} → {}",
            b.lower_threshold, a.lower_threshold
        ));
    }
    if (b.tun_type, b.tun_port, b.tun_flags) != (a.tun_type, a.tun_port, a.tun_flags) {
        out.push("tunnel settings changed".into());
    }
    out
}

fn service_diffs(b: &Service, a: &Service) -> Vec<String> {
    let mut out = Vec::new();
    if b.scheduler != a.scheduler {
        out.push(format!("scheduler {} → {}", b.scheduler, a.scheduler));
    }
    if b.timeout != a.timeout {
        out.push(format!("persistence {} s → {} s", b.timeout, a.timeout));
    }
    if b.netmask != a.netmask {
        out.push(format!("netmask {:#x} → {:#x}", b.netmask, a.netmask));
    }
    if b.pe_name != a.pe_name {
        let pe = |p: &Option<String>| p.clone().unwrap_or_else(|| "none".into());
        out.push(format!(
            "persistence engine {} → {}",
            pe(&b.pe_name),
            pe(&a.pe_name)
        ));
    }
    if b.flags != a.flags {
        out.push("flags changed".into());
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::tcp;

    fn rs(weight: u32) -> Dest {
        let mut d = Dest::new("10.10.1.21".parse().unwrap(), 443);
        d.weight = weight;
        d
    }

    #[test]
    fn a_weight_change_says_before_and_after() {
        let service = tcp("192.0.2.10".parse().unwrap(), 443);
        let change = Change::EditDest {
            service,
            dest: rs(9),
        };
        let before = State::Dest {
            service,
            dest: rs(10),
        };
        let after = State::Dest {
            service,
            dest: rs(9),
        };
        assert_eq!(
            done(&change, &before, Some(&after)),
            "10.10.1.21:443 weight 10 → 9"
        );
    }

    #[test]
    fn a_scheduler_switch_says_before_and_after() {
        let key = tcp("192.0.2.10".parse().unwrap(), 80);
        let b = Service::new(key, "wrr");
        let a = Service::new(key, "lc");
        let before = State::Service {
            service: b,
            dests: vec![],
        };
        assert_eq!(
            done(&Change::EditService(a), &before, None),
            "TCP 192.0.2.10:80 scheduler wrr → lc"
        );
    }

    #[test]
    fn undoing_an_add_deletes() {
        let service = tcp("192.0.2.10".parse().unwrap(), 443);
        let undo = Change::DeleteDest {
            service,
            dest: rs(1).key(),
        };
        assert!(deletes(&undo));
        assert_eq!(
            will_do(&undo),
            "delete real server 10.10.1.21:443 of TCP 192.0.2.10:443"
        );
        assert!(!deletes(&Change::EditDest {
            service,
            dest: rs(1)
        }));
    }
}
