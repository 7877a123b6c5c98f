/* libFuzzer target: the shell analyser. Each input is analysed twice: as a
 * shell script, and as a Dockerfile whose RUN instructions are analysed as
 * the linter does. Every query runs on every command; spans must stay
 * inside the input. Any input must give a model, never a crash or a hang. */
#include "dockerfile/dockerfile.h"
#include "shell/shell.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_span(df_span s, size_t lo, size_t hi)
{
    if (s.start.off > s.end.off || s.start.off < lo || s.end.off > hi)
        abort();
}

static void query(const sh_cmd *c, size_t lo, size_t hi)
{
    check_span(c->span, lo, hi);
    for (size_t i = 0; i < c->nwords; i++) {
        check_span(c->words[i].span, lo, hi);
        if (strlen(c->words[i].text) > c->words[i].len)
            abort();
    }
    for (size_t i = 0; i < c->nredirs; i++)
        check_span(c->redirs[i].span, lo, hi);
    (void)sh_cmd_name(c);
    (void)sh_cmd_subcommand(c);
    (void)sh_cmd_has_opt(c, "-y|--yes|-ldflags|--no-cache");
    (void)sh_cmd_opt_value(c, "-o|--output|-t", NULL);
    (void)sh_cmd_npositional(c);
    (void)sh_cmd_env(c, "A");
    (void)sh_cmd_wrapped_by(c, "sudo");
    (void)sh_cmd_next_conn(c);
    for (size_t i = 0; i < sh_cmd_argc(c); i++)
        (void)sh_cmd_arg(c, i);
}

static void check(const sh_script *s, size_t lo, size_t hi)
{
    for (size_t i = 0; i < s->ncmds; i++) {
        if (s->cmds[i]->index != i)
            abort();
        query(s->cmds[i], lo, hi);
    }
    for (size_t i = 0; i < s->nwarnings; i++)
        check_span(s->warnings[i].span, lo, hi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sh_origin o = {NULL, NULL, 7};
    sh_script *s = sh_parse((const char *)data, size, &o);
    check(s, 7, 7 + size);
    sh_script_free(s);

    df_file *f = NULL;
    kd_error *err = NULL;
    if (df_parse("fuzz", (const char *)data, size, &f, &err) < 0) {
        kd_error_free(err);
        return 0;
    }
    for (size_t i = 0; i < f->ninstrs; i++) {
        const df_instr *in = &f->instrs[i];
        if (in->kind == DF_ONBUILD && in->sub)
            in = in->sub;
        (void)sh_run_posix(f, i);
        s = sh_parse_run(f, in);
        check(s, 0, f->len);
        sh_script_free(s);
    }
    df_file_free(f);
    return 0;
}
