//! The real-server form (`ipvsadm -a`/`-e`): its fields, which of them
//! apply, each field's check in dependency order, and the real server it
//! makes.

use crate::model::{Change, Dest, Family, Forward, ServiceKey, TunnelFlags, TunnelType};
use crate::rules::build::{self, DestOptions};
use crate::rules::options::Opt;
use crate::rules::value::{self, AddrPort};
use crate::rules::RuleError;

use super::{not_an_address, own_check, Errors, Field, FieldId, Form, Kind};

const FORWARDS: &[&str] = &["route", "masq", "tunnel", "local"];
const TUN_TYPES: &[&str] = &["ipip", "gue", "gre"];
const CHECKSUMS: &[&str] = &["nocsum", "csum", "remcsum"];

pub(super) fn fields() -> Vec<Field> {
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
    ]
}

pub(super) fn title(kind: &Kind) -> String {
    match kind {
        Kind::EditDest(k, d) => format!(
            "Edit real server {} of {} (ipvsadm -e)",
            crate::output::addr_port(&d.addr, d.port),
            k
        ),
        Kind::AddDest(k) => format!("Add real server to {k} (ipvsadm -a)"),
        _ => unreachable!("a real-server form"),
    }
}

/// The service the real server belongs to.
fn service(f: &Form) -> &ServiceKey {
    match &f.kind {
        Kind::AddDest(k) | Kind::EditDest(k, _) => k,
        _ => unreachable!("a real-server form"),
    }
}

/// An edit form's fields from the real server as it is, its address locked.
pub(super) fn read_back(f: &mut Form, dest: &Dest) {
    f.set(FieldId::Server, crate::output::addr(&dest.addr));
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
    f.set(FieldId::TunType, dest.tun_type.name());
    if dest.tun_port != 0 {
        f.set(FieldId::TunPort, dest.tun_port.to_string());
    }
    let csum = if dest.tun_flags.0 & TunnelFlags::REMCSUM != 0 {
        "remcsum"
    } else if dest.tun_flags.0 & TunnelFlags::CSUM != 0 {
        "csum"
    } else {
        "nocsum"
    };
    f.set(FieldId::Checksum, csum);
    f.lock(&[FieldId::Server, FieldId::ServerPort]);
}

/// Tunnel settings only for tunnels, and of them only what the type takes.
pub(super) fn applies(f: &Form, id: FieldId) -> bool {
    let tunnel = forward(f) == Forward::Tunnel;
    let tun = tunnel_type(f);
    match id {
        FieldId::TunType => tunnel,
        FieldId::TunPort => tunnel && tun == TunnelType::Gue,
        FieldId::Checksum => tunnel && tun != TunnelType::Ipip,
        _ => true,
    }
}

fn forward(f: &Form) -> Forward {
    match f.get(FieldId::Forward) {
        "masq" => Forward::Masq,
        "tunnel" => Forward::Tunnel,
        "local" => Forward::Local,
        _ => Forward::Route,
    }
}

fn tunnel_type(f: &Form) -> TunnelType {
    value::tunnel_type(f.get(FieldId::TunType)).unwrap_or_default()
}

/// The checksum option the choice stands for.
fn checksum(f: &Form) -> Opt {
    match f.get(FieldId::Checksum) {
        "csum" => Opt::TunCsum,
        "remcsum" => Opt::TunRemcsum,
        _ => Opt::TunNocsum,
    }
}

/// A threshold as given: empty or 0 is none.
fn threshold(f: &Form, id: FieldId) -> Option<&str> {
    Some(f.text(id)).filter(|v| !v.is_empty() && *v != "0")
}

