#ifndef CSPAWN_H
#define CSPAWN_H

#include <spawn.h>

/// Closes every descriptor from `low` up in the child
/// (glibc's posix_spawn_file_actions_addclosefrom_np, glibc 2.34+).
int cspawn_addclosefrom(posix_spawn_file_actions_t *actions, int low);

#endif
