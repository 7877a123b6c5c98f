/* KD1514 zypper-cache-left (hadolint DL3036): zypper keeps repository metadata and packages in
 * /var/cache/zypp until `zypper clean`. The fix (safe) appends `&& zypper clean --all`. The facts
 * about the manager are in rules/pkg_cache.c. */
#include "rules/pkg_cache.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_cache_check(ctx, self, &kd_cache_zypper);
}

KD_RULE(KD1514) = {
    .id = "KD1514",
    .name = "zypper-cache-left",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .hadolint = {"DL3036"},
    .summary = "zypper leaves its caches in the layer",
    .check = check,
};
