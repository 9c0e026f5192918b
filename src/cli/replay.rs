//! `--replay FILE`: the flags it takes, and its batch export. `-b --replay`
//! prints one reading per recorded tick from `--from` to `--to`, each
//! through the same listing code as a live `-b` (so `--stats`, `--rate`,
//! `--thresholds`, one service… print what ipvsadm printed then), read from
//! the tick instead of the kernel.

use std::io::{self, Write};
use std::path::Path;
use std::time::SystemTime;

use crate::record::{Entry, Recording};
use crate::replay::RecordedTable;

use super::args::Args;
use super::listing::{self, Listing};
use super::stream::{Stream, StreamError};

/// Flags a replay has no use for, refused in words before the file is read.
pub fn check(args: &Args) -> Result<(), String> {
    let refused = [
        (args.demo, "--demo"),
        (args.netns.is_some(), "--netns"),
        (args.delay.is_some(), "-d/--delay"),
        // The export is a range of readings, not the latest one replaced.
        (args.output.is_some(), "--output"),
        (args.command.is_some(), "apply"),
        (args.record.is_some(), "--record"),
    ];
    if let Some((_, flag)) = refused.iter().find(|(on, _)| *on) {
        return Err(format!(
            "{flag} does not go with --replay: a replay reads the recording, at the pace it was recorded"
        ));
    }
    if args.to.is_some() && !args.batch {
        return Err(
            "--to bounds a batch export (-b --replay); the monitor starts at --from and plays on"
                .into(),
        );
    }
    Ok(())
}

/// Opens a recording; its problems (a torn tail, a skipped block, a newer
/// version) are said on standard error, and it replays what it can.
pub fn open(path: &Path) -> Result<Recording, String> {
    let recording =
        Recording::open(path).map_err(|e| format!("cannot replay {}: {e}", path.display()))?;
    for p in recording.problems() {
        eprintln!("lvstop: {}: {p}", path.display());
    }
    Ok(recording)
}

/// The recording's first tick and its span's end, or why there is nothing
/// to replay.
pub fn bounds(recording: &Recording, path: &Path) -> Result<(SystemTime, SystemTime), String> {
    let first = recording.ticks().first().copied();
    match (first, recording.span()) {
        (Some(first), Some((_, last))) => Ok((first, last.max(first))),
        _ => Err(format!("{} holds no recorded poll", path.display())),
    }
}

/// The interval the recording was made at (its first poll's): the replay's
/// pace and the width of its history window, whatever this run's -d.
pub fn pace(recording: &Recording, first: SystemTime) -> Option<std::time::Duration> {
    recording.entries(first, first).find_map(|e| match e {
        Entry::Tick(t) => Some(t.interval),
        _ => None,
    })
}

/// `-b --replay`: the ticks from `--from` to `--to` through the listing.
pub fn export(args: &Args, listing: Listing, out: &mut dyn Write) -> Result<(), String> {
    let path = args.replay.as_deref().expect("export is for --replay");
    let recording = open(path)?;
    let (first, last) = bounds(&recording, path)?;
    let from = args.from.map_or(first, |m| m.place(first));
    let to = args.to.map_or(last, |m| m.place(first));
    if to < first {
        return Err(no_poll(path, to, first));
    }
    if to < from {
        return Err("--to is before --from: nothing to print".into());
    }
    let mut each = listing::reading(listing, args);
    let mut stream = Stream::new(out);
    let mut printed: u64 = 0;
    for entry in recording.entries(from, to) {
        let Entry::Tick(tick) = entry else { continue };
        if tick.wall > to {
            break;
        }
        let at = tick.wall;
        let mut table = RecordedTable::new(tick.snapshot, tick.estimator);
        match each(&mut stream, &mut table, at) {
            Ok(()) => {}
            Err(StreamError::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            Err(StreamError::Output(e)) => {
                return Err(format!("writing to standard output failed: {e}"))
            }
            Err(StreamError::Backend(e)) => return Err(e.to_string()),
        }
        printed += 1;
        if args.iterations.is_some_and(|n| printed >= n) {
            break;
        }
    }
    if printed == 0 {
        return Err(no_poll(path, to, first));
    }
    Ok(())
}

fn no_poll(path: &Path, to: SystemTime, first: SystemTime) -> String {
    format!(
        "{} has no poll recorded at or before {} (it starts at {})",
        path.display(),
        seconds(to),
        seconds(first)
    )
}

/// `@SECONDS`, the form `--from` takes back.
fn seconds(t: SystemTime) -> String {
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    format!("@{}.{:03}", d.as_secs(), d.subsec_millis())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::model::Snapshot;
    use crate::record::{RecordOptions, Recorder, Tick};

    #[test]
    fn the_pace_is_the_recordings_interval() {
        let dir = std::env::temp_dir().join(format!("lvstop-pace-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rec");
        let _ = std::fs::remove_file(&path);
        let mut rec = Recorder::create(&path, RecordOptions::default()).unwrap();
        let first = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        for i in 0..3 {
            let tick = Tick {
                wall: first + Duration::from_millis(200 * i),
                took: Duration::from_millis(1),
                interval: Duration::from_millis(200),
                estimator: None,
                snapshot: Snapshot::default(),
            };
            rec.append(&Entry::Tick(tick)).unwrap();
        }
        rec.close().unwrap();
        let recording = Recording::open(&path).unwrap();
        let (from, _) = bounds(&recording, &path).unwrap();
        assert_eq!(from, first);
        assert_eq!(pace(&recording, from), Some(Duration::from_millis(200)));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
