/* KD1520 composer-cache-left: composer keeps downloaded archives in ~/.composer/cache (or
 * ~/.cache/composer, or /tmp/cache in the composer image). Not reported:
 * --no-cache, `composer clear-cache`. The fix (safe) appends
 * `&& composer clear-cache`.
 * The facts about the manager are in rules/pkg_cache.c. */
#include "rules/pkg_cache.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_cache_check(ctx, self, &kd_cache_composer);
}

KD_RULE(KD1520) = {
    .id = "KD1520",
    .name = "composer-cache-left",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .summary = "composer install leaves the composer cache in the layer",
    .check = check,
};
