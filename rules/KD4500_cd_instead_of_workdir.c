/* KD4500 cd-instead-of-workdir (hadolint DL3003): cd to a fixed folder in
 * a RUN. The folder only lasts until the RUN ends; WORKDIR sets it for the
 * instructions that follow and says where the files are. Not reported:
 * cd inside a subshell, a function, a substitution or a nested script
 * (deliberately local), cd to a computed or relative folder (cd "$(mktemp
 * -d)", cd .., cd -). A cd that ends the RUN does nothing at all and says
 * so. One finding per RUN. */
#include "rules/run_util.h"

static bool fixed_dir(const sh_word *w)
{
    return w && !(w->flags & (SH_W_EXPANDS | SH_W_TILDE)) && w->text[0] == '/';
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);)
        for (size_t i = 0; i < r.sh->ncmds; i++) {
            const sh_cmd *c = r.sh->cmds[i];
            const sh_word *dir = sh_cmd_positional(c, 0);
            if (!sh_cmd_is(c, "cd") || !kd_cmd_top(c) || !fixed_dir(dir))
                continue;
            if (sh_cmd_next_conn(c) == SH_END)
                kd_report_cmd(ctx, self, c,
                              "`cd %s` ends the RUN, so it does nothing: each instruction starts "
                              "in the WORKDIR; use WORKDIR %s",
                              dir->text, dir->text);
            else
                kd_report_cmd(ctx, self, c,
                              "`cd %s` only lasts for this RUN; WORKDIR %s sets the folder for "
                              "the instructions that follow",
                              dir->text, dir->text);
            break;
        }
}

KD_RULE(KD4500) = {
    .id = "KD4500",
    .name = "cd-instead-of-workdir",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_MAINTAINABILITY,
    .hadolint = {"DL3003"},
    .summary = "cd in a RUN where WORKDIR says it",
    .check = check,
};
