/* .dockerignore patterns as moby/patternmatcher compiles and matches them,
 * and Go's filepath.Match. Owner: build-sandbox (helper C).
 *
 * patternmatcher turns each pattern into a Go regexp, except for three
 * shortcuts (exact, prefix "x/" + "**", suffix "**" + literal) whose results can
 * differ from the regexp ("**foo" matches "afoo" as a suffix): we keep the
 * same shortcuts so that every path is judged as Docker judges it. The
 * regexps use only classes, escapes and groups, which PCRE2 reads as RE2
 * does; we run them in UTF mode so '?' is one character, as in Go. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "build/dockerignore.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/mem.h"
#include "util/utf8.h"

#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

typedef enum { M_EXACT, M_PREFIX, M_SUFFIX, M_REGEXP } match_type;

typedef struct pattern {
    char *text; /* cleaned, without the '!' */
    bool exclusion;
    match_type type;
    pcre2_code *re; /* M_REGEXP only */
} pattern;

struct kd_ignore {
    pattern *pats;
    size_t n, cap;
    bool exceptions;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
};

/* ---- Go's path.Clean on '/'-separated paths ---- */

char *kd_path_clean(const char *p)
{
    if (*p == '\0')
        return kd_xstrdup(".");
    bool rooted = p[0] == '/';
    size_t n = strlen(p);
    char *out = kd_xmalloc(n + 2);
    size_t w = 0, r = 0, dotdot = 0;
    if (rooted)
        out[w++] = '/', r = 1, dotdot = 1;
    while (r < n) {
        if (p[r] == '/') {
            r++;
        } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
            r++;
        } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
            r += 2;
            if (w > dotdot) {
                w--;
                while (w > dotdot && out[w] != '/')
                    w--;
            } else if (!rooted) {
                if (w > 0)
                    out[w++] = '/';
                out[w++] = '.', out[w++] = '.';
                dotdot = w;
            }
        } else {
            if ((rooted && w != 1) || (!rooted && w != 0))
                out[w++] = '/';
            while (r < n && p[r] != '/')
                out[w++] = p[r++];
        }
    }
    if (w == 0)
        out[w++] = '.';
    out[w] = '\0';
    return out;
}

/* ---- Go's filepath.Match ---- */

/* getEsc: one possibly escaped rune of a class; -1 on a malformed class. */
static int get_esc(const char **chunk, const char *end, unsigned *r)
{
    const char *c = *chunk;
    if (c >= end || *c == '-' || *c == ']')
        return -1;
    if (*c == '\\' && ++c >= end)
        return -1;
    size_t w;
    *r = kd_utf8_decode((const unsigned char *)c, (size_t)(end - c), &w);
    if (*r == KD_RUNE_ERROR && w == 1)
        return -1;
    c += w;
    if (c >= end)
        return -1;
    *chunk = c;
    return 0;
}

/* One class at chunk (after '['); sets *hit when rune r is in it. */
static int match_class(const char **chunk, const char *end, unsigned r, bool *hit)
{
    const char *c = *chunk;
    bool negated = c < end && *c == '^';
    if (negated)
        c++;
    bool match = false;
    for (int nrange = 0;; nrange++) {
        if (c < end && *c == ']' && nrange > 0) {
            c++;
            break;
        }
        unsigned lo, hi;
        if (get_esc(&c, end, &lo) < 0)
            return -1;
        hi = lo;
        if (*c == '-') {
            c++;
            if (get_esc(&c, end, &hi) < 0)
                return -1;
        }
        if (lo <= r && r <= hi)
            match = true;
    }
    *hit = match != negated;
    *chunk = c;
    return 0;
}

/* matchChunk: 1 and *rest on a match, 0 on none, -1 on a bad pattern. The
 * whole chunk is always checked for syntax, as Go does. */
