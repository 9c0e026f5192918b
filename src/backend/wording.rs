//! Kernel answers in an operator's words.
//!
//! Shared by the kernel client and the demo director so that both say the
//! same thing for the same refusal.

use super::{Error, ErrorKind};
use crate::model::addr::addr_port;
use crate::model::{Change, DestKey};

/// `10.0.0.2:80` or `[2001:db8::2]:80`.
pub fn dest_name(dest: &DestKey) -> String {
    addr_port(&dest.addr, dest.port)
}

/// What a change is about, for messages: `virtual service TCP 10.0.0.1:80`.
pub fn subject(change: &Change) -> String {
    match change {
        Change::AddService(s) | Change::EditService(s) => format!("virtual service {}", s.key),
        Change::DeleteService(k) => format!("virtual service {k}"),
        Change::AddDest { service, dest } | Change::EditDest { service, dest } => {
            format!("real server {} of {service}", dest_name(&dest.key()))
        }
        Change::DeleteDest { service, dest } => {
            format!("real server {} of {service}", dest_name(dest))
        }
        Change::Zero(Some(k)) => format!("counters of {k}"),
        Change::Zero(None) => "all counters".to_string(),
        Change::Flush => "the whole table".to_string(),
        Change::SetTimeouts(_) => "connection timeouts".to_string(),
        Change::StartDaemon(d) => format!("the {} sync daemon on {}", d.role, d.interface),
        Change::StopDaemon(role) => format!("the {role} sync daemon"),
    }
}

/// The error for a privileged request refused by the kernel.
pub fn permission_denied(errno: i32) -> Error {
    Error::new(
        ErrorKind::PermissionDenied,
        "permission denied: lvstop needs root or CAP_NET_ADMIN: every IPVS request, even a read, is privileged",
    )
    .with_errno(errno)
}

/// The error when the kernel has no IPVS family.
pub fn not_available() -> Error {
    Error::new(
        ErrorKind::NotAvailable,
        "IPVS is not available: load it with `modprobe ip_vs`",
    )
}

/// Words for a kernel refusal of `change` with positive `errno`.
pub fn change_error(errno: i32, change: &Change) -> Error {
    if let Some(e) = daemon_error(errno, change) {
        return e.with_errno(errno);
    }
    let what = subject(change);
    match errno {
        libc::EPERM | libc::EACCES => permission_denied(errno),
        libc::EEXIST => Error::new(ErrorKind::Exists, format!("{what} already exists")),
        libc::ESRCH => {
            let service = match change {
                Change::AddDest { service, .. }
                | Change::EditDest { service, .. }
                | Change::DeleteDest { service, .. }
                | Change::Zero(Some(service)) => format!("virtual service {service}"),
                _ => what,
            };
            Error::new(ErrorKind::NotFound, format!("{service} does not exist"))
        }
        libc::ENOENT => match change {
            Change::AddService(s) | Change::EditService(s) => {
                let pe = s
                    .pe_name
                    .as_deref()
                    .map(|p| format!(" or persistence engine '{p}' (ip_vs_pe_{p})"))
                    .unwrap_or_default();
                Error::new(
                    ErrorKind::NotFound,
                    format!(
                        "the kernel cannot load scheduler '{}' (module ip_vs_{}){pe} for {what}",
                        s.scheduler, s.scheduler
                    ),
                )
            }
            _ => Error::new(ErrorKind::NotFound, format!("{what} does not exist")),
        },
        libc::EINVAL => Error::new(
            ErrorKind::Invalid,
            format!("the kernel refused {what} as invalid: {}", sent(change)),
        ),
        // ip_vs_add_dest / ip_vs_edit_dest: lower threshold above upper, or a
        // weight that does not fit the kernel's int.
        libc::ERANGE => Error::new(
            ErrorKind::Invalid,
            format!(
                "the kernel refused {what}: a value is out of range (lower threshold above upper, or weight above 2147483647): {}",
                sent(change)
            ),
        ),
        libc::EAFNOSUPPORT => Error::new(
            ErrorKind::Invalid,
            format!("the kernel refused {what}: address family not supported (IPv6 disabled, or a mixed-family real server without tunnel forwarding)"),
        ),
        libc::ENOMEM => Error::new(ErrorKind::Io, format!("the kernel is out of memory for {what}")),
        _ => Error::new(
            ErrorKind::Io,
            format!("the kernel refused {what}: {}", strerror(errno)),
        ),
    }
    .with_errno(errno)
}

