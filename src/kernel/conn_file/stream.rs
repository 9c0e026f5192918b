//! The connection-table text as a stream of lines: read through one
//! reusable buffer, split in place, each line parsed from bytes. Nothing is
//! kept per line, so a million entries cost their reading only.

use std::io::{self, Read};
use std::ops::ControlFlow;

use super::line::{header, parse_line};
use crate::model::{ConnSource, ConnWalk, Connection};

/// Longest line taken. The kernel's longest (IPv6 everywhere, `IP_255`, a
/// 16-byte engine name and 255 bytes of its data) is about 450 bytes;
/// anything longer is consumed and counted malformed.
pub const MAX_LINE: usize = 512;

/// Read size. The kernel hands out at most a page per `read()` of these
/// files whatever the buffer, so a bigger one costs nothing and serves
/// plain files (tests, fuzzing) in fewer calls.
pub const READ_SIZE: usize = 64 * 1024;

/// Why a walk stopped short of the table.
#[derive(Debug)]
pub enum Fault {
    /// `read()` failed.
    Read(io::Error),
    /// The text ended before its first line.
    Empty,
    /// The first line is not the header the kernel writes for this file.
    Header,
}

/// Walks the text of one of the two files from its start: checks the
/// header, hands each entry to `visit` until it answers `Break` (no further
/// `read()` then) or the text ends. `buf` is the caller's, kept between
/// walks.
pub fn walk(
    mut text: impl Read,
    source: ConnSource,
    buf: &mut Vec<u8>,
    visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
) -> Result<ConnWalk, Fault> {
    if buf.len() < READ_SIZE + MAX_LINE {
        buf.resize(READ_SIZE + MAX_LINE, 0);
    }
    let mut lines = Lines {
        source,
        header_seen: false,
        walk: ConnWalk::default(),
    };
    let (mut start, mut end) = (0, 0);
    // Inside a line longer than MAX_LINE, already counted: drop up to its newline.
    let mut skipping = false;
    loop {
        while let Some(at) = buf[start..end].iter().position(|&b| b == b'\n') {
            let line = &buf[start..start + at];
            start += at + 1;
            if std::mem::take(&mut skipping) {
                continue;
            }
            if lines.take(line, visit)?.is_break() {
                return Ok(lines.walk);
            }
        }
        let pending = end - start;
        if pending > MAX_LINE {
            if !skipping {
                lines.overlong()?;
                skipping = true;
            }
            (start, end) = (0, 0);
        } else if start > 0 {
            buf.copy_within(start..end, 0);
            (start, end) = (0, pending);
        }
        let n = read(&mut text, &mut buf[end..])?;
        if n == 0 {
            // The last line without its newline: taken if it is whole.
            if end > start && !skipping {
                let line = &buf[start..end];
                if lines.take(line, visit)?.is_break() {
                    return Ok(lines.walk);
                }
            }
            if !lines.header_seen {
                return Err(Fault::Empty);
            }
            lines.walk.complete = true;
            return Ok(lines.walk);
        }
        end += n;
    }
}

/// What the lines seen so far made of the walk.
struct Lines {
    source: ConnSource,
    header_seen: bool,
    walk: ConnWalk,
}

impl Lines {
    fn take(
        &mut self,
        line: &[u8],
        visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<ControlFlow<()>, Fault> {
        if !self.header_seen {
            if line != header(self.source) {
                return Err(Fault::Header);
            }
            self.header_seen = true;
            return Ok(ControlFlow::Continue(()));
        }
        if line.len() > MAX_LINE {
            self.walk.malformed += 1;
            return Ok(ControlFlow::Continue(()));
        }
        match parse_line(line, self.source) {
            Some(c) => {
                self.walk.entries += 1;
                Ok(visit(c))
            }
            None => {
                self.walk.malformed += 1;
                Ok(ControlFlow::Continue(()))
            }
        }
    }

    /// A line found too long before its end.
    fn overlong(&mut self) -> Result<(), Fault> {
        if !self.header_seen {
            return Err(Fault::Header);
        }
        self.walk.malformed += 1;
        Ok(())
    }
}

fn read(text: &mut impl Read, into: &mut [u8]) -> Result<usize, Fault> {
    loop {
        match text.read(into) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other.map_err(Fault::Read),
        }
    }
}
