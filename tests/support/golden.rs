//! The golden netlink captures in tests/golden/<kernel>/ (see tests/golden/README.md).

use std::path::PathBuf;

/// Which way a captured datagram went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// ipvsadm -> kernel (sendmsg).
    Request,
    /// kernel -> ipvsadm (one recvmsg; may hold several netlink messages).
    Response,
}

/// One captured datagram.
#[derive(Debug, Clone)]
pub struct Datagram {
    pub index: usize,
    pub direction: Direction,
    pub bytes: Vec<u8>,
}

/// Kernels that have captures.
pub fn kernels() -> &'static [&'static str] {
    &["6.1", "6.12"]
}

pub fn dir(kernel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(kernel)
}

/// Names of all captures for `kernel` (the NAME of NAME.strace), sorted.
pub fn captures(kernel: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir(kernel))
        .unwrap_or_else(|e| panic!("{}: {e}", dir(kernel).display()))
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".strace").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// The datagrams of capture `name` in order, as listed in NAME.index.
pub fn datagrams(kernel: &str, name: &str) -> Vec<Datagram> {
    let d = dir(kernel);
    let index = std::fs::read_to_string(d.join(format!("{name}.index")))
        .unwrap_or_else(|e| panic!("{kernel}/{name}.index: {e}"));
    index
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (n, kind) = (f[0], f[1]);
            let direction = match kind {
                "req" => Direction::Request,
                "resp" => Direction::Response,
                other => panic!("{kernel}/{name}.index: bad kind {other:?}"),
            };
            let path = d.join(format!("{name}.{n}.{kind}.bin"));
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Datagram {
                index: n.parse().expect("index number"),
                direction,
                bytes,
            }
        })
        .collect()
}

/// Text file of a capture: "out" (stdout), "err", "status", "cmd".
pub fn text(kernel: &str, name: &str, what: &str) -> String {
    let path = dir(kernel).join(format!("{name}.{what}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Splits a datagram into its netlink messages (by nlmsg_len, 4-byte aligned).
pub fn netlink_messages(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while rest.len() >= 16 {
        let len = u32::from_ne_bytes(rest[..4].try_into().unwrap()) as usize;
        assert!(len >= 16 && len <= rest.len(), "bad nlmsg_len {len}");
        out.push(&rest[..len]);
        rest = &rest[(len + 3) & !3..];
    }
    assert!(
        rest.is_empty(),
        "{} stray bytes after the last message",
        rest.len()
    );
    out
}