/// The sync daemon's refusals (ip_vs_genl_new_daemon, start_sync_thread,
/// stop_sync_thread on 6.1 and 6.12), where the generic words would mislead.
fn daemon_error(errno: i32, change: &Change) -> Option<Error> {
    let (kind, message) = match (change, errno) {
        (Change::StartDaemon(d), libc::EEXIST) => (
            ErrorKind::Exists,
            format!(
                "a {0} sync daemon is already running: stop it first (ipvsadm --stop-daemon {0})",
                d.role
            ),
        ),
        (Change::StartDaemon(d), libc::ENODEV) => (
            ErrorKind::NotFound,
            format!(
                "no interface {} in the table's network namespace for the {} sync daemon",
                d.interface, d.role
            ),
        ),
        (Change::StartDaemon(d), libc::EINVAL) => match d.group {
            Some(g) if !g.is_multicast() => (
                ErrorKind::Invalid,
                format!(
                    "the kernel refused the {} sync daemon: group {} is not a multicast address",
                    d.role,
                    crate::model::addr::addr(&g)
                ),
            ),
            // The one other refusal the kernel has for a well-formed start.
            _ => (
                ErrorKind::Invalid,
                format!(
                    "the kernel refused the {} sync daemon: a real server of another address family than its service exists, and the sync protocol cannot carry mixed-family services; delete that real server first",
                    d.role
                ),
            ),
        },
        (Change::StartDaemon(d), libc::EAFNOSUPPORT) => (
            ErrorKind::Invalid,
            format!(
                "the kernel refused the {} sync daemon: its IPVS has no IPv6, so the IPv6 multicast group cannot be used",
                d.role
            ),
        ),
        // Measured on 6.1 and 6.12: a master's socket cannot reach its
        // group through a down interface, or one without the group's family
        // (an IPv6 group where IPv6 is disabled).
        (Change::StartDaemon(d), libc::ENETUNREACH) => {
            let group = d
                .group
                .map_or("224.0.0.81".to_string(), |g| crate::model::addr::addr(&g));
            (
                ErrorKind::Invalid,
                format!(
                    "the kernel refused the {} sync daemon: group {group} is unreachable through {}: the interface is down or has no address of the group's family",
                    d.role, d.interface
                ),
            )
        }
        (Change::StopDaemon(role), libc::ESRCH) => (
            ErrorKind::NotFound,
            format!("no {role} sync daemon is running"),
        ),
        _ => return None,
    };
    Some(Error::new(kind, message))
}

/// Words for a failed read (`what` names it: "the list of virtual services").
pub fn read_error(errno: i32, what: &str) -> Error {
    match errno {
        libc::EPERM | libc::EACCES => permission_denied(errno),
        libc::ESRCH | libc::ENOENT => {
            Error::new(ErrorKind::NotFound, format!("{what}: no longer exists")).with_errno(errno)
        }
        _ => Error::new(
            ErrorKind::Io,
            format!("reading {what} failed: {}", strerror(errno)),
        )
        .with_errno(errno),
    }
}

/// The C library's text for an errno, without the `(os error N)` suffix.
pub fn strerror(errno: i32) -> String {
    let text = std::io::Error::from_raw_os_error(errno).to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_lowercase(),
        None => text,
    }
}

