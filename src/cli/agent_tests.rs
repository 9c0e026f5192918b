//! The agent's loop over a fake table: what it says, how it answers, what
//! its journal records. (The agent over ssh on real kernels: tests/vm_fleet.rs.)

use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime};

use super::agent::{serve, AgentAccess, Identity};
use crate::backend::{Backend, Reader};
use crate::edit::Editor;
use crate::fleet::protocol::{decode_from_agent, FromAgent, Staging, ToAgent};
use crate::journal::tests::Scratch;
use crate::model::{Change, ServiceKey};
use crate::testkit::{FakeTable, ManualClock};

/// Runs the loop with requests sent a little apart, and returns what it wrote.
fn session(access: &mut AgentAccess, requests: Vec<ToAgent>) -> Vec<FromAgent> {
    let (tx, rx) = mpsc::channel();
    let sender = thread::spawn(move || {
        for r in requests {
            thread::sleep(Duration::from_millis(150));
            tx.send(Ok(r)).unwrap();
        }
        thread::sleep(Duration::from_millis(150));
    });
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let identity = Identity {
        host: "lb1\u{1b}[2J".into(),
        netns: "host".into(),
    };
    let mut out = Vec::new();
    serve(
        access,
        &identity,
        Duration::from_millis(40),
        &clock,
        &rx,
        &mut out,
    )
    .unwrap();
    sender.join().unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| decode_from_agent(l.as_bytes()).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn edit_first_weight(table: &FakeTable) -> (ServiceKey, Change) {
    let mut t = table.clone();
    let snap = t.snapshot().unwrap();
    let entry = snap.services.iter().find(|e| !e.dests.is_empty()).unwrap();
    let mut dest = entry.dests[0].clone();
    dest.weight += 7;
    (
        entry.service.key,
        Change::EditDest {
            service: entry.service.key,
            dest,
        },
    )
}

#[test]
fn hello_readings_pong_and_a_journaled_change() {
    let scratch = Scratch::new();
    let journal = scratch.join("journal.jsonl");
    let table = FakeTable::sample();
    let (service, change) = edit_first_weight(&table);
    let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
    let editor = Editor::new(
        Box::new(table) as Box<dyn Backend>,
        &journal,
        clock,
        "host",
        crate::output::rule,
    );
    let mut access = AgentAccess::ReadWrite(Box::new(editor));
    let said = session(
        &mut access,
        vec![
            ToAgent::Ping { id: 4, sent_ms: 9 },
            ToAgent::Apply {
                id: 5,
                change: change.clone(),
                user: "alice@laptop".into(),
            },
        ],
    );
    let FromAgent::Hello(hello) = &said[0] else {
        panic!("{said:?}")
    };
    assert_eq!(
        hello.host, "lb1?[2J",
        "control characters never leave the agent"
    );
    assert!(hello.capabilities.contains(&"apply".to_string()) && !hello.read_only);
    assert!(said
        .iter()
        .any(|m| matches!(m, FromAgent::Pong(p) if p.id == 4 && p.sent_ms == 9)));
    let result = said
        .iter()
        .find_map(|m| match m {
            FromAgent::Result(o) => Some(o.clone()),
            _ => None,
        })
        .expect("a result");
    assert!(result.ok && result.id == 5, "{result:?}");
    // The readings put together give the table with the change.
    let mut staging = Staging::new();
    for m in &said {
        if let FromAgent::Reading(r) = m {
            staging.take(r).unwrap();
        }
    }
    let Change::EditDest { dest, .. } = &change else {
        unreachable!()
    };
    let last = staging.table().unwrap();
    let got = last
        .services
        .iter()
        .find(|e| e.service.key == service)
        .unwrap()
        .dests
        .iter()
        .find(|d| d.key() == dest.key())
        .unwrap();
    assert_eq!(got.weight, dest.weight);
    let text = std::fs::read_to_string(&journal).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{text}");
    assert!(
        records.iter().all(|r| r["requested_by"] == "alice@laptop"),
        "{text}"
    );
    assert_eq!(records[1]["id"], result.journal_id.unwrap().as_str());
}

#[test]
fn a_read_only_agent_refuses_changes() {
    let table = FakeTable::sample();
    let (_, change) = edit_first_weight(&table);
    let mut access = AgentAccess::ReadOnly(Box::new(table));
    let said = session(
        &mut access,
        vec![ToAgent::Apply {
            id: 1,
            change,
            user: "alice@laptop".into(),
        }],
    );
    let FromAgent::Hello(hello) = &said[0] else {
        panic!("{said:?}")
    };
    assert!(hello.read_only && !hello.capabilities.contains(&"apply".to_string()));
    assert!(said
        .iter()
        .any(|m| matches!(m, FromAgent::Result(o) if !o.ok && o.message.contains("--read-only"))));
}

#[test]
fn a_resync_sends_the_next_reading_whole() {
    let mut access = AgentAccess::ReadOnly(Box::new(FakeTable::sample()));
    let said = session(&mut access, vec![ToAgent::Resync]);
    let whole = said
        .iter()
        .filter(|m| matches!(m, FromAgent::Reading(r) if r.full))
        .count();
    assert_eq!(whole, 2, "the first reading and the one after the resync");
}
