/* libFuzzer target: the Dockerfile parser, its dump, and the stage and
 * scope walk the builder does (which runs variable expansion on every
 * argument). Any input must give a result or an error, never a crash. */
#include "dockerfile/dockerfile.h"
#include "dockerfile/scope.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void walk(const df_file *f)
{
    df_stages st;
    if (df_stages_find(f, &st, NULL) < 0)
        return;
    df_scope s;
    df_scope_init(&s, f, NULL, NULL);
    for (size_t i = 0; i < f->ninstrs; i++) {
        const df_instr *in = &f->instrs[i];
        if (in->kind == DF_FROM)
            df_scope_enter_stage(&s, NULL);
        for (size_t a = 0; a < in->nargs; a++) {
            df_expansion e;
            if (df_scope_expand(&s, in, &in->args[a], &e, NULL) == 0)
                df_expansion_free(&e);
        }
        df_scope_apply(&s, in, NULL);
    }
    df_scope_free(&s);
    df_stages_free(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    df_file *f = NULL;
    kd_error *err = NULL;
    if (df_parse("fuzz", (const char *)data, size, &f, &err) < 0) {
        kd_error_free(err);
        return 0;
    }
    char *d = df_dump(f);
    free(d);
    for (size_t i = 0; i < f->ninstrs; i++) {
        const df_instr *in = &f->instrs[i];
        /* spans must stay inside the source */
        if (in->span.end.off > f->len || in->span.start.off > in->span.end.off)
            abort();
        for (size_t a = 0; a < in->nargs; a++)
            if (in->args[a].span.end.off > f->len)
                abort();
    }
    walk(f);
    df_file_free(f);
    return 0;
}
