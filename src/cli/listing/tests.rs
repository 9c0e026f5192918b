use std::time::{Duration, UNIX_EPOCH};

use clap::Parser;

use super::*;
use crate::backend::ErrorKind;
use crate::model::{
    Change, Info, Interface, ServiceEntry, Snapshot, SyncDaemon, SyncRole, Timeouts,
};
use crate::output::text::{render, render_service, render_timeouts, TextOptions};
use crate::testkit::{CallKind, FakeReader, FakeTable, ManualClock};

use super::super::batch::BatchError;

fn args(words: &[&str]) -> Args {
    let mut all = vec!["lvstop"];
    all.extend_from_slice(words);
    Args::try_parse_from(all).unwrap()
}

fn listing(words: &[&str]) -> Result<Listing, String> {
    args(words).listing()
}

fn services(view: TextView, only: Option<ServiceKey>) -> Listing {
    Listing::Services { view, only }
}

fn tcp(s: &str) -> ServiceKey {
    let at: std::net::SocketAddr = s.parse().unwrap();
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: at.ip(),
        port: at.port(),
    }
}

#[test]
fn each_view_alone() {
    for (flag, view) in [
        (None, TextView::Plain),
        (Some("--stats"), TextView::Stats),
        (Some("--rate"), TextView::Rate),
        (Some("--thresholds"), TextView::Thresholds),
        (Some("--persistent-conn"), TextView::PersistConn),
        (Some("--tun-info"), TextView::TunInfo),
    ] {
        let mut words = vec!["-b", "-n", "1"];
        words.extend(flag);
        assert_eq!(listing(&words), Ok(services(view, None)), "{flag:?}");
    }
}

#[test]
fn several_views_print_the_one_ipvsadm_prints() {
    // print_title's order: stats, rate, thresholds, persistent-conn, tun-info.
    for (words, view) in [
        (&["--thresholds", "--stats"][..], TextView::Stats),
        (&["--tun-info", "--rate"][..], TextView::Rate),
        (&["--persistent-conn", "--stats"][..], TextView::Stats),
        (
            &["--persistent-conn", "--thresholds"][..],
            TextView::Thresholds,
        ),
        (
            &["--tun-info", "--persistent-conn"][..],
            TextView::PersistConn,
        ),
        (
            &["--tun-info", "--thresholds", "--rate"][..],
            TextView::Rate,
        ),
    ] {
        let mut all = vec!["-b"];
        all.extend_from_slice(words);
        assert_eq!(listing(&all), Ok(services(view, None)), "{words:?}");
    }
}

#[test]
fn one_service_by_each_option() {
    let v6: std::net::IpAddr = "2001:db8::1".parse().unwrap();
    for (words, key) in [
        (&["-t", "192.0.2.7:80"][..], tcp("192.0.2.7:80")),
        (&["--tcp-service", "192.0.2.7"][..], tcp("192.0.2.7:0")),
        (
            &["-u", "192.0.2.3:53"][..],
            ServiceKey::Addr {
                protocol: Protocol::Udp,
                addr: "192.0.2.3".parse().unwrap(),
                port: 53,
            },
        ),
        (
            &["--sctp-service", "[2001:db8::1]:3868"][..],
            ServiceKey::Addr {
                protocol: Protocol::Sctp,
                addr: v6,
                port: 3868,
            },
        ),
        (&["-t", "[2001:db8::1]:80"][..], tcp("[2001:db8::1]:80")),
        (
            &["-f", "1"][..],
            ServiceKey::Fwmark {
                family: Family::V4,
                mark: 1,
            },
        ),
        (
            &["-f", "4294967295", "-6"][..],
            ServiceKey::Fwmark {
                family: Family::V6,
                mark: u32::MAX,
            },
        ),
        (
            &["-6", "--fwmark-service", "2"][..],
            ServiceKey::Fwmark {
                family: Family::V6,
                mark: 2,
            },
        ),
    ] {
        let mut all = vec!["-b", "--tun-info"];
        all.extend_from_slice(words);
        assert_eq!(
            listing(&all),
            Ok(services(TextView::TunInfo, Some(key))),
            "{words:?}"
        );
    }
}

