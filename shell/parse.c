/* The grammar (XCU 2.10) as recursive descent over the tokenizer, building
 * the command-list model. And/or lists and pipelines are kept flat in their
 * list, each command carrying the connector to the next one. Bad input gets
 * a warning and the parser skips the token it cannot use, so it always ends;
 * every nested construct goes through sh_enter() so the depth is bounded. */
#include "shell/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cmdvec {
    sh_cmd **v;
    size_t n, cap;
} cmdvec;

typedef struct redvec {
    sh_redir *v;
    hd_slot **slots;
    size_t n, cap, cap_slots;
} redvec;

typedef struct wordvec {
    sh_word *v;
    size_t n, cap;
} wordvec;

typedef struct listvec {
    sh_list **v;
    size_t n, cap;
} listvec;

static sh_list *parse_list(lexer *lx);
static sh_cmd *parse_command(lexer *lx);

/* ---- small helpers ---------------------------------------------------------- */

static void cv_push(lexer *lx, cmdvec *cv, sh_cmd *x)
{
    SH_AGROW(lx->c->a, cv->v, cv->cap, cv->n + 1);
    cv->v[cv->n++] = x;
}

static void wv_push(lexer *lx, wordvec *wv, const sh_word *w)
{
    SH_AGROW(lx->c->a, wv->v, wv->cap, wv->n + 1);
    wv->v[wv->n++] = *w;
}

static void take_word(lexer *lx, wordvec *wv)
{
    token tk = lex_next(lx);
    wv_push(lx, wv, &tk.w);
}

static void lv_push(lexer *lx, listvec *lv, sh_list *l)
{
    SH_AGROW(lx->c->a, lv->v, lv->cap, lv->n + 1);
    lv->v[lv->n++] = l;
}

static sh_list *cv_list(lexer *lx, cmdvec *cv)
{
    sh_list *l = sh_alloc(lx->c->a, sizeof *l);
    l->v = cv->v;
    l->n = cv->n;
    if (l->n)
        l->v[l->n - 1]->conn = SH_END;
    return l;
}

static sh_cmd *new_cmd(lexer *lx, sh_cmd_kind kind, size_t lo)
{
    sh_cmd *c = sh_alloc(lx->c->a, sizeof *c);
    c->kind = kind;
    c->conn = SH_END;
    c->text_ = lx->t;
    c->span = sh_span(lx->c, lx->t, lo, lo);
    return c;
}

/* the command's span runs from lo to the end of the last token taken */
static sh_cmd *end_cmd(lexer *lx, sh_cmd *c, size_t lo)
{
    c->span = sh_span(lx->c, lx->t, lo, lx->last_hi > lo ? lx->last_hi : lo);
    return c;
}

static bool is_word(const token *tk, const char *kw)
{
    size_t n = strlen(kw);
    return tk->k == TK_WORD && tk->w.raw_len == n && memcmp(tk->w.raw, kw, n) == 0;
}

static bool is_op(const token *tk, sh_op op)
{
    return tk->k == TK_OP && tk->op == op;
}

/* reserved words that end a list */
static bool is_closer(const token *tk)
{
    static const char *const closers[] = {"then", "else", "elif", "fi", "do", "done", "esac", "}"};
    for (size_t k = 0; k < sizeof closers / sizeof closers[0]; k++)
        if (is_word(tk, closers[k]))
            return true;
    return false;
}

static void warn_tok(lexer *lx, const token *tk, const char *what)
{
    if (lx->c->abort)
        return;
    if (tk->k == TK_EOF)
        sh_warn(lx->c, lx->t, tk->lo, "%s, found the end of the script", what);
    else if (tk->k == TK_NEWLINE)
        sh_warn(lx->c, lx->t, tk->lo, "%s, found a newline", what);
    else if (tk->k == TK_OP)
        sh_warn(lx->c, lx->t, tk->lo, "%s, found \"%s\"", what, lex_op_str(tk->op));
    else
        sh_warn(lx->c, lx->t, tk->lo, "%s, found \"%.*s\"", what, (int)tk->w.raw_len, tk->w.raw);
}

/* Takes the reserved word kw, or warns (naming what opened the construct). */
static bool expect_word(lexer *lx, const char *kw, const char *opener)
{
    token *tk = lex_peek(lx);
    if (is_word(tk, kw)) {
        lex_next(lx);
        return true;
    }
    char what[64];
    snprintf(what, sizeof what, "\"%s\" expected to go on \"%s\"", kw, opener);
    warn_tok(lx, tk, what);
    return false;
}

