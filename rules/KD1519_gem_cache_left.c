/* KD1519 gem-cache-left: gem and bundler keep each downloaded .gem in $GEM_HOME/cache
 * (/usr/local/bundle/cache in the ruby images) next to the installed gem.
 * No fix: where GEM_HOME points is only known at build time.
 * The facts about the manager are in rules/pkg_cache.c. */
#include "rules/pkg_cache.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_cache_check(ctx, self, &kd_cache_gem);
}

KD_RULE(KD1519) = {
    .id = "KD1519",
    .name = "gem-cache-left",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_COST,
    .fix = KD_FIX_NONE,
    .summary = "gem or bundle install leaves the downloaded .gem files in the layer",
    .check = check,
};
