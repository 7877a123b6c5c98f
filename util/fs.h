/* File helpers shared by the CLI and the library. */
#ifndef KD_UTIL_FS_H
#define KD_UTIL_FS_H

#include "util/error.h"

#include <stddef.h>
#include <sys/types.h>

/* Reads a whole file ("-" is standard input) into a NUL-terminated buffer
 * owned by the caller. */
int kd_read_file(const char *path, char **data, size_t *len, kd_error **err);


/* read(2)/write(2) of exactly n bytes, retrying on EINTR and short counts;
 * -1 with errno set (read: errno 0 at an early end of file). */
int kd_read_all(int fd, char *buf, size_t n);
int kd_write_all(int fd, const void *buf, size_t n);

/* The folder path stands in ("a/b/Dockerfile" -> "a/b", "Dockerfile" ->
 * ".", "/Dockerfile" -> "/"), or NULL for "-" (standard input). Caller
 * frees. */
char *kd_path_folder(const char *path);

/* mkdir -p; components it creates get mode. */
int kd_mkdirs(const char *path, mode_t mode, kd_error **err);

/* Replaces (or creates) path with data: written to a temp file in tmpdir
 * (NULL: beside path; it must be on path's file system), given mode,
 * fsynced, renamed over path, and the folder fsynced. Readers see the old
 * or the new content, never a mix; a failure leaves no temp file. */
int kd_write_file_atomic(const char *path, const char *tmpdir, const void *data, size_t len,
                         mode_t mode, kd_error **err);

/* Rewrites an existing file the way an editor should: atomically, keeping
 * its mode (and owner, when allowed). When expect is not NULL, path must
 * still hold exactly expect[0..expect_len) (what the caller read); if it
 * changed in the meantime nothing is written and the error says so. A
 * symbolic link stays a link: the file it points to is rewritten. */
int kd_replace_file(const char *path, const void *data, size_t len, const char *expect,
                    size_t expect_len, kd_error **err);

#endif
