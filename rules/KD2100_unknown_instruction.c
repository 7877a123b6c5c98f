/* KD2100 unknown-instruction: a word BuildKit does not know as an
 * instruction. The parser keeps it (BuildKit only fails when it builds),
 * so the linter is where it surfaces, as an error. */
#include "lint/lint.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_UNKNOWN));)
        kd_report(ctx, self, in->keyword_span,
                  "unknown instruction '%s': BuildKit fails on it when it builds", in->keyword);
}

KD_RULE(KD2100) = {
    .id = "KD2100",
    .name = "unknown-instruction",
    .severity = KD_SEV_ERROR,
    .category = KD_CAT_CORRECTNESS,
    .summary = "An instruction BuildKit does not know",
    .check = check,
};
