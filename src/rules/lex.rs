//! The getopt clone: ipvsadm's option words (short, long, `--long=value`,
//! clustered short flags, `-p [timeout]`) read into what each word means,
//! one at a time so errors come in the order ipvsadm reports them.

use super::error::RuleError;
use super::options::Cmd;

/// How an option takes its argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    None,
    Required,
    /// `-p [timeout]`: the next word if it does not look like an option (popt).
    Optional,
}

/// What an option word means.
#[derive(Debug, Clone, Copy)]
pub enum Spec {
    Command(Cmd),
    /// A command lvstop does not take from rules (listing, saving).
    OtherCommand(&'static str),
    /// `--start-daemon` / `--stop-daemon`: a command with a value (the role).
    Daemon(Cmd),
    McastInterface,
    SyncId,
    McastGroup,
    McastPort,
    McastTtl,
    SyncMaxlen,
    Tcp,
    Udp,
    Sctp,
    Fwmark,
    Scheduler,
    Persistent,
    Netmask,
    Server,
    Masq,
    Ipip,
    Gate,
    Weight,
    Upper,
    Lower,
    Numeric,
    Ipv6,
    Ops,
    Pe,
    SchedFlags,
    TunType,
    TunPort,
    TunNocsum,
    TunCsum,
    TunRemcsum,
    /// A listing option: valid ipvsadm, never valid in a change.
    Other(&'static str, Arity),
}

impl Spec {
    pub fn arity(self) -> Arity {
        match self {
            Spec::Tcp
            | Spec::Udp
            | Spec::Sctp
            | Spec::Fwmark
            | Spec::Scheduler
            | Spec::Netmask
            | Spec::Server
            | Spec::Weight
            | Spec::Upper
            | Spec::Lower
            | Spec::Pe
            | Spec::SchedFlags
            | Spec::TunType
            | Spec::TunPort
            | Spec::Daemon(_)
            | Spec::McastInterface
            | Spec::SyncId
            | Spec::McastGroup
            | Spec::McastPort
            | Spec::McastTtl
            | Spec::SyncMaxlen => Arity::Required,
            Spec::Persistent => Arity::Optional,
            Spec::Other(_, a) => a,
            _ => Arity::None,
        }
    }
}

fn short_spec(c: char) -> Option<Spec> {
    Some(match c {
        'A' => Spec::Command(Cmd::Add),
        'E' => Spec::Command(Cmd::Edit),
        'D' => Spec::Command(Cmd::Del),
        'C' => Spec::Command(Cmd::Flush),
        'a' => Spec::Command(Cmd::AddDest),
        'e' => Spec::Command(Cmd::EditDest),
        'd' => Spec::Command(Cmd::DelDest),
        'Z' => Spec::Command(Cmd::Zero),
        'L' | 'l' => Spec::OtherCommand("list"),
        'R' => Spec::OtherCommand("restore"),
        'S' => Spec::OtherCommand("save"),
        'h' => Spec::OtherCommand("help"),
        'v' => Spec::OtherCommand("version"),
        't' => Spec::Tcp,
        'u' => Spec::Udp,
        'f' => Spec::Fwmark,
        's' => Spec::Scheduler,
        'p' => Spec::Persistent,
        'M' => Spec::Netmask,
        'r' => Spec::Server,
        'm' => Spec::Masq,
        'i' => Spec::Ipip,
        'g' => Spec::Gate,
        'w' => Spec::Weight,
        'x' => Spec::Upper,
        'y' => Spec::Lower,
        'n' => Spec::Numeric,
        '6' => Spec::Ipv6,
        'o' => Spec::Ops,
        'b' => Spec::SchedFlags,
        'c' => Spec::Other("connection", Arity::None),
        'X' => Spec::Other("exact", Arity::None),
        _ => return None,
    })
}

fn long_spec(name: &str) -> Option<Spec> {
    Some(match name {
        "add-service" => Spec::Command(Cmd::Add),
        "edit-service" => Spec::Command(Cmd::Edit),
        "delete-service" => Spec::Command(Cmd::Del),
        "clear" => Spec::Command(Cmd::Flush),
        "add-server" => Spec::Command(Cmd::AddDest),
        "edit-server" => Spec::Command(Cmd::EditDest),
        "delete-server" => Spec::Command(Cmd::DelDest),
        "zero" => Spec::Command(Cmd::Zero),
        "set" => Spec::Command(Cmd::Timeout),
        "list" => Spec::OtherCommand("list"),
        "restore" => Spec::OtherCommand("restore"),
        "save" => Spec::OtherCommand("save"),
        "help" => Spec::OtherCommand("help"),
        "version" => Spec::OtherCommand("version"),
        "start-daemon" => Spec::Daemon(Cmd::StartDaemon),
        "stop-daemon" => Spec::Daemon(Cmd::StopDaemon),
        "tcp-service" => Spec::Tcp,
        "udp-service" => Spec::Udp,
        "sctp-service" => Spec::Sctp,
        "fwmark-service" => Spec::Fwmark,
        "scheduler" => Spec::Scheduler,
        "persistent" => Spec::Persistent,
        "netmask" => Spec::Netmask,
        "real-server" => Spec::Server,
        "masquerading" => Spec::Masq,
        "ipip" => Spec::Ipip,
        "gatewaying" => Spec::Gate,
        "weight" => Spec::Weight,
        "u-threshold" => Spec::Upper,
        "l-threshold" => Spec::Lower,
        "numeric" => Spec::Numeric,
        "ipv6" => Spec::Ipv6,
        "ops" => Spec::Ops,
        "pe" => Spec::Pe,
        "sched-flags" => Spec::SchedFlags,
        "tun-type" => Spec::TunType,
        "tun-port" => Spec::TunPort,
        "tun-nocsum" => Spec::TunNocsum,
        "tun-csum" => Spec::TunCsum,
        "tun-remcsum" => Spec::TunRemcsum,
        "connection" => Spec::Other("connection", Arity::None),
        "timeout" => Spec::Other("timeout", Arity::None),
        "daemon" => Spec::Other("daemon", Arity::None),
        "stats" => Spec::Other("stats", Arity::None),
        "rate" => Spec::Other("rate", Arity::None),
        "thresholds" => Spec::Other("thresholds", Arity::None),
        "persistent-conn" => Spec::Other("persistent-conn", Arity::None),
        "nosort" => Spec::Other("nosort", Arity::None),
        "sort" => Spec::Other("sort", Arity::None),
        "exact" => Spec::Other("exact", Arity::None),
        "tun-info" => Spec::Other("tun-info", Arity::None),
        "mcast-interface" => Spec::McastInterface,
        "syncid" => Spec::SyncId,
        "mcast-group" => Spec::McastGroup,
        "mcast-port" => Spec::McastPort,
        "mcast-ttl" => Spec::McastTtl,
        "sync-maxlen" => Spec::SyncMaxlen,
        _ => return None,
    })
}

/// One word, or one flag of a cluster, read.
#[derive(Debug, Clone, Copy)]
pub enum Token<'a> {
    Option(Spec, Option<&'a str>),
    Positional(&'a str),
}

/// The tokens of one command's words, in order.
pub struct Lexer<'a> {
    args: Vec<&'a str>,
    next: usize,
    /// The rest of a short-flag cluster (`-tn` after `-t`... ), if any.
    cluster: &'a str,
}

impl<'a> Lexer<'a> {
    pub fn new(args: Vec<&'a str>) -> Lexer<'a> {
        Lexer {
            args,
            next: 0,
            cluster: "",
        }
    }

    fn take_word(&mut self) -> Option<&'a str> {
        let w = self.args.get(self.next).copied();
        self.next += usize::from(w.is_some());
        w
    }

    /// The value of an optional-argument option: the next word unless it
    /// looks like an option.
    fn take_optional(&mut self) -> Option<&'a str> {
        match self.args.get(self.next) {
            Some(v) if !v.starts_with('-') => self.take_word(),
            _ => None,
        }
    }

    fn long(&mut self, word: &'a str, long: &'a str) -> Result<Token<'a>, RuleError> {
        let (name, inline) = match long.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (long, None),
        };
        let spec = long_spec(name).ok_or_else(|| RuleError::InvalidOption(word.to_string()))?;
        let value = match (spec.arity(), inline) {
            (Arity::None, Some(_)) => return Err(RuleError::TakesNoValue(name.to_string())),
            (Arity::None, None) => None,
            (_, Some(v)) => Some(v),
            (Arity::Required, None) => Some(
                self.take_word()
                    .ok_or_else(|| RuleError::NeedsValue(format!("--{name}")))?,
            ),
            (Arity::Optional, None) => self.take_optional(),
        };
        Ok(Token::Option(spec, value))
    }

    fn short(&mut self) -> Result<Token<'a>, RuleError> {
        let body = self.cluster;
        let c = body.chars().next().expect("a flag left");
        let rest = &body[c.len_utf8()..];
        self.cluster = "";
        let spec = short_spec(c).ok_or_else(|| RuleError::InvalidOption(format!("-{c}")))?;
        let value = match spec.arity() {
            Arity::None => {
                self.cluster = rest;
                None
            }
            _ if !rest.is_empty() => Some(rest),
            Arity::Required => Some(
                self.take_word()
                    .ok_or_else(|| RuleError::NeedsValue(format!("-{c}")))?,
            ),
            Arity::Optional => self.take_optional(),
        };
        Ok(Token::Option(spec, value))
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Result<Token<'a>, RuleError>;

    fn next(&mut self) -> Option<Self::Item> {
        if !self.cluster.is_empty() {
            return Some(self.short());
        }
        let word = self.take_word()?;
        Some(if let Some(long) = word.strip_prefix("--") {
            self.long(word, long)
        } else if word.len() > 1 && word.starts_with('-') {
            self.cluster = &word[1..];
            self.short()
        } else {
            Ok(Token::Positional(word))
        })
    }
}
