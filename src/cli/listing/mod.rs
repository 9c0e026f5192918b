//! Which listing batch mode prints, from ipvsadm's listing options: the
//! services (in one of ipvsadm's views, all or one), the connections, the
//! timeouts or the sync daemons. Options ipvsadm 1.31 refuses together are
//! refused here in words before anything is read; those it takes together
//! give what it prints (its list command's rules, ipvsadm.c).

use crate::model::{Family, Protocol, ServiceKey};
use crate::output::TextView;
use crate::rules::value;

use super::args::{Args, Format};
use super::conn_filter::{quoted, ConnFilter};

/// Longest `-t`/`-u`/`--sctp-service`/`-f` value read: a bracketed IPv6
/// address and a port fit with room to spare.
const SERVICE_ARG_MAX: usize = 64;

/// What one batch reading prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// `ipvsadm -Ln [view]`, or with `only` `ipvsadm -Ln -t|-u|--sctp-service|-f SERVICE [view]`.
    Services {
        view: TextView,
        only: Option<ServiceKey>,
    },
    /// `ipvsadm -Lnc [--persistent-conn]`, with the parsed `--filter`.
    Connections(Option<ConnFilter>),
    /// `ipvsadm -L --timeout`.
    Timeouts,
    /// `ipvsadm -L --daemon`.
    Daemons,
}

impl Args {
    /// The listing the options ask for, or why they cannot go together.
    pub fn listing(&self) -> Result<Listing, String> {
        let conn_filter = self.check_connections()?;
        let only = self.one_service()?;
        // ipvsadm lists one of these at a time (its '1' options for -L).
        let mut chosen: Vec<&str> = Vec::new();
        if self.connections {
            chosen.push("-c");
        }
        if let Some(flag) = self.service_flag() {
            chosen.push(flag);
        }
        if self.timeout {
            chosen.push("--timeout");
        }
        if self.daemon {
            chosen.push("--daemon");
        }
        if let [first, second, ..] = chosen[..] {
            return Err(format!(
                "{second} conflicts with {first}: a listing shows one of -c, one service, --timeout or --daemon"
            ));
        }
        if let Some(flag) = chosen
            .first()
            .filter(|_| !self.batch || self.command.is_some())
        {
            return Err(format!(
                "{flag} is a batch listing: add -b, as in `lvstop -b -n 1 {flag}`"
            ));
        }
        let batch_view = [
            (self.thresholds, "--thresholds"),
            (self.persistent_conn, "--persistent-conn"),
            (self.tun_info, "--tun-info"),
        ]
        .into_iter()
        .find_map(|(on, flag)| on.then_some(flag));
        if let Some(flag) = batch_view.filter(|_| !self.batch || self.command.is_some()) {
            return Err(format!(
                "{flag} is a batch listing: add -b, as in `lvstop -b -n 1 {flag}`"
            ));
        }
        if self.format == Format::Save {
            if let Some(flag) = chosen.first().copied().or(self.view_flag()) {
                return Err(format!(
                    "--format save writes the whole table's rules: {flag} is a listing, use it with text or json"
                ));
            }
        }
        if self.format == Format::OpenMetrics {
            // One service (-t, -u, --sctp-service, -f) is a table too, and
            // -c adds the entries by state.
            let other = [
                (self.filter.is_some(), "--filter"),
                (self.timeout, "--timeout"),
                (self.daemon, "--daemon"),
            ]
            .into_iter()
            .find_map(|(on, flag)| on.then_some(flag));
            if let Some(flag) = other.or(self.view_flag()) {
                return Err(format!(
                    "--format openmetrics writes every metric of the services' table: {flag} cannot go with it (use text or json)"
                ));
            }
        }
        let director = if self.timeout {
            Some(("--timeout", Listing::Timeouts))
        } else if self.daemon {
            Some(("--daemon", Listing::Daemons))
        } else {
            None
        };
        if let Some((what, listing)) = director {
            // ipvsadm: "options conflicts in the list command".
            let view = [
                (self.stats, "--stats"),
                (self.rate, "--rate"),
                (self.thresholds, "--thresholds"),
                (self.persistent_conn, "--persistent-conn"),
            ]
            .into_iter()
            .find_map(|(on, flag)| on.then_some(flag));
            if let Some(view) = view {
                return Err(format!(
                    "{view} is a view of the services; {what} lists the director's settings, which it does not change: use one or the other"
                ));
            }
            return Ok(listing);
        }
        if self.connections {
            if self.thresholds {
                return Err("--thresholds lists the real servers' limits; -c lists connections, which have none: use one or the other".into());
            }
            return Ok(Listing::Connections(conn_filter));
        }
        Ok(Listing::Services {
            view: self.text_view(),
            only,
        })
    }

