/* KD1103 context-without-dockerignore: the Dockerfile copies from a build
 * context that is large (or holds .git/ or node_modules/) and has no
 * .dockerignore. The context is taken to be the folder next to the
 * Dockerfile, as `docker build .` beside it does; the folder is walked
 * once per run, with a cap, and only when the cheap conditions hold. */
#include "rules/util.h"

#include <stdio.h>
#include <stdlib.h>

/* The first COPY/ADD that reads the context (no --from, not a URL). */
static const df_instr *first_context_copy(const kd_lint_ctx *ctx)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, KD_ANY));) {
        if ((in->kind != DF_COPY && in->kind != DF_ADD) || df_instr_flag(in, "from"))
            continue;
        for (size_t i = 0; i + 1 < in->nargs; i++)
            if (!kd_is_url(in->args[i].text))
                return in;
    }
    return NULL;
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    const df_instr *in = first_context_copy(ctx); /* the cheap conditions first */
    const kd_context_info *ci = in ? kd_context(ctx) : NULL;
    if (ci == NULL || ci->dockerignore)
        return;
    const kd_context_size *c = kd_context_size_of(ctx); /* the walk, last */
    const char *opt = kd_rule_option(ctx, self, "min-context-mb");
    unsigned long long min = (opt ? strtoull(opt, NULL, 10) : 10) * 1000000ULL;
    if (c->bytes < min && !c->has_git && !c->has_node_modules)
        return;
    const char *what = c->has_node_modules ? " including node_modules/"
                       : c->has_git        ? " including .git/"
                                           : "";
    char size[32];
    if (c->bytes >= 100000)
        snprintf(size, sizeof size, "%.1f MB", (double)c->bytes / 1e6);
    else
        snprintf(size, sizeof size, "%llu KB", (c->bytes + 999) / 1000);
    kd_report(ctx, self, kd_span_first_line(ctx, in),
              "no .dockerignore beside this Dockerfile: the build context holds %s%s in "
              "%zu files%s, sent to the builder on every build and able to bust the cache of "
              "any COPY of it; add a .dockerignore",
              c->capped ? "more than " : "", size, c->files, what);
}

KD_RULE(KD1103) = {
    .id = "KD1103",
    .name = "context-without-dockerignore",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .summary = "A large build context with no .dockerignore",
    .check = check,
};
