/* KD1522 maven-gradle-cache-left: mvn keeps every dependency in ~/.m2/repository and Gradle in
 * ~/.gradle/caches. Only stages that end up in the image are checked. No
 * fix: the cure is a builder stage or a cache mount.
 * The facts about the manager are in rules/pkg_cache.c. */
#include "rules/pkg_cache.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_cache_check(ctx, self, &kd_cache_maven);
    kd_cache_check(ctx, self, &kd_cache_gradle);
}

KD_RULE(KD1522) = {
    .id = "KD1522",
    .name = "maven-gradle-cache-left",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .fix = KD_FIX_NONE,
    .summary = "A Maven or Gradle build leaves its dependency caches in the image",
    .check = check,
};
