//! The kernel's `net.ipv4.vs.*` settings that decide how draining, deleting
//! and synchronising behave, as read in the table's network namespace.
//!
//! Each is an `Option`: `None` when this kernel has no such setting (or it
//! could not be read), so nothing is ever judged on a guessed value.

use serde::{Deserialize, Serialize};

/// Declares `Setting` (one variant per setting, in the panel's order) and
/// `VsSettings` (one `Option<i64>` field each) from one list, so the two
/// can never disagree.
macro_rules! settings {
    ($( $(#[$doc:meta])* $variant:ident => $field:ident, $file:literal, $default:expr; )*) => {
        /// One `net.ipv4.vs.*` setting lvstop reads.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Setting {
            $( $(#[$doc])* $variant, )*
        }

        impl Setting {
            /// Every setting, in the order the panel lists them.
            pub const ALL: &'static [Setting] = &[ $( Setting::$variant, )* ];

            /// Its sysctl name (`net.ipv4.vs.` omitted).
            pub fn name(self) -> &'static str {
                match self { $( Setting::$variant => stringify!($field), )* }
            }

            /// The file under `/proc/sys/net/ipv4/vs/` that holds it.
            pub fn file(self) -> &'static str {
                match self { $( Setting::$variant => $file, )* }
            }

            /// The kernel's default (ipvs-sysctl.rst), `None` where it
            /// depends on the machine.
            pub fn kernel_default(self) -> Option<i64> {
                match self { $( Setting::$variant => $default, )* }
            }
        }

        /// The settings as read; `None`: not in this kernel, or unread.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct VsSettings {
            $( pub $field: Option<i64>, )*
        }

        impl VsSettings {
            pub fn get(&self, setting: Setting) -> Option<i64> {
                match setting { $( Setting::$variant => self.$field, )* }
            }

            pub fn set(&mut self, setting: Setting, value: Option<i64>) {
                match setting { $( Setting::$variant => self.$field = value, )* }
            }
        }
    };
}

settings! {
    ConnReuseMode => conn_reuse_mode, "conn_reuse_mode", Some(1);
    ExpireNodestConn => expire_nodest_conn, "expire_nodest_conn", Some(0);
    ExpireQuiescentTemplate => expire_quiescent_template, "expire_quiescent_template", Some(0);
    SloppyTcp => sloppy_tcp, "sloppy_tcp", Some(0);
    SloppySctp => sloppy_sctp, "sloppy_sctp", Some(0);
    /// Absent when IPVS is built without CONFIG_IP_VS_NFCT.
    Conntrack => conntrack, "conntrack", Some(0);
    /// Absent on kernels before ~5.18 (present on 6.1 and 6.12).
    RunEstimation => run_estimation, "run_estimation", Some(1);
    SnatReroute => snat_reroute, "snat_reroute", Some(1);
    ScheduleIcmp => schedule_icmp, "schedule_icmp", Some(0);
    IgnoreTunneled => ignore_tunneled, "ignore_tunneled", Some(0);
    DropEntry => drop_entry, "drop_entry", Some(0);
    DropPacket => drop_packet, "drop_packet", Some(0);
    SecureTcp => secure_tcp, "secure_tcp", Some(0);
    Amemthresh => amemthresh, "amemthresh", Some(1024);
    /// The first of the two numbers in the `sync_threshold` file.
    SyncThreshold => sync_threshold, "sync_threshold", Some(3);
    /// The second number in the `sync_threshold` file: there is no
    /// `sync_period` file.
    SyncPeriod => sync_period, "sync_threshold", Some(50);
    SyncRefreshPeriod => sync_refresh_period, "sync_refresh_period", Some(0);
    SyncRetries => sync_retries, "sync_retries", Some(0);
    /// 1/32 of the machine's memory pages by default.
    SyncQlenMax => sync_qlen_max, "sync_qlen_max", None;
    SyncSockSize => sync_sock_size, "sync_sock_size", Some(0);
    SyncPorts => sync_ports, "sync_ports", Some(1);
    SyncPersistMode => sync_persist_mode, "sync_persist_mode", Some(0);
    SyncVersion => sync_version, "sync_version", Some(1);
}

impl Setting {
    /// Which of the two numbers in its file it is (only `sync_threshold`
    /// holds two).
    pub fn position(self) -> usize {
        match self {
            Setting::SyncPeriod => 1,
            _ => 0,
        }
    }
}

impl VsSettings {
    /// Every setting at the kernel's default, `sync_qlen_max` as on a
    /// machine with 4 GiB (1/32 of its pages): what the demo shows.
    pub fn kernel_defaults() -> VsSettings {
        let mut settings = VsSettings::default();
        for &s in Setting::ALL {
            settings.set(s, s.kernel_default());
        }
        settings.sync_qlen_max = Some((4 << 30) / 4096 / 32);
        settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_reads_back_what_was_set_and_none_is_the_default() {
        let mut s = VsSettings::default();
        for (i, &setting) in Setting::ALL.iter().enumerate() {
            assert_eq!(s.get(setting), None, "{}", setting.name());
            s.set(setting, Some(i as i64 + 100));
        }
        for (i, &setting) in Setting::ALL.iter().enumerate() {
            assert_eq!(s.get(setting), Some(i as i64 + 100), "{}", setting.name());
        }
    }

    #[test]
    fn names_are_the_kernels_and_only_sync_period_shares_a_file() {
        assert_eq!(Setting::ALL.len(), 23);
        assert_eq!(Setting::ExpireNodestConn.name(), "expire_nodest_conn");
        assert_eq!(Setting::SyncPeriod.name(), "sync_period");
        assert_eq!(Setting::SyncPeriod.file(), "sync_threshold");
        assert_eq!(Setting::SyncPeriod.position(), 1);
        for &s in Setting::ALL {
            if s != Setting::SyncPeriod {
                assert_eq!(s.name(), s.file());
                assert_eq!(s.position(), 0);
            }
        }
    }

    #[test]
    fn kernel_defaults_are_the_documented_ones() {
        let d = VsSettings::kernel_defaults();
        assert_eq!(d.conn_reuse_mode, Some(1));
        assert_eq!(d.expire_nodest_conn, Some(0));
        assert_eq!(d.expire_quiescent_template, Some(0));
        assert_eq!(d.run_estimation, Some(1));
        assert_eq!(d.amemthresh, Some(1024));
        assert_eq!((d.sync_threshold, d.sync_period), (Some(3), Some(50)));
        assert_eq!(d.sync_qlen_max, Some(32768));
        assert!(Setting::ALL.iter().all(|&s| d.get(s).is_some()));
    }
}
