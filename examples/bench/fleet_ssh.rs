//! The fleet monitor headless (as `fleet`) over directors d1 … dN reached
//! as `lvstop --host` reaches them: the real ssh client, sshd in each
//! namespace (vm/labs/fleet.sh) and `lvstop agent`, each a RemoteDirector
//! with its connection's health. Besides the monitor's own figures: the CPU
//! of its ssh children, of the agents and of the sshd sessions, and the
//! bytes each agent wrote to its stream (files a tee-like wrapper given as
//! --remote-lvstop appends to, one per director address).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lvstop::app::fleet_health::Health;
use lvstop::backend::Reader;
use lvstop::cli::fleet_targets::connect;
use lvstop::clock::{Clock, SystemClock};
use lvstop::fleet::ssh::{SshOptions, Target};
use lvstop::poll::Access;
use lvstop::tui::FleetDirector;

/// Connects to d1 … dN, waits (at most `settle`) for each first table,
/// then runs the fleet monitor over them.
#[allow(clippy::too_many_arguments)]
pub fn run(
    n: usize,
    ssh_config: PathBuf,
    remote_lvstop: String,
    seconds: u64,
    quiet: u64,
    streams: PathBuf,
    settle: Duration,
) {
    // Read-only: the keys only move the cursor; nothing is written.
    let mut ssh = SshOptions::new(1.0, true);
    ssh.config = Some(ssh_config);
    ssh.remote_lvstop = remote_lvstop;
    // One connection per director, none shared: what each stream costs.
    ssh.control_dir = None;
    let targets: Vec<Target> = (1..=n)
        .map(|i| Target::parse(&format!("d{i}"), "--host").expect("a lab name"))
        .collect();
    let t0 = Instant::now();
    let remotes = connect(&targets, &ssh);
    for d in &remotes {
        let status = d.wait_settled(settle.saturating_sub(t0.elapsed()));
        println!(
            "fleet_ssh_first_table_{}={} after {:.1} s{}",
            d.name(),
            status.state.word(),
            t0.elapsed().as_secs_f64(),
            status
                .state
                .reason()
                .map(|r| format!(": {}", r.escape_debug()))
                .unwrap_or_default()
        );
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let members = remotes
        .into_iter()
        .map(|d| {
            let name = d.name().clone();
            let handle = d.status_handle();
            let wall = clock.clone();
            FleetDirector {
                name,
                access: Access::ReadOnly(Box::new(d.reads_fail_unless_live()) as Box<dyn Reader>),
                status: Some(Box::new(move || {
                    Health::of_remote(&handle.status(), wall.wall())
                })),
            }
        })
        .collect();
    let before = Counts::now(&streams);
    super::fleet::run_members(members, seconds, quiet, false, move || {
        Counts::now(&streams).print_since(&before)
    });
}

/// CPU ticks of the processes around the monitor, and the streams' bytes.
struct Counts {
    at: Instant,
    ssh: u64,
    agents: u64,
    sshd: u64,
    streams: Vec<(String, u64)>,
}

impl Counts {
    fn now(streams: &Path) -> Counts {
        let me = std::process::id().to_string();
        let (mut ssh, mut agents, mut sshd) = (0, 0, 0);
        for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
                continue;
            };
            let Some((head, rest)) = stat.rsplit_once(')') else {
                continue;
            };
            let comm = head.split_once('(').map(|(_, c)| c).unwrap_or("");
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = |i: usize| f.get(i).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
            let t = ticks(11) + ticks(12);
            match comm {
                "ssh" if f.get(1) == Some(&me.as_str()) => ssh += t,
                "lvstop" => agents += t,
                "sshd" => sshd += t,
                _ => {}
            }
        }
        let mut files: Vec<(String, u64)> = std::fs::read_dir(streams)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| {
                let len = e.metadata().map(|m| m.len()).unwrap_or(0);
                (e.file_name().to_string_lossy().into_owned(), len)
            })
            .collect();
        files.sort();
        Counts {
            at: Instant::now(),
            ssh,
            agents,
            sshd,
            streams: files,
        }
    }

    fn print_since(&self, before: &Counts) {
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
        let wall = (self.at - before.at).as_secs_f64();
        let per_s = |a: u64, b: u64| a.saturating_sub(b) as f64 / hz / wall;
        println!("fleet_ssh_window_s={wall:.2}");
        println!(
            "fleet_ssh_clients_cpu_per_s={:.4}",
            per_s(self.ssh, before.ssh)
        );
        println!(
            "fleet_ssh_agents_cpu_per_s={:.4}",
            per_s(self.agents, before.agents)
        );
        println!(
            "fleet_ssh_sshd_cpu_per_s={:.4}",
            per_s(self.sshd, before.sshd)
        );
        for (name, len) in &self.streams {
            let was = before
                .streams
                .iter()
                .find(|(n, _)| n == name)
                .map_or(0, |(_, l)| *l);
            println!(
                "fleet_ssh_stream_{name}_bytes_per_s={:.0} total_bytes={len}",
                len.saturating_sub(was) as f64 / wall
            );
        }
    }
}
