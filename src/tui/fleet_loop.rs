//! The fleet monitor's event loop: as `run_loop`, with one owner thread per
//! director. Each owner's reports are forwarded, tagged with its director,
//! into one channel, so a slow or silent director delays nobody: the loop
//! waits on keys, that channel and a tick, never on an owner.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ratatui::Terminal;
use tokio::sync::mpsc::error::TryRecvError;

use crate::app::editing::Mode;
use crate::app::{App, AppConfig, APPLY_STEP_ROWS};
use crate::canvas::Chrome;
use crate::clock::Clock;
use crate::poll::{Access, Owner, Report};

use super::fleet::{FleetDirector, FleetMonitor, Member};
use super::{feed_input, Input, Monitor, MonitorOptions};

/// Runs the fleet monitor over `directors` until the operator quits.
pub fn run_fleet_loop<B>(
    terminal: &mut Terminal<B>,
    input: &mut dyn Input,
    directors: Vec<FleetDirector>,
    options: &MonitorOptions,
    journal: Option<std::path::PathBuf>,
    clock: Arc<dyn Clock>,
) -> std::io::Result<()>
where
    B: ratatui::backend::Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let (merged_tx, mut reports) = tokio::sync::mpsc::unbounded_channel::<(usize, Report)>();
    let mut members = Vec::new();
    let mut owners = Vec::new();
    for (i, director) in directors.into_iter().enumerate() {
        let FleetDirector {
            name,
            access,
            status,
        } = director;
        let app = App::new(AppConfig {
            delay: options.delay,
            history: options.history,
        });
        let chrome = Chrome {
            host: name.to_string(),
            badges: options.badges.clone(),
            tz: options.tz,
            palette: options.palette,
        };
        let mode = match access {
            Access::ReadOnly(_) | Access::Replay(_) => Mode::ReadOnly,
            Access::ReadWrite(_) => Mode::ReadWrite,
        };
        let mut monitor = Monitor::new(app, chrome, mode).with_clock(clock.clone());
        monitor.edit.banners = options.banners.clone();
        monitor.keys = options.keys.clone();
        let mut owner = Owner::spawn(access, options.delay, clock.clone());
        owner.connections(crate::conns::ConnRequest::WatchHalfOpen(true));
        // The owner's channel, forwarded with the director's index.
        let (_, empty) = tokio::sync::mpsc::unbounded_channel();
        let mut from = std::mem::replace(&mut owner.reports, empty);
        let to = merged_tx.clone();
        runtime.spawn(async move {
            while let Some(r) = from.recv().await {
                if to.send((i, r)).is_err() {
                    return;
                }
            }
        });
        members.push(Member {
            name,
            monitor,
            status,
        });
        owners.push(owner);
    }
    drop(merged_tx);
    let mut fleet = FleetMonitor::new(members, options.palette, clock).with_journal(journal);
    let (keys, mut key_events) = tokio::sync::mpsc::unbounded_channel();
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| feed_input(input, &keys, &stop));
        let result = runtime.block_on(async {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            let mut dirty = true;
            loop {
                if dirty {
                    fleet.render(terminal).map_err(std::io::Error::other)?;
                    dirty = false;
                }
                for (m, owner) in fleet.members.iter().zip(owners.iter_mut()) {
                    if !m.monitor.app.applying() {
                        owner.watch(m.monitor.app.watched());
                    }
                }
                if fleet.quit() {
                    return Ok(());
                }
                let applying = fleet.members.iter().position(|m| m.monitor.app.applying());
                if let Some(i) = applying {
                    // Big polls a slice at a time, keys first, as run_loop.
                    match key_events.try_recv() {
                        Ok(Ok(event)) => {
                            fleet.input(&event);
                            dirty = true;
                        }
                        Ok(Err(e)) => return Err(e),
                        Err(TryRecvError::Empty) => {
                            let m = &mut fleet.members[i].monitor;
                            if m.app.apply_step(APPLY_STEP_ROWS) {
                                m.drain_news();
                                fleet.polled();
                                dirty = fleet.shows_director(i);
                            }
                        }
                        Err(TryRecvError::Disconnected) => {
                            return Err(std::io::Error::other("terminal input stopped"))
                        }
                    }
                } else {
                    tokio::select! {
                        biased;
                        key = key_events.recv() => match key {
                            Some(Ok(event)) => {
                                fleet.input(&event);
                                dirty = true;
                            }
                            Some(Err(e)) => return Err(e),
                            None => return Err(std::io::Error::other("terminal input stopped")),
                        },
                        report = reports.recv() => match report {
                            Some((i, r)) => {
                                // Reports that came together (several
                                // directors' polls, a walk's reading and its
                                // half-open counts) make one frame, if any.
                                let mut shows = fleet.shows(i, &r);
                                fleet.report(i, r);
                                while !fleet.applying() {
                                    match reports.try_recv() {
                                        Ok((j, r)) => {
                                            shows |= fleet.shows(j, &r);
                                            fleet.report(j, r);
                                        }
                                        Err(_) => break,
                                    }
                                }
                                let current = fleet.current();
                                dirty = shows && !fleet.members[current].monitor.app.applying();
                            }
                            None => return Err(std::io::Error::other("the backend threads stopped")),
                        },
                        _ = tick.tick() => {
                            // The health line's ages, and the differences.
                            // Only while the view is open: comparing every
                            // director's whole table is the UI thread's
                            // biggest job (measured: keys waited seconds
                            // at 4 x 2,000x10 when it ran every tick).
                            if fleet.differences.is_open() {
                                fleet.refresh_differences();
                            }
                            fleet.finish_pending();
                            dirty = true;
                        }
                    }
                }
                for (i, request) in fleet.take_outbox() {
                    owners[i].request(request);
                }
                for (m, owner) in fleet.members.iter_mut().zip(owners.iter_mut()) {
                    for request in m.monitor.take_requests() {
                        owner.request(request);
                    }
                    for request in m.monitor.app.take_conn_requests() {
                        owner.connections(request);
                    }
                    if m.monitor.app.take_settings_request() {
                        owner.read_settings();
                    }
                }
            }
        });
        stop.store(true, Ordering::Relaxed);
        result
    })
}
