//! The process's allocator policy: memory a poll frees is kept for the
//! next poll instead of going back to the kernel.
//!
//! Every read builds a new snapshot of the table (at 10,000 x 10, 14 MB;
//! at 1,000 x 250, 34 MB) and drops the previous one. With glibc's
//! defaults the freed top of the heap is returned to the kernel and large
//! lists are mapped and unmapped each time, so the next read faults every
//! page back in. Measured in the test VM (`tools/bench`'s full read,
//! median of 3, two runs each): 1,000 x 250 went from 1.31-1.33x the floor
//! to 1.20-1.23x, 10,000 x 10 from 1.18x to 1.10-1.13x.

/// Freed memory up to this much stays in the process (a 1,000 x 250 read
/// frees 34 MB at once).
const KEEP_FREED: i32 = 64 << 20;
/// Allocations below this come from the heap, where freed memory is kept;
/// glibc's largest (`DEFAULT_MMAP_THRESHOLD_MAX` on 64-bit).
const MAP_ABOVE: i32 = 32 << 20;

/// Sets the policy for the whole process; call once, early. lvstop's
/// `main` does, and so does the benchmark that measures it.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; both values are
    // within glibc's accepted ranges, and a refusal (return 0) just leaves
    // the defaults.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, KEEP_FREED);
        libc::mallopt(libc::M_MMAP_THRESHOLD, MAP_ABOVE);
    }
}
