//! The process's allocator policy: memory a poll frees is kept for the
//! next poll instead of going back to the kernel.
//!
//! Every read builds a new snapshot of the table (at 10,000 x 10, 14 MB;
//! at 1,000 x 250, 34 MB, in lists of a few KB) and drops the previous one.
//! With glibc's defaults the freed top of the heap goes back to the kernel
//! once it exceeds 128 KB, so the next read faults every page in again.
//! Measured in the test VM (`bench read 3`, the full read against the floor,
//! with the same setting through GLIBC_TUNABLES, median of 3, two
//! runs each): 1,000 x 250 went from 1.31-1.33x the floor to 1.24-1.26x,
//! 10,000 x 10 from 1.18x to 1.07x.
//!
//! The mmap threshold is raised too, to 1 MB (see `KEEP_BIG`). An earlier
//! session raised it for every list (to 32 MB, in one full `tools/bench`
//! run) and dropped it: a key waited 114 ms for its frame at 50,000 x 2 (72
//! and 89 ms in the runs around it), over the 100 ms target. That was
//! before a poll's work on the UI thread was sliced; `tools/bench` checks
//! the key wait at 50,000 x 2 with this setting.

/// Freed memory up to this much stays in the process (a 1,000 x 250 read
/// frees 34 MB at once).
const KEEP_FREED: i32 = 64 << 20;
/// Allocations up to this size come from the heap, not from a mapping of
/// their own. Setting the trim threshold turns off glibc's own raising of
/// the mmap threshold, so at its 128 KB every poll's lists of a few hundred
/// KB (the poll's updates, three on the UI thread at 10,000 x 10, strace)
/// were mapped and unmapped afresh, each page faulted in again. In the
/// test VM at 10,000 x 10 (`bench tui-memory`, two runs each, one boot),
/// the UI thread took 21.7 and 26.0 ms of CPU a second at 128 KB, 17.0 and
/// 20.7 at 1 MB, 23.7 and 21.0 at 32 MB, with peak RSS 45.7-46.2, 45.9-47.4
/// and 48.3-48.8 MB: lists of megabytes (a listing of 50,000 services, the
/// rows) keep their own mappings and go back to the kernel when freed.
const KEEP_BIG: i32 = 1 << 20;

/// Sets the policy for the whole process; call once, early. lvstop's
/// `main` does, and so does the benchmark that measures it.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes an allocator parameter; the values are
    // within glibc's accepted ranges (the test below checks that glibc
    // takes them), and a refusal (return 0) just leaves the default.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, KEEP_FREED);
        libc::mallopt(libc::M_MMAP_THRESHOLD, KEEP_BIG);
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    /// mallopt answers 0 for a setting it refuses (and keeps its default):
    /// the policy must be one this glibc takes.
    #[test]
    fn glibc_takes_both_settings() {
        // SAFETY: as in keep_freed_memory.
        unsafe {
            assert_eq!(libc::mallopt(libc::M_TRIM_THRESHOLD, super::KEEP_FREED), 1);
            assert_eq!(libc::mallopt(libc::M_MMAP_THRESHOLD, super::KEEP_BIG), 1);
        }
    }
}
