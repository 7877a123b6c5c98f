/* KD4502 wget-progress (hadolint DL3047): wget without a progress setting
 * writes a progress line per chunk into the build log (megabytes of log
 * for a large download). Fine: --progress=..., -q/--quiet, -nv/--no-verbose,
 * -o/--output-file or -a/--append-output (the log goes to a file). No fix:
 * busybox wget (Alpine) has no --progress. */
#include "rules/run_util.h"

#include <string.h>

static bool quiet(const sh_cmd *c)
{
    for (size_t i = 1; i < sh_cmd_argc(c); i++)
        if (strcmp(sh_cmd_arg(c, i)->text, "-nv") == 0)
            return true;
    return sh_cmd_has_opt(c, "--progress|-q|--quiet|--no-verbose|-o|--output-file|-a|"
                             "--append-output");
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);)
        for (size_t i = 0; i < r.sh->ncmds; i++) {
            const sh_cmd *c = r.sh->cmds[i];
            if (sh_cmd_is(c, "wget") && !quiet(c))
                kd_report_cmd(ctx, self, c,
                              "wget fills the build log with its progress; use "
                              "--progress=dot:giga, -nv or -q");
        }
}

KD_RULE(KD4502) = {
    .id = "KD4502",
    .name = "wget-progress",
    .severity = KD_SEV_STYLE,
    .category = KD_CAT_MAINTAINABILITY,
    .hadolint = {"DL3047"},
    .summary = "wget without a progress setting floods the build log",
    .check = check,
};
