/* The analysis context (positions, warnings, depth) and the walk over the
 * finished model: parents, where each command runs, wrappers, the scripts
 * of sh -c and shell heredocs, and the flat list of simple commands. */
#include "shell/internal.h"
#include "util/mem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t sh_src_off(const sh_text *t, size_t i)
{
    if (i > t->len)
        i = t->len;
    return t->omap ? t->omap[i] : t->base + i;
}

static df_pos pos_of(const sh_ctx *c, size_t off)
{
    if (c->f)
        return df_file_pos(c->f, off);
    df_pos p = {off, 1, (uint32_t)off + 1};
    return p;
}

df_span sh_span(const sh_ctx *c, const sh_text *t, size_t lo, size_t hi)
{
    size_t a = sh_src_off(t, lo);
    /* the end is just past the last byte, which may not be next to it in
     * the source when a continuation was removed */
    size_t b = hi > lo ? sh_src_off(t, hi - 1) + 1 : a;
    df_span s = {pos_of(c, a), pos_of(c, b)};
    return s;
}

void sh_warn(sh_ctx *c, const sh_text *t, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = kd_vasprintf(fmt, ap);
    va_end(ap);
    KD_GROW(c->warns, c->cap_warns, c->nwarns + 1);
    c->warns[c->nwarns++] =
        (sh_warning){sh_astrndup(c->a, msg, strlen(msg)), sh_span(c, t, at, at)};
    free(msg);
}

bool sh_enter(sh_ctx *c, const sh_text *t, size_t at)
{
    if (c->abort)
        return false;
    if (c->depth >= SH_MAX_DEPTH) {
        sh_warn(c, t, at, "nesting deeper than %d levels: the rest is not analysed", SH_MAX_DEPTH);
        c->abort = true;
        c->s->too_deep = true;
        return false;
    }
    c->depth++;
    return true;
}

void sh_leave(sh_ctx *c)
{
    c->depth--;
}

const sh_text *sh_text_derived(sh_ctx *c, const sh_text *t, const char *s, size_t len,
                               const size_t *map)
{
    sh_text *d = sh_alloc(c->a, sizeof *d);
    size_t *omap = sh_alloc(c->a, (len + 1) * sizeof *omap);
    for (size_t i = 0; i <= len; i++)
        omap[i] = sh_src_off(t, map[i]);
    d->s = sh_astrndup(c->a, s, len);
    d->len = len;
    d->omap = omap;
    return d;
}

/* ---- nested scripts ---------------------------------------------------------- */

/* The text of word k of cmd as a script: its value, mapped to the source. */
static const sh_text *word_script(sh_ctx *c, const sh_cmd *cmd, size_t k)
{
    if (cmd == c->exec_cmd)
        return &c->exec_texts[k];
    const sh_text *t = cmd->text_;
    const sh_word *w = &cmd->words[k];
    size_t lo = (size_t)(w->raw - t->s);
    kd_buf v;
    size_t *map;
    lex_word_value(c, t, lo, lo + w->raw_len, &v, &map);
    const sh_text *d = sh_text_derived(c, t, kd_buf_str(&v), v.len, map);
    kd_buf_free(&v);
    free(map);
    return d;
}

static sh_list *parse_nested(sh_ctx *c, const sh_text *t, int depth)
{
    c->depth = depth;
    if (!sh_enter(c, t, 0))
        return NULL;
    sh_list *l = sh_parse_text(c, t, false);
    sh_leave(c);
    return l;
}

static const hd_slot *slot_of(const sh_ctx *c, const sh_redir *r)
{
    for (size_t k = 0; k < c->nslots; k++)
        if (c->slots[k]->dest == r)
            return c->slots[k];
    return NULL;
}

static void walk_nested(sh_ctx *c, sh_cmd *cmd, unsigned ctx, int depth)
{
    bool from_stdin = false;
    size_t k = sh_script_arg(cmd, &from_stdin);
    if (k != SIZE_MAX) {
        cmd->nested = parse_nested(c, word_script(c, cmd, k), depth);
        if (cmd->nested)
            sh_walk(c, cmd->nested, cmd, ctx | SH_IN_NESTED, depth + 1);
        return;
    }
    for (size_t i = 0; from_stdin && i < cmd->nredirs; i++) {
        sh_redir *r = &cmd->redirs[i];
        const hd_slot *h = r->op == SH_R_HEREDOC && r->fd <= 0 ? slot_of(c, r) : NULL;
        if (h == NULL || !h->read)
            continue;
        r->script = parse_nested(c, &h->body_text, depth);
        if (r->script)
            sh_walk(c, r->script, cmd, ctx | SH_IN_NESTED, depth + 1);
    }
}

/* ---- the walk ------------------------------------------------------------------ */

static void walk_words(sh_ctx *c, sh_word *w, size_t n, sh_cmd *owner, unsigned ctx, int depth)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < w[i].nsubs; k++)
            sh_walk(c, w[i].subs[k], owner, ctx | SH_IN_SUBST, depth + 1);
}

static void walk_redirs(sh_ctx *c, sh_cmd *cmd, unsigned ctx, int depth)
{
    for (size_t i = 0; i < cmd->nredirs; i++)
        walk_words(c, &cmd->redirs[i].target, 1, cmd, ctx, depth);
}

static void walk_simple(sh_ctx *c, sh_cmd *cmd, unsigned ctx, int depth)
{
    /* substitutions run before the command that uses their output */
    walk_words(c, cmd->assigns, cmd->nassigns, cmd, ctx, depth);
    walk_words(c, cmd->words, cmd->nwords, cmd, ctx, depth);
    walk_redirs(c, cmd, ctx, depth);
    KD_GROW(c->cmds, c->cap_cmds, c->ncmds + 1);
    cmd->index = c->ncmds;
    c->cmds[c->ncmds++] = cmd;
    sh_unwrap(c, cmd);
    walk_nested(c, cmd, ctx, depth);
}

/* the context of list k of a compound command */
static unsigned list_ctx(const sh_cmd *cmd, size_t k)
{
    switch (cmd->kind) {
    case SH_IF:
        if (k == 0)
            return SH_IN_COND;
        if (k == cmd->nlists - 1 && cmd->nlists % 2)
            return SH_IN_BRANCH; /* else */
        return k % 2 ? SH_IN_BRANCH : SH_IN_COND | SH_IN_BRANCH;
    case SH_WHILE:
    case SH_UNTIL:
        return k == 0 ? SH_IN_COND | SH_IN_LOOP : SH_IN_LOOP;
    case SH_FOR:
        return SH_IN_LOOP;
    case SH_CASE:
        return SH_IN_BRANCH;
    case SH_FUNCTION:
        return SH_IN_FUNC;
    case SH_SUBSHELL:
        return SH_IN_SUBSHELL;
    default:
        return 0;
    }
}

void sh_walk(sh_ctx *c, sh_list *l, sh_cmd *parent, unsigned ctx, int depth)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n; i++) {
        sh_cmd *cmd = l->v[i];
        cmd->parent = parent;
        cmd->ctx |= ctx;
        if (cmd->kind == SH_SIMPLE) {
            walk_simple(c, cmd, cmd->ctx, depth);
            continue;
        }
        walk_words(c, cmd->words, cmd->nwords, cmd, cmd->ctx, depth);
        for (size_t k = 0; k < cmd->nlists; k++)
            sh_walk(c, cmd->lists[k], cmd, cmd->ctx | list_ctx(cmd, k), depth + 1);
        walk_redirs(c, cmd, cmd->ctx, depth);
    }
}
