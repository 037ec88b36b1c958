#include "cmalloc.h"

#if defined(__GLIBC__)
#include <malloc.h>

int tasksync_malloc_limit_arenas(int count) { return mallopt(M_ARENA_MAX, count); }

int tasksync_malloc_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }

int tasksync_malloc_trim(void) { return malloc_trim(0); }
#else
int tasksync_malloc_limit_arenas(int count) { (void)count; return 0; }

int tasksync_malloc_mmap_threshold(int bytes) { (void)bytes; return 0; }

int tasksync_malloc_trim(void) { return 0; }
#endif
