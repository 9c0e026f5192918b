//! The ipvsadm rule grammar: lines as `ipvsadm -R` reads them (`parse`, in
//! parts: `lex`, `value`, `options`, `build`). Writing a change back in
//! ipvsadm's words is `output::command`.

pub mod build;
pub mod daemon;
mod error;
mod lex;
pub mod options;
pub mod parse;
pub mod value;

#[cfg(test)]
mod daemon_tests;
#[cfg(test)]
mod tests;

pub use error::{ParseError, RuleError};
pub use parse::{parse_args, parse_line, parse_rules};

/// Schedulers the Linux kernel ships (net/netfilter/ipvs/ip_vs_*.c).
pub const SCHEDULERS: &[&str] = &[
    "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos",
];

/// Persistence engines the Linux kernel ships (ip_vs_pe_sip.c).
pub const PERSISTENCE_ENGINES: &[&str] = &["sip"];