static void skip_newlines(lexer *lx)
{
    while (lex_peek(lx)->k == TK_NEWLINE)
        lex_next(lx);
}

/* ---- redirections ----------------------------------------------------------- */

static bool redir_op(sh_op op, sh_redir_op *out)
{
    static const struct {
        sh_op op;
        sh_redir_op r;
    } map[] = {
        {OP_LESS, SH_R_IN},          {OP_GREAT, SH_R_OUT},         {OP_DGREAT, SH_R_APPEND},
        {OP_CLOBBER, SH_R_CLOBBER},  {OP_LESSGREAT, SH_R_RDWR},    {OP_LESSAND, SH_R_DUP_IN},
        {OP_GREATAND, SH_R_DUP_OUT}, {OP_DLESS, SH_R_HEREDOC},     {OP_DLESSDASH, SH_R_HEREDOC},
        {OP_TLESS, SH_R_HERESTR},    {OP_AND_GREAT, SH_R_OUT_ERR}, {OP_AND_DGREAT, SH_R_APPEND_ERR},
    };
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (map[k].op == op) {
            *out = map[k].r;
            return true;
        }
    return false;
}

static bool at_redirect(lexer *lx)
{
    token *tk = lex_peek(lx);
    sh_redir_op r;
    return tk->k == TK_IONUM || (tk->k == TK_OP && redir_op(tk->op, &r));
}

static int parse_fd(const sh_word *w)
{
    long v = 0;
    for (size_t i = 0; i < w->len && v < 1000000; i++)
        v = v * 10 + (w->text[i] - '0');
    return (int)v;
}

static void rv_push(lexer *lx, redvec *rv, const sh_redir *r, hd_slot *slot)
{
    SH_AGROW(lx->c->a, rv->v, rv->cap, rv->n + 1);
    SH_AGROW(lx->c->a, rv->slots, rv->cap_slots, rv->n + 1);
    rv->v[rv->n] = *r;
    rv->slots[rv->n++] = slot;
}

/* A heredoc's body is read at the next newline: it must be registered
 * before the lexer looks past its delimiter. */
static hd_slot *new_heredoc(lexer *lx, const sh_redir *r)
{
    sh_ctx *c = lx->c;
    hd_slot *h = sh_alloc(c->a, sizeof *h);
    h->delim = r->target.text;
    h->chomp = r->chomp;
    h->quoted = (r->target.flags & SH_W_QUOTED) != 0;
    SH_AGROW(c->a, c->slots, c->cap_slots, c->nslots + 1);
    c->slots[c->nslots++] = h;
    lex_heredoc(lx, h);
    return h;
}

static void parse_redirect(lexer *lx, redvec *rv)
{
    sh_redir r = {.fd = -1};
    token tk = lex_next(lx);
    size_t lo = tk.lo;
    if (tk.k == TK_IONUM) {
        r.fd = parse_fd(&tk.w);
        tk = lex_next(lx); /* the lexer saw < or > right after the number */
    }
    redir_op(tk.op, &r.op);
    r.chomp = tk.op == OP_DLESSDASH;
    token *t2 = lex_peek(lx);
    if (t2->k == TK_WORD || t2->k == TK_IONUM) {
        r.target = lex_next(lx).w;
    } else {
        warn_tok(lx, t2, "a redirection needs a target");
        r.target.raw = r.target.text = "";
        r.target.span = sh_span(lx->c, lx->t, tk.hi, tk.hi);
    }
    r.span = sh_span(lx->c, lx->t, lo, lx->last_hi);
    hd_slot *slot = r.op == SH_R_HEREDOC ? new_heredoc(lx, &r) : NULL;
    rv_push(lx, rv, &r, slot);
}

/* Moves the redirections into the command; heredoc bodies already read
 * are copied now, later ones when the lexer reaches them. */
static void set_redirs(sh_cmd *c, redvec *rv)
{
    c->redirs = rv->v;
    c->nredirs = rv->n;
    for (size_t k = 0; k < rv->n; k++)
        if (rv->slots[k]) {
            rv->slots[k]->dest = &c->redirs[k];
            hd_slot_apply(rv->slots[k]);
        }
}

static void parse_trailing_redirs(lexer *lx, sh_cmd *c)
{
    redvec rv = {0};
    while (at_redirect(lx) && !lx->c->abort)
        parse_redirect(lx, &rv);
    set_redirs(c, &rv);
}

