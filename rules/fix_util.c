/* Edits that several rules' fixes share (see rules/fix_util.h). */
#include "rules/fix_util.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* ---- lines -------------------------------------------------------------------- */

size_t kd_line_start(const df_file *f, size_t off)
{
    if (off > f->len)
        off = f->len;
    while (off > 0 && f->src[off - 1] != '\n')
        off--;
    return off;
}

size_t kd_line_end(const df_file *f, size_t off)
{
    const char *nl = off < f->len ? memchr(f->src + off, '\n', f->len - off) : NULL;
    size_t end = nl ? (size_t)(nl - f->src) : f->len;
    if (nl && end > off && f->src[end - 1] == '\r')
        end--;
    return end;
}

size_t kd_line_next(const df_file *f, size_t off)
{
    const char *nl = off < f->len ? memchr(f->src + off, '\n', f->len - off) : NULL;
    return nl ? (size_t)(nl - f->src) + 1 : f->len;
}

bool kd_blank_between(const df_file *f, size_t from, size_t to)
{
    for (size_t i = from; i < to && i < f->len; i++)
        if (f->src[i] != ' ' && f->src[i] != '\t' && f->src[i] != '\r')
            return false;
    return true;
}

/* The comment line starting at line start s, if any. */
static bool comment_line_at(const df_file *f, size_t s)
{
    size_t e = kd_line_end(f, s);
    while (s < e && (f->src[s] == ' ' || f->src[s] == '\t'))
        s++;
    return s < e && f->src[s] == '#';
}

bool kd_comment_in(const df_file *f, size_t from, size_t to)
{
    for (size_t s = kd_line_start(f, from); s < to && s < f->len; s = kd_line_next(f, s))
        if (s >= from && comment_line_at(f, s))
            return true;
    return false;
}

/* ---- deleting ----------------------------------------------------------------- */

void kd_fix_delete_lines(kd_finding *f, const df_file *file, size_t from, size_t to)
{
    size_t del = from; /* start of the pending deletion */
    for (size_t s = from; s < to; s = kd_line_next(file, s)) {
        if (!comment_line_at(file, s))
            continue;
        if (del < s)
            kd_fix_edit(f, del, s, "");
        del = kd_line_next(file, s);
    }
    if (del < to)
        kd_fix_edit(f, del, to, "");
}

bool kd_fix_delete_instr(kd_finding *f, const df_file *file, const df_instr *in)
{
    if (f == NULL)
        return false;
    size_t from = kd_line_start(file, in->span.start.off);
    size_t to = kd_line_next(file, in->span.end.off > from ? in->span.end.off - 1 : from);
    if (!kd_blank_between(file, from, in->span.start.off))
        return false; /* something before the keyword on its line */
    kd_fix_delete_lines(f, file, from, to);
    return true;
}

/* The place of c in its own list: *pos, or false when c is not in one. */
static bool list_pos(const kd_run *r, const sh_cmd *c, const sh_list **list, size_t *pos)
{
    const sh_list *l = &r->sh->top;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i] == c) {
            *list = l;
            *pos = i;
            return true;
        }
    return false;
}

/* Whether bytes [from, to) of the source hold only blanks, connectors and
 * line continuations: what separates two commands. */
static bool only_glue(const kd_lint_ctx *ctx, size_t from, size_t to)
{
    const df_file *f = ctx->file;
    if (from > to || kd_comment_in(f, from, to))
        return false;
    for (size_t i = from; i < to; i++)
        if (!strchr(" \t\r\n;&|", f->src[i]) && f->src[i] != f->escape)
            return false;
    return true;
}

bool kd_fix_delete_cmd(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const sh_cmd *c)
{
    const sh_list *l;
    size_t i;
    if (f == NULL || r->sh->exec_form || r->in->nheredocs || !list_pos(r, c, &l, &i) ||
        c->conn == SH_PIPE || c->conn == SH_BG || (i > 0 && l->v[i - 1]->conn != SH_AND &&
                                                    l->v[i - 1]->conn != SH_SEMI &&
                                                    l->v[i - 1]->conn != SH_NEWLINE))
        return false;
    if (l->n == 1)
        return kd_fix_delete_instr(f, ctx->file, r->in);
    size_t from, to;
    if (i > 0 && l->v[i - 1]->conn == SH_AND) {
        from = l->v[i - 1]->span.end.off; /* "a && c" loses " && c" */
        to = c->span.end.off;
    } else if (i + 1 < l->n) {
        from = c->span.start.off; /* "c && b", "a; c; b" lose "c && ", "c; " */
        to = l->v[i + 1]->span.start.off;
    } else {
        return false; /* "a; c": the RUN's status would become a's */
    }
    if (!only_glue(ctx, from == c->span.start.off ? c->span.end.off : from,
                   from == c->span.start.off ? to : c->span.start.off))
        return false;
    kd_fix_edit(f, from, to, "");
    return true;
}

/* ---- adding a command --------------------------------------------------------- */

bool kd_cmd_within(const sh_cmd *c, const sh_cmd *anc)
{
    for (; c; c = c->parent)
        if (c == anc)
            return true;
    return false;
}

