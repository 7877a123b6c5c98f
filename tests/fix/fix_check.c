/* Corpus checker for `kdoctor lint --fix` (issue 4; not installed):
 *   fix-check [--unsafe] FILE...
 * fixes each Dockerfile in memory (no config) and checks that
 *  - the fixed file parses;
 *  - a second fix changes nothing;
 *  - no instruction is lost: the other instructions than RUN stay the
 *    same, in order (allowing what the fixes do: ADD becomes COPY, flags
 *    --chown/--chmod appear and --platform=$TARGETPLATFORM goes, ENV and
 *    LABEL gain their "=", casing; with --unsafe also the FROM image and
 *    MAINTAINER becoming LABEL), and every command name of the original
 *    RUNs is still run by a RUN (apt may become apt-get or apt-cache;
 *    chown and chmod may go where a COPY gained --chown/--chmod);
 *  - the diff touches only lines that a fix named: every changed line of
 *    the original lies in an instruction that had a fixable finding, or
 *    that such a finding's edits touched, or in an edit's own lines;
 *  - every RUN the fix wrote reads as shell without warnings, and when the
 *    original's RUNs all pass `sh -n` (stages with the default shell), the
 *    fixed file's do too.
 * Prints "ok - ..." / "not ok - ..." lines for tests/fix/suite.sh, and the
 * figures (files changed, fixes per rule, rounds) as "# " lines. */
#include "dockerfile/dockerfile.h"
#include "lint/engine.h"
#include "rewrite/fix.h"
#include "shell/shell.h"
#include "util/buf.h"
#include "util/diff.h"
#include "util/fs.h"
#include "util/mem.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

static bool unsafe;

typedef struct tally {
    size_t files, changed, failures, fixes, rounds[KD_FIX_MAX_ROUNDS + 2];
    kd_fix_count *counts;
    size_t ncounts;
} tally;

static void fail(tally *t, const char *path, const char *what, const char *detail)
{
    t->failures++;
    printf("not ok - %s: %s\n", path, what);
    if (detail)
        printf("# %s\n", detail);
}

static void add_counts(tally *t, const kd_fix_result *r)
{
    for (size_t i = 0; i < r->ncounts; i++) {
        size_t k = 0;
        while (k < t->ncounts && t->counts[k].rule != r->counts[i].rule)
            k++;
        if (k == t->ncounts) {
            t->counts = kd_xrealloc(t->counts, (t->ncounts + 1) * sizeof *t->counts);
            t->counts[t->ncounts++] = (kd_fix_count){r->counts[i].rule, 0};
        }
        t->counts[k].n += r->counts[i].n;
        t->fixes += r->counts[i].n;
    }
}

/* ---- instructions ------------------------------------------------------------- */

/* An instruction as the check compares it: its dump, lowercased, without
 * what the fixes may add or drop. Owned. */
