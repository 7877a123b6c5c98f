/* KD1511 apk-cache-left (hadolint DL3019): `apk add`, `apk update`, `apk upgrade` without
 * --no-cache store the package indexes in /var/cache/apk. The fix (safe) adds --no-cache after
 * `add` or `upgrade`.
 * The facts about the manager are in rules/pkg_cache.c. */
#include "rules/pkg_cache.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_cache_check(ctx, self, &kd_cache_apk);
}

KD_RULE(KD1511) = {
    .id = "KD1511",
    .name = "apk-cache-left",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .hadolint = {"DL3019"},
    .summary = "apk without --no-cache leaves its package indexes in the layer",
    .check = check,
};
