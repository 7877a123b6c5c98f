/* The compare report: the same build context built from several variants
 * of a Dockerfile (as written, its `lint --fix`, its `--fix-unsafe`, files
 * given with --variant), several runs each, cold and warm; where the time
 * and the bytes went, step by step, with the steps of the variants aligned
 * so that a merged RUN stands against the RUNs it replaced.
 *
 * `kdoctor compare` fills it (report/compare.c), `--json FILE` writes it
 * (schema kdoctor.compare/1, docs/compare.md), `kdoctor report FILE` reads
 * it back; the TUI (tui/) and the plain-text tables (report/text.c) show
 * it. Library code: never prints. Ownership: a kd_rep owns everything
 * reachable from it; kd_report_free() frees it. */
#ifndef KD_REPORT_REPORT_H
#define KD_REPORT_REPORT_H

#include "report/efficiency.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KD_REPORT_SCHEMA "kdoctor.compare/1"

/* Build modes: cold = an empty layer cache and nothing unpacked (base
 * blobs kept unless --cold-pull), warm = a rebuild with everything the
 * first build left. */
typedef enum kd_mode {
    KD_MODE_COLD = 0,
    KD_MODE_WARM,
    KD_MODE_COUNT
} kd_mode;

const char *kd_mode_name(kd_mode m); /* "cold", "warm" */

/* The phases of docs/timings.md, in this order. */
#define KD_REP_PHASES 8
extern const char *const kd_rep_phase_names[KD_REP_PHASES];

/* Milliseconds over the runs of one measurement. */
typedef struct kd_stat {
    size_t n; /* runs; 0: not measured */
    double median, min, max;
} kd_stat;

/* The median, min and max of n values (sorted in place). */
kd_stat kd_stat_of(double *values, size_t n);
/* The spread (max - min) relative to the median, 0 when n < 2. */
double kd_stat_spread(const kd_stat *s);
/* Whether a and b differ by more than their runs' noise: their [min, max]
 * ranges do not overlap. With a single run each, never. */
bool kd_stat_differs(const kd_stat *a, const kd_stat *b);

typedef struct kd_rep_step {
    char *instruction; /* "RUN", "FROM", ... */
    char *text;        /* as written, continuation lines joined */
    uint32_t line_start, line_end; /* in the variant's own Dockerfile */
    size_t stage;      /* the stage's index in that Dockerfile */
    size_t row;        /* the first aligned row this step stands on */
    size_t row_span;   /* rows it covers (>1 for a merged RUN) */
    kd_stat total[KD_MODE_COUNT];
    kd_stat phase[KD_MODE_COUNT][KD_REP_PHASES];
    uint64_t phase_bytes[KD_REP_PHASES]; /* of the last cold run (else warm) */
    bool cache_hit[KD_MODE_COUNT];       /* in the last run of that mode */
    bool layer;             /* the step made a layer */
    uint64_t size, tar_size, files; /* the layer: compressed, uncompressed, files */
    uint64_t added, changed, removed; /* entries, from the efficiency replay */
    uint64_t hidden_bytes;  /* bytes of this layer that later layers hide */
    char *log;              /* the step's output in the last run (capped), or NULL */
    kd_eff_file *largest;   /* the largest files the layer holds */
    size_t nlargest;
} kd_rep_step;

typedef struct kd_rep_variant {
    char *name;       /* "original", "fixed", "fixed-unsafe", or a file name */
    char *dockerfile; /* its file; NULL for a fix (its temp file is gone after compare) */
    char *how;        /* "as written", "kdoctor lint --fix", ... */
    char **fixes;     /* "2 x KD1500 consecutive-runs", for the fixed variants */
    size_t nfixes;
    char *error;      /* the build failed: why; NULL when it worked */
    kd_stat total[KD_MODE_COUNT];
    kd_stat phase[KD_MODE_COUNT][KD_REP_PHASES]; /* sums over the steps */
    kd_rep_step *steps;
    size_t nsteps;
    size_t layers;
    uint64_t size, tar_size; /* the image, compressed and not */
    kd_efficiency eff;       /* image efficiency (all layers, base included) */
    size_t base_layers;      /* how many of eff's layers come from base images */
} kd_rep_variant;

typedef struct kd_rep {
    char *created;    /* RFC 3339 */
    char *context;
    char *dockerfile; /* the original */
    int runs;         /* per mode */
    bool modes[KD_MODE_COUNT];
    bool cold_pull;   /* cold builds fetched the base again */
    kd_rep_variant *variants; /* [0] is the original */
    size_t nvariants;
    size_t nrows; /* aligned step rows */
} kd_rep;

void kd_report_free(kd_rep *r);

/* The JSON form (docs/compare.md); the text is owned by the caller. */
char *kd_report_to_json(const kd_rep *r);
/* Reads it back (path names the source in errors). */
int kd_report_from_json(const char *path, const char *data, size_t len, kd_rep *out,
                        kd_error **err);

/* Aligns the variants' steps with the original's: sets every step's row
 * and row_span and r->nrows (report/align.c). */
void kd_report_align(kd_rep *r);

/* The step of variant v that stands on row (first or covered), or NULL;
 * *first tells whether the row is the step's first. */
const kd_rep_step *kd_report_step_at(const kd_rep_variant *v, size_t row, bool *first);

/* Plain-text tables of the report for one mode, for --no-tui, a pipe, or
 * a terminal without curses; width is the line width to fit (80 or more). */
void kd_report_text(const kd_rep *r, kd_mode mode, int width, kd_buf *out);

/* Formatting shared by the text tables and the TUI: "1.23 s", "850 ms";
 * "297.1 MB", "12.0 kB"; a percent gain of b against a ("-42%"). */
void kd_fmt_ms(double ms, char *buf, size_t n);
void kd_fmt_bytes(uint64_t b, char *buf, size_t n);
void kd_fmt_gain(double a, double b, char *buf, size_t n);

#endif
