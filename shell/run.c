/* The entry points: a text, or a RUN instruction as BuildKit runs it (the
 * shell form with its heredocs, a heredoc script, the exec form). */
#include "shell/internal.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static sh_script *new_script(sh_ctx *c, const df_file *f)
{
    memset(c, 0, sizeof *c);
    c->a = sh_arena_new();
    c->s = sh_alloc(c->a, sizeof *c->s);
    c->s->arena_ = c->a;
    c->f = f;
    return c->s;
}

/* Walks the model and moves what the context gathered into the script. */
static sh_script *finish(sh_ctx *c)
{
    sh_script *s = c->s;
    sh_walk(c, &s->top, NULL, 0, 0);
    s->cmds = sh_alloc(c->a, (c->ncmds + 1) * sizeof *s->cmds);
    if (c->ncmds)
        memcpy(s->cmds, c->cmds, c->ncmds * sizeof *s->cmds);
    s->ncmds = c->ncmds;
    s->warnings = sh_alloc(c->a, (c->nwarns + 1) * sizeof *s->warnings);
    if (c->nwarns)
        memcpy(s->warnings, c->warns, c->nwarns * sizeof *s->warnings);
    s->nwarnings = c->nwarns;
    s->comments = sh_alloc(c->a, (c->ncomments + 1) * sizeof *s->comments);
    if (c->ncomments)
        memcpy(s->comments, c->comments, c->ncomments * sizeof *s->comments);
    s->ncomments = c->ncomments;
    free(c->cmds);
    free(c->warns);
    free(c->comments);
    return s;
}

static void set_top(sh_script *s, const sh_list *l)
{
    if (l)
        s->top = *l;
}

sh_script *sh_parse(const char *text, size_t len, const sh_origin *o)
{
    sh_ctx c;
    sh_script *s = new_script(&c, o ? o->f : NULL);
    sh_text *t = sh_alloc(c.a, sizeof *t);
    t->s = sh_astrndup(c.a, text, len);
    t->len = len;
    t->omap = o ? o->omap : NULL;
    t->base = o ? o->base : 0;
    set_top(s, sh_parse_text(&c, t, false));
    return finish(&c);
}

void sh_script_free(sh_script *s)
{
    if (s)
        sh_arena_free(s->arena_);
}

/* ---- heredoc scripts ------------------------------------------------------------ */

/* RUN <<EOF: the rest is one heredoc and nothing else, so BuildKit runs the
 * body itself as the script. */
static const sh_redir *lone_heredoc(const sh_list *l)
{
    if (l->n != 1)
        return NULL;
    const sh_cmd *c = l->v[0];
    if (c->kind != SH_SIMPLE || c->nwords || c->nassigns || c->nredirs != 1 ||
        c->redirs[0].op != SH_R_HEREDOC)
        return NULL;
    return &c->redirs[0];
}

/* The interpreter a "#!" line names ("python3" for #!/usr/bin/env python3),
 * or NULL when the body has none. */
static const char *shebang(sh_ctx *c, const char *body, size_t len)
{
    if (len < 2 || body[0] != '#' || body[1] != '!')
        return NULL;
    const char *nl = memchr(body, '\n', len);
    size_t n = nl ? (size_t)(nl - body) : len;
    char *line = sh_astrndup(c->a, body + 2, n - 2);
    const char *words[3] = {NULL, NULL, NULL};
    size_t nw = 0;
    char *save = NULL;
    for (char *tok = strtok_r(line, " \t\r", &save); tok && nw < 3;
         tok = strtok_r(NULL, " \t\r", &save))
        if (nw == 0 || tok[0] != '-' || strcmp(sh_basename(words[0]), "env") != 0)
            words[nw++] = tok;
    if (nw == 0)
        return "";
    const char *name = sh_basename(words[0]);
    return strcmp(name, "env") == 0 && nw > 1 ? sh_basename(words[1]) : name;
}

static void heredoc_script(sh_ctx *c, sh_script *s, const sh_redir *r)
{
    const hd_slot *h = NULL;
    for (size_t k = 0; k < c->nslots; k++)
        if (c->slots[k]->dest == r)
            h = c->slots[k];
    if (h == NULL || !h->read)
        return;
    const char *interp = shebang(c, h->body, h->body_len);
    if (interp && !sh_name_in(interp, strlen(interp), "sh|bash|dash|ash|zsh|ksh|mksh|busybox")) {
        s->interpreter = interp;
        s->top = (sh_list){NULL, 0};
        return;
    }
    const sh_list *l = sh_parse_text(c, &h->body_text, false);
    s->top = l ? *l : (sh_list){NULL, 0};
}

/* ---- shell form ------------------------------------------------------------------- */

