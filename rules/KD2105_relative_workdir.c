/* KD2105 relative-workdir (BuildKit WorkdirRelativePath, hadolint DL3000):
 * a relative WORKDIR before any absolute one in the stage (or the stages
 * it is built FROM) depends on the base image's working directory. */
#include "rules/util.h"

#include <ctype.h>

static bool is_absolute(const char *p)
{
    return p[0] == '/' || p[0] == '$' || p[0] == '\\' ||
           (isalpha((unsigned char)p[0]) && p[1] == ':'); /* Windows C:\ */
}

static bool absolute_workdir(const df_instr *in)
{
    return in->kind == DF_WORKDIR && in->nargs && is_absolute(in->args[0].text);
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_WORKDIR));) {
        ssize_t st = kd_stage_of(ctx, in);
        if (st < 0 || in->nargs == 0 || is_absolute(in->args[0].text) ||
            kd_stage_chain_has(ctx, (size_t)st, absolute_workdir, kd_instr_index(ctx, in)))
            continue;
        kd_report(ctx, self, in->args[0].span,
                  "relative WORKDIR '%s' with no absolute WORKDIR before it depends on the base "
                  "image's working directory; use an absolute path", in->args[0].text);
    }
}

KD_RULE(KD2105) = {
    .id = "KD2105",
    .name = "relative-workdir",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL3000"},
    .buildkit = "WorkdirRelativePath",
    .summary = "A relative WORKDIR with no absolute one before it",
    .check = check,
};
