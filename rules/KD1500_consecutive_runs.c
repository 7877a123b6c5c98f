/* KD1500 consecutive-runs (hadolint DL3059): RUN instructions that follow
 * each other (comments between are fine) and could be one RUN joined with
 * &&. Each RUN is a layer, and with snapshotting builders such as Kaniko a
 * full filesystem snapshot: joining N RUNs saves N-1 of both.
 *
 * Not reported, because no join keeps the meaning: different flags
 * (--mount, --network, --security), heredoc RUNs, an exec form that does
 * not turn into the same shell words, a RUN a non-POSIX SHELL runs, a RUN
 * that leaves a job or a service running (it would still run during the
 * next RUN's commands), and a RUN after an inline suppression of this rule.
 *
 * The fix (safe) joins them as a person would:
 *     RUN apt-get update && \
 *         apt-get install -y curl
 * keeping the comments between and inside them (blank lines go: BuildKit
 * warns about them inside an instruction). A RUN whose shell state would
 * reach the next one (cd, export, set, umask, trap, exit, variables,
 * functions, ...) has its text wrapped in a subshell, and so has a RUN
 * after the first whose connectors && would regroup (;, ||). The fix leaves
 * a RUN apart, and the message says why, when `set -e` would stop
 * applying (inside a subshell or compound command joined with &&), when a
 * shell comment would swallow what follows it, or when the joined RUN
 * would have more lines than the max-lines option allows (default 40).
 * Rules in detail: docs/fix.md. The analysis of each RUN is in
 * rules/run_join.c. */
#include "rules/fix_util.h"
#include "rules/run_join.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KD1500_MAX_LINES 40

static bool same_flags(const df_instr *a, const df_instr *b)
{
    if (a->nflags != b->nflags)
        return false;
    for (size_t i = 0; i < a->nflags; i++) {
        bool found = false;
        for (size_t k = 0; k < b->nflags && !found; k++)
            found = strcmp(a->flags[i].text, b->flags[k].text) == 0;
        if (!found)
            return false;
    }
    return true;
}

/* An inline suppression of this rule between the two RUNs: the author
 * wants the second one apart. */
static bool ignored_between(const kd_lint_ctx *ctx, const kd_rule *self, const kd_body *a,
                            const kd_body *b)
{
    size_t from = a->run.in->span.end.off, to = b->run.in->span.start.off;
    for (size_t i = 0; i < ctx->file->ncomments; i++) {
        const df_comment *c = &ctx->file->comments[i];
        if (c->span.start.off >= from && c->span.start.off < to &&
            kd_pragma_ignores(c->text, self))
            return true;
    }
    return false;
}

/* Whether b may join a at all (else the group ends between them). */
static bool joinable(const kd_lint_ctx *ctx, const kd_rule *self, const kd_body *a,
                     const kd_body *b)
{
    return b->run.index == a->run.index + 1 && b->run.stage == a->run.stage && !a->apart &&
           !b->apart && !a->holds && same_flags(a->run.in, b->run.in) &&
           !ignored_between(ctx, self, a, b);
}

/* ---- planning: which joins the fix makes ------------------------------------ */

typedef struct plan {
    kd_body *g;    /* the group */
    size_t n;
    bool shell_e;  /* the SHELL runs with -e */
    unsigned max;  /* max-lines */
    bool *wrap;    /* per RUN: its text goes in a subshell */
    char **why;    /* per junction (n - 1): why it is not joined, or NULL */
} plan;

static unsigned lines_of(const kd_body *b)
{
    return b->run.in->end_line - b->run.in->start_line + 1;
}

/* Comment lines between RUN j and RUN j + 1 (the joined RUN keeps them). */
static unsigned comments_between(const kd_lint_ctx *ctx, const plan *p, size_t j)
{
    unsigned n = 0;
    for (size_t i = 0; i < ctx->file->ncomments; i++) {
        size_t o = ctx->file->comments[i].span.start.off;
        n += o >= p->g[j].run.in->span.end.off && o < p->g[j + 1].run.in->span.start.off;
    }
    return n;
}

/* Whether the source around the join is what the edits expect: blanks
 * after RUN j's text on its last line, nothing but blanks before RUN
 * j + 1's keyword. */
