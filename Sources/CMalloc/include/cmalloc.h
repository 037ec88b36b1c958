#ifndef TASKSYNC_CMALLOC_H
#define TASKSYNC_CMALLOC_H

/// glibc's malloc, tuned for a long-running process with few threads.

/// Caps glibc's malloc arenas at `count` (mallopt M_ARENA_MAX). glibc gives
/// threads arenas of their own, up to 8 per core; memory freed in one is
/// not reused by another, so a cycle's allocations spread over threads keep
/// the resident set growing. Call before threads start. Returns 1 on success.
int tasksync_malloc_limit_arenas(int count);

/// Serves every allocation of `bytes` or more with its own mmap, returned
/// to the system when freed (mallopt M_MMAP_THRESHOLD). Setting it fixes the
/// threshold: glibc otherwise raises it to the size of each large block
/// freed (up to 32 MB), after which a cycle's hash tables and arrays come
/// from the heap and leave it fragmented. Returns 1 on success.
int tasksync_malloc_mmap_threshold(int bytes);

/// Returns the free memory of every arena to the system (malloc_trim(0)).
/// Returns 1 if some was released.
int tasksync_malloc_trim(void);

#endif
