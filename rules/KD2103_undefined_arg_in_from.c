/* KD2103 undefined-arg-in-from (BuildKit UndefinedArgInFrom): a FROM line
 * uses a variable that no global ARG (before the first FROM) declares;
 * the automatic platform ARGs (TARGETARCH, BUILDPLATFORM, ...) count as
 * declared. */
#include "rules/util.h"

#include <string.h>

static void check_word(kd_lint_ctx *ctx, const kd_rule *self, const df_vars *names,
                       const df_word *w)
{
    if (!kd_has_var(w->text))
        return;
    df_lex_opts o = {.escape = ctx->file->escape};
    df_expansion e;
    if (df_expand(&o, w->text, w->len, names, &e, NULL) < 0)
        return;
    for (size_t i = 0; i < e.nunmatched; i++)
        if (kd_var_used_plainly(w->text, e.unmatched[i]))
            kd_report(ctx, self, w->span,
                  "FROM uses '%s', which no ARG before the first FROM declares", e.unmatched[i]);
    df_expansion_free(&e);
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    if (!kd_from_has_var(ctx))
        return;
    df_vars names = DF_VARS_INIT;
    kd_global_names(ctx, &names);
    for (size_t st = 0; st < ctx->stages->n; st++) {
        const df_stage *s = &ctx->stages->v[st];
        if (s->image)
            check_word(ctx, self, &names, s->image);
        if (s->platform && s->platform->value) {
            df_word w = {s->platform->value, strlen(s->platform->value), s->platform->span};
            check_word(ctx, self, &names, &w);
        }
    }
    df_vars_free(&names);
}

KD_RULE(KD2103) = {
    .id = "KD2103",
    .name = "undefined-arg-in-from",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .buildkit = "UndefinedArgInFrom",
    .summary = "FROM uses a variable no global ARG declares",
    .check = check,
};