/// A compact description of what was sent, for EINVAL messages.
fn sent(change: &Change) -> String {
    match change {
        Change::AddService(s) | Change::EditService(s) => format!(
            "scheduler {}, flags {:#x}, timeout {}, netmask {:#x}{}",
            s.scheduler,
            s.flags.0,
            s.timeout,
            s.netmask,
            s.pe_name
                .as_deref()
                .map(|p| format!(", pe {p}"))
                .unwrap_or_default()
        ),
        Change::AddDest { dest, .. } | Change::EditDest { dest, .. } => format!(
            "forwarding {}, weight {}, thresholds {}/{}, tunnel {} port {} flags {:#x}",
            dest.forward.name(),
            dest.weight,
            dest.upper_threshold,
            dest.lower_threshold,
            dest.tun_type.name(),
            dest.tun_port,
            dest.tun_flags.0
        ),
        other => subject(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dest, Protocol, Service, ServiceKey};

    fn key() -> ServiceKey {
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "10.0.0.1".parse().unwrap(),
            port: 80,
        }
    }

    #[test]
    fn exists_names_the_service() {
        let e = change_error(
            libc::EEXIST,
            &Change::AddService(Service::new(key(), "wlc")),
        );
        assert_eq!(e.kind(), ErrorKind::Exists);
        assert_eq!(
            e.to_string(),
            "virtual service TCP 10.0.0.1:80 already exists"
        );
        assert_eq!(e.errno(), Some(libc::EEXIST));
    }

    #[test]
    fn missing_service_of_a_dest_names_the_service() {
        let dest = Dest::new("10.0.0.2".parse().unwrap(), 80);
        let e = change_error(
            libc::ESRCH,
            &Change::AddDest {
                service: key(),
                dest,
            },
        );
        assert_eq!(
            e.to_string(),
            "virtual service TCP 10.0.0.1:80 does not exist"
        );
    }

    #[test]
    fn missing_dest_names_both() {
        let dest = DestKey {
            addr: "2001:db8::2".parse().unwrap(),
            port: 8080,
        };
        let e = change_error(
            libc::ENOENT,
            &Change::DeleteDest {
                service: key(),
                dest,
            },
        );
        assert_eq!(
            e.to_string(),
            "real server [2001:db8::2]:8080 of TCP 10.0.0.1:80 does not exist"
        );
    }

    #[test]
    fn unknown_scheduler_names_the_module() {
        let e = change_error(
            libc::ENOENT,
            &Change::AddService(Service::new(key(), "foo")),
        );
        assert!(
            e.to_string().contains("scheduler 'foo' (module ip_vs_foo)"),
            "{e}"
        );
    }

    #[test]
    fn zeroing_a_missing_service_names_it() {
        let e = change_error(libc::ESRCH, &Change::Zero(Some(key())));
        assert_eq!(
            e.to_string(),
            "virtual service TCP 10.0.0.1:80 does not exist"
        );
    }

    #[test]
    fn erange_is_invalid_with_what_was_sent() {
        let mut dest = Dest::new("10.0.0.2".parse().unwrap(), 80);
        dest.upper_threshold = 5;
        dest.lower_threshold = 10;
        let e = change_error(
            libc::ERANGE,
            &Change::AddDest {
                service: key(),
                dest,
            },
        );
        assert_eq!(e.kind(), ErrorKind::Invalid);
        assert!(e.to_string().contains("thresholds 5/10"), "{e}");
    }

    #[test]
    fn never_a_bare_os_error() {
        for errno in [
            libc::EPERM,
            libc::EBUSY,
            libc::EINVAL,
            libc::E2BIG,
            libc::ENOMEM,
        ] {
            let e = change_error(errno, &Change::Flush);
            assert!(!e.to_string().contains("os error"), "{e}");
        }
        assert_eq!(strerror(libc::EBUSY), "device or resource busy");
    }

    #[test]
    fn sync_daemon_refusals_say_what_to_do() {
        use crate::model::{Interface, SyncDaemon, SyncRole};
        let mut d = SyncDaemon::new(SyncRole::Master, Interface::new("eth9").unwrap());
        let start = |d: &SyncDaemon, errno| change_error(errno, &Change::StartDaemon(d.clone()));
        let e = start(&d, libc::EEXIST);
        assert_eq!(e.kind(), ErrorKind::Exists);
        assert!(e.to_string().contains("already running"), "{e}");
        assert!(e.to_string().contains("--stop-daemon master"), "{e}");
        let e = start(&d, libc::ENODEV);
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(e.to_string().contains("no interface eth9"), "{e}");
        let e = start(&d, libc::EINVAL);
        assert!(e.to_string().contains("mixed-family"), "{e}");
        assert_eq!(e.errno(), Some(libc::EINVAL));
        d.group = Some("192.0.2.1".parse().unwrap());
        let e = start(&d, libc::EINVAL);
        assert!(
            e.to_string().contains("192.0.2.1 is not a multicast"),
            "{e}"
        );
        let e = start(&d, libc::ENETUNREACH);
        assert!(
            e.to_string()
                .contains("group 192.0.2.1 is unreachable through eth9"),
            "{e}"
        );
        let e = start(&d, libc::EAFNOSUPPORT);
        assert!(e.to_string().contains("no IPv6"), "{e}");
        let e = change_error(libc::ESRCH, &Change::StopDaemon(SyncRole::Backup));
        assert_eq!(e.to_string(), "no backup sync daemon is running");
        assert_eq!(e.kind(), ErrorKind::NotFound);
        let e = start(&d, libc::ENOMEM);
        assert!(e.to_string().contains("master sync daemon on eth9"), "{e}");
    }

    #[test]
    fn permission_message_says_even_reads() {
        let e = read_error(libc::EPERM, "the list of virtual services");
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);
        assert!(e.to_string().contains("even a read"));
    }
}