#[test]
fn director_listings() {
    assert_eq!(listing(&["-b", "--timeout"]), Ok(Listing::Timeouts));
    assert_eq!(listing(&["-b", "--daemon"]), Ok(Listing::Daemons));
    assert_eq!(
        listing(&["-b", "--daemon", "--tun-info"]),
        Ok(Listing::Daemons)
    );
    // ipvsadm takes --tun-info with them and prints what it would without.
    assert_eq!(
        listing(&["-b", "--timeout", "--tun-info", "--format", "json"]),
        Ok(Listing::Timeouts)
    );
    assert_eq!(
        listing(&["-b", "-c", "--tun-info"]),
        Ok(Listing::Connections(None))
    );
    assert_eq!(
        listing(&["-b", "-c", "--persistent-conn"]),
        Ok(Listing::Connections(None))
    );
}

#[test]
fn what_ipvsadm_refuses_is_refused_in_words() {
    for (words, want) in [
        (
            &["-b", "--timeout", "--stats"][..],
            "--stats is a view of the services; --timeout",
        ),
        (&["-b", "--timeout", "--rate"][..], "--rate is a view"),
        (
            &["-b", "--timeout", "--thresholds"][..],
            "--thresholds is a view",
        ),
        (
            &["-b", "--timeout", "--persistent-conn"][..],
            "--persistent-conn is a view",
        ),
        (
            &["-b", "-c", "--thresholds"][..],
            "--thresholds lists the real servers' limits",
        ),
        (
            &["-b", "-c", "--stats"][..],
            "--stats lists the services' traffic",
        ),
        (
            &["-b", "-c", "-t", "192.0.2.1:80"][..],
            "-t conflicts with -c",
        ),
        (
            &["-b", "-c", "--timeout"][..],
            "--timeout conflicts with -c",
        ),
        (
            &["-b", "-f", "1", "--timeout"][..],
            "--timeout conflicts with -f",
        ),
        (
            &["-b", "--timeout", "--daemon"][..],
            "--daemon conflicts with --timeout",
        ),
        (&["-b", "-c", "--daemon"][..], "--daemon conflicts with -c"),
        (
            &["-b", "-t", "192.0.2.1:80", "--daemon"][..],
            "--daemon conflicts with -t",
        ),
        (
            &["-b", "--daemon", "--stats"][..],
            "--stats is a view of the services; --daemon",
        ),
        (
            &["-b", "--daemon", "--rate"][..],
            "--rate is a view of the services; --daemon",
        ),
        (
            &["-b", "--daemon", "--thresholds"][..],
            "--thresholds is a view of the services; --daemon",
        ),
        (
            &["-b", "--daemon", "--persistent-conn"][..],
            "--persistent-conn is a view of the services; --daemon",
        ),
        (&["--daemon"][..], "--daemon is a batch listing: add -b"),
        (
            &["-b", "--format", "save", "--daemon"][..],
            "--format save writes the whole table's rules: --daemon",
        ),
        (
            &["-b", "-t", "192.0.2.1:80", "-u", "192.0.2.1:80"][..],
            "-u conflicts with -t",
        ),
        (
            &["-b", "-t", "192.0.2.1:80", "-f", "3"][..],
            "-f conflicts with -t",
        ),
        (&["-b", "-6"][..], "use it with -f MARK"),
        (
            &["-b", "-6", "-t", "[2001:db8::1]:80"][..],
            "-t takes the family from its address",
        ),
        (&["-b", "-f", "0"][..], "invalid fwmark value '0' for -f"),
        (&["-b", "-f", "4294967296"][..], "invalid fwmark value"),
        (
            &["-b", "-t", "192.0.2.1:65536"][..],
            "illegal virtual server address[:port] '192.0.2.1:65536' for -t",
        ),
        (&["-b", "-u", "80"][..], "illegal virtual server address"),
        (
            &["-b", "--sctp-service", "[2001:db8::1]"][..],
            "illegal virtual server address",
        ),
        (&["-t", "192.0.2.1:80"][..], "-t is a batch listing: add -b"),
        (&["--timeout"][..], "--timeout is a batch listing: add -b"),
        (
            &["--thresholds"][..],
            "--thresholds is a batch listing: add -b",
        ),
        (
            &["--persistent-conn"][..],
            "--persistent-conn is a batch listing: add -b",
        ),
        (
            &["--tun-info", "apply"][..],
            "--tun-info is a batch listing: add -b",
        ),
        (
            &["-b", "--format", "save", "--thresholds"][..],
            "--format save writes the whole table's rules: --thresholds",
        ),
        (
            &["-b", "--format", "save", "-t", "192.0.2.1:80"][..],
            "--format save writes the whole table's rules: -t",
        ),
        (
            &["-b", "--format", "save", "--timeout"][..],
            "--format save writes the whole table's rules: --timeout",
        ),
    ] {
        let e = listing(words).unwrap_err();
        assert!(e.contains(want), "{words:?}: {e}");
    }
}

