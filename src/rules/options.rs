//! ipvsadm 1.31's compatibility tables: which options each change command
//! takes (commands_v_options) and which options each tunnel type takes
//! (tunnel_types_v_options), for the commands and options rules can say.

use crate::model::TunnelType;

/// The change commands, with ipvsadm's cmdnames[].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Add,
    Edit,
    Del,
    Flush,
    AddDest,
    DelDest,
    EditDest,
    Timeout,
    Zero,
    StartDaemon,
    StopDaemon,
}

impl Cmd {
    pub fn name(self) -> &'static str {
        match self {
            Cmd::Add => "add-service",
            Cmd::Edit => "edit-service",
            Cmd::Del => "delete-service",
            Cmd::Flush => "flush",
            Cmd::AddDest => "add-server",
            Cmd::DelDest => "delete-server",
            Cmd::EditDest => "edit-server",
            Cmd::Timeout => "set",
            Cmd::Zero => "zero",
            Cmd::StartDaemon => "start-daemon",
            Cmd::StopDaemon => "stop-daemon",
        }
    }
}

/// The options a change command can carry, in ipvsadm's optnames[] order
/// (which fixes which error is reported first; the listing options between
/// them are never taken).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opt {
    Numeric,
    Service,
    Scheduler,
    Persistent,
    Netmask,
    Server,
    Forward,
    Weight,
    UThreshold,
    LThreshold,
    McastInterface,
    SyncId,
    Ops,
    Pe,
    SchedFlags,
    McastGroup,
    McastPort,
    McastTtl,
    SyncMaxlen,
    TunType,
    TunPort,
    TunNocsum,
    TunCsum,
    TunRemcsum,
}

pub const ALL_OPTS: [Opt; 24] = [
    Opt::Numeric,
    Opt::Service,
    Opt::Scheduler,
    Opt::Persistent,
    Opt::Netmask,
    Opt::Server,
    Opt::Forward,
    Opt::Weight,
    Opt::UThreshold,
    Opt::LThreshold,
    Opt::McastInterface,
    Opt::SyncId,
    Opt::Ops,
    Opt::Pe,
    Opt::SchedFlags,
    Opt::McastGroup,
    Opt::McastPort,
    Opt::McastTtl,
    Opt::SyncMaxlen,
    Opt::TunType,
    Opt::TunPort,
    Opt::TunNocsum,
    Opt::TunCsum,
    Opt::TunRemcsum,
];

/// The options only a tunnelling real server takes.
pub const TUNNEL_OPTS: [Opt; 5] = [
    Opt::TunType,
    Opt::TunPort,
    Opt::TunNocsum,
    Opt::TunCsum,
    Opt::TunRemcsum,
];

impl Opt {
    /// ipvsadm's optnames[]: the words of its error messages.
    pub fn name(self) -> &'static str {
        match self {
            Opt::Numeric => "numeric",
            Opt::Service => "service-address",
            Opt::Scheduler => "scheduler",
            Opt::Persistent => "persistent",
            Opt::Netmask => "netmask",
            Opt::Server => "real-server",
            Opt::Forward => "forwarding-method",
            Opt::Weight => "weight",
            Opt::UThreshold => "u-threshold",
            Opt::LThreshold => "l-threshold",
            Opt::McastInterface => "mcast-interface",
            Opt::SyncId => "syncid",
            Opt::Ops => "ops",
            Opt::Pe => "pe",
            Opt::SchedFlags => "sched-flags",
            Opt::McastGroup => "mcast-group",
            Opt::McastPort => "mcast-port",
            Opt::McastTtl => "mcast-ttl",
            Opt::SyncMaxlen => "sync-maxlen",
            Opt::TunType => "tun-type",
            Opt::TunPort => "tun-port",
            Opt::TunNocsum => "tun-nocsum",
            Opt::TunCsum => "tun-csum",
            Opt::TunRemcsum => "tun-remcsum",
        }
    }

    pub(super) fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// One cell of ipvsadm's tables: `'+'`, `' '`, `'x'` and `'1'` there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    Compulsory,
    Optional,
    Illegal,
    /// At most one of the options so marked.
    OneOf,
}

/// commands_v_options, for the change commands.
pub fn for_command(cmd: Cmd, opt: Opt) -> Allowed {
    use Allowed::*;
    use Opt::*;
    match cmd {
        Cmd::Add | Cmd::Edit => match opt {
            Service => Compulsory,
            Scheduler | Persistent | Netmask | Ops | Pe | SchedFlags => Optional,
            _ => Illegal,
        },
        Cmd::Del => match opt {
            Service => Compulsory,
            _ => Illegal,
        },
        Cmd::AddDest | Cmd::EditDest => match opt {
            Service | Server => Compulsory,
            Forward | Weight | UThreshold | LThreshold | TunType | TunPort | TunNocsum
            | TunCsum | TunRemcsum => Optional,
            _ => Illegal,
        },
        Cmd::DelDest => match opt {
            Service | Server => Compulsory,
            _ => Illegal,
        },
        Cmd::Zero => match opt {
            Service => Optional,
            _ => Illegal,
        },
        Cmd::StartDaemon => match opt {
            McastInterface | SyncId | McastGroup | McastPort | McastTtl | SyncMaxlen => Optional,
            _ => Illegal,
        },
        Cmd::StopDaemon => match opt {
            SyncId => Optional,
            _ => Illegal,
        },
        Cmd::Flush | Cmd::Timeout => Illegal,
    }
}

/// The options tunnel_types_v_options has columns for, in its order.
pub const TUNNEL_TABLE_OPTS: [Opt; 4] =
    [Opt::TunPort, Opt::TunNocsum, Opt::TunCsum, Opt::TunRemcsum];

/// tunnel_types_v_options.
pub fn for_tunnel(tunnel: TunnelType, opt: Opt) -> Allowed {
    use Allowed::*;
    let row = match tunnel {
        TunnelType::Ipip => [Illegal, Illegal, Illegal, Illegal],
        TunnelType::Gue => [Compulsory, OneOf, OneOf, OneOf],
        TunnelType::Gre => [Illegal, OneOf, OneOf, Illegal],
    };
    TUNNEL_TABLE_OPTS
        .iter()
        .position(|o| *o == opt)
        .map_or(Optional, |i| row[i])
}
