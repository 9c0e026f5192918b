use super::*;
use crate::testkit::conn;

fn web() -> Connection {
    conn(
        "TCP",
        "203.0.113.7:40001",
        "192.0.2.10:80",
        "10.1.0.3:8080",
        "ESTABLISHED",
        890,
    )
}

fn v6() -> Connection {
    conn(
        "UDP",
        "[2001:db8:c::7]:5353",
        "[2001:db8::53]:53",
        "[2001:db8:1::3]:53",
        "UDP",
        200,
    )
}

fn keeps(selector: &str, c: &Connection) -> bool {
    ConnFilter::parse(selector).unwrap().matches(c)
}

#[test]
fn a_bare_address_matches_any_column_exactly() {
    for s in [
        "203.0.113.7",
        "192.0.2.10",
        "10.1.0.3",
        "192.0.2.10:80",
        "10.1.0.3:8080",
    ] {
        assert!(keeps(s, &web()), "{s}");
    }
    // Exact, unlike grep: 10.1.0.30 is another real server.
    for s in ["10.1.0.30", "192.0.2.10:8080", "10.1.0.3:80"] {
        assert!(!keeps(s, &web()), "{s}");
    }
}

#[test]
fn columns_narrow_the_match() {
    assert!(keeps("client=203.0.113.0/24", &web()));
    assert!(!keeps("real=203.0.113.0/24", &web()));
    assert!(keeps("real=10.1.0.3", &web()));
    assert!(keeps("REAL=:8080", &web()));
    assert!(!keeps("virtual=:8080", &web()));
    assert!(keeps("virtual=192.0.2.10:80", &web()));
    assert!(!keeps("client=192.0.2.10", &web()));
}

#[test]
fn ports_prefixes_and_ipv6() {
    assert!(keeps(":40001", &web()));
    assert!(!keeps(":443", &web()));
    assert!(keeps("0.0.0.0/0", &web()));
    assert!(keeps("203.0.113.7/32", &web()));
    assert!(!keeps("203.0.113.8/32", &web()));
    assert!(keeps("client=2001:db8:c::/48", &v6()));
    assert!(keeps("[2001:db8::53]:53", &v6()));
    assert!(keeps("2001:db8::53", &v6()));
    assert!(keeps("[2001:db8::53]", &v6()));
    assert!(keeps("::/0", &v6()));
    assert!(!keeps("::1", &v6()));
    // No match across families.
    assert!(!keeps("0.0.0.0/0", &v6()));
    assert!(!keeps("::/0", &web()));
}

#[test]
fn protocols_in_the_monitor_words_and_terms_all_hold() {
    assert!(keeps("tcp", &web()));
    assert!(keeps("TCP 192.0.2.10:80", &web()));
    assert!(!keeps("udp 192.0.2.10:80", &web()));
    assert!(keeps("udp  client=2001:db8:c::7", &v6()));
    assert!(!keeps("tcp client=2001:db8:c::7", &v6()));
    // A fwmark template is protocol IP.
    let t = conn(
        "IP",
        "203.0.113.7:0",
        "0.0.0.1:0",
        "10.1.0.3:0",
        "NONE",
        300,
    );
    assert!(!keeps("tcp", &t));
    assert!(keeps("real=10.1.0.3", &t));
}

#[test]
fn bad_selectors_are_refused_in_words() {
    for (s, want) in [
        ("", "'' selects nothing"),
        ("   ", "selects nothing"),
        (
            "10.1.0",
            "'10.1.0' is not a protocol (tcp, udp, sctp), an address",
        ),
        ("real=10.1.0", "'real=10.1.0' is not an address"),
        ("host=10.1.0.3", "'host=' is not a column"),
        ("10.0.0.0/33", "longer than an address (32 bits)"),
        ("2001:db8::/129", "(128 bits)"),
        (":70000", "':70000' is not"),
        ("10.0.0.0/8:80", "is not"),
        ("icmp", "'icmp' is not a protocol"),
    ] {
        let e = ConnFilter::parse(s).unwrap_err();
        assert!(e.contains(want), "{s:?}: {e}");
    }
    let long = "1".repeat(MAX_LEN + 1);
    assert!(ConnFilter::parse(&long)
        .unwrap_err()
        .contains("at most 512"));
    let many = vec!["tcp"; MAX_TERMS + 1].join(" ");
    assert!(ConnFilter::parse(&many).unwrap_err().contains("at most 16"));
}

#[test]
fn control_characters_never_reach_the_message() {
    let e = ConnFilter::parse("10.0.0.1\u{1b}[2J").unwrap_err();
    assert!(!e.chars().any(|c| c.is_control()), "{e:?}");
    assert!(e.contains("\\u{1b}[2J"), "{e}");
    let e = ConnFilter::parse("real=\u{202e}1.2.3.4").unwrap_err();
    assert!(e.is_ascii(), "{e:?}");
    assert_eq!(quoted("a b\tc"), "'a b\\u{9}c'");
}

#[test]
fn fwm_selects_by_the_owning_service() {
    let mark = |m| ServiceKey::Fwmark {
        family: crate::model::Family::V4,
        mark: m,
    };
    for s in ["fwm 7", "FWM=7", "fwm 7 real=10.1.0.3"] {
        let f = ConnFilter::parse(s).unwrap();
        assert!(f.needs_owner(), "{s}");
        assert!(f.matches_owned(&web(), Some(&mark(7))), "{s}");
        assert!(!f.matches_owned(&web(), Some(&mark(8))), "{s}");
        assert!(!f.matches_owned(&web(), None), "{s}");
        assert!(!f.matches(&web()), "{s}");
    }
    let http = crate::testkit::tcp("192.0.2.10".parse().unwrap(), 80);
    assert!(!ConnFilter::parse("fwm 7")
        .unwrap()
        .matches_owned(&web(), Some(&http)));
    assert!(!ConnFilter::parse("tcp").unwrap().needs_owner());
    for (s, want) in [
        (
            "fwm",
            "fwm needs a firewall mark from 1 to 4294967295, not ''",
        ),
        ("fwm 0", "not '0'"),
        ("fwm=x", "not 'x'"),
        ("fwm 4294967296", "not '4294967296'"),
    ] {
        let e = ConnFilter::parse(s).unwrap_err();
        assert!(e.contains(want), "{s}: {e}");
    }
}
