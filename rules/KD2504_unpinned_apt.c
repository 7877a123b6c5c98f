/* KD2504 unpinned-apt (hadolint DL3008): apt-get (or apt, aptitude) install of packages
 * without a version. Pinned: pkg=version, a release (pkg/bookworm-backports,
 * as hadolint accepts), a local .deb file. */
#include "rules/pins.h"

#include <string.h>

static bool pinned(const char *p)
{
    return strchr(p, '=') || strchr(p, '/') || kd_ends_with(p, ".deb");
}

static const kd_pin pin = {
    .names = "apt-get|apt|aptitude",
    .subs = "install",
    .pinned_cmd = kd_apt_simulates, /* installs nothing */
    .pinned = pinned,
    .how = "apt-get install <package>=<version>",
};

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_pin_check(ctx, self, &pin);
}

KD_RULE(KD2504) = {
    .id = "KD2504",
    .name = "unpinned-apt",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .fix = KD_FIX_NONE,
    .hadolint = {"DL3008"},
    .summary = "apt-get install without package versions",
    .check = check,
};
