/* KD2513 missing-pipefail (hadolint DL4006): a RUN with a pipeline whose
 * earlier commands can fail unnoticed: the shell reports only the last
 * command's status, so `curl URL | tar -x` passes when the download
 * fails. Not reported: the stage's SHELL sets -o pipefail, the RUN runs
 * `set -o pipefail` (or -eo pipefail...) before the pipeline, pipelines in
 * if/while conditions (their status is the point), pipelines fed only by
 * echo, printf, yes or true (they do not fail), pipelines of nested
 * scripts (sh -c). One finding per RUN. */
#include "rules/run_util.h"

#include <string.h>

/* -o pipefail among words [from, n): "-o" "pipefail", "-eo" "pipefail" */
static bool sets_pipefail(const char *const *w, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (w[i][0] == '-' && w[i][1] != '-' && strchr(w[i], 'o') &&
            strcmp(w[i + 1], "pipefail") == 0)
            return true;
    return false;
}

static bool shell_pipefail(kd_lint_ctx *ctx, const kd_run *r)
{
    for (size_t i = r->index; i-- > 0;) {
        const df_instr *in = &ctx->file->instrs[i];
        if (in->kind == DF_FROM)
            return false;
        if (in->kind != DF_SHELL)
            continue;
        const char *w[16];
        size_t n = 0;
        for (size_t k = 0; k < in->nargs && n < 16; k++)
            w[n++] = in->args[k].text;
        return sets_pipefail(w, n);
    }
    return false;
}

static bool cmd_sets_pipefail(const sh_cmd *c)
{
    if (!sh_cmd_is(c, "set") || !kd_cmd_top(c))
        return false;
    const char *w[16];
    size_t n = 0;
    for (size_t k = 1; k < sh_cmd_argc(c) && n < 16; k++)
        w[n++] = sh_cmd_arg(c, k)->text;
    return sets_pipefail(w, n);
}

/* The first command of a pipeline that can hide a failure, or NULL. */
static const sh_cmd *masking_pipe(const kd_run *r)
{
    for (size_t i = 0; i < r->sh->ncmds; i++) {
        const sh_cmd *c = r->sh->cmds[i];
        if (cmd_sets_pipefail(c))
            return NULL;
        if (!(c->ctx & SH_IN_PIPE) || (c->ctx & (SH_IN_COND | SH_IN_NESTED)) ||
            c->conn != SH_PIPE || sh_cmd_is(c, "echo|printf|yes|true"))
            continue;
        return c; /* not the last of its pipeline, and it can fail */
    }
    return NULL;
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);) {
        const sh_cmd *c = masking_pipe(&r);
        if (c == NULL || shell_pipefail(ctx, &r))
            continue;
        kd_report_cmd(ctx, self, c,
                      "if `%s` fails in this pipeline the RUN still succeeds: the shell reports "
                      "only the last command's status; set -o pipefail (SHELL [\"/bin/bash\", "
                      "\"-o\", \"pipefail\", \"-c\"] or `set -o pipefail &&` in bash)",
                      sh_cmd_name(c));
    }
}

KD_RULE(KD2513) = {
    .id = "KD2513",
    .name = "missing-pipefail",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL4006"},
    .summary = "A pipeline in a RUN without -o pipefail hides failures",
    .check = check,
};