static int match_chunk(const char *chunk, const char *end, const char *s, const char **rest)
{
    bool failed = false;
    while (chunk < end) {
        if (!failed && *s == '\0')
            failed = true;
        size_t w = 1;
        if (*chunk == '[') {
            unsigned r = 0;
            if (!failed)
                r = kd_utf8_decode((const unsigned char *)s, strlen(s), &w), s += w;
            chunk++;
            bool hit;
            if (match_class(&chunk, end, r, &hit) < 0)
                return -1;
            failed = failed || !hit;
            continue;
        }
        if (*chunk == '?') {
            if (!failed) {
                failed = *s == '/';
                kd_utf8_decode((const unsigned char *)s, strlen(s), &w);
                s += w;
            }
            chunk++;
            continue;
        }
        if (*chunk == '\\' && ++chunk >= end)
            return -1;
        if (!failed)
            failed = *chunk != *s++;
        chunk++;
    }
    if (failed)
        return 0;
    *rest = s;
    return 1;
}

/* scanChunk: skips leading stars, returns the end of the chunk. */
static const char *scan_chunk(const char **pat, bool *star)
{
    const char *p = *pat;
    *star = false;
    while (*p == '*')
        p++, *star = true;
    *pat = p;
    bool inrange = false;
    for (; *p; p++) {
        if (*p == '\\' && p[1])
            p++;
        else if (*p == '[')
            inrange = true;
        else if (*p == ']')
            inrange = false;
        else if (*p == '*' && !inrange)
            break;
    }
    return p;
}

static int check_rest(const char *pat)
{
    while (*pat) {
        bool star;
        const char *end = scan_chunk(&pat, &star);
        const char *rest;
        if (match_chunk(pat, end, "", &rest) < 0)
            return -1;
        pat = end;
    }
    return 0;
}

/* With a star before the chunk: try after each byte, never across '/'. */
static int match_after_star(const char *chunk, const char *end, const char **name, bool last)
{
    const char *s = *name;
    for (size_t i = 0; s[i] && s[i] != '/'; i++) {
        const char *t;
        int rc = match_chunk(chunk, end, s + i + 1, &t);
        if (rc < 0)
            return -1;
        if (rc == 1 && !(last && *t)) {
            *name = t;
            return 1;
        }
    }
    return 0;
}

int kd_path_match(const char *pat, const char *name)
{
    while (*pat) {
        bool star;
        const char *end = scan_chunk(&pat, &star);
        if (star && end == pat)
            return strchr(name, '/') == NULL;
        const char *t;
        int rc = match_chunk(pat, end, name, &t);
        bool last = *end == '\0';
        if (rc == 1 && (*t == '\0' || !last)) {
            name = t, pat = end;
            continue;
        }
        if (rc < 0)
            return -1;
        if (star) {
            rc = match_after_star(pat, end, &name, last);
            if (rc < 0)
                return -1;
            if (rc == 1) {
                pat = end;
                continue;
            }
        }
        return check_rest(end) < 0 ? -1 : 0;
    }
    return *name == '\0';
}

bool kd_path_has_meta(const char *p)
{
    return strpbrk(p, "*?[\\") != NULL;
}

/* ---- patternmatcher ---- */

static bool should_escape(char c)
{
    return strchr(".+()|{}$", c) != NULL && c != '\0';
}

/* The regexp (and the shortcut type) patternmatcher's compile makes. */
static match_type to_regexp(const char *p, kd_buf *re)
{
    match_type t = M_EXACT;
    kd_buf_addc(re, '^');
    for (size_t i = 0; p[i]; i++) {
        char c = p[i];
        if (c == '*' && p[i + 1] == '*') {
            bool first = i == 0;
            i++;
            if (p[i + 1] == '/')
                i++;
            if (p[i + 1] == '\0') {
                if (t == M_EXACT)
                    t = M_PREFIX;
                else
                    kd_buf_adds(re, ".*"), t = M_REGEXP;
            } else {
                kd_buf_adds(re, "(.*/)?"), t = M_REGEXP;
            }
            if (first)
                t = M_SUFFIX;
        } else if (c == '*') {
            kd_buf_adds(re, "[^/]*"), t = M_REGEXP;
        } else if (c == '?') {
            kd_buf_adds(re, "[^/]"), t = M_REGEXP;
        } else if (should_escape(c)) {
            kd_buf_addc(re, '\\'), kd_buf_addc(re, c);
        } else if (c == '\\') {
            kd_buf_addc(re, '\\');
            if (p[i + 1] != '\0')
                kd_buf_addc(re, p[++i]), t = M_REGEXP;
        } else if (c == '[' || c == ']') {
            kd_buf_addc(re, c), t = M_REGEXP;
        } else {
            kd_buf_addc(re, c);
        }
    }
    kd_buf_addc(re, '$');
    return t;
}

