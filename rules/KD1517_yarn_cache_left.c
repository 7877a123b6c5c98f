/* KD1517 yarn-cache-left (hadolint DL3060): yarn (classic) keeps every package in
 * /usr/local/share/.cache/yarn (as root) or ~/.cache/yarn. A bare `yarn` installs too. The fix
 * (safe) appends `&& yarn cache clean`. The facts about the manager are in rules/pkg_cache.c. */
#include "rules/pkg_cache.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_cache_check(ctx, self, &kd_cache_yarn);
}

KD_RULE(KD1517) = {
    .id = "KD1517",
    .name = "yarn-cache-left",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .hadolint = {"DL3060"},
    .summary = "yarn install leaves the yarn cache in the layer",
    .check = check,
};
