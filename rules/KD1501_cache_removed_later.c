/* KD1501 cache-removed-later: a package-manager cache filled by one RUN and
 * removed by a later RUN of the same stage. Each RUN is a layer: deleting
 * files in a later layer only hides them, and their bytes stay in the
 * image. The finding is on the command that fills the cache, where the
 * removal belongs; the per-manager rules (KD1510-KD1523) stay silent on
 * such a RUN so that it is reported once.
 *
 * The fix (safe) moves the removal: it goes into the earlier RUN, right
 * after the last command there that uses the cache (as the per-manager
 * fixes place theirs), and leaves the later RUN (which disappears, its
 * comments kept, when the removal was all it did). The removal does not
 * move when a RUN in between fills the same cache (its files would no
 * longer be hidden) or uses the apt lists without an update of its own,
 * when the later RUN uses the cache before removing it, when a USER lies
 * in between, when the removal expands a variable, or when it does not
 * stand in the later RUN's own list of commands: the earlier RUN then gets
 * the removal its manager's rule (KD1510-KD1523) would add, if any. */
#include "rules/fix_util.h"
#include "rules/pkg_cache.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* Whether something between the filling command c and the removal by
 * stops the move: a USER, a RUN filling m's cache (its files would no
 * longer be hidden), a command of the later RUN that uses the cache before
 * the removal. */
static bool blocked_between(kd_lint_ctx *ctx, const kd_run *r, const kd_cache *m,
                            const sh_cmd *c, const kd_run *later, const sh_cmd *by)
{
    for (size_t i = r->index + 1; i < later->index; i++)
        if (ctx->file->instrs[i].kind == DF_USER)
            return true;
    for (size_t i = 0; i < by->index; i++)
        if (kd_cache_uses(m, c, later->sh->cmds[i]))
            return true;
    kd_run l;
    for (kd_run cur = *r; kd_run_next_in_stage(ctx, &cur, &l) && l.index < later->index; cur = l)
        for (size_t i = 0; i < l.sh->ncmds; i++)
            if (m->fills(ctx, &l, l.sh->cmds[i]))
                return true;
    return false;
}

static bool is_positional(const sh_cmd *c, const sh_word *w)
{
    for (size_t k = 0; k < sh_cmd_npositional(c); k++)
        if (sh_cmd_positional(c, k) == w)
            return true;
    return false;
}

/* The command as written (assignments, wrappers, words), keeping the
 * words keep accepts; NULL when one of them expands a variable, whose
 * value might differ in the earlier RUN. */
static char *words_of(const sh_cmd *c, bool (*keep)(const sh_cmd *, const sh_word *, void *),
                      void *arg)
{
    kd_buf t = KD_BUF_INIT;
    for (size_t i = 0; i < c->nassigns + c->nwords; i++) {
        const sh_word *w = i < c->nassigns ? &c->assigns[i] : &c->words[i - c->nassigns];
        if (keep && !keep(c, w, arg))
            continue;
        if (w->flags & SH_W_EXPANDS) {
            kd_buf_free(&t);
            return NULL;
        }
        kd_buf_addf(&t, "%s%.*s", t.len ? " " : "", (int)w->raw_len, w->raw);
    }
    return kd_buf_detach(&t, NULL);
}

typedef struct rm_split {
    kd_lint_ctx *ctx;
    const kd_run *r;
    const kd_cache *m;
    const sh_cmd *c;
} rm_split;

/* The words of an rm that move: all but the paths outside the cache. */
static bool moves(const sh_cmd *by, const sh_word *w, void *arg)
{
    const rm_split *q = arg;
    return !is_positional(by, w) || kd_cache_path_word(q->ctx, q->r, q->m, q->c, w->text);
}

/* Deletes the cache's paths from an rm that also removes other things:
 * each path with the blanks (and line continuations) before it. */
