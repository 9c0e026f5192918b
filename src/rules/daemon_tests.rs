//! The sync daemon's grammar: ipvsadm 1.31's options, defaults and ranges,
//! each refusal in words with no change made, and format → parse round trips.

use crate::model::{Change, Interface, SyncDaemon, SyncRole, Timeouts};
use crate::output::{command_line, rule};

use super::{parse_line, parse_rules};

fn one(line: &str) -> Change {
    parse_line(line)
        .unwrap_or_else(|e| panic!("{line}: {e}"))
        .expect("not blank")
}

fn err(line: &str) -> String {
    match parse_line(line) {
        Err(e) => e.to_string(),
        Ok(c) => panic!("{line}: expected an error, got {c:?}"),
    }
}

fn iface(name: &str) -> Interface {
    Interface::new(name).unwrap()
}

#[test]
fn a_start_takes_every_ipvsadm_option() {
    let c = one(
        "ipvsadm --start-daemon master --mcast-interface eth1 --syncid 3 --sync-maxlen 1400 \
         --mcast-group 239.1.2.3 --mcast-port 8849 --mcast-ttl 2",
    );
    let expected = SyncDaemon {
        role: SyncRole::Master,
        interface: iface("eth1"),
        sync_id: 3,
        max_len: Some(1400),
        group: Some("239.1.2.3".parse().unwrap()),
        port: Some(8849),
        ttl: Some(2),
    };
    assert_eq!(c, Change::StartDaemon(expected));
    // --long=value, an IPv6 group, any option order.
    let c = one("--mcast-group=ff02::81 --syncid=255 --start-daemon=backup --mcast-interface=lo");
    let Change::StartDaemon(d) = c else { panic!() };
    assert_eq!(d.role, SyncRole::Backup);
    assert_eq!(d.group, Some("ff02::81".parse().unwrap()));
    assert_eq!((d.sync_id, d.interface.as_str()), (255, "lo"));
}

#[test]
fn a_bare_start_gets_ipvsadm_defaults() {
    // ipvsadm: DEF_MCAST_IFN eth0, syncid 0, the rest left to the kernel.
    assert_eq!(
        one("--start-daemon backup"),
        Change::StartDaemon(SyncDaemon::new(SyncRole::Backup, iface("eth0")))
    );
}

#[test]
fn a_stop_names_its_role_and_may_say_a_syncid() {
    assert_eq!(
        one("--stop-daemon backup"),
        Change::StopDaemon(SyncRole::Backup)
    );
    assert_eq!(
        one("--stop-daemon master --syncid 5"),
        Change::StopDaemon(SyncRole::Master)
    );
    assert_eq!(
        err("--stop-daemon master --mcast-port 8848"),
        "Illegal 'mcast-port' option with the 'stop-daemon' command"
    );
    assert_eq!(
        err("--stop-daemon master --mcast-interface eth0"),
        "Illegal 'mcast-interface' option with the 'stop-daemon' command"
    );
}

#[test]
fn values_out_of_ipvsadm_ranges_are_refused_in_words() {
    let start = |opts: &str| err(&format!("--start-daemon master {opts}"));
    assert_eq!(
        start("--syncid 256"),
        "illegal syncid specified: `256' (0 to 255)"
    );
    assert!(start("--syncid -1").contains("illegal syncid"));
    assert!(start("--syncid x").contains("illegal syncid"));
    assert_eq!(
        start("--sync-maxlen 0"),
        "illegal sync-maxlen specified: `0' (1 to 65507)"
    );
    assert!(start("--sync-maxlen 65508").contains("illegal sync-maxlen"));
    assert_eq!(
        start("--mcast-ttl 0"),
        "illegal mcast-ttl specified: `0' (1 to 255)"
    );
    assert!(start("--mcast-ttl 256").contains("illegal mcast-ttl"));
    assert_eq!(
        start("--mcast-port 0"),
        "illegal mcast-port specified: `0' (1 to 65535)"
    );
    assert!(start("--mcast-port 65536").contains("illegal mcast-port"));
    for group in [
        "192.0.2.1",
        "2001:db8::1",
        "224.0.0.300",
        "eth0",
        "240.0.0.1",
    ] {
        let e = start(&format!("--mcast-group {group}"));
        assert!(e.starts_with("invalid mcast-group"), "{group}: {e}");
    }
    let e = start("--mcast-interface a234567890abcdef");
    assert!(
        e.contains("16 bytes long; the kernel takes at most 15"),
        "{e}"
    );
    for role in ["Master", "primary", ""] {
        let e = err(&format!("--start-daemon={role}"));
        assert!(e.contains("illegal start-daemon parameter"), "{e}");
    }
    assert!(err("--stop-daemon both").contains("illegal stop-daemon parameter"));
}

