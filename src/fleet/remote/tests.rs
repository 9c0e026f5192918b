//! Remote directors over fake agents: shell commands that print prepared
//! lines, so the transport's handling of good, dying and hostile agents is
//! tested without ssh (the VM test, tests/vm_fleet.rs, runs the real one).

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use super::*;
use crate::fleet::protocol::{encode, readings, FromAgent, Hello, PROTOCOL_VERSION};
use crate::model::{Dest, Protocol, ServiceEntry};

fn table(weight: u32) -> Snapshot {
    let key = ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: "192.0.2.1".parse().unwrap(),
        port: 80,
    };
    Snapshot {
        info: Info {
            version: 0x010201,
            conn_tab_size: 4096,
        },
        services: vec![ServiceEntry {
            service: Service::new(key, "wlc"),
            dests: vec![Dest {
                weight,
                ..Dest::new("10.0.0.1".parse().unwrap(), 80)
            }],
        }],
    }
}

fn hello(protocol: u32, host: &str) -> String {
    encode(&FromAgent::Hello(Hello {
        protocol,
        lvstop: "9.9.9".into(),
        host: host.into(),
        ipvs: "1.2.1".into(),
        capabilities: vec!["read".into(), "apply".into()],
        read_only: false,
        netns: "host".into(),
        interval_ms: 1000,
    }))
}

