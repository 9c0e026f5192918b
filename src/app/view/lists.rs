//! The connections view's two lists as the operator sees them: the real
//! servers in the view's sort, and the entries of the drill-down filtered
//! and sorted. The cursors move over these and the canvas draws them, so
//! both compute them here, the same way.

use std::cmp::Ordering;
use std::net::SocketAddr;

use crate::conns::{DestConns, HALF_OPEN};
use crate::model::{Connection, DestKey};

use super::connections::{ConnView, EntrySort, Lens, ServerSort};

pub struct ConnLists<'a> {
    pub servers: Vec<&'a DestConns>,
    pub entries: Vec<&'a Connection>,
}

impl<'a> ConnLists<'a> {
    /// `dests` and `entries` are the reading's (of the view's service);
    /// the drill-down keeps the entries of its real server and client
    /// prefix, so a reading made before the view changed shows no entry
    /// outside it.
    pub fn new(
        dests: &'a [DestConns],
        entries: &'a [Connection],
        view: &ConnView,
    ) -> ConnLists<'a> {
        let mut servers: Vec<&DestConns> = dests.iter().collect();
        let (sort, reversed) = view.server_sort();
        servers.sort_by(|a, b| {
            let o = server_order(a, b, sort);
            if reversed {
                o.reverse()
            } else {
                o
            }
        });
        let query = view.query();
        let mut kept: Vec<&Connection> = entries
            .iter()
            .filter(|c| query.dest.is_none_or(|d| goes_to(c, &d)))
            .filter(|c| query.clients.is_none_or(|p| p.contains(c.client.ip())))
            .collect();
        let (sort, reversed) = view.entry_sort();
        // A stable sort: ties keep the kernel's order.
        kept.sort_by(|a, b| {
            let o = entry_order(a, b, sort);
            if reversed {
                o.reverse()
            } else {
                o
            }
        });
        if sort == EntrySort::Kernel && reversed {
            kept.reverse();
        }
        ConnLists {
            servers,
            entries: kept,
        }
    }

    pub fn lens(&self) -> Lens {
        Lens {
            servers: self.servers.len(),
            entries: self.entries.len(),
        }
    }

    /// The real server on line `i` of the summary.
    pub fn server_at(&self, i: usize) -> Option<DestKey> {
        self.servers.get(i).map(|d| d.dest)
    }
}

/// Whether entry `c` goes to real server `d` (port 0: any port, as fwmark
/// and port-zero services' real servers take the client's).
pub fn goes_to(c: &Connection, d: &DestKey) -> bool {
    c.real.ip() == d.addr && (d.port == 0 || c.real.port() == d.port)
}

/// Biggest first for counts; ties, and the address sort, in address order.
fn server_order(a: &DestConns, b: &DestConns, sort: ServerSort) -> Ordering {
    let count = |d: &DestConns| match sort {
        ServerSort::Entries => d.counts.entries(),
        ServerSort::HalfOpen => d.counts.states.get(HALF_OPEN),
        ServerSort::Established => d.counts.states.get("ESTABLISHED"),
        ServerSort::Address => 0,
    };
    count(b)
        .cmp(&count(a))
        .then_with(|| (a.dest.addr, a.dest.port).cmp(&(b.dest.addr, b.dest.port)))
}

