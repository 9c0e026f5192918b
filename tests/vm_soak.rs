//! The short soak (2 minutes in the VM: NAT lab traffic, 10 services added
//! and deleted per second, the monitor and a batch loop reading throughout).
//! Ignored by default: it takes about 5 minutes with the boot and the
//! release build. Run it with `cargo test --test vm_soak -- --ignored`, or
//! the full ten minutes with `tools/soak`. The rule its final comparison
//! uses (`tools/listing-between`) has a test here that needs no VM.

mod support;

use std::path::PathBuf;
use std::process::Command;

#[test]
#[ignore = "about 5 minutes: run on demand or from CI (tools/soak --minutes 2)"]
fn soak_two_minutes_in_the_vm() {
    if support::vm::vm_or_skip("vm_soak::soak_two_minutes_in_the_vm").is_none() {
        return;
    }
    let out = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tools/soak"))
        .args(["--minutes", "2"])
        .output()
        .expect("tools/soak runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}");
    assert!(
        out.status.success() && stdout.contains("soak: PASS"),
        "status {:?}\n{stdout}\n{stderr}",
        out.status
    );
}

/// The soak's final table, as ipvsadm printed it in the CI run on b7bae20: the
/// NAT lab's service with its two real servers at `inact` inactive
/// connections each, and one churned service.
fn listing(weight: u32, active: u32, inact: [u32; 2]) -> String {
    format!(
        "IP Virtual Server version 1.2.1 (size=4096)\n\
         Prot LocalAddress:Port Scheduler Flags\n\
         \x20 -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n\
         TCP  198.51.100.10:80 rr\n\
         \x20 -> 192.0.2.11:80                Masq    {weight:<6} {active:<10} {:<10}\n\
         \x20 -> 192.0.2.140:80               Masq    1      0          {:<10}\n\
         TCP  10.77.4.121:80 rr\n\
         \x20 -> 192.0.2.11:80                Masq    1      0          0         \n",
        inact[0], inact[1]
    )
}

/// Runs tools/listing-between on three listings: does it accept the middle one?
fn between(before: &str, lvstop: &str, after: &str) -> bool {
    let dir: PathBuf = std::env::temp_dir().join(format!("lvstop-between-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<PathBuf> = [("before", before), ("lvstop", lvstop), ("after", after)]
        .iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    let status = Command::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tools/listing-between"
    ))
    .args(&files)
    .status()
    .expect("tools/listing-between runs");
    std::fs::remove_dir_all(&dir).unwrap();
    match status.code() {
        Some(0) => true,
        Some(1) => false,
        other => panic!("tools/listing-between exited {other:?}"),
    }
}

#[test]
fn the_final_listing_may_take_inactive_counts_between_two_ipvsadm_readings() {
    let before = listing(1, 0, [109, 109]);
    let after = listing(1, 0, [104, 105]);
    // That run's failure: ipvsadm 109, lvstop 106 a moment later.
    assert!(between(&before, &listing(1, 0, [106, 106]), &after));
    assert!(between(&before, &before, &after));
    assert!(between(&before, &after, &after));
    assert!(between(&before, &listing(1, 0, [109, 105]), &after));
    // A count outside the two readings, or any other field that moved, fails.
    assert!(!between(&before, &listing(1, 0, [110, 106]), &after));
    assert!(!between(&before, &listing(1, 0, [103, 106]), &after));
    assert!(!between(&before, &listing(2, 0, [106, 106]), &after));
    assert!(!between(&before, &listing(1, 1, [106, 106]), &after));
    // A line more or less fails.
    let short: String = listing(1, 0, [106, 106])
        .lines()
        .take(7)
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!between(&before, &short, &after));
    let long = format!("{}TCP  10.77.4.122:80 rr\n", listing(1, 0, [106, 106]));
    assert!(!between(&before, &long, &after));
}
