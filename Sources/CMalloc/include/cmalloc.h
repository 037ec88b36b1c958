#ifndef TASKSYNC_CMALLOC_H
#define TASKSYNC_CMALLOC_H

/// glibc's malloc, tuned for a long-running process with few threads.

/// Caps glibc's malloc arenas at `count` (mallopt M_ARENA_MAX). glibc gives
/// threads arenas of their own, up to 8 per core; memory freed in one is
/// not reused by another, so a cycle's allocations spread over threads keep
/// the resident set growing. Call before threads start. Returns 1 on success.
int tasksync_malloc_limit_arenas(int count);

/// Returns the free memory of every arena to the system (malloc_trim(0)).
/// Returns 1 if some was released.
int tasksync_malloc_trim(void);

#endif
