/* Helpers shared by the rules over RUN commands (owner: shell): walking the
 * RUNs with their shell analysis, which stages end up in the image, cache
 * mounts, paths that a command removes, the environment a RUN sees, and
 * the edits of their fixes. */
#ifndef KD_RULES_RUN_UTIL_H
#define KD_RULES_RUN_UTIL_H

#include "lint/lint.h"
#include "shell/shell.h"

#include <stdbool.h>
#include <stddef.h>

/* A RUN with its analysis. */
typedef struct kd_run {
    const df_instr *in; /* NULL before the first call of kd_run_next */
    const sh_script *sh;
    size_t index; /* in file->instrs */
    size_t stage;
} kd_run;

/* Moves r to the next RUN of the file that has an analysis (shell form run
 * by a POSIX shell, or exec form) inside a stage; false at the end. */
bool kd_run_next(kd_lint_ctx *ctx, kd_run *r);
/* The same, staying in r's stage and after r (for "a later RUN"). */
bool kd_run_next_in_stage(kd_lint_ctx *ctx, const kd_run *r, kd_run *next);

/* Whether stage st ends up in the image: the last stage, or one the last
 * stage is built FROM (directly or through other stages). A stage that
 * later stages only COPY --from leaves no layer in the image. */
bool kd_stage_in_image(const kd_lint_ctx *ctx, size_t st);

/* Whether the RUN mounts a cache or tmpfs over path or a folder above it
 * (--mount=type=cache,target=/root/.cache/pip): what is written there
 * stays out of the layer. path may start with ~/ for any home folder. */
bool kd_run_mounts_over(const df_instr *in, const char *path);

/* Whether removing `removed` (as written, e.g. ~/.npm, $HOME/.cache or a
 * glob over a folder's content) removes target (/var/lib/apt/lists,
 * ~/.npm/_cacache): equal, a folder above it, or a glob whose folder is the
 * target. In both, a leading ~, $HOME, ${HOME}, /root or /home/NAME stands
 * for any home folder. */
bool kd_path_covers(const char *removed, const char *target);
/* Whether c removes target: rm (any options), or find PATH ... -delete. */
bool kd_cmd_removes(const sh_cmd *c, const char *target);

/* Whether b runs after a in the same script on a's success: later, not in
 * a function body (unless a is), not only when something failed (||). */
bool kd_runs_after(const sh_script *s, const sh_cmd *a, const sh_cmd *b);

/* Whether c runs whenever its RUN gets that far: nothing above it runs
 * only on failure (||) or only when a function is called. */
bool kd_runs_always(const sh_script *s, const sh_cmd *c);

/* Whether c is a `python -m MODULE ...` or a command named like MODULE
 * (pip3.11 for pip): pip, pip3, pip3.11, python3 -m pip. *first gets the
 * index (for sh_cmd_arg) of the word after the module name. */
bool kd_cmd_is_tool(const sh_cmd *c, const char *tool, size_t *first);

/* Visits the instructions of stage st before index before, nearest first,
 * then those of the stage it is built FROM, and so on; stops and returns
 * true when visit returns true. */
bool kd_walk_back(kd_lint_ctx *ctx, size_t st, size_t before,
                  bool (*visit)(kd_lint_ctx *ctx, const df_instr *in, void *arg), void *arg);

/* The value of variable name in the environment a RUN sees: the stage's
 * ENV and ARG before it (through the stages it is built FROM), quotes
 * removed, owned by the caller; NULL when unset. Values are not expanded. */
char *kd_run_env(kd_lint_ctx *ctx, const kd_run *r, const char *name);
/* Whether a variable is set to a true value (1, true, yes, on) for
 * command c of r: inline (A=1 cmd, env A=1 cmd), by an earlier export in
 * the same RUN, or in the stage's environment. */
/* The value of a variable for command c of r (inline, an earlier export
 * that reaches c, or the stage's environment), owned; NULL when unset. */
char *kd_env_value(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c, const char *name);
bool kd_env_true(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c, const char *name);

/* Reports at a command or a word. */
kd_finding *kd_report_cmd(kd_lint_ctx *ctx, const kd_rule *self, const sh_cmd *c, const char *fmt,
                          ...) __attribute__((format(printf, 4, 5)));

/* ---- fixes ------------------------------------------------------------------- */

/* Whether a word's source bytes are exactly its raw text, so that an edit
 * next to it lands where it seems to (false in the exec form or when a
 * continuation splits the word). */
bool kd_word_editable(const kd_lint_ctx *ctx, const kd_run *r, const sh_word *w);
/* Adds " text" right after word w (no-op on a NULL finding or when the word
 * is not editable); returns whether it did. */
bool kd_fix_after_word(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const sh_word *w,
                       const char *text);
/* Whether " && cmd" can be appended to the RUN's text: the shell form, no
 * heredoc, no shell comment (it would swallow the text), not ending in ;
 * or &. */
bool kd_run_appendable(const kd_lint_ctx *ctx, const kd_run *r);
/* Appends " && text" to the RUN (checks kd_run_appendable); returns
 * whether it did. */
bool kd_fix_append(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const char *text);

/* Whether s is one of the '|'-separated words of list ("install|i"). */
bool kd_in_list(const char *s, const char *list);
/* Whether c is one of names and its subcommand one of subs. */
bool kd_cmd_sub(const sh_cmd *c, const char *names, const char *subs);

/* The command as written up to its subcommand ("apt-get -y install",
 * "python3 -m pip install"), wrappers left out; malloc'ed. */
char *kd_cmd_head(const sh_cmd *c);

/* Whether needle appears in a word or heredoc body of a command that runs
 * before c: earlier in r, or in an earlier RUN of the stage (or of the
 * stages it is built FROM). For settings written to config files (echo
 * 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/...). */
bool kd_set_before(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c, const char *needle);
/* Whether c reads the output of `yes` (yes | apt-get install). */
bool kd_piped_from_yes(const kd_run *r, const sh_cmd *c);
/* Whether c runs in r's own shell, outside subshells, substitutions,
 * functions, nested scripts and pipelines. */
bool kd_cmd_top(const sh_cmd *c);

/* Whether an apt-get/apt command only simulates (-s, --dry-run...): it
 * installs nothing and asks nothing. */
bool kd_apt_simulates(const sh_cmd *c);

/* Joins up to max names of words into a malloc'ed "a, b and 3 more". */
char *kd_word_list(const sh_word *const *w, size_t n, size_t max);

#endif
