/* Edits that several rules' fixes share (owner: fix, issue 4): physical
 * lines, deleting an instruction or one command of a RUN, and adding a
 * command right after another one. Every helper edits only the bytes that
 * change: comment lines, line ends (CRLF stays CRLF) and everything else
 * stay as they were. A helper that cannot make its edit exactly attaches
 * nothing and returns false, so the finding stays without a fix. */
#ifndef KD_RULES_FIX_UTIL_H
#define KD_RULES_FIX_UTIL_H

#include "rules/run_util.h"

#include <stdbool.h>
#include <stddef.h>

/* The physical line holding source offset off: where it starts, where its
 * content ends (the '\r' of a CRLF, the '\n', or the end of the file) and
 * where the next line starts. */
size_t kd_line_start(const df_file *f, size_t off);
size_t kd_line_end(const df_file *f, size_t off);
size_t kd_line_next(const df_file *f, size_t off);
/* Whether bytes [from, to) are only spaces and tabs. */
bool kd_blank_between(const df_file *f, size_t from, size_t to);
/* Whether a comment line (BuildKit's: first non-blank byte '#') lies in
 * [from, to). */
bool kd_comment_in(const df_file *f, size_t from, size_t to);

/* Deletes [from, to) except the comment lines in it, which stay byte for
 * byte; from and to must be line starts (or the file's end). */
void kd_fix_delete_lines(kd_finding *f, const df_file *file, size_t from, size_t to);
/* Deletes a whole instruction, its line end included; the comment lines
 * inside it (a continued instruction may hold some) stay. */
bool kd_fix_delete_instr(kd_finding *f, const df_file *file, const df_instr *in);

/* Deletes command c from its RUN, with the connector that binds it, so
 * that what is left runs as before: `a && c && b` becomes `a && b`, `c; b`
 * becomes `b`, `a && c` becomes `a`; the whole RUN goes when c is all of
 * it. Only for a command of the RUN's own top-level list, outside
 * pipelines, that neither follows `||` nor runs in the background;
 * `a; c` is refused (the RUN's exit status would become a's). */
bool kd_fix_delete_cmd(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const sh_cmd *c);

/* Whether c is anc or runs inside it (its body, a substitution in it, the
 * script it runs). */
bool kd_cmd_within(const sh_cmd *c, const sh_cmd *anc);

/* Where a command that must run after every command of r in cmds (the
 * commands that use a cache, for instance) goes: after the last of them,
 * lifted to the list that also holds the first one (out of branches,
 * subshells and loops that do not hold them all), past the rest of its
 * pipeline and out of if/while conditions. NULL when there is no such
 * place (inside a substitution, a background job). */
const sh_cmd *kd_cmd_anchor(const kd_run *r, const sh_cmd *const *cmds, size_t n);
/* Adds " && text" right after command c (joined with && so that it only
 * runs when c succeeded). Refused in the exec form, when c's last byte is
 * not where the analysis says, or when text would break the quoting of the
 * nested script c is in. */
bool kd_fix_after_cmd(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const sh_cmd *c,
                      const char *text);
/* What runs command c as someone else or with other settings, as written:
 * its assignments (A=1 cmd) and the sudo, doas, gosu, su-exec and env
 * wrappers with their arguments, each followed by a space; "" when none.
 * users_only keeps only the wrappers that change the user. Owned. */
char *kd_cmd_runner(const sh_cmd *c, bool users_only);

/* Moves the edits of a scratch finding (built while it was unsure whether
 * the whole fix could be made) to f; kd_fix_drop() frees a scratch
 * finding's edits. */
void kd_fix_take(kd_finding *f, const kd_finding *tmp);
void kd_fix_drop(kd_finding *tmp);

#endif
