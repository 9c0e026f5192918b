//! Writes a recording: entries gathered into blocks, each block compressed,
//! written whole and fsync'd, segments rotated to stay within the bound.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::block;
use super::entry_codec::{EntryWriter, TickHint};
use super::error::RecordError;
use super::options::{RecordOptions, MIN_MAX};
use super::segment_header::{self, HeaderRead};
use super::segments;
use super::time::to_micros;
use super::{this_writer, Entry, FORMAT_VERSION};

pub struct Recorder {
    base: PathBuf,
    options: RecordOptions,
    file: File,
    /// Bytes in the current segment.
    written: u64,
    raw: Vec<u8>,
    /// Where the block's first tick (its whole table) ends in `raw`.
    table_end: usize,
    ticks: Vec<i64>,
    first: i64,
    last: i64,
    entries: u32,
    writer: EntryWriter,
    /// Set once a write failed: nothing more is written.
    failed: Option<String>,
}

impl Recorder {
    /// Starts recording at `path`: a new file (mode 0600), or appended to
    /// the recording already there (a torn tail cut off first). Refuses a
    /// symbolic link and anything that is not a recording.
    pub fn create(path: &Path, options: RecordOptions) -> Result<Recorder, RecordError> {
        if options.max_bytes < MIN_MAX {
            return Err(RecordError::Options(format!(
                "--record-max: {} bytes is too small (at least 64K)",
                options.max_bytes
            )));
        }
        let (file, written) = open_segment(path)?;
        let mut recorder = Recorder {
            base: path.to_path_buf(),
            options,
            file,
            written,
            raw: Vec::new(),
            table_end: 0,
            ticks: Vec::new(),
            first: 0,
            last: 0,
            entries: 0,
            writer: EntryWriter::default(),
            failed: None,
        };
        if recorder.written >= recorder.options.segment_bytes() {
            recorder.rotate()?;
        } else {
            recorder.prune()?;
        }
        Ok(recorder)
    }

    pub fn path(&self) -> &Path {
        &self.base
    }

    /// Adds an entry; a block is written when it spans `block_span` or
    /// holds `block_bytes` after its first table. After a failure every call returns it again.
    pub fn append(&mut self, entry: &Entry) -> Result<(), RecordError> {
        self.append_hinted(entry, None)
    }

