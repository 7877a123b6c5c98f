/* Internals shared by build/snapshot*.c. Owner: build-finish. */
#ifndef KD_BUILD_SNAPSHOT_INT_H
#define KD_BUILD_SNAPSHOT_INT_H

#include "build/snapshot.h"

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Inodes with several links already copied, and the path of their copy
 * (relative to the top of the destination). */
typedef struct snap_link {
    dev_t dev;
    ino_t ino;
    char *path;
} snap_link;

typedef struct snap_links {
    snap_link *v;
    size_t n, cap;
} snap_links;

void snap_links_free(snap_links *l);
int snap_link_find(const snap_links *l, const struct stat *st);
void snap_link_add(snap_links *l, const struct stat *st, const char *path);

/* The same, or a hard link to the earlier copy of the same inode. path is
 * the entry's path relative to topfd, the destination's top dir. */
int snap_put_node(snap_links *l, int topfd, int sdir, const char *name, const struct stat *st,
                  int ddir, const char *path, kd_error **err);
/* A directory's owner, mode, xattrs (from sfd) and, with times, its times. */
int snap_copy_xattrs(int in, int out);
int snap_dir_meta(int sfd, const struct stat *st, int dfd, bool times);
/* openat of a directory, never through a symlink. */
int snap_open_dir(int dirfd, const char *name);
/* rm -rf of dirfd/name (nothing there is fine), and of a dir's contents. */
int snap_remove(int dirfd, const char *name);
int snap_clear_dir(int fd);

#endif