#[test]
fn hostile_service_values_never_reach_the_terminal_raw() {
    let long = "1".repeat(65);
    for bad in ["192.0.2.1:80\u{1b}[2J", "\u{7}", "\u{9b}31m", long.as_str()] {
        let e = listing(&["-b", "-t", bad]).unwrap_err();
        assert!(!e.chars().any(|c| c.is_control()), "{e:?}");
    }
    let e = listing(&["-b", "-f", "1\u{1b}]0;x\u{7}"]).unwrap_err();
    assert!(!e.chars().any(|c| c.is_control()), "{e:?}");
}

/// The table: every kind of service key, tunnels, thresholds, persistence.
const RULES: &str = "\
-A -t 192.0.2.1:80 -s rr
-a -t 192.0.2.1:80 -r 198.51.100.12:8080 -m -w 3 -x 100 -y 10
-a -t 192.0.2.1:80 -r 198.51.100.11:80 -m -w 1
-A -u 192.0.2.3:53 -s lc
-a -u 192.0.2.3:53 -r 198.51.100.31:53 -m -w 5
-A --sctp-service 192.0.2.4:3868 -s wrr
-a --sctp-service 192.0.2.4:3868 -r 198.51.100.41:3868 -g -w 4
-A -f 1 -s dh
-a -f 1 -r 198.51.100.51 -g -w 1
-A -f 2 -6 -s lblc
-a -f 2 -6 -r 2001:db8:1::51 -g -w 1
-A -t [2001:db8::1]:80 -s wrr -p 300 -M 64
-a -t [2001:db8::1]:80 -r [2001:db8:1::12]:80 -g -w 1
-a -t [2001:db8::1]:80 -r [2001:db8:1::11]:80 -m -w 2
-A -t 192.0.2.7:80 -s mh -b mh-fallback,mh-port
-a -t 192.0.2.7:80 -r 198.51.100.82:80 -i -w 2 --tun-type gue --tun-port 6081 --tun-remcsum
-a -t 192.0.2.7:80 -r 198.51.100.81:80 -i -w 1 --tun-type gre --tun-csum
";

fn snapshot() -> Snapshot {
    let mut snap = Snapshot {
        info: Info {
            version: 0x010201,
            conn_tab_size: 4096,
        },
        services: Vec::new(),
    };
    for change in crate::rules::parse_rules(RULES).unwrap() {
        match change {
            Change::AddService(service) => snap.services.push(ServiceEntry {
                service,
                dests: Vec::new(),
            }),
            Change::AddDest { service, dest } => snap
                .services
                .iter_mut()
                .find(|e| e.service.key == service)
                .unwrap()
                .dests
                .push(dest),
            other => panic!("{other:?}"),
        }
    }
    // Numbers in every column, distinct per real server.
    for (i, d) in snap
        .services
        .iter_mut()
        .flat_map(|e| e.dests.iter_mut())
        .enumerate()
    {
        let n = i as u32 + 1;
        (d.active_conns, d.inactive_conns, d.persistent_conns) = (n, 10 * n, 100 * n);
        d.stats.conns = u64::from(n) << 33;
        d.stats.inbps = 7 * u64::from(n);
    }
    snap
}

fn table() -> FakeTable {
    let mut t = FakeTable::of_snapshot(&snapshot());
    t.timeouts = Timeouts {
        tcp: 7200,
        tcp_fin: 0,
        udp: 4_000_000_000,
    };
    t.daemons = daemons();
    t
}

