//! Parse ipvsadm rule lines (what `ipvsadm -R` accepts) into `Change`s.
//!
//! Follows ipvsadm 1.31's parse_options/process_options: the same options
//! (short, long, `--long=value`, clustered short flags), the same defaults
//! (scheduler wlc, weight 1, direct routing, persistence 360 s, /32 or /128),
//! the same command/option table (commands_v_options) and tunnel table
//! (tunnel_types_v_options), and the same error wording where ipvsadm has one.
//! It checks more than ipvsadm before the kernel sees anything: scheduler and
//! persistence-engine names, netmask contiguity, lower threshold above upper.
//!
//! Differences, on purpose: option order does not matter (ipvsadm reads `-M`
//! and a port-less `-r` against whatever service option came before them),
//! names are not resolved (addresses and ports must be numeric), IPv4
//! addresses must be dotted quads, and `#` starts a comment.
//!
//! The parts: `lex` reads the words, `value` each option's value,
//! `options` holds ipvsadm's tables, `build` makes the change.

use crate::model::{Change, Forward, Protocol};

use super::build::{Gathered, ServiceArg};
use super::daemon;
use super::error::{ParseError, RuleError};
use super::lex::{Lexer, Spec, Token};
use super::options::Opt;
use super::value::{self, DEFAULT_PERSISTENT_TIMEOUT};

/// Every change in a rules file (`ipvsadm -S` output or hand-written), or the
/// first error: nothing partial.
pub fn parse_rules(text: &str) -> Result<Vec<Change>, ParseError> {
    let mut changes = Vec::new();
    for (i, line) in text.lines().enumerate() {
        match parse_line(line) {
            Ok(Some(c)) => changes.push(c),
            Ok(None) => {}
            Err(error) => return Err(ParseError { line: i + 1, error }),
        }
    }
    Ok(changes)
}

/// One line: `None` for a blank or comment line. A leading `ipvsadm` is skipped.
pub fn parse_line(line: &str) -> Result<Option<Change>, RuleError> {
    let mut tokens: Vec<&str> = Vec::new();
    for t in line.split_whitespace() {
        if t.starts_with('#') {
            break;
        }
        tokens.push(t);
    }
    if tokens
        .first()
        .is_some_and(|t| *t == "ipvsadm" || t.ends_with("/ipvsadm"))
    {
        tokens.remove(0);
    }
    if tokens.is_empty() {
        return Ok(None);
    }
    parse_args(&tokens).map(Some)
}

/// One command's words (without the program name): the change it asks for.
pub fn parse_args<S: AsRef<str>>(args: &[S]) -> Result<Change, RuleError> {
    let mut g = Gathered::default();
    for token in Lexer::new(args.iter().map(|s| s.as_ref()).collect()) {
        match token? {
            Token::Option(spec, value) => gather(&mut g, spec, value)?,
            Token::Positional(word) => g.positional.push(word.to_string()),
        }
    }
    g.build()
}