#[test]
fn control_characters_never_come_back_raw() {
    for line in [
        "--start-daemon master --mcast-interface eth\u{1b}[2J",
        "--start-daemon master --syncid 1\u{7}",
        "--start-daemon master --mcast-group 224.0.0.\u{1b}",
        "--start-daemon \u{1b}[31m",
    ] {
        let e = err(line);
        assert!(!e.chars().any(char::is_control), "{e:?}");
    }
}

#[test]
fn daemon_options_belong_to_daemon_commands_only() {
    assert_eq!(
        err("-A -t 10.0.0.1:80 --syncid 3"),
        "Illegal 'syncid' option with the 'add-service' command"
    );
    assert_eq!(
        err("--start-daemon master -n"),
        "Illegal 'numeric' option with the 'start-daemon' command"
    );
    assert_eq!(
        err("--start-daemon master -t 10.0.0.1:80"),
        "Illegal 'service-address' option with the 'start-daemon' command"
    );
    assert_eq!(
        err("--start-daemon master --stop-daemon master"),
        "multiple commands specified"
    );
    assert_eq!(
        err("--start-daemon master --syncid 1 --syncid 2"),
        "multiple 'syncid' options specified"
    );
    assert!(err("--start-daemon master extra").contains("unexpected argument"));
    assert!(err("--daemon").contains("is for listing"));
}

#[test]
fn a_bad_line_applies_nothing() {
    let text = "--set 900 120 300\n--start-daemon master --syncid 300\n";
    let e = parse_rules(text).unwrap_err();
    assert_eq!(e.line, 2);
    assert_eq!(
        parse_rules("--set 900 120 300\n").unwrap(),
        vec![Change::SetTimeouts(Timeouts {
            tcp: 900,
            tcp_fin: 120,
            udp: 300
        })]
    );
}

#[test]
fn the_command_line_parses_back_to_the_same_change() {
    let full = SyncDaemon {
        role: SyncRole::Backup,
        interface: iface("bond0.12"),
        sync_id: 9,
        max_len: Some(65507),
        group: Some("ff05::1:3".parse().unwrap()),
        port: Some(65535),
        ttl: Some(255),
    };
    let changes = [
        Change::StartDaemon(full),
        Change::StartDaemon(SyncDaemon::new(SyncRole::Master, iface("lo"))),
        Change::StopDaemon(SyncRole::Master),
        Change::StopDaemon(SyncRole::Backup),
    ];
    for c in changes {
        assert_eq!(one(&command_line(&c)), c, "{}", rule(&c));
    }
    assert_eq!(
        command_line(&Change::StartDaemon(SyncDaemon {
            sync_id: 3,
            ..SyncDaemon::new(SyncRole::Master, iface("eth0"))
        })),
        "ipvsadm --start-daemon master --mcast-interface eth0 --syncid 3"
    );
    assert_eq!(
        command_line(&Change::StopDaemon(SyncRole::Backup)),
        "ipvsadm --stop-daemon backup"
    );
}
