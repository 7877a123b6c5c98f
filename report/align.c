/* Aligning the steps of the variants with those of the original, so the
 * step table can put a merged RUN against the RUNs it replaced.
 *
 * Rows are the original's steps, in order. Each variant is walked against
 * them stage by stage: equal steps (same instruction and text, white space
 * aside) share a row; a RUN that holds, in order, the commands of several
 * consecutive RUNs of the original covers their rows; a step of the same
 * kind that changed (ADD -> COPY, a flag added) takes the row; a step found
 * nowhere gets a row of its own after the row of the step before it. */
#include "report/report.h"
#include "util/buf.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The text with runs of white space folded to one space, the keyword
 * upper-cased: "run  apt-get \t update" -> "RUN apt-get update". */
static char *norm(const char *s)
{
    kd_buf b = KD_BUF_INIT;
    bool space = false, kw = true;
    for (; *s; s++) {
        if (isspace((unsigned char)*s)) {
            space = b.len > 0;
            kw = false;
            continue;
        }
        if (space)
            kd_buf_addc(&b, ' ');
        space = false;
        kd_buf_addc(&b, kw ? (char)toupper((unsigned char)*s) : *s);
    }
    return kd_buf_detach(&b, NULL);
}

static bool kind_eq(const char *a, const char *b)
{
    bool ac = strcmp(a, "ADD") == 0 || strcmp(a, "COPY") == 0;
    bool bc = strcmp(b, "ADD") == 0 || strcmp(b, "COPY") == 0;
    return strcmp(a, b) == 0 || (ac && bc);
}

static bool same(const kd_rep_step *a, const kd_rep_step *b)
{
    if (a->stage != b->stage || strcmp(a->instruction, b->instruction) != 0)
        return false;
    char *x = norm(a->text), *y = norm(b->text);
    bool eq = strcmp(x, y) == 0;
    free(x);
    free(y);
    return eq;
}

/* The first two words of a RUN's command ("apt-get update" of
 * "RUN apt-get update -q"), the part a merge keeps. */
static char *core(const char *text)
{
    char *n = norm(text);
    char *p = strncmp(n, "RUN ", 4) == 0 ? n + 4 : n;
    while (*p == '-') { /* flags of RUN itself (--mount=...) */
        char *sp = strchr(p, ' ');
        p = sp ? sp + 1 : p + strlen(p);
    }
    char *end = strchr(p, ' ');
    if (end)
        end = strchr(end + 1, ' ');
    char *c = end ? kd_xstrndup(p, (size_t)(end - p)) : kd_xstrdup(p);
    free(n);
    return c;
}

/* How many RUNs from o[i] on a merged RUN v holds, in order (0 if fewer
 * than two: a plain match is not a merge). */
static size_t merged_count(const kd_rep_step *o, size_t no, size_t i, const kd_rep_step *v)
{
    if (strcmp(v->instruction, "RUN") != 0)
        return 0;
    char *vt = norm(v->text);
    const char *at = vt;
    size_t k = 0;
    while (i + k < no && strcmp(o[i + k].instruction, "RUN") == 0 && o[i + k].stage == v->stage) {
        char *c = core(o[i + k].text);
        const char *hit = *c ? strstr(at, c) : NULL;
        free(c);
        if (hit == NULL)
            break;
        at = hit + 1;
        k++;
    }
    free(vt);
    return k >= 2 ? k : 0;
}

/* Where a variant step goes: on original row `row` covering `span` rows,
 * or, when span is 0, on a new row after original row `row` (row is
 * SIZE_MAX for "before every row"). */
typedef struct place {
    size_t row, span;
} place;

static void align_variant(const kd_rep_variant *o, const kd_rep_variant *v, place *out)
{
    size_t i = 0, no = o->nsteps;
    size_t last = SIZE_MAX; /* the last original row used */
    for (size_t j = 0; j < v->nsteps; j++) {
        const kd_rep_step *s = &v->steps[j];
        /* the next original step of this stage equal to s, not too far */
        size_t hit = SIZE_MAX;
        for (size_t k = i; k < no && k < i + 8; k++)
            if (same(&o->steps[k], s)) {
                hit = k;
                break;
            }
        size_t m = i < no ? merged_count(o->steps, no, i, s) : 0;
        if (m && (hit == SIZE_MAX || hit >= i + m)) {
            out[j] = (place){i, m};
            last = i + m - 1;
            i += m;
        } else if (hit != SIZE_MAX) {
            out[j] = (place){hit, 1};
            last = hit;
            i = hit + 1;
        } else if (i < no && o->steps[i].stage == s->stage &&
                   kind_eq(o->steps[i].instruction, s->instruction)) {
            out[j] = (place){i, 1}; /* the same step, changed by a fix */
            last = i;
            i++;
        } else {
            out[j] = (place){last, 0};
        }
    }
}

void kd_report_align(kd_rep *r)
{
    if (r->nvariants == 0)
        return;
    kd_rep_variant *o = &r->variants[0];
    size_t no = o->nsteps;
    /* extra[k]: new rows wanted after original row k-1 (k = 0: before all) */
    size_t *extra = kd_xcalloc(no + 1, sizeof *extra);
    size_t *mine = kd_xcalloc(no + 1, sizeof *mine);
    place **places = kd_xcalloc(r->nvariants, sizeof *places);
    for (size_t vi = 1; vi < r->nvariants; vi++) {
        const kd_rep_variant *v = &r->variants[vi];
        places[vi] = kd_xcalloc(v->nsteps + 1, sizeof **places);
        align_variant(o, v, places[vi]);
        /* variants share the extra rows at one place: the most any needs */
        memset(mine, 0, (no + 1) * sizeof *mine);
        for (size_t j = 0; j < v->nsteps; j++)
            if (places[vi][j].span == 0)
                mine[places[vi][j].row == SIZE_MAX ? 0 : places[vi][j].row + 1]++;
        for (size_t k = 0; k <= no; k++)
            if (mine[k] > extra[k])
                extra[k] = mine[k];
    }
    free(mine);
    /* row numbers: before original row k come the extras anchored there */
    size_t *first = kd_xcalloc(no + 2, sizeof *first); /* first row after the extras at k */
    size_t *extra_base = kd_xcalloc(no + 1, sizeof *extra_base);
    size_t row = 0;
    for (size_t k = 0; k <= no; k++) {
        extra_base[k] = row;
        row += extra[k];
        first[k] = row;
        if (k < no)
            row++;
    }
    r->nrows = row;
    for (size_t k = 0; k < no; k++) {
        o->steps[k].row = first[k];
        o->steps[k].row_span = 1;
    }
    size_t *used = kd_xcalloc(no + 1, sizeof *used);
    for (size_t vi = 1; vi < r->nvariants; vi++) {
        kd_rep_variant *v = &r->variants[vi];
        memset(used, 0, (no + 1) * sizeof *used);
        for (size_t j = 0; j < v->nsteps; j++) {
            place p = places[vi][j];
            if (p.span) {
                v->steps[j].row = first[p.row];
                /* the rows it covers, extras between them included */
                v->steps[j].row_span = first[p.row + p.span - 1] - first[p.row] + 1;
            } else {
                size_t k = p.row == SIZE_MAX ? 0 : p.row + 1;
                v->steps[j].row = extra_base[k] + used[k]++;
                v->steps[j].row_span = 1;
            }
        }
        free(places[vi]);
    }
    free(used);
    free(places);
    free(extra);
    free(first);
    free(extra_base);
}
