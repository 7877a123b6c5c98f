/* Internal to build-fetch's files (store*.c, output.c, pull.c): the store
 * handle's layout and small I/O helpers. Not part of the public API. */
#ifndef KD_BUILD_STORE_INT_H
#define KD_BUILD_STORE_INT_H

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
/* read(2)/write(2) all n bytes, retrying on EINTR and short counts; -1 with
 * errno set (read: errno 0 at an early end of file). */
int kd_read_all(int fd, char *buf, size_t n);
int kd_write_all(int fd, const void *buf, size_t n);
/* Writes data to a tmp file in the store's session, fsyncs it and renames
 * it to path (mode 0644, or 0600 when private). */
int kd_store_write_file(kd_store *s, const char *path, const void *data, size_t len,
                        bool private_mode, kd_error **err);

#endif
