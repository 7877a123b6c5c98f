/* Where a build's time and bytes went: per stage, per step, per phase.
 * kd_build() fills a kd_timings; kd_timings_to_json() writes the schema of
 * docs/timings.md, which `kdoctor compare` (issue 7) reads back.
 *
 * Phases are wall-clock intervals of one step that do not overlap, so
 * they add up to (nearly) the step's total:
 *   resolve   find the image: local store, OCI layout or registry manifest
 *   pull      download the layers; inflation and extraction run in the
 *             same stream, so their time is in here too
 *   unpack    extraction that did not overlap a download (layers whose
 *             blob was already stored, OCI layouts, the extraction's tail)
 *   run       the RUN process, or the COPY/ADD/WORKDIR file work
 *   snapshot  finding the step's changes (the overlay's upper dir) and
 *             moving them into the store as the layer's unpacked dir
 *   compress  the layer tar written and gzip-compressed (with its digests)
 *   write     blobs made durable in the store, the image written out
 *   push      blobs and manifest sent to a registry
 *
 * Owner: build-exec. Ownership: every string is owned by its struct;
 * kd_timings_free() frees the lot. */
#ifndef KD_BUILD_TIMINGS_H
#define KD_BUILD_TIMINGS_H

#include "build/digest.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KD_TIMINGS_SCHEMA "kdoctor.timings/1"

typedef enum kd_phase {
    KD_PH_RESOLVE = 0,
    KD_PH_PULL,
    KD_PH_UNPACK,
    KD_PH_RUN,
    KD_PH_SNAPSHOT,
    KD_PH_COMPRESS,
    KD_PH_WRITE,
    KD_PH_PUSH,
    KD_PH_COUNT
} kd_phase;

const char *kd_phase_name(kd_phase p);

typedef struct kd_phase_time {
    bool used;
    double ms;      /* wall time */
    uint64_t bytes; /* what the phase moved (see docs/timings.md) */
} kd_phase_time;

typedef struct kd_step_timing {
    char *instruction; /* "RUN", "COPY", "FROM", ... */
    char *text;        /* the instruction as written (logical line) */
    uint32_t line_start, line_end; /* 1-based; 0 for a base's ONBUILD trigger */
    bool onbuild;      /* run from a base image's ONBUILD trigger */
    double start_ms;   /* since the build started */
    double total_ms;
    kd_phase_time phases[KD_PH_COUNT];
    /* The step's layer, when it made one. */
    bool layer;
    char digest[KD_DIGEST_STR_LEN + 1];  /* compressed blob */
    char diff_id[KD_DIGEST_STR_LEN + 1]; /* uncompressed tar */
    uint64_t size;       /* compressed bytes */
    uint64_t tar_size;   /* uncompressed bytes */
    uint64_t files;      /* regular files in the layer */
    bool empty_layer;    /* history entry without a layer */
    bool cache_hit;      /* taken from the layer cache: not run (docs/cache.md) */
    int exit_code;       /* RUN's exit code; -1 when not run or not RUN */
    char *status;        /* "done", "failed", "cancelled", "skipped" */
} kd_step_timing;

typedef struct kd_stage_timing {
    size_t index;
    char *name;  /* AS name, or NULL */
    char *base;  /* the FROM image as resolved: a reference, "scratch", "stage NAME" */
    char base_digest[KD_DIGEST_STR_LEN + 1]; /* manifest digest, or "" */
    double start_ms, total_ms;
    kd_step_timing *steps;
    size_t nsteps, cap;
} kd_stage_timing;

typedef struct kd_timings {
    char *variant;    /* a label: the Dockerfile path unless told otherwise */
    char *dockerfile;
    char *context;
    char *target;     /* stage name, or NULL for the last */
    char *platform;   /* "linux/amd64" */
    char *started;    /* RFC 3339 */
    double total_ms;
    char *status;     /* "ok", "failed", "cancelled" */
    char *error;      /* the error message, or NULL */
    kd_stage_timing *stages;
    size_t nstages, cap;
    kd_step_timing export; /* writing the image and its outputs */
    /* The image. */
    char digest[KD_DIGEST_STR_LEN + 1];
    char config_digest[KD_DIGEST_STR_LEN + 1];
    size_t layers;
    uint64_t size;     /* compressed layers + config + manifest */
    uint64_t tar_size; /* the layers uncompressed */
    char **outputs;    /* "store:NAME", "oci-layout:DIR", "docker-archive:FILE", "push:REF" */
    size_t noutputs;
} kd_timings;

/* Milliseconds on the monotonic clock. */
double kd_now_ms(void);

void kd_timings_init(kd_timings *t);
void kd_timings_free(kd_timings *t);
/* Appends a stage / a step and returns it (owned by t; pointers stay
 * valid until the next add to the same list). */
kd_stage_timing *kd_timings_add_stage(kd_timings *t, size_t index, const char *name);
kd_step_timing *kd_timings_add_step(kd_stage_timing *st, const char *instruction,
                                    const char *text, uint32_t line_start, uint32_t line_end);
void kd_step_timing_init(kd_step_timing *s);
void kd_step_timing_free(kd_step_timing *s);
/* Adds ms and bytes to a phase. */
void kd_phase_add(kd_step_timing *s, kd_phase p, double ms, uint64_t bytes);
/* Adds an output ("store:NAME", ...), formatted as printf does. */
void kd_timings_add_output(kd_timings *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The JSON document of docs/timings.md, with t as its one build. Caller
 * frees. */
char *kd_timings_to_json(const kd_timings *t);
/* Writes that JSON to path (atomically: a temp file renamed). */
int kd_timings_write(const kd_timings *t, const char *path, kd_error **err);

#endif
