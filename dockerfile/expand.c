/* A C rendering of the behaviour of BuildKit's shell.Lex (quotes, escapes,
 * $-expansion, word splitting), rune by rune, quirks included, because the
 * result decides which files an image contains. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "dockerfile/expand.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/utf8.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#define RUNE_EOF (-1)

/* ---- variables ---------------------------------------------------------- */

static ssize_t vars_find(const df_vars *v, const char *key, size_t klen)
{
    for (size_t i = 0; i < v->n; i++)
        if (strlen(v->keys[i]) == klen && memcmp(v->keys[i], key, klen) == 0)
            return (ssize_t)i;
    return -1;
}

void df_vars_setn(df_vars *v, const char *key, size_t klen, const char *val, size_t vlen)
{
    ssize_t i = vars_find(v, key, klen);
    if (i >= 0) {
        free(v->vals[i]);
        v->vals[i] = kd_xmemdup0(val, vlen);
        return;
    }
    if (v->n == v->cap) {
        size_t cap = v->cap;
        KD_GROW(v->keys, cap, v->n + 1);
        v->vals = kd_xrealloc(v->vals, cap * sizeof *v->vals);
        v->cap = cap;
    }
    v->keys[v->n] = kd_xmemdup0(key, klen);
    v->vals[v->n] = kd_xmemdup0(val, vlen);
    v->n++;
}

void df_vars_set(df_vars *v, const char *key, const char *val)
{
    df_vars_setn(v, key, strlen(key), val, strlen(val));
}

const char *df_vars_get(const df_vars *v, const char *key, size_t klen)
{
    if (v == NULL)
        return NULL;
    ssize_t i = vars_find(v, key, klen);
    return i >= 0 ? v->vals[i] : NULL;
}

bool df_vars_unset(df_vars *v, const char *key)
{
    ssize_t i = vars_find(v, key, strlen(key));
    if (i < 0)
        return false;
    free(v->keys[i]);
    free(v->vals[i]);
    memmove(v->keys + i, v->keys + i + 1, (v->n - (size_t)i - 1) * sizeof *v->keys);
    memmove(v->vals + i, v->vals + i + 1, (v->n - (size_t)i - 1) * sizeof *v->vals);
    v->n--;
    return true;
}

void df_vars_copy(df_vars *dst, const df_vars *src)
{
    for (size_t i = 0; i < src->n; i++)
        df_vars_set(dst, src->keys[i], src->vals[i]);
}

void df_vars_free(df_vars *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->keys[i]);
        free(v->vals[i]);
    }
    free(v->keys);
    free(v->vals);
    memset(v, 0, sizeof *v);
}

/* ---- the lexer ---------------------------------------------------------- */

typedef struct name_list {
    char **v;
    size_t n, cap;
} name_list;

typedef struct lexer {
    const df_lex_opts *o;
    const df_vars *env;
    const char *s;
    size_t n, i;
    bool raw_escapes;
    name_list matched, unmatched;
    kd_buf errmsg;
} lexer;

typedef struct words {
    kd_buf word;
    bool in_word;
    char **v;
    size_t *starts, *ends; /* input offsets of each word */
    size_t n, cap;
    size_t tok_start, tok_end; /* input range of what is being added */
    size_t cur_start, last_end;
} words;

static int peek_w(const lexer *lx, size_t *w)
{
    if (lx->i >= lx->n) {
        *w = 0;
        return RUNE_EOF;
    }
    return (int)kd_utf8_decode((const unsigned char *)lx->s + lx->i, lx->n - lx->i, w);
}

static int peek(const lexer *lx)
{
    size_t w;
    return peek_w(lx, &w);
}

/* Advances one rune and returns it; the raw bytes are copied to raw if set,
 * so that invalid UTF-8 passes through unchanged. */
static int next_raw(lexer *lx, const char **raw, size_t *rawlen)
{
    size_t w;
    int r = peek_w(lx, &w);
    if (raw) {
        *raw = lx->s + lx->i;
        *rawlen = w;
    }
    lx->i += w;
    return r;
}

static int next(lexer *lx)
{
    return next_raw(lx, NULL, NULL);
}

static void add_rune(kd_buf *b, int r, const char *raw, size_t rawlen)
{
    if (raw && rawlen)
        kd_buf_add(b, raw, rawlen);
    else if (r >= 0)
        kd_buf_add_utf8(b, (unsigned)r);
}

