/* The tokenizer: POSIX token recognition (XCU 2.3) with the bash forms
 * Dockerfiles use ($'...', <<<, &>, |&, <( ), arrays). A word keeps its
 * value with quotes removed and expansions as written; the scripts inside
 * $(...) and backticks are analysed on the spot (the grammar decides where
 * a $( ends, as bash does), heredoc bodies are read at the next newline. */
#include "shell/internal.h"
#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* characters that end an unquoted word */
static bool is_meta(char ch)
{
    return ch == '|' || ch == '&' || ch == ';' || ch == '<' || ch == '>' || ch == '(' ||
           ch == ')' || ch == '\n';
}

static bool is_name_start(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool is_name_char(char ch)
{
    return is_name_start(ch) || (ch >= '0' && ch <= '9');
}

/* a carriage return before a newline (CRLF heredoc bodies) counts as blank */
static bool is_cr_blank(const sh_text *t, size_t i)
{
    return t->s[i] == '\r' && (i + 1 == t->len || t->s[i + 1] == '\n');
}

/* ---- building a word ------------------------------------------------------ */

/* Warnings come from the analysis, not from recomputing a word's value. */
#define lwarn(lx, at, ...)                                                                         \
    do {                                                                                           \
        if (!(lx)->value_mode)                                                                     \
            sh_warn((lx)->c, (lx)->t, (at), __VA_ARGS__);                                          \
    } while (0)

static void put(lexer *lx, char ch, size_t at)
{
    kd_buf_addc(&lx->wtext, ch);
    if (lx->value_mode) {
        KD_GROW(lx->wmap, lx->cap_wmap, lx->wtext.len);
        lx->wmap[lx->wtext.len - 1] = at;
    }
}

static void put_raw(lexer *lx, size_t lo, size_t hi)
{
    for (size_t i = lo; i < hi; i++)
        put(lx, lx->t->s[i], i);
}

static void add_sub(lexer *lx, sh_list *l)
{
    if (l == NULL)
        return;
    SH_AGROW(lx->c->a, lx->subs, lx->cap_subs, lx->nsubs + 1);
    lx->subs[lx->nsubs++] = l;
}

static size_t scan_dollar(lexer *lx, size_t i, unsigned *fl, bool in_dq);
static size_t scan_backtick(lexer *lx, size_t i, unsigned *fl, bool in_dq);

/* \c outside quotes; a backslash-newline disappears */
static size_t scan_backslash(lexer *lx, size_t i, unsigned *fl)
{
    const sh_text *t = lx->t;
    if (i + 1 >= t->len) {
        put(lx, '\\', i);
        return i + 1;
    }
    if (t->s[i + 1] == '\n')
        return i + 2;
    if (t->s[i + 1] == '\r' && i + 2 < t->len && t->s[i + 2] == '\n')
        return i + 3;
    *fl |= SH_W_ESCAPED;
    put(lx, t->s[i + 1], i + 1);
    return i + 2;
}

static size_t scan_squote(lexer *lx, size_t i, unsigned *fl)
{
    const sh_text *t = lx->t;
    *fl |= SH_W_SQUOTED;
    const char *q = memchr(t->s + i + 1, '\'', t->len - i - 1);
    size_t end = q ? (size_t)(q - t->s) : t->len;
    put_raw(lx, i + 1, end);
    if (q == NULL) {
        lwarn(lx, i, "unterminated single quote");
        return t->len;
    }
    return end + 1;
}

/* $'...': the escapes that matter for a value; others are kept as written */
static size_t scan_ansi(lexer *lx, size_t i, unsigned *fl)
{
    const sh_text *t = lx->t;
    static const char from[] = "ntr\\'\"abefv", to[] = "\n\t\r\\'\"\a\b\033\f\v";
    *fl |= SH_W_SQUOTED;
    size_t j = i + 2;
    while (j < t->len && t->s[j] != '\'') {
        const char *e = t->s[j] == '\\' && j + 1 < t->len ? strchr(from, t->s[j + 1]) : NULL;
        if (e && *e) {
            put(lx, to[e - from], j + 1);
            j += 2;
        } else {
            if (t->s[j] == '\\' && j + 1 < t->len) {
                put(lx, '\\', j);
                j++;
            }
            put(lx, t->s[j], j);
            j++;
        }
    }
    if (j >= t->len) {
        lwarn(lx, i, "unterminated $' quote");
        return t->len;
    }
    return j + 1;
}

static size_t scan_dquote(lexer *lx, size_t i, unsigned *fl)
{
    const sh_text *t = lx->t;
    *fl |= SH_W_DQUOTED;
    size_t j = i + 1;
    while (j < t->len && !lx->c->abort) {
        char ch = t->s[j];
        if (ch == '"')
            return j + 1;
        if (ch == '\\' && j + 1 < t->len) {
            char nx = t->s[j + 1];
            if (nx == '\n') {
                j += 2;
            } else if (strchr("$`\"\\", nx)) {
                put(lx, nx, j + 1);
                j += 2;
            } else {
                put(lx, ch, j++);
            }
        } else if (ch == '$') {
            j = scan_dollar(lx, j, fl, true);
        } else if (ch == '`') {
            j = scan_backtick(lx, j, fl, true);
        } else {
            put(lx, ch, j++);
        }
    }
    if (!lx->c->abort)
        lwarn(lx, i, "unterminated double quote");
    return t->len;
}

/* The end of "${...}" starting at i (the '$'), or 0 when it never closes.
 * Quotes inside are skipped; nested ${ count. */
static size_t brace_end(const sh_text *t, size_t i)
{
    size_t depth = 1, j = i + 2;
    while (j < t->len) {
        char ch = t->s[j];
        if (ch == '\\') {
            j += 2;
        } else if (ch == '\'' || ch == '"') {
            size_t k = j + 1;
            while (k < t->len && t->s[k] != ch)
                k += ch == '"' && t->s[k] == '\\' ? 2 : 1;
            j = k + 1;
        } else if (ch == '$' && j + 1 < t->len && t->s[j + 1] == '{') {
            depth++;
            j += 2;
        } else if (ch == '}') {
            if (--depth == 0)
                return j + 1;
            j++;
        } else {
            j++;
        }
    }
    return 0;
}

size_t lex_arith_end(const sh_text *t, size_t i)
{
    /* i is at the first of the two '('; balanced parentheses, then "))" */
    if (i + 1 >= t->len || t->s[i] != '(' || t->s[i + 1] != '(')
        return 0;
    size_t depth = 0;
    for (size_t j = i + 2; j < t->len; j++) {
        char ch = t->s[j];
        if (ch == '(') {
            depth++;
        } else if (ch == ')') {
            if (depth > 0) {
                depth--;
                continue;
            }
            return j + 1 < t->len && t->s[j + 1] == ')' ? j + 2 : 0;
        } else if (ch == '\'' || ch == '"' || ch == '`' || ch == '\n') {
            return 0; /* not arithmetic: a command list in parentheses */
        }
    }
    return 0;
}

/* In value mode the script of a $( is not analysed: find its end by
 * counting parentheses outside quotes. */
static size_t paren_end(const sh_text *t, size_t i)
{
    size_t depth = 1;
    for (size_t j = i; j < t->len; j++) {
        char ch = t->s[j];
        if (ch == '\\') {
            j++;
        } else if (ch == '\'' || ch == '"') {
            size_t k = j + 1;
            while (k < t->len && t->s[k] != ch)
                k += ch == '"' && t->s[k] == '\\' ? 2 : 1;
            j = k;
        } else if (ch == '(') {
            depth++;
        } else if (ch == ')' && --depth == 0) {
            return j + 1;
        }
    }
    return t->len;
}

/* $( ... ) or <( ... ) starting at i, its list at at */
static size_t scan_subst(lexer *lx, size_t i, size_t at, unsigned *fl)
{
    size_t end;
    *fl |= SH_W_CMDSUB;
    if (lx->value_mode) {
        end = paren_end(lx->t, at);
    } else {
        add_sub(lx, sh_parse_subst(lx, i, at, &end));
    }
    put_raw(lx, i, end);
    return end;
}

static size_t scan_param(lexer *lx, size_t i, unsigned *fl)
{
    const sh_text *t = lx->t;
    size_t j = i + 1;
    *fl |= SH_W_PARAM;
    if (t->s[j] == '{') {
        j = brace_end(t, i);
        if (j == 0) {
            lwarn(lx, i, "unterminated ${");
            j = t->len;
        }
    } else if (is_name_start(t->s[j])) {
        while (j < t->len && is_name_char(t->s[j]))
            j++;
    } else {
        j++; /* $1 $@ $* $# $? $- $$ $! */
    }
    put_raw(lx, i, j);
    return j;
}

static size_t scan_dollar(lexer *lx, size_t i, unsigned *fl, bool in_dq)
{
    const sh_text *t = lx->t;
    if (i + 1 >= t->len) {
        put(lx, '$', i);
        return i + 1;
    }
    char nx = t->s[i + 1];
    if (nx == '(') {
        size_t e = i + 2 < t->len && t->s[i + 2] == '(' ? lex_arith_end(t, i + 1) : 0;
        if (e) {
            *fl |= SH_W_ARITH;
            put_raw(lx, i, e);
            return e;
        }
        return scan_subst(lx, i, i + 2, fl);
    }
    if (nx == '{' || is_name_start(nx) || (nx >= '0' && nx <= '9') || strchr("@*#?-$!", nx))
        return scan_param(lx, i, fl);
    if (nx == '\'' && !in_dq)
        return scan_ansi(lx, i, fl);
    if (nx == '"' && !in_dq)
        return scan_dquote(lx, i + 1, fl);
    put(lx, '$', i);
    return i + 1;
}

/* `...`: inside, a backslash escapes $ ` \ (and " within double quotes);
 * the unescaped text is analysed as a script of its own. */
static size_t scan_backtick(lexer *lx, size_t i, unsigned *fl, bool in_dq)
{
    const sh_text *t = lx->t;
    kd_buf in = KD_BUF_INIT;
    size_t *map = NULL, cap = 0, j = i + 1;
    *fl |= SH_W_CMDSUB;
    while (j < t->len && t->s[j] != '`') {
        size_t from = j;
        if (t->s[j] == '\\' && j + 1 < t->len &&
            (strchr("$`\\", t->s[j + 1]) || (in_dq && t->s[j + 1] == '"')))
            from = ++j;
        KD_GROW(map, cap, in.len + 2);
        map[in.len] = from;
        kd_buf_addc(&in, t->s[from]);
        j++;
    }
    KD_GROW(map, cap, in.len + 1);
    map[in.len] = j;
    size_t end = j < t->len ? j + 1 : t->len;
    if (j >= t->len)
        lwarn(lx, i, "unterminated backquote");
    if (!lx->value_mode && sh_enter(lx->c, t, i)) {
        const sh_text *sub = sh_text_derived(lx->c, t, kd_buf_str(&in), in.len, map);
        add_sub(lx, sh_parse_text(lx->c, sub, false));
        sh_leave(lx->c);
    }
    kd_buf_free(&in);
    free(map);
    put_raw(lx, i, end);
    return end;
}

/* NAME= or NAME+= at the start of a word */
static bool assign_prefix(const char *s, size_t n)
{
    if (n < 2 || !is_name_start(s[0]))
        return false;
    size_t i = 1;
    while (i < n && is_name_char(s[i]))
        i++;
    if (i < n && s[i] == '+')
        i++;
    return i == n - 1 && s[i] == '=';
}

/* Scans the word at i; returns its end. */
static size_t scan_word(lexer *lx, size_t i, unsigned *fl)
{
    const sh_text *t = lx->t;
    size_t start = i;
    while (i < t->len && !lx->c->abort) {
        char ch = t->s[i];
        if (is_blank(ch) || is_cr_blank(t, i))
            break;
        if (is_meta(ch)) {
            if ((ch == '<' || ch == '>') && i == start && i + 1 < t->len && t->s[i + 1] == '(') {
                i = scan_subst(lx, i, i + 2, fl); /* process substitution */
                continue;
            }
            if (ch == '(' && assign_prefix(t->s + start, i - start)) {
                size_t e = paren_end(t, i + 1); /* bash array: a=(x y) */
                put_raw(lx, i, e);
                i = e;
                continue;
            }
            break;
        }
        switch (ch) {
        case '\\':
            i = scan_backslash(lx, i, fl);
            break;
        case '\'':
            i = scan_squote(lx, i, fl);
            break;
        case '"':
            i = scan_dquote(lx, i, fl);
            break;
        case '`':
            i = scan_backtick(lx, i, fl, false);
            break;
        case '$':
            i = scan_dollar(lx, i, fl, false);
            break;
        case '*':
        case '?':
        case '[':
            *fl |= SH_W_GLOB;
            put(lx, ch, i++);
            break;
        case '~':
            if (i == start)
                *fl |= SH_W_TILDE;
            /* fall through */
        default:
            put(lx, ch, i++);
        }
    }
    return i;
}

void lex_word_value(sh_ctx *c, const sh_text *t, size_t lo, size_t hi, kd_buf *out, size_t **map)
{
    lexer lx;
    lex_init(&lx, c, t, lo);
    lx.value_mode = true;
    unsigned fl = 0;
    /* a sub-text ending at hi: the word cannot run past it */
    sh_text cut = *t;
    cut.len = hi;
    lx.t = &cut;
    scan_word(&lx, lo, &fl);
    KD_GROW(lx.wmap, lx.cap_wmap, lx.wtext.len + 1);
    lx.wmap[lx.wtext.len] = hi;
    *out = lx.wtext;
    *map = lx.wmap;
    lx.wtext = (kd_buf)KD_BUF_INIT;
    lx.wmap = NULL;
    lex_done(&lx);
}

/* ---- heredoc bodies ------------------------------------------------------- */

void hd_slot_apply(hd_slot *h)
{
    if (h->dest == NULL || !h->read)
        return;
    h->dest->body = h->body;
    h->dest->body_len = h->body_len;
    h->dest->body_span = h->span;
    h->dest->body_expands = !h->quoted;
}

void lex_heredoc(lexer *lx, hd_slot *slot)
{
    SH_AGROW(lx->c->a, lx->pend, lx->cap_pend, lx->npend + 1);
    lx->pend[lx->npend++] = slot;
}

static bool is_delim_line(const sh_text *t, size_t ls, size_t le, const hd_slot *h)
{
    if (h->chomp)
        while (ls < le && t->s[ls] == '\t')
            ls++;
    if (le > ls && t->s[le - 1] == '\r')
        le--;
    size_t n = strlen(h->delim);
    return le - ls == n && memcmp(t->s + ls, h->delim, n) == 0;
}

/* Reads the bodies of the pending heredocs from i (just after a newline). */
static size_t read_bodies(lexer *lx, size_t i)
{
    const sh_text *t = lx->t;
    for (size_t k = 0; k < lx->npend; k++) {
        hd_slot *h = lx->pend[k];
        size_t start = i, body_end = t->len;
        bool found = false;
        while (i < t->len) {
            const char *nl = memchr(t->s + i, '\n', t->len - i);
            size_t le = nl ? (size_t)(nl - t->s) : t->len;
            if (is_delim_line(t, i, le, h)) {
                body_end = i;
                found = true;
                i = nl ? le + 1 : le;
                break;
            }
            i = nl ? le + 1 : le;
        }
        if (!found) {
            lwarn(lx, start > 0 ? start - 1 : 0, "heredoc \"%s\" is not terminated", h->delim);
            body_end = t->len;
        }
        h->read = true;
        h->body = t->s + start;
        h->body_len = body_end - start;
        h->span = sh_span(lx->c, t, start, body_end);
        h->body_text = (sh_text){t->s + start, body_end - start, t->omap ? t->omap + start : NULL,
                                 t->base + start};
        hd_slot_apply(h);
    }
    lx->npend = 0;
    return i;
}

/* the next body the Dockerfile parser read for this RUN */
static bool take_ext_body(sh_ctx *c, hd_slot *h)
{
    if (c->next_ext >= c->n_ext)
        return false;
    const df_heredoc *d = &c->ext[c->next_ext++];
    h->read = true;
    h->body = sh_astrndup(c->a, d->content, d->content_len);
    h->body_len = d->content_len;
    h->span = d->body;
    h->body_text = (sh_text){h->body, h->body_len, NULL, d->body.start.off};
    hd_slot_apply(h);
    return true;
}

void lex_finish(lexer *lx)
{
    for (size_t k = 0; k < lx->npend; k++) {
        hd_slot *h = lx->pend[k];
        if (lx->parent) {
            lex_heredoc(lx->parent, h);
        } else if (!(lx->top && take_ext_body(lx->c, h)) && !lx->c->abort) {
            lwarn(lx, lx->t->len, "heredoc \"%s\" has no body", h->delim);
        }
    }
    lx->npend = 0;
}

/* ---- tokens --------------------------------------------------------------- */

static const struct {
    const char *s;
    sh_op op;
} ops[] = {
    /* longest first */
    {";;&", OP_DSEMI_AND}, {"<<<", OP_TLESS},    {"<<-", OP_DLESSDASH}, {"&>>", OP_AND_DGREAT},
    {"&&", OP_AND_IF},     {"||", OP_OR_IF},     {";;", OP_DSEMI},      {";&", OP_SEMI_AND},
    {"|&", OP_PIPE_AMP},   {"<<", OP_DLESS},     {">>", OP_DGREAT},     {"<&", OP_LESSAND},
    {">&", OP_GREATAND},   {"<>", OP_LESSGREAT}, {">|", OP_CLOBBER},    {"&>", OP_AND_GREAT},
    {";", OP_SEMI},        {"&", OP_AMP},        {"|", OP_PIPE},        {"(", OP_LPAREN},
    {")", OP_RPAREN},      {"<", OP_LESS},       {">", OP_GREAT},
};

const char *lex_op_str(sh_op op)
{
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (ops[k].op == op)
            return ops[k].s;
    return "";
}

static size_t match_op(const sh_text *t, size_t i, sh_op *op)
{
    /* most tokens are words: only these bytes start an operator */
    char c = t->s[i];
    if (c != ';' && c != '&' && c != '|' && c != '<' && c != '>' && c != '(' && c != ')')
        return 0;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        if (ops[k].s[0] != c)
            continue;
        size_t n = strlen(ops[k].s);
        if (n <= t->len - i && memcmp(t->s + i, ops[k].s, n) == 0) {
            *op = ops[k].op;
            return n;
        }
    }
    return 0;
}