static char *normal(const df_instr *in)
{
    kd_buf b = KD_BUF_INIT;
    df_kind k = in->kind == DF_ADD ? DF_COPY : in->kind;
    if (unsafe && k == DF_MAINTAINER)
        k = DF_LABEL;
    kd_buf_adds(&b, df_kind_name(k));
    for (size_t i = 0; i < in->nflags; i++) {
        const char *t = in->flags[i].text;
        if (strncmp(t, "--chown=", 8) && strncmp(t, "--chmod=", 8) &&
            strcmp(t, "--platform=$TARGETPLATFORM") && strcmp(t, "--platform=${TARGETPLATFORM}"))
            kd_buf_addf(&b, " %s", t);
    }
    bool pairs = in->kind == DF_ENV || in->kind == DF_LABEL;
    /* MAINTAINER x becomes LABEL org.opencontainers.image.authors="x" */
    if (k == DF_LABEL && (in->kind == DF_MAINTAINER ||
                          (in->nargs == 3 && strcmp(in->args[0].text,
                                                    "org.opencontainers.image.authors") == 0)))
        return kd_buf_detach(&b, NULL);
    for (size_t i = 0; i < in->nargs; i++) {
        if (pairs && i % 3 == 2)
            continue; /* "=" or "" for the legacy form */
        if (k == DF_FROM && unsafe && i == 0)
            continue;
        const char *a = in->args[i].text;
        size_t n = in->args[i].len;
        if (pairs && n >= 2 && a[0] == '"' && a[n - 1] == '"')
            a++, n -= 2;
        kd_buf_addf(&b, " %.*s", (int)n, a);
    }
    for (char *p = b.data; p && *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    return kd_buf_detach(&b, NULL);
}

static bool same_instructions(const df_file *a, const df_file *b, char **why)
{
    size_t i = 0, k = 0;
    for (;;) {
        while (i < a->ninstrs && a->instrs[i].kind == DF_RUN)
            i++;
        while (k < b->ninstrs && b->instrs[k].kind == DF_RUN)
            k++;
        if (i == a->ninstrs || k == b->ninstrs)
            break;
        char *x = normal(&a->instrs[i]), *y = normal(&b->instrs[k]);
        bool same = strcmp(x, y) == 0;
        if (!same)
            *why = kd_asprintf("line %u `%s` became `%s`", a->instrs[i].start_line, x, y);
        free(x);
        free(y);
        if (!same)
            return false;
        i++, k++;
    }
    if (i != a->ninstrs || k != b->ninstrs) {
        *why = kd_xstrdup("an instruction other than RUN was lost or added");
        return false;
    }
    return true;
}

/* The names of the commands the RUNs of f run ("|name|name|"). */
static char *run_names(const df_file *f, size_t *copy_flags)
{
    kd_buf b = KD_BUF_INIT;
    kd_buf_addc(&b, '|');
    *copy_flags = 0;
    for (size_t i = 0; i < f->ninstrs; i++) {
        const df_instr *in = &f->instrs[i];
        if (in->kind == DF_COPY)
            *copy_flags += (df_instr_flag(in, "chown") != NULL) + (df_instr_flag(in, "chmod") != NULL);
        if (in->kind != DF_RUN)
            continue;
        sh_script *s = sh_parse_run(f, in);
        for (size_t c = 0; c < s->ncmds; c++)
            kd_buf_addf(&b, "%s|", sh_cmd_name(s->cmds[c]));
        sh_script_free(s);
    }
    return kd_buf_detach(&b, NULL);
}

static bool names_kept(const df_file *a, const df_file *b, char **why)
{
    size_t fa, fb;
    char *na = run_names(a, &fa), *nb = run_names(b, &fb);
    bool ok = true;
    for (char *p = na + 1; ok && *p;) {
        size_t n = strcspn(p, "|");
        char *key = kd_asprintf("|%.*s|", (int)n, p);
        bool apt = n == 3 && strncmp(p, "apt", 3) == 0;
        bool owner = (n == 5 && (strncmp(p, "chown", 5) == 0 || strncmp(p, "chmod", 5) == 0));
        if (n && !strstr(nb, key) && !(apt && (strstr(nb, "|apt-get|") || strstr(nb, "|apt-cache|"))) &&
            !(owner && fb > fa)) {
            *why = kd_asprintf("the command %.*s no longer runs", (int)n, p);
            ok = false;
        }
        free(key);
        p += n + 1;
    }
    free(na);
    free(nb);
    return ok;
}

/* ---- where the diff may touch --------------------------------------------------- */

static void mark(bool *lines, size_t nlines, uint32_t from, uint32_t to)
{
    for (uint32_t l = from; l <= to && l <= nlines; l++)
        lines[l] = true;
}

static void mark_instrs(const df_file *f, bool *lines, size_t from, size_t to)
{
    for (size_t i = 0; i < f->ninstrs; i++) {
        const df_instr *in = &f->instrs[i];
        if (in->span.start.off <= to && from <= in->span.end.off)
            mark(lines, f->nlines, in->start_line, in->end_line);
    }
}

/* The lines of f a fixable finding names. */
static bool *named_lines(kd_linter *l, const char *path, const df_file *f)
{
    bool *lines = kd_xcalloc(f->nlines + 2, sizeof *lines);
    kd_file_result *r;
    kd_error *err = NULL;
    if (kd_lint_source(l, path, f->src, f->len, NULL, &r, &err) < 0) {
        kd_error_free(err);
        return lines;
    }
    for (size_t i = 0; i < r->nfindings; i++) {
        const kd_finding *x = r->findings[i];
        if (x->nedits == 0 || (x->fix == KD_FIX_UNSAFE && !unsafe))
            continue;
        mark_instrs(f, lines, x->span.start.off, x->span.start.off);
        for (size_t k = 0; k < x->nedits; k++) {
            size_t s = x->edits[k].start, e = x->edits[k].end;
            mark(lines, f->nlines, df_file_pos(f, s).line, df_file_pos(f, e > s ? e - 1 : s).line);
            mark_instrs(f, lines, s, e);
        }
    }
    kd_file_result_free(r);
    return lines;
}

static bool blank_line(const df_file *f, unsigned long line)
{
    size_t s = f->line_starts[line - 1], e = line < f->nlines ? f->line_starts[line] : f->len;
    for (size_t i = s; i < e; i++)
        if (!strchr(" \t\r\n", f->src[i]))
            return false;
    return true;
}

/* Whether line is named, or is blank next to (a run of blank lines next
 * to) a named line: a line diff may take any of equal blank lines as the
 * one that went. */
static bool named_line(const df_file *f, const bool *named, unsigned long line)
{
    if (named[line] || !blank_line(f, line))
        return named[line];
    unsigned long up = line, down = line;
    while (up > 1 && blank_line(f, up))
        up--;
    while (down < f->nlines && blank_line(f, down))
        down++;
    return named[up] || named[down];
}

/* Whether every line the diff from a to b changes is named. */
static bool diff_named(const df_file *a, const char *b, size_t blen, const bool *named, char **why)
{
    kd_buf d = KD_BUF_INIT;
    kd_unified_diff(a->src, a->len, b, blen, "a", "b", 0, &d);
    bool ok = true;
    for (const char *p = kd_buf_str(&d); ok && (p = strstr(p, "\n@@ -")); p++) {
        unsigned long from = strtoul(p + 5, (char **)&p, 10), n = 1;
        if (*p == ',')
            n = strtoul(p + 1, (char **)&p, 10);
        /* a pure insertion after line from touches it or the next one */
        unsigned long first = n ? from : from ? from : 1, last = n ? from + n - 1 : from + 1;
        bool any = false;
        for (unsigned long line = first; line <= last && line <= a->nlines; line++) {
            bool hit = named_line(a, named, line);
            any |= hit;
            if (n && !hit) {
                *why = kd_asprintf("line %lu changed, but no fix named it", line);
                ok = false;
                break;
            }
        }
        if (n == 0 && !any && first <= a->nlines) {
            *why = kd_asprintf("text was added at line %lu, but no fix named it", first);
            ok = false;
        }
    }
    kd_buf_free(&d);
    return ok;
}

/* ---- shell -------------------------------------------------------------------------- */

/* Whether /bin/sh -n accepts text. */
static bool sh_syntax_ok(const char *text)
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", 1);
        dup2(null, 1);
        dup2(null, 2);
        execl("/bin/sh", "sh", "-n", "-c", text, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static bool default_shell(const df_file *f)
{
    for (size_t i = 0; i < f->ninstrs; i++)
        if (f->instrs[i].kind == DF_SHELL)
            return false;
    return true;
}

/* Whether a RUN's text is one the original has, as it is. */
static bool unchanged_run(const df_file *a, const df_instr *in)
{
    for (size_t i = 0; i < a->ninstrs; i++)
        if (a->instrs[i].kind == DF_RUN && a->instrs[i].rest.len == in->rest.len &&
            memcmp(a->instrs[i].rest.text, in->rest.text, in->rest.len) == 0)
            return true;
    return false;
}

static size_t sh_failures(const df_file *f)
{
    size_t n = 0;
    for (size_t i = 0; i < f->ninstrs; i++) {
        const df_instr *in = &f->instrs[i];
        if (in->kind == DF_RUN && !in->json && !in->nheredocs && in->rest.len)
            n += !sh_syntax_ok(in->rest.text);
    }
    return n;
}

static bool shell_ok(const df_file *a, const df_file *b, char **why)
{
    int a_fails = -1; /* counted when first needed */
    for (size_t i = 0; i < b->ninstrs; i++) {
        const df_instr *in = &b->instrs[i];
        if (in->kind != DF_RUN || unchanged_run(a, in))
            continue;
        sh_script *s = sh_parse_run(b, in);
        bool warned = s->nwarnings > 0;
        sh_script_free(s);
        if (warned && sh_run_posix(b, i)) {
            *why = kd_asprintf("the RUN at line %u does not read as shell", in->start_line);
            return false;
        }
        if (!default_shell(a) || in->json || in->nheredocs || sh_syntax_ok(in->rest.text))
            continue;
        if (a_fails < 0)
            a_fails = (int)sh_failures(a);
        if (a_fails == 0) {
            *why = kd_asprintf("sh -n rejects the RUN the fix wrote at line %u", in->start_line);
            return false;
        }
    }
    return true;
}

/* ---- one file ------------------------------------------------------------------------ */

static void check_file(kd_linter *l, const char *path, tally *t)
{
    char *data;
    size_t len;
    kd_error *err = NULL;
    df_file *a = NULL, *b = NULL;
    kd_fix_result r = {0}, r2 = {0};
    kd_fix_opts o = {.unsafe = unsafe};
    char *why = NULL;
    if (kd_read_file(path, &data, &len, &err) < 0 || df_parse(path, data, len, &a, &err) < 0) {
        kd_error_free(err); /* the parser suite covers files that do not parse */
        free(data);
        return;
    }
    t->files++;
    if (kd_fix_source(l, path, data, len, NULL, &o, &r, &err) < 0) {
        fail(t, path, "fix", err->msg);
        goto out;
    }
    add_counts(t, &r);
    t->rounds[r.rounds < KD_FIX_MAX_ROUNDS + 1 ? r.rounds : KD_FIX_MAX_ROUNDS + 1]++;
    if (r.len == len && memcmp(r.text, data, len) == 0)
        goto out;
    t->changed++;
    if (r.broken || !r.converged)
        fail(t, path, r.broken ? "a round broke the file" : "fixing did not converge", r.broken);
    if (df_parse(path, r.text, r.len, &b, &err) < 0) {
        fail(t, path, "the fixed file parses", err->msg);
        kd_error_free(err);
        goto out;
    }
    if (kd_fix_source(l, path, r.text, r.len, NULL, &o, &r2, &err) < 0 || r2.len != r.len ||
        memcmp(r2.text, r.text, r.len) != 0)
        fail(t, path, "a second fix changes nothing", NULL);
    if (!same_instructions(a, b, &why) || !names_kept(a, b, &why) || !shell_ok(a, b, &why))
        fail(t, path, "no instruction or command is lost", why);
    bool *named = named_lines(l, path, a);
    free(why);
    why = NULL;
    if (!diff_named(a, r.text, r.len, named, &why))
        fail(t, path, "the diff touches only named lines", why);
    free(named);
out:
    free(why);
    kd_fix_result_free(&r);
    kd_fix_result_free(&r2);
    df_file_free(a);
    df_file_free(b);
    free(data);
}

static void report(const tally *t)
{
    printf("# %zu files, %zu changed, %zu fixes\n", t->files, t->changed, t->fixes);
    for (size_t i = 0; i < t->ncounts; i++)
        printf("#   %5zu  %s %s\n", t->counts[i].n, t->counts[i].rule->id, t->counts[i].rule->name);
    printf("# rounds:");
    for (size_t i = 0; i < KD_FIX_MAX_ROUNDS + 2; i++)
        if (t->rounds[i])
            printf(" %zu file%s in %zu", t->rounds[i], t->rounds[i] == 1 ? "" : "s", i);
    printf("\n");
}

int main(int argc, char **argv)
{
    int i = 1;
    if (i < argc && strcmp(argv[i], "--unsafe") == 0) {
        unsafe = true;
        i++;
    }
    kd_lint_opts lo = {.failure_threshold = -1, .no_config = true};
    kd_linter *l;
    kd_error *err = NULL;
    if (kd_linter_new(&lo, &l, &err) < 0) {
        fprintf(stderr, "fix-check: %s\n", err->msg);
        return 2;
    }
    tally t = {0};
    for (; i < argc; i++)
        check_file(l, argv[i], &t);
    report(&t);
    if (t.failures == 0)
        printf("ok - %s fixes of %zu files: parse, idempotent, nothing lost, diffs only where "
               "named\n", unsafe ? "unsafe" : "safe", t.files);
    free(t.counts);
    kd_linter_free(l);
    return t.failures ? 1 : 0;
}
