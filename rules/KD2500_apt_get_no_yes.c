/* KD2500 apt-get-no-yes (hadolint DL3014): apt-get (apt, aptitude) install, upgrade,
 * remove... without -y: apt asks before it installs dependencies and the
 * build aborts. Answered: -y/--yes/--assume-yes, -qq (quiet level 2 implies
 * -y), -o APT::Get::Assume-Yes=true, an Assume-Yes config written earlier
 * in the stage, `yes |`. The fix (safe) adds -y. */
#include "rules/prompts.h"

#include <stdlib.h>
#include <string.h>

static bool answered(const sh_cmd *c)
{
    const char *q = sh_cmd_opt_value(c, "-q|--quiet", NULL);
    const char *o = sh_cmd_opt_value(c, "-o|--option", NULL);
    return kd_apt_simulates(c) || sh_cmd_opt_count(c, "-q|--quiet") >= 2 || (q && atoi(q) >= 2) ||
           (o && strstr(o, "Assume-Yes") && (strstr(o, "=true") || strstr(o, "=1")));
}

static const kd_prompt prompt = {
    "apt-get|apt|aptitude",
    "install|upgrade|dist-upgrade|full-upgrade|remove|purge|autoremove|build-dep|reinstall",
    "-y|--yes|--assume-yes",
    answered,
    "Assume-Yes",
    "-y",
};

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_prompt_check(ctx, self, &prompt);
}

KD_RULE(KD2500) = {
    .id = "KD2500",
    .name = "apt-get-no-yes",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .fix = KD_FIX_SAFE,
    .hadolint = {"DL3014"},
    .summary = "apt-get install without -y",
    .check = check,
};