/* The enclosing command of c that stands in the same list as an ancestor
 * of first (or at the top), c itself when it already does. */
static const sh_cmd *lift_to(const sh_cmd *c, const sh_cmd *first)
{
    while (c->parent && !kd_cmd_within(first, c->parent))
        c = c->parent;
    return c;
}

/* The list that holds c: its parent's lists, or the top. */
static const sh_list *list_of(const kd_run *r, const sh_cmd *c, size_t *pos)
{
    const sh_list *cand[64];
    size_t n = 0;
    if (c->parent == NULL) {
        cand[n++] = &r->sh->top;
    } else {
        for (size_t k = 0; k < c->parent->nlists && n < 64; k++)
            cand[n++] = c->parent->lists[k];
        if (c->parent->nested && n < 64)
            cand[n++] = c->parent->nested;
        for (size_t k = 0; k < c->parent->nredirs && n < 64; k++)
            if (c->parent->redirs[k].script) /* bash <<EOF */
                cand[n++] = c->parent->redirs[k].script;
    }
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; cand[k] && i < cand[k]->n; i++)
            if (cand[k]->v[i] == c) {
                *pos = i;
                return cand[k];
            }
    return NULL;
}

const sh_cmd *kd_cmd_anchor(const kd_run *r, const sh_cmd *const *cmds, size_t n)
{
    if (n == 0)
        return NULL;
    const sh_cmd *first = cmds[0], *last = cmds[0];
    for (size_t k = 1; k < n; k++) {
        if (cmds[k]->index < first->index)
            first = cmds[k];
        if (cmds[k]->index > last->index)
            last = cmds[k];
    }
    const sh_cmd *a = lift_to(last, first);
    for (int guard = 0; guard < SH_MAX_DEPTH * 2; guard++) {
        if (a->ctx & SH_IN_SUBST)
            return NULL;
        size_t pos;
        const sh_list *l = list_of(r, a, &pos);
        if (l == NULL)
            return NULL;
        while (l->v[pos]->conn == SH_PIPE && pos + 1 < l->n)
            pos++; /* the rest of the pipeline */
        a = l->v[pos];
        /* out of an if/while condition: after the whole compound */
        if (a->parent && (a->ctx & SH_IN_COND) && a->parent->kind != SH_SIMPLE &&
            a->parent->lists[0] == l) {
            a = a->parent;
            continue;
        }
        return a->conn == SH_BG ? NULL : a;
    }
    return NULL;
}

/* Whether c's span ends where its text does in the source (no line
 * continuation or JSON escape right there). */
static bool end_editable(const kd_lint_ctx *ctx, const sh_cmd *c)
{
    size_t e = c->span.end.off;
    if (e == 0 || e > ctx->file->len || c->span.end.off <= c->span.start.off)
        return false;
    char last = ctx->file->src[e - 1];
    return last != ' ' && last != '\t' && last != '\n' && last != '\r' &&
           last != ctx->file->escape;
}

bool kd_fix_after_cmd(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const sh_cmd *c,
                      const char *text)
{
    if (f == NULL || c == NULL || r->sh->exec_form || r->sh->nwarnings || !end_editable(ctx, c))
        return false;
    /* in a nested script the text lands inside a quoted string */
    if ((c->ctx & SH_IN_NESTED) && strpbrk(text, "'\"$`\\"))
        return false;
    char *t = kd_asprintf(" && %s", text);
    kd_fix_edit(f, c->span.end.off, c->span.end.off, t);
    free(t);
    return true;
}

char *kd_cmd_runner(const sh_cmd *c, bool users_only)
{
    kd_buf b = KD_BUF_INIT;
    for (size_t i = 0; !users_only && i < c->nassigns; i++) {
        kd_buf_add(&b, c->assigns[i].raw, c->assigns[i].raw_len);
        kd_buf_addc(&b, ' ');
    }
    for (size_t k = 0; k < c->nwrappers; k++) {
        size_t from = c->wrappers[k];
        size_t to = k + 1 < c->nwrappers ? c->wrappers[k + 1] : c->argv0;
        const char *name = c->words[from].text, *slash = strrchr(name, '/');
        name = slash ? slash + 1 : name;
        bool user = sh_in_list(name, "sudo|doas|gosu|su-exec");
        if (!user && (users_only || strcmp(name, "env") != 0))
            continue;
        for (size_t i = from; i < to && i < c->nwords; i++) {
            kd_buf_add(&b, c->words[i].raw, c->words[i].raw_len);
            kd_buf_addc(&b, ' ');
        }
    }
    return kd_buf_detach(&b, NULL);
}

void kd_fix_take(kd_finding *f, const kd_finding *tmp)
{
    for (size_t i = 0; i < tmp->nedits; i++)
        kd_fix_edit(f, tmp->edits[i].start, tmp->edits[i].end, tmp->edits[i].text);
}

void kd_fix_drop(kd_finding *tmp)
{
    for (size_t i = 0; i < tmp->nedits; i++)
        free(tmp->edits[i].text);
    free(tmp->edits);
    tmp->edits = NULL;
    tmp->nedits = 0;
}