/// A master with every option and an IPv6 group, a backup with none.
fn daemons() -> Vec<SyncDaemon> {
    let mut master = SyncDaemon::new(SyncRole::Master, Interface::new("sy0").unwrap());
    master.sync_id = 7;
    master.max_len = Some(1200);
    master.group = Some("ff02::1:3".parse().unwrap());
    master.port = Some(8850);
    master.ttl = Some(2);
    let backup = SyncDaemon::new(SyncRole::Backup, Interface::new("sy0").unwrap());
    vec![master, backup]
}

const AT: u64 = 1_700_000_000_123;

/// What `lvstop WORDS` prints on `reader`, or the error it ends with.
fn printed_from(
    reader: &mut dyn crate::backend::Reader,
    words: &[&str],
) -> (String, Option<BatchError>) {
    let a = args(words);
    let l = a.listing().unwrap();
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_millis(AT));
    let mut out = Vec::new();
    let r = print(l, &a, reader, &clock, &mut out);
    (String::from_utf8(out).unwrap(), r.err())
}

fn printed(words: &[&str]) -> String {
    let (out, err) = printed_from(&mut table(), words);
    assert!(err.is_none(), "{words:?}: {err:?}");
    out
}

#[test]
fn whole_table_in_each_view_is_the_golden_checked_listing() {
    let snap = snapshot();
    for (flag, view) in [
        ("--thresholds", TextView::Thresholds),
        ("--persistent-conn", TextView::PersistConn),
        ("--tun-info", TextView::TunInfo),
        ("--stats", TextView::Stats),
        ("--rate", TextView::Rate),
    ] {
        let want = render(&snap, TextOptions { view, exact: true });
        assert_eq!(printed(&["-b", "-n", "1", flag]), want, "{flag}");
        // Another view given too: ipvsadm's precedence.
        if matches!(view, TextView::Stats | TextView::Rate) {
            assert_eq!(
                printed(&["-b", "-n", "1", flag, "--thresholds", "--tun-info"]),
                want
            );
        }
    }
    let out = printed(&["-b", "-n", "1", "--thresholds"]);
    assert!(
        out.contains(
            "  -> 198.51.100.12:8080           100        10         1          10        \n"
        ),
        "{out}"
    );
    let out = printed(&["-b", "-n", "1", "--persistent-conn"]);
    assert!(
        out.contains(
            "  -> 198.51.100.11:80             1         200         2          20        \n"
        ),
        "{out}"
    );
    let out = printed(&["-b", "-n", "1", "--tun-info"]);
    assert!(
        out.contains("  -> 198.51.100.82:80             Tunnel  gue:6081:r+c  2      "),
        "{out}"
    );
}

#[test]
fn one_service_is_titles_and_that_service() {
    let snap = snapshot();
    let fw6 = ServiceKey::Fwmark {
        family: Family::V6,
        mark: 2,
    };
    for (words, key) in [
        (&["-t", "192.0.2.1:80"][..], tcp("192.0.2.1:80")),
        (&["-t", "[2001:db8::1]:80"][..], tcp("[2001:db8::1]:80")),
        (&["-f", "2", "-6"][..], fw6),
        (
            &["-f", "1"][..],
            ServiceKey::Fwmark {
                family: Family::V4,
                mark: 1,
            },
        ),
        (
            &["-u", "192.0.2.3:53"][..],
            ServiceKey::Addr {
                protocol: Protocol::Udp,
                addr: "192.0.2.3".parse().unwrap(),
                port: 53,
            },
        ),
        (
            &["--sctp-service", "192.0.2.4:3868"][..],
            ServiceKey::Addr {
                protocol: Protocol::Sctp,
                addr: "192.0.2.4".parse().unwrap(),
                port: 3868,
            },
        ),
    ] {
        for (flag, view) in [
            (None, TextView::Plain),
            (Some("--stats"), TextView::Stats),
            (Some("--rate"), TextView::Rate),
            (Some("--thresholds"), TextView::Thresholds),
            (Some("--persistent-conn"), TextView::PersistConn),
            (Some("--tun-info"), TextView::TunInfo),
        ] {
            let mut all = vec!["-b", "-n", "1"];
            all.extend_from_slice(words);
            all.extend(flag);
            let want = render_service(&snap, &key, TextOptions { view, exact: true }).unwrap();
            assert_eq!(printed(&all), want, "{all:?}");
        }
    }
    assert_eq!(
        printed(&["-b", "-n", "1", "-t", "[2001:db8::1]:80"]),
        "Prot LocalAddress:Port Scheduler Flags\n\
         \x20 -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n\
         TCP  [2001:db8::1]:80 wrr persistent 300 mask 64\n\
         \x20 -> [2001:db8:1::11]:80          Masq    2      8          80        \n\
         \x20 -> [2001:db8:1::12]:80          Route   1      7          70        \n"
    );
    assert_eq!(
        printed(&["-b", "-n", "1", "-f", "2", "-6"]),
        "Prot LocalAddress:Port Scheduler Flags\n\
         \x20 -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n\
         FWM  2 IPv6 lblc\n\
         \x20 -> [2001:db8:1::51]:0           Route   1      6          60        \n"
    );
}

