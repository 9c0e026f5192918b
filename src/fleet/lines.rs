//! Reading a line from a peer without trusting it: a line longer than the
//! cap is never held whole in memory, it is reported (and skipped) instead.

use std::io::{self, BufRead};

/// What one call to [`read_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A line is in the buffer, newline stripped.
    Read,
    /// A line longer than the cap went by, of at least this many bytes;
    /// the buffer is empty and the stream stands at the next line.
    TooLong(usize),
    /// The stream ended (a last line without its newline is dropped: the
    /// peer stopped mid-message).
    End,
}

/// Reads one line of at most `max` bytes into `buf` (cleared first).
pub fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Line> {
    read(r, buf, max, false)
}

/// As [`read_line`], but a line is `TooLong` as soon as it passes `max`,
/// without waiting for its newline: for a reader that ends the stream then,
/// so a peer streaming one endless line is refused, not merely silent.
pub fn read_line_or_refuse(
    r: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Line> {
    read(r, buf, max, true)
}

fn read(r: &mut impl BufRead, buf: &mut Vec<u8>, max: usize, early: bool) -> io::Result<Line> {
    buf.clear();
    let mut skipped = 0usize;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(Line::End);
        }
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        if skipped == 0 && buf.len() + part.len() <= max {
            buf.extend_from_slice(part);
        } else {
            skipped = skipped.max(buf.len()) + part.len();
            buf.clear();
        }
        let used = done.unwrap_or(chunk.len());
        r.consume(used);
        if early && skipped > 0 {
            return Ok(Line::TooLong(skipped));
        }
        if done.is_some() {
            return Ok(if skipped > 0 {
                Line::TooLong(skipped)
            } else {
                Line::Read
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_under_the_cap_and_over_it() {
        let mut input = Vec::new();
        input.extend_from_slice(b"short\n");
        input.extend(std::iter::repeat_n(b'x', 100));
        input.extend_from_slice(b"\nnext\npartial");
        let mut r = io::BufReader::with_capacity(7, &input[..]);
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut r, &mut buf, 10).unwrap(), Line::Read);
        assert_eq!(buf, b"short");
        assert_eq!(read_line(&mut r, &mut buf, 10).unwrap(), Line::TooLong(100));
        assert!(buf.is_empty());
        assert_eq!(read_line(&mut r, &mut buf, 10).unwrap(), Line::Read);
        assert_eq!(buf, b"next");
        assert_eq!(read_line(&mut r, &mut buf, 10).unwrap(), Line::End);
    }

    #[test]
    fn a_line_past_the_cap_is_refused_before_its_newline() {
        let input = [b'x'; 100];
        let mut r = io::BufReader::with_capacity(7, &input[..]);
        let mut buf = Vec::new();
        match read_line_or_refuse(&mut r, &mut buf, 10).unwrap() {
            Line::TooLong(n) => assert!((11..=14).contains(&n), "{n}"),
            other => panic!("{other:?}"),
        }
        assert!(buf.is_empty());
        let mut r = io::BufReader::with_capacity(7, &b"short\n"[..]);
        assert_eq!(
            read_line_or_refuse(&mut r, &mut buf, 10).unwrap(),
            Line::Read
        );
        assert_eq!(buf, b"short");
    }
}
