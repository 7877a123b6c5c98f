/* The Dockerfile parser. Its structure follows BuildKit's parser.Parse so
 * that every byte is treated the same way (docs/parser.md lists the rules);
 * on top of that it records where everything stands in the source. */
#include "dockerfile/dockerfile.h"
#include "dockerfile/expand.h"
#include "dockerfile/json_array.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/mem.h"
#include "util/utf8.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    df_file *f;
    char escape;
    bool dir_done;
    bool seen[3]; /* syntax, escape, check */
    size_t cap_instrs, cap_comments, cap_dirs, cap_warns;
    kd_error **err;
} parser;

/* ---- positions ---------------------------------------------------------- */

df_pos df_file_pos(const df_file *f, size_t off)
{
    if (off > f->len)
        off = f->len;
    /* positions are mostly asked in source order: try the last line
     * found, and the next one, before a binary search */
    size_t h = __atomic_load_n(&f->pos_hint, __ATOMIC_RELAXED);
    for (size_t k = h; k < h + 2 && k < f->nlines; k++) {
        if (f->line_starts[k] <= off && (k + 1 >= f->nlines || off < f->line_starts[k + 1])) {
            __atomic_store_n(&((df_file *)f)->pos_hint, k, __ATOMIC_RELAXED);
            df_pos p = {off, (uint32_t)k + 1, (uint32_t)(off - f->line_starts[k]) + 1};
            return p;
        }
    }
    size_t lo = 0, hi = f->nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (f->line_starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    __atomic_store_n(&((df_file *)f)->pos_hint, lo, __ATOMIC_RELAXED);
    df_pos p = {off, (uint32_t)lo + 1, (uint32_t)(off - f->line_starts[lo]) + 1};
    return p;
}

static df_span span_of(const df_file *f, size_t start, size_t end)
{
    df_span s = {df_file_pos(f, start), df_file_pos(f, end)};
    return s;
}

df_span df_instr_span(const df_file *f, const df_instr *in, size_t lo, size_t hi)
{
    if (lo > in->logical_len)
        lo = in->logical_len;
    if (hi > in->logical_len)
        hi = in->logical_len;
    if (hi <= lo)
        return span_of(f, in->omap[lo], in->omap[lo]);
    return span_of(f, in->omap[lo], in->omap[hi - 1] + 1);
}

/* ---- diagnostics -------------------------------------------------------- */

static int perr(parser *p, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int perr(parser *p, size_t off, const char *fmt, ...)
{
    df_pos pos = df_file_pos(p->f, off);
    va_list ap;
    va_start(ap, fmt);
    char *msg = kd_vasprintf(fmt, ap);
    va_end(ap);
    kd_err(p->err, 0, "%s:%u:%u: %s", p->f->path, pos.line, pos.col, msg);
    if (p->err && *p->err)
        (*p->err)->status = 2;
    free(msg);
    return -1;
}

static void pwarn(parser *p, df_warning_kind kind, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void pwarn(parser *p, df_warning_kind kind, size_t off, const char *fmt, ...)
{
    df_file *f = p->f;
    KD_GROW(f->warnings, p->cap_warns, f->nwarnings + 1);
    df_warning *w = &f->warnings[f->nwarnings++];
    w->kind = kind;
    w->pos = df_file_pos(f, off);
    va_list ap;
    va_start(ap, fmt);
    w->msg = kd_vasprintf(fmt, ap);
    va_end(ap);
}

/* ---- small byte helpers ------------------------------------------------- */

static bool is_split_ws(char c) /* BuildKit's reWhitespace: [\t\v\f\r ] */
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static bool is_byte_space(unsigned char c) /* unicode.IsSpace(rune(byte)) */
{
    return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0;
}

static size_t skip_uspace(const char *s, size_t i, size_t end)
{
    size_t w;
    while (i < end && (w = kd_utf8_space_at(s + i, end - i)) > 0)
        i += w;
    return i;
}

/* The end of s[start..end) with Unicode white space trimmed from the right
 * (Go's TrimRightFunc decodes the last rune; a stray byte is not a space). */
static size_t rtrim_uspace(const char *s, size_t start, size_t end)
{
    for (;;) {
        size_t k, avail = end - start;
        for (k = 1; k <= 3 && k <= avail; k++) {
            size_t w;
            unsigned cp = kd_utf8_decode((const unsigned char *)s + end - k, k, &w);
            if (w == k && cp != KD_RUNE_ERROR && kd_uni_is_space(cp))
                break;
        }
        if (k > 3 || k > avail)
            return end;
        end -= k;
    }
}

/* ---- the line table ----------------------------------------------------- */

#define NUL_MSG "NUL byte in the Dockerfile (is this a binary file?)"

static int build_lines(parser *p)
{
    df_file *f = p->f;
    size_t cap = 0;
    size_t i = 0;
    if (f->len >= 3 && memcmp(f->src, "\xEF\xBB\xBF", 3) == 0)
        f->bom = true;
    for (;;) {
        KD_GROW(f->line_starts, cap, f->nlines + 2);
        f->line_starts[f->nlines++] = i;
        const char *nl = memchr(f->src + i, '\n', f->len - i);
        size_t end = nl ? (size_t)(nl - f->src) : f->len;
        if (end - i > DF_MAX_LINE) {
            /* a binary file is told as one, not by its first long "line" */
            const char *nul = memchr(f->src, '\0', end);
            if (nul)
                return perr(p, (size_t)(nul - f->src), NUL_MSG);
            return perr(p, i, "line is %zu bytes long; a Dockerfile line may hold at most %d bytes",
                        end - i, DF_MAX_LINE);
        }
        if (nl && end > i && f->src[end - 1] == '\r')
            f->crlf = true;
        if (nl == NULL || end + 1 == f->len)
            break;
        i = end + 1;
    }
    /* an empty file still has one (empty) line; a final "\n" adds none */
    f->line_starts[f->nlines] = f->len;
    const char *nul = memchr(f->src, '\0', f->len);
    if (nul)
        return perr(p, (size_t)(nul - f->src), NUL_MSG);
    return 0;
}

/* The content of physical line i: [*s, *e) without the trailing \r and \n
 * bytes (and without the BOM on the first line). */
static void line_bounds(const df_file *f, size_t i, size_t *s, size_t *e)
{
    size_t start = f->line_starts[i];
    size_t end = i + 1 < f->nlines ? f->line_starts[i + 1] : f->len;
    if (i == 0 && f->bom)
        start = 3;
    while (end > start && (f->src[end - 1] == '\n' || f->src[end - 1] == '\r'))
        end--;
    *s = start;
    *e = end;
}

/* ---- parser directives -------------------------------------------------- */

static bool is_dir_ws(char c) /* Go regexp \s */
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static int offer_directive(parser *p, size_t s, size_t e)
{
    if (p->dir_done)
        return 0;
    const char *src = p->f->src;
    size_t i = s;
    if (i >= e || src[i] != '#')
        goto done;
    i++;
    while (i < e && is_dir_ws(src[i]))
        i++;
    size_t ns = i;
    if (i >= e || !isalpha((unsigned char)src[i]))
        goto done;
    while (i < e && isalnum((unsigned char)src[i]))
        i++;
    size_t ne = i;
    while (i < e && is_dir_ws(src[i]))
        i++;
    if (i >= e || src[i] != '=')
        goto done;
    i++;
    while (i < e && is_dir_ws(src[i]))
        i++;
    size_t vs = i, ve = e;
    while (ve > vs && is_dir_ws(src[ve - 1]))
        ve--;
    if (ve == vs)
        goto done;

    char *name = kd_xmemdup0(src + ns, ne - ns);
    for (char *c = name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    static const char *const known[] = {"syntax", "escape", "check"};
    int k = -1;
    for (int j = 0; j < 3; j++)
        if (strcmp(name, known[j]) == 0)
            k = j;
    if (k < 0) {
        free(name);
        goto done;
    }
    if (p->seen[k]) {
        perr(p, s, "only one %s parser directive can be used", name);
        free(name);
        return -1;
    }
    p->seen[k] = true;
    char *value = kd_xmemdup0(src + vs, ve - vs);
    if (k == 1) {
        if (strcmp(value, "\\") != 0 && strcmp(value, "`") != 0) {
            perr(p, vs, "invalid escape token '%s' does not match ` or \\", value);
            free(name);
            free(value);
            return -1;
        }
        p->escape = value[0];
        p->f->escape = value[0];
    }
    df_file *f = p->f;
    KD_GROW(f->directives, p->cap_dirs, f->ndirectives + 1);
    df_directive *d = &f->directives[f->ndirectives++];
    d->name = name;
    d->value = value;
    d->span = span_of(f, s, e);
    return 0;
done:
    p->dir_done = true;
    return 0;
}

/* ---- continuation ------------------------------------------------------- */

/* BuildKit's trimContinuationCharacter on src[s..e): returns true if the
 * line continues, with *cut set to where the kept text ends. */
static bool continues(const parser *p, size_t s, size_t e, size_t *cut)
{
    const char *src = p->f->src;
    size_t k = e;
    while (k > s && (src[k - 1] == ' ' || src[k - 1] == '\t'))
        k--;
    if (k == s || src[k - 1] != p->escape)
        return false;
    if (k - 1 > s && src[k - 2] == p->escape)
        return false;
    *cut = k - 1;
    return true;
}

static void add_comment(parser *p, size_t s, size_t e, bool inside)
{
    df_file *f = p->f;
    KD_GROW(f->comments, p->cap_comments, f->ncomments + 1);
    df_comment *c = &f->comments[f->ncomments++];
    c->text = kd_xmemdup0(f->src + s, e - s);
    c->span = span_of(f, s, e);
    c->inside = inside;
}

/* ---- building an instruction from its logical line ----------------------- */

typedef struct lbuf { /* a logical line being assembled */
    kd_buf text;
    size_t *omap;
    size_t cap;
} lbuf;

static void lbuf_add(lbuf *l, const char *src, size_t s, size_t e)
{
    KD_GROW(l->omap, l->cap, l->text.len + (e - s) + 1);
    for (size_t i = s; i < e; i++)
        l->omap[l->text.len + (i - s)] = i;
    kd_buf_add(&l->text, src + s, e - s);
}

typedef struct wlist { /* words collected while building an instruction */
    df_word *v;
    size_t *lo, *hi; /* each word's logical range */
    size_t n, cap;
} wlist;

static void wl_add(wlist *l, const df_file *f, const df_instr *in, const char *text, size_t len,
                   size_t lo, size_t hi)
{
    if (l->n == l->cap) {
        size_t cap = l->cap;
        KD_GROW(l->v, cap, l->n + 1);
        l->lo = kd_xrealloc(l->lo, cap * sizeof *l->lo);
        l->hi = kd_xrealloc(l->hi, cap * sizeof *l->hi);
        l->cap = cap;
    }
    l->lo[l->n] = lo;
    l->hi[l->n] = hi;
    df_word *w = &l->v[l->n++];
    w->text = kd_xmemdup0(text, len);
    w->len = len;
    w->span = df_instr_span(f, in, lo, hi);
}

static void wl_add_range(wlist *l, const df_file *f, const df_instr *in, size_t lo, size_t hi)
{
    wl_add(l, f, in, in->logical + lo, hi - lo, lo, hi);
}

/* Splits L[a..b) on runs of [\t\v\f\r ] (BuildKit's
 * parseStringsWhitespaceDelimited; the range is already trimmed). */
static void split_ws(wlist *l, const df_file *f, const df_instr *in, size_t a, size_t b)
{
    const char *L = in->logical;
    size_t i = a;
    if (a == b)
        return;
    for (;;) {
        size_t ws = i;
        while (i < b && !is_split_ws(L[i]))
            i++;
        wl_add_range(l, f, in, ws, i);
        if (i >= b)
            break;
        while (i < b && is_split_ws(L[i]))
            i++;
    }
}

/* Go's `word += string(ch)` on a rune from DecodeRuneInString: invalid bytes
 * become U+FFFD. */
static void add_go_rune(kd_buf *b, const char *L, size_t i, size_t w, unsigned r)
{
    if (r == KD_RUNE_ERROR && w == 1)
        kd_buf_add_utf8(b, KD_RUNE_ERROR);
    else
        kd_buf_add(b, L + i, w);
}

/* BuildKit's parseWords for ENV, LABEL and ARG on L[a..b). Returns true if a
 * quote was left open. */
static bool parse_words(const parser *p, wlist *l, const df_instr *in, size_t a, size_t b)
{
    enum { IN_SPACES, IN_WORD, IN_QUOTE } phase = IN_SPACES;
    const char *L = in->logical;
    kd_buf word = KD_BUF_INIT;
    unsigned quote = 0;
    bool blank_ok = false;
    size_t wstart = a;
    unsigned ch = 0;
    size_t chw = 0;
    for (size_t pos = a; pos <= b; pos += chw) {
        if (pos != b)
            ch = kd_utf8_decode((const unsigned char *)L + pos, b - pos, &chw);
        if (phase == IN_SPACES) {
            if (pos == b)
                break;
            if (kd_uni_is_space(ch))
                continue;
            phase = IN_WORD;
            wstart = pos;
        }
        if (pos == b) {
            if (blank_ok || word.len > 0)
                wl_add(l, p->f, in, kd_buf_str(&word), word.len, wstart, b);
            break;
        }
        if (phase == IN_WORD) {
            if (kd_uni_is_space(ch)) {
                phase = IN_SPACES;
                if (blank_ok || word.len > 0)
                    wl_add(l, p->f, in, kd_buf_str(&word), word.len, wstart, pos);
                kd_buf_truncate(&word, 0);
                blank_ok = false;
                continue;
            }
            if (ch == '\'' || ch == '"') {
                quote = ch;
                blank_ok = true;
                phase = IN_QUOTE;
            }
            if (ch == (unsigned char)p->escape) {
                if (pos + chw == b)
                    continue;
                add_go_rune(&word, L, pos, chw, ch);
                pos += chw;
                ch = kd_utf8_decode((const unsigned char *)L + pos, b - pos, &chw);
            }
            add_go_rune(&word, L, pos, chw, ch);
            continue;
        }
        /* IN_QUOTE */
        if (ch == quote)
            phase = IN_WORD;
        if (ch == (unsigned char)p->escape && quote != '\'') {
            if (pos + chw == b) {
                phase = IN_WORD;
                continue;
            }
            add_go_rune(&word, L, pos, chw, ch);
            pos += chw;
            ch = kd_utf8_decode((const unsigned char *)L + pos, b - pos, &chw);
        }
        add_go_rune(&word, L, pos, chw, ch);
    }
    kd_buf_free(&word);
    return phase == IN_QUOTE;
}

/* BuildKit's extractBuilderFlags, byte by byte, on L[a..b). Sets *rest to
 * where the arguments start (b when there are none). */
static void extract_flags(const parser *p, df_instr *in, size_t a, size_t b, size_t *rest)
{
    enum { IN_SPACES, IN_WORD, IN_QUOTE } phase = IN_SPACES;
    const char *L = in->logical;
    kd_buf word = KD_BUF_INIT;
    char quote = 0;
    bool blank_ok = false;
    size_t wstart = a;
    size_t cap = 0;
    unsigned char ch = 0;
    *rest = b;

#define PUSH_FLAG(endpos)                                                                          \
    do {                                                                                           \
        KD_GROW(in->flags, cap, in->nflags + 1);                                                   \
        df_flag *fl = &in->flags[in->nflags++];                                                    \
        fl->text = kd_xmemdup0(kd_buf_str(&word), word.len);                                       \
        fl->span = df_instr_span(p->f, in, wstart, (endpos));                                      \
    } while (0)

    for (size_t pos = a; pos <= b; pos++) {
        if (pos != b)
            ch = (unsigned char)L[pos];
        if (phase == IN_SPACES) {
            if (pos == b)
                break;
            if (is_byte_space(ch))
                continue;
            if (ch != '-' || pos + 1 == b || L[pos + 1] != '-') {
                *rest = pos;
                goto out;
            }
            phase = IN_WORD;
            wstart = pos;
        }
        if (pos == b) {
            if (!(word.len == 2 && memcmp(word.data, "--", 2) == 0) && (blank_ok || word.len > 0))
                PUSH_FLAG(b);
            break;
        }
        if (phase == IN_WORD) {
            if (is_byte_space(ch)) {
                phase = IN_SPACES;
                if (word.len == 2 && memcmp(word.data, "--", 2) == 0) {
                    *rest = pos;
                    goto out;
                }
                if (blank_ok || word.len > 0)
                    PUSH_FLAG(pos);
                kd_buf_truncate(&word, 0);
                blank_ok = false;
                continue;
            }
            if (ch == '\'' || ch == '"') {
                quote = (char)ch;
                blank_ok = true;
                phase = IN_QUOTE;
                continue;
            }
            if (ch == (unsigned char)p->escape) {
                if (pos + 1 == b)
                    continue;
                pos++;
                ch = (unsigned char)L[pos];
            }
            kd_buf_add_utf8(&word, ch); /* Go: string(rune(byte)) */
            continue;
        }
        /* IN_QUOTE */
        if (ch == (unsigned char)quote) {
            phase = IN_WORD;
            continue;
        }
        if (ch == (unsigned char)p->escape) {
            if (pos + 1 == b) {
                phase = IN_WORD;
                continue;
            }
            pos++;
            ch = (unsigned char)L[pos];
        }
        kd_buf_add_utf8(&word, ch);
    }
out:
#undef PUSH_FLAG
    kd_buf_free(&word);
    for (size_t i = 0; i < in->nflags; i++) {
        df_flag *fl = &in->flags[i];
        const char *t = fl->text;
        while (*t == '-')
            t++;
        const char *eq = strchr(t, '=');
        fl->name = eq ? kd_xstrndup(t, (size_t)(eq - t)) : kd_xstrdup(t);
        fl->value = eq ? kd_xstrdup(eq + 1) : NULL;
    }
}

/* Tries the JSON form on L[a..b): 1 = JSON (args added), 0 = not JSON,
 * -1 = error (a valid array with a non-string element). */
static int try_json(parser *p, wlist *l, df_instr *in, size_t a, size_t b)
{
    a = skip_uspace(in->logical, a, b);
    if (a >= b || in->logical[a] != '[')
        return 0;
    df_jstr *el;
    size_t n;
    int rc = df_json_string_array(in->logical + a, b - a, &el, &n);
    if (rc < 0)
        return perr(p, in->omap[a], "the JSON array holds a value that is not a string");
    if (rc == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        wl_add(l, p->f, in, el[i].text, el[i].len, a + el[i].start, a + el[i].end);
    df_jstr_free(el, n);
    in->json = true;
    return 1;
}

/* A shell-form command whose quotes never close fails only when it runs;
 * say so now. POSIX quoting; skipped for backtick-escape files, whose RUN
 * lines are usually PowerShell or cmd, where backslash is not an escape. */
static void check_shell_quotes(parser *p, const df_instr *in, size_t a, size_t b)
{
    if (p->escape != '\\')
        return;
    const char *L = in->logical;
    char open = 0;
    size_t start = a;
    for (size_t i = a; i < b; i++) {
        char c = L[i];
        if (open == '\'') {
            if (c == '\'')
                open = 0;
        } else if (c == '\\') {
            i++;
        } else if (open == '"') {
            if (c == '"')
                open = 0;
        } else if (c == '\'' || c == '"') {
            open = c;
            start = i;
        }
    }
    if (open)
        pwarn(p, DF_WARN_UNTERMINATED_QUOTE, in->omap[start],
              "the %c quote opened here is never closed: the shell will fail", open);
}

/* parseMaybeJSON: RUN, CMD, ENTRYPOINT, SHELL, and HEALTHCHECK's command. */
static int maybe_json(parser *p, wlist *l, df_instr *in, size_t a, size_t b)
{
    if (a == b)
        return 0;
    int rc = try_json(p, l, in, a, b);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    wl_add_range(l, p->f, in, a, b);
    check_shell_quotes(p, in, a, b);
    return 0;
}

static int name_val(parser *p, wlist *l, df_instr *in, size_t a, size_t b, const char *what)
{
    wlist words = {0};
    const char *L = in->logical;
    if (parse_words(p, &words, in, a, b))
        pwarn(p, DF_WARN_UNTERMINATED_QUOTE, in->omap[a], "%s has a quote that is never closed",
              what);
    int rc = 0;
    if (words.n == 0)
        goto out;
    if (memchr(words.v[0].text, '=', words.v[0].len) == NULL) {
        size_t i = a;
        while (i < b && !is_split_ws(L[i]))
            i++;
        size_t ke = i;
        while (i < b && is_split_ws(L[i]))
            i++;
        if (ke == b) {
            rc = perr(p, in->omap[a], "%s must have two arguments", what);
            goto out;
        }
        wl_add_range(l, p->f, in, a, ke);
        wl_add_range(l, p->f, in, i, b);
        wl_add(l, p->f, in, "", 0, ke, ke);
        goto out;
    }
    for (size_t k = 0; k < words.n; k++) {
        df_word *w = &words.v[k];
        const char *eq = memchr(w->text, '=', w->len);
        if (eq == NULL) {
            char *q = df_go_quote(w->text, w->len);
            rc = perr(p, w->span.start.off,
                      "syntax error - can't find = in %s. Must be of the form: name=value", q);
            free(q);
            goto out;
        }
        size_t klen = (size_t)(eq - w->text);
        /* a word's text is its source text but for a dropped escape at its
         * very end, so offsets within it carry over */
        size_t lo = words.lo[k], hi = words.hi[k];
        size_t eqpos = lo + klen <= hi ? lo + klen : hi;
        wl_add(l, p->f, in, w->text, klen, lo, eqpos);
        wl_add(l, p->f, in, eq + 1, w->len - klen - 1, eqpos + 1 <= hi ? eqpos + 1 : hi, hi);
        wl_add(l, p->f, in, "=", 1, eqpos, eqpos + 1 <= hi ? eqpos + 1 : hi);
    }
out:
    for (size_t k = 0; k < words.n; k++)
        free(words.v[k].text);
    free(words.v);
    free(words.lo);
    free(words.hi);
    return rc;
}

static int node_from_line(parser *p, df_instr *in, size_t lo, size_t hi);

static int dispatch(parser *p, df_instr *in, wlist *l, size_t a, size_t b)
{
    const char *L = in->logical;
    switch (in->kind) {
    case DF_FROM:
    case DF_EXPOSE:
        split_ws(l, p->f, in, a, b);
        return 0;
    case DF_ADD:
    case DF_COPY:
    case DF_VOLUME: {
        int rc = try_json(p, l, in, a, b);
        if (rc < 0)
            return -1;
        if (rc == 0)
            split_ws(l, p->f, in, a, b);
        return 0;
    }
    case DF_RUN:
    case DF_CMD:
    case DF_ENTRYPOINT:
    case DF_SHELL:
        return maybe_json(p, l, in, a, b);
    case DF_MAINTAINER:
    case DF_USER:
    case DF_WORKDIR:
    case DF_STOPSIGNAL:
        if (a < b)
            wl_add_range(l, p->f, in, a, b);
        return 0;
    case DF_ENV:
        return name_val(p, l, in, a, b, "ENV");
    case DF_LABEL:
        return name_val(p, l, in, a, b, "LABEL");
    case DF_ARG:
        if (parse_words(p, l, in, a, b))
            pwarn(p, DF_WARN_UNTERMINATED_QUOTE, in->omap[a], "ARG has a quote that is never closed");
        return 0;
    case DF_HEALTHCHECK: {
        size_t sep = a;
        while (sep < b && !is_byte_space((unsigned char)L[sep]))
            sep++;
        size_t nx = sep;
        while (nx < b && is_byte_space((unsigned char)L[nx]))
            nx++;
        if (sep == a)
            return 0;
        wl_add_range(l, p->f, in, a, sep);
        return maybe_json(p, l, in, nx, b);
    }
    case DF_ONBUILD: {
        if (a == b)
            return 0;
        df_instr *sub = kd_xcalloc(1, sizeof *sub);
        sub->logical = in->logical;
        sub->logical_len = in->logical_len;
        sub->omap = in->omap;
        in->sub = sub;
        return node_from_line(p, sub, a, b);
    }
    default:
        wl_add(l, p->f, in, "", 0, a, a);
        return 0;
    }
}

/* BuildKit's newNodeFromLine on in->logical[lo..hi). */
static int node_from_line(parser *p, df_instr *in, size_t lo, size_t hi)
{
    const char *L = in->logical;
    size_t a = skip_uspace(L, lo, hi);
    size_t b = rtrim_uspace(L, a, hi);
    size_t ke = a;
    while (ke < b && !is_split_ws(L[ke]))
        ke++;
    in->keyword = kd_xmemdup0(L + a, ke - a);
    in->keyword_span = df_instr_span(p->f, in, a, ke);
    in->kind = df_kind_from_word(L + a, ke - a);
    in->span = df_instr_span(p->f, in, a, b);

    size_t rs = b;
    if (ke < b) {
        size_t r0 = ke;
        while (r0 < b && is_split_ws(L[r0]))
            r0++;
        extract_flags(p, in, r0, b, &rs);
    }
    size_t ra = skip_uspace(L, rs, b);
    size_t rb = rtrim_uspace(L, ra, b);
    in->rest.text = kd_xmemdup0(L + ra, rb - ra);
    in->rest.len = rb - ra;
    in->rest.span = df_instr_span(p->f, in, ra, rb);

    wlist l = {0};
    int rc = dispatch(p, in, &l, ra, rb);
    in->args = l.v;
    in->nargs = l.n;
    free(l.lo);
    free(l.hi);
    if (rc == 0 && in->kind == DF_UNKNOWN)
        pwarn(p, DF_WARN_UNKNOWN_INSTRUCTION, in->keyword_span.start.off,
              "unknown instruction: %s", in->keyword);
    return rc;
}

/* ---- heredocs ----------------------------------------------------------- */

static bool can_contain_heredoc(const df_instr *in)
{
    if (in->kind == DF_ONBUILD && in->sub)
        in = in->sub;
    return (in->kind == DF_RUN || in->kind == DF_COPY || in->kind == DF_ADD) && !in->json;
}

static size_t count_quotes(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\'' || *s == '"';
    return n;
}

/* ParseHeredoc on one word of the line: returns 1 with h filled, 0 if the
 * word opens no heredoc, -1 on error. */
static int heredoc_from_word(parser *p, const char *word, size_t off, df_heredoc *h)
{
    const char *w = word;
    while (*w >= '0' && *w <= '9')
        w++;
    if (w[0] != '<' || w[1] != '<')
        return 0;
    int fd = w > word ? atoi(word) : 0;
    w += 2;
    bool chomp = *w == '-';
    if (chomp)
        w++;
    while (is_dir_ws(*w))
        w++;
    if (*w == '\0' || strchr(w, '<'))
        return 0;

    df_lex_opts o = {.escape = '\\', .skip_unset = true};
    df_expansion plain, raw;
    kd_error *e = NULL;
    if (df_expand(&o, w, strlen(w), NULL, &plain, &e) < 0) {
        perr(p, off, "%s", e->msg);
        kd_error_free(e);
        return -1;
    }
    if (plain.nwords != 1) {
        df_expansion_free(&plain);
        return 0;
    }
    o.raw_quotes = true;
    if (df_expand(&o, w, strlen(w), NULL, &raw, &e) < 0) {
        perr(p, off, "%s", e->msg);
        kd_error_free(e);
        df_expansion_free(&plain);
        return -1;
    }
    if (raw.nwords != 1) {
        df_expansion_free(&plain);
        df_expansion_free(&raw);
        return perr(p, off, "internal lexing of heredoc produced inconsistent results: %s", w);
    }
    memset(h, 0, sizeof *h);
    h->name = kd_xstrdup(plain.words[0]);
    h->expand = count_quotes(plain.words[0]) == count_quotes(raw.words[0]);
    h->chomp = chomp;
    h->fd = fd;
    df_expansion_free(&plain);
    df_expansion_free(&raw);
    return 1;
}

/* Finds the heredocs that the instruction's line opens and reads their
 * bodies, starting at physical line *next. */
static int read_heredocs(parser *p, df_instr *in, size_t *next, uint32_t *end_line)
{
    df_file *f = p->f;
    if (!can_contain_heredoc(in) || memmem(in->logical, in->logical_len, "<<", 2) == NULL)
        return 0;
    df_lex_opts o = {.escape = '\\', .raw_quotes = true, .raw_escapes = true,
                     .skip_unset = true, .heredoc_words = true};
    df_expansion words;
    if (df_expand(&o, in->logical, in->logical_len, NULL, &words, NULL) < 0)
        return 0; /* BuildKit ignores lexing errors here: no heredoc */
    int rc = 0;
    size_t cap = 0;
    for (size_t k = 0; k < words.nwords && rc == 0; k++) {
        df_heredoc h;
        size_t woff = in->omap[words.word_starts[k]];
        int r = heredoc_from_word(p, words.words[k], woff, &h);
        if (r < 0)
            rc = -1;
        if (r <= 0)
            continue;
        h.word = df_instr_span(f, in, words.word_starts[k], words.word_ends[k]);
        kd_buf body = KD_BUF_INIT;
        bool terminated = false;
        size_t body_start = *next < f->nlines ? f->line_starts[*next] : f->len;
        size_t term_end = body_start;
        while (*next < f->nlines) {
            size_t i = (*next)++;
            size_t s = f->line_starts[i];
            size_t e = i + 1 < f->nlines ? f->line_starts[i + 1] : f->len;
            size_t cs, ce;
            line_bounds(f, i, &cs, &ce);
            size_t ts = cs;
            if (h.chomp)
                while (ts < ce && f->src[ts] == '\t')
                    ts++;
            *end_line = (uint32_t)i + 1;
            if (ce - ts == strlen(h.name) && memcmp(f->src + ts, h.name, ce - ts) == 0) {
                terminated = true;
                term_end = ce;
                break;
            }
            kd_buf_add(&body, f->src + s, e - s);
        }
        h.content = kd_buf_detach(&body, &h.content_len);
        h.body = span_of(f, body_start, terminated ? term_end : f->len);
        KD_GROW(in->heredocs, cap, in->nheredocs + 1);
        in->heredocs[in->nheredocs++] = h;
        if (!terminated)
            rc = perr(p, h.word.start.off,
                      "unterminated heredoc: no line \"%s\" ends the heredoc opened here", h.name);
    }
    df_expansion_free(&words);
    return rc;
}

/* ---- the main loop ------------------------------------------------------ */

static bool is_comment_line(const df_file *f, size_t s, size_t e, size_t *t)
{
    *t = skip_uspace(f->src, s, e);
    return *t < e && f->src[*t] == '#';
}

static int parse_all(parser *p)
{
    df_file *f = p->f;
    size_t i = 0;
    while (i < f->nlines) {
        size_t s, e, t;
        line_bounds(f, i, &s, &e);
        size_t line_no = i++;
        bool comment = is_comment_line(f, s, e, &t);
        if (offer_directive(p, t, e) < 0)
            return -1;
        if (comment) {
            add_comment(p, t, e, false);
            t = e;
        }
        size_t cut;
        bool cont = continues(p, t, e, &cut);
        if (!cont && t == e)
            continue;

        lbuf lb = {KD_BUF_INIT, NULL, 0};
        lbuf_add(&lb, f->src, t, cont ? cut : e);
        uint32_t start_line = (uint32_t)line_no + 1, end_line = start_line;
        size_t last_end = e;
        while (cont && i < f->nlines) {
            size_t s2, e2, t2;
            line_bounds(f, i, &s2, &e2);
            end_line = (uint32_t)++i;
            if (offer_directive(p, s2, e2) < 0) {
                kd_buf_free(&lb.text);
                free(lb.omap);
                return -1;
            }
            if (is_comment_line(f, s2, e2, &t2)) {
                add_comment(p, t2, e2, true);
                continue;
            }
            if (t2 == e2) {
                pwarn(p, DF_WARN_EMPTY_CONTINUATION, s2,
                      "empty continuation line (a future Docker release may reject it)");
                continue;
            }
            cont = continues(p, s2, e2, &cut);
            lbuf_add(&lb, f->src, s2, cont ? cut : e2);
            last_end = e2;
        }
        if (cont)
            pwarn(p, DF_WARN_TRAILING_CONTINUATION, last_end,
                  "the file ends while the instruction continues");

        KD_GROW(f->instrs, p->cap_instrs, f->ninstrs + 1);
        df_instr *in = &f->instrs[f->ninstrs++];
        memset(in, 0, sizeof *in);
        in->logical_len = lb.text.len;
        KD_GROW(lb.omap, lb.cap, lb.text.len + 1);
        lb.omap[lb.text.len] = lb.text.len ? lb.omap[lb.text.len - 1] + 1 : t;
        in->omap = lb.omap;
        in->logical = kd_buf_detach(&lb.text, NULL);
        in->start_line = start_line;
        if (node_from_line(p, in, 0, in->logical_len) < 0)
            return -1;
        if (read_heredocs(p, in, &i, &end_line) < 0)
            return -1;
        in->end_line = end_line;
        /* the span runs to the end of the last line consumed */
        size_t ls, le;
        line_bounds(f, end_line - 1, &ls, &le);
        if (le > in->span.start.off)
            in->span.end = df_file_pos(f, le);
    }
    if (f->ninstrs == 0)
        return perr(p, f->len > 0 ? f->line_starts[f->nlines - 1] : 0,
                    "file with no instructions");
    return 0;
}

int df_parse(const char *path, const char *data, size_t len, df_file **out, kd_error **err)
{
    df_file *f = kd_xcalloc(1, sizeof *f);
    f->path = kd_xstrdup(path ? path : "Dockerfile");
    f->src = kd_xmemdup0(data, len);
    f->len = len;
    f->escape = '\\';
    parser p = {.f = f, .escape = '\\', .err = err};
    if (build_lines(&p) < 0 || parse_all(&p) < 0) {
        df_file_free(f);
        return -1;
    }
    *out = f;
    return 0;
}

int df_parse_file(const char *path, df_file **out, kd_error **err)
{
    char *data;
    size_t len;
    if (kd_read_file(path, &data, &len, err) < 0) {
        if (err && *err)
            (*err)->status = 2;
        return -1;
    }
    int rc = df_parse(strcmp(path, "-") == 0 ? "<stdin>" : path, data, len, out, err);
    free(data);
    return rc;
}

/* ---- freeing ------------------------------------------------------------ */

static void free_words(df_word *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(w[i].text);
    free(w);
}

static void free_instr(df_instr *in, bool owns_line)
{
    free(in->keyword);
    for (size_t i = 0; i < in->nflags; i++) {
        free(in->flags[i].text);
        free(in->flags[i].name);
        free(in->flags[i].value);
    }
    free(in->flags);
    free_words(in->args, in->nargs);
    free(in->rest.text);
    for (size_t i = 0; i < in->nheredocs; i++) {
        free(in->heredocs[i].name);
        free(in->heredocs[i].content);
    }
    free(in->heredocs);
    if (in->sub) {
        free_instr(in->sub, false);
        free(in->sub);
    }
    if (owns_line) {
        free(in->logical);
        free(in->omap);
    }
}

void df_file_free(df_file *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->ninstrs; i++)
        free_instr(&f->instrs[i], true);
    free(f->instrs);
    for (size_t i = 0; i < f->ncomments; i++)
        free(f->comments[i].text);
    free(f->comments);
    for (size_t i = 0; i < f->ndirectives; i++) {
        free(f->directives[i].name);
        free(f->directives[i].value);
    }
    free(f->directives);
    for (size_t i = 0; i < f->nwarnings; i++)
        free(f->warnings[i].msg);
    free(f->warnings);
    free(f->line_starts);
    free(f->path);
    free(f->src);
    free(f);
}

/* ---- kinds -------------------------------------------------------------- */

static const char *const kind_names[DF_KIND_COUNT] = {
    [DF_UNKNOWN] = "",           [DF_ADD] = "ADD",
    [DF_ARG] = "ARG",            [DF_CMD] = "CMD",
    [DF_COPY] = "COPY",          [DF_ENTRYPOINT] = "ENTRYPOINT",
    [DF_ENV] = "ENV",            [DF_EXPOSE] = "EXPOSE",
    [DF_FROM] = "FROM",          [DF_HEALTHCHECK] = "HEALTHCHECK",
    [DF_LABEL] = "LABEL",        [DF_MAINTAINER] = "MAINTAINER",
    [DF_ONBUILD] = "ONBUILD",    [DF_RUN] = "RUN",
    [DF_SHELL] = "SHELL",        [DF_STOPSIGNAL] = "STOPSIGNAL",
    [DF_USER] = "USER",          [DF_VOLUME] = "VOLUME",
    [DF_WORKDIR] = "WORKDIR",
};

const char *df_kind_name(df_kind k)
{
    return k < DF_KIND_COUNT ? kind_names[k] : "";
}

df_kind df_kind_from_word(const char *s, size_t n)
{
    for (int k = 1; k < DF_KIND_COUNT; k++)
        if (strlen(kind_names[k]) == n && strncasecmp(kind_names[k], s, n) == 0)
            return (df_kind)k;
    return DF_UNKNOWN;
}

const df_flag *df_instr_flag(const df_instr *in, const char *name)
{
    for (size_t i = 0; i < in->nflags; i++)
        if (strcmp(in->flags[i].name, name) == 0)
            return &in->flags[i];
    return NULL;
}
