/* KD1510 apt-lists-left (hadolint DL3009): `apt-get update` (or `apt update`) downloads the package
 * lists to /var/lib/apt/lists; a RUN that does not remove them in the same RUN keeps them in its
 * layer. Counts as removed: rm of that folder (or a folder above it, or a glob over its content)
 * after the update on success, `apt-get dist-clean`, a cache or tmpfs mount over it. Only stages
 * that end up in the image are checked. The fix (safe) appends
 * `&& rm -rf` of the lists, unless a later RUN of the stage
 * installs without an update of its own.
 * The facts about the manager are in rules/pkg_cache.c. */
#include "rules/pkg_cache.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_cache_check(ctx, self, &kd_cache_apt);
}

KD_RULE(KD1510) = {
    .id = "KD1510",
    .name = "apt-lists-left",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .hadolint = {"DL3009"},
    .summary = "apt-get update leaves the package lists in the layer",
    .check = check,
};
