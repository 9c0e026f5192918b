//! The service and real-server forms: every option of `ipvsadm -A/-E` and
//! `-a/-e`, validated as typed by the same grammar `lvstop apply` reads
//! (`rules::parse_args`), so the form and a rules file can never disagree
//! about what is valid.
//!
//! Each field is checked against the fields it depends on only: the form's
//! arguments are parsed field by field in dependency order, and the first
//! field whose arguments make the parse fail carries the message. A field
//! that fails is left out of the later checks, so several fields can carry
//! a message at once.

use std::net::IpAddr;

use crate::model::{Change, Dest, DestKey, Forward, Service, ServiceFlags, ServiceKey};
use crate::rules::{self, PERSISTENCE_ENGINES, SCHEDULERS};

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

    fn text(id: FieldId, s: impl Into<String>) -> Field {
        Field {
            id,
            input: Input::Text(s.into()),
            locked: false,
            error: None,
        }
    }

    fn choice(id: FieldId, options: &[&'static str], value: &str) -> Field {
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

/// Which form, and for an edit what it edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    AddService,
    EditService(ServiceKey),
    AddDest(ServiceKey),
    EditDest(ServiceKey, DestKey),
}

/// A form being filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub kind: Kind,
    pub fields: Vec<Field>,
    /// The focused field (an index into the visible fields).
    pub focus: usize,
    /// Why the last send failed (the kernel's refusal, in words).
    pub refusal: Option<String>,
    /// Sent, waiting for the kernel's answer.
    pub sending: bool,
}

/// ipvsadm caps weights and thresholds at INT_MAX; lvstop at 65535, as the
/// issue of weight keys and forms asks.
const MAX_WEIGHT: u64 = 65535;

const PROTOCOLS: &[&str] = &["tcp", "udp", "sctp", "fwmark"];
const FAMILIES: &[&str] = &["ipv4", "ipv6"];
const YES_NO: &[&str] = &["no", "yes"];
const FORWARDS: &[&str] = &["route", "masq", "tunnel", "local"];
const TUN_TYPES: &[&str] = &["ipip", "gue", "gre"];
const CHECKSUMS: &[&str] = &["nocsum", "csum", "remcsum"];

fn engines() -> Vec<&'static str> {
    let mut v = vec!["none"];
    v.extend_from_slice(PERSISTENCE_ENGINES);
    v
}

impl Form {
    /// An empty `ipvsadm -A` form with ipvsadm's defaults.
    pub fn add_service() -> Form {
        let engines = engines();
        Form::new(
            Kind::AddService,
            vec![
                Field::choice(FieldId::Protocol, PROTOCOLS, "tcp"),
                Field::choice(FieldId::Family, FAMILIES, "ipv4"),
                Field::text(FieldId::Address, ""),
                Field::text(FieldId::Port, ""),
                Field::text(FieldId::Mark, ""),
                Field::choice(FieldId::Scheduler, SCHEDULERS, "wlc"),
                Field::text(FieldId::SchedFlags, ""),
                Field::text(FieldId::Persistence, ""),
                Field::text(FieldId::Netmask, ""),
                Field::choice(FieldId::OnePacket, YES_NO, "no"),
                Field::choice(FieldId::Engine, &engines, "none"),
            ],
        )
    }

