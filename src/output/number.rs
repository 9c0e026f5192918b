//! ipvsadm's number columns (print_largenum), and decimal numbers written
//! straight into an output buffer: batch output formats hundreds of
//! thousands of numbers, too many for a `String` each.

/// The decimal digits of one number, formatted on the stack.
pub struct Digits {
    buf: [u8; 20],
    start: usize,
}

impl Digits {
    pub fn u64(mut n: u64) -> Digits {
        // Two digits per division, from a table (itoa's method): halves
        // the divisions, the costly part of writing a number.
        const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
            2021222324252627282930313233343536373839\
            4041424344454647484950515253545556575859\
            6061626364656667686970717273747576777879\
            8081828384858687888990919293949596979899";
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        while n >= 100 {
            let pair = (n % 100) as usize * 2;
            n /= 100;
            i -= 2;
            buf[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
        }
        if n >= 10 {
            let pair = n as usize * 2;
            i -= 2;
            buf[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
        } else {
            i -= 1;
            buf[i] = b'0' + n as u8;
        }
        Digits { buf, start: i }
    }

    /// `%d`: with a minus sign below zero (i64::MIN's 19 digits and sign fit).
    pub fn i64(n: i64) -> Digits {
        let mut d = Digits::u64(n.unsigned_abs());
        if n < 0 {
            d.start -= 1;
            d.buf[d.start] = b'-';
        }
        d
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

/// `{n}`.
pub fn push_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(Digits::u64(n).as_bytes());
}

/// `{text:<width$}`: left-aligned, padded with spaces.
pub fn push_left(out: &mut Vec<u8>, text: &[u8], width: usize) {
    out.extend_from_slice(text);
    pad(out, width.saturating_sub(text.len()));
}

/// `{text:>width$}`: right-aligned, padded with spaces.
pub fn push_right(out: &mut Vec<u8>, text: &[u8], width: usize) {
    pad(out, width.saturating_sub(text.len()));
    out.extend_from_slice(text);
}

fn pad(out: &mut Vec<u8>, n: usize) {
    out.resize(out.len() + n, b' ');
}

/// One statistics cell, leading space included, as print_largenum prints it:
/// `%9llu`, or with `--exact` at least 9 wide and always one space ahead; without
/// `--exact`, numbers of 10^8 and more shortened to K, M, G or T (decimal
/// thousands, truncated) in 8 columns plus the unit letter.
pub fn push_largenum(out: &mut Vec<u8>, n: u64, exact: bool) {
    if exact {
        let digits = Digits::u64(n);
        let d = digits.as_bytes();
        let width = if d.len() <= 8 { 9 } else { d.len() + 1 };
        return push_right(out, d, width);
    }
    let (value, unit) = if n < 100_000_000 {
        return push_right(out, Digits::u64(n).as_bytes(), 9);
    } else if n < 1_000_000_000 {
        (n / 1_000, b'K')
    } else if n < 100_000_000_000 {
        (n / 1_000_000, b'M')
    } else if n < 100_000_000_000_000 {
        (n / 1_000_000_000, b'G')
    } else {
        (n / 1_000_000_000_000, b'T')
    };
    push_right(out, Digits::u64(value).as_bytes(), 8);
    out.push(unit);
}

/// [`push_largenum`] as a `String`.
pub fn largenum(n: u64, exact: bool) -> String {
    let mut out = Vec::with_capacity(21);
    push_largenum(&mut out, n, exact);
    String::from_utf8(out).expect("digits and spaces are ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortened_like_print_largenum() {
        assert_eq!(largenum(0, false), "        0");
        assert_eq!(largenum(99_999_999, false), " 99999999");
        assert_eq!(largenum(100_000_000, false), "  100000K");
        assert_eq!(largenum(999_999_999, false), "  999999K");
        assert_eq!(largenum(1_000_000_000, false), "    1000M");
        assert_eq!(largenum(99_999_999_999, false), "   99999M");
        assert_eq!(largenum(100_000_000_000, false), "     100G");
        assert_eq!(largenum(99_999_999_999_999, false), "   99999G");
        assert_eq!(largenum(100_000_000_000_000, false), "     100T");
        // Eight digits fill "%8llu": ipvsadm then prints no separating space.
        assert_eq!(largenum(u64::MAX, false), "18446744T");
    }

    #[test]
    fn exact_always_keeps_a_separating_space() {
        assert_eq!(largenum(0, true), "        0");
        assert_eq!(largenum(12_345_678, true), " 12345678");
        assert_eq!(largenum(123_456_789, true), " 123456789");
        assert_eq!(largenum(u64::MAX, true), " 18446744073709551615");
    }

    #[test]
    fn digits_match_std_formatting() {
        let mut n: u64 = 1;
        for _ in 0..64 {
            for m in [n - 1, n, n + 1, n.wrapping_mul(10) / 3] {
                assert_eq!(Digits::u64(m).as_bytes(), m.to_string().as_bytes());
                let s = m as i64;
                assert_eq!(Digits::i64(s).as_bytes(), s.to_string().as_bytes());
            }
            n = n.wrapping_mul(2).max(1);
        }
        for m in [u64::MAX, 0, 9, 10, 99, 100] {
            assert_eq!(Digits::u64(m).as_bytes(), m.to_string().as_bytes());
        }
        for s in [i64::MIN, i64::MAX, -1, 0, -10, -4_294_967_295] {
            assert_eq!(Digits::i64(s).as_bytes(), s.to_string().as_bytes());
        }
    }

    #[test]
    fn padding_like_std_formatting() {
        let mut out = Vec::new();
        push_left(&mut out, b"42", 6);
        push_right(&mut out, b"7", 3);
        push_left(&mut out, b"toolong", 3);
        push_right(&mut out, b"toolong", 3);
        assert_eq!(
            out,
            format!("{:<6}{:>3}{:<3}{:>3}", 42, 7, "toolong", "toolong").as_bytes()
        );
    }
}
