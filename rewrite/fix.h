/* Applying the fixes that lint rules attach to their findings (`kdoctor
 * lint --fix`): byte-range edits of the original text, applied in rounds
 * until nothing changes, because a fix can make another finding appear or
 * two fixes can touch the same bytes (the later one waits for the next
 * round, on the re-linted text). Edits touch only the bytes they replace, so
 * comments, blank lines, CRLF ends and everything else stay as they were.
 * Library code: never prints or exits. */
#ifndef KD_REWRITE_FIX_H
#define KD_REWRITE_FIX_H

#include "lint/engine.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

#define KD_FIX_MAX_ROUNDS 10

typedef struct kd_fix_opts {
    bool unsafe;    /* also apply fixes that may change the image */
    int max_rounds; /* 0: KD_FIX_MAX_ROUNDS */
} kd_fix_opts;

/* How many findings of one rule were fixed. */
typedef struct kd_fix_count {
    const kd_rule *rule;
    size_t n;
} kd_fix_count;

typedef struct kd_fix_result {
    char *text; /* the fixed source (owned); equal to the input when nothing applied */
    size_t len;
    kd_fix_count *counts; /* per rule, in the order they were first applied */
    size_t ncounts;
    size_t rounds;    /* rounds that changed the text */
    bool converged;   /* false when max_rounds ran out with fixes still pending */
    /* A round whose result did not lint (a rule's fix broke the file) is
     * dropped and fixing stops; this names its rules ("KD1500, KD1501"). */
    char *broken;
    kd_file_result *remaining; /* the findings of the fixed text (owned) */
} kd_fix_result;

/* Lints data (path and dir as for kd_lint_source) and applies fixes. A
 * source that does not parse at all gives -1 and *err. */
int kd_fix_source(kd_linter *l, const char *path, const char *data, size_t len, const char *dir,
                  const kd_fix_opts *o, kd_fix_result *out, kd_error **err);
void kd_fix_result_free(kd_fix_result *r);

/* Applies the non-overlapping edits of the findings that qualify (fix kind
 * safe, or unsafe when unsafe is set), in source order; a finding whose
 * edits overlap an accepted one is left for the next round. Returns the new
 * text (owned) and counts the applied findings per rule into *counts. */
char *kd_fix_apply(const char *src, size_t len, kd_finding *const *findings, size_t n,
                   bool unsafe, size_t *newlen, kd_fix_count **counts, size_t *ncounts);

#endif
