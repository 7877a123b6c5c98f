#include "rewrite/fix.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

typedef struct span {
    size_t start, end;
} span;

static bool qualifies(const kd_finding *f, bool unsafe)
{
    return f->nedits > 0 && (f->fix == KD_FIX_SAFE || (unsafe && f->fix == KD_FIX_UNSAFE));
}

/* Two edits conflict when their ranges overlap, or when both insert at the
 * same place (their order would be arbitrary). */
static bool conflicts(const kd_edit *e, const span *taken, size_t ntaken)
{
    for (size_t i = 0; i < ntaken; i++) {
        size_t s = taken[i].start, t = taken[i].end;
        if (e->start < t && s < e->end)
            return true;
        if (e->start == s && (e->start == e->end || s == t))
            return true;
        if (e->start == e->end && e->start > s && e->start < t)
            return true;
        if (s == t && s > e->start && s < e->end)
            return true;
    }
    return false;
}

static void count_rule(kd_fix_count **counts, size_t *n, const kd_rule *rule)
{
    for (size_t i = 0; i < *n; i++) {
        if ((*counts)[i].rule == rule) {
            (*counts)[i].n++;
            return;
        }
    }
    *counts = kd_xrealloc(*counts, (*n + 1) * sizeof **counts);
    (*counts)[(*n)++] = (kd_fix_count){rule, 1};
}

typedef struct accepted {
    const kd_edit *e;
} accepted;

static int by_start(const void *a, const void *b)
{
    const kd_edit *x = ((const accepted *)a)->e, *y = ((const accepted *)b)->e;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

char *kd_fix_apply(const char *src, size_t len, kd_finding *const *findings, size_t n,
                   bool unsafe, size_t *newlen, kd_fix_count **counts, size_t *ncounts)
{
    span *taken = NULL;
    accepted *acc = NULL;
    size_t ntaken = 0, cap = 0, acap = 0;
    for (size_t i = 0; i < n; i++) {
        const kd_finding *f = findings[i];
        if (!qualifies(f, unsafe))
            continue;
        bool ok = true;
        for (size_t k = 0; k < f->nedits && ok; k++)
            ok = f->edits[k].start <= f->edits[k].end && f->edits[k].end <= len &&
                 !conflicts(&f->edits[k], taken, ntaken);
        if (!ok)
            continue;
        for (size_t k = 0; k < f->nedits; k++) {
            KD_GROW(taken, cap, ntaken + 1);
            KD_GROW(acc, acap, ntaken + 1);
            taken[ntaken] = (span){f->edits[k].start, f->edits[k].end};
            acc[ntaken++].e = &f->edits[k];
        }
        count_rule(counts, ncounts, f->rule);
    }
    if (ntaken > 1) /* qsort wants an array, and there is none before the first edit */
        qsort(acc, ntaken, sizeof *acc, by_start);
    kd_buf out = KD_BUF_INIT;
    size_t pos = 0;
    for (size_t i = 0; i < ntaken; i++) {
        kd_buf_add(&out, src + pos, acc[i].e->start - pos);
        kd_buf_adds(&out, acc[i].e->text);
        pos = acc[i].e->end;
    }
    kd_buf_add(&out, src + pos, len - pos);
    free(taken);
    free(acc);
    return kd_buf_detach(&out, newlen);
}

/* The rules of a round's applied findings, for the message about a fix
 * that broke the file. */
static char *rule_list(const kd_fix_count *c, size_t n)
{
    kd_buf b = KD_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        kd_buf_addf(&b, "%s%s", i ? ", " : "", c[i].rule->id);
    return kd_buf_detach(&b, NULL);
}

static void merge_counts(kd_fix_result *out, const kd_fix_count *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < c[i].n; k++)
            count_rule(&out->counts, &out->ncounts, c[i].rule);
}

int kd_fix_source(kd_linter *l, const char *path, const char *data, size_t len, const char *dir,
                  const kd_fix_opts *o, kd_fix_result *out, kd_error **err)
{
    memset(out, 0, sizeof *out);
    int max = o && o->max_rounds > 0 ? o->max_rounds : KD_FIX_MAX_ROUNDS;
    bool unsafe = o && o->unsafe;
    kd_file_result *cur;
    if (kd_lint_source(l, path, data, len, dir, &cur, err) < 0)
        return -1;
    char *text = kd_xmemdup0(data, len);
    size_t tlen = len;
    out->converged = true;
    for (;;) {
        kd_fix_count *c = NULL;
        size_t nc = 0, nlen;
        char *next = kd_fix_apply(text, tlen, cur->findings, cur->nfindings, unsafe, &nlen, &c,
                                  &nc);
        if (nc == 0 || (nlen == tlen && memcmp(next, text, tlen) == 0)) {
            free(next);
            free(c);
            break;
        }
        if ((int)out->rounds == max) {
            out->converged = false;
            free(next);
            free(c);
            break;
        }
        kd_file_result *after;
        kd_error *e = NULL;
        if (kd_lint_source(l, path, next, nlen, dir, &after, &e) < 0) {
            /* a fix broke the file: keep the last good text */
            out->broken = rule_list(c, nc);
            kd_error_free(e);
            free(next);
            free(c);
            break;
        }
        merge_counts(out, c, nc);
        free(c);
        kd_file_result_free(cur);
        cur = after;
        free(text);
        text = next;
        tlen = nlen;
        out->rounds++;
    }
    out->text = text;
    out->len = tlen;
    out->remaining = cur;
    return 0;
}

void kd_fix_result_free(kd_fix_result *r)
{
    free(r->text);
    free(r->counts);
    free(r->broken);
    if (r->remaining)
        kd_file_result_free(r->remaining);
    memset(r, 0, sizeof *r);
}
