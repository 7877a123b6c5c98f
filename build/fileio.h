/* Small file helpers shared by build-fetch's modules (store, auth, outputs):
 * whole reads and writes, mkdir -p, and atomic file replacement.
 *
 * Owner: build-fetch. */
#ifndef KD_BUILD_FILEIO_H
#define KD_BUILD_FILEIO_H

#include "util/error.h"

#include <stddef.h>
#include <sys/types.h>

/* read(2)/write(2) of exactly n bytes, retrying on EINTR and short counts;
 * -1 with errno set (read: errno 0 at an early end of file). */
int kd_read_all(int fd, char *buf, size_t n);
int kd_write_all(int fd, const void *buf, size_t n);

/* mkdir -p; components it creates get mode. */
int kd_mkdirs(const char *path, mode_t mode, kd_error **err);

/* Replaces path with data: written to a temp file in tmpdir (NULL: beside
 * path; it must be on path's file system), given mode, fsynced, renamed
 * over path. Readers see the old or the new content, never a mix. */
int kd_write_file_atomic(const char *path, const char *tmpdir, const void *data, size_t len,
                         mode_t mode, kd_error **err);

#endif
