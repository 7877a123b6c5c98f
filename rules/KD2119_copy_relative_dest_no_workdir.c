/* KD2119 copy-relative-dest-no-workdir (hadolint DL3045): COPY to a
 * relative destination in a stage (and the stages it is built FROM) with
 * no WORKDIR yet: where the files land depends on the base image. */
#include "rules/util.h"

#include <ctype.h>

static bool is_workdir(const df_instr *in)
{
    return in->kind == DF_WORKDIR;
}

static bool relative(const char *p)
{
    return p[0] != '/' && p[0] != '$' && p[0] != '\\' &&
           !(isalpha((unsigned char)p[0]) && p[1] == ':');
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_COPY));) {
        ssize_t st = kd_stage_of(ctx, in);
        if (st < 0 || in->nargs < 2)
            continue;
        const df_word *dest = &in->args[in->nargs - 1];
        if (relative(dest->text) &&
            !kd_stage_chain_has(ctx, (size_t)st, is_workdir, kd_instr_index(ctx, in)))
            kd_report(ctx, self, dest->span,
                      "COPY to the relative path '%s' with no WORKDIR set: where it lands "
                      "depends on the base image; set WORKDIR or use an absolute path",
                      dest->text);
    }
}

KD_RULE(KD2119) = {
    .id = "KD2119",
    .name = "copy-relative-dest-no-workdir",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL3045"},
    .summary = "COPY to a relative destination before any WORKDIR",
    .check = check,
};