    /// An `ipvsadm -E` form holding the service as it is; its identity is
    /// locked.
    pub fn edit_service(service: &Service) -> Form {
        let mut f = Form::add_service();
        f.kind = Kind::EditService(service.key);
        match service.key {
            ServiceKey::Addr {
                protocol,
                addr,
                port,
            } => {
                f.set(FieldId::Protocol, protocol.name().to_ascii_lowercase());
                f.set(FieldId::Address, addr.to_string());
                f.set(FieldId::Port, port.to_string());
            }
            ServiceKey::Fwmark { family, mark } => {
                f.set(FieldId::Protocol, "fwmark");
                f.set(
                    FieldId::Family,
                    if family == crate::model::Family::V6 {
                        "ipv6"
                    } else {
                        "ipv4"
                    },
                );
                f.set(FieldId::Mark, mark.to_string());
            }
        }
        // The rest in ipvsadm's own words, read back through the grammar.
        let words = rules::format::service_options(service);
        let mut it = words.split_whitespace();
        while let Some(opt) = it.next() {
            match opt {
                "-s" => f.set(FieldId::Scheduler, it.next().unwrap_or("wlc")),
                "-p" => f.set(FieldId::Persistence, it.next().unwrap_or("")),
                "-M" => f.set(FieldId::Netmask, it.next().unwrap_or("")),
                "--pe" => f.set(FieldId::Engine, it.next().unwrap_or("none")),
                "-o" => f.set(FieldId::OnePacket, "yes"),
                "-b" => f.set(FieldId::SchedFlags, it.next().unwrap_or("")),
                _ => {}
            }
        }
        for id in [
            FieldId::Protocol,
            FieldId::Family,
            FieldId::Address,
            FieldId::Port,
            FieldId::Mark,
        ] {
            f.field_mut(id).locked = true;
        }
        f.validate();
        f
    }

    /// An empty `ipvsadm -a` form for a real server of `service`.
    pub fn add_dest(service: ServiceKey) -> Form {
        Form::new(
            Kind::AddDest(service),
            vec![
                Field::text(FieldId::Server, ""),
                Field::text(FieldId::ServerPort, ""),
                Field::choice(FieldId::Forward, FORWARDS, "route"),
                Field::text(FieldId::Weight, "1"),
                Field::text(FieldId::Upper, ""),
                Field::text(FieldId::Lower, ""),
                Field::choice(FieldId::TunType, TUN_TYPES, "ipip"),
                Field::text(FieldId::TunPort, ""),
                Field::choice(FieldId::Checksum, CHECKSUMS, "nocsum"),
            ],
        )
    }

    /// An `ipvsadm -e` form holding the real server as it is.
    pub fn edit_dest(service: ServiceKey, dest: &Dest) -> Form {
        let mut f = Form::add_dest(service);
        f.kind = Kind::EditDest(service, dest.key());
        f.set(FieldId::Server, dest.addr.to_string());
        f.set(FieldId::ServerPort, dest.port.to_string());
        f.set(
            FieldId::Forward,
            match dest.forward {
                Forward::Masq => "masq",
                Forward::Route => "route",
                Forward::Tunnel => "tunnel",
                Forward::Local => "local",
            },
        );
        f.set(FieldId::Weight, dest.weight.to_string());
        if dest.upper_threshold != 0 {
            f.set(FieldId::Upper, dest.upper_threshold.to_string());
        }
        if dest.lower_threshold != 0 {
            f.set(FieldId::Lower, dest.lower_threshold.to_string());
        }
        f.set(FieldId::TunType, dest.tun_type.name().to_ascii_lowercase());
        if dest.tun_port != 0 {
            f.set(FieldId::TunPort, dest.tun_port.to_string());
        }
        let csum = if dest.tun_flags.0 & crate::model::TunnelFlags::REMCSUM != 0 {
            "remcsum"
        } else if dest.tun_flags.0 & crate::model::TunnelFlags::CSUM != 0 {
            "csum"
        } else {
            "nocsum"
        };
        f.set(FieldId::Checksum, csum);
        f.field_mut(FieldId::Server).locked = true;
        f.field_mut(FieldId::ServerPort).locked = true;
        f.validate();
        f
    }

    fn new(kind: Kind, fields: Vec<Field>) -> Form {
        let mut f = Form {
            kind,
            fields,
            focus: 0,
            refusal: None,
            sending: false,
        };
        f.validate();
        f
    }

    pub fn title(&self) -> String {
        match &self.kind {
            Kind::AddService => "Add virtual service (ipvsadm -A)".into(),
            Kind::EditService(k) => format!("Edit service {} (ipvsadm -E)", k),
            Kind::AddDest(k) => format!("Add real server to {} (ipvsadm -a)", k),
            Kind::EditDest(k, d) => format!(
                "Edit real server {} of {} (ipvsadm -e)",
                crate::output::addr_port(&d.addr, d.port),
                k
            ),
        }
    }

