/* The build cache's entries: what a step produced, found by its cache key
 * (how keys are made: docs/cache.md and build/step_cache.c).
 *
 *   DIR/cache/<key hex>.json   one entry per key: the step's layer (blob
 *                              descriptor, diff_id, sizes) or "no layer"
 *
 * An entry is only a pointer: the layer's blob lives in DIR/blobs like
 * every other blob, and an entry whose blob is gone is treated as absent.
 * Entries are written atomically (temp file in the store's tmp session,
 * fsync, rename), only after the step's layer is in the store, so a failed
 * or killed build leaves no entry that points at nothing. The file's mtime
 * is the entry's last use (kd_cache_get touches it), which prune orders by.
 *
 * Owner: cache (issue 6). Ownership: kd_cache_entry owns its strings; free
 * it with kd_cache_entry_free(). */
#ifndef KD_BUILD_CACHE_H
#define KD_BUILD_CACHE_H

#include "build/digest.h"
#include "build/oci.h"
#include "build/store.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct kd_cache_entry {
    char key[KD_DIGEST_STR_LEN + 1];
    bool layer;                         /* false: the step changed no file */
    char *media_type;                   /* of the layer blob */
    char digest[KD_DIGEST_STR_LEN + 1]; /* the layer blob */
    int64_t size;                       /* its bytes */
    char diff_id[KD_DIGEST_STR_LEN + 1];
    int64_t tar_size; /* uncompressed bytes, -1 unknown */
    int64_t files;    /* regular files, -1 unknown */
    char *created_by; /* the step's history text (for ls) */
    int64_t used_ns;  /* last use, ns since the epoch (the file's mtime) */
} kd_cache_entry;

void kd_cache_entry_free(kd_cache_entry *e);
/* The layer's blob descriptor (media_type borrowed from e: do not free d). */
void kd_cache_entry_layer(const kd_cache_entry *e, kd_descriptor *d);

/* The entry's JSON (what DIR/cache/KEY.json and a cache repo hold) and
 * back; parsing validates every digest. Caller frees the text. */
char *kd_cache_entry_to_json(const kd_cache_entry *e, size_t *len);
int kd_cache_entry_parse(const char *data, size_t len, kd_cache_entry *e, kd_error **err);

/* Looks key up: 1 when there is no usable entry (none, or its blob is
 * gone; no error set), 0 with *e filled. A hit marks the entry used now. */
int kd_cache_get(kd_store *s, const char *key, kd_cache_entry *e, kd_error **err);
/* Writes an entry (atomically; a concurrent writer of the same key writes
 * the same facts, the last rename wins). */
int kd_cache_put(kd_store *s, const kd_cache_entry *e, kd_error **err);

/* Every entry, most recently used first; entries that cannot be read are
 * skipped. Free with kd_cache_entries_free(). */
int kd_cache_list(kd_store *s, kd_cache_entry **v, size_t *n, kd_error **err);
void kd_cache_entries_free(kd_cache_entry *v, size_t n);
/* Removes one entry (not its blob). 1 when it was not there. */
int kd_cache_remove(kd_store *s, const char *key, kd_error **err);

/* ---- prune (kdoctor cache prune) ---- */

typedef struct kd_prune_stats {
    size_t entries, blobs, layers; /* removed */
    uint64_t bytes;                /* freed: blobs + unpacked layers */
    size_t kept_entries;
    uint64_t kept_bytes; /* what the store holds afterwards */
} kd_prune_stats;

/* Sizes of the store (blobs + unpacked layers, the latter counted by their
 * tar size) without changing anything: *bytes and *entries. */
int kd_cache_usage(kd_store *s, uint64_t *bytes, size_t *entries, kd_error **err);

/* Removes cache entries and then every blob and unpacked layer that
 * neither a named image (images.json) nor a kept entry needs. keep < 0
 * removes every entry; keep >= 0 keeps the most recently used entries as
 * long as the store stays within keep bytes. The store must be open
 * KD_STORE_EXCLUSIVE: no build is running, so nothing a build uses goes. */
int kd_cache_prune(kd_store *s, int64_t keep, kd_prune_stats *st, kd_error **err);

#endif
