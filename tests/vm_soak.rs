//! The short soak (2 minutes in the VM: NAT lab traffic, 10 services added
//! and deleted per second, the monitor and a batch loop reading throughout).
//! Ignored by default: it takes about 5 minutes with the boot and the
//! release build. Run it with `cargo test --test vm_soak -- --ignored`, or
//! the full ten minutes with `tools/soak`.

mod support;

#[test]
#[ignore = "about 5 minutes: run on demand or from CI (tools/soak --minutes 2)"]
fn soak_two_minutes_in_the_vm() {
    if support::vm::vm_or_skip("vm_soak::soak_two_minutes_in_the_vm").is_none() {
        return;
    }
    let out = std::process::Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tools/soak"))
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
