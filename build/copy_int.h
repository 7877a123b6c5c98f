/* Internals shared by build/copy*.c. Owner: build-sandbox (helper C). */
#ifndef KD_BUILD_COPY_INT_H
#define KD_BUILD_COPY_INT_H

#include "build/copy.h"

#include <sys/stat.h>

typedef struct cctx {
    const kd_copy_opts *o;
    int src_root; /* O_PATH dir fds */
    int dst_root;
    bool chown;   /* --chown given */
    uid_t uid;
    gid_t gid;
    kd_chmod *chmod;
    kd_ignore *exclude; /* --exclude patterns, or NULL */
    kd_copy_stats st;
} cctx;

/* The owner a copied entry gets: --chown, else root for context files
 * (Docker's rule), else the source's own (--from). */
void copy_owner(const cctx *c, const struct stat *st, uid_t *uid, gid_t *gid);

/* An O_PATH fd of the directory at absolute path (inside dst_root),
 * created with its missing parents (0755, owned by --chown or root). */
int copy_dst_dir(cctx *c, const char *path, int *out, kd_error **err);

/* Copies the object at fd (O_PATH; st is its stat) to ddir/dname, a
 * directory recursively. rel is its path relative to the source argument
 * (for --exclude), ctx_rel its path in the context (for .dockerignore; NULL
 * outside a context). A dir source with contents_only copies its contents
 * into ddir/dname, which must then be an existing dir fd passed as ddir
 * with dname NULL. */
int copy_obj(cctx *c, int fd, const struct stat *st, int ddir, const char *dname, const char *rel,
             const char *ctx_rel, kd_error **err);
int copy_children(cctx *c, int dirfd, int ddir, const char *rel, const char *ctx_rel,
                  kd_error **err);

/* ADD of a local archive: 1 when the file at fd is a tar (plain, gzip,
 * bzip2 or xz), 0 when not, -1 on a read error. */
int copy_is_archive(int fd);
/* Extracts it into the dir at absolute path dest (inside dst_root). */
int copy_extract(cctx *c, int fd, const char *dest, kd_error **err);

/* Small shared helpers (copy_tree.c). */
int copy_clear_slot(int ddir, const char *name, kd_error **err); /* room for a non-dir */
int copy_reopen(int fd, int flags);      /* an O_PATH fd reopened, no new lookup */
char *copy_join(const char *a, const char *b); /* "a/b", or "b" when a is empty */

#endif