#[test]
fn one_service_as_json_is_the_snapshot_object_with_that_service() {
    let line = printed(&["-b", "-n", "1", "--format", "json", "-u", "192.0.2.3:53"]);
    let snap = snapshot();
    let only = Snapshot {
        info: snap.info,
        services: snap
            .services
            .iter()
            .filter(|e| e.service.key.to_string() == "UDP 192.0.2.3:53")
            .cloned()
            .collect(),
    };
    let at = UNIX_EPOCH + Duration::from_millis(AT);
    assert_eq!(line, crate::output::json::render(&only, at));
}

#[test]
fn a_missing_service_is_named_and_nothing_is_printed() {
    for (words, name) in [
        (&["-t", "192.0.2.99:80"][..], "TCP 192.0.2.99:80"),
        (&["-u", "192.0.2.1:80"][..], "UDP 192.0.2.1:80"),
        (&["-f", "1", "-6"][..], "FWM 1 IPv6"),
        (&["-f", "2"][..], "FWM 2"),
        (&["-t", "[2001:db8::1]:81"][..], "TCP [2001:db8::1]:81"),
    ] {
        for format in ["text", "json", "openmetrics"] {
            let mut all = vec!["-b", "-n", "3", "-d", "0.1", "--format", format];
            all.extend_from_slice(words);
            let (out, err) = printed_from(&mut table(), &all);
            assert_eq!(out, "", "{all:?}");
            let Some(BatchError::Backend(e)) = err else {
                panic!("{all:?}: {err:?}")
            };
            assert_eq!(e.kind(), ErrorKind::NotFound);
            assert_eq!(e.to_string(), format!("no such service: {name}"));
        }
    }
}

#[test]
fn timeouts_as_ipvsadm_prints_them_and_as_json() {
    let t = table().timeouts;
    // ipvsadm prints them with %d: a value above i32::MAX comes out negative.
    assert_eq!(
        printed(&["-b", "-n", "1", "--timeout"]),
        "Timeout (tcp tcpfin udp): 7200 0 -294967296\n"
    );
    assert_eq!(
        printed(&["-b", "-n", "1", "--timeout"]),
        render_timeouts(&t)
    );
    let line = printed(&["-b", "-n", "1", "--timeout", "--format", "json"]);
    assert_eq!(
        line,
        "{\"time\":\"2023-11-14T22:13:20.123Z\",\"timeouts\":{\"tcp\":7200,\"tcp_fin\":0,\"udp\":4000000000},\"timestamp\":1700000000.123}\n"
    );
}

