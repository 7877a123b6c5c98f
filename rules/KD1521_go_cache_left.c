/* KD1521 go-cache-left: go build, install, get, test, run and mod download fill the build cache
 * (~/.cache/go-build) and the module cache (/go/pkg/mod). Only stages that
 * end up in the image are checked: a builder stage is the cure. The fix
 * (safe) appends `&& go clean -cache -modcache`.
 * The facts about the manager are in rules/pkg_cache.c. */
#include "rules/pkg_cache.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_cache_check(ctx, self, &kd_cache_go);
}

KD_RULE(KD1521) = {
    .id = "KD1521",
    .name = "go-cache-left",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .summary = "go build or go install leaves the Go caches in the image",
    .check = check,
};
