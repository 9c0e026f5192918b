//! The kernel client against a real kernel.
//!
//! Tests marked `#[ignore = "needs IPVS: runs in the test VM"]` need root and
//! IPVS; each creates the state it needs after `Change::Flush`. Run them in
//! the test VM (kernels 6.1 and 6.12), one at a time:
//!
//! `in_the_vm_on_every_kernel` does exactly that from a plain `cargo test`:
//! it boots each kernel and runs this very binary with `--ignored` inside.
//!
//! They cross-check with `ipvsadm` (present in the VM) so that what lvstop
//! sends is judged by the kernel and a second client, not by lvstop's own
//! decoder alone. The other tests run anywhere.

use std::net::IpAddr;
use std::process::Command;

use lvstop::backend::{ErrorKind, Reader, Writer};
use lvstop::kernel::Client;
use lvstop::model::{
    Change, Dest, DestKey, Family, Forward, Protocol, Service, ServiceFlags, ServiceKey, Timeouts,
    TunnelFlags, TunnelType,
};

mod support;

/// How many `#[ignore]`d real-kernel tests this file holds; the driver checks
/// that all of them ran, so a renamed or lost test cannot pass unnoticed.
const VM_TESTS: usize = 10;

#[test]
fn in_the_vm_on_every_kernel() {
    let Some(vm) = support::vm::vm_or_skip("kernel_client::in_the_vm_on_every_kernel") else {
        return;
    };
    let exe = std::env::current_exe().unwrap();
    for kernel in support::vm::kernels() {
        let out = vm.run(
            kernel,
            &format!("{} --ignored --test-threads=1 2>&1", exe.display()),
        );
        out.assert_ok();
        let want = format!("test result: ok. {VM_TESTS} passed; 0 failed");
        assert!(
            out.stdout.contains(&want),
            "kernel {kernel}: expected {want:?} in:\n{}",
            out.stdout
        );
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn tcp(addr: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: ip(addr),
        port,
    }
}

fn ipvsadm(args: &[&str]) -> String {
    let out = Command::new("ipvsadm")
        .args(args)
        .output()
        .expect("ipvsadm runs");
    assert!(
        out.status.success(),
        "ipvsadm {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fresh() -> Client {
    let mut c = Client::open(None).expect("IPVS available");
    c.apply(&Change::Flush).expect("flush");
    c
}

// ------------------------------------------------------------ host tests

#[test]
fn without_ipvs_open_says_not_available() {
    if std::path::Path::new("/proc/net/ip_vs").exists() {
        return; // IPVS is loaded here: the VM tests cover this machine.
    }
    let err = Client::open(None)
        .err()
        .expect("no IPVS family on this kernel");
    assert_eq!(err.kind(), ErrorKind::NotAvailable);
    assert_eq!(err, lvstop::backend::wording::not_available());
}

#[test]
fn missing_namespace_is_named() {
    let err = Client::open(Some("lvstop-no-such-ns")).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Namespace);
    assert_eq!(
        err.to_string(),
        "network namespace 'lvstop-no-such-ns' (/run/netns/lvstop-no-such-ns) does not exist"
    );
    let err = Client::open(Some("/nonexistent/ns")).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Namespace);
    assert_eq!(
        err.to_string(),
        "network namespace /nonexistent/ns does not exist"
    );
}

#[test]
fn a_file_that_is_not_a_network_namespace_is_refused() {
    // setns(CLONE_NEWNET) on a UTS namespace: EINVAL, before any privilege check.
    let err = Client::open(Some("/proc/self/ns/uts")).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Namespace);
    assert_eq!(
        err.to_string(),
        "/proc/self/ns/uts is not a network namespace"
    );
}

// ------------------------------------------------------------ VM tests

