//! What an operator sees when lvstop cannot do its job: a sentence and a non-zero exit, never a
//! backtrace or an `os error N`.

mod support;

use std::path::Path;
use std::process::{Command, Output};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");

fn lvstop(args: &[&str]) -> Output {
    Command::new(LVSTOP)
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_worded(o: &Output, want: &str) {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(1), "exit status; stderr: {e}");
    assert!(e.contains(want), "wanted {want:?} in stderr: {e}");
    assert!(!e.contains("os error"), "{e}");
    assert!(!e.contains("panicked"), "{e}");
    assert!(o.stdout.is_empty(), "nothing on stdout");
}

#[test]
fn host_without_ipvs_says_how_to_get_it() {
    if Path::new("/proc/net/ip_vs").exists() {
        eprintln!("SKIPPED host_without_ipvs_says_how_to_get_it: this host has IPVS");
        return;
    }
    let o = lvstop(&["-b", "-n", "1"]);
    assert_worded(
        &o,
        "lvstop: IPVS is not available: load it with `modprobe ip_vs`",
    );
}

#[test]
fn missing_namespace_is_named() {
    let o = lvstop(&["-b", "-n", "1", "--netns", "lvstop-no-such-ns"]);
    assert_worded(&o, "lvstop-no-such-ns");
}

#[test]
fn monitor_without_a_terminal_suggests_batch() {
    // stdout is a pipe here.
    let o = lvstop(&["--demo"]);
    assert_worded(&o, "--batch");
}

