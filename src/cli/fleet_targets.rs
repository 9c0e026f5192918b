//! Which directors `--host` and `--fleet` name, and the remote directors
//! reaching them over ssh.

use std::time::Duration;

use crate::fleet::remote::{RemoteDirector, RemoteOptions};
use crate::fleet::ssh::{SshOptions, Target};
use crate::fleet::DirectorName;
use crate::journal::User;
use crate::tui::config::{Config, FleetHost};

use super::args::Args;

/// More would be a fleet this tool was not measured with.
pub const MAX_DIRECTORS: usize = 64;

/// The directors the options name: none without --host or --fleet.
pub fn targets(args: &Args) -> Result<Vec<Target>, String> {
    let mut out = Vec::new();
    for h in &args.hosts {
        let mut t = Target::parse(h, "--host")?;
        t.netns = args.netns.clone();
        out.push(t);
    }
    if let Some(name) = &args.fleet {
        let path = args
            .config
            .clone()
            .or_else(Config::default_path)
            .ok_or_else(|| format!("--fleet {name}: no configuration file (no --config, $XDG_CONFIG_HOME or $HOME)"))?;
        let config = Config::load(&path)?;
        let group = config
            .fleet
            .get(name)
            .ok_or_else(|| format!("--fleet {name}: {} has no [fleet.{name}]", path.display()))?;
        let flag = format!("[fleet.{name}] hosts:");
        for h in &group.hosts {
            let (host, netns) = match h {
                FleetHost::Name(host) => (host, None),
                FleetHost::Detailed(e) => (&e.host, e.netns.clone()),
            };
            let mut t = Target::parse(host, &flag)?;
            t.netns = netns
                .or_else(|| group.netns.clone())
                .or_else(|| args.netns.clone());
            out.push(t);
        }
        if out.is_empty() {
            return Err(format!("--fleet {name}: [fleet.{name}] lists no hosts"));
        }
    }
    if out.len() > MAX_DIRECTORS {
        return Err(format!(
            "--host/--fleet: {} directors, over the {MAX_DIRECTORS} lvstop watches at once",
            out.len()
        ));
    }
    let mut names: Vec<String> = out.iter().map(Target::to_string).collect();
    names.sort();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("--host {}: named twice", w[0]));
    }
    if let Some(ns) = out
        .iter()
        .filter_map(|t| t.netns.as_deref())
        .find(|n| n.is_empty() || n.starts_with('-') || n.chars().any(char::is_control))
    {
        return Err(format!(
            "--netns {}: not a namespace name",
            ns.escape_debug()
        ));
    }
    Ok(out)
}

/// ssh as the options ask.
pub fn ssh_options(args: &Args) -> Result<SshOptions, String> {
    let mut o = SshOptions::new(args.delay.unwrap_or(1.0), args.read_only);
    if let Some(p) = &args.remote_lvstop {
        SshOptions::check_remote(p)?;
        o.remote_lvstop = p.clone();
    }
    o.config = args.ssh_config.clone();
    Ok(o)
}

/// One remote director per target, each connecting on its own thread now.
pub fn connect(targets: &[Target], ssh: &SshOptions) -> Vec<RemoteDirector> {
    let user = requesting_user();
    // Silent for three readings and 10 s more: gone.
    let silence = Duration::from_secs_f64(ssh.delay * 3.0) + Duration::from_secs(10);
    targets
        .iter()
        .map(|t| {
            let (ssh, target) = (ssh.clone(), t.clone());
            RemoteDirector::connect(
                DirectorName::new(t.to_string()),
                Box::new(move || ssh.command(&target)),
                RemoteOptions {
                    user: user.clone(),
                    silence,
                    ..RemoteOptions::default()
                },
            )
        })
        .collect()
}

/// `alice@laptop`: who asks, as each director's journal records it.
pub fn requesting_user() -> String {
    let user = User::current();
    let name = user.name.unwrap_or_else(|| format!("uid {}", user.uid));
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into());
    format!("{name}@{host}")
}
