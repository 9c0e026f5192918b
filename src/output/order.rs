//! ipvsadm's default listing order (libipvs ipvs_cmp_services / ipvs_cmp_dests,
//! sorted with glibc's qsort), the one order lvstop lists in. The kernel's
//! own dump order (its hash order) is another thing: the poller walks it.
//!
//! The comparators subtract unsigned values and keep the result as an `int`,
//! so addresses or marks 2^31 or more apart compare "backwards" (10.0.0.1
//! sorts after 192.168.0.1). That order is not transitive, so the result
//! depends on the sorting algorithm too: glibc 2.36 (Debian bookworm, the
//! reference) sorts with a top-down merge sort (stdlib/msort.c), reproduced
//! here step for step so the order matches ipvsadm's exactly.

use std::cmp::Ordering;
use std::net::IpAddr;

use crate::model::{Dest, Service, ServiceKey};

/// An address as libipvs holds it: `union nf_inet_addr`, host-order words
/// (an IPv4 address is word 0, the rest zero).
fn words(addr: &IpAddr) -> [u32; 4] {
    match addr {
        IpAddr::V4(a) => [u32::from(*a), 0, 0, 0],
        IpAddr::V6(a) => {
            let o = a.octets();
            let w = |i: usize| u32::from_be_bytes([o[i], o[i + 1], o[i + 2], o[i + 3]]);
            [w(0), w(4), w(8), w(12)]
        }
    }
}

/// `int r = a - b` for two unsigned ints.
fn sub(a: u32, b: u32) -> i32 {
    a.wrapping_sub(b) as i32
}

/// Address compare, word by word when the left side is IPv6 (as libipvs does).
fn cmp_addr(left_v6: bool, a: &[u32; 4], b: &[u32; 4]) -> i32 {
    if left_v6 {
        let mut r = 0;
        for i in 0..4 {
            r = sub(a[i], b[i]);
            if r != 0 {
                break;
            }
        }
        r
    } else {
        sub(a[0], b[0])
    }
}

/// What ipvs_cmp_services looks at: fwmark, af, protocol, addr, port
/// (fields a fwmark service leaves at zero).
fn service_fields(s: &Service) -> (u32, u16, u16, [u32; 4], u16) {
    let af = s.key.family().to_af();
    match s.key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => (0, af, protocol.number(), words(&addr), port),
        ServiceKey::Fwmark { mark, .. } => (mark, af, 0, [0; 4], 0),
    }
}

/// libipvs ipvs_cmp_services.
pub fn cmp_services(a: &Service, b: &Service) -> i32 {
    let (fa, afa, pa, wa, porta) = service_fields(a);
    let (fb, afb, pb, wb, portb) = service_fields(b);
    let mut r = sub(fa, fb);
    if r != 0 {
        return r;
    }
    r = i32::from(afa) - i32::from(afb);
    if r != 0 {
        return r;
    }
    r = i32::from(pa) - i32::from(pb);
    if r != 0 {
        return r;
    }
    r = cmp_addr(afa == crate::model::Family::AF_INET6, &wa, &wb);
    if r != 0 {
        return r;
    }
    i32::from(porta) - i32::from(portb)
}

/// libipvs ipvs_cmp_dests: address (by the left side's family), then port.
pub fn cmp_dests(a: &Dest, b: &Dest) -> i32 {
    let r = cmp_addr(a.addr.is_ipv6(), &words(&a.addr), &words(&b.addr));
    if r != 0 {
        return r;
    }
    i32::from(a.port) - i32::from(b.port)
}

/// glibc msort_with_tmp: top-down merge sort, left element first on `<= 0`.
pub fn msort<T: Clone>(v: &mut [T], cmp: &impl Fn(&T, &T) -> i32) {
    if v.len() > 1 {
        // One scratch buffer for every merge, as glibc's, not one per merge:
        // batch output sorts every service's real servers.
        let mut tmp = Vec::with_capacity(v.len());
        msort_with_tmp(v, &mut tmp, cmp);
    }
}

fn msort_with_tmp<T: Clone>(v: &mut [T], tmp: &mut Vec<T>, cmp: &impl Fn(&T, &T) -> i32) {
    let n = v.len();
    if n <= 1 {
        return;
    }
    let n1 = n / 2;
    {
        let (left, right) = v.split_at_mut(n1);
        msort_with_tmp(left, tmp, cmp);
        msort_with_tmp(right, tmp, cmp);
    }
    tmp.clear();
    let (mut i, mut j) = (0, n1);
    while i < n1 && j < n {
        if cmp(&v[i], &v[j]) <= 0 {
            tmp.push(v[i].clone());
            i += 1;
        } else {
            tmp.push(v[j].clone());
            j += 1;
        }
    }
    // What is left of the right half is already in place.
    tmp.extend_from_slice(&v[i..n1]);
    let done = tmp.len();
    v[..done].clone_from_slice(tmp);
}

