/* KD4102 consistent-instruction-casing (BuildKit
 * ConsistentInstructionCasing): instruction keywords in the case most of
 * the file uses (upper on a tie); mixed-case keywords always differ. The
 * fix (safe) rewrites the keyword. */
#include "rules/util.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdlib.h>

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    size_t upper = 0, lower = 0;
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, KD_ANY));) {
        if (in->kind == DF_UNKNOWN)
            continue;
        upper += kd_is_upper(in->keyword);
        lower += kd_is_lower(in->keyword);
    }
    bool want_lower = lower > upper;
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, KD_ANY));) {
        if (in->kind == DF_UNKNOWN || (want_lower ? kd_is_lower(in->keyword)
                                                  : kd_is_upper(in->keyword)))
            continue;
        kd_finding *f = kd_report(ctx, self, in->keyword_span,
                                  "'%s' should match the case of the other instructions (%s)",
                                  in->keyword, want_lower ? "lowercase" : "uppercase");
        char *fixed = kd_xstrdup(in->keyword);
        for (char *c = fixed; *c; c++)
            *c = (char)(want_lower ? tolower((unsigned char)*c) : toupper((unsigned char)*c));
        kd_fix_edit(f, in->keyword_span.start.off, in->keyword_span.end.off, fixed);
        free(fixed);
    }
}

KD_RULE(KD4102) = {
    .id = "KD4102",
    .name = "consistent-instruction-casing",
    .severity = KD_SEV_STYLE,
    .category = KD_CAT_MAINTAINABILITY,
    .fix = KD_FIX_SAFE,
    .buildkit = "ConsistentInstructionCasing",
    .summary = "Instruction keywords mix upper and lower case",
    .check = check,
};