static const char *text_why(const kd_lint_ctx *ctx, const plan *p, size_t j)
{
    const df_file *f = ctx->file;
    size_t ae = p->g[j].run.in->rest.span.end.off, bs = p->g[j + 1].run.in->span.start.off;
    if (!kd_blank_between(f, ae, kd_line_end(f, ae)) ||
        !kd_blank_between(f, kd_line_start(f, bs), bs))
        return "the RUNs' lines are not laid out as the fix expects";
    return NULL;
}

/* Why the join between RUN j and RUN j + 1 is not made, or NULL; first
 * tells whether RUN j starts the joined RUN, *wrap gets whether its text
 * would need a subshell. Owned. */
static char *join_why(const kd_lint_ctx *ctx, const plan *p, size_t j, bool first,
                      unsigned lines, bool *wrap)
{
    const kd_body *a = &p->g[j], *b = &p->g[j + 1];
    bool leak = a->leak && !kd_body_same_set(a, b);
    *wrap = leak || (!first && a->multi);
    unsigned la = a->run.in->start_line, lb = b->run.in->start_line;
    if (a->comment)
        return kd_asprintf("a shell comment in the RUN at line %u would swallow what follows it",
                           la);
    if (b->comment && b->multi)
        return kd_asprintf("a shell comment in the RUN at line %u would swallow the closing "
                           "parenthesis of its subshell", lb);
    if (*wrap && (p->shell_e || a->errexit))
        return kd_asprintf("`set -e` would stop applying in the RUN at line %u once it is a "
                           "subshell followed by &&", la);
    if (!*wrap && (((p->shell_e || a->errexit_top) && a->tail_compound) || a->tail_errexit))
        return kd_asprintf("`set -e` would stop applying inside the compound command that ends "
                           "the RUN at line %u once && follows it", la);
    if (lines > p->max)
        return kd_asprintf("the joined RUN would have %u lines, more than max-lines (%u)", lines,
                           p->max);
    const char *t = text_why(ctx, p, j);
    return t ? kd_xstrdup(t) : NULL;
}

static void plan_joins(const kd_lint_ctx *ctx, plan *p)
{
    size_t start = 0;
    unsigned lines = lines_of(&p->g[0]);
    for (size_t j = 0; j + 1 < p->n; j++) {
        bool first = j == start, w;
        unsigned more = lines + comments_between(ctx, p, j) + lines_of(&p->g[j + 1]);
        p->why[j] = join_why(ctx, p, j, first, more, &w);
        if (p->why[j] == NULL) {
            p->wrap[j] = w;
            lines = more;
            continue;
        }
        p->wrap[j] = !first && p->g[j].multi; /* it ends its joined RUN */
        start = j + 1;
        lines = lines_of(&p->g[j + 1]);
    }
    p->wrap[p->n - 1] = p->n - 1 != start && p->g[p->n - 1].multi;
}

/* ---- the edits ---------------------------------------------------------------- */

static void add_edit(kd_finding *f, size_t s, size_t e, const char *t)
{
    if (s != e || *t)
        kd_fix_edit(f, s, e, t);
}

/* RUN k's keyword and flags give way to an indent (and the opening
 * parenthesis of its subshell); when its text starts on a later line, the
 * keyword's line goes and the comment lines before the text stay. */
static void edit_head(kd_lint_ctx *ctx, kd_finding *f, const plan *p, size_t k, bool first)
{
    const df_file *file = ctx->file;
    const kd_body *b = &p->g[k];
    size_t rs = b->run.in->rest.span.start.off, rest_line = kd_line_start(file, rs);
    const char *open = p->wrap[k] ? (b->starts_paren ? "( " : "(") : "";
    if (first) {
        add_edit(f, rs, rs, open);
        return;
    }
    kd_fix_delete_lines(f, file, kd_line_start(file, b->run.in->span.start.off), rest_line);
    char *head = kd_asprintf("    %s", open);
    kd_fix_edit(f, rest_line, rs, head);
    free(head);
}

/* The edits of RUN k in a joined run of RUNs [s, e]: its head, its exec
 * form's shell words, ") && \" at the end of its last line (or ")" at the
 * very end), and the blank lines before the next RUN. */
