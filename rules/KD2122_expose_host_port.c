/* KD2122 expose-host-port (BuildKit ExposeInvalidFormat): EXPOSE with an
 * IP address or a host port (EXPOSE 8080:80); publishing is decided at run
 * time, and Docker drops the host part. */
#include "rules/util.h"

#include <string.h>

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_EXPOSE));)
        for (size_t i = 0; i < in->nargs; i++)
            if (strchr(in->args[i].text, ':') && !kd_has_var(in->args[i].text))
                kd_report(ctx, self, in->args[i].span,
                          "EXPOSE '%s' names a host address or port; EXPOSE takes the "
                          "container port only (publish with docker run -p)", in->args[i].text);
}

KD_RULE(KD2122) = {
    .id = "KD2122",
    .name = "expose-host-port",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .buildkit = "ExposeInvalidFormat",
    .summary = "EXPOSE with an IP address or host port",
    .check = check,
};
