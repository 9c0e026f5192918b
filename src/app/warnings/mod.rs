//! The kernel settings explained at the moment they bite: given the
//! `net.ipv4.vs.*` settings and what the operator is doing (draining or
//! deleting a real server, looking at rates), what will happen and which
//! setting would change it. Pure: no I/O, and an unknown setting (`None`)
//! never raises a warning. lvstop never changes a setting itself.

mod delete;
mod drain;
mod rates;

use std::fmt;

use crate::model::{Dest, Service, Setting, VsSettings};

pub use delete::on_delete_dest;
pub use drain::on_drain;
pub use rates::on_rates;

/// One consequence of the current settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The settings that decide it (the panel highlights them).
    pub settings: &'static [Setting],
    /// What will happen, in words.
    pub happens: String,
    /// What a different value would change.
    pub would: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.happens, self.would)
    }
}

/// The warnings in force for a table: each drained real server (weight 0,
/// entries left) with its service, and the rates if they are shown; the
/// same warning once however many servers raise it.
pub fn standing<'a>(
    settings: &VsSettings,
    drained: impl IntoIterator<Item = (&'a Service, &'a Dest)>,
    rates_shown: bool,
) -> Vec<Warning> {
    let mut all: Vec<Warning> = Vec::new();
    let mut add = |found: Vec<Warning>| {
        for w in found {
            if !all.contains(&w) {
                all.push(w);
            }
        }
    };
    for (service, dest) in drained {
        if dest.weight == 0 && entries(dest) > 0 {
            add(on_drain(settings, service, dest));
        }
    }
    if rates_shown {
        add(on_rates(settings));
    }
    all
}

/// Connection entries the kernel counts against a real server.
fn entries(dest: &Dest) -> u64 {
    u64::from(dest.active_conns) + u64::from(dest.inactive_conns) + u64::from(dest.persistent_conns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ServiceFlags, ServiceKey};

    fn persistent() -> Service {
        let mut s = Service::new(
            ServiceKey::Fwmark {
                family: crate::model::Family::V4,
                mark: 1,
            },
            "rr",
        );
        s.flags = ServiceFlags(ServiceFlags::PERSISTENT);
        s.timeout = 300;
        s
    }

    fn dest(weight: u32, active: u32) -> Dest {
        let mut d = Dest::new("10.0.0.1".parse().unwrap(), 80);
        d.weight = weight;
        d.active_conns = active;
        d
    }

    #[test]
    fn standing_counts_only_drained_servers_with_entries_and_each_warning_once() {
        let settings = VsSettings::kernel_defaults();
        let svc = persistent();
        let (a, b) = (dest(0, 5), dest(0, 3));
        let both = standing(&settings, [(&svc, &a), (&svc, &b)], false);
        assert_eq!(both, on_drain(&settings, &svc, &a));
        assert!(!both.is_empty());

        let serving = dest(1, 5);
        let empty = dest(0, 0);
        assert!(standing(&settings, [(&svc, &serving), (&svc, &empty)], false).is_empty());

        let mut off = settings;
        off.run_estimation = Some(0);
        assert_eq!(standing(&off, [], true), on_rates(&off));
        assert!(standing(&off, [], false).is_empty());
    }

    #[test]
    fn unknown_settings_warn_of_nothing() {
        let none = VsSettings::default();
        let svc = persistent();
        let d = dest(0, 5);
        assert!(on_drain(&none, &svc, &d).is_empty());
        assert!(on_delete_dest(&none, &d, None).is_empty());
        assert!(on_rates(&none).is_empty());
    }
}
