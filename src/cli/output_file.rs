//! `--output FILE`: each batch reading replaces FILE whole. A reading is
//! written to a temporary file in FILE's directory and renamed over FILE
//! when the reading ends (the batch writer flushes once per reading), so a
//! reader (node_exporter's textfile collector) sees the last whole reading,
//! never a partial one. The temporary is created O_EXCL|O_NOFOLLOW, so a
//! symlink planted at its name is never followed, and the rename replaces a
//! symlink at FILE instead of writing through it.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The file each reading replaces, and the reading being written.
pub struct OutputFile {
    target: PathBuf,
    temp_path: PathBuf,
    temp: Option<File>,
    /// A write of this reading failed: it must not replace FILE.
    torn: bool,
}

impl OutputFile {
    /// Checks `target` before anything is read: its directory exists, it is
    /// not a directory, and a file can be made next to it. Errors name the flag.
    pub fn open(target: &Path) -> Result<OutputFile, String> {
        let shown = target.display();
        let name = match target.file_name() {
            Some(name) if !target.as_os_str().as_encoded_bytes().ends_with(b"/") => name,
            _ => {
                return Err(format!(
                    "--output {shown}: give a file name, e.g. {shown}/lvstop.prom"
                ))
            }
        };
        if fs::metadata(target).is_ok_and(|m| m.is_dir()) {
            return Err(format!(
                "--output {shown} is a directory: give a file in it, e.g. {}",
                target.join("lvstop.prom").display()
            ));
        }
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !fs::metadata(&dir).is_ok_and(|m| m.is_dir()) {
            return Err(format!(
                "--output {shown}: directory {} does not exist",
                dir.display()
            ));
        }
        // Hidden and not ending in .prom: the textfile collector skips it.
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".lvstop-{}.tmp", std::process::id()));
        let mut out = OutputFile {
            target: target.to_path_buf(),
            temp_path: dir.join(temp_name),
            temp: None,
            torn: false,
        };
        // Whether a file can be made there, found now rather than after the first read.
        out.start().map_err(|e| e.to_string())?;
        out.discard();
        Ok(out)
    }

    fn error(&self, what: &str, e: io::Error) -> io::Error {
        io::Error::new(
            e.kind(),
            format!("--output {}: {what}: {e}", self.target.display()),
        )
    }

    /// The temporary for a new reading; a stale one at its name (ours from
    /// a crash, or anything planted) is unlinked once, never followed.
    fn start(&mut self) -> io::Result<&mut File> {
        let create = || {
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o666)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&self.temp_path)
        };
        let file = match create() {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                fs::remove_file(&self.temp_path)
                    .map_err(|e| self.error("cannot remove a stale temporary file", e))?;
                create()
            }
            other => other,
        }
        .map_err(|e| self.error(&format!("cannot create {}", self.temp_path.display()), e))?;
        Ok(self.temp.insert(file))
    }

    /// The reading written so far is dropped; FILE keeps the last whole one.
    fn discard(&mut self) {
        if self.temp.take().is_some() {
            let _ = fs::remove_file(&self.temp_path);
        }
    }

    /// The reading is whole: on disk, with FILE's mode if FILE exists
    /// (else the umask's, as any new file), renamed over FILE.
    fn commit(&mut self) -> io::Result<()> {
        if std::mem::take(&mut self.torn) {
            self.discard();
            return Err(self.error(
                "a write of this reading failed",
                io::Error::other("the file keeps the last whole reading"),
            ));
        }
        if self.temp.is_none() {
            self.start()?;
        }
        let file = self.temp.as_mut().expect("started");
        let result = (|| {
            if let Ok(m) = fs::symlink_metadata(&self.target) {
                if m.is_file() {
                    let mode = m.permissions().mode() & 0o7777;
                    file.set_permissions(Permissions::from_mode(mode))?;
                }
            }
            file.sync_data()?;
            fs::rename(&self.temp_path, &self.target)
        })();
        match result {
            Ok(()) => {
                self.temp = None;
                Ok(())
            }
            Err(e) => {
                self.discard();
                Err(self.error("cannot replace the file", e))
            }
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let file = match self.temp.as_mut() {
            Some(f) => f,
            None => self.start()?,
        };
        match file.write(buf) {
            Ok(n) => Ok(n),
            Err(e) => {
                self.torn = true;
                Err(self.error("cannot write", e))
            }
        }
    }

    /// The end of a reading: it replaces FILE.
    fn flush(&mut self) -> io::Result<()> {
        self.commit()
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        self.discard();
    }
}

#[cfg(test)]
mod tests;
