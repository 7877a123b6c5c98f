/* KD2117 onbuild-forbidden (hadolint DL3043): ONBUILD FROM, ONBUILD
 * MAINTAINER and ONBUILD ONBUILD are not allowed as triggers. */
#include "rules/util.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_ONBUILD));) {
        const df_instr *sub = in->sub;
        if (sub && (sub->kind == DF_FROM || sub->kind == DF_MAINTAINER || sub->kind == DF_ONBUILD))
            kd_report(ctx, self, sub->keyword_span, "ONBUILD %s is not allowed as a trigger",
                      df_kind_name(sub->kind));
    }
}

KD_RULE(KD2117) = {
    .id = "KD2117",
    .name = "onbuild-forbidden",
    .severity = KD_SEV_ERROR,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL3043"},
    .summary = "ONBUILD with FROM, MAINTAINER or ONBUILD",
    .check = check,
};