    pub fn get(&self, id: FieldId) -> &str {
        self.fields
            .iter()
            .find(|f| f.id == id)
            .map_or("", |f| f.value())
    }

    fn field_mut(&mut self, id: FieldId) -> &mut Field {
        self.fields
            .iter_mut()
            .find(|f| f.id == id)
            .expect("field of this form")
    }

    /// Sets a field (text, or the choice with that name) and revalidates.
    pub fn set(&mut self, id: FieldId, value: impl Into<String>) {
        let value = value.into();
        let f = self.field_mut(id);
        match &mut f.input {
            Input::Text(s) => *s = value,
            Input::Choice { options, at } => {
                if let Some(i) = options.iter().position(|o| *o == value) {
                    *at = i;
                }
            }
        }
        self.validate();
    }

    /// The fields that apply to what is chosen so far, in screen order:
    /// a mark or an address and port, tunnel settings only for tunnels.
    pub fn visible(&self) -> Vec<&Field> {
        self.fields.iter().filter(|f| self.applies(f.id)).collect()
    }

    fn applies(&self, id: FieldId) -> bool {
        let fwmark = self.get(FieldId::Protocol) == "fwmark";
        let tunnel = self.get(FieldId::Forward) == "tunnel";
        let tun = self.get(FieldId::TunType);
        match id {
            FieldId::Family | FieldId::Mark => fwmark,
            FieldId::Address | FieldId::Port => !fwmark,
            FieldId::TunType => tunnel,
            FieldId::TunPort => tunnel && tun == "gue",
            FieldId::Checksum => tunnel && tun != "ipip",
            _ => true,
        }
    }

    pub fn focused(&self) -> Option<FieldId> {
        self.visible().get(self.focus).map(|f| f.id)
    }

    pub fn next_field(&mut self, delta: isize) {
        let n = self.visible().len() as isize;
        if n > 0 {
            self.focus = (self.focus as isize + delta).rem_euclid(n) as usize;
        }
    }

    /// Typing into the focused field (text fields; a choice ignores it).
    pub fn type_char(&mut self, c: char) {
        let Some(id) = self.focused() else { return };
        let f = self.field_mut(id);
        if f.locked {
            return;
        }
        match &mut f.input {
            Input::Text(s) => s.push(c),
            Input::Choice { .. } => {
                if c == ' ' {
                    return self.cycle(1);
                }
            }
        }
        self.refusal = None;
        self.validate();
    }

    pub fn backspace(&mut self) {
        let Some(id) = self.focused() else { return };
        let f = self.field_mut(id);
        if f.locked {
            return;
        }
        if let Input::Text(s) = &mut f.input {
            s.pop();
        }
        self.refusal = None;
        self.validate();
    }

    /// ←/→ on a choice.
    pub fn cycle(&mut self, delta: isize) {
        let Some(id) = self.focused() else { return };
        let f = self.field_mut(id);
        if f.locked {
            return;
        }
        if let Input::Choice { options, at } = &mut f.input {
            *at = (*at as isize + delta).rem_euclid(options.len() as isize) as usize;
        }
        self.refusal = None;
        self.validate();
        // The set of visible fields may have changed under the focus.
        self.focus = self.focus.min(self.visible().len().saturating_sub(1));
    }

    pub fn is_valid(&self) -> bool {
        self.fields
            .iter()
            .filter(|f| self.applies(f.id))
            .all(|f| f.error.is_none())
    }

    /// The change this form asks for, once every field is valid.
    pub fn change(&self) -> Option<Change> {
        if !self.is_valid() {
            return None;
        }
        let all: Vec<FieldId> = self.order();
        let change = rules::parse_args(&self.args(&all)).ok()?;
        Some(self.finish(change))
    }

    /// The equivalent command line: the exact ipvsadm command once valid,
    /// else the words typed so far.
    pub fn command_line(&self) -> String {
        match self.change() {
            Some(c) => rules::command_line(&c),
            None => format!("ipvsadm {}", self.args(&self.order()).join(" ")),
        }
    }

