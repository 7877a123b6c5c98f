/* Internals shared by the builder's files (build/builder.c, stage.c,
 * from.c, instr_*.c, commit.c, image.c, export.c). Owner: build-exec.
 *
 * Shape of a build: one kd_builder; one bld_stage per Dockerfile stage
 * (only the needed ones run); one bld_step while an instruction runs. An
 * image under construction is a bld_image: its config and its layers, each
 * layer known by its blob descriptor, its diff_id and its unpacked dir in
 * the store. */
#ifndef KD_BUILD_BUILDER_INT_H
#define KD_BUILD_BUILDER_INT_H

#include "build/builder.h"
#include "build/cache.h"
#include "build/dockerignore.h"
#include "build/layer.h"
#include "build/oci.h"
#include "build/ref.h"
#include "build/registry.h"
#include "build/store.h"
#include "dockerfile/dockerfile.h"
#include "dockerfile/scope.h"

#include <pthread.h>
#include <stdbool.h>

/* ---- images ---- */

typedef struct bld_layer {
    kd_descriptor desc;                  /* the compressed blob */
    char diff_id[KD_DIGEST_STR_LEN + 1];
    char *dir;                           /* unpacked dir in the store; owned */
    uint64_t tar_size;                   /* 0 when unknown */
} bld_layer;

typedef struct bld_image {
    kd_image_config config;
    bld_layer *layers;
    size_t nlayers, cap;
    char manifest_digest[KD_DIGEST_STR_LEN + 1]; /* a base's, or "" */
    char *name;     /* a base's reference as resolved, or NULL; owned */
    char *repo;     /* a registry base's repository path (cross-repo mounts), or NULL */
    char *domain;   /* ... and its registry domain */
} bld_image;

void bld_image_init(bld_image *im);
void bld_image_free(bld_image *im);
void bld_image_copy(bld_image *dst, const bld_image *src);
/* Appends a layer (desc copied, dir copied). */
void bld_image_add_layer(bld_image *im, const kd_descriptor *desc, const char *diff_id,
                         const char *dir, uint64_t tar_size);
/* The layer dirs, top first (for kd_overlay); the array is the caller's,
 * the strings are borrowed from im. */
const char **bld_image_lowers(const bld_image *im, size_t *n);
/* An empty config for the platform (scratch). */
void bld_image_scratch(bld_image *im, const kd_platform *p);
/* Sets the env var key in a "K=V" list (replacing in place, as BuildKit). */
void bld_env_set(kd_strv *env, const char *key, const char *value);
/* The value of key in a "K=V" list, or NULL (borrowed). */
const char *bld_env_get(const kd_strv *env, const char *key);

/* ---- the build ---- */

typedef struct kd_builder kd_builder;

typedef struct bld_stage {
    size_t index;
    const df_stage *df;
    bool needed, done;
    bld_image img;
    df_scope scope;
    bool cmd_set;     /* CMD given in this stage (ENTRYPOINT keeps it) */
    size_t timing;    /* index in b->t->stages */
    size_t nsteps;    /* for "[name n/N]" */
    size_t step;      /* steps done so far */
    char **run_args;  /* "K=V" of the stage's ARGs, for RUN's history (|N K=V) */
    size_t nrun_args;
    char *root;         /* chroot fallback: the stage's tree (in the store's tmp), or NULL */
    size_t root_layers; /* ... and how many of img's layers it holds */
} bld_stage;

/* A registry base resolved without its layers (with --cache-repo): pulled
 * only when a step runs or an output needs the blobs (from.c). */
typedef struct bld_lazy {
    char *name;       /* the full reference */
    kd_platform want;
    bool pulled;
} bld_lazy;

/* An image named by COPY --from or RUN --mount from= that is not a stage. */
typedef struct bld_extimage {
    char *name;
    bld_image img;
} bld_extimage;

struct kd_builder {
    const kd_build_opts *o;
    kd_build_result *res;
    kd_timings *t;
    double t0;           /* kd_now_ms() at the start */
    int64_t epoch;       /* SOURCE_DATE_EPOCH (0 for --reproducible without it), or -1 */
    int64_t now;         /* wall-clock seconds of the build, clamped by SOURCE_DATE_EPOCH */
    char *context;       /* realpath of the context */
    char *dockerfile;    /* path as shown in messages */
    df_file *f;
    df_stages stages;
    bld_stage *st;       /* one per df stage */
    df_vars build_args;
    df_vars auto_args;
    kd_platform platform;
    char *platform_str;
    kd_store *store;
    kd_registry *reg;    /* created on first use */
    kd_ignore *ignore;
    char *empty_dir;     /* an empty dir in the store's tmp: the lower of an empty image */
    bld_extimage *ext;
    size_t next, extcap;
    pthread_mutex_t lock; /* progress callback, shared counters */
    size_t target;       /* index of the target stage */
    kd_sandbox_mode mode; /* AUTO until the first step decides (chroot.c) */
    kd_ctx ctx;          /* the context's entries and hashes, walked on first use */
    bool ctx_walked;
    /* --cache-repo (cache_repo.c) */
    bool cache_repo;        /* set: cache_ref is the repository */
    kd_ref cache_ref;
    bool cache_repo_warned; /* one warning per build when it misbehaves */
    struct bld_push *cache_push; /* entries to push once the steps ran; owned */
    size_t ncache_push, cache_push_cap;
    bld_lazy *lazy;         /* bases whose layers are not pulled yet */
    size_t nlazy, lazycap;
};

