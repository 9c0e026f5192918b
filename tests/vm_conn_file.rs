//! The connection table read through `Client::open(Some(netns))` on real kernels (6.1, 6.12):
//! the same entries as `cat /proc/net/ip_vs_conn[_sync]` inside the director's namespace, none
//! from the root namespace. The walk opens its file on a helper thread that entered the
//! namespace and reads it on the calling thread, so seeing the director's entries shows that an
//! opened /proc/thread-self/net file keeps its namespace.
//!
//! The reader is this test binary itself, run inside the VM with `LVSTOP_CONN_WALK` set (see
//! `walk_in_vm`). The full comparison with `ipvsadm -Lnc` is tests/vm_connections.rs.
mod support;

use std::net::IpAddr;
use std::ops::ControlFlow;

use lvstop::backend::Reader;
use lvstop::kernel::Client;
use lvstop::model::{ConnSource, Connection, Origin};
use support::vm::{kernels, vm_or_skip, VmOutput};

/// Inside the VM: `LVSTOP_CONN_WALK=NETNS` (or `-` for the caller's namespace) walks both
/// files and prints `plain …`, `sync …` per entry and `walked SOURCE entries=N malformed=M
/// complete=B`. Outside the VM (the variable unset) it does nothing.
#[test]
fn walk_in_vm() {
    let Ok(netns) = std::env::var("LVSTOP_CONN_WALK") else {
        return;
    };
    let netns = (netns != "-").then_some(netns);
    // The harness's "test walk_in_vm ... " has no newline: start the lines on their own.
    println!();
    let mut client = Client::open(netns.as_deref()).expect("open the IPVS client");
    for (source, name) in [
        (ConnSource::Plain, "plain"),
        (ConnSource::WithOrigin, "sync"),
    ] {
        let mut lines = Vec::new();
        let walk = client
            .connections(source, &mut |c| {
                lines.push(format!("{name} {}", kernel_fields(&c)));
                ControlFlow::Continue(())
            })
            .unwrap_or_else(|e| panic!("walk {name}: {e}"));
        for line in lines {
            println!("{line}");
        }
        println!(
            "walked {name} entries={} malformed={} complete={}",
            walk.entries, walk.malformed, walk.complete
        );
    }
}

/// Protocol, addresses and ports as the kernel prints them (`%08X` / `%pI6`, `%04X`), the
/// state, and in the sync file the origin: every column but the expiry, which keeps moving.
fn kernel_fields(c: &Connection) -> String {
    fn ip(a: IpAddr) -> String {
        match a {
            IpAddr::V4(v4) => format!("{:08X}", u32::from(v4)),
            IpAddr::V6(v6) => v6
                .segments()
                .iter()
                .map(|g| format!("{g:04x}"))
                .collect::<Vec<_>>()
                .join(":"),
        }
    }
    let mut s = format!(
        "{} {} {:04X} {} {:04X} {} {:04X} {}",
        c.protocol,
        ip(c.client.ip()),
        c.client.port(),
        ip(c.virtual_addr.ip()),
        c.virtual_addr.port(),
        ip(c.real.ip()),
        c.real.port(),
        c.state
    );
    match c.origin {
        Some(Origin::Local) => s.push_str(" LOCAL"),
        Some(Origin::Sync) => s.push_str(" SYNC"),
        None => {}
    }
    s
}

/// The NAT lab with a few finished requests and one connection held open, then: the director's
/// two files by `cat`, this binary's walk in the director's namespace and in the root one,
/// and the files by `cat` again (entries that came or went in between show as a difference).
const SCRIPT: &str = r#"
. vm/labs/nat.sh
nat_setup >/dev/null
nat_traffic 4 >/dev/null || exit 1
# Held open: httpd waits for a request that comes only when the sleep ends.
ip netns exec nat-client sh -c "(sleep 40) | busybox nc $NAT_VIP 80 >/dev/null 2>&1 &"
sleep 1
show() {
    ip netns exec nat-dir cat /proc/net/ip_vs_conn | sed 's/^/cat-plain /'
    ip netns exec nat-dir cat /proc/net/ip_vs_conn_sync | sed 's/^/cat-sync /'
}
show
echo "== netns"
LVSTOP_CONN_WALK=nat-dir "$EXE" --exact walk_in_vm --nocapture --test-threads=1 || exit 2
echo "== root"
LVSTOP_CONN_WALK=- "$EXE" --exact walk_in_vm --nocapture --test-threads=1 || exit 3
echo "== root cat"
cat /proc/net/ip_vs_conn | sed 's/^/cat-plain /'
echo "== again"
show
nat_teardown
"#;

