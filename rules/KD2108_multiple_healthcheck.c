/* KD2108 multiple-healthcheck (BuildKit MultipleInstructionsDisallowed, hadolint DL3012): several
 * HEALTHCHECK instructions in one stage; only the last one takes effect. */
#include "rules/util.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_report_overridden(ctx, self, DF_HEALTHCHECK);
}

KD_RULE(KD2108) = {
    .id = "KD2108",
    .name = "multiple-healthcheck",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL3012"},
    .buildkit = "MultipleInstructionsDisallowed",
    .summary = "Several HEALTHCHECK instructions in one stage",
    .check = check,
};
