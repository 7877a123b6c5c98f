/* KD3101 untrusted-registry (hadolint DL3026): with `trusted-registries`
 * in the config, a FROM image from any other registry. Silent without the
 * setting. */
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
            if (!kd_registry_trusted(ctx, image))
                kd_report(ctx, self, ctx->stages->v[st].image->span,
                          "'%s' comes from %s, which is not in the config's trusted-registries",
                          image, r.registry);
            kd_image_free(&r);
        }
        free(image);
    }
}

KD_RULE(KD3101) = {
    .id = "KD3101",
    .name = "untrusted-registry",
    .severity = KD_SEV_ERROR,
    .category = KD_CAT_SECURITY,
    .hadolint = {"DL3026"},
    .summary = "FROM an image outside the trusted registries (when configured)",
    .check = check,
};
