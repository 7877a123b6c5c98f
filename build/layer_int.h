/* Internals shared by build/layer_*.c; not an API for other modules. */
#ifndef KD_BUILD_LAYER_INT_H
#define KD_BUILD_LAYER_INT_H

#include "build/layer.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>

struct archive;
struct archive_entry;

/* Lexically cleans a tar entry name into a relative path with no "." or
 * ".." components and no repeated or trailing "/" ("" is the root).
 * Returns 0 and a string owned by the caller, -1 for an absolute name,
 * -2 for a name whose ".." climbs above the root. */
int kd_lpath_clean(const char *name, char **out);

/* Appends a printable, quoted form of an entry name (newlines and invalid
 * UTF-8 shown as \xNN), for error messages. */
void kd_lpath_quote(kd_buf *b, const char *name);
/* The same, as a string owned by the caller. */
char *kd_lpath_quoted(const char *name);

/* The destination tree of one extraction: it creates entries only through
 * directory fds resolved beneath its root without following symlinks. */
typedef struct kd_ltree kd_ltree;

/* Owned by the caller (kd_ltree_free). */
kd_ltree *kd_ltree_open(const char *dest, unsigned flags, kd_error **err);
/* Creates the entry e (reading its data from a), updating st's counts. */
int kd_ltree_apply(kd_ltree *t, struct archive *a, struct archive_entry *e, kd_layer_stats *st,
                   kd_error **err);
/* Sets directories' times, once all their contents are written. */
int kd_ltree_finish(kd_ltree *t, kd_error **err);
void kd_ltree_free(kd_ltree *t);

/* Removes the entry name in dirfd, recursing into directories without
 * following symlinks. */
int kd_lremove_at(int dirfd, const char *name);

/* xattr names a layer may carry: 1 apply, 0 ignore, -1 refuse (overlay's
 * own, which would change what the overlay mount shows). */
int kd_lxattr_policy(const char *name);

#endif
