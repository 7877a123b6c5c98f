/* KD4107 latest-tag (hadolint DL3007): FROM image:latest changes under
 * the build without notice. A digest pins it, so image:latest@sha256:...
 * is fine. */
#include "rules/util.h"

#include <stdlib.h>
#include <string.h>

static void base(kd_lint_ctx *ctx, const kd_rule *self, size_t st, const char *image,
                 const kd_imgref *r)
{
    if (r->tag && strcmp(r->tag, "latest") == 0 && r->digest == NULL)
        kd_report(ctx, self, ctx->stages->v[st].image->span,
                  "'%s' uses the latest tag, which moves without notice; pin a version tag",
                  image);
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_each_base_image(ctx, self, base);
}

KD_RULE(KD4107) = {
    .id = "KD4107",
    .name = "latest-tag",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_MAINTAINABILITY,
    .hadolint = {"DL3007"},
    .summary = "FROM an image with the latest tag",
    .check = check,
};
