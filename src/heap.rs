//! The process's allocator policy: memory a poll frees is kept for the
//! next poll instead of going back to the kernel.
//!
//! Every read builds a new snapshot of the table (at 10,000 x 10, 14 MB)
//! and drops the previous one; with glibc's defaults the freed top of the
//! heap goes back to the kernel, so the next read faults every page in
//! again. The figures are in docs/benchmarks.md ("Figures behind the code").

/// Freed memory up to this much stays in the process (a 1,000 x 250 read
/// frees 34 MB at once).
const KEEP_FREED: i32 = 64 << 20;
/// Allocations up to this size come from the heap, not from a mapping of
/// their own: setting the trim threshold turns off glibc's own raising of
/// the mmap threshold, and at its 128 KB a poll's lists of a few hundred KB
/// would be mapped and faulted in afresh every poll. Lists of megabytes
/// keep their own mappings and go back to the kernel when freed.
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