/// ipvsadm's service order as a total order on keys: the fields
/// `cmp_services` compares, in its order, compared as unsigned numbers. The
/// monitor keeps its services sorted by it and finds them by binary search,
/// which the C comparator's overflow (not transitive) would defeat; the two
/// differ only for addresses or marks 2^31 or more apart.
pub fn by_service_key(a: &ServiceKey, b: &ServiceKey) -> Ordering {
    fn parts(k: &ServiceKey) -> (u32, u8, u16, IpAddr, u16) {
        match k {
            ServiceKey::Addr {
                protocol,
                addr,
                port,
            } => (0, family_rank(addr), protocol.number(), *addr, *port),
            ServiceKey::Fwmark { family, mark } => (
                *mark,
                *family as u8,
                0,
                IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
                0,
            ),
        }
    }
    fn family_rank(a: &IpAddr) -> u8 {
        match a {
            IpAddr::V4(_) => 0,
            IpAddr::V6(_) => 1,
        }
    }
    parts(a).cmp(&parts(b))
}

/// ipvsadm's real-server order (`cmp_dests`: address, port) as a total
/// order, for the same reason as `by_service_key`.
pub fn by_dest(a: &Dest, b: &Dest) -> Ordering {
    (a.addr, a.port).cmp(&(b.addr, b.port))
}

/// Services in ipvsadm's listing order, each with its real servers in order.
pub fn sorted(snapshot: &crate::model::Snapshot) -> Vec<(&Service, Vec<&Dest>)> {
    let mut services: Vec<_> = snapshot.services.iter().collect();
    msort(&mut services, &|a, b| cmp_services(&a.service, &b.service));
    services
        .into_iter()
        .map(|e| {
            let mut dests: Vec<&Dest> = e.dests.iter().collect();
            msort(&mut dests, &|a, b| cmp_dests(a, b));
            (&e.service, dests)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Family, Protocol};

    fn tcp(addr: &str, port: u16) -> Service {
        Service::new(
            ServiceKey::Addr {
                protocol: Protocol::Tcp,
                addr: addr.parse().unwrap(),
                port,
            },
            "wlc",
        )
    }

    #[test]
    fn msort_is_a_stable_sort_for_sane_orders() {
        let mut v: Vec<(i32, usize)> = [5, 3, 5, 1, 3, 9, 0, 5]
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, i))
            .collect();
        msort(&mut v, &|a, b| a.0 - b.0);
        assert_eq!(
            v,
            vec![
                (0, 6),
                (1, 3),
                (3, 1),
                (3, 4),
                (5, 0),
                (5, 2),
                (5, 7),
                (9, 5)
            ]
        );
    }

    #[test]
    fn service_order_family_protocol_address_port() {
        let udp = Service::new(
            ServiceKey::Addr {
                protocol: Protocol::Udp,
                addr: "10.0.0.1".parse().unwrap(),
                port: 53,
            },
            "rr",
        );
        let fwm = Service::new(
            ServiceKey::Fwmark {
                family: Family::V4,
                mark: 1,
            },
            "rr",
        );
        let v6 = tcp("2001:db8::1", 80);
        // fwmark services after address services; v4 before v6; TCP before UDP.
        assert!(cmp_services(&fwm, &udp) > 0);
        assert!(cmp_services(&v6, &udp) > 0);
        assert!(cmp_services(&tcp("10.0.0.1", 80), &udp) < 0);
        assert!(cmp_services(&tcp("10.0.0.1", 80), &tcp("10.0.0.1", 443)) < 0);
        assert!(cmp_services(&tcp("10.0.0.2", 1), &tcp("10.0.0.1", 443)) > 0);
    }

    #[test]
    fn by_service_key_puts_addresses_before_fwmarks() {
        let key = |last: u8, port: u16| tcp(&format!("10.0.0.{last}"), port).key;
        let mut keys = [
            ServiceKey::Fwmark {
                family: Family::V4,
                mark: 3,
            },
            key(2, 80),
            key(1, 443),
            key(1, 80),
        ];
        keys.sort_by(by_service_key);
        assert_eq!(keys[0], key(1, 80));
        assert_eq!(keys[1], key(1, 443));
        assert_eq!(keys[2], key(2, 80));
        assert!(matches!(keys[3], ServiceKey::Fwmark { .. }));
    }

    #[test]
    fn int_overflow_quirk_is_reproduced() {
        // 0x0a000001 - 0xc0a80001 wraps to a positive int in C.
        assert!(cmp_services(&tcp("10.0.0.1", 80), &tcp("192.168.0.1", 80)) > 0);
        assert!(cmp_services(&tcp("10.0.0.1", 80), &tcp("100.0.0.1", 80)) < 0);
    }
}
