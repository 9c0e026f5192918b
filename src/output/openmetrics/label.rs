//! Label values as the exposition format quotes them. Values can come from
//! outside (a namespace name, the kernel's scheduler name), so every byte is
//! either escaped or replaced: no control character reaches the file.

/// Appends `value` escaped for a quoted label value: `\` `"` and newline
/// escaped as the format says; any other control character (which the format
/// would carry raw to whoever cats the file) becomes U+FFFD.
pub fn push_value(out: &mut Vec<u8>, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.extend_from_slice(b"\\\\"),
            '"' => out.extend_from_slice(b"\\\""),
            '\n' => out.extend_from_slice(b"\\n"),
            c if c.is_control() => out.extend_from_slice("\u{FFFD}".as_bytes()),
            c => {
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

/// A label set written pair by pair: `name="value"`, comma separated, no braces.
pub struct Labels<'a> {
    out: &'a mut Vec<u8>,
}

impl<'a> Labels<'a> {
    /// Continues the pairs already in `out` (none if it is empty).
    pub fn on(out: &'a mut Vec<u8>) -> Labels<'a> {
        Labels { out }
    }

    fn name(&mut self, name: &str) {
        if !self.out.is_empty() {
            self.out.push(b',');
        }
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"=\"");
    }

    /// A value from outside lvstop, escaped.
    pub fn text(&mut self, name: &str, value: &str) -> &mut Self {
        self.name(name);
        push_value(self.out, value);
        self.out.push(b'"');
        self
    }

    /// A value lvstop writes itself (digits, addresses, words): nothing to escape.
    pub fn with(&mut self, name: &str, value: impl FnOnce(&mut Vec<u8>)) -> &mut Self {
        self.name(name);
        value(self.out);
        self.out.push(b'"');
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str) -> String {
        let mut out = Vec::new();
        push_value(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn hostile_values_are_escaped_or_replaced() {
        assert_eq!(escaped("plain-ns_1"), "plain-ns_1");
        assert_eq!(escaped(r#"a"b"#), r#"a\"b"#);
        assert_eq!(escaped(r"a\b"), r"a\\b");
        assert_eq!(escaped("a\nb"), r"a\nb");
        assert_eq!(escaped(r#"\""#), r#"\\\""#);
        assert_eq!(
            escaped("x\u{1b}[2J\ry\t\u{7f}\u{9b}"),
            "x\u{FFFD}[2J\u{FFFD}y\u{FFFD}\u{FFFD}\u{FFFD}"
        );
        assert_eq!(escaped("ünï"), "ünï");
        let closing = escaped("\"} 1\nfake_metric 2\n#");
        assert!(!closing.contains('\n'), "{closing}");
        assert_eq!(closing, r#"\"} 1\nfake_metric 2\n#"#);
    }

    #[test]
    fn labels_are_comma_separated() {
        let mut out = Vec::new();
        Labels::on(&mut out)
            .text("netns", "a\"b")
            .with("local_port", |o| o.extend_from_slice(b"80"));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"netns="a\"b",local_port="80""#
        );
    }
}
