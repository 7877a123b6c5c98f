/* kdoctor compare, the library side: builds the variants of a Dockerfile
 * (as written, its `lint --fix`, its `--fix-unsafe` when that differs, any
 * --variant files) several times each, cold and warm, builds of different
 * variants taking turns so that machine noise spreads evenly over them,
 * and fills the report (report/report.h) with medians and spreads per
 * variant, phase and step, layer sizes, logs and image efficiency.
 *
 * Where builds happen: a private work dir inside the store's tmp session
 * (so it is on the store's file system and removed with the session, even
 * after a crash). A cold build gets a fresh store there whose blobs are
 * hard links to the user's store's blobs (base images kept, nothing
 * unpacked, no layers); with cold_pull it starts empty and fetches its
 * base images again. A warm build rebuilds on a store of its variant that
 * a first (unmeasured) build filled. A base image pulled by a first cold
 * build is kept for the next cold builds.
 *
 * Library code: never prints; progress goes to the callback. Ownership:
 * the report belongs to the caller (kd_report_free). */
#ifndef KD_REPORT_COMPARE_H
#define KD_REPORT_COMPARE_H

#include "build/sandbox.h"
#include "report/report.h"
#include "util/error.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#define KD_COMPARE_LOG_CAP (16 * 1024)

typedef enum kd_cmp_kind {
    KD_CMP_BUILD_START, /* a build begins */
    KD_CMP_STEP_START,  /* stage, step, nsteps, text */
    KD_CMP_STEP_DONE,   /* the same, plus step_ms */
    KD_CMP_BUILD_DONE,  /* elapsed_ms is its total; error when it failed */
    KD_CMP_INFO,        /* text: what is being done */
} kd_cmp_kind;

typedef struct kd_cmp_event {
    kd_cmp_kind kind;
    const char *variant; /* its name */
    kd_mode mode;
    int run, runs;         /* 1-based; 0: an unmeasured first build (of a warm store, or the warm-up) */
    size_t build, nbuilds; /* 1-based position among all builds of the comparison */
    size_t stage, step, nsteps;
    const char *text;
    double elapsed_ms; /* since this build started */
    double step_ms;
    const char *error;
} kd_cmp_event;

typedef void (*kd_cmp_progress_fn)(void *ctx, const kd_cmp_event *ev);

typedef struct kd_compare_opts {
    const char *context;
    const char *dockerfile;            /* NULL: CONTEXT/Dockerfile */
    const char *const *variant_files;  /* --variant FILE... */
    size_t nvariant_files;
    int runs;                          /* per mode; 0: 3 */
    bool modes[KD_MODE_COUNT];         /* none set: cold only */
    bool cold_pull;
    const char *cache_dir;             /* the user's store; NULL: the default */
    const char *const *build_args;
    size_t nbuild_args;
    const char *target;
    kd_net network;
    size_t log_cap;                    /* bytes of each step's log kept; 0: default */
    kd_cmp_progress_fn progress;       /* may be NULL */
    void *progress_ctx;
    volatile sig_atomic_t *cancel;     /* may be NULL */
} kd_compare_opts;

/* Builds and measures; fills *out (owned by the caller, also on error:
 * free it with kd_report_free). Returns 0 when every build could be tried,
 * even if some failed: a variant whose build failed has its error set (its
 * remaining runs are skipped). -1 with *err for bad input (status 2: an
 * unreadable Dockerfile or variant, bad options), a work dir that cannot
 * be made, or cancellation (status 130). Nothing is left behind. */
int kd_compare(const kd_compare_opts *o, kd_rep *out, kd_error **err);

/* Whether a variant's build failed (the CLI's exit status). */
bool kd_report_any_failed(const kd_rep *r);

#endif
