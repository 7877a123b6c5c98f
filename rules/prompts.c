/* Unanswered package-manager questions (see rules/prompts.h). */
#include "rules/prompts.h"

#include <stdlib.h>

static bool asks(kd_lint_ctx *ctx, const kd_run *r, const kd_prompt *p, const sh_cmd *c)
{
    return kd_cmd_sub(c, p->names, p->subs) && !sh_cmd_has_opt(c, p->yes) &&
           !(p->answered && p->answered(c)) && !kd_piped_from_yes(r, c) &&
           !(p->conf && kd_set_before(ctx, r, c, p->conf));
}

void kd_prompt_check(kd_lint_ctx *ctx, const kd_rule *self, const kd_prompt *p)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);)
        for (size_t i = 0; i < r.sh->ncmds; i++) {
            const sh_cmd *c = r.sh->cmds[i];
            if (!asks(ctx, &r, p, c))
                continue;
            char *head = kd_cmd_head(c);
            kd_finding *f = kd_report_cmd(ctx, self, c,
                                          "`%s` asks for confirmation and a build cannot answer: "
                                          "add %s",
                                          head, p->fix);
            kd_fix_after_word(ctx, f, &r, sh_cmd_positional(c, 0), p->fix);
            free(head);
        }
}
