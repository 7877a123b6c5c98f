/* KD2123 json-args-recommended (BuildKit JSONArgsRecommended, hadolint
 * DL3025): CMD or ENTRYPOINT in shell form runs under /bin/sh -c, which
 * does not pass signals on, so the program misses SIGTERM and is killed
 * after the stop timeout (typically 10 s per container stop). As BuildKit
 * does, a stage that chose its shell with SHELL is left alone. */
#include "rules/util.h"

static bool is_shell(const df_instr *in)
{
    return in->kind == DF_SHELL;
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, KD_ANY));) {
        if ((in->kind != DF_CMD && in->kind != DF_ENTRYPOINT) || in->json || in->rest.len == 0)
            continue;
        ssize_t st = kd_stage_of(ctx, in);
        if (st >= 0 && kd_stage_chain_has(ctx, (size_t)st, is_shell, kd_instr_index(ctx, in)))
            continue;
        kd_report(ctx, self, kd_span_first_line(ctx, in),
                  "%s in shell form runs under /bin/sh -c, which does not pass signals on: "
                  "the program misses SIGTERM and is killed after the stop timeout "
                  "(typically 10 s); use the JSON form [\"program\", \"arg\"]",
                  df_kind_name(in->kind));
    }
}

KD_RULE(KD2123) = {
    .id = "KD2123",
    .name = "json-args-recommended",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL3025"},
    .buildkit = "JSONArgsRecommended",
    .summary = "CMD or ENTRYPOINT in shell form",
    .check = check,
};