/// Each visible field checked after the fields its check needs: the
/// server before its forwarding method (families), the upper threshold
/// before the lower, the tunnel type before its options.
pub(super) fn errors(f: &Form) -> Vec<(FieldId, String)> {
    let mut e = Errors::default();
    for id in [
        FieldId::Server,
        FieldId::ServerPort,
        FieldId::Weight,
        FieldId::Upper,
        FieldId::Lower,
        FieldId::TunPort,
    ] {
        if let Some(m) = applies(f, id).then(|| own_check(id, f.text(id))).flatten() {
            e.note(id, m);
        }
    }
    let server = f.text(FieldId::Server);
    match value::address(server) {
        Some(addr) => {
            let families = (service(f).family(), Family::of(&addr));
            if let Err(m) = build::check_family(families.0, families.1, forward(f)) {
                e.note(FieldId::Forward, m);
            }
        }
        None if !e.has(FieldId::Server) => e.note(FieldId::Server, not_an_address(server)),
        None => {}
    }
    if !e.has(FieldId::Weight) {
        if let Err(m) = value::weight(f.text(FieldId::Weight)) {
            e.note(FieldId::Weight, m);
        }
    }
    let upper = match threshold(f, FieldId::Upper).map(value::upper_threshold) {
        _ if e.has(FieldId::Upper) => 0,
        Some(Err(m)) => {
            e.note(FieldId::Upper, m);
            0
        }
        Some(Ok(n)) => n,
        None => 0,
    };
    if let Some(lower) = threshold(f, FieldId::Lower).filter(|_| !e.has(FieldId::Lower)) {
        let checked = value::lower_threshold(lower).and_then(|l| build::check_thresholds(upper, l));
        if let Err(m) = checked {
            e.note(FieldId::Lower, m);
        }
    }
    let tun = tunnel_type(f);
    if applies(f, FieldId::TunPort) && !e.has(FieldId::TunPort) {
        if let Err(m) = value::tunnel_port(f.text(FieldId::TunPort)) {
            e.note(FieldId::TunPort, m);
        }
    }
    if applies(f, FieldId::Checksum) {
        let mut given = vec![checksum(f)];
        if applies(f, FieldId::TunPort) && !e.has(FieldId::TunPort) {
            given.push(Opt::TunPort);
        }
        match build::check_tunnel(tun, &given) {
            // The tunnel port's own field says it is missing.
            Err(RuleError::MissingTunnelOption(..)) | Ok(()) => {}
            Err(m) => e.note(FieldId::Checksum, m),
        }
    }
    e.0
}

/// The real server, built by the grammar's builder from the fields.
pub(super) fn change(f: &Form) -> Option<Change> {
    let service = *service(f);
    let port = match f.text(FieldId::ServerPort) {
        "" => None,
        p => Some(p.parse().ok()?),
    };
    let server = AddrPort {
        addr: value::address(f.text(FieldId::Server))?,
        port,
    };
    let forward = forward(f);
    let tunnel = |id| (forward == Forward::Tunnel && applies(f, id)).then_some(());
    let options = DestOptions {
        forward: Some(forward),
        weight: Some(value::weight(f.text(FieldId::Weight)).ok()?),
        upper: match threshold(f, FieldId::Upper) {
            Some(x) => Some(value::upper_threshold(x).ok()?),
            None => None,
        },
        lower: match threshold(f, FieldId::Lower) {
            Some(y) => Some(value::lower_threshold(y).ok()?),
            None => None,
        },
        tun_type: tunnel(FieldId::TunType).map(|_| tunnel_type(f)),
        tun_port: match tunnel(FieldId::TunPort) {
            Some(()) => Some(value::tunnel_port(f.text(FieldId::TunPort)).ok()?),
            None => None,
        },
        checksums: tunnel(FieldId::Checksum)
            .map(|_| vec![checksum(f)])
            .unwrap_or_default(),
    };
    let vport = match service {
        ServiceKey::Addr { port, .. } => port,
        ServiceKey::Fwmark { .. } => 0,
    };
    let dest = build::dest(&service, vport, server, &options).ok()?;
    Some(match f.kind {
        Kind::EditDest(..) => Change::EditDest { service, dest },
        _ => Change::AddDest { service, dest },
    })
}
