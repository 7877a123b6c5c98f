/* KD4106 untagged-image (hadolint DL3006): FROM an image without a tag or
 * digest takes whatever :latest is the day of the build. Stage references,
 * scratch and images whose tag comes from an ARG default are fine. */
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
        if (image && strcmp(image, "scratch") != 0 && kd_image_parse(image, &r)) {
            if (r.tag == NULL && r.digest == NULL)
                kd_report(ctx, self, ctx->stages->v[st].image->span,
                          "'%s' has no tag: the build takes whatever :latest is that day; pin "
                          "a version tag", image);
            kd_image_free(&r);
        }
        free(image);
    }
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
