//! Command-line options, in top's and ipvsadm's conventions.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use super::completions::Shell;
use super::conn_filter::ConnFilter;
use crate::replay::{moment, Moment};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// ipvsadm -Ln (with --stats / --rate, their --exact forms)
    Text,
    /// one JSON object per snapshot per line
    Json,
    /// ipvsadm -Sn lines, restorable with `ipvsadm -R`, keeping thresholds and tunnel options
    Save,
    /// Prometheus text exposition (node_exporter's textfile collector reads it), ending in `# EOF`
    #[value(name = "openmetrics")]
    OpenMetrics,
}

#[derive(Debug, Parser)]
#[command(
    name = "lvstop",
    version,
    about = "top for IPVS: watch and change the Linux Virtual Server table",
    after_help = "Without --batch, lvstop starts the live monitor. Try `lvstop --demo` (no root, no IPVS needed)."
)]
pub struct Args {
    /// Print snapshots to stdout instead of starting the monitor
    #[arg(short = 'b', long = "batch")]
    pub batch: bool,

    /// Number of snapshots to print in batch mode (forever if not given)
    #[arg(short = 'n', long = "iterations", value_name = "N", allow_negative_numbers = true, value_parser = parse_iterations)]
    pub iterations: Option<u64>,

    /// Seconds between snapshots (batch) or polls (monitor)
    #[arg(short = 'd', long = "delay", value_name = "SECONDS", allow_negative_numbers = true, value_parser = parse_delay)]
    pub delay: Option<f64>,

    /// Batch output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Batch: write each snapshot to FILE atomically (a temporary file in its directory, then
    /// renamed over FILE), e.g. for node_exporter's textfile collector
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Record every reading of the table to FILE (monitor and batch; with -b nothing is printed):
    /// a compressed, crash-safe recording that --replay reads back
    #[arg(long, value_name = "FILE", conflicts_with_all = ["output", "connections", "replay"])]
    pub record: Option<PathBuf>,

    /// With --record: the most the recording keeps on disk, e.g. 500M or 2G (default 1G); the
    /// oldest data goes first
    #[arg(long, value_name = "SIZE", requires = "record", value_parser = crate::record::parse_size)]
    pub record_max: Option<u64>,

    /// Text format: counters, as `ipvsadm -Ln --stats --exact`
    #[arg(long, conflicts_with = "rate")]
    pub stats: bool,

    /// Text format: the kernel's rates, as `ipvsadm -Ln --rate --exact`
    #[arg(long)]
    pub rate: bool,

    /// Batch: the connection table, as `ipvsadm -Lnc` (with --format json: entries and counts)
    #[arg(short = 'c', long = "connections")]
    pub connections: bool,

    /// Services: the PersistConn column, as `ipvsadm -Ln --persistent-conn`; with -c:
    /// persistence-engine name and data, as `ipvsadm -Lnc --persistent-conn`
    #[arg(long = "persistent-conn")]
    pub persistent_conn: bool,

    /// Batch: real servers' Uthreshold/Lthreshold, as `ipvsadm -Ln --thresholds`
    #[arg(long)]
    pub thresholds: bool,

    /// Batch: real servers' tunnel type, port and flags, as `ipvsadm -Ln --tun-info`
    #[arg(long = "tun-info")]
    pub tun_info: bool,

    /// Batch: one TCP service, as `ipvsadm -Ln -t VIP:PORT`
    #[arg(short = 't', long = "tcp-service", value_name = "VIP:PORT")]
    pub tcp_service: Option<String>,

    /// Batch: one UDP service, as `ipvsadm -Ln -u VIP:PORT`
    #[arg(short = 'u', long = "udp-service", value_name = "VIP:PORT")]
    pub udp_service: Option<String>,

    /// Batch: one SCTP service, as `ipvsadm -Ln --sctp-service VIP:PORT`
    #[arg(long = "sctp-service", value_name = "VIP:PORT")]
    pub sctp_service: Option<String>,

