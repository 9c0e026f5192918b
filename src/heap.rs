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
//! Only the trim threshold is set. Raising the mmap threshold too (so the
//! big lists come from the heap as well) was tried in a full `tools/bench`
//! run: read/floor 1.07 at 10,000 x 10 and 1.05 at 50,000 x 2 (1.10 and
//! 1.06 in the next run with the trim threshold alone), but a key waited
//! 114 ms for its frame at 50,000 x 2 (72 ms in the run before, 89 ms in
//! the run after), over the 100 ms target.

/// Freed memory up to this much stays in the process (a 1,000 x 250 read
/// frees 34 MB at once).
const KEEP_FREED: i32 = 64 << 20;

/// Sets the policy for the whole process; call once, early. lvstop's
/// `main` does, and so does the benchmark that measures it.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes an allocator parameter; the value is
    // within glibc's accepted range, and a refusal (return 0) just leaves
    // the default.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, KEEP_FREED);
    }
}
