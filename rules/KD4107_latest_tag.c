/* KD4107 latest-tag (hadolint DL3007): FROM image:latest changes under
 * the build without notice. A digest pins it, so image:latest@sha256:...
 * is fine. */
#include "rules/util.h"

#include <stdlib.h>
#include <string.h>

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (size_t st = 0; st < ctx->stages->n; st++) {
        if (kd_stage_from_stage(ctx, st, NULL))
            continue;
        char *image = kd_stage_image(ctx, st);
        kd_imgref r;
        if (image && kd_image_parse(image, &r)) {
            if (r.tag && strcmp(r.tag, "latest") == 0 && r.digest == NULL)
                kd_report(ctx, self, ctx->stages->v[st].image->span,
                          "'%s' uses the latest tag, which moves without notice; pin a version "
                          "tag", image);
            kd_image_free(&r);
        }
        free(image);
    }
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
