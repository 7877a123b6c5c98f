/* KD2505 unpinned-apk (hadolint DL3018): apk add of packages without a version constraint
 * (pkg=1.2.3, pkg~1.2, pkg>1, pkg<2) or a local .apk file. The values of
 * -t/--virtual and -X/--repository are not packages. */
#include "rules/pins.h"

#include <string.h>

static bool pinned(const char *p)
{
    return strpbrk(p, "=~<>") || kd_ends_with(p, ".apk");
}

static const kd_pin pin = {
    .names = "apk",
    .subs = "add",
    .pinned = pinned,
    .how = "apk add <package>=<version>",
};

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_pin_check(ctx, self, &pin);
}

KD_RULE(KD2505) = {
    .id = "KD2505",
    .name = "unpinned-apk",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .fix = KD_FIX_NONE,
    .hadolint = {"DL3018"},
    .summary = "apk add without package versions",
    .check = check,
};