    /// What ipvsadm's options cannot say: the Local forwarding method
    /// (written `-g`, as ipvsadm -S does).
    fn finish(&self, change: Change) -> Change {
        match change {
            Change::AddDest { service, mut dest } | Change::EditDest { service, mut dest }
                if self.get(FieldId::Forward) == "local" =>
            {
                dest.forward = Forward::Local;
                if matches!(self.kind, Kind::AddDest(_)) {
                    Change::AddDest { service, dest }
                } else {
                    Change::EditDest { service, dest }
                }
            }
            c => c,
        }
    }

    /// Dependency order of the visible fields: what a field's check needs
    /// comes before it.
    fn order(&self) -> Vec<FieldId> {
        use FieldId::*;
        let order: &[FieldId] = match self.kind {
            Kind::AddService | Kind::EditService(_) => &[
                Protocol,
                Family,
                Mark,
                Address,
                Persistence,
                Port,
                Netmask,
                Scheduler,
                SchedFlags,
                OnePacket,
                Engine,
            ],
            Kind::AddDest(_) | Kind::EditDest(..) => &[
                Server, ServerPort, Forward, Weight, Upper, Lower, TunType, TunPort, Checksum,
            ],
        };
        order
            .iter()
            .copied()
            .filter(|id| self.applies(*id))
            .collect()
    }

    /// Checks every visible field; sets or clears its message.
    pub fn validate(&mut self) {
        let order = self.order();
        let mut good: Vec<FieldId> = Vec::new();
        let mut errors: Vec<(FieldId, String)> = Vec::new();
        for id in order {
            if let Some(e) = self.own_check(id) {
                errors.push((id, e));
                continue;
            }
            let mut trial = good.clone();
            trial.push(id);
            match rules::parse_args(&self.args(&trial)) {
                Ok(_) => good.push(id),
                Err(e) => errors.push((id, self.words(id, e.to_string()))),
            }
        }
        for f in &mut self.fields {
            f.error = errors
                .iter()
                .find(|(id, _)| *id == f.id)
                .map(|(_, e)| e.clone());
        }
    }

    /// The grammar's message, about this field alone: an address is
    /// checked with a placeholder port, which the operator did not type.
    fn words(&self, id: FieldId, e: String) -> String {
        let address = e.starts_with("illegal virtual server address")
            || e.starts_with("illegal real server address");
        if address && matches!(id, FieldId::Address | FieldId::Server) {
            format!("not an IPv4 or IPv6 address: `{}'", self.get(id).trim())
        } else {
            e
        }
    }

    /// Checks the grammar cannot make about one field alone: required
    /// fields, port numbers (the grammar reads them joined to an address),
    /// and lvstop's 0-65535 range for weights and thresholds.
    fn own_check(&self, id: FieldId) -> Option<String> {
        let v = self.get(id).trim();
        let number = |max: u64| {
            v.bytes().all(|b| b.is_ascii_digit()) && v.parse::<u64>().is_ok_and(|n| n <= max)
        };
        match id {
            FieldId::Port | FieldId::ServerPort if !v.is_empty() && !number(65535) => {
                Some(format!("a port number from 0 to 65535, not `{v}'"))
            }
            FieldId::Upper | FieldId::Lower if v.is_empty() => None,
            FieldId::Address | FieldId::Mark | FieldId::Server if v.is_empty() => {
                Some("required".into())
            }
            FieldId::Port if v.is_empty() => Some("required (0 with persistence: any port)".into()),
            FieldId::TunPort if v.is_empty() => Some("required for gue tunnels".into()),
            FieldId::Weight | FieldId::Upper | FieldId::Lower if !number(MAX_WEIGHT) => {
                Some(format!("a whole number from 0 to {MAX_WEIGHT}, not `{v}'"))
            }
            _ => None,
        }
    }

