//! The committed golden captures are whole: every index entry has its .bin, every datagram
//! splits exactly into netlink messages, and each capture has its command, output and status.
mod support;

use support::golden::{self, Direction};

#[test]
fn every_capture_is_complete_and_well_framed() {
    for kernel in golden::kernels() {
        let names = golden::captures(kernel);
        assert!(
            names.len() >= 30,
            "kernel {kernel}: only {} captures",
            names.len()
        );
        for name in &names {
            let grams = golden::datagrams(kernel, name);
            assert!(!grams.is_empty(), "{kernel}/{name}: no datagrams");
            assert_eq!(grams[0].direction, Direction::Request, "{kernel}/{name}");
            for g in &grams {
                let msgs = golden::netlink_messages(&g.bytes);
                assert!(!msgs.is_empty(), "{kernel}/{name}.{}", g.index);
            }
            golden::text(kernel, name, "cmd");
            golden::text(kernel, name, "out");
            let status = golden::text(kernel, name, "status");
            let expect_fail = name.starts_with("error_");
            assert_eq!(
                status.trim() != "0",
                expect_fail,
                "{kernel}/{name}: status {status}"
            );
        }
    }
}

#[test]
fn list_capture_ends_its_dumps_with_done() {
    // NLMSG_DONE (type 3) closes every dump ipvsadm -Ln makes: services, then dests per service.
    for kernel in golden::kernels() {
        let dones = golden::datagrams(kernel, "list")
            .iter()
            .filter(|g| g.direction == Direction::Response)
            .flat_map(|g| {
                golden::netlink_messages(&g.bytes)
                    .into_iter()
                    .map(|m| u16::from_ne_bytes([m[4], m[5]]))
                    .collect::<Vec<_>>()
            })
            .filter(|&t| t == 3)
            .count();
        // One services dump + one dests dump for each service in table.rules.
        let rules = std::fs::read_to_string(golden::dir(kernel).join("../table.rules")).unwrap();
        let services = rules.lines().filter(|l| l.starts_with("-A ")).count();
        assert_eq!(dones, 1 + services, "kernel {kernel}");
    }
}
