/* Layer I/O for the builder: unpack an OCI/Docker layer (a tar, gzip or
 * plain) into a directory usable as an overlayfs lower dir, and turn a
 * directory of changes (an overlayfs upper dir) back into a layer.
 * No registry, store or JSON here: streams, fds and directories only.
 *
 * Extraction
 *   - Input: gzip (one or more members, isa-l) or plain tar, told apart by
 *     the gzip magic; tar parsed by libarchive (ustar, pax, GNU; no filter).
 *   - Whiteouts are written in overlayfs form: ".wh.NAME" becomes a char
 *     device 0:0 named NAME, ".wh..wh..opq" sets trusted.overlay.opaque=y on
 *     its directory; other ".wh..wh.*" (aufs metadata) entries are skipped.
 *   - Safety: entries with an absolute path or a ".." that escapes, written
 *     through a symlink, hard links to a missing or escaping target, and
 *     overlay xattrs (trusted.overlay.*, user.overlay.*) are refused with an
 *     error naming the entry. Nothing is ever created outside dest.
 *     Symlinks themselves may point anywhere: they are stored, never followed.
 *   - Later duplicates win (Docker): an existing non-directory, or a
 *     directory replaced by a non-directory, is removed first; a directory
 *     over a directory is merged.
 *   - Metadata: mode (setuid kept), numeric uid/gid, mtime (directories'
 *     after their contents), xattrs user.*, security.capability, trusted.*;
 *     device nodes and fifos (needs root), hard links, sparse files (holes
 *     kept, so a huge sparse file costs no disk).
 *   - On error, dest holds a partial tree: the CALLER deletes it (the store
 *     extracts into a temp dir and renames only on success).
 *
 * Threads: an extraction runs the tar parser and the file writes in one
 * worker thread; the caller's thread inflates and hashes (see layer_extract.c).
 * Separate extractions are independent and may run in parallel. */
#ifndef KD_BUILD_LAYER_H
#define KD_BUILD_LAYER_H

#include "build/digest.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a layer stream held, filled by extraction and by writing. */
typedef struct kd_layer_stats {
    char digest[KD_DIGEST_STR_LEN + 1];  /* sha256 of the stream as given/written */
    char diff_id[KD_DIGEST_STR_LEN + 1]; /* sha256 of the uncompressed tar */
    uint64_t size;                       /* bytes of the stream as given/written */
    uint64_t tar_size;                   /* bytes of the uncompressed tar */
    uint64_t entries;                    /* tar entries, whiteouts included */
    uint64_t files;                      /* regular files (hard links not counted) */
    uint64_t file_bytes;                 /* bytes of regular file content */
    uint64_t whiteouts;                  /* .wh.NAME and .wh..wh..opq entries */
    bool gzip;                           /* the stream is gzip (else plain tar) */
} kd_layer_stats;

/* ---- extraction ---- */

enum {
    /* leave files owned by the calling user (an unprivileged fallback) */
    KD_LAYER_NO_CHOWN = 1u << 0,
};

typedef struct kd_layer_extract_opts {
    unsigned flags; /* KD_LAYER_* */
} kd_layer_extract_opts;

/* Pull form: reads fd to its end and extracts into dest, an existing
 * directory (normally empty). opts may be NULL; st may be NULL. */
int kd_layer_extract_fd(int fd, const char *dest, const kd_layer_extract_opts *opts,
                        kd_layer_stats *st, kd_error **err);
int kd_layer_extract_file(const char *path, const char *dest, const kd_layer_extract_opts *opts,
                          kd_layer_stats *st, kd_error **err);

/* Push form, for a download callback: new, feed() any number of times with
 * consecutive bytes of the stream, then finish() (which also frees). After
 * an error, feed() keeps returning -1; call abort() (or finish(), which
 * reports the first error) to free. */
typedef struct kd_layer_extractor kd_layer_extractor;

/* Returns NULL and sets *err when dest cannot be opened. Owned by the caller
 * until finish() or abort(). */
kd_layer_extractor *kd_layer_extractor_new(const char *dest, const kd_layer_extract_opts *opts,
                                           kd_error **err);
int kd_layer_extractor_feed(kd_layer_extractor *x, const void *buf, size_t n, kd_error **err);
/* Ends the stream, waits for the worker, fills st; frees x in every case. */
int kd_layer_extractor_finish(kd_layer_extractor *x, kd_layer_stats *st, kd_error **err);
/* Stops the worker and frees x; dest is left partial. */
void kd_layer_extractor_abort(kd_layer_extractor *x);
/* The same as feed(), shaped as the registry's kd_blob_sink
 * (int (*)(void *ctx, const void *buf, size_t n)); the error is kept and
 * reported by finish(). */
int kd_layer_extractor_sink(void *x, const void *buf, size_t n);

/* ---- writing ---- */

typedef enum kd_layer_compression {
    KD_LAYER_GZIP = 0, /* default: a gzip stream (see docs/layers.md for the level) */
    KD_LAYER_UNCOMPRESSED,
} kd_layer_compression;

typedef enum kd_layer_mtime {
    KD_LAYER_MTIME_KEEP = 0, /* the files' own mtimes */
    KD_LAYER_MTIME_FIXED,    /* every entry gets opts.mtime */
    KD_LAYER_MTIME_CLAMP,    /* mtimes later than opts.mtime become opts.mtime
                                (SOURCE_DATE_EPOCH as BuildKit applies it) */
} kd_layer_mtime;

typedef struct kd_layer_write_opts {
    kd_layer_compression compression;
    kd_layer_mtime mtime_mode;
    int64_t mtime; /* seconds since the epoch, for FIXED and CLAMP */
    /* Paths relative to dir ("proc", "etc/resolv.conf", "dev/"): "P" leaves
     * out P and all below it; "P/" keeps the directory P but not its
     * contents. Leading "/" and "./" are ignored. Borrowed. */
    const char *const *excludes;
    size_t nexcludes;
} kd_layer_write_opts;

/* Where the layer bytes go: returns 0, or -1 with *err set. */
typedef int (*kd_layer_out)(void *ctx, const void *buf, size_t n, kd_error **err);

/* Writes the layer for the change directory dir (an overlayfs upper dir:
 * a char device 0:0, or a file with trusted.overlay.whiteout, is a
 * whiteout; a directory with trusted.overlay.opaque=y is opaque) to fd.
 * Entries are sorted (parents first, siblings by byte-wise name), in ustar
 * form with PAX records where needed; trusted.overlay.* xattrs are left
 * out; the root directory itself is not an entry. opts may be NULL. */
int kd_layer_write(const char *dir, int fd, const kd_layer_write_opts *opts, kd_layer_stats *st,
                   kd_error **err);
/* The same, handing the bytes to out (e.g. a registry upload). */
int kd_layer_write_to(const char *dir, kd_layer_out out, void *ctx, const kd_layer_write_opts *opts,
                      kd_layer_stats *st, kd_error **err);

#endif