    /// The ipvsadm words for the command with only `fields` given; the
    /// service part falls back to a placeholder when its own field is not
    /// among them, so a later field can be checked on its own.
    fn args(&self, fields: &[FieldId]) -> Vec<String> {
        let has = |id| fields.contains(&id);
        let mut a: Vec<String> = Vec::new();
        match &self.kind {
            Kind::AddService | Kind::EditService(_) => {
                a.push(
                    if matches!(self.kind, Kind::AddService) {
                        "-A"
                    } else {
                        "-E"
                    }
                    .into(),
                );
                let protocol = self.get(FieldId::Protocol);
                if protocol == "fwmark" {
                    let mark = if has(FieldId::Mark) {
                        self.get(FieldId::Mark)
                    } else {
                        "1"
                    };
                    a.push("-f".into());
                    a.push(mark.trim().into());
                    if self.get(FieldId::Family) == "ipv6" {
                        a.push("-6".into());
                    }
                } else {
                    let addr = if has(FieldId::Address) {
                        self.get(FieldId::Address).trim().to_string()
                    } else if self.get(FieldId::Address).contains(':') {
                        "2001:db8::1".into()
                    } else {
                        "192.0.2.1".into()
                    };
                    let port = if has(FieldId::Port) {
                        self.get(FieldId::Port).trim()
                    } else {
                        "1"
                    };
                    a.push(
                        match protocol {
                            "udp" => "-u",
                            "sctp" => "--sctp-service",
                            _ => "-t",
                        }
                        .into(),
                    );
                    a.push(join_addr_port(&addr, port));
                }
                if has(FieldId::Scheduler) {
                    a.push("-s".into());
                    a.push(self.get(FieldId::Scheduler).into());
                }
                let persist = self.get(FieldId::Persistence).trim();
                if has(FieldId::Persistence) && !persist.is_empty() {
                    a.push("-p".into());
                    a.push(persist.into());
                }
                let mask = self.get(FieldId::Netmask).trim();
                if has(FieldId::Netmask) && !mask.is_empty() {
                    a.push("-M".into());
                    a.push(mask.trim_start_matches('/').into());
                }
                let flags = self.get(FieldId::SchedFlags).trim();
                if has(FieldId::SchedFlags) && !flags.is_empty() {
                    a.push("-b".into());
                    a.push(flags.into());
                }
                if has(FieldId::OnePacket) && self.get(FieldId::OnePacket) == "yes" {
                    a.push("-o".into());
                }
                let pe = self.get(FieldId::Engine);
                if has(FieldId::Engine) && pe != "none" {
                    a.push("--pe".into());
                    a.push(pe.into());
                }
            }
            Kind::AddDest(service) | Kind::EditDest(service, _) => {
                a.push(
                    if matches!(self.kind, Kind::AddDest(_)) {
                        "-a"
                    } else {
                        "-e"
                    }
                    .into(),
                );
                a.extend(
                    rules::format::service_arg(service)
                        .split_whitespace()
                        .map(String::from),
                );
                let server = if has(FieldId::Server) {
                    self.get(FieldId::Server).trim().to_string()
                } else {
                    match service.family() {
                        crate::model::Family::V6 => "2001:db8::2".into(),
                        crate::model::Family::V4 => "192.0.2.2".into(),
                    }
                };
                let port = self.get(FieldId::ServerPort).trim();
                a.push("-r".into());
                if has(FieldId::ServerPort) && !port.is_empty() {
                    a.push(join_addr_port(&server, port));
                } else {
                    a.push(server);
                }
                let forward = self.get(FieldId::Forward);
                let tunnel = forward == "tunnel";
                if has(FieldId::Forward) {
                    a.push(
                        match forward {
                            "masq" => "-m",
                            "tunnel" => "-i",
                            _ => "-g",
                        }
                        .into(),
                    );
                } else {
                    // The placeholder for a cross-family server.
                    a.push("-i".into());
                }
                for (id, opt) in [
                    (FieldId::Weight, "-w"),
                    (FieldId::Upper, "-x"),
                    (FieldId::Lower, "-y"),
                ] {
                    let v = self.get(id).trim();
                    if has(id) && !v.is_empty() && !(id != FieldId::Weight && v == "0") {
                        a.push(opt.into());
                        a.push(v.into());
                    }
                }
                if tunnel {
                    let tun = self.get(FieldId::TunType);
                    if has(FieldId::TunType) {
                        a.push("--tun-type".into());
                        a.push(tun.into());
                    }
                    if tun == "gue" && has(FieldId::TunPort) {
                        a.push("--tun-port".into());
                        a.push(self.get(FieldId::TunPort).trim().into());
                    } else if tun == "gue" && has(FieldId::TunType) {
                        // A placeholder: the tunnel type is checked before its port.
                        a.push("--tun-port".into());
                        a.push("1".into());
                    }
                    if has(FieldId::Checksum) && tun != "ipip" {
                        a.push(format!("--tun-{}", self.get(FieldId::Checksum)));
                    }
                }
            }
        }
        a
    }
}

