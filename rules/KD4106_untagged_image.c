/* KD4106 untagged-image (hadolint DL3006): FROM an image without a tag or
 * digest takes whatever :latest is the day of the build. Stage references,
 * scratch and images whose tag comes from an ARG default are fine. */
#include "rules/util.h"

#include <stdlib.h>
#include <string.h>

static void base(kd_lint_ctx *ctx, const kd_rule *self, size_t st, const char *image,
                 const kd_imgref *r)
{
    if (r->tag == NULL && r->digest == NULL)
        kd_report(ctx, self, ctx->stages->v[st].image->span,
                  "'%s' has no tag: the build takes whatever :latest is that day; pin a "
                  "version tag", image);
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_each_base_image(ctx, self, base);
}

KD_RULE(KD4106) = {
    .id = "KD4106",
    .name = "untagged-image",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_MAINTAINABILITY,
    .hadolint = {"DL3006"},
    .summary = "FROM an image without a tag",
    .check = check,
};