static void words_push(words *w)
{
    if (w->n == w->cap) {
        size_t cap = w->cap;
        KD_GROW(w->v, cap, w->n + 1);
        w->starts = kd_xrealloc(w->starts, cap * sizeof *w->starts);
        w->ends = kd_xrealloc(w->ends, cap * sizeof *w->ends);
        w->cap = cap;
    }
    w->starts[w->n] = w->cur_start;
    w->ends[w->n] = w->last_end;
    w->v[w->n++] = kd_buf_detach(&w->word, NULL);
    w->in_word = false;
}

static void words_begin(words *w)
{
    if (!w->in_word)
        w->cur_start = w->tok_start;
    w->in_word = true;
    w->last_end = w->tok_end;
}

static void words_add_raw(words *w, const char *p, size_t n)
{
    kd_buf_add(&w->word, p, n);
    words_begin(w);
}

static void words_add_char(words *w, int r, const char *raw, size_t rawlen)
{
    bool space = r >= 0 && kd_uni_is_space((unsigned)r);
    if (space && w->in_word) {
        if (w->word.len != 0)
            words_push(w);
    } else if (!space) {
        add_rune(&w->word, r, raw, rawlen);
        words_begin(w);
    }
}

static void words_add_string(words *w, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t width;
        unsigned r = kd_utf8_decode((const unsigned char *)s + i, n - i, &width);
        words_add_char(w, (int)r, s + i, width);
        i += width;
    }
}

static void words_finish(words *w)
{
    if (w->word.len > 0)
        words_push(w);
    kd_buf_free(&w->word);
}

static void words_free(words *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i]);
    free(w->v);
    free(w->starts);
    free(w->ends);
    kd_buf_free(&w->word);
}

static void note_name(name_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], name) == 0)
            return;
    KD_GROW(l->v, l->cap, l->n + 1);
    l->v[l->n++] = kd_xstrdup(name);
}

static const char *get_env(lexer *lx, const char *name)
{
    const char *v = df_vars_get(lx->env, name, strlen(name));
    note_name(v ? &lx->matched : &lx->unmatched, name);
    return v;
}

static int fail(lexer *lx, const char *msg)
{
    if (lx->errmsg.len == 0)
        kd_buf_adds(&lx->errmsg, msg);
    return -1;
}

static int process_stop_on(lexer *lx, int stop, bool raw_escapes, kd_buf *result, words *w);

/* Each process_* function appends its expansion to out and returns 0, or
 * returns -1 after recording a message. */

static int process_single_quote(lexer *lx, kd_buf *out)
{
    int r = next(lx);
    if (lx->o->raw_quotes)
        kd_buf_addc(out, (char)r);
    for (;;) {
        const char *raw;
        size_t rl;
        r = next_raw(lx, &raw, &rl);
        if (r == RUNE_EOF)
            return fail(lx, "unexpected end of statement while looking for matching single-quote");
        if (r == '\'') {
            if (lx->o->raw_quotes)
                kd_buf_addc(out, '\'');
            return 0;
        }
        add_rune(out, r, raw, rl);
    }
}

static int process_dollar(lexer *lx, kd_buf *out);

static int process_double_quote(lexer *lx, kd_buf *out)
{
    int r = next(lx);
    if (lx->o->raw_quotes)
        kd_buf_addc(out, (char)r);
    for (;;) {
        int p = peek(lx);
        if (p == RUNE_EOF)
            return fail(lx, "unexpected end of statement while looking for matching double-quote");
        if (p == '"') {
            next(lx);
            if (lx->o->raw_quotes)
                kd_buf_addc(out, '"');
            return 0;
        }
        if (p == '$') {
            if (process_dollar(lx, out) < 0)
                return -1;
            continue;
        }
        const char *raw;
        size_t rl;
        r = next_raw(lx, &raw, &rl);
        if (r == lx->o->escape) {
            if (lx->raw_escapes)
                kd_buf_addc(out, (char)r);
            p = peek(lx);
            if (p == RUNE_EOF)
                continue;
            if (p == '"' || p == '$' || p == lx->o->escape)
                r = next_raw(lx, &raw, &rl);
        }
        add_rune(out, r, raw, rl);
    }
}

