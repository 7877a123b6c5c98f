/* KD4503 pointless-command (hadolint DL3001): commands that make no sense
 * while building an image: there is no running system to look at or
 * control (ps, top, free, kill, service, shutdown, mount, ifconfig) and no
 * one to type (ssh, vim). A service started in a RUN stops when the RUN
 * ends. kill is left alone in a RUN that starts a background job (it is
 * how such a job is stopped). */
#include "rules/run_util.h"

static bool starts_job(const sh_script *s)
{
    for (size_t i = 0; i < s->ncmds; i++)
        if (s->cmds[i]->ctx & SH_IN_BG)
            return true;
    return false;
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);)
        for (size_t i = 0; i < r.sh->ncmds; i++) {
            const sh_cmd *c = r.sh->cmds[i];
            if (!sh_cmd_is(c, "ps|top|free|kill|service|shutdown|mount|ifconfig|ssh|vim") ||
                (sh_cmd_is(c, "kill") && starts_job(r.sh)))
                continue;
            if (sh_cmd_is(c, "service"))
                kd_report_cmd(ctx, self, c,
                              "a service started in a RUN stops when the RUN ends; start it "
                              "from CMD or ENTRYPOINT");
            else
                kd_report_cmd(ctx, self, c,
                              "`%s` makes no sense while building an image: there is no running "
                              "system or terminal",
                              sh_cmd_name(c));
        }
}

KD_RULE(KD4503) = {
    .id = "KD4503",
    .name = "pointless-command",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_MAINTAINABILITY,
    .hadolint = {"DL3001"},
    .summary = "A command that makes no sense in an image build (ps, service, ssh, vim...)",
    .check = check,
};
