/* File helpers shared by the CLI and the library. */
#ifndef KD_UTIL_FS_H
#define KD_UTIL_FS_H

#include "util/error.h"

#include <stddef.h>

/* Reads a whole file ("-" is standard input) into a NUL-terminated buffer
 * owned by the caller. */
int kd_read_file(const char *path, char **data, size_t *len, kd_error **err);

#endif
