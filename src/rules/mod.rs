//! The ipvsadm rule grammar, both ways: lines as `ipvsadm -R` reads them
//! (`parse`, in parts: `lex`, `value`, `options`, `build`) and the ipvsadm
//! command for any change (`format`).

pub mod build;
mod error;
pub mod format;
mod lex;
pub mod options;
pub mod parse;
pub mod value;

#[cfg(test)]
mod tests;

pub use error::{ParseError, RuleError};
pub use format::{command_line, rule};
pub use parse::{parse_args, parse_line, parse_rules};

/// Schedulers the Linux kernel ships (net/netfilter/ipvs/ip_vs_*.c).
pub const SCHEDULERS: &[&str] = &[
    "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos",
];

/// Persistence engines the Linux kernel ships (ip_vs_pe_sip.c).
pub const PERSISTENCE_ENGINES: &[&str] = &["sip"];