/* The index in the logical line of source offset off (omap is increasing). */
static size_t logical_index(const df_instr *in, size_t off)
{
    size_t lo = 0, hi = in->logical_len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (in->omap[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void shell_form(sh_ctx *c, sh_script *s, const df_instr *in)
{
    sh_text *t = sh_alloc(c->a, sizeof *t);
    t->s = sh_astrndup(c->a, in->rest.text, in->rest.len);
    t->len = in->rest.len;
    t->omap = in->omap + logical_index(in, in->rest.span.start.off);
    c->ext = in->heredocs;
    c->n_ext = in->nheredocs;
    set_top(s, sh_parse_text(c, t, true));
    const sh_redir *r = lone_heredoc(&s->top);
    if (r && in->nheredocs)
        heredoc_script(c, s, r);
}

/* ---- exec form -------------------------------------------------------------------- */

/* Maps each byte of a JSON string's value to where it stands in the
 * logical line, by decoding the string again from its opening quote.
 * Returns false when the decoding does not give w's text. */
static bool json_map(const df_instr *in, const df_word *w, size_t *map)
{
    size_t li = logical_index(in, w->span.start.off), o = 0;
    const char *L = in->logical;
    if (li >= in->logical_len || L[li] != '"')
        return false;
    for (size_t i = li + 1; i < in->logical_len && L[i] != '"';) {
        size_t from = i, n = 1;
        if (L[i] == '\\' && i + 1 < in->logical_len) {
            if (L[i + 1] == 'u') {
                char hex[5] = {0};
                memcpy(hex, L + i + 2, i + 6 <= in->logical_len ? 4 : 0);
                long cp = strtol(hex, NULL, 16);
                n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3; /* a surrogate pair's halves give 3 each */
                i += 6;
            } else {
                i += 2;
            }
        } else {
            i++;
        }
        for (size_t k = 0; k < n; k++, o++) {
            if (o >= w->len)
                return false;
            map[o] = in->omap[from];
        }
    }
    map[w->len] = in->omap[li + 1 < in->logical_len ? li + 1 : li];
    return o == w->len;
}

static void exec_text(sh_ctx *c, const df_instr *in, const df_word *w, sh_text *t)
{
    size_t *map = sh_alloc(c->a, (w->len + 1) * sizeof *map);
    if (!json_map(in, w, map))
        for (size_t k = 0; k <= w->len; k++)
            map[k] = w->span.start.off; /* best effort: the element's start */
    t->s = sh_astrndup(c->a, w->text, w->len);
    t->len = w->len;
    t->omap = map;
}

static void exec_form(sh_ctx *c, sh_script *s, const df_instr *in)
{
    s->exec_form = true;
    if (in->nargs == 0)
        return;
    sh_cmd *cmd = sh_alloc(c->a, sizeof *cmd);
    sh_text *texts = sh_alloc(c->a, in->nargs * sizeof *texts);
    cmd->kind = SH_SIMPLE;
    cmd->words = sh_alloc(c->a, in->nargs * sizeof *cmd->words);
    cmd->nwords = in->nargs;
    for (size_t i = 0; i < in->nargs; i++) {
        const df_word *a = &in->args[i];
        sh_word *w = &cmd->words[i];
        size_t so = a->span.start.off, eo = a->span.end.off;
        w->raw = sh_astrndup(c->a, c->f->src + so, eo - so);
        w->raw_len = eo - so;
        w->text = sh_astrndup(c->a, a->text, a->len);
        w->len = a->len;
        w->flags = SH_W_DQUOTED; /* no expansion in the exec form */
        w->span = a->span;
        exec_text(c, in, a, &texts[i]);
    }
    cmd->span = (df_span){in->args[0].span.start, in->args[in->nargs - 1].span.end};
    c->exec_cmd = cmd;
    c->exec_texts = texts;
    s->top.v = sh_alloc(c->a, sizeof *s->top.v);
    s->top.v[0] = cmd;
    s->top.n = 1;
}

sh_script *sh_parse_run(const df_file *f, const df_instr *in)
{
    sh_ctx c;
    sh_script *s = new_script(&c, f);
    if (in && in->kind == DF_RUN) {
        if (in->json)
            exec_form(&c, s, in);
        else if (in->rest.len)
            shell_form(&c, s, in);
    }
    return finish(&c);
}

/* ---- which shell runs a RUN --------------------------------------------------------- */

static bool posix_shell(const char *path)
{
    const char *n = sh_basename(path);
    return sh_name_in(n, strlen(n), "sh|bash|dash|ash|zsh|ksh|mksh|busybox");
}

static bool windows_image(const char *image)
{
    return strcasestr(image, "windows") || strcasestr(image, "nanoserver") ||
           strcasestr(image, "servercore");
}

/* The index one past the last instruction of the stage named name that
 * starts before instruction before, or 0. */
static size_t stage_end(const df_file *f, size_t before, const char *name)
{
    for (size_t k = before; k-- > 0;) {
        const df_instr *in = &f->instrs[k];
        if (in->kind != DF_FROM || in->nargs < 3 || strcasecmp(in->args[2].text, name) != 0)
            continue;
        size_t e = k + 1;
        while (e < f->ninstrs && f->instrs[e].kind != DF_FROM)
            e++;
        return e;
    }
    return 0;
}

bool sh_run_posix(const df_file *f, size_t i)
{
    /* a chain of stages is at most as long as the file */
    for (size_t hops = 0; hops <= f->ninstrs; hops++) {
        size_t k = i < f->ninstrs ? i : f->ninstrs;
        while (k-- > 0) {
            const df_instr *in = &f->instrs[k];
            if (in->kind == DF_SHELL && in->nargs > 0)
                return posix_shell(in->args[0].text);
            if (in->kind == DF_FROM)
                break;
        }
        if (k == (size_t)-1 || f->instrs[k].nargs == 0)
            return true;
        const char *image = f->instrs[k].args[0].text;
        size_t e = stage_end(f, k, image);
        if (e == 0)
            return !windows_image(image);
        i = e;
    }
    return true;
}
