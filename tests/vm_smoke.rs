//! The test VM boots each kernel with a working IPVS and ipvsadm.
mod support;

use support::vm::{kernels, vm_or_skip};

#[test]
fn ipvsadm_works_in_each_kernel() {
    let Some(vm) = vm_or_skip("vm_smoke::ipvsadm_works_in_each_kernel") else {
        return;
    };
    for kernel in kernels() {
        let out = vm.run(
            kernel,
            "uname -r
             ipvsadm -A -t 10.1.1.1:80 -s rr &&
             ipvsadm -a -t 10.1.1.1:80 -r 10.1.1.2:80 -m -w 3 &&
             ipvsadm -Ln",
        );
        out.assert_ok();
        let mut lines = out.stdout.lines();
        let release = lines.next().unwrap_or_default();
        assert!(
            release.starts_with(&format!("{kernel}.")),
            "asked for kernel {kernel}, VM runs {release}"
        );
        let table: Vec<&str> = lines.map(str::trim_end).collect();
        assert_eq!(
            table,
            [
                "IP Virtual Server version 1.2.1 (size=4096)",
                "Prot LocalAddress:Port Scheduler Flags",
                "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
                "TCP  10.1.1.1:80 rr",
                "  -> 10.1.1.2:80                  Masq    3      0          0",
            ],
            "kernel {kernel}"
        );
    }
}

#[test]
fn command_status_and_streams_come_back_apart() {
    let Some(vm) = vm_or_skip("vm_smoke::command_status_and_streams_come_back_apart") else {
        return;
    };
    let out = vm.run("6.1", "echo out; echo err >&2; pwd; exit 7");
    assert_eq!(out.status, 7, "{out:?}");
    assert_eq!(out.stdout, format!("out\n{}\n", env!("CARGO_MANIFEST_DIR")));
    assert_eq!(out.stderr, "err\n");
}

#[test]
fn console_mode_gives_a_tty_that_tmux_can_drive() {
    let Some(_vm) = vm_or_skip("vm_smoke::console_mode_gives_a_tty_that_tmux_can_drive") else {
        return;
    };
    let out = std::process::Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/vm/check-console"))
        .arg("6.1")
        .output()
        .expect("run vm/check-console (needs tmux: vm/setup installs it)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("PASS"),
        "vm/check-console failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A panic in the VM ends qemu with status 0 (`panic=-1`, `-no-reboot`), like a poweroff: vm/run
/// must say it was a panic and show the kernel's words, on the console too, where the kernel's
/// console is a second serial port kept in a file.
#[test]
fn a_kernel_panic_is_named_and_its_log_shown_in_both_modes() {
    let Some(vm) = vm_or_skip("vm_smoke::a_kernel_panic_is_named_and_its_log_shown_in_both_modes")
    else {
        return;
    };
    let crash = "echo c >/proc/sysrq-trigger; sleep 30";
    for kernel in kernels() {
        for (mode, out) in [
            ("batch", vm.run(kernel, crash)),
            ("console", vm.run_on_console(kernel, crash)),
        ] {
            assert_eq!(out.status, 125, "kernel {kernel}, {mode}: {}", out.stderr);
            assert!(
                out.stderr
                    .contains(&format!("the VM's kernel panicked (kernel {kernel})"))
                    && out
                        .stderr
                        .contains("Kernel panic - not syncing: sysrq triggered crash"),
                "kernel {kernel}, {mode}: {}",
                out.stderr
            );
        }
    }
}
