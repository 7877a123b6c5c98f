/* The shell analyser over every RUN of the real-world corpus
 * ($KDOCTOR_CORPUS/real): no warning on any RUN that a POSIX shell runs
 * (they all build upstream), spans inside the file and in order, and the
 * Windows stages recognised as such. */
#include "kt.h"
#include "shell/shell.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct tally {
    size_t files, runs, foreign, cmds, warnings;
} tally;

static bool span_ok(const df_file *f, df_span s)
{
    return s.start.off <= s.end.off && s.end.off <= f->len && s.start.line >= 1;
}

static void check_run(const char *path, const df_file *f, const df_instr *in, tally *t)
{
    sh_script *s = sh_parse_run(f, in);
    t->runs++;
    t->cmds += s->ncmds;
    for (size_t w = 0; w < s->nwarnings; w++, t->warnings++)
        kt_fail(__FILE__, __LINE__, "%s:%u:%u: %s", path, s->warnings[w].span.start.line,
                s->warnings[w].span.start.col, s->warnings[w].msg);
    for (size_t i = 0; i < s->ncmds; i++) {
        const sh_cmd *c = s->cmds[i];
        bool ok = span_ok(f, c->span) && c->span.start.off >= in->span.start.off &&
                  c->span.end.off <= in->span.end.off;
        for (size_t k = 0; k < c->nwords; k++)
            ok = ok && span_ok(f, c->words[k].span);
        if (!ok)
            kt_fail(__FILE__, __LINE__, "%s:%u: a span of command %zu is outside the RUN", path,
                    in->start_line, i);
    }
    sh_script_free(s);
}

static void check_file(const char *path, tally *t)
{
    df_file *f = NULL;
    kd_error *err = NULL;
    if (df_parse_file(path, &f, &err) < 0) {
        kt_fail(__FILE__, __LINE__, "%s: %s", path, err->msg);
        kd_error_free(err);
        return;
    }
    t->files++;
    for (size_t i = 0; i < f->ninstrs; i++) {
        const df_instr *in = &f->instrs[i];
        if (in->kind == DF_ONBUILD && in->sub)
            in = in->sub;
        if (in->kind != DF_RUN)
            continue;
        if (sh_run_posix(f, i))
            check_run(path, f, in, t);
        else
            t->foreign++;
    }
    df_file_free(f);
}

TEST(shell_real_corpus)
{
    const char *top = getenv("KDOCTOR_CORPUS");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/real", top ? top : "../shared/corpus");
    DIR *d = opendir(dir);
    if (d == NULL)
        return; /* no corpus here: the parser suite reports the skip */
    tally t = {0};
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        check_file(path, &t);
    }
    closedir(d);
    /* the corpus has 976 files, about 2400 RUNs, some of them PowerShell */
    CHECK(t.files >= 900);
    CHECK(t.runs >= 2000);
    if (t.foreign < 30)
        kt_fail(__FILE__, __LINE__, "only %zu RUNs in Windows stages", t.foreign);
    CHECK(t.cmds >= 15000);
    CHECK_INT(t.warnings, 0);
}
