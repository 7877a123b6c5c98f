/* KD4112 expose-proto-casing (BuildKit ExposeProtoCasing): EXPOSE 80/TCP;
 * the protocol is written in lowercase. The fix (safe) lowercases it. */
#include "rules/util.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_EXPOSE));)
        for (size_t i = 0; i < in->nargs; i++) {
            const df_word *w = &in->args[i];
            const char *slash = strchr(w->text, '/');
            if (slash == NULL || kd_is_lower(slash) || kd_has_var(w->text))
                continue;
            kd_finding *f = kd_report(ctx, self, w->span,
                                      "protocol in '%s' should be lowercase", w->text);
            char *low = kd_xstrdup(w->text);
            for (char *c = low; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            if (w->span.end.off - w->span.start.off == w->len) /* written as is */
                kd_fix_edit(f, w->span.start.off, w->span.end.off, low);
            free(low);
        }
}

KD_RULE(KD4112) = {
    .id = "KD4112",
    .name = "expose-proto-casing",
    .severity = KD_SEV_STYLE,
    .category = KD_CAT_MAINTAINABILITY,
    .fix = KD_FIX_SAFE,
    .buildkit = "ExposeProtoCasing",
    .summary = "EXPOSE protocol not in lowercase",
    .check = check,
};
