/* KD1505 apt-install-recommends (hadolint DL3015): apt-get install without
 * --no-install-recommends also installs every package the requested ones
 * recommend, typically tens of MB more. Not reported: the option, its
 * opposite --install-recommends (a deliberate choice), -o
 * APT::Install-Recommends=..., or an Install-Recommends setting written to
 * the apt config earlier in the stage. The fix adds the option after
 * `install`; it is unsafe: a program may need a recommended package. */
#include "rules/run_util.h"

#include <stdlib.h>
#include <string.h>

/* Recommends are off, or asked for on purpose (--install-recommends,
 * -o APT::Install-Recommends=...). */
static bool off(const sh_cmd *c)
{
    const char *o = sh_cmd_opt_value(c, "-o|--option", NULL);
    return kd_apt_simulates(c) || sh_cmd_has_opt(c, "--no-install-recommends|--install-recommends") ||
           (o && strstr(o, "Install-Recommends"));
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);)
        for (size_t i = 0; i < r.sh->ncmds; i++) {
            const sh_cmd *c = r.sh->cmds[i];
            if (!kd_cmd_sub(c, "apt-get|apt", "install") || off(c) ||
                kd_set_before(ctx, &r, c, "Install-Recommends"))
                continue;
            char *head = kd_cmd_head(c);
            kd_finding *f = kd_report_cmd(ctx, self, c,
                                          "`%s` also installs the recommended packages, "
                                          "typically tens of MB more; add "
                                          "--no-install-recommends",
                                          head);
            kd_fix_after_word(ctx, f, &r, sh_cmd_positional(c, 0), "--no-install-recommends");
            free(head);
        }
}

KD_RULE(KD1505) = {
    .id = "KD1505",
    .name = "apt-install-recommends",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_COST,
    .fix = KD_FIX_UNSAFE,
    .hadolint = {"DL3015"},
    .summary = "apt-get install without --no-install-recommends",
    .check = check,
};
