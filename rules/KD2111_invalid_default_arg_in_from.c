/* KD2111 invalid-default-arg-in-from (BuildKit InvalidDefaultArgInFrom):
 * with the global ARGs' default values, a FROM image expands to an empty
 * or invalid reference (ARG TAG without a default, then FROM node:$TAG),
 * so a build without --build-arg fails. */
#include "rules/util.h"

#include <stdlib.h>

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    if (!kd_from_has_var(ctx))
        return;
    df_vars names = DF_VARS_INIT;
    kd_global_names(ctx, &names);
    const df_vars *values = kd_global_values(ctx);
    df_lex_opts o = {.escape = ctx->file->escape};
    for (size_t st = 0; st < ctx->stages->n; st++) {
        const df_word *w = ctx->stages->v[st].image;
        df_expansion decl, e;
        if (w == NULL || !kd_has_var(w->text) || df_expand(&o, w->text, w->len, &names, &decl, NULL) < 0)
            continue;
        bool declared = decl.nunmatched == 0; /* else undefined-arg-in-from speaks */
        df_expansion_free(&decl);
        if (!declared || df_expand(&o, w->text, w->len, values, &e, NULL) < 0)
            continue;
        if (!kd_image_valid(e.word) && df_stages_lookup(ctx->stages, e.word, st) < 0)
            kd_report(ctx, self, w->span,
                      "with the ARG defaults, the base image '%s' expands to '%s', which is %s; "
                      "a build without --build-arg fails",
                      w->text, e.word, e.word[0] ? "not a valid image reference" : "empty");
        df_expansion_free(&e);
    }
    df_vars_free(&names);
}

KD_RULE(KD2111) = {
    .id = "KD2111",
    .name = "invalid-default-arg-in-from",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .buildkit = "InvalidDefaultArgInFrom",
    .summary = "The ARG defaults make a FROM image empty or invalid",
    .check = check,
};
