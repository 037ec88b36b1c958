import CMalloc

/// The process's memory between cycles. A cycle over a large link
/// allocates much and frees it all at its end (listings, plans); glibc's
/// malloc keeps what was freed, spread over one arena per thread, so the
/// resident set of a daemon grows to several times what it holds (at
/// 100,000 tasks: 485 MB resident for about 150 MB in use). One arena, and
/// the free memory handed back after each cycle, keep it near what is used.
public enum ProcessMemory {
    /// One malloc arena for the whole process. Call first thing in `main`,
    /// before any thread starts (later calls do not move existing threads).
    public static func useOneArena() {
        _ = tasksync_malloc_limit_arenas(1)
    }

    /// Hands the memory malloc holds free back to the system. ``SyncEngine``
    /// calls it at the end of each cycle.
    public static func releaseFreeMemory() {
        _ = tasksync_malloc_trim()
    }
}