    /// Batch: one firewall-mark service, as `ipvsadm -Ln -f MARK`
    #[arg(short = 'f', long = "fwmark-service", value_name = "MARK")]
    pub fwmark_service: Option<String>,

    /// With -f: the IPv6 firewall-mark service, as `ipvsadm -Ln -f MARK -6`
    #[arg(short = '6', long = "ipv6")]
    pub ipv6: bool,

    /// Batch: the TCP, TCP FIN and UDP timeouts, as `ipvsadm -L --timeout`
    #[arg(long)]
    pub timeout: bool,

    /// Batch: the running sync daemons, as `ipvsadm -L --daemon`
    #[arg(long)]
    pub daemon: bool,

    /// With -c: keep only matching entries, e.g. `real=10.1.0.3`, `client=203.0.113.0/24`, `tcp 192.0.2.10:80`
    #[arg(long, value_name = "SELECTOR")]
    pub filter: Option<String>,

    /// Work inside a network namespace: a name under /run/netns or a path (e.g. /proc/PID/ns/net)
    #[arg(long, value_name = "NAME|PATH")]
    pub netns: Option<String>,

    /// Watch the built-in simulated director instead of the kernel (no root or IPVS needed)
    #[arg(long)]
    pub demo: bool,

    /// Seed for the demo director, for a reproducible demo
    #[arg(long, value_name = "N", requires = "demo", allow_negative_numbers = true, value_parser = parse_seed)]
    pub demo_seed: Option<u64>,

    /// Watch N demo directors (2 to 8) in one fleet monitor; the last one's table differs
    #[arg(long, value_name = "N", requires = "demo", conflicts_with = "batch", value_parser = parse_demo_directors)]
    pub demo_directors: Option<usize>,

    /// History kept for sparklines, in seconds (default 300)
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true, value_parser = parse_history)]
    pub history: Option<u64>,

    /// Monitor only: no change to the table is possible (the edit keys say so)
    #[arg(short = 'r', long = "read-only")]
    pub read_only: bool,

    /// Change journal (default $XDG_STATE_HOME/lvstop/journal.jsonl, else ~/.local/state/lvstop/journal.jsonl)
    #[arg(long, value_name = "PATH")]
    pub journal: Option<PathBuf>,

    /// Replay a recording (made with --record): the monitor with a time cursor, or with -b
    /// its ticks printed as the listing options ask
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,

    /// With --replay: start at this time (HH:MM[:SS], YYYY-MM-DD HH:MM[:SS], Z for UTC, or @SECONDS)
    #[arg(long, value_name = "TIME", requires = "replay", value_parser = parse_moment)]
    pub from: Option<Moment>,

    /// With -b --replay: end at this time (same forms as --from)
    #[arg(long, value_name = "TIME", requires = "replay", value_parser = parse_moment)]
    pub to: Option<Moment>,

    /// Configuration file (default ~/.config/lvstop/config.toml)
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// A director reached over ssh, running `lvstop agent` there (repeatable; --netns applies to each)
    #[arg(long = "host", value_name = "[USER@]HOST[:PORT]")]
    pub hosts: Vec<String>,

    /// The directors of `[fleet.NAME]` in config.toml, reached over ssh
    #[arg(long, value_name = "NAME", conflicts_with = "hosts")]
    pub fleet: Option<String>,

    /// With --host/--fleet: the ssh configuration file (ssh -F)
    #[arg(long = "ssh-config", value_name = "PATH")]
    pub ssh_config: Option<PathBuf>,

    /// With --host/--fleet: the lvstop to run on each director (default `lvstop`)
    #[arg(long = "remote-lvstop", value_name = "PATH")]
    pub remote_lvstop: Option<String>,

    /// Batch, several directors: print where their tables differ; exit 1 if they do, 0 if not, 2 on error
    #[arg(long)]
    pub diff: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply ipvsadm rules (the `ipvsadm -R` / `--format save` grammar) through lvstop's change API.
    ///
    /// Every line is parsed and checked before anything is sent; the kernel's
    /// first refusal stops the run and says which line it was and what had
    /// already been applied.
    Apply {
        /// Rules file; `-` or nothing reads standard input
        file: Option<PathBuf>,
    },
    /// Print the completion script for a shell on standard output.
    ///
    /// bash: `source <(lvstop completions bash)`; the Debian package installs
    /// all three where each shell looks.
    Completions {
        /// The shell whose script to print
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print a manual page (roff) on standard output: `lvstop man | man -l -`.
    Man {
        /// A subcommand's page (lvstop-COMMAND(8)) instead of lvstop(8)
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
        /// Print the names of the pages there are, one per line
        #[arg(long, conflicts_with = "command")]
        list: bool,
    },
    /// Run by lvstop over ssh (--host, --fleet): speaks the agent protocol on stdin and stdout.
    ///
    /// Reads this director's table every -d seconds (in --netns if given)
    /// and applies the changes the remote lvstop sends through the journal,
    /// as a local change is applied; --read-only refuses them.
    /// docs/agent-protocol.md describes the protocol.
    Agent,
}

