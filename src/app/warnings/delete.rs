//! Deleting a real server: what becomes of the connections it still has.
//!
//! The kernel keeps a deleted server's entries; with expire_nodest_conn=0 it
//! drops their packets silently (ip_vs_core.c, "destination not available")
//! until each entry times out.

use crate::model::{Dest, Setting, Timeouts, VsSettings};

use super::Warning;

/// The warnings for deleting `dest`; `timeouts` as last read, if known.
pub fn on_delete_dest(
    settings: &VsSettings,
    dest: &Dest,
    timeouts: Option<&Timeouts>,
) -> Vec<Warning> {
    if settings.expire_nodest_conn != Some(0) {
        return Vec::new();
    }
    let conns = u64::from(dest.active_conns) + u64::from(dest.inactive_conns);
    if conns == 0 {
        return Vec::new();
    }
    let until = match timeouts {
        Some(t) => format!(
            "until each entry times out (tcp {} s, tcpfin {} s, udp {} s)",
            t.tcp, t.tcp_fin, t.udp
        ),
        None => "until each entry times out".to_string(),
    };
    vec![Warning {
        settings: &[Setting::ExpireNodestConn],
        happens: format!(
            "Its {conns} connections are blackholed: their packets are dropped silently {until}."
        ),
        would: "expire_nodest_conn=1 would expire each at its next packet, so its client \
                learns at once that the connection is closed."
            .to_string(),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dest(active: u32, inactive: u32) -> Dest {
        let mut d = Dest::new("10.0.0.2".parse().unwrap(), 8080);
        d.active_conns = active;
        d.inactive_conns = inactive;
        d
    }

    #[test]
    fn expire_nodest_conn_0_blackholes_the_connections_until_their_timeouts() {
        let s = VsSettings::kernel_defaults();
        let t = Timeouts {
            tcp: 900,
            tcp_fin: 120,
            udp: 300,
        };
        let found = on_delete_dest(&s, &dest(4, 3), Some(&t));
        assert_eq!(found.len(), 1);
        let w = &found[0];
        assert_eq!(w.settings, &[Setting::ExpireNodestConn]);
        assert!(
            w.happens.contains("Its 7 connections are blackholed"),
            "{w}"
        );
        assert!(
            w.happens.contains("tcp 900 s, tcpfin 120 s, udp 300 s"),
            "{w}"
        );
        assert!(w.would.contains("expire_nodest_conn=1"), "{w}");

        let untimed = on_delete_dest(&s, &dest(1, 0), None);
        assert!(untimed[0].happens.ends_with("until each entry times out."));
    }

    #[test]
    fn no_warning_with_expire_nodest_conn_1_or_nothing_to_blackhole() {
        let mut s = VsSettings::kernel_defaults();
        assert!(on_delete_dest(&s, &dest(0, 0), None).is_empty());
        s.expire_nodest_conn = Some(1);
        assert!(on_delete_dest(&s, &dest(4, 3), None).is_empty());
    }
}