fn entry_order(a: &Connection, b: &Connection, sort: EntrySort) -> Ordering {
    let addr = |s: &SocketAddr| (s.ip(), s.port());
    match sort {
        EntrySort::Kernel => Ordering::Equal,
        EntrySort::Expires => a.expires.cmp(&b.expires),
        EntrySort::State => a.state.cmp(&b.state).then(a.expires.cmp(&b.expires)),
        EntrySort::Client => addr(&a.client).cmp(&addr(&b.client)),
        EntrySort::Real => addr(&a.real)
            .cmp(&addr(&b.real))
            .then(a.expires.cmp(&b.expires)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Action;
    use crate::conns::{Counts, Scope, Standing};
    use crate::model::Token;
    use crate::testkit::{conn, tcp};

    fn dest(addr: &str, states: &[(&str, u64)]) -> DestConns {
        let mut counts = Counts::default();
        for (s, n) in states {
            counts.states.add_n(Token::new(s).unwrap(), *n);
        }
        DestConns {
            dest: DestKey {
                addr: addr.parse().unwrap(),
                port: 80,
            },
            standing: Standing::Serving,
            counts,
            last_expires: 0,
        }
    }

    fn view() -> ConnView {
        ConnView::open(Scope::service(tcp("192.0.2.10".parse().unwrap(), 80)), 10)
    }

    const LENS: Lens = Lens {
        servers: 3,
        entries: 3,
    };

    #[test]
    fn real_servers_sort_by_the_count_chosen() {
        let dests = [
            dest("10.1.0.3", &[("ESTABLISHED", 5), ("SYN_RECV", 1)]),
            dest("10.1.0.1", &[("ESTABLISHED", 2), ("SYN_RECV", 40)]),
            dest("10.1.0.2", &[("ESTABLISHED", 9)]),
        ];
        let mut v = view();
        let order = |v: &ConnView| -> Vec<String> {
            ConnLists::new(&dests, &[], v)
                .servers
                .iter()
                .map(|d| d.dest.addr.to_string())
                .collect()
        };
        assert_eq!(order(&v), ["10.1.0.1", "10.1.0.2", "10.1.0.3"]);
        v.update(Action::SortNext, LENS);
        assert_eq!(order(&v)[0], "10.1.0.1", "most SYN_RECV");
        v.update(Action::SortNext, LENS);
        assert_eq!(order(&v), ["10.1.0.2", "10.1.0.3", "10.1.0.1"]);
        v.update(Action::SortNext, LENS);
        assert_eq!(order(&v), ["10.1.0.1", "10.1.0.2", "10.1.0.3"]);
        v.update(Action::SortReverse, LENS);
        assert_eq!(order(&v), ["10.1.0.3", "10.1.0.2", "10.1.0.1"]);
    }

    #[test]
    fn entries_keep_the_real_server_and_client_and_sort() {
        let e = [
            conn(
                "TCP",
                "203.0.113.9:4001",
                "192.0.2.10:80",
                "10.1.0.1:80",
                "ESTABLISHED",
                800,
            ),
            conn(
                "TCP",
                "198.51.100.2:4002",
                "192.0.2.10:80",
                "10.1.0.2:80",
                "TIME_WAIT",
                30,
            ),
            conn(
                "TCP",
                "203.0.113.1:4003",
                "192.0.2.10:80",
                "10.1.0.1:80",
                "SYN_RECV",
                50,
            ),
        ];
        let mut v = view();
        let clients = |v: &ConnView| -> Vec<String> {
            ConnLists::new(&[], &e, v)
                .entries
                .iter()
                .map(|c| c.client.to_string())
                .collect()
        };
        assert_eq!(clients(&v).len(), 3, "the kernel's order");
        assert_eq!(clients(&v)[0], "203.0.113.9:4001");
        v.drill(Some(DestKey {
            addr: "10.1.0.1".parse().unwrap(),
            port: 80,
        }));
        assert_eq!(clients(&v), ["203.0.113.9:4001", "203.0.113.1:4003"]);
        v.update(Action::SortNext, LENS);
        assert_eq!(
            clients(&v),
            ["203.0.113.1:4003", "203.0.113.9:4001"],
            "soonest to expire first"
        );
        v.update(Action::Escape, LENS);
        v.update(Action::FilterStart, LENS);
        for c in "203.0.113.0/24".chars() {
            v.update(Action::FilterChar(c), LENS);
        }
        v.update(Action::FilterAccept, LENS);
        v.drill(None);
        assert_eq!(clients(&v), ["203.0.113.1:4003", "203.0.113.9:4001"]);
        v.update(Action::SortReverse, LENS);
        assert_eq!(clients(&v), ["203.0.113.9:4001", "203.0.113.1:4003"]);
    }

    #[test]
    fn a_port_zero_real_server_takes_every_port() {
        let c = conn(
            "TCP",
            "203.0.113.9:4001",
            "192.0.2.10:80",
            "10.1.0.1:8080",
            "ESTABLISHED",
            8,
        );
        let any = DestKey {
            addr: "10.1.0.1".parse().unwrap(),
            port: 0,
        };
        assert!(goes_to(&c, &any));
        assert!(!goes_to(&c, &DestKey { port: 80, ..any }));
    }
}