impl Args {
    /// Options that parse alone but not together, or a `--filter` that does
    /// not parse: refused in words before anything is read. The connections
    /// filter, parsed, when `-c` is given.
    pub fn check_connections(&self) -> Result<Option<ConnFilter>, String> {
        if !self.connections {
            if self.filter.is_some() {
                return Err("--filter selects connection entries: use it with -b -c (the monitor filters with /)".into());
            }
            return Ok(None);
        }
        if !self.batch || self.command.is_some() {
            return Err(
                "-c/--connections is a batch listing: add -b, as in `lvstop -b -n 1 -c`".into(),
            );
        }
        if self.format == Format::Save {
            return Err("--format save writes rules, and the connection table has none: use -c with text or json".into());
        }
        if self.stats || self.rate {
            let flag = if self.stats { "--stats" } else { "--rate" };
            return Err(format!("{flag} lists the services' traffic; -c lists connections, which have no counters: use one or the other"));
        }
        self.filter.as_deref().map(ConnFilter::parse).transpose()
    }
}

fn parse_moment(s: &str) -> Result<Moment, String> {
    moment::parse(s)
}

fn parse_delay(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !v.is_finite() || !(0.1..=3600.0).contains(&v) {
        return Err(format!(
            "delay must be between 0.1 and 3600 seconds, not {s}"
        ));
    }
    Ok(v)
}

// Every numeric flag takes negative numbers as values (clap would call `-1`
// an unknown flag), so its own check names the flag and the range.

fn parse_iterations(s: &str) -> Result<u64, String> {
    whole_number(s, 1..=u64::MAX, || {
        format!("iterations must be at least 1, not {s}")
    })
}

fn parse_history(s: &str) -> Result<u64, String> {
    whole_number(s, 10..=86_400, || {
        format!("history must be between 10 and 86400 seconds, not {s}")
    })
}

fn parse_seed(s: &str) -> Result<u64, String> {
    whole_number(s, 0..=u64::MAX, || {
        format!("demo seed must be between 0 and {}, not {s}", u64::MAX)
    })
}

fn parse_demo_directors(s: &str) -> Result<usize, String> {
    whole_number(s, 2..=8, || {
        format!("demo directors must be between 2 and 8, not {s}")
    })
    .map(|n| n as usize)
}

