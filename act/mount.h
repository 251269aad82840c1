/* --mount: mounting bpffs and tracefs where a command needs them and they are missing.
 * capture/env.h checks; this is the part that changes the system. */
#ifndef BPFSCOPE_MOUNT_H
#define BPFSCOPE_MOUNT_H
#include <stdbool.h>
#include "capture/env.h"

/* env_check(need), except that with mount a missing bpffs or tracefs is mounted first
 * (each in turn, after the privileges were found sufficient). */
int env_ready(unsigned need, bool mount, struct err *e);
#endif