static void edit_body(kd_lint_ctx *ctx, kd_finding *f, const plan *p, size_t k, size_t s,
                      size_t e)
{
    const df_file *file = ctx->file;
    const kd_body *b = &p->g[k];
    size_t rs = b->run.in->rest.span.start.off, re = b->run.in->rest.span.end.off;
    edit_head(ctx, f, p, k, k == s);
    if (b->exec_text)
        kd_fix_edit(f, rs, re, b->exec_text);
    const char *close = p->wrap[k] ? ")" : "";
    if (k == e) {
        add_edit(f, re, re, close);
        return;
    }
    size_t ts = re;
    if (b->semi_end) /* "a ;" loses its ";" and the blanks before it */
        for (ts = re - 1; ts > rs && (file->src[ts - 1] == ' ' || file->src[ts - 1] == '\t');)
            ts--;
    char *tail = kd_asprintf("%s && %c", close, file->escape);
    kd_fix_edit(f, ts, kd_line_end(file, re), tail);
    free(tail);
    /* blank lines between go, comment lines stay */
    kd_fix_delete_lines(f, file, kd_line_next(file, re),
                        kd_line_start(file, p->g[k + 1].run.in->span.start.off));
}

static void add_fix(kd_lint_ctx *ctx, kd_finding *f, const plan *p)
{
    if (f == NULL)
        return;
    for (size_t s = 0, e; s < p->n; s = e + 1) {
        for (e = s; e + 1 < p->n && p->why[e] == NULL;)
            e++;
        for (size_t k = s; e > s && k <= e; k++)
            edit_body(ctx, f, p, k, s, e);
    }
}

/* ---- the finding ---------------------------------------------------------------- */

static unsigned max_lines(const kd_lint_ctx *ctx, const kd_rule *self)
{
    const char *v = kd_rule_option(ctx, self, "max-lines");
    long n = v ? strtol(v, NULL, 10) : 0;
    return n > 0 ? (unsigned)n : KD1500_MAX_LINES;
}

static void report(kd_lint_ctx *ctx, const kd_rule *self, kd_body *g, size_t n)
{
    if (n < 2)
        return;
    const df_word *argv;
    size_t nargv;
    plan p = {g, n, kd_run_shell(ctx, &g[0].run, &argv, &nargv), max_lines(ctx, self), NULL,
              NULL};
    p.wrap = kd_xcalloc(n, sizeof *p.wrap);
    p.why = kd_xcalloc(n, sizeof *p.why);
    plan_joins(ctx, &p);
    kd_buf msg = KD_BUF_INIT;
    kd_buf_adds(&msg, "the RUNs at lines ");
    for (size_t i = 0; i < n; i++)
        kd_buf_addf(&msg, "%s%u", i == 0 ? "" : i + 1 == n ? " and " : ", ",
                    g[i].run.in->start_line);
    kd_buf_addf(&msg, " could be one RUN joined with &&: %zu layer%s (and snapshot%s) fewer", n - 1,
                n > 2 ? "s" : "", n > 2 ? "s" : "");
    for (size_t j = 0; j + 1 < n; j++)
        if (p.why[j]) {
            kd_buf_addf(&msg, "; the fix leaves the RUN at line %u apart: %s",
                        g[j + 1].run.in->start_line, p.why[j]);
            break;
        }
    kd_finding *f = kd_report(ctx, self, kd_span_first_line(ctx, g[0].run.in), "%s",
                              kd_buf_str(&msg));
    add_fix(ctx, f, &p);
    for (size_t j = 0; j < n; j++)
        free(p.why[j]);
    free(p.why);
    free(p.wrap);
    kd_buf_free(&msg);
}

static void flush(kd_lint_ctx *ctx, const kd_rule *self, kd_body *g, size_t *n)
{
    report(ctx, self, g, *n);
    for (size_t i = 0; i < *n; i++)
        kd_body_free(&g[i]);
    *n = 0;
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_body *g = NULL;
    size_t n = 0, cap = 0;
    for (kd_run r = {0}; kd_run_next(ctx, &r);) {
        kd_body b;
        kd_body_init(ctx, &r, &b);
        if (n && !joinable(ctx, self, &g[n - 1], &b))
            flush(ctx, self, g, &n);
        KD_GROW(g, cap, n + 1);
        g[n++] = b;
    }
    flush(ctx, self, g, &n);
    free(g);
}

KD_RULE(KD1500) = {
    .id = "KD1500",
    .name = "consecutive-runs",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .hadolint = {"DL3059"},
    .summary = "Consecutive RUNs that could be one",
    .check = check,
};
