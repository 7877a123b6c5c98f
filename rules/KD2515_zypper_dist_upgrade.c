/* KD2515 zypper-dist-upgrade (hadolint DL3035): zypper dist-upgrade (dup)
 * in a RUN may move the base image's packages to another release (and
 * vendors), so the image no longer is the base it names; use a newer base
 * image instead. */
#include "rules/run_util.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);)
        for (size_t i = 0; i < r.sh->ncmds; i++)
            if (kd_cmd_sub(r.sh->cmds[i], "zypper", "dist-upgrade|dup"))
                kd_report_cmd(ctx, self, r.sh->cmds[i],
                              "zypper dist-upgrade may switch the base image's packages to "
                              "another release; use a newer base image instead");
}

KD_RULE(KD2515) = {
    .id = "KD2515",
    .name = "zypper-dist-upgrade",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL3035"},
    .summary = "zypper dist-upgrade in a RUN",
    .check = check,
};
