/* The hook between the lint engine and the shell analyser (owner: shell,
 * interface by lint-engine in lint/shell_hook.h). A shell-form RUN is
 * analysed when a POSIX shell runs it: one in a PowerShell or cmd stage has
 * no analysis, so the rules leave it alone. The exec form, which runs
 * without a shell, is analysed as one simple command (sh_script.exec_form),
 * as hadolint does. */
#include "lint/shell_hook.h"
#include "shell/shell.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

bool kd_shell_hook_available(void)
{
    return true;
}

sh_script *kd_shell_hook_analyse(const df_file *f, const df_instr *in)
{
    if (in == NULL || in->kind != DF_RUN)
        return NULL;
    /* ONBUILD's inner RUN is not in f->instrs: it runs in a later image,
     * whose shell cannot be known here; POSIX is the common case */
    if (!in->json && in >= f->instrs && in < f->instrs + f->ninstrs &&
        !sh_run_posix(f, (size_t)(in - f->instrs)))
        return NULL;
    return sh_parse_run(f, in);
}

void kd_shell_hook_free(sh_script *s)
{
    sh_script_free(s);
}

static int by_start(const void *a, const void *b)
{
    const kd_shell_cmd *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

size_t kd_shell_hook_commands(const sh_script *s, const df_file *f, const df_instr *in,
                              kd_shell_cmd **out)
{
    (void)f;
    (void)in;
    *out = NULL;
    if (s == NULL || s->ncmds == 0)
        return 0;
    kd_shell_cmd *v = kd_xcalloc(s->ncmds, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < s->ncmds; i++) {
        const sh_cmd *c = s->cmds[i];
        if (sh_cmd_argc(c) == 0)
            continue; /* a bare assignment or redirection */
        kd_buf b = KD_BUF_INIT;
        for (size_t k = 0; k < sh_cmd_argc(c); k++) {
            if (k)
                kd_buf_addc(&b, ' ');
            kd_buf_adds(&b, sh_cmd_arg(c, k)->text);
        }
        v[n].text = kd_buf_detach(&b, NULL);
        v[n].start = c->span.start.off;
        v[n].end = c->span.end.off;
        n++;
    }
    /* the analysis lists commands in the order they run (a substitution
     * before its command); declarative rules want source order */
    qsort(v, n, sizeof *v, by_start);
    *out = v;
    return n;
}

void kd_shell_cmds_free(kd_shell_cmd *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].text);
    free(v);
}
