//! `--filter SELECTOR`: which connection-table entries batch mode keeps.
//!
//! The words are the monitor's (`/` matches a row's address and port and
//! its protocol: `tcp 192.0.2.10:80`), made exact for entries, so that
//! `10.1.0.3` does not also keep `10.1.0.30` as grep would:
//!
//! - `ADDR`, `ADDR:PORT`, `[V6]:PORT`, `:PORT`, `ADDR/LEN`: the client, the
//!   virtual or the real address is that address (any port), address and
//!   port, port, or in that prefix;
//! - `client=`, `virtual=`, `real=` before one of those: only that column;
//! - `tcp`, `udp`, `sctp`: the protocol (a fwmark service's templates are
//!   `IP`, so they fall outside all three);
//! - `fwm 42` (or `fwm=42`): the entry belongs to the firewall-mark service
//!   42 (its connections carry the packet's own address and protocol, so
//!   only the service's real servers and the templates' mark tell).
//!
//! Terms are separated by blanks and an entry must match every one.
//! The selector comes from the command line: it is capped, and shown back
//! in errors with anything but printable ASCII escaped.

use std::net::{IpAddr, SocketAddr};

use crate::conns::Prefix;
use crate::model::{Connection, ServiceKey};

/// Longest selector accepted, in bytes.
pub const MAX_LEN: usize = 512;
/// Most terms in one selector.
pub const MAX_TERMS: usize = 16;