/// Lines of `out` from `start` (a `== …` line, or the beginning) up to the next `== …` line.
fn part<'a>(out: &'a VmOutput, start: Option<&str>) -> Vec<&'a str> {
    let mut lines = out.stdout.lines();
    if let Some(start) = start {
        assert!(
            lines.any(|l| l == start),
            "kernel {}: no {start:?} in:\n{}\n{}",
            out.kernel,
            out.stdout,
            out.stderr
        );
    }
    lines.take_while(|l| !l.starts_with("== ")).collect()
}

/// `cat-plain` / `cat-sync` lines without the header, as `kernel_fields` prints them (every
/// column but the expiry), sorted; with the expiry column dropped.
fn from_cat(lines: &[&str], prefix: &str, source: ConnSource) -> Vec<String> {
    let mut rows: Vec<String> = lines
        .iter()
        .filter_map(|l| l.strip_prefix(prefix))
        .filter(|l| !l.starts_with("Pro "))
        .map(|l| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            let keep = match source {
                ConnSource::Plain => 8,
                ConnSource::WithOrigin => 9,
            };
            fields[..keep.min(fields.len())].join(" ")
        })
        .collect();
    rows.sort();
    rows
}

fn from_walk(lines: &[&str], prefix: &str) -> Vec<String> {
    let mut rows: Vec<String> = lines
        .iter()
        .filter_map(|l| l.strip_prefix(prefix))
        .map(str::to_string)
        .collect();
    rows.sort();
    rows
}

#[test]
fn the_netns_walk_sees_what_cat_sees_there() {
    let Some(vm) = vm_or_skip("vm_conn_file::the_netns_walk_sees_what_cat_sees_there") else {
        return;
    };
    let exe = std::env::current_exe().expect("this test binary");
    for kernel in kernels() {
        let out = vm.run(kernel, &format!("EXE={}\n{SCRIPT}", exe.display()));
        out.assert_ok();
        let before = part(&out, None);
        let walked = part(&out, Some("== netns"));
        let root = part(&out, Some("== root"));
        let root_cat = part(&out, Some("== root cat"));
        let after = part(&out, Some("== again"));

        for (source, cat_prefix, walk_prefix, name) in [
            (ConnSource::Plain, "cat-plain ", "plain ", "plain"),
            (ConnSource::WithOrigin, "cat-sync ", "sync ", "sync"),
        ] {
            let cat = from_cat(&before, cat_prefix, source);
            assert_eq!(
                cat,
                from_cat(&after, cat_prefix, source),
                "kernel {kernel}: the table changed during the test:\n{}",
                out.stdout
            );
            let walk = from_walk(&walked, walk_prefix);
            assert_eq!(walk, cat, "kernel {kernel} {name}:\n{}", out.stdout);
            let states: Vec<&str> = walk
                .iter()
                .map(|l| l.split(' ').nth(7).unwrap_or(""))
                .collect();
            assert!(
                states.contains(&"ESTABLISHED") && states.contains(&"TIME_WAIT"),
                "kernel {kernel} {name}: {states:?}"
            );
            let summary = format!(
                "walked {name} entries={} malformed=0 complete=true",
                walk.len()
            );
            assert!(
                walked.contains(&summary.as_str()),
                "kernel {kernel}: no {summary:?} in:\n{}",
                out.stdout
            );
            if source == ConnSource::WithOrigin {
                assert!(walk.iter().all(|l| l.ends_with(" LOCAL")), "{walk:?}");
            }
            // The root namespace has IPVS (the module is loaded) and no entries.
            assert!(from_walk(&root, walk_prefix).is_empty(), "{root:?}");
            let summary = format!("walked {name} entries=0 malformed=0 complete=true");
            assert!(root.contains(&summary.as_str()), "{root:?}");
        }
        assert_eq!(
            root_cat,
            ["cat-plain Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData"],
            "kernel {kernel}"
        );
    }
}
