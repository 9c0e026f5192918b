//! Expected lines written by hand from the exposition format's rules, not
//! produced by the code under test.

use std::net::IpAddr;
use std::time::SystemTime;

use super::*;
use crate::model::{
    Family, Forward, Interface, Protocol, ServiceEntry, ServiceFlags, Snapshot, Stats,
};
use crate::output::sink::render;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn table() -> Snapshot {
    let mut web = Service::new(
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: ip("192.0.2.10"),
            port: 80,
        },
        "wlc",
    );
    web.flags = ServiceFlags(ServiceFlags::PERSISTENT | ServiceFlags::HASHED);
    web.timeout = 300;
    web.stats = Stats {
        conns: 7,
        inpkts: 70,
        outpkts: 60,
        inbytes: u64::MAX,
        outbytes: 5000,
        cps: 1,
        inpps: 2,
        outpps: 3,
        inbps: 400,
        outbps: 500,
    };
    let mut a = Dest::new(ip("10.1.0.1"), 8080);
    a.weight = 3;
    a.active_conns = 4;
    a.inactive_conns = 5;
    a.persistent_conns = 6;
    a.upper_threshold = 100;
    a.lower_threshold = 50;
    a.stats.conns = 7;
    let mut mark = Service::new(
        ServiceKey::Fwmark {
            family: Family::V6,
            mark: 4294967295,
        },
        "sh\u{1b}[2J\"\\\n",
    );
    mark.flags = ServiceFlags(ServiceFlags::HASHED);
    let mut b = Dest::new(ip("2001:db8::1"), 0);
    b.forward = Forward::Route;
    mark.timeout = 300; // not persistent: the timeout is not exported
    Snapshot {
        info: Info {
            version: 0x010201,
            conn_tab_size: 4096,
        },
        services: vec![
            ServiceEntry {
                service: mark,
                dests: vec![b],
            },
            ServiceEntry {
                service: web,
                dests: vec![a],
            },
        ],
    }
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with('#')).collect()
}