/// A parsed `--filter`: every term must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnFilter {
    terms: Vec<Term>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Term {
    /// The entry belongs to a firewall-mark service with this mark.
    Mark(u32),
    Protocol(&'static str),
    At(Column, Place),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Any,
    Client,
    Virtual,
    Real,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Addr(IpAddr),
    AddrPort(SocketAddr),
    Port(u16),
    Prefix(Prefix),
}

impl ConnFilter {
    /// The selector's terms, or a sentence saying what is wrong with it.
    pub fn parse(selector: &str) -> Result<ConnFilter, String> {
        if selector.len() > MAX_LEN {
            return Err(format!(
                "--filter is {} bytes long; a selector has at most {MAX_LEN}",
                selector.len()
            ));
        }
        let words: Vec<&str> = selector.split_ascii_whitespace().collect();
        if words.is_empty() {
            return Err(format!(
                "--filter {} selects nothing: {HINT}",
                quoted(selector)
            ));
        }
        if words.len() > MAX_TERMS {
            return Err(format!(
                "--filter has {} terms; a selector has at most {MAX_TERMS}",
                words.len()
            ));
        }
        let mut terms = Vec::with_capacity(words.len());
        let mut words = words.into_iter();
        while let Some(word) = words.next() {
            // `fwm 42`, as the monitor's rows and `-f` say it, or `fwm=42`.
            let mark = if word.eq_ignore_ascii_case("fwm") {
                Some(words.next().unwrap_or(""))
            } else {
                word.get(..4)
                    .filter(|k| k.eq_ignore_ascii_case("fwm="))
                    .map(|_| &word[4..])
            };
            terms.push(match mark {
                Some(mark) => Term::Mark(fwmark(mark)?),
                None => term(word)?,
            });
        }
        Ok(ConnFilter { terms })
    }

    /// Whether a term needs the service each entry belongs to (`fwm`):
    /// the caller then passes it to [`matches_owned`](ConnFilter::matches_owned).
    pub fn needs_owner(&self) -> bool {
        self.terms.iter().any(|t| matches!(t, Term::Mark(_)))
    }

    /// Whether `c` matches every term (an `fwm` term never does: see
    /// [`matches_owned`](ConnFilter::matches_owned)).
    pub fn matches(&self, c: &Connection) -> bool {
        self.matches_owned(c, None)
    }

    /// Whether `c`, which belongs to `owner` (its service, if any claims
    /// it), matches every term.
    pub fn matches_owned(&self, c: &Connection, owner: Option<&ServiceKey>) -> bool {
        self.terms.iter().all(|t| match *t {
            Term::Mark(m) => {
                matches!(owner, Some(ServiceKey::Fwmark { mark, .. }) if *mark == m)
            }
            Term::Protocol(p) => c.protocol.as_str().eq_ignore_ascii_case(p),
            Term::At(Column::Any, place) => {
                place.holds(&c.client) || place.holds(&c.virtual_addr) || place.holds(&c.real)
            }
            Term::At(Column::Client, place) => place.holds(&c.client),
            Term::At(Column::Virtual, place) => place.holds(&c.virtual_addr),
            Term::At(Column::Real, place) => place.holds(&c.real),
        })
    }
}

const HINT: &str = "give an address, address:port, :port or prefix (10.1.0.0/24), \
optionally after client=, virtual= or real=, or tcp, udp, sctp, or fwm MARK";

const PLACES: &str = "an address, address:port, [v6]:port, :port or prefix (10.1.0.0/24)";

fn fwmark(word: &str) -> Result<u32, String> {
    match word.parse::<u32>() {
        Ok(mark) if mark > 0 => Ok(mark),
        _ => Err(format!(
            "--filter: fwm needs a firewall mark from 1 to {}, not {}",
            u32::MAX,
            quoted(word)
        )),
    }
}

fn term(word: &str) -> Result<Term, String> {
    for p in ["tcp", "udp", "sctp"] {
        if word.eq_ignore_ascii_case(p) {
            return Ok(Term::Protocol(p));
        }
    }
    let (column, value) = match word.split_once('=') {
        None => (Column::Any, word),
        Some((key, value)) => {
            let column = match key.to_ascii_lowercase().as_str() {
                "client" => Column::Client,
                "virtual" => Column::Virtual,
                "real" => Column::Real,
                _ => {
                    return Err(format!(
                        "--filter: {} is not a column: use client=, virtual= or real=",
                        quoted(&format!("{key}="))
                    ))
                }
            };
            (column, value)
        }
    };
    match place(value) {
        Some(Ok(place)) => Ok(Term::At(column, place)),
        Some(Err(e)) => Err(e),
        None if column == Column::Any => Err(format!(
            "--filter: {} is not a protocol (tcp, udp, sctp), {PLACES}",
            quoted(word)
        )),
        None => Err(format!("--filter: {} is not {PLACES}", quoted(word))),
    }
}

/// None when `value` is no place at all; an error when it is one, wrong.
fn place(value: &str) -> Option<Result<Place, String>> {
    // `:80` is a port; `::1` an IPv6 address.
    if let Some(port) = value.strip_prefix(':').filter(|p| !p.starts_with(':')) {
        return port.parse().ok().map(|p| Ok(Place::Port(p)));
    }
    if let Some((addr, len)) = value.split_once('/') {
        let addr: IpAddr = addr.parse().ok()?;
        let bits = if addr.is_ipv4() { 32 } else { 128 };
        let len: u8 = len.parse().ok()?;
        if len > bits {
            return Some(Err(format!(
                "--filter: {} is longer than an address ({bits} bits)",
                quoted(value)
            )));
        }
        return Some(Ok(Place::Prefix(Prefix::new(addr, len))));
    }
    if let Ok(a) = value.parse::<SocketAddr>() {
        return Some(Ok(Place::AddrPort(a)));
    }
    let bare = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value);
    bare.parse().ok().map(|a| Ok(Place::Addr(a)))
}

impl Place {
    fn holds(&self, a: &SocketAddr) -> bool {
        match *self {
            Place::Addr(ip) => a.ip() == ip,
            Place::AddrPort(s) => *a == s,
            Place::Port(port) => a.port() == port,
            Place::Prefix(net) => net.contains(a.ip()),
        }
    }
}

/// `'text'` with anything but printable ASCII escaped, so a selector never
/// puts a control sequence on the operator's terminal.
pub fn quoted(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        if c == ' ' || c.is_ascii_graphic() {
            out.push(c);
        } else {
            out.extend(c.escape_unicode());
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests;
