/* KD3103 last-user-root (hadolint DL3002): the last USER of the final
 * stage is root, so the container runs as root. Files without any USER
 * are left alone (the base image decides). */
#include "rules/util.h"

#include <string.h>

static bool is_root(const char *u)
{
    size_t n = strcspn(u, ":");
    return (n == 4 && strncmp(u, "root", 4) == 0) || (n == 1 && u[0] == '0');
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    if (ctx->stages->n == 0)
        return;
    const df_instr *last = NULL;
    for (const df_instr *in = NULL; (in = kd_stage_next(ctx, ctx->stages->n - 1, in, DF_USER));)
        last = in;
    if (last && last->nargs && is_root(last->args[0].text))
        kd_report(ctx, self, last->args[0].span,
                  "the image's last USER is %s, so its container runs as root; switch to an "
                  "unprivileged user at the end", last->args[0].text);
}

KD_RULE(KD3103) = {
    .id = "KD3103",
    .name = "last-user-root",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_SECURITY,
    .hadolint = {"DL3002"},
    .summary = "The final stage's last USER is root",
    .check = check,
};
