/* KD1523 conda-cache-left: conda, mamba and micromamba keep downloaded tarballs and extracted
 * packages in pkgs/ (/opt/conda/pkgs). The fix (safe) appends
 * `&& conda clean --all --yes` with the same command name.
 * The facts about the manager are in rules/pkg_cache.c. */
#include "rules/pkg_cache.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_cache_check(ctx, self, &kd_cache_conda);
}

KD_RULE(KD1523) = {
    .id = "KD1523",
    .name = "conda-cache-left",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .summary = "conda install leaves the package cache in the layer",
    .check = check,
};
