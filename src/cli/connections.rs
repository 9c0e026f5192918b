//! `lvstop -b -c`: each iteration one reading of the connection table,
//! streamed to the output as it is read, as `ipvsadm -Lnc` text or as JSON
//! with counts per service and real server. The table is never held: text
//! keeps one entry at a time, JSON one entry and the counts (and, for
//! services with a persistence engine, those entries' engine data).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::SystemTime;

use crate::backend::Reader;
use crate::conns::{Attribution, Tally};
use crate::model::{ConnSource, Connection, PeData, Token};
use crate::output::{conn_header, conn_line};

use super::conn_filter::ConnFilter;
use super::conn_json::{ConnJson, ReadingNotes};
use super::stream::{Stream, StreamError};

/// Entries whose persistence-engine data a JSON reading joins at most: the
/// join holds them, so a hostile or huge table cannot grow it further.
pub const PE_JOIN_MAX: usize = 65_536;

/// How `-c` lists.
pub struct ConnBatch {
    pub json: bool,
    /// `--persistent-conn` (text only: JSON always carries the engine data).
    pub persistent: bool,
    /// The parsed `--filter` and its text.
    pub filter: Option<(ConnFilter, String)>,
    pub writer: ConnJson,
}

impl ConnBatch {
    /// One reading through `stream`. Lines of the kernel's file that could
    /// not be understood are left out and reported through `warn`.
    pub fn reading(
        &mut self,
        stream: &mut Stream,
        reader: &mut dyn Reader,
        at: SystemTime,
        warn: &mut dyn FnMut(String),
    ) -> Result<(), StreamError> {
        let malformed = if self.json {
            self.json_reading(stream, reader, at)?
        } else {
            self.text_reading(stream, reader)?
        };
        if malformed > 0 {
            warn(format!(
                "{malformed} line(s) of the connection table could not be understood and were left out"
            ));
        }
        Ok(())
    }

    /// `ipvsadm -Lnc [--persistent-conn]`, from the file ipvsadm reads.
    fn text_reading(
        &mut self,
        stream: &mut Stream,
        reader: &mut dyn Reader,
    ) -> Result<u64, StreamError> {
        let persistent = self.persistent;
        let filter = self.filter.as_ref().map(|(f, _)| f);
        // `fwm` needs each entry's service: only then are services read.
        let attribution = match filter.filter(|f| f.needs_owner()) {
            Some(_) => Some(Attribution::new(
                &reader.snapshot().map_err(StreamError::Backend)?,
            )),
            None => None,
        };
        // The header waits for the first entry (or the walk's end), so that a
        // file that cannot be opened prints nothing, as with ipvsadm.
        let mut headed = false;
        let walk = stream.connections(reader, ConnSource::Plain, &mut |out, c| {
            if !headed {
                conn_header(out, persistent);
                headed = true;
            }
            let owner = attribution.as_ref().and_then(|a| a.owner(&c));
            if filter.is_none_or(|f| f.matches_owned(&c, owner.as_ref().map(|o| &o.service))) {
                conn_line(out, &c, persistent);
            }
        })?;
        if !headed {
            conn_header(stream.buffer(), persistent);
        }
        stream.finish()?;
        Ok(walk.malformed)
    }

    /// Entries with their origin (`ip_vs_conn_sync`), the engine data of
    /// persistence-engine services joined from `ip_vs_conn`, and counts.
    fn json_reading(
        &mut self,
        stream: &mut Stream,
        reader: &mut dyn Reader,
        at: SystemTime,
    ) -> Result<u64, StreamError> {
        let snapshot = reader.snapshot().map_err(StreamError::Backend)?;
        let filter = self.filter.as_ref().map(|(f, _)| f);
        let attribution = Attribution::new(&snapshot);
        let (pe, pe_unjoined) = if snapshot
            .services
            .iter()
            .any(|e| e.service.pe_name.is_some())
        {
            pe_data(reader, filter, &attribution)?
        } else {
            (HashMap::new(), 0)
        };
        let mut tally = Tally::new(&attribution);
        let writer = &mut self.writer;
        // Begun at the first entry, as the text header (see there).
        let mut begun = false;
        let walk = stream.connections(reader, ConnSource::WithOrigin, &mut |out, mut c| {
            if !begun {
                writer.begin(out, at);
                begun = true;
            }
            let owner = attribution.owner(&c);
            if filter.is_some_and(|f| !f.matches_owned(&c, owner.as_ref().map(|o| &o.service))) {
                return;
            }
            if !pe.is_empty() {
                c.pe = pe.get(&JoinKey::of(&c)).cloned();
            }
            writer.entry(out, &c);
            tally.add_owned(owner.as_ref(), &c);
        })?;
        if !begun {
            self.writer.begin(stream.buffer(), at);
        }
        let notes = ReadingNotes {
            filter: self.filter.as_ref().map(|(_, text)| text.as_str()),
            malformed: walk.malformed,
            pe_unjoined,
        };
        self.writer.end(stream.buffer(), &tally, notes);
        stream.finish()?;
        Ok(walk.malformed)
    }
}

/// What identifies an entry across the kernel's two files.
#[derive(PartialEq, Eq, Hash)]
struct JoinKey {
    protocol: Token,
    client: SocketAddr,
    virtual_addr: SocketAddr,
    real: SocketAddr,
}

impl JoinKey {
    fn of(c: &Connection) -> JoinKey {
        JoinKey {
            protocol: c.protocol,
            client: c.client,
            virtual_addr: c.virtual_addr,
            real: c.real,
        }
    }
}

/// The engine data of the entries that have some (and pass `filter`), up
/// to [`PE_JOIN_MAX`]; how many more had some.
fn pe_data(
    reader: &mut dyn Reader,
    filter: Option<&ConnFilter>,
    attribution: &Attribution,
) -> Result<(HashMap<JoinKey, PeData>, u64), StreamError> {
    let mut joined = HashMap::new();
    let mut unjoined = 0u64;
    reader
        .connections(ConnSource::Plain, &mut |c| {
            if let Some(pe) = &c.pe {
                let owner = || attribution.owner(&c).map(|o| o.service);
                if filter.is_none_or(|f| f.matches_owned(&c, owner().as_ref())) {
                    if joined.len() < PE_JOIN_MAX {
                        joined.insert(JoinKey::of(&c), pe.clone());
                    } else {
                        unjoined += 1;
                    }
                }
            }
            std::ops::ControlFlow::Continue(())
        })
        .map_err(StreamError::Backend)?;
    Ok((joined, unjoined))
}

#[cfg(test)]
mod tests;