size_t lex_skip_blanks(const sh_text *t, size_t i)
{
    while (i < t->len) {
        if (is_blank(t->s[i]) || is_cr_blank(t, i))
            i++;
        else if (t->s[i] == '\\' && i + 1 < t->len && t->s[i + 1] == '\n')
            i += 2;
        else if (t->s[i] == '\\' && i + 2 < t->len && t->s[i + 1] == '\r' && t->s[i + 2] == '\n')
            i += 3;
        else
            break;
    }
    return i;
}

static void add_comment(lexer *lx, size_t i, size_t e)
{
    sh_ctx *c = lx->c;
    KD_GROW(c->comments, c->cap_comments, c->ncomments + 1);
    c->comments[c->ncomments++] = (sh_comment){lx->t->s + i, e - i, sh_span(c, lx->t, i, e)};
}

static void make_word(lexer *lx, token *tk, size_t lo, size_t hi, unsigned fl)
{
    sh_word *w = &tk->w;
    w->raw = lx->t->s + lo;
    w->raw_len = hi - lo;
    w->text = sh_astrndup(lx->c->a, lx->wtext.data ? lx->wtext.data : "", lx->wtext.len);
    w->len = lx->wtext.len;
    w->flags = fl;
    w->span = sh_span(lx->c, lx->t, lo, hi);
    w->subs = lx->nsubs ? lx->subs : NULL;
    w->nsubs = lx->nsubs;
    lx->subs = NULL;
    lx->nsubs = lx->cap_subs = 0;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0;
}

