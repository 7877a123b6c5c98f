/* Internal to build/store*.c: the store handle's layout. Not part of the
 * public API. */
#ifndef KD_BUILD_STORE_INT_H
#define KD_BUILD_STORE_INT_H

#include "build/fileio.h"
#include "build/store.h"

#include <stddef.h>

struct kd_store {
    char *dir;          /* absolute */
    int lock_fd;        /* DIR/lock, flocked shared or exclusive */
    char *session;      /* DIR/tmp/<pid>-<random> */
    char *session_lock; /* session + ".lock", flocked exclusive */
    int session_fd;
};

/* flock(2) that retries on EINTR. */
int kd_lock_fd(int fd, int op);

#endif
