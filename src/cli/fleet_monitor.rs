//! The fleet monitor (tui::run_fleet_monitor) over directors reached by ssh
//! (--host, --fleet): each a RemoteDirector whose reads fail while it is not
//! live (its screen says stale), whose health in the top line is its
//! connection's (live, stale with the retry, or bad with the reason), and
//! whose changes go through a local journaling editor to the agent, which
//! applies and journals them on the director.

use std::sync::Arc;

use crate::app::fleet_health::Health;
use crate::backend::{Backend, Reader};
use crate::clock::Clock;
use crate::edit::Editor;
use crate::poll::Access;
use crate::tui::{FleetDirector, MonitorOptions};

use super::fleet_targets::{connect, ssh_options, targets};
use super::{journal_path, Args};

pub fn run(args: &Args, mut options: MonitorOptions, clock: Arc<dyn Clock>) -> Result<(), String> {
    let targets = targets(args)?;
    let ssh = ssh_options(args)?;
    if args.read_only {
        options.badges.push("READ-ONLY".to_string());
    }
    let directors = connect(&targets, &ssh)
        .into_iter()
        .map(|d| {
            let name = d.name().clone();
            let handle = d.status_handle();
            let wall = clock.clone();
            let via = format!("ssh {name}");
            let access = director_access(args, d.reads_fail_unless_live(), via, &clock);
            FleetDirector {
                name,
                access,
                status: Some(Box::new(move || {
                    Health::of_remote(&handle.status_now(), wall.wall())
                })),
            }
        })
        .collect();
    run_directors(args, directors, options, clock)
}

/// One director's side of the fleet monitor: its reader under `-r`, else a
/// journaling editor whose records say which director (`via`) they went to.
pub(super) fn director_access<B: Backend + 'static>(
    args: &Args,
    backend: B,
    via: String,
    clock: &Arc<dyn Clock>,
) -> Access {
    if args.read_only {
        Access::ReadOnly(Box::new(backend) as Box<dyn Reader>)
    } else {
        Access::ReadWrite(Editor::new(
            Box::new(backend) as Box<dyn Backend>,
            journal_path(args),
            clock.clone(),
            via,
            crate::output::rule,
        ))
    }
}

/// The fleet monitor over `directors`, with the local journal of fleet
/// operations unless `-r`.
pub(super) fn run_directors(
    args: &Args,
    directors: Vec<FleetDirector>,
    options: MonitorOptions,
    clock: Arc<dyn Clock>,
) -> Result<(), String> {
    let journal = (!args.read_only).then(|| journal_path(args));
    crate::tui::run_fleet_monitor(directors, options, journal, clock)
        .map_err(|e| format!("the terminal failed: {e}"))
}
