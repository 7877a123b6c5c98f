/* KD1500 consecutive-runs (hadolint DL3059): RUN instructions that follow
 * each other (comments between are fine) and could be one RUN joined with
 * &&. Each RUN is a layer, and with snapshotting builders such as Kaniko a
 * full filesystem snapshot: joining N RUNs saves N-1 of both.
 *
 * Not joined, because merging would change what runs:
 *  - different flags (--mount, --network, --security);
 *  - the exec form, heredoc RUNs (kept apart: their text cannot simply be
 *    joined), a RUN a non-POSIX SHELL runs;
 *  - a RUN whose own shell state would leak into the next one: cd, export,
 *    unset, a bare assignment, set (unless the next RUN starts with the same
 *    set), umask, ulimit, source, alias, trap, a function definition, a job
 *    left running with &, exec or exit (the rest would never run).
 * The fix (safe) joins each pair with " && " over a line continuation,
 * when the texts allow it (no shell comment, no trailing ; or &, no
 * Dockerfile comment between them). */
#include "rules/run_util.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* the words of a top-level `set` as one string, for comparing two RUNs */
static bool same_set(const sh_cmd *a, const sh_cmd *b)
{
    if (a->nwords - a->argv0 != b->nwords - b->argv0)
        return false;
    for (size_t i = 0; i < sh_cmd_argc(a); i++)
        if (strcmp(sh_cmd_arg(a, i)->text, sh_cmd_arg(b, i)->text) != 0)
            return false;
    return true;
}

/* The first command of r whose shell state would reach the next RUN if
 * they were one, or NULL. */
static const sh_cmd *leaks(const kd_run *r, const kd_run *next)
{
    static const char state[] = "cd|pushd|popd|export|unset|umask|ulimit|source|.|alias|unalias|"
                                "trap|eval|readonly|declare|typeset|shopt|enable|exec|exit|return";
    const sh_cmd *first_next = next->sh->ncmds ? next->sh->cmds[0] : NULL;
    for (size_t i = 0; i < r->sh->ncmds; i++) {
        const sh_cmd *c = r->sh->cmds[i];
        if (c->ctx & SH_IN_BG && !(c->ctx & (SH_IN_SUBST | SH_IN_NESTED)))
            return c; /* a job still running when the next commands start */
        if (!kd_cmd_top(c))
            continue;
        if (sh_cmd_argc(c) == 0 && c->nassigns)
            return c;
        if (sh_cmd_is(c, state))
            return c;
        if (sh_cmd_is(c, "set") &&
            !(first_next && sh_cmd_is(first_next, "set") && same_set(c, first_next)))
            return c;
    }
    for (size_t i = 0; i < r->sh->top.n; i++)
        if (r->sh->top.v[i]->kind == SH_FUNCTION)
            return r->sh->top.v[i];
    return NULL;
}

static bool joinable(const kd_run *a, const kd_run *b)
{
    return b->index == a->index + 1 && !a->in->json && !b->in->json && !a->in->nheredocs &&
           !b->in->nheredocs && same_flags(a->in, b->in) && !leaks(a, b) && !a->sh->nwarnings &&
           !b->sh->nwarnings;
}

/* Whether a Dockerfile comment lies between the two RUNs' texts. */
static bool comment_between(const kd_lint_ctx *ctx, size_t from, size_t to)
{
    for (size_t i = 0; i < ctx->file->ncomments; i++) {
        size_t o = ctx->file->comments[i].span.start.off;
        if (o >= from && o < to)
            return true;
    }
    return false;
}

static void add_fix(kd_lint_ctx *ctx, kd_finding *f, const kd_run *v, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (!kd_run_appendable(ctx, &v[i]) ||
            comment_between(ctx, v[i].in->rest.span.end.off, v[i + 1].in->rest.span.start.off))
            return;
    char join[16];
    snprintf(join, sizeof join, " %c\n    && ", ctx->file->escape);
    for (size_t i = 0; f && i + 1 < n; i++)
        kd_fix_edit(f, v[i].in->rest.span.end.off, v[i + 1].in->rest.span.start.off, join);
}

static void report(kd_lint_ctx *ctx, const kd_rule *self, const kd_run *v, size_t n)
{
    if (n < 2)
        return;
    kd_buf lines = KD_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        kd_buf_addf(&lines, "%s%u", i == 0 ? "" : i + 1 == n ? " and " : ", ", v[i].in->start_line);
    kd_finding *f = kd_report(ctx, self, kd_span_first_line(ctx, v[0].in),
                              "the RUNs at lines %s could be one RUN joined with &&: %zu "
                              "layer%s (and snapshot%s) fewer",
                              kd_buf_str(&lines), n - 1, n > 2 ? "s" : "", n > 2 ? "s" : "");
    add_fix(ctx, f, v, n);
    kd_buf_free(&lines);
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_run *v = NULL;
    size_t n = 0, cap = 0;
    for (kd_run r = {0}; kd_run_next(ctx, &r);) {
        if (n && !joinable(&v[n - 1], &r)) {
            report(ctx, self, v, n);
            n = 0;
        }
        KD_GROW(v, cap, n + 1);
        v[n++] = r;
    }
    report(ctx, self, v, n);
    free(v);
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
