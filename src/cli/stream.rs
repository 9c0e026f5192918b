//! Reads the table from a [`Reader`] and streams it through a [`Sink`]: the
//! services list, then each service's real servers read, ordered and
//! written before the next service is read. Memory is the services list, one
//! service's real servers and the output buffer, whatever the table's size.

use std::io::{self, Write};
use std::ops::ControlFlow;
use std::time::SystemTime;

use crate::backend::{Error, ErrorKind, Reader};
use crate::model::{ConnSource, ConnWalk, Connection, ServiceKey};
use crate::output::sink::{dests_in_order, services_in_order, Sink};

/// Bytes buffered before they go to the writer: large enough that a write
/// carries hundreds of lines, small enough to stay in cache.
const FLUSH_AT: usize = 64 * 1024;

/// Why a reading could not be written out whole.
#[derive(Debug)]
pub enum StreamError {
    /// Reading the table failed (the services before it are written).
    Backend(Error),
    /// The writer failed.
    Output(io::Error),
}

/// The buffer a stream writes through, kept from one reading to the next so
/// that a loop of readings allocates it once.
pub struct Stream<'w> {
    out: &'w mut dyn Write,
    buf: Vec<u8>,
}

impl<'w> Stream<'w> {
    pub fn new(out: &'w mut dyn Write) -> Stream<'w> {
        Stream {
            out,
            buf: Vec::with_capacity(FLUSH_AT * 2),
        }
    }

    /// One reading of the table through `sink`, taken at `at`, written and
    /// flushed. A service deleted between the services dump and its real
    /// servers' dump is left out, as `Reader::snapshot` leaves it out.
    pub fn reading(
        &mut self,
        reader: &mut dyn Reader,
        sink: &mut dyn Sink,
        at: SystemTime,
    ) -> Result<(), StreamError> {
        let info = reader.info().map_err(StreamError::Backend)?;
        let services = reader.services().map_err(StreamError::Backend)?;
        sink.begin(&mut self.buf, &info, at);
        for service in services_in_order(&services) {
            let dests = match reader.dests(&service.key) {
                Ok(dests) => dests,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => {
                    // What was read so far goes out first, as ipvsadm's
                    // lines would have.
                    self.write(0).map_err(StreamError::Output)?;
                    return Err(StreamError::Backend(e));
                }
            };
            sink.service(&mut self.buf, service, &dests_in_order(&dests));
            self.write(FLUSH_AT).map_err(StreamError::Output)?;
        }
        sink.end(&mut self.buf);
        self.write(0).map_err(StreamError::Output)?;
        self.out.flush().map_err(StreamError::Output)
    }

    /// One service of the table through `sink`, read by its key (one request,
    /// as `ipvsadm -Ln -t VIP:PORT` asks), with its real servers. A service
    /// that does not exist is `ErrorKind::NotFound`, and nothing is written.
    pub fn service_reading(
        &mut self,
        reader: &mut dyn Reader,
        key: &ServiceKey,
        sink: &mut dyn Sink,
        at: SystemTime,
    ) -> Result<(), StreamError> {
        let info = reader.info().map_err(StreamError::Backend)?;
        let service = reader.service(key).map_err(StreamError::Backend)?;
        let dests = reader.dests(key).map_err(StreamError::Backend)?;
        sink.begin(&mut self.buf, &info, at);
        sink.service(&mut self.buf, &service, &dests_in_order(&dests));
        sink.end(&mut self.buf);
        self.finish()
    }

    /// Walks the connection table, handing each entry with the output buffer
    /// to `each`, and writes the buffer out as it fills: memory stays one
    /// entry and the buffer, whatever the table's size. If the walk fails,
    /// what was written goes out before the error.
    pub fn connections(
        &mut self,
        reader: &mut dyn Reader,
        source: ConnSource,
        each: &mut dyn FnMut(&mut Vec<u8>, Connection),
    ) -> Result<ConnWalk, StreamError> {
        let (buf, out) = (&mut self.buf, &mut *self.out);
        let mut failed = None;
        let walk = reader.connections(source, &mut |c| {
            each(buf, c);
            if buf.len() >= FLUSH_AT {
                let result = out.write_all(buf);
                buf.clear();
                if let Err(e) = result {
                    failed = Some(e);
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        });
        if let Some(e) = failed {
            return Err(StreamError::Output(e));
        }
        match walk {
            Ok(walk) => Ok(walk),
            Err(e) => {
                self.write(0).map_err(StreamError::Output)?;
                Err(StreamError::Backend(e))
            }
        }
    }

    /// The output buffer, for what goes around a walk (headers, a closing brace).
    pub fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Writes out what is buffered and flushes the writer.
    pub fn finish(&mut self) -> Result<(), StreamError> {
        self.write(0).map_err(StreamError::Output)?;
        self.out.flush().map_err(StreamError::Output)
    }

    /// Writes the buffer out once it holds at least `min` bytes.
    fn write(&mut self, min: usize) -> io::Result<()> {
        if self.buf.len() >= min.max(1) {
            let result = self.out.write_all(&self.buf);
            self.buf.clear();
            result?;
        }
        Ok(())
    }
}
