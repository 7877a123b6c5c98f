/* KD4501 wget-and-curl (hadolint DL4001): a stage that runs both wget and
 * curl. One download tool is enough; installing both costs size and two
 * sets of flags to know. Reported once per stage, at the first use of the
 * tool that came second. */
#include "rules/run_util.h"

#include <string.h>

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    size_t stage = (size_t)-1;
    const char *first = NULL;
    unsigned first_line = 0;
    bool reported = false;
    for (kd_run r = {0}; kd_run_next(ctx, &r);) {
        if (r.stage != stage) {
            stage = r.stage;
            first = NULL;
            reported = false;
        }
        for (size_t i = 0; i < r.sh->ncmds && !reported; i++) {
            const sh_cmd *c = r.sh->cmds[i];
            if (!sh_cmd_is(c, "wget|curl"))
                continue;
            if (first == NULL) {
                first = sh_cmd_name(c);
                first_line = r.in->start_line;
            } else if (strcmp(first, sh_cmd_name(c)) != 0) {
                kd_report_cmd(ctx, self, c,
                              "this stage uses %s here and %s at line %u: pick one of them",
                              sh_cmd_name(c), first, first_line);
                reported = true;
            }
        }
    }
}

KD_RULE(KD4501) = {
    .id = "KD4501",
    .name = "wget-and-curl",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_MAINTAINABILITY,
    .hadolint = {"DL4001"},
    .summary = "Both wget and curl used in one stage",
    .check = check,
};
