/* Pulling an image from a registry into the store (build/store.h): resolve
 * the reference (index -> platform -> manifest), store the index, manifest
 * and config blobs, and download the layers in parallel into blobs/, each
 * verified before it is renamed into place. Layers whose blob is already
 * stored are not downloaded again.
 *
 * The builder's fast path streams each layer into extraction while it
 * downloads: layer_begin may return a second sink that sees the same bytes
 * as the store (in order, from a download thread), and layer_end then tells
 * it whether the blob verified, so it can commit or discard its result.
 * Layers already in the store are not downloaded: read them from there.
 *
 * Owner: build-fetch. Ownership: kd_pulled owns its members; free it with
 * kd_pulled_free(). */
#ifndef KD_BUILD_PULL_H
#define KD_BUILD_PULL_H

#include "build/oci.h"
#include "build/ref.h"
#include "build/registry.h"
#include "build/store.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct kd_pull_opts {
    const kd_platform *platform; /* NULL: kd_platform_host() */
    bool no_layers;              /* manifest and config only */
    /* Called from the calling thread, before the downloads start, for each
     * layer i that will be downloaded (not those already in the store),
     * with its descriptor and diff_id (from the config). Setting *sink (and
     * *sink_ctx) makes it a second receiver of the bytes, called from a
     * download thread; leaving *sink NULL is fine. A -1 return fails the
     * pull. May be NULL. */
    int (*layer_begin)(void *ctx, size_t i, const kd_descriptor *d, const char *diff_id,
                       kd_blob_sink *sink, void **sink_ctx, kd_error **err);
    /* Called after layer i's download, with ok = true only when every byte
     * arrived and matched the digest, and the blob is in the store. Only
     * called when layer_begin was. May be NULL. */
    int (*layer_end)(void *ctx, size_t i, void *sink_ctx, bool ok, kd_error **err);
    void *ctx;
} kd_pull_opts;

typedef struct kd_pulled {
    char index_digest[KD_DIGEST_STR_LEN + 1];    /* "" when there was no index */
    char manifest_digest[KD_DIGEST_STR_LEN + 1];
    kd_manifest manifest;
    kd_image_config config;
    size_t layers_fetched; /* downloaded now, not found in the store */
} kd_pulled;

/* Pulls ref into s (see above). Does not touch images.json: naming the
 * image is the caller's choice (kd_store_image_set). opts may be NULL. */
int kd_pull(kd_registry *r, kd_store *s, const kd_ref *ref, const kd_pull_opts *opts,
            kd_pulled *out, kd_error **err);
void kd_pulled_free(kd_pulled *p);

#endif