#[test]
fn bad_arguments_exit_2_with_usage() {
    let o = lvstop(&["-d", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("between 0.1 and 3600"),
        "{}",
        stderr(&o)
    );
}

/// A negative number reaches the flag's own check, which names the flag and
/// its range, instead of clap taking `-1` for an unknown flag.
#[test]
fn negative_numbers_reach_each_numeric_flags_check() {
    let usage = "\n\nFor more information, try '--help'.\n";
    for (args, want) in [
        (
            &["-b", "-n", "1", "-d", "-1"][..],
            "error: invalid value '-1' for '--delay <SECONDS>': delay must be between 0.1 and 3600 seconds, not -1",
        ),
        (
            &["-b", "-n", "1", "--delay=-0.5"][..],
            "error: invalid value '-0.5' for '--delay <SECONDS>': delay must be between 0.1 and 3600 seconds, not -0.5",
        ),
        (
            &["-b", "-n", "-1"][..],
            "error: invalid value '-1' for '--iterations <N>': iterations must be at least 1, not -1",
        ),
        (
            &["-b", "-n", "0"][..],
            "error: invalid value '0' for '--iterations <N>': iterations must be at least 1, not 0",
        ),
        (
            &["-b", "-n", "1", "--history", "-1"][..],
            "error: invalid value '-1' for '--history <SECONDS>': history must be between 10 and 86400 seconds, not -1",
        ),
        (
            &["-b", "-n", "1", "--demo", "--demo-seed", "-1"][..],
            "error: invalid value '-1' for '--demo-seed <N>': demo seed must be between 0 and 18446744073709551615, not -1",
        ),
    ] {
        let o = lvstop(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), format!("{want}{usage}"), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn apply_of_a_bad_file_names_the_line_and_sends_nothing() {
    let dir = std::env::temp_dir().join(format!("lvstop-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.rules");
    std::fs::write(
        &file,
        "-A -t 192.0.2.1:80 -s rr\n-A -t 192.0.2.1:99999 -s rr\n",
    )
    .unwrap();
    // --demo: the point is that parsing fails before any backend is asked.
    let o = lvstop(&["--demo", "apply", file.to_str().unwrap()]);
    assert_worded(&o, "line 2");
    assert!(stderr(&o).contains("nothing was applied"), "{}", stderr(&o));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn batch_demo_prints_an_ipvsadm_listing() {
    let o = lvstop(&["--demo", "--demo-seed", "7", "-b", "-n", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.starts_with("IP Virtual Server version 1.2.1 (size=4096)\n"),
        "{text}"
    );
    assert!(text.contains("  -> RemoteAddress:Port"), "{text}");
}

#[test]
fn without_cap_net_admin_even_a_read_is_refused_in_words() {
    let Some(vm) = support::vm::vm_or_skip(
        "cli_errors::without_cap_net_admin_even_a_read_is_refused_in_words",
    ) else {
        return;
    };
    for kernel in support::vm::kernels() {
        let out = vm.run(
            kernel,
            &format!(
                "ipvsadm -A -t 10.9.9.9:80 -s rr
                 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all {LVSTOP} -b -n 1; echo \"status=$?\"
                 {LVSTOP} -b -n 1 | head -4"
            ),
        );
        out.assert_ok();
        assert!(
            out.stdout.contains("status=1"),
            "kernel {kernel}: {}",
            out.stdout
        );
        assert!(
            out.stderr.contains("lvstop: permission denied: lvstop needs root or CAP_NET_ADMIN: every IPVS request, even a read, is privileged"),
            "kernel {kernel}: {}",
            out.stderr
        );
        // root in the same VM reads the same table
        assert!(
            out.stdout.contains("TCP  10.9.9.9:80 rr"),
            "kernel {kernel}: {}",
            out.stdout
        );
    }
}

/// `-c` and its companions out of place, and a bad `--filter`: usage errors
/// in words, before any backend is opened (none is here: no root, no --demo).
#[test]
fn connections_flags_out_of_place_are_refused_before_reading() {
    for (args, want) in [
        (&["-c"][..], "-c/--connections is a batch listing: add -b"),
        (
            &["--persistent-conn"][..],
            "--persistent-conn is a batch listing: add -b",
        ),
        (
            &["-b", "--filter", "tcp"][..],
            "--filter selects connection entries: use it with -b -c",
        ),
        (
            &["-b", "-c", "--format", "save"][..],
            "--format save writes rules, and the connection table has none",
        ),
        (
            &["-b", "-c", "--stats"][..],
            "--stats lists the services' traffic",
        ),
        (
            &["-b", "-c", "--rate"][..],
            "--rate lists the services' traffic",
        ),
        (
            &["-b", "-c", "--filter", "10.1.0"][..],
            "--filter: '10.1.0' is not a protocol (tcp, udp, sctp), an address",
        ),
        (
            &["-b", "-c", "--filter", "host=10.1.0.3"][..],
            "--filter: 'host=' is not a column: use client=, virtual= or real=",
        ),
        (
            &["-b", "-c", "--filter", ""][..],
            "--filter '' selects nothing",
        ),
    ] {
        let o = lvstop(args);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
        assert!(e.starts_with(&format!("error: {want}")), "{args:?}: {e}");
        assert!(e.contains("Usage: lvstop"), "{args:?}: {e}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

/// Listing options ipvsadm 1.31 refuses together, and bad service values:
/// usage errors in words (exit status 2), nothing read, nothing printed.
#[test]
fn listing_options_ipvsadm_refuses_are_refused_before_reading() {
    for (args, want) in [
        (
            &["-b", "--timeout", "--stats"][..],
            "--stats is a view of the services; --timeout lists the director's settings",
        ),
        (
            &["-b", "--timeout", "--persistent-conn"][..],
            "--persistent-conn is a view of the services",
        ),
        (
            &["-b", "-c", "--thresholds"][..],
            "--thresholds lists the real servers' limits; -c lists connections",
        ),
        (
            &["-b", "-t", "192.0.2.1:80", "--timeout"][..],
            "--timeout conflicts with -t",
        ),
        (
            &["-b", "-f", "1", "-u", "192.0.2.1:53"][..],
            "-f conflicts with -u",
        ),
        (
            &["-b", "-6"][..],
            "-6 makes -f's firewall mark an IPv6 service",
        ),
        (
            &["-b", "--daemon", "--rate"][..],
            "--rate is a view of the services; --daemon lists the director's settings",
        ),
        (
            &["-b", "--daemon", "--timeout"][..],
            "--daemon conflicts with --timeout",
        ),
        (
            &["-b", "-t", "192.0.2.1:99999"][..],
            "illegal virtual server address[:port] '192.0.2.1:99999' for -t",
        ),
        (&["-b", "-f", "0"][..], "invalid fwmark value '0' for -f"),
        (&["--tun-info"][..], "--tun-info is a batch listing: add -b"),
        (
            &["-b", "--format", "save", "--thresholds"][..],
            "--format save writes the whole table's rules",
        ),
    ] {
        let o = lvstop(args);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
        assert!(e.starts_with(&format!("error: {want}")), "{args:?}: {e}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

/// The demo director through the new listings: a service it has, one it
/// has not (named on stderr, status 1, nothing on stdout), its timeouts.
#[test]
fn one_service_and_timeouts_from_the_demo() {
    let o = lvstop(&[
        "--demo",
        "--demo-seed",
        "3",
        "-b",
        "-n",
        "1",
        "-t",
        "192.0.2.10:80",
        "--thresholds",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.starts_with("Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n  -> RemoteAddress:Port\nTCP  192.0.2.10:80 wlc\n"), "{out}");
    let o = lvstop(&[
        "--demo",
        "-b",
        "-n",
        "2",
        "-d",
        "0.1",
        "-t",
        "192.0.2.99:80",
    ]);
    assert_worded(&o, "lvstop: no such service: TCP 192.0.2.99:80");
    let o = lvstop(&["--demo", "-b", "-n", "2", "-d", "0.1", "--timeout"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        "Timeout (tcp tcpfin udp): 900 120 300\n".repeat(2)
    );
}

/// A selector is hostile input: what lvstop shows of it never carries a
/// control character to the terminal.
#[test]
fn a_filter_with_control_characters_is_shown_escaped() {
    let o = lvstop(&[
        "-b",
        "-c",
        "--filter",
        "real=10.0.0.1\u{1b}]0;owned\u{7}\u{1b}[2J",
    ]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(
        e.contains("'real=10.0.0.1\\u{1b}]0;owned\\u{7}\\u{1b}[2J'"),
        "{e}"
    );
    assert!(!e.chars().any(|c| c.is_control() && c != '\n'), "{e:?}");
}

/// The demo's connection table through `-c`: ipvsadm's header and line
/// shape, the filter keeping only what it names, JSON counts adding up.
#[test]
fn batch_demo_lists_connections() {
    let o = lvstop(&[
        "--demo",
        "--demo-seed",
        "7",
        "-b",
        "-n",
        "1",
        "-c",
        "--filter",
        "real=10.10.1.14",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("IPVS connection entries"));
    assert_eq!(
        lines.next(),
        Some("pro expire state       source             virtual            destination")
    );
    let mut n = 0;
    for l in lines {
        // "%-3s %-6s %-11s %-18s %-18s %s"
        let fields: Vec<&str> = l.split_whitespace().collect();
        assert_eq!(fields.len(), 6, "{l}");
        assert!(
            fields[1].len() >= 5 && fields[1].as_bytes()[fields[1].len() - 3] == b':',
            "{l}"
        );
        assert!(fields[5].starts_with("10.10.1.14:"), "{l}");
        n += 1;
    }
    assert!(n > 0, "{text}");

    let o = lvstop(&[
        "--demo",
        "--demo-seed",
        "7",
        "-b",
        "-n",
        "1",
        "-c",
        "--format",
        "json",
        "--filter",
        "udp",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let entries = v["connections"].as_array().unwrap().len() as u64;
    let counted: u64 = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["counts"]["entries"].as_u64().unwrap())
        .sum::<u64>()
        + v["unattributed"]["entries"].as_u64().unwrap();
    assert!(entries > 0);
    assert_eq!(entries, counted);
    assert_eq!(v["filter"], "udp");
}
