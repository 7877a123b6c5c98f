#include "shell_dump.h"
#include "util/buf.h"

#include <string.h>

static void dump_list(kd_buf *b, const sh_list *l);

static void dump_word(kd_buf *b, const sh_word *w)
{
    kd_buf_add(b, w->text, w->len);
}

static void dump_redir(kd_buf *b, const sh_redir *r)
{
    static const char *const ops[] = {"<",  ">",  ">>",  ">|", "<>", "<&",
                                      ">&", "<<", "<<<", "&>", "&>>"};
    kd_buf_addc(b, ' ');
    if (r->fd >= 0)
        kd_buf_addf(b, "%d", r->fd);
    kd_buf_adds(b, ops[r->op]);
    if (r->op == SH_R_HEREDOC && r->chomp)
        kd_buf_addc(b, '-');
    dump_word(b, &r->target);
    if (r->op == SH_R_HEREDOC) {
        kd_buf_addc(b, '[');
        if (r->script)
            dump_list(b, r->script);
        else if (r->body)
            kd_buf_add(b, r->body, r->body_len);
        kd_buf_addc(b, ']');
    }
}

static void dump_simple(kd_buf *b, const sh_cmd *c)
{
    bool sp = false;
    for (size_t i = 0; i < c->nassigns; i++, sp = true) {
        if (sp)
            kd_buf_addc(b, ' ');
        dump_word(b, &c->assigns[i]);
    }
    for (size_t i = 0; i < c->nwords; i++) {
        if (i == c->argv0 && i > 0)
            kd_buf_addc(b, ':');
        else if (sp)
            kd_buf_addc(b, ' ');
        dump_word(b, &c->words[i]);
        sp = true;
    }
    if (c->nested) {
        kd_buf_adds(b, "[");
        dump_list(b, c->nested);
        kd_buf_adds(b, "]");
    }
    for (size_t i = 0; i < c->nredirs; i++)
        dump_redir(b, &c->redirs[i]);
}

static void dump_part(kd_buf *b, const char *name, const sh_list *l)
{
    kd_buf_adds(b, name);
    kd_buf_addc(b, '[');
    dump_list(b, l);
    kd_buf_addc(b, ']');
}

static void dump_words(kd_buf *b, const sh_cmd *c, size_t from, const char *sep)
{
    for (size_t i = from; i < c->nwords; i++) {
        if (i > from)
            kd_buf_adds(b, sep);
        dump_word(b, &c->words[i]);
    }
}

static void dump_if(kd_buf *b, const sh_cmd *c)
{
    for (size_t k = 0; k < c->nlists; k++) {
        const char *name = k == 0                                ? "if"
                           : k == c->nlists - 1 && c->nlists % 2 ? "else"
                           : k % 2                               ? "then"
                                                                 : "elif";
        dump_part(b, name, c->lists[k]);
    }
}

static void dump_compound(kd_buf *b, const sh_cmd *c)
{
    switch (c->kind) {
    case SH_SUBSHELL:
        kd_buf_addc(b, '(');
        dump_list(b, c->lists[0]);
        kd_buf_addc(b, ')');
        break;
    case SH_GROUP:
        kd_buf_adds(b, "{ ");
        dump_list(b, c->lists[0]);
        kd_buf_adds(b, " }");
        break;
    case SH_IF:
        dump_if(b, c);
        break;
    case SH_WHILE:
    case SH_UNTIL:
        dump_part(b, c->kind == SH_WHILE ? "while" : "until", c->lists[0]);
        if (c->nlists > 1)
            dump_part(b, "do", c->lists[1]);
        break;
    case SH_FOR:
        kd_buf_adds(b, "for ");
        dump_words(b, c, 0, " ");
        if (c->nlists)
            dump_part(b, " do", c->lists[0]);
        break;
    case SH_CASE:
        kd_buf_adds(b, "case ");
        dump_words(b, c, 0, "|");
        for (size_t k = 0; k < c->nlists; k++)
            dump_part(b, " item", c->lists[k]);
        break;
    case SH_FUNCTION:
        if (c->nwords)
            dump_word(b, &c->words[0]);
        dump_part(b, "()", c->lists[0]);
        break;
    case SH_ARITH:
        dump_words(b, c, 0, " ");
        break;
    default:
        break;
    }
    for (size_t i = 0; i < c->nredirs; i++)
        dump_redir(b, &c->redirs[i]);
}

static void dump_list(kd_buf *b, const sh_list *l)
{
    for (size_t i = 0; l && i < l->n; i++) {
        const sh_cmd *c = l->v[i];
        if (c->negated)
            kd_buf_adds(b, "! ");
        if (c->kind == SH_SIMPLE)
            dump_simple(b, c);
        else
            dump_compound(b, c);
        if (c->conn == SH_NEWLINE)
            kd_buf_adds(b, " NL ");
        else if (c->conn != SH_END)
            kd_buf_addf(b, " %s ", sh_conn_str(c->conn));
    }
}

char *shd_dump(const sh_script *s)
{
    kd_buf b = KD_BUF_INIT;
    dump_list(&b, &s->top);
    return kd_buf_detach(&b, NULL);
}

char *shd_cmds(const sh_script *s)
{
    static const struct {
        unsigned bit;
        char ch;
    } ctx[] = {{SH_IN_SUBST, 'S'},  {SH_IN_NESTED, 'N'}, {SH_IN_COND, 'C'},
               {SH_IN_BRANCH, 'B'}, {SH_IN_LOOP, 'L'},   {SH_IN_FUNC, 'F'},
               {SH_IN_PIPE, 'P'},   {SH_IN_BG, 'G'},     {SH_IN_SUBSHELL, 'H'}};
    kd_buf b = KD_BUF_INIT;
    for (size_t i = 0; i < s->ncmds; i++) {
        if (i)
            kd_buf_addc(&b, ' ');
        const char *n = sh_cmd_name(s->cmds[i]);
        kd_buf_adds(&b, *n ? n : "-");
        if (s->cmds[i]->ctx)
            kd_buf_addc(&b, '@');
        for (size_t k = 0; k < sizeof ctx / sizeof ctx[0]; k++)
            if (s->cmds[i]->ctx & ctx[k].bit)
                kd_buf_addc(&b, ctx[k].ch);
    }
    return kd_buf_detach(&b, NULL);
}

char *shd_warnings(const sh_script *s)
{
    kd_buf b = KD_BUF_INIT;
    for (size_t i = 0; i < s->nwarnings; i++) {
        if (i)
            kd_buf_adds(&b, "; ");
        kd_buf_addf(&b, "%u:%u %s", s->warnings[i].span.start.line, s->warnings[i].span.start.col,
                    s->warnings[i].msg);
    }
    return kd_buf_detach(&b, NULL);
}
