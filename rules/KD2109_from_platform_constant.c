/* KD2109 from-platform-constant (BuildKit FromPlatformFlagConstDisallowed,
 * hadolint DL3029): FROM --platform=linux/amd64 pins the stage to one
 * platform and defeats multi-platform builds. As BuildKit does, a stage
 * whose name contains the platform's OS or architecture is meant to be
 * platform-specific and is left alone. */
#include "rules/util.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static bool name_mentions(const char *name, const char *platform)
{
    char *copy = kd_xstrdup(platform), *save = NULL;
    bool found = false;
    for (char *p = strtok_r(copy, "/", &save); p && !found; p = strtok_r(NULL, "/", &save))
        found = kd_icontains(name, p);
    free(copy);
    return found;
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (size_t st = 0; st < ctx->stages->n; st++) {
        const df_flag *p = ctx->stages->v[st].platform;
        if (p == NULL || p->value == NULL || kd_has_var(p->value))
            continue;
        const char *name = ctx->stages->v[st].name;
        if (name && name_mentions(name, p->value))
            continue;
        kd_report(ctx, self, p->span,
                  "FROM --platform should not use the constant '%s': it pins the stage to one "
                  "platform; leave it out (or use $BUILDPLATFORM)", p->value);
    }
}

KD_RULE(KD2109) = {
    .id = "KD2109",
    .name = "from-platform-constant",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL3029"},
    .buildkit = "FromPlatformFlagConstDisallowed",
    .summary = "FROM --platform with a constant value",
    .check = check,
};