fn table() -> (Service, Service, Service, Vec<(ServiceKey, Dest)>) {
    let web = Service::new(tcp("10.1.1.1", 80), "wlc");
    let mut dns = Service::new(
        ServiceKey::Addr {
            protocol: Protocol::Udp,
            addr: ip("2001:db8::1"),
            port: 53,
        },
        "rr",
    );
    dns.flags = ServiceFlags(ServiceFlags::PERSISTENT);
    dns.timeout = 600;
    dns.netmask = 64;
    let mut fwm = Service::new(
        ServiceKey::Fwmark {
            family: Family::V4,
            mark: 7,
        },
        "sh",
    );
    fwm.flags = ServiceFlags(ServiceFlags::SCHED1);

    let mut masq = Dest::new(ip("10.2.0.1"), 80);
    masq.weight = 3;
    masq.upper_threshold = 100;
    masq.lower_threshold = 10;
    let mut route = Dest::new(ip("10.2.0.2"), 8080);
    route.forward = Forward::Route;
    route.weight = 0;
    let mut gue = Dest::new(ip("10.2.0.3"), 80);
    gue.forward = Forward::Tunnel;
    gue.tun_type = TunnelType::Gue;
    gue.tun_port = 6080;
    gue.tun_flags = TunnelFlags(TunnelFlags::CSUM);
    let mut v6 = Dest::new(ip("2001:db8::10"), 53);
    v6.forward = Forward::Route;
    // Mixed family: an IPv6 real server behind an IPv4 fwmark service (tunnel only).
    let mut mixed = Dest::new(ip("2001:db8::20"), 0);
    mixed.forward = Forward::Tunnel;
    let dests = vec![
        (web.key, masq),
        (web.key, route),
        (web.key, gue),
        (dns.key, v6),
        (fwm.key, mixed),
    ];
    (web, dns, fwm, dests)
}

fn load(c: &mut Client) -> (Service, Service, Service, Vec<(ServiceKey, Dest)>) {
    let (web, dns, fwm, dests) = table();
    for s in [&web, &dns, &fwm] {
        c.apply(&Change::AddService(s.clone()))
            .unwrap_or_else(|e| panic!("add {}: {e}", s.key));
    }
    for (k, d) in &dests {
        c.apply(&Change::AddDest {
            service: *k,
            dest: d.clone(),
        })
        .unwrap_or_else(|e| panic!("add {:?} to {k}: {e}", d.addr));
    }
    (web, dns, fwm, dests)
}

#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn table_reads_back_exactly_what_was_added() {
    let mut c = fresh();
    let (web, dns, fwm, _) = load(&mut c);

    let mut services = c.services().unwrap();
    services.sort_by_key(|s| format!("{}", s.key));
    let mut expected = vec![web.clone(), dns.clone(), fwm.clone()];
    expected.sort_by_key(|s| format!("{}", s.key));
    // The kernel marks every service it holds as hashed.
    for s in &mut expected {
        s.flags.0 |= ServiceFlags::HASHED;
    }
    assert_eq!(services, expected);
    // One by one (GET_SERVICE, not a dump: what the monitor re-reads for
    // the rows on screen of a big table), each reads as the dump did; a
    // service that is not there is NotFound, worded.
    for s in &services {
        assert_eq!(&c.service(&s.key).unwrap(), s, "{}", s.key);
    }
    let missing = tcp("10.9.9.9", 80);
    let e = c.service(&missing).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert_eq!(
        e.to_string(),
        "the service TCP 10.9.9.9:80: no longer exists"
    );

    // What was read back can be added back as is (a restore): the kernel's
    // HASHED flag in it must not get in the way.
    c.apply(&Change::Flush).unwrap();
    for s in &services {
        c.apply(&Change::AddService(s.clone())).unwrap();
    }
    let mut again = c.services().unwrap();
    again.sort_by_key(|s| format!("{}", s.key));
    assert_eq!(again, expected);
    assert_eq!(ipvsadm(&["-Ln"]).lines().count(), 3 + 3);
    c.apply(&Change::Flush).unwrap();
    let (web, dns, fwm, dests) = load(&mut c);

    for s in [&web, &dns, &fwm] {
        let mut got = c.dests(&s.key).unwrap();
        got.sort_by_key(|d| (d.addr, d.port));
        let mut want: Vec<Dest> = dests
            .iter()
            .filter(|(k, _)| *k == s.key)
            .map(|(_, d)| d.clone())
            .collect();
        want.sort_by_key(|d| (d.addr, d.port));
        assert_eq!(got, want, "real servers of {}", s.key);
    }

    // A second client (ipvsadm) sees the same table.
    let listing = ipvsadm(&["-Ln"]);
    for line in [
        "TCP  10.1.1.1:80 wlc",
        "  -> 10.2.0.1:80                  Masq    3      0          0",
        "  -> 10.2.0.2:8080                Route   0      0          0",
        "  -> 10.2.0.3:80                  Tunnel  1      0          0",
        "UDP  [2001:db8::1]:53 rr persistent 600 mask 64",
        "  -> [2001:db8::10]:53            Route   1      0          0",
        "FWM  7 sh (sh-fallback)",
        "  -> [2001:db8::20]:0             Tunnel  1      0          0",
    ] {
        assert!(
            listing.lines().any(|l| l.trim_end() == line),
            "missing {line:?} in\n{listing}"
        );
    }
    let tun = ipvsadm(&["-Ln", "--tun-info"]);
    assert!(tun.contains("gue"), "{tun}");
    assert!(tun.contains("6080"), "{tun}");
}

