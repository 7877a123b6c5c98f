/* KD2120 instruction-order (hadolint DL3061): only ARG may come before the
 * first FROM; anything else there fails the build. */
#include "rules/util.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, KD_ANY));) {
        if (in->kind == DF_FROM)
            return;
        if (in->kind != DF_ARG && in->kind != DF_UNKNOWN) {
            kd_report(ctx, self, in->keyword_span,
                      "%s comes before the first FROM; only ARG may", in->keyword);
            return;
        }
    }
}

KD_RULE(KD2120) = {
    .id = "KD2120",
    .name = "instruction-order",
    .severity = KD_SEV_ERROR,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL3061"},
    .summary = "An instruction other than ARG before the first FROM",
    .check = check,
};
