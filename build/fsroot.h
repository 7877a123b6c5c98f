/* Opening paths confined to a directory tree (openat2(2) RESOLVE_* flags),
 * so that symlinks in an image or a build context cannot reach the host.
 * Owner: build-sandbox (helper C). Users: build/user.c, build/copy.c. */
#ifndef KD_BUILD_FSROOT_H
#define KD_BUILD_FSROOT_H

#include <stddef.h>
#include <sys/types.h>

/* How a path is resolved against the directory fd. */
typedef enum kd_resolve {
    KD_IN_ROOT,  /* symlinks and ".." resolved as if dirfd were "/" (images) */
    KD_BENEATH,  /* anything leaving dirfd fails with EXDEV (build context) */
} kd_resolve;

/* openat2(dirfd, path, flags, mode, resolve); -1 with errno on failure.
 * A leading '/' in path is relative to dirfd. O_CLOEXEC is added. */
int kd_root_open(int dirfd, const char *path, int flags, mode_t mode, kd_resolve how);

/* The names in a directory (any fd of it, O_PATH too), "." and ".."
 * left out, sorted bytewise so walks and copies are reproducible. Owned
 * array of owned strings (never NULL on success); NULL with errno set. */
char **kd_dir_names(int dirfd, size_t *n);

#endif
