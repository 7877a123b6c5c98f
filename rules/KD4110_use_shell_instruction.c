/* KD4110 use-shell-instruction (hadolint DL4005): RUN ln -s ... /bin/sh
 * replaces the shell under every later RUN behind the reader's back; the
 * SHELL instruction says it openly. Asked of the shell analysis: an `ln`
 * command (wrapped or not, in any form of RUN) whose last argument is
 * /bin/sh. */
#include "rules/run_util.h"

static bool links_over_sh(const sh_cmd *c)
{
    size_t n = sh_cmd_npositional(c);
    return n >= 2 && sh_cmd_is(c, "ln") && sh_word_is(sh_cmd_positional(c, n - 1), "/bin/sh");
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);)
        for (size_t i = 0; i < r.sh->ncmds; i++)
            if (links_over_sh(r.sh->cmds[i]))
                kd_report_cmd(ctx, self, r.sh->cmds[i],
                              "linking a shell over /bin/sh changes the shell of every later RUN "
                              "unseen; use SHELL [\"/bin/bash\", \"-c\"]");
}

KD_RULE(KD4110) = {
    .id = "KD4110",
    .name = "use-shell-instruction",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_MAINTAINABILITY,
    .hadolint = {"DL4005"},
    .summary = "RUN ln ... /bin/sh instead of the SHELL instruction",
    .check = check,
};
