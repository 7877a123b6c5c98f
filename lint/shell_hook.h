/* The hook between the lint engine and the shell analyser.
 *
 * Owner: lint-engine wrote this interface and the stub in shell_hook.c;
 * owner after the shell branch merges: shell, which replaces the stub's
 * bodies with calls into shell/shell.h. Until then every function here
 * answers "no analysis" (NULL, 0): not a fake result, and rules that need
 * the analysis stay silent or fall back to their documented conservative
 * checks. */
#ifndef KD_LINT_SHELL_HOOK_H
#define KD_LINT_SHELL_HOOK_H

#include "dockerfile/dockerfile.h"
#include "lint/lint.h"

#include <stdbool.h>
#include <stddef.h>

/* True when a real analyser is linked (false for the stub). */
bool kd_shell_hook_available(void);

/* The analysis of a shell-form RUN (its text and heredoc scripts), owned by
 * the caller and freed with kd_shell_hook_free(); NULL when there is none. */
sh_script *kd_shell_hook_analyse(const df_file *f, const df_instr *in);
void kd_shell_hook_free(sh_script *s);

/* One simple command as declarative rules see it: its words' literal
 * values joined by single spaces (wrappers such as sudo unwrapped), and the
 * source bytes it spans. */
typedef struct kd_shell_cmd {
    char *text; /* owned */
    size_t start, end;
} kd_shell_cmd;

/* The simple commands of an analysis, nested ones included, in source
 * order; *out is owned by the caller (kd_shell_cmds_free). */
size_t kd_shell_hook_commands(const sh_script *s, const df_file *f, const df_instr *in,
                              kd_shell_cmd **out);
void kd_shell_cmds_free(kd_shell_cmd *v, size_t n);

#endif
