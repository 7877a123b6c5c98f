/* KD2510 unpinned-zypper (hadolint DL3037): zypper install of packages without a version
 * (pkg=1.2, pkg>=1.2, pkg<2) or an .rpm file. */
#include "rules/pins.h"

#include <string.h>

static bool pinned(const char *p)
{
    return strpbrk(p, "=<>") || kd_ends_with(p, ".rpm") || strchr(p, '/');
}

static const kd_pin pin = {
    .names = "zypper",
    .subs = "install|in",
    .pinned = pinned,
    .how = "zypper install -y <package>=<version>",
};

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_pin_check(ctx, self, &pin);
}

KD_RULE(KD2510) = {
    .id = "KD2510",
    .name = "unpinned-zypper",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .fix = KD_FIX_NONE,
    .hadolint = {"DL3037"},
    .summary = "zypper install without package versions",
    .check = check,
};
