/* KD2107 multiple-entrypoint (BuildKit MultipleInstructionsDisallowed, hadolint DL4004): several
 * ENTRYPOINT instructions in one stage; only the last one takes effect. */
#include "rules/util.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_report_overridden(ctx, self, DF_ENTRYPOINT);
}

KD_RULE(KD2107) = {
    .id = "KD2107",
    .name = "multiple-entrypoint",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL4004"},
    .buildkit = "MultipleInstructionsDisallowed",
    .summary = "Several ENTRYPOINT instructions in one stage",
    .check = check,
};
