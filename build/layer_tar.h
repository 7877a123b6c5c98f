/* Internal to layer writing: a streaming tar encoder with digests and
 * optional gzip (isa-l). Not an API for other modules. */
#ifndef KD_BUILD_LAYER_TAR_H
#define KD_BUILD_LAYER_TAR_H

#include "build/layer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct isal_zstream;

typedef struct kd_ltar {
    kd_layer_out out;
    void *ctx;
    unsigned char *buf; /* owned: tar bytes not yet flushed */
    size_t len;
    struct isal_zstream *z; /* owned, NULL when uncompressed */
    unsigned char *zbuf;    /* owned */
    kd_sha256 *tar_hash, *out_hash;
    uint64_t tar_bytes, out_bytes;
} kd_ltar;

typedef struct kd_lxattr {
    const char *name;  /* borrowed */
    const char *value; /* borrowed, len bytes */
    size_t len;
} kd_lxattr;

typedef struct kd_ltar_hdr {
    const char *name; /* borrowed; directories end in "/" */
    const char *link; /* borrowed: symlink or hard link target, or NULL */
    char type;        /* '0' file, '1' hard link, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo */
    unsigned mode;
    uint64_t uid, gid, size;
    int64_t mtime;
    unsigned devmajor, devminor;
    const kd_lxattr *xattrs;
    size_t nxattrs;
} kd_ltar_hdr;

void kd_ltar_init(kd_ltar *w, bool gzip, kd_layer_out out, void *ctx);
void kd_ltar_free(kd_ltar *w);
/* Writes e's header, preceded by a PAX header when a value needs one. */
int kd_ltar_header(kd_ltar *w, const kd_ltar_hdr *e, kd_error **err);
int kd_ltar_add(kd_ltar *w, const void *p, size_t n, kd_error **err);
/* Direct access to the buffer (to read file data into it without a copy):
 * at least want bytes at *p; the caller then adds what it put to w->len. */
int kd_ltar_room(kd_ltar *w, size_t want, unsigned char **p, size_t *room, kd_error **err);
int kd_ltar_pad(kd_ltar *w, kd_error **err);
/* Ends the archive, flushes, and fills st's sizes and digests. */
int kd_ltar_finish(kd_ltar *w, kd_layer_stats *st, kd_error **err);

#endif