/// Notes one option and reads its value.
fn gather(g: &mut Gathered, spec: Spec, value: Option<&str>) -> Result<(), RuleError> {
    let v = value.unwrap_or("");
    match spec {
        Spec::Command(c) => return g.set_command(c),
        Spec::Daemon(c) => {
            g.set_command(c)?;
            g.daemon.role = Some(daemon::role(c, v)?);
            return Ok(());
        }
        Spec::OtherCommand(name) => return Err(RuleError::NotAChange(name)),
        Spec::Other(name, _) => return Err(RuleError::NotForChanges(name)),
        Spec::Ipv6 => {
            if !matches!(g.service, Some(ServiceArg::Fwmark(_))) {
                return Err(RuleError::Ipv6BeforeFwmark);
            }
            g.ipv6 = true;
            return Ok(());
        }
        _ => {}
    }
    g.set_option(option_of(spec))?;
    let (o, d, dm) = (&mut g.options, &mut g.dest, &mut g.daemon);
    match spec {
        Spec::Tcp => g.service = Some(ServiceArg::Addr(Protocol::Tcp, value::service_address(v)?)),
        Spec::Udp => g.service = Some(ServiceArg::Addr(Protocol::Udp, value::service_address(v)?)),
        Spec::Sctp => {
            g.service = Some(ServiceArg::Addr(Protocol::Sctp, value::service_address(v)?))
        }
        Spec::Fwmark => g.service = Some(ServiceArg::Fwmark(value::fwmark(v)?)),
        Spec::Scheduler => o.scheduler = Some(value::scheduler(v)?),
        Spec::Persistent => {
            o.persistent = Some(match value {
                None => DEFAULT_PERSISTENT_TIMEOUT,
                Some(t) => value::timeout(t, 1)?,
            })
        }
        Spec::Netmask => o.netmask = Some(v.to_string()),
        Spec::Server => g.server = Some(value::server_address(v)?),
        Spec::Masq => d.forward = Some(Forward::Masq),
        Spec::Ipip => d.forward = Some(Forward::Tunnel),
        Spec::Gate => d.forward = Some(Forward::Route),
        Spec::Weight => d.weight = Some(value::weight(v)?),
        Spec::Upper => d.upper = Some(value::upper_threshold(v)?),
        Spec::Lower => d.lower = Some(value::lower_threshold(v)?),
        Spec::Ops => o.ops = true,
        Spec::Pe => o.pe = Some(value::engine(v)?),
        Spec::SchedFlags => o.sched_flags = Some(v.to_string()),
        Spec::TunType => d.tun_type = Some(value::tunnel_type(v)?),
        Spec::TunPort => d.tun_port = Some(value::tunnel_port(v)?),
        Spec::TunNocsum => d.checksums.push(Opt::TunNocsum),
        Spec::TunCsum => d.checksums.push(Opt::TunCsum),
        Spec::TunRemcsum => d.checksums.push(Opt::TunRemcsum),
        Spec::McastInterface => dm.interface = Some(daemon::interface(v)?),
        Spec::SyncId => dm.sync_id = Some(daemon::sync_id(v)?),
        Spec::McastGroup => dm.group = Some(daemon::group(v)?),
        Spec::McastPort => dm.port = Some(daemon::port(v)?),
        Spec::McastTtl => dm.ttl = Some(daemon::ttl(v)?),
        Spec::SyncMaxlen => dm.max_len = Some(daemon::max_len(v)?),
        Spec::Numeric => {}
        Spec::Command(_)
        | Spec::Daemon(_)
        | Spec::OtherCommand(_)
        | Spec::Other(..)
        | Spec::Ipv6 => {
            unreachable!("handled above")
        }
    }
    Ok(())
}

/// The commands_v_options column an option word fills.
fn option_of(spec: Spec) -> Opt {
    match spec {
        Spec::Tcp | Spec::Udp | Spec::Sctp | Spec::Fwmark => Opt::Service,
        Spec::Scheduler => Opt::Scheduler,
        Spec::Persistent => Opt::Persistent,
        Spec::Netmask => Opt::Netmask,
        Spec::Server => Opt::Server,
        Spec::Masq | Spec::Ipip | Spec::Gate => Opt::Forward,
        Spec::Weight => Opt::Weight,
        Spec::Upper => Opt::UThreshold,
        Spec::Lower => Opt::LThreshold,
        Spec::Numeric => Opt::Numeric,
        Spec::Ops => Opt::Ops,
        Spec::Pe => Opt::Pe,
        Spec::SchedFlags => Opt::SchedFlags,
        Spec::TunType => Opt::TunType,
        Spec::TunPort => Opt::TunPort,
        Spec::TunNocsum => Opt::TunNocsum,
        Spec::TunCsum => Opt::TunCsum,
        Spec::TunRemcsum => Opt::TunRemcsum,
        Spec::McastInterface => Opt::McastInterface,
        Spec::SyncId => Opt::SyncId,
        Spec::McastGroup => Opt::McastGroup,
        Spec::McastPort => Opt::McastPort,
        Spec::McastTtl => Opt::McastTtl,
        Spec::SyncMaxlen => Opt::SyncMaxlen,
        Spec::Command(_)
        | Spec::Daemon(_)
        | Spec::OtherCommand(_)
        | Spec::Other(..)
        | Spec::Ipv6 => {
            unreachable!("not a commands_v_options column")
        }
    }
}
