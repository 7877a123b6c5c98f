/* KD2116 copy-from-own-stage (hadolint DL3023): COPY --from naming the
 * stage the COPY is in, which cannot work. */
#include "rules/util.h"

#include <strings.h>

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_COPY));) {
        const df_flag *from = df_instr_flag(in, "from");
        ssize_t st = kd_stage_of(ctx, in);
        if (from == NULL || from->value == NULL || st < 0)
            continue;
        const char *own = ctx->stages->v[st].name;
        if (own && strcasecmp(own, from->value) == 0)
            kd_report(ctx, self, from->span,
                      "--from=%s names the stage this COPY is in; a stage cannot copy from "
                      "itself", from->value);
    }
}

KD_RULE(KD2116) = {
    .id = "KD2116",
    .name = "copy-from-own-stage",
    .severity = KD_SEV_ERROR,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL3023"},
    .summary = "COPY --from names its own stage",
    .check = check,
};
