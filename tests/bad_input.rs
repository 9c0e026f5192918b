//! Every field's bad values, through the rule grammar the CLI (`lvstop
//! apply`) and the editing forms share: each is refused with its own words,
//! and no request reaches the backend (a recording Writer sees nothing).
//! Then the same for lvstop's own command line, through the built binary.

use std::process::Command;

use lvstop::backend::Writer;
use lvstop::rules::{parse_args, parse_line, parse_rules};
use lvstop::testkit::{FakeBackend, FakeTable};

/// An empty table that records what it is asked to apply.
fn recorder() -> FakeBackend<FakeTable> {
    FakeBackend::new(FakeTable::empty())
}

/// What a form or `lvstop apply` does with text: parse all, then send.
fn submit(text: &str, writer: &mut dyn Writer) -> Result<(), String> {
    let changes = parse_rules(text).map_err(|e| e.to_string())?;
    for c in &changes {
        writer.apply(c).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// (command line, words the refusal must contain)
const BAD: &[(&str, &str)] = &[
    // addresses
    ("-A -t 10.0.0.300:80", "illegal virtual server address"),
    ("-A -t 10.0.0:80", "illegal virtual server address"),
    ("-A -t nohost.example:80", "illegal virtual server address"),
    ("-A -t [2001:db8::1:80", "illegal virtual server address"),
    ("-A -t 2001:db8::zz:80", "illegal virtual server address"),
    ("-A -t :80", "illegal virtual server address"),
    (
        "-a -t 10.0.0.1:80 -r 10.0.0.256:80",
        "illegal real server address",
    ),
    (
        "-a -t 10.0.0.1:80 -r [2001:db8::2]:80 -m",
        "Different address family",
    ),
    (
        "-a -t [2001:db8::1]:80 -r 10.0.0.2:80 -g",
        "Different address family",
    ),
    // ports
    ("-A -t 10.0.0.1:65536", "illegal virtual server address"),
    ("-A -t 10.0.0.1:-1", "illegal virtual server address"),
    ("-A -t 10.0.0.1:http", "illegal virtual server address"),
    (
        "-A -t 10.0.0.1:0",
        "Zero port specified for non-persistent service",
    ),
    (
        "-a -t 10.0.0.1:80 -r 10.0.0.2:70000 -m",
        "illegal real server address",
    ),
    // weights and thresholds
    ("-a -t 10.0.0.1:80 -r 10.0.0.2 -w -1", "illegal weight"),
    (
        "-a -t 10.0.0.1:80 -r 10.0.0.2 -w 2147483648",
        "illegal weight",
    ),
    ("-a -t 10.0.0.1:80 -r 10.0.0.2 -w 1.5", "illegal weight"),
    ("-a -t 10.0.0.1:80 -r 10.0.0.2 -w ten", "illegal weight"),
    ("-a -t 10.0.0.1:80 -r 10.0.0.2 -x -5", "illegal u_threshold"),
    (
        "-a -t 10.0.0.1:80 -r 10.0.0.2 -y 2147483648",
        "illegal l_threshold",
    ),
    ("-a -t 10.0.0.1:80 -r 10.0.0.2 -x 10 -y 20", "threshold"),
    // firewall marks
    ("-A -f 0", "invalid fwmark value"),
    ("-A -f 4294967296", "invalid fwmark value"),
    ("-A -f -3", "invalid fwmark value"),
    ("-A -f mark", "invalid fwmark value"),
    ("-A -6 -f 5", "-6 used before -f"),
    // netmasks and prefixes
    (
        "-A -t 10.0.0.1:80 -p 300 -M 255.0.255.0",
        "non-contiguous netmask",
    ),
    (
        "-A -t 10.0.0.1:80 -p 300 -M 255.255.255.1",
        "non-contiguous netmask",
    ),
    ("-A -t 10.0.0.1:80 -p 300 -M 300.0.0.0", "persistent mask"),
    (
        "-A -t [2001:db8::1]:80 -p 300 -M 129",
        "illegal ipv6 netmask",
    ),
    ("-A -t [2001:db8::1]:80 -p 300 -M 0", "illegal ipv6 netmask"),
    (
        "-A -t [2001:db8::1]:80 -p 300 -M 255",
        "illegal ipv6 netmask",
    ),
    // schedulers, flags, timeouts
    ("-A -t 10.0.0.1:80 -s nosuch", "unknown scheduler"),
    ("-A -t 10.0.0.1:80 -s RR", "unknown scheduler"),
    ("-A -t 10.0.0.1:80 -s rr -s wlc", "multiple '"),
    ("-A -t 10.0.0.1:80 -b nosuch-flag", "invalid scheduler flag"),
    (
        "-A -t 10.0.0.1:80 -o",
        "One-Packet Scheduling is only for UDP",
    ),
    ("-A -t 10.0.0.1:80 -p 0", "invalid timeout value"),
    ("-A -t 10.0.0.1:80 -p forever", "invalid timeout value"),
    ("--set 10 20", "requires 3 timeout values"),
    ("--set 10 20 x", "invalid timeout value"),
    // tunnels
    (
        "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type ipip --tun-port 6080",
        "tun-port",
    ),
    (
        "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-port 6080",
        "tun-port",
    ),
    (
        "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue",
        "You need to supply the 'tun-port'",
    ),
    (
        "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 0",
        "illegal tunnel port",
    ),
    (
        "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 65536",
        "illegal tunnel port",
    ),
    (
        "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type ipip --tun-csum",
        "tun-csum",
    ),
    (
        "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type ipip --tun-remcsum",
        "tun-remcsum",
    ),
    (
        "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-remcsum",
        "tun-remcsum",
    ),
    (
        "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 6080 --tun-csum --tun-nocsum",
        "conflicts",
    ),
    (
        "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type vxlan",
        "illegal tunnel type",
    ),
    (
        "-a -t 10.0.0.1:80 -r 10.0.0.2 -m --tun-type gue --tun-port 6080",
        "Tunnel options conflict with forward method",
    ),
    // the command itself
    ("-A -E -t 10.0.0.1:80", "multiple commands"),
    ("-A -t 10.0.0.1:80 --no-such-option", "invalid option"),
    ("-A -t 10.0.0.1:80 -Q", "invalid option"),
    ("-A -t 10.0.0.1:80 -s", "needs a value"),
    ("-A -t 10.0.0.1:80 extra", "unexpected argument"),
];

#[test]
fn every_bad_field_is_refused_in_words_and_nothing_is_sent() {
    let mut failures = Vec::new();
    for (line, want) in BAD {
        let words: Vec<&str> = line.split_whitespace().collect();
        let by_args = parse_args(&words);
        let by_line = parse_line(line);
        let mut writer = recorder();
        // A good change first: a bad line anywhere means nothing at all is sent.
        let file = format!("-A -t 192.0.2.1:80 -s rr\n{line}\n");
        let submitted = submit(&file, &mut writer);
        match (&by_args, &by_line, &submitted) {
            (Err(a), Err(l), Err(s)) => {
                if !a.to_string().contains(want) {
                    failures.push(format!("{line}: parse_args said {a:?}, wanted {want:?}"));
                }
                if a != l {
                    failures.push(format!("{line}: parse_args {a:?} != parse_line {l:?}"));
                }
                if !s.contains(want) || !s.contains("line 2") {
                    failures.push(format!("{line}: rules file error {s:?}"));
                }
            }
            _ => failures.push(format!(
                "{line}: accepted: args {by_args:?}, line {by_line:?}, file {submitted:?}"
            )),
        }
        if !writer.changes().is_empty() {
            failures.push(format!(
                "{line}: requests were sent: {:?}",
                writer.changes()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{} bad rule inputs refused", BAD.len());
}

#[test]
fn the_recorder_does_record_good_input() {
    // So that an empty recorder above means "nothing sent", not "cannot record".
    let mut writer = recorder();
    submit(
        "-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 192.0.2.2 -w 3\n",
        &mut writer,
    )
    .unwrap();
    assert_eq!(writer.changes().len(), 2);
}

// ------------------------------------------------------------ command line

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");

/// (arguments, words the usage error must contain); clap errors exit 2.
const BAD_ARGS: &[(&[&str], &str)] = &[
    (&["-b", "-d", "0"], "between 0.1 and 3600"),
    (&["-b", "-d", "-1"], "-1"),
    (&["-b", "-d", "3601"], "between 0.1 and 3600"),
    (&["-b", "-d", "inf"], "between 0.1 and 3600"),
    (&["-b", "-d", "NaN"], "between 0.1 and 3600"),
    (&["-b", "-d", "1s"], "not a number of seconds"),
    (&["-b", "-d"], "a value is required"),
    (&["-b", "-n", "0"], "--iterations"),
    (&["-b", "-n", "-3"], "'-3'"),
    (&["-b", "-n", "many"], "invalid digit"),
    (&["-b", "-n", "18446744073709551616"], "too large"),
    (&["-b", "--format", "xml"], "xml"),
    (&["-b", "--format", ""], "--format"),
    (&["-b", "--format"], "a value is required"),
    (&["--history", "9"], "--history"),
    (&["--history", "86401"], "--history"),
    (&["--history", "five"], "--history"),
    (&["-b", "--stats", "--rate"], "cannot be used with"),
    (&["--demo-seed", "3"], "--demo"),
    (&["--demo", "--demo-seed", "x"], "--demo-seed"),
    (&["--netns"], "a value is required"),
    (&["--no-such-flag"], "unexpected argument"),
    (&["-b", "-n", "1", "extra"], "unrecognized subcommand"),
    (&["apply", "a", "b"], "unexpected argument"),
];

#[test]
fn every_bad_command_line_exits_2_with_words() {
    let mut failures = Vec::new();
    for (args, want) in BAD_ARGS {
        let o = Command::new(LVSTOP)
            .args(*args)
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        if o.status.code() != Some(2) || !err.contains(want) || err.contains("panicked") {
            failures.push(format!(
                "{args:?}: status {:?}, wanted {want:?} in: {err}",
                o.status.code()
            ));
        }
        if !o.stdout.is_empty() {
            failures.push(format!("{args:?}: printed on stdout"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_namespace_path_that_is_not_a_namespace_is_refused_in_words() {
    // A regular file given as --netns: a sentence, status 1, no backtrace.
    let o = Command::new(LVSTOP)
        .args(["-b", "-n", "1", "--netns", "/etc/hostname"])
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("lvstop: ") && err.contains("/etc/hostname"),
        "{err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("os error"),
        "{err}"
    );
}
