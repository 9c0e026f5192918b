//! The kernel's `net.ipv4.vs.*` settings, read from /proc/sys in the
//! table's network namespace. lvstop only reads them, never writes.
//!
//! The files are opened once, from a thread inside the namespace (a
//! /proc/sys/net file shows the namespace of whoever opened it, whichever
//! thread reads it later), and re-read from the start at each reading.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

use super::netns;
use crate::backend::wording::strerror;
use crate::backend::{Error, ErrorKind};
use crate::model::{Setting, VsSettings};

/// Where the settings live.
pub const DIR: &str = "/proc/sys/net/ipv4/vs";

/// A setting's file holds a number or two and a newline; anything that
/// fills this buffer is not one.
const READ_MAX: usize = 64;

/// One setting file as opened.
#[derive(Debug)]
enum Opened {
    File(File),
    /// This kernel has no such setting.
    Absent,
    /// It exists but could not be opened: why, in words.
    Failed(String),
}

/// The settings' files of one namespace.
#[derive(Debug)]
pub struct SysctlFiles {
    /// Each distinct file once (`sync_threshold` holds two settings).
    files: Vec<(&'static str, Opened)>,
}

impl SysctlFiles {
    /// Opens the files of the current namespace, or of `netns` (as
    /// `--netns` names it). Never fails: what could not be opened says so
    /// when read.
    pub fn open(netns: Option<&str>) -> SysctlFiles {
        let files = match netns {
            None => open_all(),
            Some(ns) => match netns::in_netns(ns, open_all) {
                Ok(files) => files,
                Err(e) => names()
                    .map(|name| (name, Opened::Failed(e.to_string())))
                    .collect(),
            },
        };
        SysctlFiles { files }
    }

    /// Every setting: `None` for those this kernel lacks; an error, naming
    /// the file, for one that cannot be read or holds something else.
    pub fn read(&self) -> Result<VsSettings, Error> {
        let mut settings = VsSettings::default();
        for (name, opened) in &self.files {
            let Some(values) = read_file(name, opened)? else {
                continue;
            };
            for &setting in Setting::ALL.iter().filter(|s| s.file() == *name) {
                settings.set(setting, Some(values[setting.position()]));
            }
        }
        Ok(settings)
    }

    /// One setting (`None`: not in this kernel).
    pub fn read_one(&self, setting: Setting) -> Result<Option<i64>, Error> {
        let Some((name, opened)) = self.files.iter().find(|(n, _)| *n == setting.file()) else {
            return Ok(None);
        };
        Ok(read_file(name, opened)?.map(|v| v[setting.position()]))
    }
}

/// The distinct files, in the order of `Setting::ALL`.
fn names() -> impl Iterator<Item = &'static str> {
    Setting::ALL
        .iter()
        .enumerate()
        .filter(|(i, s)| !Setting::ALL[..*i].iter().any(|o| o.file() == s.file()))
        .map(|(_, s)| s.file())
}

fn open_all() -> Vec<(&'static str, Opened)> {
    names()
        .map(|name| {
            let path = format!("{DIR}/{name}");
            let opened = match File::open(&path) {
                Ok(f) => Opened::File(f),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Opened::Absent,
                Err(e) => Opened::Failed(format!(
                    "cannot open {path}: {}",
                    strerror(e.raw_os_error().unwrap_or(0))
                )),
            };
            (name, opened)
        })
        .collect()
}

/// How many numbers a file holds.
fn count(name: &str) -> usize {
    Setting::ALL.iter().filter(|s| s.file() == name).count()
}

fn read_file(name: &str, opened: &Opened) -> Result<Option<Vec<i64>>, Error> {
    let file = match opened {
        Opened::File(f) => f,
        Opened::Absent => return Ok(None),
        Opened::Failed(why) => return Err(Error::new(ErrorKind::Io, why.clone())),
    };
    let mut buf = [0u8; READ_MAX];
    let n = file.read_at(&mut buf, 0).map_err(|e| {
        let errno = e.raw_os_error().unwrap_or(0);
        Error::new(
            ErrorKind::Io,
            format!("cannot read {DIR}/{name}: {}", strerror(errno)),
        )
        .with_errno(errno)
    })?;
    parse(&buf[..n], count(name))
        .map(Some)
        .map_err(|why| Error::new(ErrorKind::Protocol, format!("{DIR}/{name}: {why}")))
}

/// A setting file's text: `count` integers separated by blanks, then a
/// newline. What is wrong is said without echoing the bytes read.
pub fn parse(bytes: &[u8], count: usize) -> Result<Vec<i64>, String> {
    if bytes.len() >= READ_MAX {
        return Err(format!("longer than {} bytes", READ_MAX - 1));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "not text".to_string())?;
    let text = text.strip_suffix('\n').unwrap_or(text);
    let values = text
        .split([' ', '\t'])
        .filter(|w| !w.is_empty())
        .map(|w| w.parse::<i64>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| "not an integer".to_string())?;
    if values.len() != count {
        return Err(match count {
            1 => format!("expected one integer, read {}", values.len()),
            n => format!("expected {n} integers, read {}", values.len()),
        });
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_the_kernel_writes() {
        assert_eq!(parse(b"1\n", 1), Ok(vec![1]));
        assert_eq!(parse(b"3\t50\n", 2), Ok(vec![3, 50]));
        assert_eq!(parse(b"1024\n", 1), Ok(vec![1024]));
        assert_eq!(parse(b"-5\n", 1), Ok(vec![-5]));
    }

    #[test]
    fn anything_else_is_refused_in_words_without_echoing_it() {
        let bad: &[(&[u8], usize, &str)] = &[
            (b"", 1, "expected one integer, read 0"),
            (b"\n", 1, "expected one integer, read 0"),
            (b"1 2\n", 1, "expected one integer, read 2"),
            (b"3\n", 2, "expected 2 integers, read 1"),
            (b"x\n", 1, "not an integer"),
            (b"1\x1b[2J\n", 1, "not an integer"),
            (b"99999999999999999999\n", 1, "not an integer"),
            (b"\xff\n", 1, "not text"),
            (&[b'1'; 64], 1, "longer than 63 bytes"),
        ];
        for (bytes, count, why) in bad {
            assert_eq!(parse(bytes, *count), Err(why.to_string()), "{bytes:?}");
        }
    }

    #[test]
    fn each_file_once_and_sync_threshold_holds_two() {
        let all: Vec<_> = names().collect();
        assert_eq!(all.len(), Setting::ALL.len() - 1);
        assert_eq!(count("sync_threshold"), 2);
        assert_eq!(count("conn_reuse_mode"), 1);
    }

    #[test]
    fn a_missing_namespace_makes_every_read_an_error_naming_it() {
        let files = SysctlFiles::open(Some("lvstop-no-such-namespace"));
        let e = files.read().unwrap_err();
        assert!(e.message().contains("lvstop-no-such-namespace"), "{e}");
        assert!(files.read_one(Setting::RunEstimation).is_err());
    }
}
