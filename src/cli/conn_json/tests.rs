use serde_json::Value;

use super::*;
use crate::conns::StateCounts;
use crate::model::{PeData, Token};
use crate::testkit::conn;

fn entry(c: &Connection) -> Value {
    let mut out = Vec::new();
    entry_object(&mut out, c);
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn kernel_tokens_with_quotes_stay_valid_json() {
    // Tokens are graphic ASCII, which includes `"` and `\`.
    let c = conn("T\"P", "10.0.0.1:1", "10.0.0.2:2", "10.0.0.3:3", "S\\T", 5);
    let v = entry(&c);
    assert_eq!(v["protocol"], "t\"p");
    assert_eq!(v["state"], "S\\T");
    let mut c = c;
    c.pe = Some(PeData {
        name: Token::new("s\"p").unwrap(),
        data: "x\"y\\z".into(),
    });
    let v = entry(&c);
    assert_eq!(v["pe"]["name"], "s\"p");
    assert_eq!(v["pe"]["data"], "x\"y\\z");
}

#[test]
fn ipv6_addresses_as_inet_ntop_prints_them() {
    let c = conn(
        "TCP",
        "[::ffff:10.0.0.1]:1",
        "[0:1::]:0",
        "[2001:db8:0:0:1::1]:80",
        "NONE",
        5,
    );
    let v = entry(&c);
    assert_eq!(v["client"]["addr"], "::ffff:10.0.0.1");
    assert_eq!(v["virtual"]["addr"], "0:1::");
    assert_eq!(v["real"]["addr"], "2001:db8::1:0:0:1");
}

#[test]
fn counts_sort_states_by_name_and_keep_the_overflow() {
    let mut c = Counts::default();
    let mut states = StateCounts::default();
    for s in ["TIME_WAIT", "ESTABLISHED", "ESTABLISHED"] {
        states.add(Token::new(s).unwrap());
    }
    c.states = states;
    c.templates = 2;
    c.synced = 1;
    let mut out = Vec::new();
    counts_object(&mut out, &c);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\"entries\":5,\"local\":0,\"states\":{\"ESTABLISHED\":2,\"TIME_WAIT\":1},\"synced\":1,\"templates\":2}"
    );
    let mut many = Counts::default();
    for i in 0..StateCounts::MAX_STATES + 2 {
        many.states.add(Token::new(&format!("S{i:02}")).unwrap());
    }
    let mut out = Vec::new();
    counts_object(&mut out, &many);
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["states"]["other"], 2);
    assert_eq!(v["entries"], StateCounts::MAX_STATES as u64 + 2);
}

#[test]
fn empty_counts() {
    let mut out = Vec::new();
    counts_object(&mut out, &Counts::default());
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\"entries\":0,\"local\":0,\"states\":{},\"synced\":0,\"templates\":0}"
    );
}
