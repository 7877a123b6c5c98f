/* kdoctor build: a daemonless image builder.
 *
 * kd_build() parses a Dockerfile, runs the stages the target needs and
 * writes an OCI image into the store (build/store.h), then to the outputs
 * asked for (local image names, an OCI layout, a docker-archive tar, a
 * registry). It never prints: what happens is reported through the
 * progress callback (build/progress.h) and the timings (build/timings.h).
 *
 * How a step runs (see docs/build.md):
 *  - a step that may make a layer is first looked up in the layer cache
 *    (docs/cache.md): a hit adds the cached layer without running or
 *    unpacking anything;
 *  - base layers are unpacked once into the store's layer dirs, while they
 *    download (or, for stored blobs, by the first step that runs on them),
 *    and reused as overlayfs lower dirs by every stage and build;
 *  - RUN, COPY, ADD and WORKDIR run on an overlay of the stage's layers;
 *    their changes are exactly the overlay's upper dir, which is written as
 *    the layer (gzip tar, OCI whiteouts) and then moved into the store as
 *    that layer's unpacked dir, the lower dir of the next step;
 *  - a step that changes no file adds history but no layer.
 *
 * Cancellation: the caller sets *opts->cancel (from a signal handler); the
 * build stops at the next check, kills a running step, and fails with
 * status 130. Nothing is left behind: no mount (every mount lives in a
 * child's private mount namespace), no process, no temp file (the store's
 * tmp session is removed when the build ends).
 *
 * Owner: build-exec. Ownership: kd_build_result owns its strings; free it
 * with kd_build_result_free(). */
#ifndef KD_BUILD_BUILDER_H
#define KD_BUILD_BUILDER_H

#include "build/digest.h"
#include "build/progress.h"
#include "build/sandbox.h"
#include "build/timings.h"
#include "util/error.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kd_build_opts {
    const char *context;    /* the build context directory */
    const char *dockerfile; /* NULL: CONTEXT/Dockerfile; "-": standard input */
    const char *const *tags; /* -t names ("app:1", "localhost:5000/x:y") */
    size_t ntags;
    const char *const *build_args; /* "K=V", or "K" to take $K from the environment */
    size_t nbuild_args;
    const char *target;   /* stage name or index; NULL: the last stage */
    const char *platform; /* "os/arch[/variant]"; NULL: this machine's */

    /* Outputs. With none of them the image goes into the local store under
     * the tags (and by digest). */
    const char *oci_layout; /* DIR */
    const char *tar_path;   /* docker-archive FILE */
    bool push;              /* to every tag */

    kd_net network;        /* RUN's network unless RUN --network says otherwise */
    const char *cache_dir; /* the store; NULL: kd_store_default_dir() */
    /* Run every step even when the layer cache has it (docs/cache.md); the
     * results are still recorded for the next build. */
    bool no_cache;
    /* The cache in a registry repository ("registry/path"): looked up after
     * a local miss, filled with what this build ran (docs/cache.md); NULL:
     * none. Entries older than cache_ttl seconds (0: two weeks) miss. */
    const char *cache_repo;
    int64_t cache_ttl;
    const char *const *insecure; /* --insecure-registry hosts */
    size_t ninsecure;
    const char *const *mirrors; /* --registry-mirror URLs */
    size_t nmirrors;

    /* Seconds since the epoch that clamp every timestamp (config, history,
     * layer entries), as SOURCE_DATE_EPOCH does for BuildKit; -1: none. */
    int64_t source_date_epoch;
    /* Byte-identical output for the same inputs: every timestamp is the
     * epoch (SOURCE_DATE_EPOCH, or 0 without it), and every layer entry
     * gets exactly that mtime, older ones too (not only clamped). */
    bool reproducible;
    /* Normalisation of what the steps write (as options: they change the
     * image): every entry of a step's layer owned by 0:0; directories and
     * files with an x bit 0755, other files 0644 (setuid, setgid and
     * sticky bits dropped). Applied to the step's changes on disk before
     * the layer is written, so the store's unpacked layer agrees. */
    bool normalize_owners;
    bool normalize_modes;

    kd_progress_fn progress; /* may be NULL; called from several threads */
    void *progress_ctx;
    volatile sig_atomic_t *cancel; /* may be NULL */
    kd_sandbox_mode sandbox;       /* normally KD_SANDBOX_AUTO */
    const char *variant;           /* label for the timings; NULL: the Dockerfile path */
} kd_build_opts;

typedef struct kd_build_result {
    char digest[KD_DIGEST_STR_LEN + 1];        /* the image manifest's */
    char config_digest[KD_DIGEST_STR_LEN + 1]; /* the image ID, as Docker shows it */
    size_t layers;
    uint64_t size; /* compressed layers + config + manifest */
    /* Filled as far as the build got, also when it fails: the caller may
     * still write it (--timings). Owned. */
    kd_timings timings;
    char **warnings; /* e.g. unused build args; owned */
    size_t nwarnings;
} kd_build_result;

/* Builds the image. res is always filled (timings so far), also on error;
 * free it with kd_build_result_free(). A failing step gives an error
 * "FILE:LINE: RUN ...: exit code N" with status 1, plus the step's last
 * output lines; a cancelled build gives status 130. */
int kd_build(const kd_build_opts *opts, kd_build_result *res, kd_error **err);
void kd_build_result_free(kd_build_result *res);

/* kdoctor cache warm: each image (a reference, or oci-layout://DIR[:TAG])
 * into the store and unpacked, as FROM would get it; one already in the
 * store is only unpacked where needed. Uses o's cache_dir, platform,
 * insecure, mirrors, progress and cancel; digests[i] gets image i's
 * manifest digest. res gets the warnings; free it with
 * kd_build_result_free(). */
int kd_build_warm(const kd_build_opts *o, const char *const *images, size_t n,
                  char (*digests)[KD_DIGEST_STR_LEN + 1], kd_build_result *res, kd_error **err);

/* kdoctor import: a base image from a root filesystem, a directory or a
 * tar (gzip or plain), stored under name (normalised like an image
 * reference). One layer; its config has the platform and, when the tree
 * has none, no Env (FROM adds PATH as BuildKit does). */
typedef struct kd_import_opts {
    const char *source; /* DIR or TAR */
    const char *name;
    const char *cache_dir;
    const char *platform;
    int64_t source_date_epoch; /* -1: now */
} kd_import_opts;

int kd_import(const kd_import_opts *opts, char digest[KD_DIGEST_STR_LEN + 1], kd_error **err);

#endif
