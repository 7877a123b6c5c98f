/* Shared by report/compare*.c: the comparison's state while it runs. */
#ifndef KD_REPORT_COMPARE_INT_H
#define KD_REPORT_COMPARE_INT_H

#include "build/builder.h"
#include "build/store.h"
#include "report/compare.h"
#include "util/buf.h"

#include <pthread.h>

/* The measurements of one figure over the runs. */
typedef struct cmp_samples {
    double *v;
    size_t n;
} cmp_samples;

typedef struct cmp_step_acc {
    cmp_samples total[KD_MODE_COUNT];
    cmp_samples phase[KD_MODE_COUNT][KD_REP_PHASES];
} cmp_step_acc;

typedef struct cmp_var_acc {
    cmp_samples total[KD_MODE_COUNT];
    cmp_samples phase[KD_MODE_COUNT][KD_REP_PHASES];
    cmp_step_acc *steps; /* one per step of the report's variant */
    bool failed, eff_done;
    char *warm_store; /* the store its warm builds reuse, or NULL */
} cmp_var_acc;

/* The output of one step in the running build. */
typedef struct cmp_log {
    size_t stage, step;
    kd_buf buf;
    size_t cut; /* bytes dropped from the front */
} cmp_log;

typedef struct cmp {
    const kd_compare_opts *o;
    kd_rep *r;
    cmp_var_acc *acc;
    kd_store *user; /* the user's store: its session holds the work dir */
    char *work;     /* our work dir (inside the user's store session) */
    kd_store *seed; /* base images every cold store starts with */
    size_t nstores;
    size_t build, nbuilds;
    /* the build running now */
    size_t vi;
    kd_mode mode;
    int run;
    double t0;
    pthread_mutex_t lock; /* logs: events may come from several threads */
    cmp_log *logs;
    size_t nlogs, caplogs;
} cmp;

/* report/compare_store.c */
int cmp_stores_open(cmp *c, kd_error **err);
void cmp_stores_close(cmp *c);
/* A new store under the work dir, seeded with the base images unless
 * empty; *dir is the caller's. */
int cmp_store_new(cmp *c, bool empty, char **dir, kd_error **err);
/* Keeps the base images a build in store dir pulled, for the next stores. */
void cmp_store_harvest(cmp *c, kd_store *run, const kd_timings *t);

/* report/compare_record.c */
void cmp_samples_add(cmp_samples *s, double x);
/* A finished build: its figures into the report. store: the store it
 * built in (open), for image efficiency. */
void cmp_record(cmp *c, kd_store *store, const kd_build_result *res, bool measured);
void cmp_record_failure(cmp *c, const kd_build_result *res, const kd_error *e);
/* Medians and spreads from the samples; alignment. */
void cmp_finish(cmp *c);
void cmp_acc_free(cmp *c);
void cmp_log_add(cmp *c, size_t stage, size_t step, const char *data, size_t len);
void cmp_logs_clear(cmp *c);

#endif
