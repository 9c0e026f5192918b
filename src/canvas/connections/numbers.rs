//! Counts as the connections view writes them: exact, or `~` scaled from a
//! sample, never a sampled count passed off as exact.

use crate::app::units::human;
use crate::conns::Count;

/// `1,234` (or `1.2K` unless exact numbers are on); `~1,234` when scaled
/// from a sample.
pub fn count_text(c: Count, exact_numbers: bool) -> String {
    let v = c.value();
    let text = if exact_numbers || v < 10_000 {
        grouped(v)
    } else {
        human(v as f64, false)
    };
    match c {
        Count::Exact { .. } => text,
        Count::Estimated { .. } => format!("~{text}"),
    }
}

/// Digits in groups of three: `1,234,567`.
pub fn grouped(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Seconds as ipvsadm's `mm:ss` (minutes past 99 widen, as its printf does).
pub fn mm_ss(secs: u32) -> String {
    format!("{:02}:{:02}", secs / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_say_whether_they_are_exact() {
        assert_eq!(count_text(Count::Exact { value: 1234 }, false), "1,234");
        assert_eq!(
            count_text(
                Count::Estimated {
                    value: 1_234_567,
                    margin: 10
                },
                false
            ),
            "~1.2M"
        );
        assert_eq!(
            count_text(
                Count::Estimated {
                    value: 1_234_567,
                    margin: 10
                },
                true
            ),
            "~1,234,567"
        );
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(mm_ss(0), "00:00");
        assert_eq!(mm_ss(890), "14:50");
        assert_eq!(mm_ss(7200), "120:00");
    }
}
