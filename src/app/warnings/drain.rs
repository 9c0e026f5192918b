//! Draining a real server (weight 0): what still sends clients to it.
//!
//! From ip_vs_core.c (5.16 and later, so 6.1 and 6.12): a SYN whose client
//! port matches an entry still in the table is rescheduled only if
//! expire_nodest_conn is on and the server's weight is 0, or conn_reuse_mode
//! is on and the entry is not a persistent (template-controlled) one and is
//! in TIME_WAIT/CLOSE (or FIN_WAIT of a DR/TUN server with bit 2 set);
//! otherwise it goes back to the old server. A rescheduled entry with a
//! confirmed conntrack entry has its first SYN dropped.

use crate::model::{Dest, Forward, Service, ServiceFlags, Setting, VsSettings};

use super::Warning;

/// The warnings for draining `dest` of `service` under `settings`.
pub fn on_drain(settings: &VsSettings, service: &Service, dest: &Dest) -> Vec<Warning> {
    let persistent = service.flags.has(ServiceFlags::PERSISTENT);
    let mut found = Vec::new();
    if persistent && settings.expire_quiescent_template == Some(0) {
        found.push(Warning {
            settings: &[Setting::ExpireQuiescentTemplate],
            happens: format!(
                "Persistence templates keep sending returning clients to this drained server \
                 until each expires ({} s after its client's last connection).",
                service.timeout
            ),
            would: "expire_quiescent_template=1 would expire a template when it next sends a \
                    client here, so the client goes to another server."
                .to_string(),
        });
    }
    if let Some(w) = reused_ports(settings, persistent, dest.forward) {
        found.push(w);
    }
    if let Some(w) = first_syn_dropped(settings) {
        found.push(w);
    }
    found
}

/// New connections from a client port still in the table, sent back here.
fn reused_ports(settings: &VsSettings, persistent: bool, forward: Forward) -> Option<Warning> {
    const DECIDE: &[Setting] = &[Setting::ConnReuseMode, Setting::ExpireNodestConn];
    if settings.expire_nodest_conn? != 0 {
        return None; // weight 0 and expire_nodest_conn: always rescheduled
    }
    let mode = settings.conn_reuse_mode?;
    let (happens, would) = if mode == 0 {
        (
            "A client that reuses a source port still in the connection table is sent back \
             to this drained server (conn_reuse_mode=0).",
            "conn_reuse_mode=1 would reschedule it once the entry is in TIME_WAIT; \
             expire_nodest_conn=1 would in any state while the weight is 0.",
        )
    } else if persistent {
        (
            "conn_reuse_mode never reschedules a persistent service's connections: a client \
             that reuses a source port still in the table is sent back to this drained server.",
            "expire_nodest_conn=1 would reschedule it while the weight is 0 (its template \
             still picks this server unless expire_quiescent_template=1).",
        )
    } else if mode & 2 == 0 && matches!(forward, Forward::Route | Forward::Tunnel) {
        (
            "This director sees only the client's half (direct routing or tunnel), so closed \
             connections stay in FIN_WAIT; a client reusing such a port is sent back to this \
             drained server.",
            "conn_reuse_mode=3 would reschedule those too; expire_nodest_conn=1 would in any \
             state while the weight is 0.",
        )
    } else {
        return None;
    };
    Some(Warning {
        settings: DECIDE,
        happens: happens.to_string(),
        would: would.to_string(),
    })
}

