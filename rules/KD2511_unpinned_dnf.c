/* KD2511 unpinned-dnf (hadolint DL3041): dnf, microdnf, dnf5 and tdnf install of packages
 * without a version: a part after a dash must start with a digit
 * (nginx-1.24.0); paths, URLs, .rpm files and @groups are not judged. */
#include "rules/pins.h"

#include <string.h>

static const kd_pin pin = {
    .names = "dnf|microdnf|dnf5|tdnf",
    .subs = "install",
    .pinned = kd_rpm_pinned,
    .how = "dnf install -y <package>-<version>",
};

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_pin_check(ctx, self, &pin);
}

KD_RULE(KD2511) = {
    .id = "KD2511",
    .name = "unpinned-dnf",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .fix = KD_FIX_NONE,
    .hadolint = {"DL3041"},
    .summary = "dnf or microdnf install without package versions",
    .check = check,
};
