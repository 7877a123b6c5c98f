/* File helpers shared by the CLI and the library. */
#ifndef KD_UTIL_FS_H
#define KD_UTIL_FS_H

#include "util/error.h"

#include <stddef.h>

/* Reads a whole file ("-" is standard input) into a NUL-terminated buffer
 * owned by the caller. */
int kd_read_file(const char *path, char **data, size_t *len, kd_error **err);


/* Replaces path's content with data atomically: a temp file in the same
 * folder, with path's mode (and owner, when allowed), fsync'ed, renamed over
 * path, and the folder fsync'ed. When expect is not NULL, path must still
 * hold exactly expect[0..expect_len) (what the caller read); if it changed
 * in the meantime nothing is written and the error says so. A failure
 * leaves path untouched and no temp file behind. */
int kd_write_file_atomic(const char *path, const void *data, size_t len, const char *expect,
                         size_t expect_len, kd_error **err);

#endif
