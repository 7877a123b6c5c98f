/* KD2118 env-self-reference (hadolint DL3044): ENV A=1 B=$A: every value
 * of one ENV is expanded with the environment from before it, so $A is
 * not the A set beside it (it is empty, or an older value). */
#include "rules/util.h"

#include <string.h>

static void visit(kd_lint_ctx *ctx, const kd_rule *self, const df_scope *sc, const df_instr *in,
                  size_t st, void *arg)
{
    (void)arg;
    if (in->kind != DF_ENV || st == (size_t)-1)
        return;
    df_lex_opts o = {.escape = ctx->file->escape};
    for (size_t i = 3; i + 2 < in->nargs; i += 3) {
        const df_word *v = &in->args[i + 1];
        df_expansion e;
        if (!kd_has_var(v->text) || df_expand(&o, v->text, v->len, &sc->env, &e, NULL) < 0)
            continue;
        for (size_t u = 0; u < e.nunmatched; u++)
            for (size_t k = 0; k < i; k += 3)
                if (strcmp(in->args[k].text, e.unmatched[u]) == 0) {
                    kd_report(ctx, self, v->span,
                              "'%s' is set in this same ENV, which does not see it yet: $%s "
                              "expands to nothing here; use a second ENV",
                              e.unmatched[u], e.unmatched[u]);
                    break;
                }
        df_expansion_free(&e);
    }
}

/* An ENV with a variable in its second pair or later: without one the
 * (costly) scope walk cannot find anything. */
static bool candidate(const kd_lint_ctx *ctx)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_ENV));)
        for (size_t i = 3; i + 2 < in->nargs; i += 3)
            if (kd_has_var(in->args[i + 1].text))
                return true;
    return false;
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    if (candidate(ctx))
        kd_walk_scope(ctx, self, visit, NULL);
}

KD_RULE(KD2118) = {
    .id = "KD2118",
    .name = "env-self-reference",
    .severity = KD_SEV_ERROR,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL3044"},
    .summary = "An ENV value refers to a variable set in the same ENV",
    .check = check,
};
