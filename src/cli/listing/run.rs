//! Prints the chosen listing in batch mode, one reading per iteration
//! through the batch writer (`batch::run_each`): each is written as it is
//! read and the output buffer is reused, so memory stays flat over `-n N`.

use std::io::Write;
use std::time::{Duration, SystemTime};

use crate::backend::{Error, ErrorKind, Reader};
use crate::clock::Clock;
use crate::model::ServiceKey;
use crate::output::openmetrics::OpenMetricsSink;
use crate::output::{self, director, text, ServiceTextSink, TextOptions, TextSink, TextView};

use super::super::args::{Args, Format};
use super::super::batch::{self, BatchError};
use super::super::batch_alerts::BatchAlerts;
use super::super::connections::ConnBatch;
use super::super::metrics;
use super::super::stream::{Stream, StreamError};
use super::Listing;

/// `listing` read from `reader` and written to `out`, as often as `args`
/// says (`-n`, `-d`).
pub fn print(
    listing: Listing,
    args: &Args,
    reader: &mut dyn Reader,
    clock: &dyn Clock,
    out: &mut dyn Write,
) -> Result<(), BatchError> {
    let delay = Duration::from_secs_f64(args.delay.unwrap_or(1.0));
    let mut each = reading(listing, args);
    batch::run_each(reader, clock, args.iterations, delay, out, each.as_mut())
}

/// How one reading of `listing` is written, whatever it is read from (the
/// kernel, or a recorded tick in a replay's export).
pub fn reading(listing: Listing, args: &Args) -> Box<batch::Reading<'static>> {
    let json = args.format == Format::Json;
    let walk = matches!(listing, Listing::Connections(_));
    match listing {
        Listing::Services {
            only: Some(key), ..
        } if args.format == Format::OpenMetrics => {
            let mut sink = OpenMetricsSink::new(args.netns.as_deref().unwrap_or(""));
            Box::new(move |stream, reader, at| {
                sink.set_extras(metrics::extras(reader));
                stream
                    .service_reading(reader, &key, &mut sink, at)
                    .map_err(|e| no_such_service(e, &key))
            })
        }
        // The whole table, with -c its entries by state, and the monitor's
        // alerts judged over the readings so far (on the reading's own
        // time, so a replay's export judges them as they were).
        Listing::Services { only: None, .. } | Listing::Connections(_)
            if args.format == Format::OpenMetrics =>
        {
            let mut sink = OpenMetricsSink::new(args.netns.as_deref().unwrap_or(""));
            let mut alerts = BatchAlerts::default();
            Box::new(move |stream, reader, at| {
                let snapshot = reader.snapshot().map_err(StreamError::Backend)?;
                let estimator = reader.estimator_running();
                let mut extras = if walk {
                    let (extras, malformed) = metrics::extras_with_connections(reader, &snapshot)
                        .map_err(StreamError::Backend)?;
                    if malformed > 0 {
                        eprintln!("lvstop: {malformed} line(s) of the connection table could not be understood and were not counted");
                    }
                    extras
                } else {
                    metrics::extras(reader)
                };
                let since_epoch = at.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                extras.alerts = Some(alerts.judge(&snapshot, since_epoch, estimator));
                sink.set_extras(extras);
                output::sink::feed(&mut sink, &snapshot, at, stream.buffer());
                stream.finish()
            })
        }
        Listing::Services { view, only: None } => {
            let mut sink: Box<dyn output::Sink> = match args.format {
                Format::Text => Box::new(TextSink {
                    options: text_options(view),
                }),
                Format::Save => Box::new(output::save::SaveSink),
                Format::Json | Format::OpenMetrics => Box::<output::json::JsonSink>::default(),
            };
            Box::new(move |stream, reader, at| stream.reading(reader, sink.as_mut(), at))
        }
        Listing::Services {
            view,
            only: Some(key),
        } => {
            let mut sink: Box<dyn output::Sink> = if json {
                Box::<output::json::JsonSink>::default()
            } else {
                Box::new(ServiceTextSink {
                    options: text_options(view),
                })
            };
            Box::new(move |stream, reader, at| {
                stream
                    .service_reading(reader, &key, sink.as_mut(), at)
                    .map_err(|e| no_such_service(e, &key))
            })
        }
        Listing::Connections(filter) => {
            let mut listing = ConnBatch {
                json,
                persistent: args.persistent_conn,
                filter: filter.zip(args.filter.clone()),
                writer: Default::default(),
            };
            Box::new(move |stream, reader, at| {
                listing.reading(stream, reader, at, &mut |w| eprintln!("lvstop: {w}"))
            })
        }
        Listing::Timeouts => {
            Box::new(move |stream, reader, at| timeouts_reading(stream, reader, at, json))
        }
        Listing::Daemons => {
            Box::new(move |stream, reader, at| daemons_reading(stream, reader, at, json))
        }
    }
}

/// Batch text is always exact, as `ipvsadm -Ln --exact`.
fn text_options(view: TextView) -> TextOptions {
    TextOptions { view, exact: true }
}

/// A missing service named, where the kernel's error would say only "no
/// longer exists" (ipvsadm prints `No such service`).
fn no_such_service(e: StreamError, key: &ServiceKey) -> StreamError {
    match e {
        StreamError::Backend(e) if e.kind() == ErrorKind::NotFound => StreamError::Backend(
            Error::new(ErrorKind::NotFound, format!("no such service: {key}")),
        ),
        other => other,
    }
}

/// `Timeout (tcp tcpfin udp): 900 120 300`, or its JSON line.
fn timeouts_reading(
    stream: &mut Stream,
    reader: &mut dyn Reader,
    at: SystemTime,
    json: bool,
) -> Result<(), StreamError> {
    let t = reader.timeouts().map_err(StreamError::Backend)?;
    let out = stream.buffer();
    if json {
        director::timeouts_json(out, &t, at);
    } else {
        out.extend_from_slice(text::render_timeouts(&t).as_bytes());
    }
    stream.finish()
}

/// One line per running sync daemon (nothing when none runs), or its JSON line.
fn daemons_reading(
    stream: &mut Stream,
    reader: &mut dyn Reader,
    at: SystemTime,
    json: bool,
) -> Result<(), StreamError> {
    let daemons = reader.daemons().map_err(StreamError::Backend)?;
    let out = stream.buffer();
    if json {
        director::daemons_json(out, &daemons, at);
    } else {
        director::daemons_text(out, &daemons);
    }
    stream.finish()
}
