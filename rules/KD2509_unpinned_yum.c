/* KD2509 unpinned-yum (hadolint DL3033): yum install of packages without a version. A dash
 * alone does not pin (python3-devel is a name): a part after a dash must
 * start with a digit (httpd-2.4.6). Paths, URLs, .rpm files and @groups
 * are not judged as names. */
#include "rules/pins.h"

#include <string.h>

static const kd_pin pin = {
    .names = "yum",
    .subs = "install|groupinstall|localinstall",
    .pinned = kd_rpm_pinned,
    .how = "yum install -y <package>-<version>",
};

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_pin_check(ctx, self, &pin);
}

KD_RULE(KD2509) = {
    .id = "KD2509",
    .name = "unpinned-yum",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .fix = KD_FIX_NONE,
    .hadolint = {"DL3033"},
    .summary = "yum install without package versions",
    .check = check,
};
