/* Image efficiency, as dive shows it, computed from an image's unpacked
 * layer directories (the store's form: whiteouts as character devices 0:0,
 * opaque directories marked with the xattr trusted.overlay.opaque=y).
 *
 * The figures (docs/compare.md explains each):
 *  - per layer: files added, changed (a path a lower layer had) and removed,
 *    the bytes it stores, and the bytes of it that later layers hide by
 *    overwriting or deleting them (stored but never seen: wasted);
 *  - for the image: bytes stored over all layers, bytes visible in the final
 *    filesystem, wasted = stored - visible, efficiency = visible / stored;
 *  - bytes in well-known package-manager cache folders, per layer and in the
 *    final filesystem;
 *  - the largest files of the final filesystem, with their layer.
 *
 * Sizes are of regular files' contents (what a layer tar mostly holds);
 * directories, links and devices count as files but not as bytes. */
#ifndef KD_REPORT_EFFICIENCY_H
#define KD_REPORT_EFFICIENCY_H

#include "util/error.h"

#include <stddef.h>
#include <stdint.h>

typedef struct kd_eff_layer {
    uint64_t added, changed, removed; /* entries (files, links, dirs new to the image) */
    uint64_t bytes;                   /* regular-file bytes this layer stores */
    uint64_t hidden_bytes;            /* of those, overwritten or deleted later */
    uint64_t cache_bytes;             /* of those, under a known cache folder */
} kd_eff_layer;

typedef struct kd_eff_file {
    char *path; /* absolute, "/usr/lib/x.so"; owned */
    uint64_t size;
    size_t layer;
} kd_eff_file;

typedef struct kd_eff_cache {
    const char *folder; /* the known cache folder ("/var/lib/apt/lists"); static */
    uint64_t bytes;     /* in the final filesystem */
    uint64_t files;
} kd_eff_cache;

typedef struct kd_efficiency {
    kd_eff_layer *layers; /* one per input layer, bottom first */
    size_t nlayers;
    uint64_t stored_bytes; /* sum of the layers' bytes */
    uint64_t final_bytes;  /* regular-file bytes visible in the final filesystem */
    uint64_t final_files;  /* entries visible in the final filesystem */
    uint64_t wasted_bytes; /* stored - final */
    double score;          /* final / stored; 1 for an empty image */
    kd_eff_file *largest;  /* the largest final files, largest first */
    size_t nlargest;
    kd_eff_cache *caches; /* known cache folders holding bytes, most bytes first */
    size_t ncaches;
    uint64_t cache_bytes; /* their total */
} kd_efficiency;

/* Analyses layers dirs[0..n) (bottom first), keeping the top_n largest
 * files. out is filled and owned by the caller (kd_efficiency_free). */
int kd_efficiency_analyze(const char *const *dirs, size_t n, size_t top_n, kd_efficiency *out,
                          kd_error **err);
void kd_efficiency_free(kd_efficiency *e);

/* The known cache folder a path (absolute) lies in, or NULL. */
const char *kd_cache_folder(const char *path);

#endif
