/* KD4103 maintainer-deprecated (BuildKit MaintainerDeprecated, hadolint
 * DL4000): MAINTAINER is deprecated; a label says the same. The fix is
 * unsafe (the image config's Author field becomes a label) and only
 * offered for a one-line MAINTAINER. */
#include "rules/util.h"
#include "util/buf.h"

#include <stdlib.h>

static char *label_for(const df_instr *in)
{
    kd_buf b = KD_BUF_INIT;
    kd_buf_adds(&b, "LABEL org.opencontainers.image.authors=\"");
    for (size_t i = 0; i < in->rest.len; i++) {
        char c = in->rest.text[i];
        if (c == '"' || c == '\\' || c == '$')
            kd_buf_addc(&b, '\\');
        kd_buf_addc(&b, c);
    }
    kd_buf_addc(&b, '"');
    return kd_buf_detach(&b, NULL);
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_MAINTAINER));) {
        kd_finding *f = kd_report(ctx, self, in->keyword_span,
                                  "MAINTAINER is deprecated; use LABEL "
                                  "org.opencontainers.image.authors=...");
        if (in->start_line != in->end_line || ctx->file->escape != '\\')
            continue;
        char *label = label_for(in);
        df_span line = kd_span_first_line(ctx, in);
        kd_fix_edit(f, line.start.off, line.end.off, label);
        free(label);
    }
}

KD_RULE(KD4103) = {
    .id = "KD4103",
    .name = "maintainer-deprecated",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_MAINTAINABILITY,
    .fix = KD_FIX_UNSAFE,
    .hadolint = {"DL4000"},
    .buildkit = "MaintainerDeprecated",
    .summary = "The deprecated MAINTAINER instruction",
    .check = check,
};
