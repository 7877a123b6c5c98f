/* Package managers that stop at a question (owner: shell): a build has no
 * terminal, so an unanswered "Do you want to continue?" aborts it. */
#ifndef KD_RULES_PROMPTS_H
#define KD_RULES_PROMPTS_H

#include "rules/run_util.h"

typedef struct kd_prompt {
    const char *names; /* "apt-get|apt|aptitude" */
    const char *subs;  /* the subcommands that ask */
    const char *yes;   /* the options that answer ("-y|--yes|--assume-yes") */
    /* Other ways the command is answered (apt-get -qq); may be NULL. */
    bool (*answered)(const sh_cmd *c);
    const char *conf; /* a config key that answers when set earlier, or NULL */
    const char *fix;  /* the option the safe fix adds after the subcommand */
} kd_prompt;

/* Reports every such command that nothing answers: no option, no config
 * set before it in the stage, not fed by `yes |`. */
void kd_prompt_check(kd_lint_ctx *ctx, const kd_rule *self, const kd_prompt *p);

#endif
