#define _GNU_SOURCE
#include <spawn.h>
#include "cspawn.h"

int cspawn_addclosefrom(posix_spawn_file_actions_t *actions, int low) {
    return posix_spawn_file_actions_addclosefrom_np(actions, low);
}
