//! The ipvsadm rule grammar, both ways: lines as `ipvsadm -R` reads them
//! (`parse`) and the ipvsadm command for any change (`format`).

pub mod format;
pub mod parse;

#[cfg(test)]
mod tests;

pub use format::{command_line, rule};
pub use parse::{parse_args, parse_line, parse_rules, ParseError, PERSISTENCE_ENGINES, SCHEDULERS};
