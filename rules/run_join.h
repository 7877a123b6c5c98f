/* What KD1500 (consecutive-runs) needs to know about one RUN before it
 * joins it with its neighbours (owner: fix, issue 4): the text that goes
 * into the joined RUN (the shell form as written, or an exec form turned
 * into shell words) and the facts that decide whether joining keeps the
 * meaning: shell state that would reach the next RUN, jobs left running,
 * connectors that && would regroup, `set -e`. See docs/fix.md. */
#ifndef KD_RULES_RUN_JOIN_H
#define KD_RULES_RUN_JOIN_H

#include "rules/run_util.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct kd_body {
    kd_run run;
    const sh_script *sh; /* the analysis of the joined text */
    sh_script *own;      /* owned analysis of an exec form's converted text */
    char *exec_text;     /* the exec form as shell words (owned), NULL for the shell form */
    /* Why this RUN cannot take part in a join at all (heredoc, an exec form
     * that does not convert exactly, shell it cannot read), or NULL. */
    const char *apart;
    /* Why no RUN may follow it in the same RUN (a job or service left
     * running), or NULL. */
    const char *holds;
    const sh_cmd *leak;   /* the first command whose shell state would reach what follows */
    bool leak_set_only;   /* every leak is a top-level `set` */
    const sh_cmd *set1;   /* the first top-level `set` */
    bool multi;           /* more than one and-or list, or ||: && would regroup it */
    bool semi_end;        /* ends with a `;` connector (at run.in->rest's last byte) */
    bool comment;         /* a shell comment (it runs to the end of the text) */
    bool errexit;         /* `set -e` somewhere outside nested scripts */
    bool errexit_top;     /* `set -e` in the RUN's own shell */
    bool tail_compound;   /* its last and-or list holds a compound command */
    bool tail_errexit;    /* ... one that sets -e inside */
    bool starts_paren;    /* the text starts with '(' (a wrap needs "( ") */
} kd_body;

/* Analyses RUN r for joining; shell_e tells whether the stage's SHELL
 * runs with -e (or -o errexit). */
void kd_body_init(kd_lint_ctx *ctx, const kd_run *r, kd_body *b);
void kd_body_free(kd_body *b);

/* Whether the stage of r runs its RUNs with a SHELL that has -e, and
 * the SHELL's argv (the default ["/bin/sh", "-c"] when none): *argv points
 * into the file, *n its length (0 for the default). */
bool kd_run_shell(kd_lint_ctx *ctx, const kd_run *r, const df_word **argv, size_t *n);

/* Whether b's top-level `set` commands are all the one that next starts
 * with, so that the state b leaves is the state next sets up itself. */
bool kd_body_same_set(const kd_body *b, const kd_body *next);

/* The exec form's arguments as POSIX shell words (each quoted as needed),
 * or for [SHELL..., "-c", script] the script itself; NULL with *why when
 * the conversion would not run the same program with the same argv. */
char *kd_exec_to_shell(kd_lint_ctx *ctx, const kd_run *r, const char **why);

#endif