#[test]
fn daemons_as_ipvsadm_prints_them_and_as_json() {
    assert_eq!(
        printed(&["-b", "-n", "1", "--daemon"]),
        "master sync daemon (mcast=sy0, syncid=7, maxlen=1200, group=ff02::1:3, port=8850, ttl=2)\n\
         backup sync daemon (mcast=sy0, syncid=0)\n"
    );
    assert_eq!(
        printed(&["-b", "-n", "1", "--daemon", "--format", "json"]),
        "{\"daemons\":[{\"group\":\"ff02::1:3\",\"interface\":\"sy0\",\"max_len\":1200,\"port\":8850,\
         \"role\":\"master\",\"sync_id\":7,\"ttl\":2},{\"group\":null,\"interface\":\"sy0\",\"max_len\":null,\
         \"port\":null,\"role\":\"backup\",\"sync_id\":0,\"ttl\":null}],\"time\":\"2023-11-14T22:13:20.123Z\",\
         \"timestamp\":1700000000.123}\n"
    );
    // None running: nothing at all, as ipvsadm; JSON says so with an empty list.
    let mut none = table();
    none.daemons.clear();
    let (out, err) = printed_from(&mut none, &["-b", "-n", "3", "-d", "0.1", "--daemon"]);
    assert_eq!((out.as_str(), err.is_none()), ("", true));
    let (out, _) = printed_from(
        &mut none,
        &["-b", "-n", "1", "--daemon", "--format", "json"],
    );
    assert!(out.starts_with("{\"daemons\":[],\"time\":"), "{out}");
}

/// The reader's default answer, an error in words (never "none runs"),
/// ends the run with nothing printed.
#[test]
fn a_backend_that_cannot_list_daemons_says_so() {
    struct NoDaemons(FakeTable);
    impl crate::backend::Reader for NoDaemons {
        fn info(&mut self) -> Result<Info, crate::backend::Error> {
            self.0.info()
        }
        fn services(&mut self) -> Result<Vec<crate::model::Service>, crate::backend::Error> {
            self.0.services()
        }
        fn dests(
            &mut self,
            s: &ServiceKey,
        ) -> Result<Vec<crate::model::Dest>, crate::backend::Error> {
            self.0.dests(s)
        }
        fn timeouts(&mut self) -> Result<Timeouts, crate::backend::Error> {
            self.0.timeouts()
        }
    }
    let (out, err) = printed_from(&mut NoDaemons(table()), &["-b", "-n", "1", "--daemon"]);
    assert_eq!(out, "");
    let Some(BatchError::Backend(e)) = err else {
        panic!("{err:?}")
    };
    assert_eq!(e.kind(), ErrorKind::NotAvailable);
}

#[test]
fn each_listing_repeats_with_n() {
    for words in [
        &["--thresholds"][..],
        &["-t", "192.0.2.7:80", "--tun-info"][..],
        &["-f", "2", "-6", "--format", "json"][..],
        &["--timeout"][..],
        &["--timeout", "--format", "json"][..],
        &["--daemon"][..],
        &["--daemon", "--format", "json"][..],
    ] {
        let mut all = vec!["-b", "-d", "0.1", "-n"];
        let once = {
            let mut w = all.clone();
            w.push("1");
            w.extend_from_slice(words);
            printed(&w)
        };
        all.push("3");
        all.extend_from_slice(words);
        assert!(!once.is_empty());
        assert_eq!(printed(&all), once.repeat(3), "{words:?}");
    }
}

#[test]
fn a_service_deleted_between_readings_ends_the_run_after_what_was_printed() {
    let reader = FakeReader::new(table());
    let key = tcp("192.0.2.7:80");
    let mut infos = 0;
    reader.before(CallKind::Info, move |t, _| {
        infos += 1;
        if infos == 2 {
            t.services.retain(|(s, _)| s.key != key);
        }
    });
    let mut reader = reader;
    let words = ["-b", "-n", "3", "-d", "0.1", "-t", "192.0.2.7:80"];
    let (out, err) = printed_from(&mut reader, &words);
    let once = printed(&["-b", "-n", "1", "-t", "192.0.2.7:80"]);
    assert_eq!(out, once);
    assert!(matches!(err, Some(BatchError::Backend(ref e)) if e.kind() == ErrorKind::NotFound));
}