fn whole(t: &Snapshot) -> String {
    readings(None, t, 1, 0, 0)
        .into_iter()
        .map(|r| encode(&FromAgent::Reading(r)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A scratch file holding `text`, unique to this test.
fn script_file(test: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lvstop-remote-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("lines");
    std::fs::write(&p, text).unwrap();
    p
}

/// A fake agent: prints the file, then runs `then` (a shell command).
fn fake(test: &str, lines: &str, then: &str) -> RemoteDirector {
    let file = script_file(test, &format!("{lines}\n"));
    let script = format!("cat '{}'; {then}", file.display());
    RemoteDirector::connect(
        DirectorName::new(test),
        Box::new(move || {
            let mut c = Command::new("sh");
            c.arg("-c").arg(&script);
            c
        }),
        RemoteOptions {
            user: "tester@here".into(),
            ..RemoteOptions::default()
        },
    )
}

fn wait_for(
    d: &RemoteDirector,
    what: &str,
    ok: impl Fn(&DirectorStatus) -> bool,
) -> DirectorStatus {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let s = d.status();
        if ok(&s) {
            return s;
        }
        assert!(Instant::now() < until, "{what}: still {s:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_live_agent_reads_as_a_backend_without_waiting() {
    let t = table(5);
    let mut d = fake(
        "live",
        &format!("{}\n{}", hello(PROTOCOL_VERSION, "lb1"), whole(&t)),
        "exec sleep 30",
    );
    let s = d.wait_settled(Duration::from_secs(20));
    assert!(
        matches!(s.state, DirectorState::Live { ref hello } if hello.host == "lb1"),
        "{s:?}"
    );
    let started = Instant::now();
    assert_eq!(d.snapshot().unwrap(), t);
    assert_eq!(d.services().unwrap().len(), 1);
    assert_eq!(d.dests(&t.services[0].service.key).unwrap()[0].weight, 5);
    assert!(started.elapsed() < Duration::from_millis(50));
}

#[test]
fn a_change_is_answered_by_the_agent() {
    let t = table(5);
    let answer =
        r#"{"type":"result","id":1,"ok":true,"message":"weight 5 → 6","journal_id":"1.2.3"}"#;
    let refusal = r#"{"type":"result","id":2,"ok":false,"message":"no such real server"}"#;
    let then = format!("read a; echo '{answer}'; read b; echo '{refusal}'; exec sleep 30");
    let mut d = fake(
        "apply",
        &format!("{}\n{}", hello(PROTOCOL_VERSION, "lb1"), whole(&t)),
        &then,
    );
    d.wait_settled(Duration::from_secs(20));
    let change = Change::Zero(None);
    d.apply(&change).unwrap();
    let e = d.apply(&change).unwrap_err();
    assert!(e.to_string().contains("apply: no such real server"), "{e}");
}

#[test]
fn hostile_agents_are_marked_bad_with_the_reason() {
    let t = table(1);
    let huge = format!("{{\"type\":\"x\",\"pad\":\"{}\"}}", "a".repeat(2 << 20));
    let cases = [
        (
            "malformed",
            format!("{}\nthis is not json", hello(PROTOCOL_VERSION, "lb1")),
            "malformed",
        ),
        (
            "escape",
            hello(PROTOCOL_VERSION, "lb1\u{1b}]0;owned\u{7}"),
            "control character U+001B",
        ),
        (
            "huge",
            format!("{}\n{huge}", hello(PROTOCOL_VERSION, "lb1")),
            "over the limit",
        ),
        (
            "version",
            hello(PROTOCOL_VERSION + 1, "lb1"),
            "speaks agent protocol 3 (lvstop 9.9.9); this lvstop speaks protocol 2",
        ),
        ("nohello", whole(&t), "before its hello"),
        (
            "schema",
            format!(
                "{}\n{{\"type\":\"pong\",\"id\":1,\"sent_ms\":1,\"at_ms\":1,\"extra\":1}}",
                hello(PROTOCOL_VERSION, "lb1")
            ),
            "unknown field",
        ),
    ];
    let directors: Vec<_> = cases
        .iter()
        .map(|(name, lines, _)| fake(name, lines, "exec sleep 30"))
        .collect();
    for ((name, _, want), d) in cases.iter().zip(&directors) {
        let s = wait_for(d, name, |s| matches!(s.state, DirectorState::Bad { .. }));
        let reason = s.state.reason().unwrap();
        assert!(reason.contains(want), "{name}: {reason}");
        assert!(!reason.chars().any(char::is_control), "{name}: {reason:?}");
    }
}

/// A line that never ends is refused once it passes the cap: the agent is
/// bad, not merely silent (a slow link took the silence limit to get a
/// 2 MiB line across under emulation, and showed it stale).
#[test]
fn an_endless_line_is_bad_before_the_silence_limit() {
    let d = fake(
        "endless",
        &hello(PROTOCOL_VERSION, "lb1"),
        "head -c 3000000 /dev/zero | tr '\\0' a; exec sleep 30",
    );
    let s = wait_for(&d, "endless", |s| {
        matches!(
            s.state,
            DirectorState::Bad { .. } | DirectorState::Stale { .. }
        )
    });
    let reason = s.state.reason().unwrap();
    assert!(
        matches!(s.state, DirectorState::Bad { .. }) && reason.contains("over the limit"),
        "{s:?}"
    );
}

#[test]
fn a_dropped_connection_is_stale_then_comes_back() {
    let t = table(3);
    // Each run of the fake agent sends a table and ends, as a killed sshd would.
    let mut d = fake(
        "dropped",
        &format!("{}\n{}", hello(PROTOCOL_VERSION, "lb1"), whole(&t)),
        "echo 'ssh: Connection closed by \u{1b}[31mpeer' >&2; exit 255",
    );
    let s = wait_for(&d, "stale", |s| {
        matches!(s.state, DirectorState::Stale { .. })
    });
    let reason = s.state.reason().unwrap().to_string();
    assert!(
        reason.contains("the connection ended: ssh: Connection closed by ?[31mpeer"),
        "{reason}"
    );
    // The last table stays readable while stale.
    assert_eq!(d.snapshot().unwrap(), t);
    let e = d.apply(&Change::Flush).unwrap_err();
    assert!(e.to_string().contains("the change was not sent"), "{e}");
    let first = s.last_reading.unwrap();
    wait_for(&d, "a new reading after the backoff", |s| {
        s.last_reading.is_some_and(|r| r > first)
    });
}

#[test]
fn an_agent_that_cannot_start_is_stale_with_ssh_words() {
    let d = RemoteDirector::connect(
        DirectorName::new("nowhere"),
        Box::new(|| {
            let mut c = Command::new("sh");
            c.arg("-c").arg(
                "echo 'ssh: connect to host nowhere port 22: Connection refused' >&2; exit 255",
            );
            c
        }),
        RemoteOptions::default(),
    );
    let s = d.wait_settled(Duration::from_secs(20));
    let DirectorState::Stale {
        reason, retry_in, ..
    } = &s.state
    else {
        panic!("{s:?}");
    };
    assert!(
        reason.contains(
            "before the agent's hello: ssh: connect to host nowhere port 22: Connection refused"
        ),
        "{reason}"
    );
    assert!(*retry_in <= Duration::from_secs(1));
}

#[test]
fn strict_reads_fail_with_the_reason_while_stale() {
    let t = table(3);
    let mut d = fake(
        "strict",
        &format!("{}\n{}", hello(PROTOCOL_VERSION, "lb1"), whole(&t)),
        "exit 255",
    )
    .reads_fail_unless_live();
    wait_for(&d, "stale", |s| {
        matches!(s.state, DirectorState::Stale { .. })
    });
    let e = d.services().unwrap_err().to_string();
    assert!(e.starts_with("strict: stale: the connection ended"), "{e}");
}

/// A frame's status never waits for the director's state: while another
/// thread holds it, the last status read, and the live one again once free.
#[test]
fn the_status_now_does_not_wait_for_a_held_state() {
    let t = table(5);
    let d = fake(
        "status-now",
        &format!("{}\n{}", hello(PROTOCOL_VERSION, "lb1"), whole(&t)),
        "exec sleep 30",
    );
    let handle = d.status_handle();
    assert_eq!(d.wait_settled(Duration::from_secs(20)).state.word(), "live");
    let read = handle.status_now();
    let mut held = d.shared.lock();
    held.lag = Some(Duration::from_millis(999));
    let started = Instant::now();
    assert_eq!(handle.status_now(), read);
    assert!(started.elapsed() < Duration::from_millis(50));
    drop(held);
    assert_eq!(handle.status_now().lag, Some(Duration::from_millis(999)));
}

/// A poll's reads of one service follow each new table: found through an
/// index made once per reading, the first entry of a key listed twice, and
/// a service gone from the newest table is gone.
#[test]
fn reads_of_one_service_follow_each_new_table() {
    let t = table(5);
    let mut d = fake(
        "index",
        &format!("{}\n{}", hello(PROTOCOL_VERSION, "lb1"), whole(&t)),
        "exec sleep 30",
    );
    assert_eq!(d.wait_settled(Duration::from_secs(20)).state.word(), "live");
    let key = t.services[0].service.key;
    assert_eq!(d.service(&key).unwrap(), t.services[0].service);
    assert_eq!(d.dests(&key).unwrap()[0].weight, 5);
    let mut next = table(7);
    let mut other = table(9).services.remove(0);
    other.service.key = ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: "192.0.2.2".parse().unwrap(),
        port: 80,
    };
    let mut again = other.clone();
    again.dests[0].weight = 3;
    next.services.extend([other.clone(), again]);
    next.services.remove(0);
    d.shared.lock().table = Some(Arc::new(next));
    assert_eq!(d.dests(&other.service.key).unwrap()[0].weight, 9);
    assert_eq!(d.service(&other.service.key).unwrap(), other.service);
    let gone = d.service(&key).unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound, "{gone}");
    assert_eq!(d.dests(&key).unwrap_err().kind(), ErrorKind::NotFound);
}
