/* KD2102 reserved-stage-name (BuildKit ReservedStageName): a stage named
 * "scratch" or "context", words BuildKit gives another meaning. */
#include "rules/util.h"

#include <string.h>

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    const df_stages *s = ctx->stages;
    for (size_t i = 0; i < s->n; i++) {
        const char *n = s->v[i].name;
        if (n && (strcmp(n, "scratch") == 0 || strcmp(n, "context") == 0))
            kd_report(ctx, self, ctx->file->instrs[s->v[i].from].args[2].span,
                      "'%s' is reserved and must not be used as a stage name", n);
    }
}

KD_RULE(KD2102) = {
    .id = "KD2102",
    .name = "reserved-stage-name",
    .severity = KD_SEV_ERROR,
    .category = KD_CAT_CORRECTNESS,
    .buildkit = "ReservedStageName",
    .summary = "A stage is named with a reserved word (scratch, context)",
    .check = check,
};
