/* KD4104 legacy-key-value-format (BuildKit LegacyKeyValueFormat): `ENV
 * key value` and `LABEL key value`, the old form without '=', which reads
 * everything after the key as one value. The fix (safe) writes key=value,
 * quoting a value with blanks; it is only offered for values without
 * quotes or escapes written on one line. */
#include "rules/util.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static void fix(kd_finding *f, const df_instr *in)
{
    const df_word *k = &in->args[0], *v = &in->args[1];
    if (v->span.end.off - v->span.start.off != v->len || strpbrk(v->text, "\"'\\`"))
        return;
    bool quote = strpbrk(v->text, " \t") != NULL;
    kd_fix_edit(f, k->span.end.off, v->span.start.off, quote ? "=\"" : "=");
    if (quote)
        kd_fix_edit(f, v->span.end.off, v->span.end.off, "\"");
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, KD_ANY));) {
        if ((in->kind != DF_ENV && in->kind != DF_LABEL) || in->nargs != 3 ||
            in->args[2].len != 0)
            continue;
        kd_finding *f = kd_report(ctx, self, kd_span_first_line(ctx, in),
                                  "legacy '%s key value' form; write %s %s=value",
                                  df_kind_name(in->kind), df_kind_name(in->kind),
                                  in->args[0].text);
        fix(f, in);
    }
}

KD_RULE(KD4104) = {
    .id = "KD4104",
    .name = "legacy-key-value-format",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_MAINTAINABILITY,
    .fix = KD_FIX_SAFE,
    .buildkit = "LegacyKeyValueFormat",
    .summary = "ENV or LABEL in the legacy 'key value' form",
    .check = check,
};
