/* KD3100 secrets-in-arg-or-env (BuildKit SecretsUsedInArgOrEnv): an ARG
 * or ENV whose name says it holds a secret (a word such as password,
 * token, secret, key, auth, credentials between underscores or at the
 * ends), which stays in the image history. As BuildKit does, names with
 * the word "public" are fine. */
#include "rules/util.h"

#include <string.h>
#include <strings.h>

/* Whether the name has word w, delimited by '_' or the name's ends. */
static bool has_word(const char *name, size_t n, const char *w)
{
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= n; i++)
        if ((i == 0 || name[i - 1] == '_') && (i + k == n || name[i + k] == '_') &&
            strncasecmp(name + i, w, k) == 0)
            return true;
    return false;
}

static bool secret_name(const char *name, size_t n)
{
    static const char *const words[] = {"apikey", "auth",   "credential", "credentials", "key",
                                        "password", "pword", "passwd", "secret", "token", NULL};
    if (has_word(name, n, "public"))
        return false;
    for (size_t i = 0; words[i]; i++)
        if (has_word(name, n, words[i]))
            return true;
    return false;
}

static void report(kd_lint_ctx *ctx, const kd_rule *self, const df_instr *in, const df_word *w,
                   size_t n)
{
    if (secret_name(w->text, n))
        kd_report(ctx, self, w->span,
                  "%s '%.*s' looks like a secret: its value stays in the image history; use a "
                  "secret mount (RUN --mount=type=secret)",
                  df_kind_name(in->kind), (int)n, w->text);
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, KD_ANY));) {
        if (in->kind == DF_ENV)
            for (size_t i = 0; i + 2 < in->nargs; i += 3)
                report(ctx, self, in, &in->args[i], in->args[i].len);
        else if (in->kind == DF_ARG)
            for (size_t i = 0; i < in->nargs; i++)
                report(ctx, self, in, &in->args[i], strcspn(in->args[i].text, "="));
    }
}

KD_RULE(KD3100) = {
    .id = "KD3100",
    .name = "secrets-in-arg-or-env",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_SECURITY,
    .buildkit = "SecretsUsedInArgOrEnv",
    .summary = "An ARG or ENV name that looks like a secret",
    .check = check,
};
