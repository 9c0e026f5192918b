//! A form's fields: what each holds, its label and its hint.

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Free text.
    Text(String),
    /// One of a fixed list, cycled with ←/→ or space.
    Choice {
        options: Vec<&'static str>,
        at: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub id: FieldId,
    pub input: Input,
    /// Identity fields of an edit form (ipvsadm -E/-e cannot change them).
    pub locked: bool,
    /// The message shown beside the field, if its value is not valid.
    pub error: Option<String>,
}

impl Field {
    pub fn value(&self) -> &str {
        match &self.input {
            Input::Text(s) => s,
            Input::Choice { options, at } => options[*at],
        }
    }

    pub(super) fn text(id: FieldId, s: impl Into<String>) -> Field {
        Field {
            id,
            input: Input::Text(s.into()),
            locked: false,
            error: None,
        }
    }

    pub(super) fn choice(id: FieldId, options: &[&'static str], value: &str) -> Field {
        Field {
            id,
            input: Input::Choice {
                options: options.to_vec(),
                at: options.iter().position(|o| *o == value).unwrap_or(0),
            },
            locked: false,
            error: None,
        }
    }
}

/// Every field either form has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldId {
    Protocol,
    Family,
    Address,
    Port,
    Mark,
    Scheduler,
    SchedFlags,
    Persistence,
    Netmask,
    OnePacket,
    Engine,
    Server,
    ServerPort,
    Forward,
    Weight,
    Upper,
    Lower,
    TunType,
    TunPort,
    Checksum,
    TcpTimeout,
    TcpFinTimeout,
    UdpTimeout,
    Role,
    Interface,
    SyncId,
    MaxLen,
    Group,
    McastPort,
    Ttl,
}

impl FieldId {
    pub fn label(self) -> &'static str {
        match self {
            FieldId::Protocol => "protocol",
            FieldId::Family => "fwmark family",
            FieldId::Address => "address",
            FieldId::Port => "port",
            FieldId::Mark => "firewall mark",
            FieldId::Scheduler => "scheduler",
            FieldId::SchedFlags => "scheduler flags",
            FieldId::Persistence => "persistence (s)",
            FieldId::Netmask => "netmask/prefix",
            FieldId::OnePacket => "one-packet",
            FieldId::Engine => "persistence engine",
            FieldId::Server => "real server",
            FieldId::ServerPort => "port",
            FieldId::Forward => "forwarding",
            FieldId::Weight => "weight",
            FieldId::Upper => "upper threshold",
            FieldId::Lower => "lower threshold",
            FieldId::TunType => "tunnel type",
            FieldId::TunPort => "tunnel port",
            FieldId::Checksum => "tunnel checksum",
            FieldId::TcpTimeout => "tcp (s)",
            FieldId::TcpFinTimeout => "tcpfin (s)",
            FieldId::UdpTimeout => "udp (s)",
            FieldId::Role => "role",
            FieldId::Interface => "mcast interface",
            FieldId::SyncId => "sync id",
            FieldId::MaxLen => "max length (bytes)",
            FieldId::Group => "mcast group",
            FieldId::McastPort => "mcast port",
            FieldId::Ttl => "mcast TTL",
        }
    }

    /// An example shown, dim and italic, in the empty field; it says what
    /// empty means where empty is allowed.
    pub fn placeholder(self) -> &'static str {
        match self {
            FieldId::Address => "e.g. 192.0.2.10 or 2001:db8::a",
            FieldId::Port => "e.g. 80 (0-65535)",
            FieldId::Mark => "e.g. 1 (1-4294967295)",
            FieldId::SchedFlags => "e.g. sh-port,sh-fallback",
            FieldId::Persistence => "empty: none; e.g. 300",
            FieldId::Netmask => "empty: /32 or /128; e.g. /24",
            FieldId::Server => "e.g. 10.0.0.2 or 2001:db8::2",
            FieldId::ServerPort => "empty: the service's port",
            FieldId::Weight => "e.g. 1 (0-65535)",
            FieldId::Upper | FieldId::Lower => "empty: none; e.g. 1000",
            FieldId::TunPort => "e.g. 6080 (1-65535)",
            FieldId::TcpTimeout | FieldId::TcpFinTimeout | FieldId::UdpTimeout => {
                "0 leaves it as it is; e.g. 900"
            }
            FieldId::Interface => "e.g. eth1",
            FieldId::SyncId => "0-255; e.g. 1",
            FieldId::MaxLen => "empty: from the MTU; e.g. 1472",
            FieldId::Group => "empty: 224.0.0.81; or ff02::81",
            FieldId::McastPort => "empty: 8848",
            FieldId::Ttl => "empty: 1 (1-255)",
            _ => "",
        }
    }
}
