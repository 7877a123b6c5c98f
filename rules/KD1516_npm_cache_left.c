/* KD1516 npm-cache-left: npm keeps every tarball it fetched in ~/.npm/_cacache. The fix (safe)
 * appends `&& npm cache clean --force`.
 * The facts about the manager are in rules/pkg_cache.c. */
#include "rules/pkg_cache.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_cache_check(ctx, self, &kd_cache_npm);
}

KD_RULE(KD1516) = {
    .id = "KD1516",
    .name = "npm-cache-left",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .summary = "npm install or npm ci leaves the npm cache in the layer",
    .check = check,
};
