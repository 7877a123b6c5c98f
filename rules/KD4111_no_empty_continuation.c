/* KD4111 no-empty-continuation (BuildKit NoEmptyContinuation): a blank
 * line inside a continued instruction, which BuildKit announces will become
 * an error. The fix (safe) deletes the blank line. */
#include "rules/util.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    const df_file *f = ctx->file;
    for (size_t i = 0; i < f->nwarnings; i++) {
        const df_warning *w = &f->warnings[i];
        if (w->kind != DF_WARN_EMPTY_CONTINUATION || w->pos.line == 0 || w->pos.line > f->nlines)
            continue;
        size_t start = f->line_starts[w->pos.line - 1];
        size_t end = w->pos.line < f->nlines ? f->line_starts[w->pos.line] : f->len;
        kd_finding *fd = kd_report(ctx, self, kd_span(ctx, start, start),
                                   "empty line inside a continued instruction; BuildKit will "
                                   "make this an error");
        kd_fix_edit(fd, start, end, "");
    }
}

KD_RULE(KD4111) = {
    .id = "KD4111",
    .name = "no-empty-continuation",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_MAINTAINABILITY,
    .fix = KD_FIX_SAFE,
    .buildkit = "NoEmptyContinuation",
    .summary = "An empty line inside a continued instruction",
    .check = check,
};
