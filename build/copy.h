/* Docker's COPY and ADD file semantics into a root directory.
 *
 * Owner: build-sandbox (helper C). User: build/builder.c.
 *
 * Design: kd_copy writes into dst_root, a plain directory that shows the
 * whole image (the merged view): the builder mounts the step's overlay with
 * kd_sandbox_call and calls kd_copy inside, so overlayfs does the copy-ups
 * and whiteouts and the upper dir is the layer, exactly as for RUN. Doing
 * the overlay's work ourselves (resolving the destination through lower
 * dirs, copying parents up) would duplicate overlayfs for no gain. With
 * --link the builder passes an empty directory (the new layer itself), as
 * BuildKit does. The chroot fallback passes its prepared tree.
 *
 * Every path in dst_root is resolved inside it (openat2 RESOLVE_IN_ROOT):
 * symlinks in the destination cannot leave the root. Sources are resolved
 * beneath src_root: a context source that is "../x" or crosses a symlink
 * out of the context is an error; in another stage's root (--from) a
 * symlink is followed inside that root, as in a container. */
#ifndef KD_BUILD_COPY_H
#define KD_BUILD_COPY_H

#include "build/dockerignore.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ADD <url>: the builder downloads the URL into dirfd/name (a temp dir
 * kd_copy made) and returns 0, or -1 with *err; mtime as Last-Modified. */
typedef int (*kd_copy_fetch_fn)(void *ctx, const char *url, int dirfd, const char *name,
                                kd_error **err);

typedef struct kd_copy_opts {
    const char *src_root;   /* the context dir, or a stage's root (--from) */
    bool src_is_context;    /* true: sources confined beneath src_root */
    const kd_ignore *ignore; /* .dockerignore of the context, or NULL */
    const char *const *srcs; /* sources as written (variables expanded) */
    size_t nsrcs;
    const char *dest;       /* as written; relative to workdir */
    const char *workdir;    /* absolute; "/" when NULL */
    const char *dst_root;   /* the merged root written into */
    const char *chown;      /* --chown=user:group, or NULL */
    const char *chmod;      /* --chmod=0755 or u+x,g-w style, or NULL */
    const char *const *excludes; /* --exclude patterns */
    size_t nexcludes;
    bool parents;           /* --parents: keep each source's relative path */
    bool add;               /* ADD: unpack local archives, fetch URLs */
    kd_copy_fetch_fn fetch; /* ADD of a URL; NULL makes it an error */
    void *fetch_ctx;
} kd_copy_opts;

typedef struct kd_copy_stats {
    size_t files, dirs, symlinks, others;
    uint64_t bytes;
} kd_copy_stats;

/* Runs one COPY/ADD. stats may be NULL. */
int kd_copy(const kd_copy_opts *o, kd_copy_stats *stats, kd_error **err);

/* Parses --chmod: octal ("0755", "755") or symbolic ("u+x,go-w", "a=rX")
 * as BuildKit accepts; kd_chmod_apply gives the mode for a file whose mode
 * is old (type bits ignored). */
typedef struct kd_chmod kd_chmod;
int kd_chmod_parse(const char *s, kd_chmod **out, kd_error **err);
unsigned kd_chmod_apply(const kd_chmod *c, unsigned old, bool is_dir);
void kd_chmod_free(kd_chmod *c);

#endif