static int process_possible_heredoc(lexer *lx, kd_buf *out)
{
    next(lx);
    if (peek(lx) != '<') {
        kd_buf_addc(out, '<');
        return 0;
    }
    next(lx);
    kd_buf_adds(out, "<<");
    while (peek(lx) == ' ' || peek(lx) == '\t') {
        kd_buf_addc(out, (char)peek(lx));
        next(lx);
    }
    return 0;
}

static bool is_special_param(int r)
{
    return r == '@' || r == '*' || r == '#' || r == '?' || r == '-' || r == '$' || r == '!' ||
           r == '0';
}

static void process_name(lexer *lx, kd_buf *name)
{
    for (;;) {
        int r = peek(lx);
        if (r == RUNE_EOF)
            return;
        if (name->len == 0 && kd_uni_is_digit((unsigned)r)) {
            while ((r = peek(lx)) != RUNE_EOF && kd_uni_is_digit((unsigned)r))
                kd_buf_add_utf8(name, (unsigned)next(lx));
            return;
        }
        if (name->len == 0 && is_special_param(r)) {
            kd_buf_add_utf8(name, (unsigned)next(lx));
            return;
        }
        if (!kd_uni_is_letter((unsigned)r) && !kd_uni_is_digit((unsigned)r) && r != '_')
            return;
        kd_buf_add_utf8(name, (unsigned)next(lx));
    }
}

/* Converts a shell pattern (* ? and \-escapes, no brackets) to PCRE2 syntax,
 * as BuildKit converts it to Go's regexp syntax. */
static int pattern_to_regex(lexer *lx, const char *pat, bool greedy, bool anchored, kd_buf *re)
{
    if (anchored)
        kd_buf_addc(re, '^');
    size_t i = 0, n = strlen(pat);
    while (i < n) {
        size_t w;
        unsigned r = kd_utf8_decode((const unsigned char *)pat + i, n - i, &w);
        const char *raw = pat + i;
        i += w;
        switch (r) {
        case '*':
            kd_buf_adds(re, greedy ? ".*" : ".*?");
            continue;
        case '?':
            kd_buf_addc(re, '.');
            continue;
        case '\\':
            if (i < n && (pat[i] == '}' || pat[i] == '/'))
                continue;
            kd_buf_addc(re, '\\');
            if (i >= n || (pat[i] != '*' && pat[i] != '?' && pat[i] != '\\')) {
                kd_buf msg = KD_BUF_INIT;
                kd_buf_addf(&msg, "invalid pattern (%s) in substitution: invalid escape '\\%c'",
                            pat, i < n ? pat[i] : ' ');
                fail(lx, kd_buf_str(&msg));
                kd_buf_free(&msg);
                return -1;
            }
            raw = pat + i;
            w = 1;
            i++;
            break;
        case '[': case ']': case '{': case '}': case '.': case '+':
        case '(': case ')': case '|': case '^': case '$':
            kd_buf_addc(re, '\\');
            break;
        default:
            break;
        }
        kd_buf_add(re, raw, w);
    }
    return 0;
}

/* Finds the first match of the regex in value; returns false if none. */
static bool regex_find(const char *re_src, const char *value, size_t vlen, size_t *mstart,
                       size_t *mend)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)re_src, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &eo, NULL);
    if (re == NULL)
        return false;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = pcre2_match(re, (PCRE2_SPTR)value, vlen, 0, 0, md, NULL);
    bool found = rc >= 0;
    if (found) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        *mstart = ov[0];
        *mend = ov[1];
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return found;
}

static char *reverse_runes(const char *s)
{
    size_t n = strlen(s);
    char *out = kd_xmalloc(n + 1);
    size_t i = 0;
    while (i < n) {
        size_t w;
        kd_utf8_decode((const unsigned char *)s + i, n - i, &w);
        memcpy(out + n - i - w, s + i, w);
        i += w;
    }
    out[n] = '\0';
    return out;
}

/* Reverses a pattern rune by rune but keeps "\x" escapes in order. */
static char *reverse_pattern(const char *p)
{
    size_t n = strlen(p);
    kd_buf tmp = KD_BUF_INIT;
    /* split into tokens, then emit them in reverse */
    size_t *starts = kd_xmalloc((n + 1) * sizeof *starts);
    size_t nt = 0, i = 0;
    while (i < n) {
        starts[nt++] = i;
        size_t w;
        kd_utf8_decode((const unsigned char *)p + i, n - i, &w);
        if (p[i] == '\\' && i + 1 < n) {
            size_t w2;
            kd_utf8_decode((const unsigned char *)p + i + 1, n - i - 1, &w2);
            w = 1 + w2;
        }
        i += w;
    }
    starts[nt] = n;
    for (size_t t = nt; t-- > 0;)
        kd_buf_add(&tmp, p + starts[t], starts[t + 1] - starts[t]);
    free(starts);
    return kd_buf_detach(&tmp, NULL);
}