#[test]
fn every_value_with_node_exporters_labels() {
    let text = render(
        &mut OpenMetricsSink::new("lb1"),
        &table(),
        SystemTime::UNIX_EPOCH,
    );
    let web = r#"netns="lb1",proto="TCP",local_address="192.0.2.10",local_port="80",local_mark="",family="inet""#;
    let a = format!(r#"{web},remote_address="10.1.0.1",remote_port="8080""#);
    for want in [
        r#"lvstop_ipvs_info{netns="lb1",version="1.2.1"} 1"#.to_string(),
        r#"lvstop_connection_table_size{netns="lb1"} 4096"#.to_string(),
        r#"lvstop_services{netns="lb1"} 2"#.to_string(),
        format!(r#"lvstop_service_info{{{web},scheduler="wlc"}} 1"#),
        format!("lvstop_service_persistence_timeout_seconds{{{web}}} 300"),
        format!("lvstop_service_real_servers{{{web}}} 1"),
        format!("lvstop_service_connections_total{{{web}}} 7"),
        format!("lvstop_service_incoming_packets_total{{{web}}} 70"),
        format!("lvstop_service_outgoing_packets_total{{{web}}} 60"),
        format!("lvstop_service_incoming_bytes_total{{{web}}} 18446744073709551615"),
        format!("lvstop_service_outgoing_bytes_total{{{web}}} 5000"),
        format!("lvstop_service_connections_per_second{{{web}}} 1"),
        format!("lvstop_service_incoming_packets_per_second{{{web}}} 2"),
        format!("lvstop_service_outgoing_packets_per_second{{{web}}} 3"),
        format!("lvstop_service_incoming_bytes_per_second{{{web}}} 400"),
        format!("lvstop_service_outgoing_bytes_per_second{{{web}}} 500"),
        format!(r#"lvstop_backend_info{{{a},forward="masq"}} 1"#),
        format!("lvstop_backend_weight{{{a}}} 3"),
        format!("lvstop_backend_connections_active{{{a}}} 4"),
        format!("lvstop_backend_connections_inactive{{{a}}} 5"),
        format!("lvstop_backend_connections_persistent{{{a}}} 6"),
        format!("lvstop_backend_upper_threshold{{{a}}} 100"),
        format!("lvstop_backend_lower_threshold{{{a}}} 50"),
        format!("lvstop_backend_connections_total{{{a}}} 7"),
    ] {
        assert!(
            lines(&text).contains(&want.as_str()),
            "missing {want}\n{text}"
        );
    }
    // 3 director lines, 13 per service, 17 per real server.
    assert_eq!(lines(&text).len(), 3 + 2 * 13 + 2 * 17, "{text}");
    assert!(text.ends_with("\n# EOF\n"), "{text}");
}

#[test]
fn a_firewall_mark_is_labelled_as_node_exporter_labels_it() {
    let text = render(
        &mut OpenMetricsSink::new(""),
        &table(),
        SystemTime::UNIX_EPOCH,
    );
    let mark = r#"netns="",proto="FWM",local_address="",local_port="0",local_mark="4294967295",family="inet6""#;
    let b = format!(r#"{mark},remote_address="2001:db8::1",remote_port="0""#);
    for want in [
        format!("lvstop_service_persistence_timeout_seconds{{{mark}}} 0"),
        format!(r#"lvstop_backend_info{{{b},forward="route"}} 1"#),
        format!("lvstop_backend_weight{{{b}}} 1"),
    ] {
        assert!(
            lines(&text).contains(&want.as_str()),
            "missing {want}\n{text}"
        );
    }
}

#[test]
fn hostile_strings_stay_inside_their_quotes() {
    let netns = "a\"b\\c\nlvstop_services{} 99\n# EOF\n\u{1b}[2J";
    let text = render(
        &mut OpenMetricsSink::new(netns),
        &table(),
        SystemTime::UNIX_EPOCH,
    );
    assert!(!text.contains('\u{1b}'), "{text}");
    assert_eq!(text.lines().filter(|l| *l == "# EOF").count(), 1, "{text}");
    assert!(
        !lines(&text)
            .iter()
            .any(|l| l.starts_with("lvstop_services{}")),
        "{text}"
    );
    let ns = r#"netns="a\"b\\c\nlvstop_services{} 99\n# EOF\n�[2J""#;
    assert!(
        text.contains(&format!("lvstop_services{{{ns}}} 2")),
        "{text}"
    );
    let sched = r#"scheduler="sh�[2J\"\\\n""#;
    assert!(text.contains(sched), "{text}");
    // Every sample line is one name, one label set, one value.
    for l in lines(&text) {
        assert!(
            l.starts_with("lvstop_") && l.ends_with(|c: char| c.is_ascii_digit()),
            "{l}"
        );
    }
}

#[test]
fn help_and_type_once_per_metric_and_its_samples_together() {
    let text = render(
        &mut OpenMetricsSink::new(""),
        &table(),
        SystemTime::UNIX_EPOCH,
    );
    let mut seen = Vec::new();
    let mut current = "";
    for l in text.lines() {
        if let Some(rest) = l.strip_prefix("# TYPE ") {
            current = rest.split(' ').next().unwrap();
            assert!(!seen.contains(&current), "{current} twice");
            seen.push(current);
        } else if !l.starts_with('#') {
            assert_eq!(l.split('{').next().unwrap(), current, "{l}");
        }
    }
    assert_eq!(text.matches("# HELP ").count(), seen.len());
    assert!(text.contains("# TYPE lvstop_backend_connections_total counter\n"));
    assert!(text.contains("# TYPE lvstop_backend_weight gauge\n"));
}

#[test]
fn sync_daemons_when_read() {
    let mut sink = OpenMetricsSink::new("");
    let text = render(&mut sink, &table(), SystemTime::UNIX_EPOCH);
    assert!(!text.contains("lvstop_sync_daemon"), "not read, not listed");
    let master = SyncDaemon {
        sync_id: 7,
        ..SyncDaemon::new(SyncRole::Master, Interface::new("eth1").unwrap())
    };
    sink.set_extras(Extras {
        daemons: Some(vec![master]),
        ..Extras::default()
    });
    let text = render(&mut sink, &table(), SystemTime::UNIX_EPOCH);
    for want in [
        r#"lvstop_sync_daemon_up{netns="",role="master"} 1"#,
        r#"lvstop_sync_daemon_up{netns="",role="backup"} 0"#,
        r#"lvstop_sync_daemon_info{netns="",role="master",interface="eth1",sync_id="7"} 1"#,
    ] {
        assert!(lines(&text).contains(&want), "missing {want}\n{text}");
    }
    sink.set_extras(Extras {
        daemons: Some(vec![]),
        ..Extras::default()
    });
    let text = render(&mut sink, &table(), SystemTime::UNIX_EPOCH);
    assert!(text.contains(r#"lvstop_sync_daemon_up{netns="",role="master"} 0"#));
    assert!(!text.contains("lvstop_sync_daemon_info"));
}

#[test]
fn a_second_reading_replaces_the_first() {
    let mut sink = OpenMetricsSink::new("");
    let once = render(&mut sink, &table(), SystemTime::UNIX_EPOCH);
    let twice = render(&mut sink, &table(), SystemTime::UNIX_EPOCH);
    assert_eq!(once, twice);
    let empty = render(&mut sink, &Snapshot::default(), SystemTime::UNIX_EPOCH);
    assert_eq!(lines(&empty).len(), 3, "{empty}");
}

#[test]
fn connection_states_when_the_table_was_walked() {
    let mut sink = OpenMetricsSink::new("");
    let a = crate::model::DestKey {
        addr: ip("10.1.0.1"),
        port: 8080,
    };
    let web = table().services[1].service.key;
    let mut states = HashMap::new();
    states.insert(
        (web, a),
        vec![
            ("ESTABLISHED".to_string(), 3),
            ("SYN\u{1b}\"".to_string(), 1),
        ],
    );
    sink.set_extras(Extras {
        conn_states: Some(states),
        ..Extras::default()
    });
    let text = render(&mut sink, &table(), SystemTime::UNIX_EPOCH);
    let at = r#"netns="",proto="TCP",local_address="192.0.2.10",local_port="80",local_mark="",family="inet",remote_address="10.1.0.1",remote_port="8080""#;
    let want = [
        format!(r#"lvstop_backend_connections_by_state{{{at},state="ESTABLISHED"}} 3"#),
        format!(r#"lvstop_backend_connections_by_state{{{at},state="SYN�\""}} 1"#),
    ];
    let got: Vec<&str> = lines(&text)
        .into_iter()
        .filter(|l| l.starts_with("lvstop_backend_connections_by_state"))
        .collect();
    assert_eq!(got, want, "{text}");
}

#[test]
fn alerts_when_judged() {
    let mut sink = OpenMetricsSink::new("");
    let text = render(&mut sink, &table(), SystemTime::UNIX_EPOCH);
    assert!(!text.contains("lvstop_alerts"), "not judged, not listed");
    let web = table().services[1].service.key;
    let a = crate::model::DestKey {
        addr: ip("10.1.0.1"),
        port: 8080,
    };
    let mut raised = HashMap::new();
    raised.insert((web, a), ("at_limit", "critical"));
    sink.set_extras(Extras {
        alerts: Some(raised),
        ..Extras::default()
    });
    let text = render(&mut sink, &table(), SystemTime::UNIX_EPOCH);
    let at = r#"netns="",proto="TCP",local_address="192.0.2.10",local_port="80",local_mark="",family="inet",remote_address="10.1.0.1",remote_port="8080""#;
    assert!(
        lines(&text).contains(&r#"lvstop_alerts{netns=""} 1"#),
        "{text}"
    );
    let want = format!(r#"lvstop_backend_alert{{{at},kind="at_limit",severity="critical"}} 1"#);
    assert!(lines(&text).contains(&want.as_str()), "{text}");
    assert_eq!(text.matches("lvstop_backend_alert{").count(), 1, "{text}");
}
