/* KD4100 stage-name-casing (BuildKit StageNameCasing): stage names are
 * matched case-insensitively, so mixed-case names only mislead. */
#include "rules/util.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    const df_stages *s = ctx->stages;
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].name == NULL)
            continue;
        const df_word *w = &ctx->file->instrs[s->v[i].from].args[2];
        if (!kd_is_lower(w->text))
            kd_report(ctx, self, w->span, "stage name '%s' should be lowercase", w->text);
    }
}

KD_RULE(KD4100) = {
    .id = "KD4100",
    .name = "stage-name-casing",
    .severity = KD_SEV_STYLE,
    .category = KD_CAT_MAINTAINABILITY,
    .buildkit = "StageNameCasing",
    .summary = "A stage name is not lowercase",
    .check = check,
};
