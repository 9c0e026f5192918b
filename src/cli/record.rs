//! `lvstop -b --record FILE`: the table read every `-d` seconds into a
//! recording, nothing printed; for a service that records all the time.
//! SIGTERM and SIGINT end it cleanly (the last block written), so stopping
//! the service loses nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use crate::backend::Reader;
use crate::clock::Clock;
use crate::record::{Entry, RecordHandle, Tick};

/// Set by SIGTERM or SIGINT while recording.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

fn catch_stop_signals() {
    for sig in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: a handler that only stores to an atomic.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_stop as *const () as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// Records `iterations` readings (forever if None), one every `delay`. The
/// first reading failing is an error (nothing would ever be recorded);
/// later failures are gaps in the recording. Ends with the reason the
/// recording stopped early, if it did.
pub fn run(
    reader: &mut dyn Reader,
    clock: &dyn Clock,
    iterations: Option<u64>,
    delay: Duration,
    mut handle: RecordHandle,
) -> Result<(), String> {
    catch_stop_signals();
    let start = clock.now();
    let mut n: u64 = 0;
    let mut stopped_by = None;
    handle.send(Entry::Gap {
        wall: clock.wall(),
        reason: format!(
            "recording started by lvstop {}, a reading every {} s",
            env!("CARGO_PKG_VERSION"),
            delay.as_secs_f64()
        ),
    });
    loop {
        let wall = clock.wall();
        let began = clock.now();
        let reading = reader.snapshot();
        let took = clock.now().saturating_sub(began);
        let entry = match reading {
            Ok(snapshot) => Entry::Tick(Tick {
                wall,
                took,
                interval: delay,
                estimator: reader.estimator_running(),
                snapshot,
            }),
            Err(e) if n == 0 => {
                drop(handle.finish());
                return Err(e.to_string());
            }
            Err(e) => Entry::Gap {
                wall,
                reason: format!("the reading failed: {e}"),
            },
        };
        if !handle.send(entry) {
            break;
        }
        n += 1;
        if iterations.is_some_and(|max| n >= max) {
            break;
        }
        let next = start + delay.mul_f64(n as f64);
        // Asleep in short steps, so a stop signal is answered at once.
        while let Some(wait) = next.checked_sub(clock.now()) {
            if STOP.load(Ordering::Relaxed) {
                break;
            }
            thread::sleep(wait.min(Duration::from_millis(100)));
        }
        if STOP.load(Ordering::Relaxed) {
            stopped_by = Some("a stop signal");
            break;
        }
    }
    handle.send(Entry::Gap {
        wall: clock.wall(),
        reason: format!(
            "recording stopped ({})",
            stopped_by.unwrap_or(if handle.is_recording() {
                "the readings asked for were made"
            } else {
                "the recording failed"
            })
        ),
    });
    handle
        .finish()
        .map_err(|why| format!("recording stopped: {why}"))
}