    /// The view ipvsadm prints when several are given: --stats, then
    /// --rate, --thresholds, --persistent-conn, --tun-info (print_title).
    fn text_view(&self) -> TextView {
        if self.stats {
            TextView::Stats
        } else if self.rate {
            TextView::Rate
        } else if self.thresholds {
            TextView::Thresholds
        } else if self.persistent_conn {
            TextView::PersistConn
        } else if self.tun_info {
            TextView::TunInfo
        } else {
            TextView::Plain
        }
    }

    /// The first view option given, in ipvsadm's order, for messages.
    fn view_flag(&self) -> Option<&'static str> {
        [
            (self.stats, "--stats"),
            (self.rate, "--rate"),
            (self.thresholds, "--thresholds"),
            (self.persistent_conn, "--persistent-conn"),
            (self.tun_info, "--tun-info"),
        ]
        .into_iter()
        .find_map(|(on, flag)| on.then_some(flag))
    }

    fn service_flag(&self) -> Option<&'static str> {
        [
            (self.tcp_service.is_some(), "-t"),
            (self.udp_service.is_some(), "-u"),
            (self.sctp_service.is_some(), "--sctp-service"),
            (self.fwmark_service.is_some(), "-f"),
        ]
        .into_iter()
        .find_map(|(on, flag)| on.then_some(flag))
    }

    /// The service `-t`, `-u`, `--sctp-service` or `-f` (with `-6`) names.
    fn one_service(&self) -> Result<Option<ServiceKey>, String> {
        let given = [
            (&self.tcp_service, "-t"),
            (&self.udp_service, "-u"),
            (&self.sctp_service, "--sctp-service"),
            (&self.fwmark_service, "-f"),
        ];
        let mut named = given.iter().filter_map(|(v, f)| Some((v.as_deref()?, *f)));
        let first = named.next();
        if let (Some((_, a)), Some((_, b))) = (first, named.next()) {
            return Err(format!(
                "{b} conflicts with {a}: a listing shows one service at a time"
            ));
        }
        let Some((text, flag)) = first else {
            if self.ipv6 {
                return Err(
                    "-6 makes -f's firewall mark an IPv6 service: use it with -f MARK".into(),
                );
            }
            return Ok(None);
        };
        if text.len() > SERVICE_ARG_MAX {
            return Err(format!(
                "{flag}'s value is {} bytes long; a service is at most {SERVICE_ARG_MAX}",
                text.len()
            ));
        }
        if flag == "-f" {
            let mark = value::fwmark(text).map_err(|_| {
                format!(
                    "invalid fwmark value {} for -f (1 to 4294967295)",
                    quoted(text)
                )
            })?;
            let family = if self.ipv6 { Family::V6 } else { Family::V4 };
            return Ok(Some(ServiceKey::Fwmark { family, mark }));
        }
        if self.ipv6 {
            return Err(format!(
                "-6 makes -f's firewall mark an IPv6 service; {flag} takes the family from its address"
            ));
        }
        let protocol = match flag {
            "-t" => Protocol::Tcp,
            "-u" => Protocol::Udp,
            _ => Protocol::Sctp,
        };
        let at = value::service_address(text).map_err(|_| {
            format!(
                "illegal virtual server address[:port] {} for {flag} (VIP:PORT, [V6]:PORT)",
                quoted(text)
            )
        })?;
        Ok(Some(ServiceKey::Addr {
            protocol,
            addr: at.addr,
            // As ipvsadm: no port names the port-0 service.
            port: at.port.unwrap_or(0),
        }))
    }
}

mod run;
#[cfg(test)]
mod tests;

pub use run::{print, reading};