/// Rescheduling a reused port costs its client a SYN retransmission.
fn first_syn_dropped(settings: &VsSettings) -> Option<Warning> {
    if settings.conntrack? == 0 {
        return None;
    }
    let reschedules =
        settings.expire_nodest_conn == Some(1) || settings.conn_reuse_mode.is_some_and(|m| m != 0);
    reschedules.then(|| Warning {
        settings: &[Setting::Conntrack],
        happens: "When a reused client port is rescheduled away from this server, its first \
                  SYN is dropped (conntrack=1), so that client waits about a second for its \
                  retransmission."
            .to_string(),
        would: "conntrack=0 would reschedule without the drop, if no firewall rule needs \
                IPVS's conntrack entries."
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Protocol, ServiceKey};

    fn service(persistent: bool) -> Service {
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.1".parse().unwrap(),
            port: 80,
        };
        let mut s = Service::new(key, "wlc");
        if persistent {
            s.flags = ServiceFlags(ServiceFlags::PERSISTENT);
            s.timeout = 360;
        }
        s
    }

    fn dest(forward: Forward) -> Dest {
        let mut d = Dest::new("10.0.0.1".parse().unwrap(), 80);
        d.forward = forward;
        d.weight = 0;
        d
    }

    fn decided_by(found: &[Warning]) -> Vec<Setting> {
        found.iter().map(|w| w.settings[0]).collect()
    }

    #[test]
    fn templates_warn_on_a_persistent_service_while_expire_quiescent_template_is_0() {
        let s = VsSettings::kernel_defaults();
        let found = on_drain(&s, &service(true), &dest(Forward::Masq));
        let w = &found[0];
        assert_eq!(w.settings, &[Setting::ExpireQuiescentTemplate]);
        assert!(w.happens.contains("360 s"), "{w}");
        assert!(w.would.contains("expire_quiescent_template=1"), "{w}");

        let mut on = s;
        on.expire_quiescent_template = Some(1);
        let found = on_drain(&on, &service(true), &dest(Forward::Masq));
        assert!(!decided_by(&found).contains(&Setting::ExpireQuiescentTemplate));
        // Not persistent: no templates to warn about.
        let found = on_drain(&s, &service(false), &dest(Forward::Masq));
        assert!(!decided_by(&found).contains(&Setting::ExpireQuiescentTemplate));
    }

    #[test]
    fn reuse_mode_0_sends_reused_ports_back_unless_expire_nodest_conn() {
        let mut s = VsSettings::kernel_defaults();
        s.conn_reuse_mode = Some(0);
        let found = on_drain(&s, &service(false), &dest(Forward::Masq));
        assert_eq!(decided_by(&found), [Setting::ConnReuseMode]);
        assert!(found[0].happens.contains("conn_reuse_mode=0"));
        assert!(found[0].would.contains("conn_reuse_mode=1"));

        s.expire_nodest_conn = Some(1);
        assert!(on_drain(&s, &service(false), &dest(Forward::Masq)).is_empty());
    }

    #[test]
    fn reuse_mode_1_reschedules_nat_but_not_persistent_nor_dr_fin_wait() {
        let s = VsSettings::kernel_defaults();
        // NAT, not persistent, mode 1: TIME_WAIT entries are rescheduled.
        assert!(on_drain(&s, &service(false), &dest(Forward::Masq)).is_empty());
        // Persistent: template-controlled entries are never rescheduled.
        let found = on_drain(&s, &service(true), &dest(Forward::Masq));
        assert_eq!(
            found[1].settings,
            &[Setting::ConnReuseMode, Setting::ExpireNodestConn]
        );
        assert!(found[1].happens.contains("persistent"), "{}", found[1]);
        // DR and tunnel: FIN_WAIT entries need bit 2.
        for forward in [Forward::Route, Forward::Tunnel] {
            let found = on_drain(&s, &service(false), &dest(forward));
            assert_eq!(decided_by(&found), [Setting::ConnReuseMode]);
            assert!(found[0].would.contains("conn_reuse_mode=3"));
        }
        let mut three = s;
        three.conn_reuse_mode = Some(3);
        assert!(on_drain(&three, &service(false), &dest(Forward::Route)).is_empty());
    }

    #[test]
    fn conntrack_1_costs_a_syn_only_where_something_is_rescheduled() {
        let mut s = VsSettings::kernel_defaults();
        s.conntrack = Some(1);
        let found = on_drain(&s, &service(false), &dest(Forward::Masq));
        assert_eq!(decided_by(&found), [Setting::Conntrack]);
        assert!(found[0].would.contains("conntrack=0"));

        s.conn_reuse_mode = Some(0);
        let found = on_drain(&s, &service(false), &dest(Forward::Masq));
        assert_eq!(decided_by(&found), [Setting::ConnReuseMode]);
        s.expire_nodest_conn = Some(1);
        let found = on_drain(&s, &service(false), &dest(Forward::Masq));
        assert_eq!(decided_by(&found), [Setting::Conntrack]);
        s.conntrack = Some(0);
        assert!(on_drain(&s, &service(false), &dest(Forward::Masq)).is_empty());
    }

    #[test]
    fn one_unknown_setting_silences_only_the_rules_that_need_it() {
        let mut s = VsSettings::kernel_defaults();
        s.conn_reuse_mode = None;
        let found = on_drain(&s, &service(true), &dest(Forward::Masq));
        assert_eq!(decided_by(&found), [Setting::ExpireQuiescentTemplate]);
        s.conn_reuse_mode = Some(0);
        s.expire_nodest_conn = None;
        assert_eq!(
            decided_by(&on_drain(&s, &service(false), &dest(Forward::Masq))),
            []
        );
    }
}
