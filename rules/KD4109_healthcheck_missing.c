/* KD4109 healthcheck-missing (hadolint DL3057, off by default): the final
 * image (its last stage and the stages it is built FROM) declares no
 * HEALTHCHECK. Many images are run by orchestrators with their own probes,
 * hence off by default. */
#include "rules/util.h"

#include <stdint.h>

static bool is_healthcheck(const df_instr *in)
{
    return in->kind == DF_HEALTHCHECK;
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    size_t n = ctx->stages->n;
    if (n == 0 || kd_stage_chain_has(ctx, n - 1, is_healthcheck, SIZE_MAX))
        return;
    const df_instr *from = &ctx->file->instrs[ctx->stages->v[n - 1].from];
    kd_report(ctx, self, kd_span_first_line(ctx, from),
              "the final image has no HEALTHCHECK, so Docker cannot tell a hung container "
              "from a healthy one");
}

KD_RULE(KD4109) = {
    .id = "KD4109",
    .name = "healthcheck-missing",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_MAINTAINABILITY,
    .hadolint = {"DL3057"},
    .off_by_default = true,
    .summary = "The final image has no HEALTHCHECK (off by default)",
    .check = check,
};
