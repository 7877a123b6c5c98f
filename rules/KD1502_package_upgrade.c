/* KD1502 package-upgrade (hadolint DL3005, removed upstream): upgrading
 * every package of the base image in a RUN (apt-get upgrade, apk upgrade,
 * yum/dnf update without package names, zypper update). The new versions
 * go into a new layer while the old files stay in the base layers, so the
 * image carries both; the result also changes from build to build. A newer
 * base image does the same for free. Upgrading named packages (yum update
 * openssl) is a deliberate fix and is left alone; zypper dist-upgrade is
 * KD2515. */
#include "rules/run_util.h"

#include <stdlib.h>

static bool upgrades_all(const sh_cmd *c)
{
    if (kd_cmd_sub(c, "apt-get|apt|aptitude", "upgrade|dist-upgrade|full-upgrade|safe-upgrade"))
        return true;
    /* with package names these only upgrade those packages */
    bool all = sh_cmd_npositional(c) == 1;
    return all && (kd_cmd_sub(c, "apk", "upgrade") ||
                   kd_cmd_sub(c, "yum|dnf|microdnf|dnf5|tdnf", "update|upgrade") ||
                   kd_cmd_sub(c, "zypper", "update|up|patch"));
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);)
        for (size_t i = 0; i < r.sh->ncmds; i++) {
            const sh_cmd *c = r.sh->cmds[i];
            if (!upgrades_all(c))
                continue;
            char *head = kd_cmd_head(c);
            kd_report_cmd(ctx, self, c,
                          "`%s` rewrites packages of the base image in a new layer: the old "
                          "files stay in the base layers, so the image stores both, and each "
                          "build may differ; use a newer base image instead",
                          head);
            free(head);
        }
}

KD_RULE(KD1502) = {
    .id = "KD1502",
    .name = "package-upgrade",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .hadolint = {"DL3005"},
    .summary = "All packages of the base image upgraded in a RUN",
    .check = check,
};