static int trim_prefix(lexer *lx, const char *pat, const char *value, bool greedy, kd_buf *out)
{
    kd_buf re = KD_BUF_INIT;
    if (pattern_to_regex(lx, pat, greedy, true, &re) < 0) {
        kd_buf_free(&re);
        return -1;
    }
    size_t ms, me, vlen = strlen(value);
    if (regex_find(kd_buf_str(&re), value, vlen, &ms, &me))
        kd_buf_add(out, value + me, vlen - me);
    else
        kd_buf_add(out, value, vlen);
    kd_buf_free(&re);
    return 0;
}

static int trim_suffix(lexer *lx, const char *pat, const char *value, bool greedy, kd_buf *out)
{
    char *rp = reverse_pattern(pat);
    char *rv = reverse_runes(value);
    kd_buf tmp = KD_BUF_INIT;
    int rc = trim_prefix(lx, rp, rv, greedy, &tmp);
    if (rc == 0) {
        char *back = reverse_runes(kd_buf_str(&tmp));
        kd_buf_adds(out, back);
        free(back);
    }
    kd_buf_free(&tmp);
    free(rp);
    free(rv);
    return rc;
}

static int replace_pattern(lexer *lx, const char *pat, const char *repl, const char *value,
                           bool all, kd_buf *out)
{
    kd_buf re = KD_BUF_INIT;
    if (pattern_to_regex(lx, pat, true, false, &re) < 0) {
        kd_buf_free(&re);
        return -1;
    }
    size_t vlen = strlen(value), pos = 0;
    for (;;) {
        size_t ms, me;
        if (pos > vlen || !regex_find(kd_buf_str(&re), value + pos, vlen - pos, &ms, &me))
            break;
        kd_buf_add(out, value + pos, ms);
        kd_buf_adds(out, repl);
        if (me == ms) { /* empty match: copy one rune and go on, as Go does */
            if (pos + me >= vlen) {
                pos = vlen + 1;
                break;
            }
            size_t w;
            kd_utf8_decode((const unsigned char *)value + pos + me, vlen - pos - me, &w);
            kd_buf_add(out, value + pos + me, w);
            me += w;
        }
        pos += me;
        if (!all)
            break;
    }
    if (pos <= vlen)
        kd_buf_add(out, value + pos, vlen - pos);
    kd_buf_free(&re);
    return 0;
}

