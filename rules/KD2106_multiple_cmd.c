/* KD2106 multiple-cmd (BuildKit MultipleInstructionsDisallowed, hadolint DL4003): several
 * CMD instructions in one stage; only the last one takes effect. */
#include "rules/util.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_report_overridden(ctx, self, DF_CMD);
}

KD_RULE(KD2106) = {
    .id = "KD2106",
    .name = "multiple-cmd",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL4003"},
    .buildkit = "MultipleInstructionsDisallowed",
    .summary = "Several CMD instructions in one stage",
    .check = check,
};
