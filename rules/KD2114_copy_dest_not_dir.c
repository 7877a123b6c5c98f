/* KD2114 copy-dest-not-dir (hadolint DL3021): COPY or ADD with several
 * sources needs a destination folder written with a final '/'. */
#include "rules/util.h"

#include <string.h>

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, KD_ANY));) {
        if ((in->kind != DF_COPY && in->kind != DF_ADD) || in->nargs < 3)
            continue;
        const df_word *dest = &in->args[in->nargs - 1];
        size_t n = dest->len;
        if (n && dest->text[n - 1] != '/' && dest->text[n - 1] != '\\')
            kd_report(ctx, self, dest->span,
                      "%s with %zu sources needs a destination folder ending in '/', not '%s'",
                      df_kind_name(in->kind), in->nargs - 1, dest->text);
    }
}

KD_RULE(KD2114) = {
    .id = "KD2114",
    .name = "copy-dest-not-dir",
    .severity = KD_SEV_ERROR,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL3021"},
    .summary = "COPY with several sources to a destination without a final '/'",
    .check = check,
};
