//! Human-readable numbers: K, M, G, T (powers of 1000, as ipvsadm), or exact.

/// Formats a count or rate. Below 10,000 the value is exact (one decimal
/// for fractional rates under 10, so a derived 0.5/s never reads as 0);
/// above, three significant digits and a unit.
pub fn human(v: f64, exact: bool) -> String {
    if !v.is_finite() || v < 0.0 {
        return "-".to_string();
    }
    if exact {
        return if v.fract() != 0.0 && v < 10.0 {
            format!("{v:.1}")
        } else {
            format!("{}", v.round() as u64)
        };
    }
    if v < 10.0 && v.fract() != 0.0 {
        return format!("{v:.1}");
    }
    if v < 10_000.0 {
        return format!("{}", v.round() as u64);
    }
    let mut value = v;
    let mut unit = ' ';
    for u in ['K', 'M', 'G', 'T', 'P'] {
        value /= 1000.0;
        unit = u;
        if value < 999.5 {
            break;
        }
    }
    if value < 99.95 {
        format!("{value:.1}{unit}")
    } else {
        format!("{value:.0}{unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn units() {
        assert_eq!(human(0.0, false), "0");
        assert_eq!(human(0.5, false), "0.5");
        assert_eq!(human(9999.0, false), "9999");
        assert_eq!(human(10_000.0, false), "10.0K");
        assert_eq!(human(123_456.0, false), "123K");
        assert_eq!(human(999_600.0, false), "1.0M");
        assert_eq!(human(1_500_000_000.0, false), "1.5G");
        assert_eq!(human(123_456.0, true), "123456");
        assert_eq!(human(f64::NAN, false), "-");
    }
}
