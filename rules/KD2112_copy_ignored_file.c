/* KD2112 copy-ignored-file (BuildKit CopyIgnoredFile): a COPY or ADD
 * source that the .dockerignore beside the Dockerfile excludes, so the
 * build fails or copies less than it says. Only literal sources are
 * checked (no wildcards, no variables). */
#include "rules/util.h"

#include <string.h>

static bool literal(const char *s)
{
    return strpbrk(s, "*?[$") == NULL && strcmp(s, ".") != 0 && strcmp(s, "./") != 0 &&
           strncmp(s, "<<", 2) != 0 && !kd_is_url(s);
}

static bool from_context(const df_instr *in)
{
    return (in->kind == DF_COPY || in->kind == DF_ADD) && !df_instr_flag(in, "from");
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    const df_instr *first = kd_next(ctx, NULL, KD_ANY);
    while (first && !from_context(first)) /* no copy from the context: nothing to read */
        first = kd_next(ctx, first, KD_ANY);
    const kd_context_info *c = first ? kd_context(ctx) : NULL;
    if (c == NULL || c->dockerignore == NULL)
        return;
    for (const df_instr *in = first; in; in = kd_next(ctx, in, KD_ANY)) {
        if (!from_context(in))
            continue;
        for (size_t i = 0; i + 1 < in->nargs; i++)
            if (literal(in->args[i].text) &&
                kd_dockerignore_excludes(c->dockerignore, in->args[i].text))
                kd_report(ctx, self, in->args[i].span,
                          "'%s' is excluded by %s, so it is not in the build context",
                          in->args[i].text,
                          c->dockerignore_own ? "this Dockerfile's .dockerignore"
                                              : ".dockerignore");
    }
}

KD_RULE(KD2112) = {
    .id = "KD2112",
    .name = "copy-ignored-file",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .buildkit = "CopyIgnoredFile",
    .summary = "COPY of a file the .dockerignore excludes",
    .check = check,
};
