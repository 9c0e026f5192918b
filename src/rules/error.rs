//! Why a rule did not make a change: one variant per refusal, so a caller
//! (the forms) can tell which option is wrong without reading the words.
//! `Display` gives ipvsadm's wording where ipvsadm has one.

use std::fmt;

use crate::model::TunnelType;

use super::options::{Cmd, Opt};
use super::value::MAX_TIMEOUT;
use super::{PERSISTENCE_ENGINES, SCHEDULERS};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleError {
    // Reading the words.
    /// An option word no table knows, as written (`--foo`, `-Q`).
    InvalidOption(String),
    /// `--name=value` for an option without a value.
    TakesNoValue(String),
    /// The option as written (`--scheduler`, `-s`) at the end of the line.
    NeedsValue(String),
    MultipleCommands,
    MultipleOption(Opt),
    /// A command lvstop does not take from rules (listing, saving).
    NotAChange(&'static str),
    /// A listing option.
    NotForChanges(&'static str),
    Ipv6BeforeFwmark,
    UnexpectedArgument(String),

    // Reading one value.
    ServiceAddress(String),
    ServerAddress(String),
    Fwmark(String),
    UnknownScheduler(String),
    UnknownEngine(String),
    /// A timeout below `min` (1 for `-p`, 0 for `--set`) or above 31 days.
    Timeout {
        value: String,
        min: u32,
    },
    Weight(String),
    UpperThreshold(String),
    LowerThreshold(String),
    TunnelType(String),
    TunnelPort(String),
    Netmask(String),
    NonContiguousNetmask(String),
    Ipv6Prefix(String),
    SchedFlag(String),
    IncompatibleSchedFlag {
        flag: String,
        scheduler: String,
    },
    /// `--start-daemon` / `--stop-daemon` with neither master nor backup.
    DaemonRole {
        cmd: Cmd,
        value: String,
    },
    /// `--mcast-interface`: why the name cannot be an interface's, in words.
    Interface(String),
    SyncId(String),
    SyncMaxlen(String),
    McastGroup(String),
    McastPort(String),
    McastTtl(String),

    // The options together.
    NoCommand,
    MissingOption(Opt, Cmd),
    IllegalOption(Opt, Cmd),
    SetNeedsThreeTimeouts,
    ZeroPort,
    OnePacketNotUdp,
    FamilyMismatch,
    TunnelOptionsWithoutTunnel,
    MissingTunnelOption(Opt, TunnelType),
    IllegalTunnelOption(Opt, TunnelType),
    /// The second of two options of which the tunnel type takes one.
    ConflictingTunnelOptions {
        opt: Opt,
        first: Opt,
        tunnel: TunnelType,
    },
    LowerAboveUpper {
        lower: u32,
        upper: u32,
    },
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RuleError::*;
        match self {
            InvalidOption(word) => write!(f, "invalid option `{word}'"),
            TakesNoValue(name) => write!(f, "option `--{name}' takes no value"),
            NeedsValue(spelled) => write!(f, "option `{spelled}' needs a value"),
            MultipleCommands => f.write_str("multiple commands specified"),
            MultipleOption(opt) => write!(f, "multiple '{}' options specified", opt.name()),
            NotAChange(name) => write!(
                f,
                "the '{name}' command is not a table change (rules take -A -E -D -C -a -e -d -Z --set --start-daemon --stop-daemon)"
            ),
            NotForChanges(name) => {
                write!(f, "option '--{name}' is for listing, not a table change")
            }
            Ipv6BeforeFwmark => f.write_str("-6 used before -f"),
            UnexpectedArgument(word) => write!(f, "unexpected argument {word}"),
            ServiceAddress(v) => write!(f, "illegal virtual server address[:port] specified: `{v}'"),
            ServerAddress(v) => write!(f, "illegal real server address[:port] specified: `{v}'"),
            Fwmark(v) => write!(f, "invalid fwmark value `{v}' specified (1 to 4294967295)"),
            UnknownScheduler(v) => write!(
                f,
                "unknown scheduler `{v}' (the kernel's schedulers: {})",
                SCHEDULERS.join(" ")
            ),
            UnknownEngine(v) => write!(
                f,
                "unknown persistence engine `{v}' (the kernel's engines: {})",
                PERSISTENCE_ENGINES.join(" ")
            ),
            Timeout { value, min } => write!(
                f,
                "invalid timeout value `{value}' specified ({min} to {MAX_TIMEOUT})"
            ),
            Weight(v) => write!(f, "illegal weight specified: `{v}' (0 to 2147483647)"),
            UpperThreshold(v) => write!(f, "illegal u_threshold specified: `{v}' (0 to 2147483647)"),
            LowerThreshold(v) => write!(f, "illegal l_threshold specified: `{v}' (0 to 2147483647)"),
            TunnelType(v) => write!(f, "illegal tunnel type specified: `{v}' (one of ipip gue gre)"),
            TunnelPort(v) => write!(f, "illegal tunnel port specified: `{v}' (1 to 65535)"),
            Netmask(v) => write!(f, "illegal virtual server persistent mask specified: `{v}'"),
            NonContiguousNetmask(v) => write!(f, "non-contiguous netmask `{v}'"),
            Ipv6Prefix(v) => write!(f, "illegal ipv6 netmask specified: `{v}' (1 to 128)"),
            SchedFlag(flag) => write!(f, "invalid scheduler flag `{flag}'"),
            IncompatibleSchedFlag { flag, scheduler } => write!(
                f,
                "incompatible scheduler flag `{flag}' (scheduler is {scheduler})"
            ),
            DaemonRole { cmd, value } => write!(
                f,
                "illegal {} parameter specified: `{}' (master or backup)",
                cmd.name(),
                value.escape_debug()
            ),
            Interface(why) => f.write_str(why),
            SyncId(v) => write!(f, "illegal syncid specified: `{}' (0 to 255)", v.escape_debug()),
            SyncMaxlen(v) => write!(
                f,
                "illegal sync-maxlen specified: `{}' (1 to {})",
                v.escape_debug(),
                crate::model::MAX_LEN_MAX
            ),
            McastGroup(v) => write!(
                f,
                "invalid mcast-group `{}' (an IPv4 multicast address, 224.0.0.0/4, or an IPv6 one, ff00::/8)",
                v.escape_debug()
            ),
            McastPort(v) => write!(f, "illegal mcast-port specified: `{}' (1 to 65535)", v.escape_debug()),
            McastTtl(v) => write!(f, "illegal mcast-ttl specified: `{}' (1 to 255)", v.escape_debug()),
            NoCommand => f.write_str(
                "no command given (one of -A -E -D -C -a -e -d -Z --set --start-daemon --stop-daemon)",
            ),
            MissingOption(opt, cmd) => write!(
                f,
                "You need to supply the '{}' option for the '{}' command",
                opt.name(),
                cmd.name()
            ),
            IllegalOption(opt, cmd) => write!(
                f,
                "Illegal '{}' option with the '{}' command",
                opt.name(),
                cmd.name()
            ),
            SetNeedsThreeTimeouts => f.write_str("--set option requires 3 timeout values"),
            ZeroPort => f.write_str("Zero port specified for non-persistent service"),
            OnePacketNotUdp => f.write_str("One-Packet Scheduling is only for UDP virtual services"),
            FamilyMismatch => {
                f.write_str("Different address family is allowed only for tunneling servers")
            }
            TunnelOptionsWithoutTunnel => f.write_str("Tunnel options conflict with forward method"),
            MissingTunnelOption(opt, tunnel) => write!(
                f,
                "You need to supply the '{}' option for the '{}' tunnel type",
                opt.name(),
                tunnel.name()
            ),
            IllegalTunnelOption(opt, tunnel) => write!(
                f,
                "Illegal '{}' option with the '{}' tunnel type",
                opt.name(),
                tunnel.name()
            ),
            ConflictingTunnelOptions { opt, first, tunnel } => write!(
                f,
                "The option '{}' conflicts with the '{}' option in the '{}' tunnel type",
                opt.name(),
                first.name(),
                tunnel.name()
            ),
            LowerAboveUpper { lower, upper } => write!(
                f,
                "lower threshold {lower} is above upper threshold {upper}"
            ),
        }
    }
}

impl std::error::Error for RuleError {}

/// A rules file that did not parse: which line, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    pub error: RuleError,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.error)
    }
}

impl std::error::Error for ParseError {}