/* ---- simple commands ---------------------------------------------------------- */

static bool is_assignment(const sh_word *w)
{
    const char *s = w->raw;
    size_t n = w->raw_len, i = 0;
    if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
        return false;
    while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                     (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
        i++;
    if (i < n && s[i] == '[') { /* bash a[i]=x */
        const char *e = memchr(s + i, ']', n - i);
        i = e ? (size_t)(e - s) + 1 : n;
    }
    if (i < n && s[i] == '+')
        i++;
    return i < n && s[i] == '=';
}

/* Inside [[ ... ]] the operators && || < > ( ) are words of the test. */
static sh_word op_as_word(lexer *lx, const token *tk)
{
    sh_word w = {0};
    w.raw = lx->t->s + tk->lo;
    w.raw_len = tk->hi - tk->lo;
    w.text = sh_astrndup(lx->c->a, w.raw, w.raw_len);
    w.len = w.raw_len;
    w.span = sh_span(lx->c, lx->t, tk->lo, tk->hi);
    return w;
}

static bool cond_op(const token *tk)
{
    return tk->k == TK_OP && tk->op != OP_SEMI && tk->op != OP_AMP && tk->op != OP_DSEMI &&
           tk->op != OP_SEMI_AND && tk->op != OP_DSEMI_AND;
}

static sh_cmd *parse_simple(lexer *lx)
{
    token *tk = lex_peek(lx);
    size_t lo = tk->lo;
    sh_cmd *c = new_cmd(lx, SH_SIMPLE, lo);
    wordvec assigns = {0}, words = {0};
    redvec rv = {0};
    bool in_test = false;
    while (!lx->c->abort) {
        tk = lex_peek(lx);
        if (in_test && cond_op(tk)) {
            sh_word w = op_as_word(lx, tk);
            lex_next(lx);
            wv_push(lx, &words, &w);
        } else if (at_redirect(lx)) {
            parse_redirect(lx, &rv);
        } else if (tk->k == TK_WORD) {
            token w = lex_next(lx);
            if (words.n == 0 && is_assignment(&w.w)) {
                wv_push(lx, &assigns, &w.w);
                continue;
            }
            if (words.n == 0 && is_word(&w, "[["))
                in_test = true;
            else if (in_test && is_word(&w, "]]"))
                in_test = false;
            wv_push(lx, &words, &w.w);
        } else {
            break;
        }
    }
    if (assigns.n + words.n + rv.n == 0)
        return NULL;
    c->assigns = assigns.v;
    c->nassigns = assigns.n;
    c->words = words.v;
    c->nwords = words.n;
    set_redirs(c, &rv);
    return end_cmd(lx, c, lo);
}

/* ---- compound commands -------------------------------------------------------- */

static sh_cmd *compound(sh_cmd *c, listvec *lv)
{
    c->lists = lv->v;
    c->nlists = lv->n;
    return c;
}

static sh_cmd *parse_if(lexer *lx, sh_cmd *c)
{
    listvec lv = {0};
    lex_next(lx);
    lv_push(lx, &lv, parse_list(lx));
    if (expect_word(lx, "then", "if"))
        lv_push(lx, &lv, parse_list(lx));
    while (!lx->c->abort) {
        token *tk = lex_peek(lx);
        if (is_word(tk, "elif")) {
            lex_next(lx);
            lv_push(lx, &lv, parse_list(lx));
            if (expect_word(lx, "then", "elif"))
                lv_push(lx, &lv, parse_list(lx));
        } else if (is_word(tk, "else")) {
            lex_next(lx);
            if (lv.n % 2)
                lv_push(lx, &lv, sh_alloc(lx->c->a, sizeof(sh_list))); /* keep else last */
            lv_push(lx, &lv, parse_list(lx));
            expect_word(lx, "fi", "if");
            break;
        } else {
            expect_word(lx, "fi", "if");
            break;
        }
    }
    return compound(c, &lv);
}

static void parse_do_done(lexer *lx, listvec *lv, const char *opener)
{
    skip_newlines(lx);
    if (expect_word(lx, "do", opener)) {
        lv_push(lx, lv, parse_list(lx));
        expect_word(lx, "done", opener);
    }
}

static sh_cmd *parse_while(lexer *lx, sh_cmd *c)
{
    listvec lv = {0};
    token kw = lex_next(lx);
    lv_push(lx, &lv, parse_list(lx));
    parse_do_done(lx, &lv, is_word(&kw, "while") ? "while" : "until");
    return compound(c, &lv);
}

/* (( ... )) as one word, for `((i++))` and `for ((;;))` */
static bool take_arith(lexer *lx, wordvec *wv)
{
    token *tk = lex_peek(lx);
    size_t e = is_op(tk, OP_LPAREN) ? lex_arith_end(lx->t, tk->lo) : 0;
    if (e == 0)
        return false;
    token fake = {.k = TK_WORD, .lo = tk->lo, .hi = e};
    sh_word w = op_as_word(lx, &fake);
    w.flags = SH_W_ARITH;
    lex_seek(lx, e);
    lx->last_hi = e;
    wv_push(lx, wv, &w);
    return true;
}

static sh_cmd *parse_for(lexer *lx, sh_cmd *c)
{
    listvec lv = {0};
    wordvec wv = {0};
    lex_next(lx);
    if (!take_arith(lx, &wv)) {
        token *tk = lex_peek(lx);
        if (tk->k == TK_WORD)
            take_word(lx, &wv);
        else
            warn_tok(lx, tk, "a variable name expected after \"for\"");
        skip_newlines(lx);
        if (is_word(lex_peek(lx), "in")) {
            lex_next(lx);
            while (lex_peek(lx)->k == TK_WORD)
                take_word(lx, &wv);
        }
    }
    if (is_op(lex_peek(lx), OP_SEMI))
        lex_next(lx);
    parse_do_done(lx, &lv, "for");
    c->words = wv.v;
    c->nwords = wv.n;
    return compound(c, &lv);
}

/* pattern [| pattern]... ) of one case item; false when none was there */
static bool parse_patterns(lexer *lx, wordvec *wv)
{
    bool any = false;
    if (is_op(lex_peek(lx), OP_LPAREN)) {
        lex_next(lx);
        any = true;
    }
    while (lex_peek(lx)->k == TK_WORD) {
        take_word(lx, wv);
        any = true;
        if (!is_op(lex_peek(lx), OP_PIPE))
            break;
        lex_next(lx);
    }
    if (is_op(lex_peek(lx), OP_RPAREN)) {
        lex_next(lx);
        return true;
    }
    warn_tok(lx, lex_peek(lx), "\")\" expected after a case pattern");
    return any;
}

static bool case_item_end(const token *tk)
{
    return is_op(tk, OP_DSEMI) || is_op(tk, OP_SEMI_AND) || is_op(tk, OP_DSEMI_AND);
}

static sh_cmd *parse_case(lexer *lx, sh_cmd *c)
{
    listvec lv = {0};
    wordvec wv = {0};
    token kw = lex_next(lx);
    token *tk = lex_peek(lx);
    if (tk->k == TK_WORD)
        take_word(lx, &wv);
    else
        warn_tok(lx, tk, "a word expected after \"case\"");
    skip_newlines(lx);
    expect_word(lx, "in", "case");
    skip_newlines(lx);
    while (!lx->c->abort) {
        tk = lex_peek(lx);
        if (is_word(tk, "esac")) {
            lex_next(lx);
            break;
        }
        if (tk->k == TK_EOF) {
            sh_warn(lx->c, lx->t, kw.lo, "\"case\" without \"esac\"");
            break;
        }
        if (!parse_patterns(lx, &wv))
            break;
        lv_push(lx, &lv, parse_list(lx));
        if (case_item_end(lex_peek(lx))) {
            lex_next(lx);
            skip_newlines(lx);
        } else if (!is_word(lex_peek(lx), "esac")) {
            warn_tok(lx, lex_peek(lx), "\";;\" or \"esac\" expected after a case item");
            break;
        }
    }
    c->words = wv.v;
    c->nwords = wv.n;
    return compound(c, &lv);
}

static sh_cmd *parse_group(lexer *lx, sh_cmd *c, bool subshell)
{
    listvec lv = {0};
    lex_next(lx);
    lv_push(lx, &lv, parse_list(lx));
    if (subshell) {
        if (is_op(lex_peek(lx), OP_RPAREN))
            lex_next(lx);
        else
            warn_tok(lx, lex_peek(lx), "\")\" expected to close \"(\"");
    } else {
        expect_word(lx, "}", "{");
    }
    return compound(c, &lv);
}

/* "name ( )" follows at i? Returns the offset after ')' or 0. */
static size_t funcdef_parens(const sh_text *t, size_t i)
{
    i = lex_skip_blanks(t, i);
    if (i >= t->len || t->s[i] != '(')
        return 0;
    i = lex_skip_blanks(t, i + 1);
    return i < t->len && t->s[i] == ')' ? i + 1 : 0;
}

static sh_cmd *parse_function(lexer *lx, sh_cmd *c, bool keyword)
{
    wordvec wv = {0};
    listvec lv = {0};
    cmdvec body = {0};
    if (keyword)
        lex_next(lx);
    token name = lex_next(lx);
    if (name.k == TK_WORD)
        wv_push(lx, &wv, &name.w);
    size_t e = funcdef_parens(lx->t, name.hi);
    if (e) {
        lex_seek(lx, e);
        lx->last_hi = e;
    }
    skip_newlines(lx);
    sh_cmd *b = parse_command(lx);
    if (b)
        cv_push(lx, &body, b);
    else
        warn_tok(lx, lex_peek(lx), "a function body expected");
    lv_push(lx, &lv, cv_list(lx, &body));
    c->words = wv.v;
    c->nwords = wv.n;
    return compound(c, &lv);
}

static sh_cmd *parse_arith(lexer *lx, sh_cmd *c)
{
    wordvec wv = {0};
    take_arith(lx, &wv);
    c->words = wv.v;
    c->nwords = wv.n;
    return c;
}

/* The compound command starting at the peeked token, or NULL. */
static sh_cmd *parse_compound(lexer *lx)
{
    token *tk = lex_peek(lx);
    static const struct {
        const char *kw;
        sh_cmd_kind kind;
    } kws[] = {{"if", SH_IF},     {"while", SH_WHILE}, {"until", SH_UNTIL},      {"for", SH_FOR},
               {"case", SH_CASE}, {"{", SH_GROUP},     {"function", SH_FUNCTION}};
    sh_cmd_kind kind = SH_SIMPLE;
    bool keyword = true;
    for (size_t k = 0; k < sizeof kws / sizeof kws[0]; k++)
        if (is_word(tk, kws[k].kw))
            kind = kws[k].kind;
    if (is_op(tk, OP_LPAREN)) {
        kind = lex_arith_end(lx->t, tk->lo) ? SH_ARITH : SH_SUBSHELL;
    } else if (kind == SH_SIMPLE && tk->k == TK_WORD &&
               !(tk->w.flags & (SH_W_QUOTED | SH_W_EXPANDS)) && !is_assignment(&tk->w) &&
               funcdef_parens(lx->t, tk->hi)) {
        kind = SH_FUNCTION; /* name ( ) body */
        keyword = false;
    }
    if (kind == SH_SIMPLE)
        return NULL;
    size_t lo = tk->lo;
    if (!sh_enter(lx->c, lx->t, lo))
        return NULL;
    sh_cmd *c = new_cmd(lx, kind, lo);
    switch (kind) {
    case SH_IF:
        c = parse_if(lx, c);
        break;
    case SH_WHILE:
    case SH_UNTIL:
        c = parse_while(lx, c);
        break;
    case SH_FOR:
        c = parse_for(lx, c);
        break;
    case SH_CASE:
        c = parse_case(lx, c);
        break;
    case SH_FUNCTION:
        c = parse_function(lx, c, keyword);
        break;
    case SH_ARITH:
        c = parse_arith(lx, c);
        break;
    default:
        c = parse_group(lx, c, kind == SH_SUBSHELL);
    }
    sh_leave(lx->c);
    parse_trailing_redirs(lx, c);
    return end_cmd(lx, c, lo);
}

static sh_cmd *parse_command(lexer *lx)
{
    if (lx->c->abort)
        return NULL;
    sh_cmd *c = parse_compound(lx);
    return c ? c : parse_simple(lx);
}

/* ---- pipelines and lists ------------------------------------------------------ */

static void mark(cmdvec *cv, size_t from, unsigned ctx)
{
    for (size_t k = from; k < cv->n; k++)
        cv->v[k]->ctx |= ctx;
}

static bool parse_pipeline(lexer *lx, cmdvec *cv)
{
    size_t first = cv->n;
    bool neg = is_word(lex_peek(lx), "!");
    if (neg)
        lex_next(lx);
    sh_cmd *c = parse_command(lx);
    if (c == NULL) {
        if (neg)
            warn_tok(lx, lex_peek(lx), "a command expected after \"!\"");
        return neg;
    }
    c->negated = neg;
    cv_push(lx, cv, c);
    while (is_op(lex_peek(lx), OP_PIPE) || is_op(lex_peek(lx), OP_PIPE_AMP)) {
        lex_next(lx);
        skip_newlines(lx);
        c->conn = SH_PIPE;
        if ((c = parse_command(lx)) == NULL) {
            warn_tok(lx, lex_peek(lx), "a command expected after \"|\"");
            break;
        }
        cv_push(lx, cv, c);
    }
    if (cv->n - first > 1)
        mark(cv, first, SH_IN_PIPE);
    return true;
}

static bool parse_and_or(lexer *lx, cmdvec *cv)
{
    size_t first = cv->n;
    if (!parse_pipeline(lx, cv))
        return false;
    for (;;) {
        token *tk = lex_peek(lx);
        if (!is_op(tk, OP_AND_IF) && !is_op(tk, OP_OR_IF))
            return true;
        sh_conn conn = tk->op == OP_AND_IF ? SH_AND : SH_OR;
        lex_next(lx);
        skip_newlines(lx);
        if (cv->n > first) /* "! &&" parsed no command */
            cv->v[cv->n - 1]->conn = conn;
        if (!parse_pipeline(lx, cv)) {
            warn_tok(lx, lex_peek(lx),
                     conn == SH_AND ? "a command expected after \"&&\""
                                    : "a command expected after \"||\"");
            return true;
        }
    }
}

static bool list_stop(const token *tk)
{
    if (tk->k == TK_EOF)
        return true;
    if (tk->k == TK_OP)
        return tk->op == OP_RPAREN || case_item_end(tk);
    return is_closer(tk);
}

/* Appends a compound list's commands to cv; stops before a token that
 * cannot go on it (a closer, ")", ";;", the end). */
static void parse_list_into(lexer *lx, cmdvec *cv)
{
    skip_newlines(lx);
    while (!lx->c->abort && !list_stop(lex_peek(lx))) {
        size_t first = cv->n;
        if (!parse_and_or(lx, cv)) {
            warn_tok(lx, lex_peek(lx), "a command expected");
            lex_next(lx);
            continue;
        }
        token *tk = lex_peek(lx);
        sh_conn sep = is_op(tk, OP_SEMI)    ? SH_SEMI
                      : is_op(tk, OP_AMP)   ? SH_BG
                      : tk->k == TK_NEWLINE ? SH_NEWLINE
                                            : SH_END;
        if (sep == SH_END)
            break;
        lex_next(lx);
        if (cv->n > first)
            cv->v[cv->n - 1]->conn = sep;
        if (sep == SH_BG)
            mark(cv, first, SH_IN_BG);
        skip_newlines(lx);
    }
}

static sh_list *parse_list(lexer *lx)
{
    cmdvec cv = {0};
    parse_list_into(lx, &cv);
    return cv_list(lx, &cv);
}

/* A whole program: lists, skipping with a warning what cannot start one;
 * in a $( it stops before the closing ")". */
static sh_list *parse_program(lexer *lx, bool in_subst)
{
    cmdvec cv = {0};
    for (;;) {
        parse_list_into(lx, &cv);
        token *tk = lex_peek(lx);
        if (tk->k == TK_EOF || (in_subst && is_op(tk, OP_RPAREN)))
            break;
        warn_tok(lx, tk, "unexpected token");
        lex_next(lx);
    }
    return cv_list(lx, &cv);
}

sh_list *sh_parse_text(sh_ctx *c, const sh_text *t, bool top)
{
    lexer lx;
    lex_init(&lx, c, t, 0);
    lx.top = top;
    sh_list *l = parse_program(&lx, false);
    lex_finish(&lx);
    lex_done(&lx);
    return l;
}

sh_list *sh_parse_subst(lexer *parent, size_t dollar, size_t at, size_t *end)
{
    sh_ctx *c = parent->c;
    if (!sh_enter(c, parent->t, dollar)) {
        *end = parent->t->len;
        return NULL;
    }
    lexer lx;
    lex_init(&lx, c, parent->t, at);
    lx.parent = parent;
    sh_list *l = parse_program(&lx, true);
    token *tk = lex_peek(&lx);
    if (is_op(tk, OP_RPAREN)) {
        *end = tk->hi;
    } else {
        if (!c->abort)
            sh_warn(c, parent->t, dollar, "unterminated %.2s", parent->t->s + dollar);
        *end = parent->t->len;
    }
    lex_finish(&lx);
    lex_done(&lx);
    sh_leave(c);
    return l;
}