/// `a.b.c.d:port` or `[v6]:port`, as ipvsadm reads them.
fn join_addr_port(addr: &str, port: &str) -> String {
    match addr.parse::<IpAddr>() {
        Ok(IpAddr::V6(_)) => format!("[{addr}]:{port}"),
        _ => format!("{addr}:{port}"),
    }
}

/// Scheduler flags the kernel keeps for any scheduler (for the picker: a
/// switch keeps the service's other settings).
pub fn keep_flags(service: &Service) -> u32 {
    service.flags.0 & !ServiceFlags::HASHED
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Protocol;

    /// Fields to set, the field that must carry the message, words of it.
    type Case<'a> = (&'a [(FieldId, &'a str)], FieldId, &'a str);

    fn web() -> ServiceKey {
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.10".parse().unwrap(),
            port: 80,
        }
    }

    /// A valid service form, then one field set to a bad value: the
    /// message sits on that field (containing `words`) and no change comes
    /// out of the form.
    #[test]
    fn service_fields_refuse_bad_values() {
        use FieldId::*;
        let base: &[(FieldId, &str)] = &[(Address, "192.0.2.50"), (Port, "80")];
        let table: &[Case] = &[
            (&[(Address, "")], Address, "required"),
            (
                &[(Address, "192.0.2.256")],
                Address,
                "not an IPv4 or IPv6 address",
            ),
            (
                &[(Address, "192.0.2")],
                Address,
                "not an IPv4 or IPv6 address",
            ),
            (
                &[(Address, "lb.example")],
                Address,
                "not an IPv4 or IPv6 address",
            ),
            (
                &[(Address, "2001:db8::1::2")],
                Address,
                "not an IPv4 or IPv6 address",
            ),
            (&[(Port, "")], Port, "required"),
            (&[(Port, "65536")], Port, "0 to 65535"),
            (&[(Port, "http")], Port, "0 to 65535"),
            (&[(Port, "-1")], Port, "0 to 65535"),
            (
                &[(Port, "0")],
                Port,
                "Zero port specified for non-persistent service",
            ),
            (&[(Persistence, "0")], Persistence, "invalid timeout value"),
            (
                &[(Persistence, "2678401")],
                Persistence,
                "invalid timeout value",
            ),
            (&[(Persistence, "5m")], Persistence, "invalid timeout value"),
            (
                &[(Persistence, "60"), (Netmask, "255.0.255.0")],
                Netmask,
                "non-contiguous",
            ),
            (
                &[(Persistence, "60"), (Netmask, "/24")],
                Netmask,
                "illegal virtual server persistent mask",
            ),
            (
                &[
                    (Address, "2001:db8::5"),
                    (Persistence, "60"),
                    (Netmask, "129"),
                ],
                Netmask,
                "1 to 128",
            ),
            (
                &[(SchedFlags, "sh-port")],
                SchedFlags,
                "incompatible scheduler flag",
            ),
            (
                &[(SchedFlags, "flag-9")],
                SchedFlags,
                "invalid scheduler flag",
            ),
            (&[(OnePacket, "yes")], OnePacket, "only for UDP"),
            (&[(Protocol, "fwmark"), (Mark, "")], Mark, "required"),
            (
                &[(Protocol, "fwmark"), (Mark, "0")],
                Mark,
                "invalid fwmark value",
            ),
            (
                &[(Protocol, "fwmark"), (Mark, "4294967296")],
                Mark,
                "invalid fwmark value",
            ),
        ];
        refuses_each(Form::add_service, base, table);
    }

    #[test]
    fn dest_fields_refuse_bad_values() {
        use FieldId::*;
        let base: &[(FieldId, &str)] = &[(Server, "10.0.0.2")];
        let table: &[Case] = &[
            (&[(Server, "")], Server, "required"),
            (
                &[(Server, "10.0.0.300")],
                Server,
                "not an IPv4 or IPv6 address",
            ),
            (
                &[(Server, "2001:db8::2")],
                Forward,
                "Different address family",
            ),
            (&[(ServerPort, "70000")], ServerPort, "0 to 65535"),
            (&[(Weight, "65536")], Weight, "0 to 65535"),
            (&[(Weight, "")], Weight, "0 to 65535"),
            (&[(Weight, "-3")], Weight, "0 to 65535"),
            (&[(Upper, "65536")], Upper, "0 to 65535"),
            (&[(Lower, "x")], Lower, "0 to 65535"),
            (
                &[(Upper, "5"), (Lower, "9")],
                Lower,
                "above upper threshold",
            ),
            (
                &[(Forward, "tunnel"), (TunType, "gue")],
                TunPort,
                "required for gue",
            ),
            (
                &[(Forward, "tunnel"), (TunType, "gue"), (TunPort, "0")],
                TunPort,
                "illegal tunnel port",
            ),
            (
                &[(Forward, "tunnel"), (TunType, "gre"), (Checksum, "remcsum")],
                Checksum,
                "Illegal 'tun-remcsum' option with the 'gre' tunnel type",
            ),
        ];
        refuses_each(|| Form::add_dest(web()), base, table);
    }

    /// For each case: a fresh form with `base` then the case's values set; the named field
    /// carries an error containing the words, and the form yields no change.
    fn refuses_each(new: impl Fn() -> Form, base: &[(FieldId, &str)], table: &[Case]) {
        for (sets, field, words) in table {
            let mut f = new();
            for (id, v) in base.iter().chain(sets.iter()) {
                f.set(*id, *v);
            }
            let error = f
                .fields
                .iter()
                .find(|x| x.id == *field)
                .and_then(|x| x.error.clone());
            assert!(
                error.as_deref().is_some_and(|e| e.contains(words)),
                "{sets:?}: {field:?} says {error:?}, want {words:?}"
            );
            assert!(f.change().is_none(), "{sets:?}");
        }
    }

    #[test]
    fn valid_forms_give_the_change_and_its_ipvsadm_line() {
        use FieldId::*;
        let mut f = Form::add_service();
        f.set(Protocol, "udp");
        f.set(Address, "2001:db8::53");
        f.set(Port, "53");
        f.set(Persistence, "60");
        f.set(Netmask, "/64");
        f.set(Scheduler, "sh");
        f.set(SchedFlags, "sh-port");
        f.set(OnePacket, "yes");
        assert_eq!(
            f.command_line(),
            "ipvsadm -A -u [2001:db8::53]:53 -s sh -p 60 -M 64 -o -b sh-port"
        );
        let mut d = Form::add_dest(web());
        d.set(Server, "10.0.0.9");
        d.set(Forward, "local");
        let Some(Change::AddDest { dest, .. }) = d.change() else {
            panic!()
        };
        assert_eq!(
            (dest.forward, dest.port, dest.weight),
            (crate::model::Forward::Local, 80, 1)
        );
        // Edit forms lock the identity and read back every setting.
        let mut s = Service::new(web(), "mh");
        s.flags.0 = ServiceFlags::PERSISTENT | ServiceFlags::SCHED1;
        s.timeout = 300;
        s.netmask = 0xffff_ff00;
        let mut e = Form::edit_service(&s);
        e.type_char('9');
        assert_eq!(e.change(), Some(Change::EditService(s.clone())));
        assert!(e.fields.iter().filter(|f| f.locked).count() >= 3);
    }
}