/// A whole number in `range`; a negative one is out of range, anything else
/// that is not a u64 keeps std's reason (`invalid digit`, `too large`).
fn whole_number(
    s: &str,
    range: std::ops::RangeInclusive<u64>,
    out_of_range: impl Fn() -> String,
) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        Ok(_) => Err(out_of_range()),
        Err(_)
            if s.strip_prefix('-')
                .is_some_and(|n| n.parse::<u64>().is_ok()) =>
        {
            Err(out_of_range())
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn top_conventions() {
        let a = Args::try_parse_from(["lvstop", "-b", "-n", "3", "-d", "0.5", "--rate"]).unwrap();
        assert!(a.batch && a.rate && !a.stats);
        assert_eq!(a.iterations, Some(3));
        assert_eq!(a.delay, Some(0.5));
        assert_eq!(a.format, Format::Text);
    }

    #[test]
    fn read_only_and_journal() {
        let a = Args::try_parse_from(["lvstop", "-r", "--journal", "/tmp/j.jsonl"]).unwrap();
        assert!(a.read_only);
        assert_eq!(a.journal, Some(PathBuf::from("/tmp/j.jsonl")));
        let a = Args::try_parse_from(["lvstop", "--read-only"]).unwrap();
        assert!(a.read_only && a.journal.is_none());
    }

    fn conn_check(args: &[&str]) -> Result<Option<ConnFilter>, String> {
        let mut all = vec!["lvstop"];
        all.extend_from_slice(args);
        Args::try_parse_from(all).unwrap().check_connections()
    }

    #[test]
    fn connections_flags() {
        assert_eq!(conn_check(&["-b"]), Ok(None));
        assert_eq!(conn_check(&["-b", "-n", "1", "-c"]), Ok(None));
        assert!(conn_check(&["-b", "--connections", "--persistent-conn"]).is_ok());
        assert!(conn_check(&["-b", "-c", "--format", "json", "-d", "2"]).is_ok());
        let f = conn_check(&["-b", "-c", "--filter", "real=10.1.0.3"]).unwrap();
        assert_eq!(f, Some(ConnFilter::parse("real=10.1.0.3").unwrap()));
    }

    #[test]
    fn connections_flags_out_of_place_are_refused_in_words() {
        for (args, want) in [
            (&["-c"][..], "add -b"),
            (&["-b", "--filter", "tcp"][..], "use it with -b -c"),
            (
                &["-b", "-c", "--format", "save"][..],
                "--format save writes rules",
            ),
            (
                &["-b", "-c", "--stats"][..],
                "--stats lists the services' traffic",
            ),
            (&["-b", "-c", "--rate"][..], "--rate lists"),
            (
                &["-b", "-c", "--filter", "nowhere"][..],
                "'nowhere' is not a protocol",
            ),
            (&["-c", "apply"][..], "add -b"),
        ] {
            let e = conn_check(args).unwrap_err();
            assert!(e.contains(want), "{args:?}: {e}");
        }
    }

    #[test]
    fn bad_values_are_refused_with_words() {
        for bad in [
            vec!["lvstop", "-d", "0"],
            vec!["lvstop", "-d", "abc"],
            vec!["lvstop", "-d", "NaN"],
            vec!["lvstop", "-n", "0"],
            vec!["lvstop", "--stats", "--rate"],
            vec!["lvstop", "--format", "xml"],
            vec!["lvstop", "--demo-seed", "4"],
            vec!["lvstop", "--history", "5"],
            vec!["lvstop", "--demo-directors", "3"],
            vec!["lvstop", "--demo", "--demo-directors", "1"],
            vec!["lvstop", "--demo", "--demo-directors", "9"],
            vec!["lvstop", "--demo", "-b", "--demo-directors", "3"],
        ] {
            let e = Args::try_parse_from(&bad).unwrap_err();
            assert_ne!(e.kind(), clap::error::ErrorKind::DisplayHelp, "{bad:?}");
            assert!(!e.to_string().is_empty());
        }
        let e = Args::try_parse_from(["lvstop", "-d", "0"]).unwrap_err();
        assert!(e.to_string().contains("between 0.1 and 3600"), "{e}");
        let e = Args::try_parse_from(["lvstop", "--demo", "--demo-directors", "9"]).unwrap_err();
        assert!(e.to_string().contains("--demo-directors"), "{e}");
        assert!(e.to_string().contains("between 2 and 8"), "{e}");
    }
}
