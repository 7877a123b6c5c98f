/* KD3102 base-image-not-allowed: with `allowed-base-images` in the config
 * (shell patterns such as node or python:3.12-*), a FROM image none of
 * them allows. Silent without the setting. */
#include "lint/config.h"
#include "rules/util.h"

#include <stdlib.h>
#include <string.h>

static void base(kd_lint_ctx *ctx, const kd_rule *self, size_t st, const char *image,
                 const kd_imgref *r)
{
    (void)r;
    if (!kd_base_image_allowed(ctx, image))
        kd_report(ctx, self, ctx->stages->v[st].image->span,
                  "'%s' is not one of the config's allowed-base-images", image);
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    if (ctx->config->nallowed) /* silent without the setting */
        kd_each_base_image(ctx, self, base);
}

KD_RULE(KD3102) = {
    .id = "KD3102",
    .name = "base-image-not-allowed",
    .severity = KD_SEV_ERROR,
    .category = KD_CAT_SECURITY,
    .summary = "FROM an image the config's allowed-base-images does not list",
    .check = check,
};
