/* KD1512 yum-cache-left (hadolint DL3032): yum keeps the repository metadata in /var/cache/yum
 * until `yum clean all`. The fix (safe) appends `&& yum clean all`. The facts about the manager are
 * in rules/pkg_cache.c. */
#include "rules/pkg_cache.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_cache_check(ctx, self, &kd_cache_yum);
}

KD_RULE(KD1512) = {
    .id = "KD1512",
    .name = "yum-cache-left",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .hadolint = {"DL3032"},
    .summary = "yum leaves its repository metadata in the layer",
    .check = check,
};
