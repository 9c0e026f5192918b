//! `ipvsadm -Lnc [--persistent-conn]` output read back by the VM tests: the judge's own words,
//! parsed strictly (a line that is not six or eight fields fails the test), so counts taken
//! from it can be compared with lvstop's.

use std::collections::BTreeMap;

/// One entry line of `ipvsadm -Lnc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnLine {
    pub proto: String,
    /// Seconds left (ipvsadm prints `mm:ss`).
    pub expires: u64,
    pub state: String,
    /// `addr:port`, IPv6 as `[addr]:port`, as ipvsadm prints them.
    pub client: String,
    pub virt: String,
    pub real: String,
    /// Persistence engine name and data (`--persistent-conn`, only on lines that have them).
    pub pe: Option<(String, String)>,
}

impl ConnLine {
    /// The service an entry belongs to, in ipvsadm -Ln's words (`TCP 198.51.100.10:80`).
    pub fn service(&self) -> String {
        format!("{} {}", self.proto, self.virt)
    }

    /// Persistence templates carry client port 0.
    pub fn is_template(&self) -> bool {
        self.client.ends_with(":0")
    }

    /// The client address without its port.
    pub fn client_addr(&self) -> &str {
        let (addr, _) = self.client.rsplit_once(':').expect("client has a port");
        addr.trim_start_matches('[').trim_end_matches(']')
    }
}

pub const HEADER: &str = "IPVS connection entries";
pub const COLUMNS: &str =
    "pro expire state       source             virtual            destination";
pub const COLUMNS_PE: &str = "pro expire state       source             virtual            destination        pe name          pe_data";

/// Parses `ipvsadm -Lnc` (or `--persistent-conn`) output; panics, naming the line, on anything
/// that is not its two header lines followed by entry lines.
#[track_caller]
pub fn parse(text: &str, persistent: bool) -> Vec<ConnLine> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(HEADER), "first line of:\n{text}");
    let columns = if persistent { COLUMNS_PE } else { COLUMNS };
    assert_eq!(lines.next(), Some(columns), "second line of:\n{text}");
    lines
        .map(|l| parse_line(l).unwrap_or_else(|e| panic!("{e}: {l:?} in:\n{text}")))
        .collect()
}

/// One entry line, or what is wrong with it.
pub fn parse_line(line: &str) -> Result<ConnLine, String> {
    let f: Vec<&str> = line.split_whitespace().collect();
    if f.len() != 6 && f.len() != 8 {
        return Err(format!("{} fields, not 6 or 8", f.len()));
    }
    if !line.is_ascii() || line.bytes().any(|b| b.is_ascii_control()) {
        return Err("not printable ASCII".into());
    }
    if !matches!(f[0], "TCP" | "UDP" | "SCTP") {
        return Err(format!("protocol {:?}", f[0]));
    }
    let (m, s) = f[1].split_once(':').ok_or("expire not mm:ss")?;
    let (m, s): (u64, u64) = (
        m.parse().map_err(|_| "expire minutes")?,
        s.parse().map_err(|_| "expire seconds")?,
    );
    if s >= 60 || f[1].len() != 5 {
        return Err("expire not mm:ss".into());
    }
    if !f[2].bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
        return Err(format!("state {:?}", f[2]));
    }
    for a in &f[3..6] {
        check_addr(a)?;
    }
    Ok(ConnLine {
        proto: f[0].into(),
        expires: m * 60 + s,
        state: f[2].into(),
        client: f[3].into(),
        virt: f[4].into(),
        real: f[5].into(),
        pe: (f.len() == 8).then(|| (f[6].to_string(), f[7].to_string())),
    })
}

fn check_addr(a: &str) -> Result<(), String> {
    let bad = || format!("address {a:?}");
    let (addr, port) = a.rsplit_once(':').ok_or_else(bad)?;
    port.parse::<u16>().map_err(|_| bad())?;
    let ok = match addr.strip_prefix('[') {
        Some(v6) => v6
            .strip_suffix(']')
            .is_some_and(|v| v.parse::<std::net::Ipv6Addr>().is_ok()),
        None => addr.parse::<std::net::Ipv4Addr>().is_ok(),
    };
    if ok {
        Ok(())
    } else {
        Err(bad())
    }
}

/// Counts by state of each key (`key` picks the service, the real server, ...).
pub fn count_by<K: Ord>(
    lines: &[ConnLine],
    key: impl Fn(&ConnLine) -> K,
) -> BTreeMap<K, BTreeMap<String, u64>> {
    let mut out: BTreeMap<K, BTreeMap<String, u64>> = BTreeMap::new();
    for l in lines {
        *out.entry(key(l))
            .or_default()
            .entry(l.state.clone())
            .or_default() += 1;
    }
    out
}
