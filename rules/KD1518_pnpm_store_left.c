/* KD1518 pnpm-store-left: pnpm installs from a content-addressed store (~/.local/share/pnpm/store);
 * most of its files are hard links into node_modules, which a layer
 * stores once, so what it costs is its index and the packages not linked.
 * The fix (safe) appends `&& pnpm store prune`.
 * The facts about the manager are in rules/pkg_cache.c. */
#include "rules/pkg_cache.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_cache_check(ctx, self, &kd_cache_pnpm);
}

KD_RULE(KD1518) = {
    .id = "KD1518",
    .name = "pnpm-store-left",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .summary = "pnpm install leaves the pnpm store in the layer",
    .check = check,
};
