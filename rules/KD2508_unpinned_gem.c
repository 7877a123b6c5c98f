/* KD2508 unpinned-gem (hadolint DL3028): gem install of gems without a version: name:version,
 * or -v/--version for the command, or a local .gem file pins. */
#include "rules/pins.h"

#include <string.h>

static bool pinned(const char *p)
{
    return strchr(p, ':') || kd_ends_with(p, ".gem");
}

static bool pinned_cmd(const sh_cmd *c)
{
    return sh_cmd_has_opt(c, "-v|--version");
}

static const kd_pin pin = {
    .names = "gem",
    .subs = "install|i",
    .pinned_cmd = pinned_cmd,
    .pinned = pinned,
    .how = "gem install <gem>:<version>",
};

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_pin_check(ctx, self, &pin);
}

KD_RULE(KD2508) = {
    .id = "KD2508",
    .name = "unpinned-gem",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .fix = KD_FIX_NONE,
    .hadolint = {"DL3028"},
    .summary = "gem install without gem versions",
    .check = check,
};
