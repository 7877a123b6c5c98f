/* KD2101 duplicate-stage-name (BuildKit DuplicateStageName, hadolint
 * DL3024): two stages with the same AS name (case-insensitive). */
#include "rules/util.h"

#include <string.h>

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    const df_stages *s = ctx->stages;
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].name == NULL)
            continue;
        for (size_t k = 0; k < i; k++) {
            if (s->v[k].name == NULL || strcmp(s->v[k].name, s->v[i].name) != 0)
                continue;
            const df_instr *in = &ctx->file->instrs[s->v[i].from];
            kd_report(ctx, self, in->args[2].span,
                      "stage name '%s' is already used by the stage at line %u: stage names "
                      "must be unique",
                      in->args[2].text, ctx->file->instrs[s->v[k].from].start_line);
            break;
        }
    }
}

KD_RULE(KD2101) = {
    .id = "KD2101",
    .name = "duplicate-stage-name",
    .severity = KD_SEV_ERROR,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL3024"},
    .buildkit = "DuplicateStageName",
    .summary = "Two stages have the same name",
    .check = check,
};