#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn edits_replace_the_whole_entry() {
    let mut c = fresh();
    let (mut web, _, _, dests) = load(&mut c);

    web.scheduler = "wrr".into();
    web.flags = ServiceFlags(ServiceFlags::PERSISTENT);
    web.timeout = 300;
    web.netmask = 0xffff_ff00;
    c.apply(&Change::EditService(web.clone())).unwrap();
    let got = c
        .services()
        .unwrap()
        .into_iter()
        .find(|s| s.key == web.key)
        .unwrap();
    assert_eq!(got.scheduler, "wrr");
    assert_eq!(got.timeout, 300);
    assert_eq!(got.netmask, 0xffff_ff00);
    assert_eq!(got.flags.0, ServiceFlags::PERSISTENT | ServiceFlags::HASHED);
    let listing = ipvsadm(&["-Ln"]);
    assert!(
        listing
            .lines()
            .any(|l| l.trim_end() == "TCP  10.1.1.1:80 wrr persistent 300 mask 255.255.255.0"),
        "{listing}"
    );

    // Edit the GUE tunnel server: weight and thresholds change, tunnel settings must survive.
    let (_, mut gue) = dests[2].clone();
    gue.weight = 7;
    gue.upper_threshold = 50;
    gue.lower_threshold = 5;
    c.apply(&Change::EditDest {
        service: web.key,
        dest: gue.clone(),
    })
    .unwrap();
    let got = c
        .dests(&web.key)
        .unwrap()
        .into_iter()
        .find(|d| d.key() == gue.key())
        .unwrap();
    assert_eq!(got, gue);
}

#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn deletes_zero_flush_and_timeouts() {
    let mut c = fresh();
    let (web, dns, _, dests) = load(&mut c);

    c.apply(&Change::DeleteDest {
        service: web.key,
        dest: dests[0].1.key(),
    })
    .unwrap();
    assert_eq!(c.dests(&web.key).unwrap().len(), 2);
    c.apply(&Change::DeleteService(dns.key)).unwrap();
    assert_eq!(c.services().unwrap().len(), 2);
    // A dest dump of a service that does not exist is empty, not an error.
    assert_eq!(c.dests(&dns.key).unwrap(), vec![]);

    c.apply(&Change::Zero(Some(web.key))).unwrap();
    c.apply(&Change::Zero(None)).unwrap();

    let before = c.timeouts().unwrap();
    let t = Timeouts {
        tcp: 901,
        tcp_fin: 61,
        udp: 301,
    };
    c.apply(&Change::SetTimeouts(t)).unwrap();
    assert_eq!(c.timeouts().unwrap(), t);
    assert_eq!(
        ipvsadm(&["-L", "--timeout"]).trim_end(),
        "Timeout (tcp tcpfin udp): 901 61 301"
    );
    c.apply(&Change::SetTimeouts(before)).unwrap();

    c.apply(&Change::Flush).unwrap();
    assert_eq!(c.services().unwrap(), vec![]);
    // Only ipvsadm's three header lines remain.
    assert_eq!(ipvsadm(&["-Ln"]).lines().count(), 3);
}

