/* The tolerant stage split behind kd_lint_ctx.stages: every FROM starts a
 * stage whatever its shape, so that rules can report malformed, duplicate
 * or reserved stage names instead of the whole file failing. */
#include "lint/priv.h"
#include "util/mem.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

void kd_stages_tolerant(const df_file *f, df_stages *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    for (size_t i = 0; i < f->ninstrs; i++) {
        const df_instr *in = &f->instrs[i];
        if (in->kind != DF_FROM) {
            if (out->n == 0)
                out->nglobal = i + 1;
            continue;
        }
        KD_GROW(out->v, cap, out->n + 1);
        df_stage *st = &out->v[out->n++];
        memset(st, 0, sizeof *st);
        st->from = i;
        st->image = in->nargs ? &in->args[0] : NULL;
        st->platform = df_instr_flag(in, "platform");
        if (out->n > 1)
            out->v[out->n - 2].end = i;
        if (in->nargs >= 3 && strcasecmp(in->args[1].text, "as") == 0) {
            st->name = kd_xstrdup(in->args[2].text);
            for (char *c = st->name; *c; c++)
                *c = (char)tolower((unsigned char)*c);
        }
    }
    if (out->n)
        out->v[out->n - 1].end = f->ninstrs;
}