static int process_braced(lexer *lx, kd_buf *out)
{
    int p = peek(lx);
    if (p == RUNE_EOF)
        return fail(lx, "syntax error: missing '}'");
    if (p == '{' || p == '}' || p == ':')
        return fail(lx, "syntax error: bad substitution");

    kd_buf name = KD_BUF_INIT, word = KD_BUF_INIT, repl = KD_BUF_INIT;
    process_name(lx, &name);
    const char *nm = kd_buf_str(&name);
    int ch = next(lx);
    if (ch == RUNE_EOF) { /* BuildKit says "unsupported modifier"; this is clearer */
        kd_buf_free(&name);
        return fail(lx, "syntax error: missing '}'");
    }
    char chs[3] = {(char)(ch > 0 ? ch : '?'), 0, 0};
    bool null_is_unset = false;
    int rc = 0;

    if (ch == '}') {
        const char *v = get_env(lx, nm);
        if (v == NULL && lx->o->skip_unset)
            kd_buf_addf(out, "${%s}", nm);
        else if (v)
            kd_buf_adds(out, v);
        goto done;
    }
    if (ch == ':') {
        null_is_unset = true;
        ch = next(lx);
        chs[1] = (char)(ch > 0 ? ch : '?');
    }
    /* after ':' every modifier is read up to '}' first, as BuildKit does */
    if (null_is_unset || ch == '+' || ch == '-' || ch == '?' || ch == '#' || ch == '%') {
        bool raw = ch == '#' || ch == '%';
        if (process_stop_on(lx, '}', raw, &word, NULL) < 0) {
            if (peek(lx) == RUNE_EOF) {
                kd_buf_truncate(&lx->errmsg, 0);
                fail(lx, "syntax error: missing '}'");
            }
            rc = -1;
            goto done;
        }
        const char *v = get_env(lx, nm);
        bool set = v != NULL;
        const char *w = kd_buf_str(&word);
        if (!set && lx->o->skip_unset) {
            kd_buf_addf(out, "${%s%s%s}", nm, chs, w);
            goto done;
        }
        bool empty = !set || (null_is_unset && v[0] == '\0');
        switch (ch) {
        case '-':
            kd_buf_adds(out, empty ? w : v);
            break;
        case '+':
            if (!empty)
                kd_buf_adds(out, w);
            break;
        case '?':
            if (!set || (null_is_unset && v[0] == '\0')) {
                kd_buf msg = KD_BUF_INIT;
                kd_buf_addf(&msg, "%s: %s", nm,
                            w[0] ? w : (!set ? "is not allowed to be unset"
                                             : "is not allowed to be empty"));
                fail(lx, kd_buf_str(&msg));
                kd_buf_free(&msg);
                rc = -1;
            } else {
                kd_buf_adds(out, v);
            }
            break;
        case '#':
        case '%': {
            bool greedy = w[0] == ch;
            if (greedy)
                w++;
            rc = ch == '%' ? trim_suffix(lx, w, set ? v : "", greedy, out)
                           : trim_prefix(lx, w, set ? v : "", greedy, out);
            break;
        }
        default: {
            kd_buf msg = KD_BUF_INIT;
            kd_buf_addf(&msg, "unsupported modifier (%s) in substitution", chs);
            fail(lx, kd_buf_str(&msg));
            kd_buf_free(&msg);
            rc = -1;
            break;
        }
        }
        goto done;
    }
    if (ch == '/') {
        bool all = peek(lx) == '/';
        if (all)
            next(lx);
        if (process_stop_on(lx, '/', true, &word, NULL) < 0 ||
            process_stop_on(lx, '}', true, &repl, NULL) < 0) {
            if (peek(lx) == RUNE_EOF) {
                kd_buf_truncate(&lx->errmsg, 0);
                fail(lx, "syntax error: missing '}'");
            }
            rc = -1;
            goto done;
        }
        const char *v = get_env(lx, nm);
        if (v == NULL && lx->o->skip_unset) {
            kd_buf_addf(out, "${%s/%s/%s}", nm, kd_buf_str(&word), kd_buf_str(&repl));
            goto done;
        }
        rc = replace_pattern(lx, kd_buf_str(&word), kd_buf_str(&repl), v ? v : "", all, out);
        goto done;
    }
    {
        kd_buf msg = KD_BUF_INIT;
        kd_buf_addf(&msg, "unsupported modifier (%s) in substitution", chs);
        fail(lx, kd_buf_str(&msg));
        kd_buf_free(&msg);
        rc = -1;
    }
done:
    kd_buf_free(&name);
    kd_buf_free(&word);
    kd_buf_free(&repl);
    return rc;
}

static int process_dollar(lexer *lx, kd_buf *out)
{
    next(lx); /* the $ */
    if (peek(lx) != '{') {
        kd_buf name = KD_BUF_INIT;
        process_name(lx, &name);
        if (name.len == 0) {
            kd_buf_addc(out, '$');
        } else {
            const char *v = get_env(lx, kd_buf_str(&name));
            if (v == NULL && lx->o->skip_unset)
                kd_buf_addf(out, "$%s", kd_buf_str(&name));
            else if (v)
                kd_buf_adds(out, v);
        }
        kd_buf_free(&name);
        return 0;
    }
    next(lx); /* the { */
    return process_braced(lx, out);
}