static bool delete_paths(kd_lint_ctx *ctx, kd_finding *tmp, const kd_run *later,
                         const sh_cmd *by, rm_split *q)
{
    for (size_t i = 1; i < by->nwords; i++) {
        const sh_word *w = &by->words[i], *prev = &by->words[i - 1];
        if (!is_positional(by, w) || !moves(by, w, q))
            continue;
        size_t from = prev->span.end.off, to = w->span.start.off;
        if (!kd_word_editable(ctx, later, w) || from > to || kd_comment_in(ctx->file, from, to))
            return false;
        for (size_t k = from; k < to; k++)
            if (!strchr(" \t\r\n", ctx->file->src[k]) && ctx->file->src[k] != ctx->file->escape)
                return false;
        kd_fix_edit(tmp, from, w->span.end.off, "");
    }
    return true;
}

/* The removal as it goes into the earlier RUN, with the edits that take it
 * out of the later one (into tmp): the whole command, or for an rm that
 * also removes other things, the rm with the cache's paths only. NULL when
 * it cannot move. Owned. */
static char *take_removal(kd_lint_ctx *ctx, kd_finding *tmp, const kd_run *r, const kd_cache *m,
                          const sh_cmd *c, const kd_run *later, const sh_cmd *by)
{
    rm_split q = {ctx, r, m, c};
    size_t cache = 0, other = 0;
    for (size_t k = 0; sh_cmd_is(by, "rm") && k < sh_cmd_npositional(by); k++) {
        bool in = kd_cache_path_word(ctx, r, m, c, sh_cmd_positional(by, k)->text);
        cache += in;
        other += !in;
    }
    char *text = other ? words_of(by, moves, &q) : words_of(by, NULL, NULL);
    bool ok = text && (other ? cache > 0 && delete_paths(ctx, tmp, later, by, &q)
                             : kd_fix_delete_cmd(ctx, tmp, later, by));
    if (!ok) {
        free(text);
        return NULL;
    }
    return text;
}

/* Moves the removal into r; false (nothing attached) when it cannot. */
static bool move(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const kd_cache *m,
                 const sh_cmd *c, const kd_run *later, const sh_cmd *by)
{
    if (blocked_between(ctx, r, m, c, later, by) ||
        (m->fix_ok && !m->fix_ok(ctx, r, c, later->index)))
        return false;
    kd_finding tmp = {.rule = f->rule};
    char *text = take_removal(ctx, &tmp, r, m, c, later, by);
    bool moved = text && kd_cache_fix_after_use(ctx, &tmp, r, m, c, text);
    if (moved)
        kd_fix_take(f, &tmp);
    kd_fix_drop(&tmp);
    free(text);
    return moved;
}

/* The move, or else the removal the per-manager rule would add (the later
 * RUN keeps its own). */
static void add_fix(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const kd_cache *m,
                    const sh_cmd *c, const kd_run *later, const sh_cmd *by)
{
    if (f && !move(ctx, f, r, m, c, later, by))
        kd_cache_add_fix(ctx, f, r, m, c);
}

static void check_run(kd_lint_ctx *ctx, const kd_rule *self, const kd_run *r)
{
    for (size_t k = 0; kd_caches[k]; k++) {
        const kd_cache *m = kd_caches[k];
        const sh_cmd *c = kd_cache_left(ctx, r, m), *by;
        kd_run later;
        if (c == NULL || !kd_cache_cleaned_later(ctx, r, m, c, &later, &by))
            continue;
        char *head = kd_cmd_head(c), *rm = kd_cmd_head(by);
        kd_finding *f = kd_report_cmd(ctx, self, c,
                                      "`%s` fills %s (%s), which only the RUN at line %u removes "
                                      "(`%s`): a later layer cannot shrink this one, so remove "
                                      "it in this RUN",
                                      head, m->what, m->size, later.in->start_line, rm);
        add_fix(ctx, f, r, m, c, &later, by);
        free(head);
        free(rm);
    }
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);)
        if (kd_stage_in_image(ctx, r.stage))
            check_run(ctx, self, &r);
}

KD_RULE(KD1501) = {
    .id = "KD1501",
    .name = "cache-removed-later",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .summary = "A package cache removed by a later RUN than the one that filled it",
    .check = check,
};