static void scan_token(lexer *lx, token *tk)
{
    const sh_text *t = lx->t;
    size_t i = lex_skip_blanks(t, lx->pos);
    while (i < t->len && t->s[i] == '#') {
        const char *nl = memchr(t->s + i, '\n', t->len - i);
        size_t e = nl ? (size_t)(nl - t->s) : t->len;
        add_comment(lx, i, e > i && t->s[e - 1] == '\r' ? e - 1 : e);
        i = e;
    }
    memset(tk, 0, sizeof *tk);
    tk->lo = i;
    if (i >= t->len || lx->c->abort) {
        tk->k = TK_EOF;
        tk->lo = tk->hi = lx->pos = t->len;
        return;
    }
    if (t->s[i] == '\n') {
        tk->k = TK_NEWLINE;
        tk->hi = i + 1;
        lx->pos = lx->npend ? read_bodies(lx, i + 1) : i + 1;
        return;
    }
    size_t n = 0;
    bool procsub = (t->s[i] == '<' || t->s[i] == '>') && i + 1 < t->len && t->s[i + 1] == '(';
    if (!procsub && (n = match_op(t, i, &tk->op)) > 0) {
        tk->k = TK_OP;
        tk->hi = lx->pos = i + n;
        return;
    }
    unsigned fl = 0;
    kd_buf_truncate(&lx->wtext, 0);
    size_t e = scan_word(lx, i, &fl);
    tk->k = e < t->len && (t->s[e] == '<' || t->s[e] == '>') && all_digits(t->s + i, e - i)
                ? TK_IONUM
                : TK_WORD;
    tk->hi = lx->pos = e;
    make_word(lx, tk, i, e, fl);
}

void lex_init(lexer *lx, sh_ctx *c, const sh_text *t, size_t pos)
{
    memset(lx, 0, sizeof *lx);
    lx->c = c;
    lx->t = t;
    lx->pos = pos;
}

void lex_done(lexer *lx)
{
    kd_buf_free(&lx->wtext);
    free(lx->wmap);
}

token *lex_peek(lexer *lx)
{
    if (!lx->peeked) {
        scan_token(lx, &lx->tok);
        lx->peeked = true;
    }
    return &lx->tok;
}

token lex_next(lexer *lx)
{
    lex_peek(lx);
    lx->peeked = false;
    lx->last_hi = lx->tok.hi;
    return lx->tok;
}

void lex_seek(lexer *lx, size_t pos)
{
    lx->peeked = false;
    lx->pos = pos;
}