#[test]
fn openmetrics_is_the_whole_table_or_one_service_through_its_sink() {
    use crate::output::openmetrics::{Extras, OpenMetricsSink};
    let at = UNIX_EPOCH + Duration::from_millis(AT);
    let mut sink = OpenMetricsSink::new("");
    sink.set_extras(Extras {
        daemons: Some(daemons()),
        // One reading judges no alert: the count, no alert.
        alerts: Some(Default::default()),
        ..Extras::default()
    });
    let whole = crate::output::sink::render(&mut sink, &snapshot(), at);
    assert_eq!(
        printed(&["-b", "-n", "1", "--format", "openmetrics"]),
        whole
    );
    assert!(whole.contains(r#"lvstop_sync_daemon_up{netns="",role="backup"} 1"#));
    assert!(whole.contains("lvstop_alerts{netns=\"\"} 0\n"));
    let one = printed(&[
        "-b",
        "-n",
        "1",
        "--format",
        "openmetrics",
        "-u",
        "192.0.2.3:53",
    ]);
    assert!(one.contains(r#"lvstop_services{netns=""} 1"#), "{one}");
    assert!(
        one.contains(r#"local_address="192.0.2.3",local_port="53""#),
        "{one}"
    );
    assert!(!one.contains(r#"proto="TCP""#), "{one}");
    let a = args(&[
        "-b",
        "-n",
        "1",
        "--format",
        "openmetrics",
        "--netns",
        "lb\"1",
    ]);
    let mut out = Vec::new();
    let clock = ManualClock::new(at);
    print(a.listing().unwrap(), &a, &mut table(), &clock, &mut out).unwrap();
    assert!(String::from_utf8(out)
        .unwrap()
        .contains(r#"lvstop_services{netns="lb\"1"}"#));
}

#[test]
fn openmetrics_refuses_what_it_cannot_write_naming_the_flag() {
    for flags in [
        &["--stats"][..],
        &["--rate"],
        &["--thresholds"],
        &["--persistent-conn"],
        &["--tun-info"],
        &["--timeout"],
        &["--daemon"],
        &["-c", "--filter", "tcp"],
        &["-c", "--persistent-conn"],
    ] {
        let flag = if flags.contains(&"--filter") {
            "--filter"
        } else {
            flags[flags.len() - 1]
        };
        let mut words = vec!["-b", "--format", "openmetrics"];
        words.extend_from_slice(flags);
        let e = listing(&words).unwrap_err();
        assert!(
            e.contains("--format openmetrics") && e.contains(flag),
            "{flags:?}: {e}"
        );
    }
    assert!(listing(&["-b", "--format", "openmetrics", "-f", "7"]).is_ok());
    assert!(listing(&["-b", "--format", "openmetrics", "-c"]).is_ok());
}

#[test]
fn openmetrics_with_c_counts_each_real_servers_entries_by_state() {
    use crate::testkit::conn;
    let mut t = table();
    let snap = snapshot();
    let (protocol, vip, dest) = snap
        .services
        .iter()
        .find_map(|e| match e.service.key {
            ServiceKey::Addr {
                protocol,
                addr,
                port,
            } if addr.is_ipv4() && !e.dests.is_empty() => Some((
                protocol,
                std::net::SocketAddr::new(addr, port),
                e.dests[0].key(),
            )),
            _ => None,
        })
        .unwrap();
    let real = std::net::SocketAddr::new(dest.addr, dest.port);
    for (client, state) in [(1, "ESTABLISHED"), (2, "ESTABLISHED"), (3, "FIN_WAIT")] {
        t.connections.push(conn(
            protocol.name(),
            &format!("203.0.113.{client}:4000"),
            &vip.to_string(),
            &real.to_string(),
            state,
            60,
        ));
    }
    let (out, err) = printed_from(&mut t, &["-b", "-n", "1", "--format", "openmetrics", "-c"]);
    assert!(err.is_none(), "{err:?}");
    let by_state: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("lvstop_backend_connections_by_state"))
        .collect();
    assert_eq!(by_state.len(), 2, "{out}");
    assert!(by_state[0].ends_with(r#",state="ESTABLISHED"} 2"#), "{out}");
    assert!(by_state[1].ends_with(r#",state="FIN_WAIT"} 1"#), "{out}");
    assert!(
        by_state[0].contains(&format!(r#"remote_port="{}""#, dest.port)),
        "{out}"
    );
    assert!(out.contains("lvstop_sync_daemon_up"), "{out}");
    assert!(out.ends_with("# EOF\n"));
}
