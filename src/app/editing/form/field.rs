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
        }
    }

    /// A hint shown in the empty field.
    pub fn placeholder(self) -> &'static str {
        match self {
            FieldId::Address => "192.0.2.10 or 2001:db8::10",
            FieldId::Port => "0-65535",
            FieldId::Mark => "1-4294967295",
            FieldId::SchedFlags => "e.g. sh-port,sh-fallback",
            FieldId::Persistence => "off; seconds to persist",
            FieldId::Netmask => "255.255.255.255 or /128",
            FieldId::Server => "10.0.0.2 or 2001:db8::2",
            FieldId::ServerPort => "the service's port",
            FieldId::Weight => "0-65535",
            FieldId::Upper | FieldId::Lower => "0 (none) - 65535",
            FieldId::TunPort => "1-65535",
            _ => "",
        }
    }
}
