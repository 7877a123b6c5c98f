/* KD2110 redundant-target-platform (BuildKit RedundantTargetPlatform):
 * FROM --platform=$TARGETPLATFORM says what a FROM does anyway. The fix
 * (safe) removes the flag. */
#include "rules/util.h"

#include <string.h>

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (size_t st = 0; st < ctx->stages->n; st++) {
        const df_flag *p = ctx->stages->v[st].platform;
        if (p == NULL || p->value == NULL ||
            (strcmp(p->value, "$TARGETPLATFORM") != 0 && strcmp(p->value, "${TARGETPLATFORM}") != 0))
            continue;
        kd_finding *f = kd_report(ctx, self, p->span,
                                  "--platform=%s is redundant: it is what FROM uses by default",
                                  p->value);
        size_t end = p->span.end.off;
        while (end < ctx->file->len && (ctx->file->src[end] == ' ' || ctx->file->src[end] == '\t'))
            end++;
        kd_fix_edit(f, p->span.start.off, end, "");
    }
}

KD_RULE(KD2110) = {
    .id = "KD2110",
    .name = "redundant-target-platform",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_CORRECTNESS,
    .fix = KD_FIX_SAFE,
    .buildkit = "RedundantTargetPlatform",
    .summary = "FROM --platform=$TARGETPLATFORM is the default",
    .check = check,
};