#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn refusals_are_worded() {
    let mut c = fresh();
    let web = Service::new(tcp("10.1.1.1", 80), "rr");
    c.apply(&Change::AddService(web.clone())).unwrap();

    let e = c.apply(&Change::AddService(web.clone())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Exists);
    assert_eq!(
        e.to_string(),
        "virtual service TCP 10.1.1.1:80 already exists"
    );

    let e = c
        .apply(&Change::DeleteService(tcp("10.9.9.9", 1)))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(
        e.to_string(),
        "virtual service TCP 10.9.9.9:1 does not exist"
    );

    let e = c
        .apply(&Change::DeleteDest {
            service: web.key,
            dest: DestKey {
                addr: ip("10.2.2.2"),
                port: 80,
            },
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(
        e.to_string(),
        "real server 10.2.2.2:80 of TCP 10.1.1.1:80 does not exist"
    );

    let e = c
        .apply(&Change::AddDest {
            service: tcp("10.9.9.9", 1),
            dest: Dest::new(ip("10.2.2.2"), 80),
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(
        e.to_string(),
        "virtual service TCP 10.9.9.9:1 does not exist"
    );

    let e = c
        .apply(&Change::AddService(Service::new(
            tcp("10.1.1.2", 80),
            "nosuch",
        )))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.to_string().contains("scheduler 'nosuch'"), "{e}");

    // Mixed family needs tunnel forwarding.
    let e = c
        .apply(&Change::AddDest {
            service: web.key,
            dest: Dest::new(ip("2001:db8::2"), 80),
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid, "{e}");
    assert!(!e.to_string().contains("os error"), "{e}");
}

#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn info_and_sync_daemons() {
    let mut c = fresh();
    let info = c.info().unwrap();
    assert_eq!(info.version_string(), "1.2.1");
    let expected = ipvsadm(&["-Ln"]);
    let first = expected.lines().next().unwrap();
    assert!(
        first.contains(&format!("size={}", info.conn_tab_size)),
        "{first} vs {info:?}"
    );

    // Left over from an earlier run: stop it (fails harmlessly when none runs).
    let _ = Command::new("ipvsadm")
        .args(["--stop-daemon", "master"])
        .output();
    assert_eq!(c.daemons().unwrap(), vec![]);
    ipvsadm(&[
        "--start-daemon",
        "master",
        "--mcast-interface",
        "lo",
        "--syncid",
        "9",
    ]);
    let daemons = c.daemons().unwrap();
    ipvsadm(&["--stop-daemon", "master"]);
    assert_eq!(daemons.len(), 1, "{daemons:?}");
    assert_eq!(daemons[0].role, lvstop::model::SyncRole::Master);
    assert_eq!(daemons[0].interface.as_str(), "lo");
    assert_eq!(daemons[0].sync_id, 9);
    // Kernel defaults, as `ipvsadm -L --daemon` prints them.
    assert_eq!(daemons[0].max_len, Some(1472));
    assert_eq!(daemons[0].group, Some(ip("224.0.0.81")));
    assert_eq!(daemons[0].port, Some(8848));
    assert_eq!(daemons[0].ttl, Some(1));
}

#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn large_dump_spans_many_reads() {
    let mut c = fresh();
    let n = 3000u16;
    for i in 0..n {
        c.apply(&Change::AddService(Service::new(
            tcp("10.3.0.1", 1000 + i),
            "rr",
        )))
        .unwrap();
    }
    let services = c.services().unwrap();
    assert_eq!(services.len(), n as usize);
    c.apply(&Change::Flush).unwrap();
}

/// A service with many real servers is read on the big-buffer socket from
/// its second dump on (the client remembers it was wide), and back on the
/// small one once it is narrow again: every read gives the same real
/// servers as ipvsadm lists, whichever socket carried it.
#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn a_wide_service_reads_the_same_on_either_socket() {
    let mut c = fresh();
    let (wide, narrow) = (tcp("10.4.0.1", 80), tcp("10.4.0.2", 80));
    for key in [wide, narrow] {
        c.apply(&Change::AddService(Service::new(key, "wrr")))
            .unwrap();
    }
    let dest = |i: u16| {
        let mut d = Dest::new(IpAddr::from([10, 5, (i >> 8) as u8, i as u8]), 8080);
        d.weight = u32::from(i % 7);
        d
    };
    for i in 0..300 {
        c.apply(&Change::AddDest {
            service: wide,
            dest: dest(i),
        })
        .unwrap();
    }
    for i in 0..3 {
        c.apply(&Change::AddDest {
            service: narrow,
            dest: dest(i),
        })
        .unwrap();
    }
    // Real-server lines, less the column header's.
    let listed = || {
        let out = ipvsadm(&["-Ln", "-t", "10.4.0.1:80"]);
        let lines = out.lines().filter(|l| l.trim_start().starts_with("->"));
        lines.count() - 1
    };
    assert_eq!(listed(), 300);
    let first = c.dests(&wide).unwrap();
    assert_eq!(first.len(), 300);
    for _ in 0..2 {
        // The second and third reads go through the other socket.
        assert_eq!(c.dests(&wide).unwrap(), first);
        assert_eq!(c.dests(&narrow).unwrap().len(), 3);
    }
    for i in 5..300 {
        c.apply(&Change::DeleteDest {
            service: wide,
            dest: dest(i).key(),
        })
        .unwrap();
    }
    assert_eq!(listed(), 5);
    let kept: Vec<DestKey> = (0..5).map(|i| dest(i).key()).collect();
    let left: Vec<Dest> = first
        .into_iter()
        .filter(|d| kept.contains(&d.key()))
        .collect();
    assert_eq!(left.len(), 5);
    for _ in 0..3 {
        assert_eq!(c.dests(&wide).unwrap(), left);
    }
    c.apply(&Change::Flush).unwrap();
}

