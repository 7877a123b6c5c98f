/* KD4101 from-as-casing (BuildKit FromAsCasing): `FROM x as y` or
 * `from x AS y`: the AS keyword should follow the FROM keyword's case. The
 * fix (safe) rewrites AS. */
#include "rules/util.h"

#include <strings.h>

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_FROM));) {
        if (in->nargs < 3 || strcasecmp(in->args[1].text, "as") != 0)
            continue;
        bool upper = kd_is_upper(in->keyword), lower = kd_is_lower(in->keyword);
        const df_word *as = &in->args[1];
        if ((upper && !kd_is_upper(as->text)) || (lower && !kd_is_lower(as->text))) {
            kd_finding *f = kd_report(ctx, self, as->span,
                                      "'%s' should match the case of '%s'", as->text,
                                      in->keyword);
            kd_fix_edit(f, as->span.start.off, as->span.end.off, upper ? "AS" : "as");
        }
    }
}

KD_RULE(KD4101) = {
    .id = "KD4101",
    .name = "from-as-casing",
    .severity = KD_SEV_STYLE,
    .category = KD_CAT_MAINTAINABILITY,
    .fix = KD_FIX_SAFE,
    .buildkit = "FromAsCasing",
    .summary = "The AS keyword's case differs from FROM's",
    .check = check,
};
