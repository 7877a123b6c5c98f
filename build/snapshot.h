/* The file-system side of the builder's chroot fallback, for machines where
 * overlayfs or namespaces cannot be used (an unprivileged CI container):
 *
 *   kd_tree_apply   applies an unpacked layer dir (overlayfs form: a char
 *                   device 0:0 is a whiteout, trusted.overlay.opaque=y marks
 *                   an opaque dir) onto a plain tree, as extracting that
 *                   layer over it would;
 *   kd_snap_take    records the metadata of every entry of a tree (type,
 *                   mode, owner, size, inode, mtime, ctime), not contents;
 *   kd_snap_diff    writes what changed in the tree since a snapshot into a
 *                   change dir in the same overlayfs form as an overlay's
 *                   upper dir: new and changed entries (their parent dirs
 *                   with them), and a whiteout for each removed entry. The
 *                   builder then commits it exactly as it commits an upper.
 *
 * A change is seen through the inode's ctime, which every write, chmod,
 * chown, link or rename moves and no user can set back; kd_snap_take waits
 * for the clock to pass the newest ctime it recorded, so a change made
 * right after it cannot share that ctime (the "racy git" case).
 *
 * Every walk goes by directory fds without following symlinks: a symlink in
 * the tree never leads a walk or a write outside it.
 * Owner: build-finish. */
#ifndef KD_BUILD_SNAPSHOT_H
#define KD_BUILD_SNAPSHOT_H

#include "util/error.h"

#include <stddef.h>
#include <sys/stat.h>

typedef struct kd_snap kd_snap;

/* Snapshots the tree at root. skip lists paths relative to root ("dev",
 * "etc/hosts") that are left out, with everything below them, here and in
 * the diff. Borrowed; must outlive the snapshot. */
int kd_snap_take(const char *root, const char *const *skip, size_t nskip, kd_snap **out,
                 kd_error **err);
/* Writes root's changes since snap into changes (an existing empty dir);
 * *count gets the number of entries written (may be NULL). */
int kd_snap_diff(const kd_snap *snap, const char *root, const char *changes, size_t *count,
                 kd_error **err);
void kd_snap_free(kd_snap *s);

/* Applies the layer dir layer onto the tree at root. */
int kd_tree_apply(const char *layer, const char *root, kd_error **err);

/* Copies the non-directory sdir/name (st: its lstat) to ddir/name, which
 * must not exist: contents, owner, mode, xattrs and times. */
int kd_tree_copy_node(int sdir, const char *name, const struct stat *st, int ddir, kd_error **err);

#endif