    /// As `append`, with what the table merge knows of a tick (see
    /// `EntryWriter::write_hinted`): the same bytes, less work.
    pub fn append_hinted(
        &mut self,
        entry: &Entry,
        hint: Option<TickHint>,
    ) -> Result<(), RecordError> {
        if let Some(reason) = &self.failed {
            return Err(RecordError::Io {
                path: self.base.clone(),
                reason: reason.clone(),
            });
        }
        let wall = to_micros(entry.wall());
        // A block spans less than `block_span`: one reaching past it is
        // written before this entry starts the next.
        if self.entries > 0
            && wall.saturating_sub(self.first) as u128 >= self.options.block_span.as_micros()
        {
            self.flush()?;
        }
        if self.entries == 0 {
            self.first = wall;
            self.last = wall;
        }
        // A clock stepped back must not make a block end before it starts.
        let wall = wall.max(self.last);
        self.writer.write_hinted(entry, hint, &mut self.raw);
        if let Entry::Tick(_) = entry {
            if self.ticks.is_empty() {
                self.table_end = self.raw.len();
            }
            self.ticks.push(wall);
        }
        self.entries += 1;
        self.last = wall;
        // The changes after the block's table are what a jump into it
        // decodes; the table itself counts for nothing, so a big table
        // does not make a block of every tick.
        if self.raw.len() - self.table_end >= self.options.block_bytes {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the entries gathered so far as a block and fsyncs it.
    pub fn flush(&mut self) -> Result<(), RecordError> {
        if self.entries == 0 {
            return Ok(());
        }
        let bytes = block::encode(self.first, self.last, self.entries, &self.ticks, &self.raw);
        self.raw.clear();
        self.table_end = 0;
        self.ticks.clear();
        self.entries = 0;
        self.writer.restart();
        let result = self
            .file
            .write_all(&bytes)
            .and_then(|()| self.file.sync_data());
        if let Err(e) = result {
            let err = RecordError::io(&self.base, &e);
            self.failed = Some(super::error::io_reason(&e));
            return Err(err);
        }
        self.written += bytes.len() as u64;
        if self.written >= self.options.segment_bytes() {
            self.rotate()?;
        }
        Ok(())
    }

    /// Writes what is gathered and closes the recording.
    pub fn close(mut self) -> Result<(), RecordError> {
        self.flush()
    }

    fn rotate(&mut self) -> Result<(), RecordError> {
        let fail = |e: std::io::Error| RecordError::io(&self.base, &e);
        segments::shift(&self.base).map_err(fail)?;
        let (file, written) = create_segment(&self.base)?;
        self.file = file;
        self.written = written;
        self.prune()
    }

    /// Keeps the rotated segments within the bound less room for the
    /// current one to grow.
    fn prune(&self) -> Result<(), RecordError> {
        let keep = self
            .options
            .max_bytes
            .saturating_sub(self.options.segment_bytes());
        segments::prune(&self.base, keep).map_err(|e| RecordError::io(&self.base, &e))
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if self.failed.is_none() {
            let _ = self.flush();
        }
    }
}

/// Opens the segment at `path` for appending: existing and a recording of
/// this format (its torn tail cut), or created. Another format's recording
/// is rotated away whole, so its data stays readable.
fn open_segment(path: &Path) -> Result<(File, u64), RecordError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return create_segment(path),
        Err(e) => return Err(RecordError::io(path, &e)),
    };
    let not_a_recording = |reason: &str| RecordError::NotARecording {
        path: path.to_path_buf(),
        reason: reason.into(),
    };
    if meta.file_type().is_symlink() {
        return Err(not_a_recording("it is a symbolic link"));
    }
    if meta.file_type().is_fifo() || !meta.file_type().is_file() {
        return Err(not_a_recording("it is not a regular file"));
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| RecordError::io(path, &e))?;
    let mut data = Vec::new();
    file.read_to_end(&mut data)
        .map_err(|e| RecordError::io(path, &e))?;
    match segment_header::read(&data) {
        HeaderRead::Foreign(reason) => Err(not_a_recording(&reason)),
        HeaderRead::Torn => {
            drop(file);
            fs::remove_file(path).map_err(|e| RecordError::io(path, &e))?;
            create_segment(path)
        }
        HeaderRead::Recording { writer, .. } if writer.format > FORMAT_VERSION => {
            Err(RecordError::NewerFormat {
                path: path.to_path_buf(),
                format: writer.format,
                writer: writer.lvstop,
            })
        }
        HeaderRead::Recording { writer, .. } if writer.format < FORMAT_VERSION => {
            drop(file);
            segments::shift(path).map_err(|e| RecordError::io(path, &e))?;
            create_segment(path)
        }
        HeaderRead::Recording { len, .. } => {
            let scan = block::scan(&data[len..], len as u64);
            file.set_len(scan.end)
                .and_then(|()| file.sync_all())
                .map_err(|e| RecordError::io(path, &e))?;
            let mut file = OpenOptions::new()
                .append(true)
                .custom_flags(libc::O_NOFOLLOW)
                .open(path)
                .map_err(|e| RecordError::io(path, &e))?;
            file.flush().map_err(|e| RecordError::io(path, &e))?;
            Ok((file, scan.end))
        }
    }
}

/// A new segment: created exclusively (never through a link), mode 0600
/// (it holds addresses), its header written and synced with its directory.
fn create_segment(path: &Path) -> Result<(File, u64), RecordError> {
    let fail = |e: std::io::Error| RecordError::io(path, &e);
    let mut file = OpenOptions::new()
        .append(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(fail)?;
    let header = segment_header::encode(&this_writer());
    file.write_all(&header)
        .and_then(|()| file.sync_all())
        .map_err(fail)?;
    segments::sync_dir(path).map_err(fail)?;
    Ok((file, header.len() as u64))
}
