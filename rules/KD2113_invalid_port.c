/* KD2113 invalid-port (hadolint DL3011): an EXPOSE port or range outside
 * 0-65535. Ports written with variables are left alone. */
#include "rules/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Reads a port number at *s; false when there is none or it is too big. */
static bool port(const char **s, long *out)
{
    if (!isdigit((unsigned char)**s))
        return false;
    char *end;
    *out = strtol(*s, &end, 10);
    *s = end;
    return *out <= 65535;
}

static bool valid(const char *w)
{
    const char *s = strrchr(w, ':'); /* host:container: the container port counts */
    s = s ? s + 1 : w;
    long lo, hi;
    if (!port(&s, &lo))
        return false;
    if (*s == '-' && (s++, !port(&s, &hi) || hi < lo))
        return false;
    return *s == '\0' || *s == '/';
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_EXPOSE));)
        for (size_t i = 0; i < in->nargs; i++)
            if (!kd_has_var(in->args[i].text) && !valid(in->args[i].text))
                kd_report(ctx, self, in->args[i].span,
                          "'%s' is not a valid port or port range (0-65535)", in->args[i].text);
}

KD_RULE(KD2113) = {
    .id = "KD2113",
    .name = "invalid-port",
    .severity = KD_SEV_ERROR,
    .category = KD_CAT_CORRECTNESS,
    .hadolint = {"DL3011"},
    .summary = "EXPOSE of a port outside 0-65535",
    .check = check,
};