/* A step being run. */
typedef struct bld_step {
    kd_builder *b;
    bld_stage *s;
    const df_instr *in;
    kd_step_timing *t;
    char *created_by;    /* history text, owned */
    double start;        /* kd_now_ms() */
    kd_sha256 *key_h;    /* the cache key being hashed (step_cache.c), or NULL */
    char key[KD_DIGEST_STR_LEN + 1]; /* the step's cache key once looked up, or "" */
} bld_step;

/* A builder with nothing set up yet: o and res (reset) attached, epoch -1
 * (builder.c). */
void bld_init(kd_builder *b, const kd_build_opts *o, kd_build_result *res);

/* progress and messages (builder.c) */
void bld_emit(kd_builder *b, const kd_event *ev);
void bld_info(kd_builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bld_warn(kd_builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool bld_cancelled(const kd_builder *b);
int bld_cancel_error(kd_error **err);
/* "FILE:LINE: " prefix for errors about instruction in. Caller frees. */
char *bld_where(const kd_builder *b, const df_instr *in);
/* Wraps *err (set by the callee) with the instruction's place and text. */
int bld_fail_at(const kd_builder *b, const df_instr *in, kd_error **err);
/* The logical text of an instruction ("RUN echo hi"), trimmed. Caller frees. */
char *bld_instr_text(const df_instr *in);
int bld_registry(kd_builder *b, kd_registry **out, kd_error **err);
/* RFC 3339 UTC text for t seconds. Caller frees. */
char *bld_rfc3339(int64_t t);

/* A scope with the global ARGs applied (builder.c): every stage starts
 * from one. */
int bld_global_scope(kd_builder *b, df_scope *s, kd_error **err);

/* stages (stage.c) */
int bld_run_stage(kd_builder *b, bld_stage *s, kd_error **err);
/* The stage named by a --from value (name or index), or NULL. */
bld_stage *bld_stage_ref(kd_builder *b, const char *name, size_t before);

/* base images (from.c) */
/* Resolves an image by name (not a stage): oci-layout://, the local store,
 * a registry. Fills im; its layers are unpacked in the store. t (may be
 * NULL) gets the resolve, pull and unpack phases. */
int bld_resolve_image(kd_builder *b, const char *name, const char *platform, bld_image *im,
                      kd_step_timing *t, kd_error **err);
/* An image named by COPY --from / RUN --mount from= (cached per build). */
int bld_ext_image(kd_builder *b, const char *name, bld_image **out, kd_error **err);
/* Pulls the layers of every lazy base (timed in t, may be NULL). */
int bld_pull_lazy(kd_builder *b, kd_step_timing *t, kd_error **err);
bool bld_lazy_pending(const kd_builder *b);
void bld_lazy_free(kd_builder *b);
/* Makes sure every layer of im has its unpacked dir (extracting stored
 * blobs as needed, in parallel). */
int bld_unpack_layers(kd_builder *b, bld_image *im, kd_step_timing *t, kd_error **err);

/* steps (instr_*.c) */
int bld_instr_run(bld_step *st, kd_error **err);
int bld_instr_copy(bld_step *st, kd_error **err); /* COPY and ADD */
int bld_instr_workdir(bld_step *st, kd_error **err);
/* ENV, ARG, LABEL, EXPOSE, VOLUME, USER, CMD, ENTRYPOINT, HEALTHCHECK,
 * STOPSIGNAL, SHELL, ONBUILD, MAINTAINER */
int bld_instr_meta(bld_step *st, kd_error **err);
/* The stage's SHELL (default /bin/sh -c), appended to argv (instr_meta.c):
 * the prefix of every shell-form command. */
void bld_shell_argv(const bld_step *st, kd_strv *argv);

/* ---- the layer cache (step_cache.c, docs/cache.md) ----
 * A step that may make a layer (RUN, COPY, ADD, WORKDIR) hashes its key:
 * bld_key_begin (the image so far: config without history or times, and
 * the diff_ids), then what it reads, then bld_cache_lookup. A hit adds the
 * cached layer (or empty history entry) and the step is done; a miss
 * unpacks what the step needs (bld_cache_miss) and runs it, and bld_commit
 * records the result under the key. */
void bld_key_begin(bld_step *st);
/* A labelled string (length-prefixed: no two inputs run together). */
void bld_key_add(bld_step *st, const char *label, const char *value);
/* The context entries a source (as written, variables expanded) reads:
 * those it names or matches, what lies below them, and their parents. */
int bld_key_context(bld_step *st, const char *src, kd_error **err);
/* A file's bytes (a heredoc, a download). */
int bld_key_file(bld_step *st, const char *label, const char *path, kd_error **err);
/* An image's layers (COPY --from). */
void bld_key_image(bld_step *st, const bld_image *im);
/* 1: a hit, applied to the stage's image; 0: a miss (or --no-cache). */
int bld_cache_lookup(bld_step *st, kd_error **err);
/* A miss is about to run: the stage's layers must be unpacked. */
int bld_cache_miss(bld_step *st, kd_error **err);
/* Records the step's result (bld_commit calls it; desc NULL: no layer). */
void bld_cache_save(bld_step *st, const kd_descriptor *desc, const char *diff_id,
                    const kd_layer_stats *stats);
/* The cache in a registry (cache_repo.c): parses --cache-repo; a lookup
 * after a local miss (0: a hit, its layer blob now in the store; 1: a
 * miss, also when the registry cannot be asked, with one warning); the
 * entries to push (local hits and steps that ran), pushed by
 * bld_cache_push once the stages are done. */
int bld_cache_repo_setup(kd_builder *b, kd_error **err);
int bld_cache_repo_get(bld_step *st, kd_cache_entry *e);
/* ran: the step ran here (its entry is new, or replaces an aged-out one);
 * else a local hit, pushed only when the repo lacks it. */
void bld_cache_repo_queue(kd_builder *b, const kd_cache_entry *e, bool ran);
void bld_cache_push(kd_builder *b);
void bld_cache_repo_free(kd_builder *b);
/* Fills each layer's uncompressed size from the store's metadata. */
void bld_fill_tar_sizes(kd_builder *b, bld_image *im);

/* kd_store_mktemp_dir with mode 0755 (commit.c). */
int bld_mktemp_dir(kd_store *s, const char *prefix, char **path, kd_error **err);

/* A new upper and work dir for a step (under the store's tmp). */
typedef struct bld_upper {
    char *upper, *work;
} bld_upper;
int bld_upper_new(kd_builder *b, bld_upper *u, kd_error **err);
void bld_upper_free(bld_upper *u); /* removes what is left */

/* commit.c: turns the step's upper dir into a layer (or an empty history
 * entry when nothing changed) and adds it to the stage's image. */
int bld_commit(bld_step *st, bld_upper *u, kd_error **err);
/* Adds a layer to the stage's image, with the step's timing fields. */
void bld_add_layer(bld_step *st, const kd_descriptor *desc, const char *diff_id, uint64_t size,
                   uint64_t tar_size, uint64_t files);
/* Adds a history entry without a layer. */
void bld_history(bld_step *st, const char *created_by, bool empty_layer);
/* Writes a change dir as a gzip layer blob into the store and moves dir
 * into the store as the unpacked layer: the shared core of commit and
 * import. dir is gone afterwards. desc/diff_id/stats are filled. */
int bld_store_layer(kd_store *s, const char *dir, int64_t epoch, bool fixed,
                    volatile sig_atomic_t *cancel,
                    kd_descriptor *desc, char diff_id[KD_DIGEST_STR_LEN + 1],
                    kd_layer_stats *stats, kd_step_timing *t, kd_error **err);

/* tar + gzip of a change dir into a new blob of the store (the compress
 * and write phases); dir is left in place. epoch >= 0 clamps the entries'
 * mtimes to it, or with fixed sets every one to it. */
int bld_write_layer_blob(kd_store *s, const char *dir, int64_t epoch, bool fixed,
                         volatile sig_atomic_t *cancel, char digest[KD_DIGEST_STR_LEN + 1],
                         kd_layer_stats *stats, kd_step_timing *t, kd_error **err);
/* Moves an unpacked layer dir (under the store's tmp) into the store with
 * its metadata (from.c). dir is gone afterwards. */
int bld_commit_layer_dir(kd_store *s, const char *dir, const char *blob, const char *media_type,
                         const kd_layer_stats *st, kd_error **err);

/* chroot.c: the fallback where overlayfs or namespaces are missing. Steps
 * then run in a plain tree per stage, and a metadata snapshot finds what
 * each one changed. bld_use_chroot decides once per build (and says so). */
bool bld_use_chroot(kd_builder *b);
/* Runs fn(root, arg) for the step in the stage's tree, then commits what it
 * changed, as bld_commit does for an upper dir. run: fn runs a RUN (whose
 * mount points, /dev, /proc, /sys, /etc/hosts, /etc/resolv.conf, are not
 * part of its changes, as with the overlay). */
int bld_chroot_step(bld_step *st, kd_sandbox_fn fn, void *arg, bool run, kd_error **err);
/* A tree showing img for COPY --from: stage's own when in sync (stage may
 * be NULL), else a new one in *tmp (the caller removes it). */
int bld_chroot_source(kd_builder *b, const bld_image *img, const bld_stage *stage,
                      const char **root, char **tmp, kd_error **err);

/* export.c: config, manifest and the outputs. */
int bld_export(kd_builder *b, bld_image *im, kd_error **err);
/* Config + manifest blobs of im into the store; digests out. */
int bld_write_image(kd_store *s, const bld_image *im, char digest[KD_DIGEST_STR_LEN + 1],
                    char config_digest[KD_DIGEST_STR_LEN + 1], uint64_t *size, kd_error **err);

#endif
