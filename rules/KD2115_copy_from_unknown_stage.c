/* KD2115 copy-from-unknown-stage (hadolint DL3022): COPY --from=NAME
 * where NAME is no stage defined before: either a later stage (an error:
 * stages can only use earlier ones) or a plain word that Docker will pull
 * as an image, usually a typo of a stage name. Image references (with
 * ':', '/', '@' or '.') and variables are left alone. */
#include "rules/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool later_stage(const kd_lint_ctx *ctx, const char *ref, size_t st)
{
    for (size_t i = st; i < ctx->stages->n; i++)
        if (ctx->stages->v[i].name && strcasecmp(ctx->stages->v[i].name, ref) == 0)
            return true;
    char *end;
    long idx = strtol(ref, &end, 10);
    return *ref && *end == '\0' && idx >= (long)st;
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_COPY));) {
        const df_flag *from = df_instr_flag(in, "from");
        ssize_t st = kd_stage_of(ctx, in);
        if (from == NULL || from->value == NULL || st < 0 || kd_has_var(from->value) ||
            df_stages_lookup(ctx->stages, from->value, (size_t)st) >= 0)
            continue;
        const char *v = from->value;
        if (later_stage(ctx, v, (size_t)st)) {
            const char *own = ctx->stages->v[st].name;
            if (!(own && strcasecmp(own, v) == 0)) /* its own stage: copy-from-own-stage */
                kd_report(ctx, self, from->span,
                          "--from=%s names a stage defined after this one; a stage can only "
                          "copy from earlier stages", v);
        } else if (strpbrk(v, ":/@.") == NULL) {
            kd_report(ctx, self, from->span,
                      "--from=%s is not a stage defined before this one, so it is pulled as "
                      "the image docker.io/library/%s:latest", v, v);
        }
    }
}

KD_RULE(KD2115) = {
    .id = "KD2115",
    .name = "copy-from-unknown-stage",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL3022"},
    .summary = "COPY --from names no earlier stage",
    .check = check,
};
