/* KD4108 inline-ignore-pragma (hadolint DL1001, off by default): teams
 * that want every exception in the config can forbid inline suppressions.
 * Enable it with --select KD4108 or `enable: [KD4108]`. */
#include "rules/util.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    const df_file *f = ctx->file;
    for (size_t i = 0; i < f->ncomments; i++)
        if (kd_is_ignore_pragma(f->comments[i].text))
            kd_report(ctx, self, f->comments[i].span,
                      "inline suppression; keep exceptions in .kdoctor.yaml instead");
}

KD_RULE(KD4108) = {
    .id = "KD4108",
    .name = "inline-ignore-pragma",
    .severity = KD_SEV_STYLE,
    .category = KD_CAT_MAINTAINABILITY,
    .hadolint = {"DL1001"},
    .off_by_default = true,
    .summary = "An inline ignore comment (off by default)",
    .check = check,
};
