import CMalloc

#if canImport(Glibc)
    import Glibc
#endif

/// The process's memory between cycles. A cycle over a large link
/// allocates much and frees it all at its end (listings, plans); glibc's
/// malloc keeps what was freed, spread over one arena per thread and
/// fragmented by the blocks still in use, so the resident set of a daemon
/// grows to several times what it holds (at 100,000 tasks: 485 MB resident
/// for about 150 MB in use). One arena, large blocks in mmaps of their own,
/// and the free memory handed back after each cycle keep it near what is used.
public enum ProcessMemory {
    /// The glibc tunables tasksync runs with: one malloc arena, and blocks
    /// of 128 KiB or more (a cycle's hash tables and arrays) in mmaps of
    /// their own, returned to the system when freed.
    public static let mallocTunables = "glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=131072"

    /// Call first thing in `main`. glibc reads its malloc tunables only
    /// when the process starts, and `mallopt` later does less (threads that
    /// already run keep their arenas: at 20,000 tasks the idle cycles' RSS
    /// was 123 MB with `mallopt`, 90 MB with the tunables). So when
    /// `GLIBC_TUNABLES` names no malloc setting, this adds
    /// ``mallocTunables`` to it and executes the same program again, with
    /// the same arguments and process id; the systemd unit sets it already,
    /// so the daemon starts once. An operator's own malloc tunables are
    /// kept as they are. If the program cannot be executed again, it goes
    /// on with `mallopt`.
    public static func tuneMalloc() {
        #if canImport(Glibc)
            let current = getenv("GLIBC_TUNABLES").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
            if current?.contains("glibc.malloc.") != true {
                setenv("GLIBC_TUNABLES", current.map { "\($0):\(mallocTunables)" } ?? mallocTunables, 1)
                // The program's own path, not /proc/self/exe: the process keeps its name (`ps`, journald's _COMM).
                var path = [CChar](repeating: 0, count: 4096)
                let length = readlink("/proc/self/exe", &path, path.count - 1)
                if length > 0 { execv(path, CommandLine.unsafeArgv) }
                // Not executed again (no /proc): restore the environment, tune what can still be tuned.
                if let current { setenv("GLIBC_TUNABLES", current, 1) } else { unsetenv("GLIBC_TUNABLES") }
            }
        #endif
        _ = tasksync_malloc_limit_arenas(1)
        _ = tasksync_malloc_mmap_threshold(128 * 1024)
    }

    /// Hands the memory malloc holds free back to the system. ``SyncEngine``
    /// calls it at the end of each cycle.
    public static func releaseFreeMemory() {
        _ = tasksync_malloc_trim()
    }
}
