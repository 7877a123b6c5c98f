/* Inline suppressions: `# kdoctor ignore=A,B` (or `# hadolint ignore=`)
 * in the comment lines right above an instruction, or inside a continued
 * instruction, covers every line of that instruction; `global ignore=`
 * covers the file. BuildKit's `# check=skip=A,B` directive is honoured for
 * the rules that carry a BuildKit name. */
#include "lint/priv.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *skip_blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static const char *word(const char *s, const char *w)
{
    size_t n = strlen(w);
    if (strncasecmp(s, w, n) != 0 || isalnum((unsigned char)s[n]))
        return NULL;
    return s + n;
}

/* Parses a pragma; returns the list after '=' (to the line end) or NULL. */
static const char *pragma(const char *text, bool *global)
{
    const char *s = skip_blank(text);
    if (*s != '#')
        return NULL;
    s = skip_blank(s + 1);
    const char *t = word(s, "kdoctor");
    if (t == NULL)
        t = word(s, "hadolint");
    if (t == NULL)
        return NULL;
    s = skip_blank(t);
    *global = false;
    if ((t = word(s, "global")) != NULL) {
        *global = true;
        s = skip_blank(t);
    }
    if ((t = word(s, "ignore")) == NULL)
        return NULL;
    s = skip_blank(t);
    if (*s != '=')
        return NULL;
    return skip_blank(s + 1);
}

bool kd_is_ignore_pragma(const char *comment_text)
{
    bool g;
    return pragma(comment_text, &g) != NULL;
}

bool kd_pragma_ignores(const char *comment_text, const kd_rule *r)
{
    bool g;
    const char *s = pragma(comment_text, &g);
    while (s && *s) {
        s += strspn(s, ", \t");
        size_t n = strcspn(s, ", \t\r\n");
        if (n == 0)
            break;
        char *pat = kd_xstrndup(s, n);
        bool hit = kd_rule_matches(r, pat);
        free(pat);
        if (hit)
            return true;
        s += n;
    }
    return false;
}

static void add(struct kd_lint_priv *p, const char *list, size_t instr)
{
    const char *s = list;
    while (*s) {
        s += strspn(s, ", \t");
        size_t n = strcspn(s, ", \t\r\n");
        if (n == 0)
            break;
        p->sup = kd_xrealloc(p->sup, (p->nsup + 1) * sizeof *p->sup);
        p->sup[p->nsup++] = (kd_suppress){kd_xstrndup(s, n), instr};
        s += n;
    }
}

/* The instruction whose span holds off, or the first one after it. */
static size_t instr_at(const df_file *f, size_t off)
{
    size_t lo = 0, hi = f->ninstrs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f->instrs[mid].span.end.off <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Whether every line in [from, to) is a comment line. */
static bool only_comments(const df_file *f, const bool *comment_line, uint32_t from, uint32_t to)
{
    (void)f;
    for (uint32_t l = from; l < to; l++)
        if (!comment_line[l])
            return false;
    return true;
}

void kd_suppress_collect(const df_file *f, struct kd_lint_priv *p)
{
    bool *comment_line = kd_xcalloc(f->nlines + 2, sizeof *comment_line);
    for (size_t i = 0; i < f->ncomments; i++)
        if (f->comments[i].span.start.line <= f->nlines)
            comment_line[f->comments[i].span.start.line] = true;
    for (size_t i = 0; i < f->ncomments; i++) {
        const df_comment *c = &f->comments[i];
        bool global;
        const char *list = pragma(c->text, &global);
        if (list == NULL)
            continue;
        size_t in = instr_at(f, c->span.start.off);
        if (global)
            add(p, list, SIZE_MAX);
        else if (in < f->ninstrs &&
                 (c->inside || only_comments(f, comment_line, c->span.start.line + 1,
                                             f->instrs[in].start_line)))
            add(p, list, in);
    }
    free(comment_line);
}

bool kd_suppressed(const struct kd_lint_priv *p, const df_file *f, const kd_rule *r, size_t off)
{
    if (p->nsup == 0)
        return false;
    size_t in = instr_at(f, off);
    if (in < f->ninstrs && f->instrs[in].span.start.off > off)
        in = SIZE_MAX - 1; /* between instructions: only global ones apply */
    for (size_t i = 0; i < p->nsup; i++)
        if ((p->sup[i].instr == SIZE_MAX || p->sup[i].instr == in) &&
            kd_rule_matches(r, p->sup[i].pattern))
            return true;
    return false;
}

bool kd_directive_skips(const df_file *f, const kd_rule *r)
{
    if (r->buildkit == NULL)
        return false;
    for (size_t i = 0; i < f->ndirectives; i++) {
        const char *v = f->directives[i].value;
        if (strcmp(f->directives[i].name, "check") != 0)
            continue;
        /* check=skip=A,B;error=true */
        const char *s = strstr(v, "skip=");
        if (s == NULL || (s != v && s[-1] != ';'))
            continue;
        s += 5;
        while (*s && *s != ';') {
            size_t n = strcspn(s, ",;");
            if ((n == 3 && strncasecmp(s, "all", 3) == 0) ||
                (n == strlen(r->buildkit) && strncasecmp(s, r->buildkit, n) == 0))
                return true;
            s += n;
            if (*s == ',')
                s++;
        }
    }
    return false;
}
