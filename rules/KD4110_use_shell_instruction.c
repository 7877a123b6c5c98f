/* KD4110 use-shell-instruction (hadolint DL4005): RUN ln -s ... /bin/sh
 * replaces the shell under every later RUN behind the reader's back; the
 * SHELL instruction says it openly. Found with a POSIX regular expression
 * on the RUN text, compiled once. */
#include "rules/util.h"

#include <regex.h>
#include <string.h>

static const regex_t *ln_sh(void)
{
    static regex_t re;
    static int state; /* 0: not compiled, 1: ready, -1: failed */
    if (state == 0)
        state = regcomp(&re,
                        "(^|[;&|(]|[[:space:]])(ln[[:space:]]+(-[[:alpha:]]+[[:space:]]+)*"
                        "[^-[:space:];&|][^[:space:];&|]*[[:space:]]+/bin/sh)[[:space:]]*([;&|)]|$)",
                        REG_EXTENDED | REG_NEWLINE) == 0 ? 1 : -1;
    return state == 1 ? &re : NULL;
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    const regex_t *re = ln_sh();
    for (const df_instr *in = NULL; re && (in = kd_next(ctx, in, DF_RUN));) {
        regmatch_t m[3];
        if (in->json || !strstr(in->rest.text, "/bin/sh") || /* cheap filter first */
            regexec(re, in->rest.text, 3, m, 0) != 0)
            continue;
        size_t off = kd_rest_offset(in);
        kd_report(ctx, self,
                  df_instr_span(ctx->file, in, off + (size_t)m[2].rm_so, off + (size_t)m[2].rm_eo),
                  "linking a shell over /bin/sh changes the shell of every later RUN unseen; "
                  "use SHELL [\"/bin/bash\", \"-c\"]");
    }
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
