/* KD3101 untrusted-registry (hadolint DL3026): with `trusted-registries`
 * in the config, a FROM image from any other registry. Silent without the
 * setting. */
#include "lint/config.h"
#include "rules/util.h"

#include <stdlib.h>
#include <string.h>

static void base(kd_lint_ctx *ctx, const kd_rule *self, size_t st, const char *image,
                 const kd_imgref *r)
{
    if (!kd_registry_trusted(ctx, image))
        kd_report(ctx, self, ctx->stages->v[st].image->span,
                  "'%s' comes from %s, which is not in the config's trusted-registries", image,
                  r->registry);
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    if (ctx->config->ntrusted) /* silent without the setting */
        kd_each_base_image(ctx, self, base);
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