static int compile_one(kd_ignore *m, const char *raw, kd_error **err)
{
    kd_buf trimmed = KD_BUF_INIT;
    const char *b = raw, *e = raw + strlen(raw);
    while (b < e && strchr(" \t\n\v\f\r", *b))
        b++;
    while (e > b && strchr(" \t\n\v\f\r", e[-1]))
        e--;
    if (b == e)
        return 0;
    kd_buf_add(&trimmed, b, (size_t)(e - b));
    char *p = kd_path_clean(kd_buf_str(&trimmed));
    kd_buf_free(&trimmed);
    pattern pat = {0};
    char *body = p;
    if (p[0] == '!') {
        if (p[1] == '\0') {
            free(p);
            return kd_err(err, 0, "illegal exclusion pattern: \"!\"");
        }
        pat.exclusion = true, body++;
    }
    if (kd_path_match(body, ".") < 0) {
        kd_err(err, 0, "syntax error in pattern \"%s\"", body);
        free(p);
        return -1;
    }
    kd_buf re = KD_BUF_INIT;
    pat.type = to_regexp(body, &re);
    if (pat.type == M_REGEXP) {
        int ec;
        PCRE2_SIZE off;
        pat.re = pcre2_compile((PCRE2_SPTR)re.data, re.len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                               &ec, &off, NULL);
        if (pat.re == NULL) {
            kd_err(err, 0, "syntax error in pattern \"%s\"", body);
            kd_buf_free(&re), free(p);
            return -1;
        }
    }
    kd_buf_free(&re);
    pat.text = kd_xstrdup(body);
    free(p);
    KD_GROW(m->pats, m->cap, m->n + 1);
    m->pats[m->n++] = pat;
    m->exceptions |= pat.exclusion;
    return 0;
}

static kd_ignore *ignore_new(void)
{
    kd_ignore *m = kd_xcalloc(1, sizeof *m);
    m->md = pcre2_match_data_create(4, NULL);
    /* a hostile pattern like "**a**a**a..." must not take forever */
    m->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(m->mctx, 1000000);
    return m;
}

int kd_ignore_compile(const char *const *patterns, size_t n, kd_ignore **out, kd_error **err)
{
    kd_ignore *m = ignore_new();
    for (size_t i = 0; i < n; i++) {
        if (compile_one(m, patterns[i], err) < 0) {
            kd_ignore_free(m);
            return -1;
        }
    }
    *out = m;
    return 0;
}

/* One .dockerignore line as docker's ignorefile.ReadAll rewrites it before
 * patternmatcher sees it; NULL for comments and blank lines. */
static char *read_line(const char *line, size_t n)
{
    if (n > 0 && line[0] == '#')
        return NULL;
    while (n > 0 && strchr(" \t\n\v\f\r", line[0]))
        line++, n--;
    while (n > 0 && strchr(" \t\n\v\f\r", line[n - 1]))
        n--;
    if (n == 0)
        return NULL;
    bool invert = line[0] == '!';
    if (invert) {
        line++, n--;
        while (n > 0 && strchr(" \t\n\v\f\r", line[0]))
            line++, n--;
    }
    char *raw = kd_xstrndup(line, n);
    char *p = n ? kd_path_clean(raw) : kd_xstrdup("");
    free(raw);
    char *out = kd_asprintf("%s%s", invert ? "!" : "", (p[0] == '/' && p[1]) ? p + 1 : p);
    free(p);
    return out;
}