static int process_stop_on(lexer *lx, int stop, bool raw_escapes, kd_buf *result, words *w)
{
    bool saved = lx->raw_escapes;
    lx->raw_escapes = raw_escapes;
    int rc = 0;
    words local = {.in_word = false};
    if (w == NULL)
        w = &local;

    for (;;) {
        int r = peek(lx);
        if (r == RUNE_EOF)
            break;
        if (stop != RUNE_EOF && r == stop) {
            next(lx);
            goto out;
        }
        bool quote = !lx->o->skip_quotes && (r == '\'' || r == '"');
        w->tok_start = lx->i;
        if (r == '$' || quote || (r == '<' && lx->o->heredoc_words)) {
            kd_buf tmp = KD_BUF_INIT;
            int frc = r == '$'    ? process_dollar(lx, &tmp)
                      : r == '<'  ? process_possible_heredoc(lx, &tmp)
                      : r == '\'' ? process_single_quote(lx, &tmp)
                                  : process_double_quote(lx, &tmp);
            if (frc < 0) {
                kd_buf_free(&tmp);
                rc = -1;
                goto out;
            }
            kd_buf_add(result, kd_buf_str(&tmp), tmp.len);
            w->tok_end = lx->i;
            if (r == '$')
                words_add_string(w, kd_buf_str(&tmp), tmp.len);
            else
                words_add_raw(w, kd_buf_str(&tmp), tmp.len);
            kd_buf_free(&tmp);
            continue;
        }
        const char *raw;
        size_t rl;
        r = next_raw(lx, &raw, &rl);
        w->tok_end = lx->i;
        if (r == lx->o->escape) {
            if (lx->raw_escapes) {
                words_add_raw(w, raw, rl);
                kd_buf_add(result, raw, rl);
            }
            r = next_raw(lx, &raw, &rl);
            if (r == RUNE_EOF)
                break;
            w->tok_end = lx->i;
            words_add_raw(w, raw, rl);
        } else {
            words_add_char(w, r, raw, rl);
        }
        kd_buf_add(result, raw, rl);
    }
    if (stop != RUNE_EOF) {
        kd_buf msg = KD_BUF_INIT;
        kd_buf_addf(&msg, "unexpected end of statement while looking for matching %c", stop);
        fail(lx, kd_buf_str(&msg));
        kd_buf_free(&msg);
        rc = -1;
    }
out:
    lx->raw_escapes = saved;
    words_free(&local);
    return rc;
}

static void take_names(name_list *l, char ***v, size_t *n)
{
    *v = l->v;
    *n = l->n;
    memset(l, 0, sizeof *l);
}

static void free_names(name_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

int df_expand(const df_lex_opts *o, const char *s, size_t n, const df_vars *env,
              df_expansion *out, kd_error **err)
{
    memset(out, 0, sizeof *out);
    lexer lx = {.o = o, .env = env, .s = s, .n = n, .raw_escapes = o->raw_escapes};
    kd_buf result = KD_BUF_INIT;
    words w = {.in_word = false};
    int rc = process_stop_on(&lx, RUNE_EOF, o->raw_escapes, &result, &w);
    if (rc < 0) {
        kd_buf word = KD_BUF_INIT;
        kd_buf_add(&word, s, n);
        kd_err(err, 0, "failed to process \"%s\": %s", kd_buf_str(&word),
               kd_buf_str(&lx.errmsg));
        if (err && *err)
            (*err)->status = 2;
        kd_buf_free(&word);
        kd_buf_free(&result);
        words_free(&w);
    } else {
        words_finish(&w);
        out->word = kd_buf_detach(&result, &out->len);
        out->words = w.v;
        out->word_starts = w.starts;
        out->word_ends = w.ends;
        out->nwords = w.n;
        take_names(&lx.matched, &out->matched, &out->nmatched);
        take_names(&lx.unmatched, &out->unmatched, &out->nunmatched);
    }
    free_names(&lx.matched);
    free_names(&lx.unmatched);
    kd_buf_free(&lx.errmsg);
    return rc;
}

void df_expansion_free(df_expansion *e)
{
    free(e->word);
    for (size_t i = 0; i < e->nwords; i++)
        free(e->words[i]);
    free(e->words);
    free(e->word_starts);
    free(e->word_ends);
    for (size_t i = 0; i < e->nmatched; i++)
        free(e->matched[i]);
    free(e->matched);
    for (size_t i = 0; i < e->nunmatched; i++)
        free(e->unmatched[i]);
    free(e->unmatched);
    memset(e, 0, sizeof *e);
}

char *df_expand_word(char esc, const char *s, const df_vars *env, kd_error **err)
{
    df_lex_opts o = {.escape = esc};
    df_expansion e;
    if (df_expand(&o, s, strlen(s), env, &e, err) < 0)
        return NULL;
    char *w = e.word;
    e.word = NULL;
    df_expansion_free(&e);
    return w;
}
