/* KD1513 dnf-cache-left (hadolint DL3040): dnf and microdnf keep the repository metadata in
 * /var/cache/dnf (or /var/cache/yum) until `dnf clean all`. The fix (safe) appends
 * `&& dnf clean all` with the same command name.
 * The facts about the manager are in rules/pkg_cache.c. */
#include "rules/pkg_cache.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_cache_check(ctx, self, &kd_cache_dnf);
}

KD_RULE(KD1513) = {
    .id = "KD1513",
    .name = "dnf-cache-left",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .hadolint = {"DL3040"},
    .summary = "dnf or microdnf leaves its repository metadata in the layer",
    .check = check,
};