int kd_ignore_parse(const char *text, size_t len, kd_ignore **out, kd_error **err)
{
    kd_ignore *m = ignore_new();
    size_t lineno = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && text[j] != '\n')
            j++;
        const char *line = text + i;
        size_t n = j - i;
        if (lineno++ == 0 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
            line += 3, n -= 3;
        if (n > 0 && line[n - 1] == '\r')
            n--;
        char *p = memchr(line, '\0', n) ? NULL : read_line(line, n);
        int rc = p ? compile_one(m, p, err) : 0;
        free(p);
        if (rc < 0) {
            kd_error_wrap(err ? *err : NULL, ".dockerignore line %zu", lineno);
            kd_ignore_free(m);
            return -1;
        }
        i = j + 1;
    }
    *out = m;
    return 0;
}

int kd_ignore_load(const char *dir, kd_ignore **out, kd_error **err)
{
    char *path = kd_asprintf("%s/.dockerignore", dir);
    char *data;
    size_t len;
    kd_error *e = NULL;
    int rc = kd_read_file(path, &data, &len, &e);
    free(path);
    if (rc < 0 && e->errnum == ENOENT) {
        kd_error_free(e);
        *out = ignore_new();
        return 0;
    }
    if (rc < 0) {
        if (err && !*err)
            *err = e;
        else
            kd_error_free(e);
        return -1;
    }
    rc = kd_ignore_parse(data, len, out, err);
    free(data);
    return rc;
}

void kd_ignore_free(kd_ignore *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->pats[i].text);
        pcre2_code_free(m->pats[i].re);
    }
    free(m->pats);
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mctx);
    free(m);
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* Pattern.match on the first n bytes of path. */
static bool pattern_match(const kd_ignore *m, const pattern *p, const char *path, size_t n)
{
    size_t k = strlen(p->text);
    switch (p->type) {
    case M_EXACT:
        return n == k && memcmp(path, p->text, n) == 0;
    case M_PREFIX:
        return n >= k - 2 && memcmp(path, p->text, k - 2) == 0;
    case M_SUFFIX: {
        const char *suf = p->text + 2;
        if (has_suffix(path, n, suf))
            return true;
        return suf[0] == '/' && n == k - 3 && memcmp(path, suf + 1, n) == 0;
    }
    case M_REGEXP:
        return pcre2_match(p->re, (PCRE2_SPTR)path, n, 0, 0, m->md, m->mctx) >= 0;
    }
    return false;
}

/* The pattern matches path or one of its parent directories. */
static bool match_or_parent(const kd_ignore *m, const pattern *p, const char *path)
{
    size_t n = strlen(path);
    if (pattern_match(m, p, path, n))
        return true;
    for (size_t i = 0; i < n; i++) {
        if (path[i] == '/' && pattern_match(m, p, path, i))
            return true;
    }
    return false;
}

bool kd_ignore_match(const kd_ignore *m, const char *path)
{
    if (m == NULL)
        return false;
    bool matched = false;
    for (size_t i = 0; i < m->n; i++) {
        const pattern *p = &m->pats[i];
        if (p->exclusion != matched)
            continue;
        if (match_or_parent(m, p, path))
            matched = !p->exclusion;
    }
    return matched;
}

bool kd_ignore_has_exceptions(const kd_ignore *m)
{
    return m && m->exceptions;
}

size_t kd_ignore_count(const kd_ignore *m)
{
    return m ? m->n : 0;
}

void kd_ignore_keep_build_files(kd_ignore *m, const char *dockerfile)
{
    if (kd_ignore_match(m, ".dockerignore"))
        compile_one(m, "!.dockerignore", NULL);
    if (dockerfile && kd_ignore_match(m, dockerfile)) {
        char *ex = kd_asprintf("!%s", dockerfile);
        compile_one(m, ex, NULL);
        free(ex);
    }
}
