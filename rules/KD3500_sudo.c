/* KD3500 sudo (hadolint DL3004): sudo in a RUN. A build runs as the USER
 * of the stage; sudo needs a terminal or a sudoers entry, hides which user
 * a command runs as, and leaves sudo (a setuid binary) in the image.
 * Switch with USER, or use gosu/su-exec in an entrypoint. Every command run
 * through sudo is reported, at the sudo word. */
#include "rules/run_util.h"

#include <string.h>

static const sh_word *sudo_word(const sh_cmd *c)
{
    for (size_t k = 0; k < c->nwrappers; k++) {
        const sh_word *w = &c->words[c->wrappers[k]];
        const char *s = strrchr(w->text, '/');
        if (strcmp(s ? s + 1 : w->text, "sudo") == 0)
            return w;
    }
    return sh_cmd_is(c, "sudo") ? sh_cmd_arg(c, 0) : NULL;
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);)
        for (size_t i = 0; i < r.sh->ncmds; i++) {
            const sh_word *w = sudo_word(r.sh->cmds[i]);
            if (w)
                kd_report(ctx, self, w->span,
                          "sudo in a RUN: switch users with USER (and gosu or su-exec at run "
                          "time) instead of keeping sudo in the image");
        }
}

KD_RULE(KD3500) = {
    .id = "KD3500",
    .name = "sudo",
    .severity = KD_SEV_ERROR,
    .category = KD_CAT_SECURITY,
    .hadolint = {"DL3004"},
    .summary = "sudo used in a RUN",
    .check = check,
};
