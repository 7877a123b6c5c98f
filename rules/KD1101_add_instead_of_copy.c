/* KD1101 add-instead-of-copy (hadolint DL3020): ADD of local files or
 * folders, which COPY does with the same layer and cache. ADD would also
 * unpack a local tar archive or fetch a URL, so those sources are left
 * alone. The fix (safe) renames the instruction. */
#include "rules/util.h"

#include <ctype.h>
#include <string.h>

static bool local_plain(const df_instr *in)
{
    if (in->nheredocs || in->nargs < 2 || df_instr_flag(in, "checksum") ||
        df_instr_flag(in, "keep-git-dir") || df_instr_flag(in, "unpack"))
        return false;
    for (size_t i = 0; i + 1 < in->nargs; i++) {
        const char *s = in->args[i].text;
        if (kd_is_url(s) || kd_is_archive(s) || kd_has_var(s))
            return false;
    }
    return true;
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_ADD));) {
        if (!local_plain(in))
            continue;
        kd_finding *f = kd_report(ctx, self, in->keyword_span,
                                  "ADD of local files does what COPY does (same layer, same "
                                  "cache) but would also unpack archives; use COPY");
        bool lower = islower((unsigned char)in->keyword[0]);
        kd_fix_edit(f, in->keyword_span.start.off, in->keyword_span.end.off,
                    lower ? "copy" : "COPY");
    }
}

KD_RULE(KD1101) = {
    .id = "KD1101",
    .name = "add-instead-of-copy",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .hadolint = {"DL3020"},
    .summary = "ADD of local files where COPY does the same",
    .check = check,
};
