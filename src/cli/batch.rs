//! Batch mode: snapshots to stdout at a fixed cadence, as `top -b`.

use std::io::{self, Write};
use std::thread;
use std::time::{Duration, SystemTime};

use crate::backend::{Error, Reader};
use crate::clock::Clock;

use super::stream::{Stream, StreamError};

/// Why a batch run ended early.
#[derive(Debug)]
pub enum BatchError {
    Backend(Error),
    /// Writing to stdout failed (other than the reader going away).
    Output(io::Error),
}

/// One reading of the table written through the stream, taken at the time given.
pub type Reading<'a> =
    dyn FnMut(&mut Stream, &mut dyn Reader, SystemTime) -> Result<(), StreamError> + 'a;

/// [`run`] with any reading: `each` writes one reading through the stream
/// (the service listing through a sink, or the connection table).
pub fn run_each(
    reader: &mut dyn Reader,
    clock: &dyn Clock,
    iterations: Option<u64>,
    delay: Duration,
    out: &mut dyn Write,
    each: &mut Reading,
) -> Result<(), BatchError> {
    let start = clock.now();
    let mut stream = Stream::new(out);
    let mut n: u64 = 0;
    loop {
        match each(&mut stream, reader, clock.wall()) {
            Ok(()) => {}
            Err(StreamError::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            Err(StreamError::Output(e)) => return Err(BatchError::Output(e)),
            Err(StreamError::Backend(e)) => return Err(BatchError::Backend(e)),
        }
        n += 1;
        if iterations.is_some_and(|max| n >= max) {
            return Ok(());
        }
        let next = start + delay.mul_f64(n as f64);
        if let Some(wait) = next.checked_sub(clock.now()) {
            thread::sleep(wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::ErrorKind;
    use crate::model::{Dest, Info, Service};
    use crate::output::Sink;
    use crate::testkit::{CallKind, Calls, FakeReader, FakeTable, ManualClock};

    /// Prints `iterations` readings of the table (forever if `None`), one every
    /// `delay`, each streamed through `sink` as it is read: the output buffer is
    /// the same from one reading to the next, so memory stays flat in a loop.
    ///
    /// Ticks are scheduled from the start time, not from the end of the previous
    /// print, so a slow read does not make the cadence drift. A closed pipe
    /// (`lvstop -b | head`) ends the run quietly.
    fn run(
        reader: &mut dyn Reader,
        clock: &dyn Clock,
        iterations: Option<u64>,
        delay: Duration,
        sink: &mut dyn Sink,
        out: &mut dyn Write,
    ) -> Result<(), BatchError> {
        run_each(
            reader,
            clock,
            iterations,
            delay,
            out,
            &mut |stream, reader, at| stream.reading(reader, sink, at),
        )
    }

    /// An empty table whose connection-table size counts its readings, so
    /// each printed reading says which it was.
    fn counting() -> FakeReader {
        let mut table = FakeTable::empty();
        table.info.conn_tab_size = 0;
        let r = FakeReader::new(table);
        r.before(CallKind::Info, |t, _| t.info.conn_tab_size += 1);
        r
    }

    /// Prints the connection-table size of each reading.
    struct Size;

    impl Sink for Size {
        fn begin(&mut self, out: &mut Vec<u8>, info: &Info, _: SystemTime) {
            out.extend_from_slice(format!("size={}\n", info.conn_tab_size).as_bytes());
        }
        fn service(&mut self, _: &mut Vec<u8>, _: &Service, _: &[&Dest]) {}
        fn end(&mut self, _: &mut Vec<u8>) {}
    }

    #[test]
    fn prints_exactly_n_snapshots() {
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let mut r = counting();
        let mut out = Vec::new();
        run(&mut r, &clock, Some(3), Duration::ZERO, &mut Size, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "size=1\nsize=2\nsize=3\n");
    }

    #[test]
    fn backend_error_stops_the_run_after_what_was_printed() {
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let mut r = counting();
        let no = Error::new(ErrorKind::PermissionDenied, "no");
        r.fail(CallKind::Info, Calls::Nth(2), no);
        let mut out = Vec::new();
        let e = run(&mut r, &clock, None, Duration::ZERO, &mut Size, &mut out).unwrap_err();
        assert!(matches!(e, BatchError::Backend(ref e) if e.kind() == ErrorKind::PermissionDenied));
        assert_eq!(String::from_utf8(out).unwrap(), "size=1\n");
    }

    struct ClosedPipe;
    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn closed_pipe_ends_quietly() {
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let mut r = counting();
        run(
            &mut r,
            &clock,
            None,
            Duration::ZERO,
            &mut Size,
            &mut ClosedPipe,
        )
        .unwrap();
        assert_eq!(r.count(CallKind::Info), 1);
    }
}