#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn a_namespace_has_its_own_table() {
    let mut host = fresh();
    host.apply(&Change::AddService(Service::new(tcp("10.1.1.1", 80), "rr")))
        .unwrap();

    // A thread that moves into a new network namespace and parks there.
    let (tx, rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        // SAFETY: unshare only affects this thread.
        assert_eq!(unsafe { libc::unshare(libc::CLONE_NEWNET) }, 0);
        let tid = unsafe { libc::gettid() };
        tx.send(format!("/proc/{}/task/{tid}/ns/net", std::process::id()))
            .unwrap();
        let _ = stop_rx.recv();
    });
    let path = rx.recv().unwrap();
    let mut inner = Client::open(Some(&path)).expect("open in the new namespace");
    assert_eq!(inner.services().unwrap(), vec![]);
    inner
        .apply(&Change::AddService(Service::new(tcp("10.5.5.5", 5), "rr")))
        .unwrap();
    assert_eq!(inner.services().unwrap().len(), 1);
    let outside = host.services().unwrap();
    assert_eq!(outside.len(), 1);
    assert_eq!(outside[0].key, tcp("10.1.1.1", 80));
    stop_tx.send(()).unwrap();
    holder.join().unwrap();
}

/// Drop every capability of the calling thread (capabilities are per thread).
fn drop_capabilities() {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Default, Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    let header = Header {
        version: 0x2008_0522, // _LINUX_CAPABILITY_VERSION_3
        pid: 0,
    };
    let data = [Data::default(); 2];
    // SAFETY: capset with a valid v3 header and two data structs.
    let rc = unsafe { libc::syscall(libc::SYS_capset, &header, data.as_ptr()) };
    assert_eq!(rc, 0, "capset: {}", std::io::Error::last_os_error());
}

#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn without_cap_net_admin_even_reads_are_refused_in_words() {
    let mut c = fresh();
    c.apply(&Change::AddService(Service::new(tcp("10.1.1.1", 80), "rr")))
        .unwrap();
    let err = std::thread::spawn(|| {
        drop_capabilities();
        // Resolving the family is not privileged; listing is.
        let mut c = Client::open(None).expect("open without privileges");
        c.services().unwrap_err()
    })
    .join()
    .unwrap();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert_eq!(
        err,
        lvstop::backend::wording::permission_denied(libc::EPERM)
    );
}

#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn a_namespace_named_like_ip_netns_does() {
    let mut host = fresh();
    host.apply(&Change::AddService(Service::new(tcp("10.1.1.1", 80), "rr")))
        .unwrap();
    let ip = |args: &[&str]| {
        let out = Command::new("ip").args(args).output().expect("ip runs");
        assert!(
            out.status.success(),
            "ip {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let _ = Command::new("ip")
        .args(["netns", "del", "lvstop-test"])
        .output();
    ip(&["netns", "add", "lvstop-test"]);
    let mut inner = Client::open(Some("lvstop-test")).expect("open in lvstop-test");
    assert_eq!(inner.services().unwrap(), vec![]);
    ip(&["netns", "del", "lvstop-test"]);
    // The socket keeps its namespace alive and usable after `ip netns del`.
    assert_eq!(inner.services().unwrap(), vec![]);
    assert_eq!(host.services().unwrap().len(), 1);
}
